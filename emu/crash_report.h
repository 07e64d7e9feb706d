// The emulator's own crash report. Guest faults never arrive here (they are
// mm::GuestFault exceptions turned into guest signals); this is for bugs in
// emu itself: a host SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT or an uncaught C++
// exception. It prints where: the host backtrace (LLVM libunwind), the guest
// registers, Capstone's disassembly of the guest instruction and the guest
// memory map, then exits with kCrashExitStatus.
#pragma once

namespace emu {
struct Cpu;
namespace mm {
class AddressSpace;
}

inline constexpr int kCrashExitStatus = 125;

// Installs the handlers (on an alternate stack). `cpu` and `mem` may be null
// until the guest exists; they are read only when a crash happens.
void install_crash_report(const Cpu* cpu, mm::AddressSpace* mem);

}  // namespace emu
