// The system-call layer: a declarative table (number, name, handler, argument
// printer) and the dispatcher the driver calls on Event::Syscall.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace emu {
struct Cpu;
namespace mm {
class AddressSpace;
}
}  // namespace emu

namespace emu::syscalls {

// Per-process state the handlers need beyond the CPU and memory.
struct Process {
  Cpu* cpu = nullptr;
  mm::AddressSpace* mem = nullptr;
  std::string exe_path;       // absolute host path: /proc/self/exe, AT_EXECFN
  bool strace = false;        // --strace: one line per syscall
  std::FILE* strace_out = stderr;
  bool exited = false;        // exit/exit_group was called
  int exit_status = 0;        // its status (low 8 bits are what the host sees)
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
