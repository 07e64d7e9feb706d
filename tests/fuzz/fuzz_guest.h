// Running a guest for a bounded time inside a fuzz harness: the interpreter
// alone, with no system-call layer. What may end such a run is a guest
// matter; anything else is an emulator bug, and the harness aborts so that
// the fuzzer records the input.
#pragma once

#include <cstdint>

#include "emu/cpu.h"
#include "emu/interpreter.h"

namespace emu::fuzz {

// How a bounded run ended.
enum class GuestEnd {
  Limit,       // the instruction limit, or the syscall budget (both: a runaway guest)
  Signal,      // a synchronous guest signal: SIGILL, SIGSEGV, SIGFPE, SIGBUS or SIGTRAP
               // (or the out-of-memory kill)
};

// Runs `interp` from cpu.rip until one of the above, for at most
// `max_insns` instructions. Each SYSCALL is answered -ENOSYS in RAX (at most
// `max_syscalls` of them), as Linux answers an unknown call. A guest fault
// with any other signal, an Event the interpreter should never return here,
// or any C++ exception aborts the process.
GuestEnd run_bounded(Cpu& cpu, Interpreter& interp, uint64_t max_insns, unsigned max_syscalls = 64);

}  // namespace emu::fuzz
