// The host CPU as the oracle for SSE instruction tests: runs the very same
// instruction bytes natively on a given register state and returns the state
// after it, so a test can compare the emulator's result bit for bit.
//
// Memory operands must be addressed through RSI or RDI (which the caller
// sets to a host buffer natively and to the guest data page in the
// emulator); RSP is not loaded. All MXCSR exceptions must be masked (the
// host would trap otherwise).
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
};

// Executes `code` (one or more instructions, no control transfer) on the host.
void run_native(NativeState& s, const std::vector<uint8_t>& code);

// As run_native, but returns the signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE) the
// code raised natively, or 0; `s` is unspecified after a signal.
int run_native_signal(NativeState& s, const std::vector<uint8_t>& code);

}  // namespace emu::test
