// The host CPU as the oracle for SSE instruction tests: runs the very same
// instruction bytes natively on a given register state and returns the state
// after it, so a test can compare the emulator's result bit for bit.
//
// Memory operands must be addressed through RSI or RDI (which the caller
// sets to a host buffer natively and to the guest data page in the
// emulator); RSP is a scratch stack, not an input. All MXCSR exceptions
// must be masked (the host would trap otherwise). Implemented over the
// shared host runner, tests/emu/host_exec.h.
#pragma once

#include <cstdint>
#include <vector>

#include "emu/cpu.h"

namespace emu::test {

struct NativeState {
  Xmm xmm[16];
  uint64_t gpr[16];   // indexed by Reg; [RSP] is ignored
  uint64_t rflags;    // in: arithmetic flags only (DF, TF clear)
  uint32_t mxcsr;
  uint32_t pad;
  // The x87/MMX state (FNINIT's unless set), by PHYSICAL register R0-R7,
  // which MM0-MM7 are: significand and sign/exponent word. FSW includes TOP;
  // FTW is the abridged tag word (bit i: Ri not empty).
  uint64_t st_mant[8] = {};
  uint16_t st_se[8] = {};
  uint16_t fcw = 0x037f;
  uint16_t fsw = 0;
  uint8_t ftw = 0;
};

// Executes `code` (one or more instructions, no control transfer) on the host.
void run_native(NativeState& s, const std::vector<uint8_t>& code);

// As run_native, but returns the signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE) the
// code raised natively, or 0. After a signal only the x87/MMX fields of `s`
// are set (the state at the signal), and *si_code and *offset (si_addr
// minus the code's start) when given.
int run_native_signal(NativeState& s, const std::vector<uint8_t>& code, int* si_code = nullptr,
                      uint64_t* offset = nullptr);

}  // namespace emu::test
