// The emulator's own crash report. Guest faults never arrive here (they are
// mm::GuestFault exceptions turned into guest signals); this is for bugs in
// emu itself: a host SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT or an uncaught C++
// exception. It prints where: the host backtrace (LLVM libunwind), the guest
// registers, Capstone's disassembly of the guest instruction and the guest
// memory map, then exits with kCrashExitStatus.
#pragma once

#include <csignal>

namespace emu {
struct Cpu;
namespace mm {
class AddressSpace;
}

inline constexpr int kCrashExitStatus = 125;

// For the report's own test (tests/integration/check_crash_report.py): with
// EMU_TEST_CRASH=segv, abort or exception in the environment, emu fails that
// way on purpose at the guest's first system call. Returns the mode, or
// nullptr (the normal case) when the variable is unset.
const char* crash_test_mode();
[[noreturn]] void crash_on_purpose(const char* mode);

// Installs the handlers (on an alternate stack). `cpu` and `mem` may be null
// until the guest exists; they are read only when a crash happens.
void install_crash_report(const Cpu* cpu, mm::AddressSpace* mem);

// A host SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT that another process sent
// (kill, sigqueue, tgkill: si_code <= 0; for SIGABRT, from a process other
// than emu, whose own abort() is a crash) is not a crash: it goes to
// `forward` (the guest's signal layer) instead, and the handler stays.
using AsyncSignalForwarder = void (*)(int signo, siginfo_t* info, void* uctx);
void set_async_signal_forwarder(AsyncSignalForwarder forward);

}  // namespace emu
