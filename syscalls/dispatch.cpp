#include <cstdio>

#include "emu/cpu.h"
#include "syscalls/strace.h"
#include "syscalls/table.h"

namespace emu::syscalls {

void dispatch(Process& process) {
  Cpu& cpu = *process.cpu;
  const uint64_t nr = cpu.gpr[RAX];
  const SyscallArgs args{{cpu.gpr[RDI], cpu.gpr[RSI], cpu.gpr[RDX], cpu.gpr[R10], cpu.gpr[R8], cpu.gpr[R9]}};

  const SyscallDesc* desc = find_syscall(nr);
  const int64_t result = (desc && desc->handler) ? desc->handler(process, args) : -ENOSYS;
  cpu.gpr[RAX] = uint64_t(result);

  if (process.strace && process.strace_out) {
    const std::string line = format_syscall(process, nr, desc, args, result);
    std::fprintf(process.strace_out, "%s\n", line.c_str());
  }
}

}  // namespace emu::syscalls
