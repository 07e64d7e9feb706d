// The system-call layer: a declarative table (number, name, handler, argument
// printer) and the dispatcher the driver calls on Event::Syscall.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "syscalls/abi.h"

namespace emu {
struct Cpu;
namespace mm {
class AddressSpace;
}
}  // namespace emu

namespace emu::syscalls {

struct ExecImage;  // syscalls/exec.h

// A signal disposition as the guest set it with rt_sigaction (the kernel's
// struct sigaction fields). Mirrored onto the host (syscalls/signal_host.h);
// handlers run through syscalls/signal_delivery.h.
struct SignalAction {
  uint64_t handler = 0;  // SIG_DFL (0), SIG_IGN (1) or a guest address
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};

struct SignalState {
  SignalAction actions[64];     // index = signal number - 1
  uint64_t blocked = 0;         // rt_sigprocmask's mask (bit n-1 = signal n)
  uint64_t altstack_sp = 0;     // sigaltstack; size 0: disabled (SS_DISABLE)
  uint64_t altstack_size = 0;
  uint32_t altstack_flags = 0;  // the ss_flags it was set with (SS_AUTODISARM, the mode)
  // Caught from the host or queued by emu, not yet delivered, and the
  // siginfo of each (one instance per signal: further ones wait in the host
  // kernel, blocked, until this one is delivered).
  uint64_t pending = 0;
  abi::Siginfo pending_info[64] = {};
  // rt_sigsuspend: the mask to put back once a handler frame has saved it.
  bool restore_mask = false;
  uint64_t saved_mask = 0;
  // A system call that returned -EINTR because a signal with a guest handler
  // came in: delivery restarts it (SA_RESTART) or leaves -EINTR.
  bool syscall_interrupted = false;
  uint64_t interrupted_nr = 0;
};

// Per-process state the handlers need beyond the CPU and memory.
struct Process {
  Cpu* cpu = nullptr;
  mm::AddressSpace* mem = nullptr;
  std::string exe_path;       // absolute host path: /proc/self/exe, AT_EXECFN
  bool strace = false;        // --strace: one line per syscall
  std::FILE* strace_out = stderr;
  bool exited = false;        // exit/exit_group was called
  int exit_status = 0;        // its status (low 8 bits are what the host sees)
  // RLIMIT_STACK soft limit the loader sized the stack by (what getrlimit and
  // prlimit64 report); 0 reports the host's.
  uint64_t stack_limit = 0;
  SignalState signals;
  bool catch_terminating = false;  // --strace: terminating signals are caught to be printed
  uint64_t clear_child_tid = 0;  // set_tid_address
  uint64_t robust_list = 0;      // set_robust_list head
  uint64_t robust_list_len = 0;

  // What a new program is loaded with (execve): --mem-limit and AT_HWCAP.
  uint64_t mem_limit = 0;
  uint64_t hwcap = 0;
  // Set by a successful execve: the loaded program, which the driver
  // switches to right after the call (syscalls/exec.h).
  std::shared_ptr<ExecImage> exec;
  // This emulator process is a child the guest forked: what belongs to the
  // emulator the user started (--stats, --rss-log, --compare-native's
  // report) is the parent's. `fork_pending` asks the driver to let go of
  // those once, right after the fork.
  bool forked_child = false;
  bool fork_pending = false;
  // vfork: the write end of the pipe the parent waits on until this child
  // execs or exits (-1: none).
  int vfork_done_fd = -1;
  // ... and the parent expects this child's memory writes (CLONE_VM).
  bool vfork_shares_memory = false;
};

// Executes the system call described by cpu->gpr (RAX = number; RDI, RSI, RDX,
// R10, R8, R9 = arguments) and writes the result (or -errno) to RAX, as the
// kernel does; RCX and R11 are clobbered per the SYSCALL ABI by the
// interpreter, not here. exit/exit_group set process.exited and
// cpu->event = Event::Exit. Unknown numbers return -ENOSYS.
void dispatch(Process& process);

// Name of syscall `nr`, or nullptr when the table has no such entry.
const char* syscall_name(uint64_t nr);

}  // namespace emu::syscalls
