#include <cstdio>

#include "emu/cpu.h"
#include "syscalls/signal_delivery.h"
#include "syscalls/strace.h"
#include "syscalls/table.h"

namespace emu::syscalls {

void dispatch(Process& process) {
  Cpu& cpu = *process.cpu;
  const uint64_t nr = cpu.gpr[RAX];
  const SyscallArgs args{{cpu.gpr[RDI], cpu.gpr[RSI], cpu.gpr[RDX], cpu.gpr[R10], cpu.gpr[R8], cpu.gpr[R9]}};

  const SyscallDesc* desc = find_syscall(nr);
  const bool tracing = process.strace && process.strace_out;
  const std::optional<EntryArgs> entry = tracing ? capture_entry_args(process, desc, args) : std::nullopt;
  int64_t result = (desc && desc->handler) ? desc->handler(process, args) : -ENOSYS;
  // A host signal interrupted the call. If it is for a guest handler,
  // deliver_signals decides between -EINTR and a restart; otherwise the guest
  // must not notice: the call is issued again. (rt_sigreturn's result is the
  // restored RAX, which may be -EINTR of the call the handler interrupted.)
  constexpr uint64_t kRtSigreturn = 15;
  while (result == -EINTR && nr != kRtSigreturn && note_interrupted_syscall(process, nr))
    result = desc->handler(process, args);
  cpu.gpr[RAX] = uint64_t(result);

  if (tracing) {
    strace_line(process, format_syscall(process, nr, desc, args, result, entry ? &*entry : nullptr));
  }
}

}  // namespace emu::syscalls
