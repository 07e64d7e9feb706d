// The exception that carries a synchronous guest fault out of the MMU or the
// interpreter to the run loop, which turns it into a guest signal.
//
// Faults are rare, so a C++ exception costs nothing on the hot path (zero-cost
// EH) and keeps every load/store free of error-code plumbing. Only code that
// executes guest instructions may throw it; the syscall gateway never throws
// (a bad pointer there is -EFAULT).
#pragma once

#include <cstdint>

namespace emu::mm {

// si_code values of Linux, for the signals the MMU and interpreter raise.
inline constexpr int kSegvMapErr = 1;   // SEGV_MAPERR: address not mapped
inline constexpr int kSegvAccErr = 2;   // SEGV_ACCERR: mapped, protection forbids
inline constexpr int kSiKernel = 0x80;  // SI_KERNEL: e.g. #GP on misaligned SSE
inline constexpr int kIllOpc = 1;       // ILL_ILLOPC
inline constexpr int kIllOpn = 2;       // ILL_ILLOPN
inline constexpr int kFpeIntDiv = 1;    // FPE_INTDIV
inline constexpr int kFpeIntOvf = 2;    // FPE_INTOVF
inline constexpr int kBusAdrErr = 2;    // BUS_ADRERR: file mapping past EOF
inline constexpr int kTrapBrkpt = 1;    // TRAP_BRKPT
inline constexpr int kOomKill = -1;     // not a signal code: demand fault could not get a frame

struct GuestFault {
  int signo;      // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP (host numbering == Linux x86-64)
  int code;       // si_code
  uint64_t addr;  // si_addr: faulting data address, or the instruction's address
  // A data access to a non-canonical address (#GP: SIGSEGV SI_KERNEL). The
  // interpreter turns it into #SS (SIGBUS SI_KERNEL, as Linux delivers it)
  // when the access was through the stack segment (emu/insn.h Insn::ss).
  bool non_canonical = false;
  // A trap rather than a fault: the interpreter leaves RIP after the
  // instruction, which counts as retired (INT 4, as Linux reports #OF).
  // Every SIGTRAP is one too (INT3, INT1).
  bool trap = false;
};

}  // namespace emu::mm
