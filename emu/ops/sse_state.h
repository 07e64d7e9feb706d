// The guest's SSE floating-point environment (MXCSR) and the host's.
//
// Guest SSE arithmetic is executed with the host's own SSE instructions, so
// the guest's MXCSR (rounding mode, DAZ, FTZ) has to be in force in the host
// MXCSR while such an instruction runs, and the exception flags it raises
// have to end up in the guest's MXCSR. Loading the host MXCSR around every
// instruction costs ~2x on FP-heavy guest code (LDMXCSR is slow), so:
//
//  - GuestFpEnv (RAII) is entered by the run loop for the duration of
//    Interpreter::run(): it loads the guest's MXCSR into the host's with all
//    exceptions MASKED (the host never traps), and on exit folds the flags
//    the guest raised into cpu.mxcsr and restores the host's MXCSR. Inside,
//    the emulator's own code must not do floating-point arithmetic (it would
//    run in the guest's rounding mode and raise flags in the guest's MXCSR):
//    the decoder, block cache, MMU and handlers are integer code.
//  - While entered, and while the guest keeps all exceptions masked (the
//    normal case), an FP handler runs its host instruction directly: the
//    only cost is one thread-local byte test.
//  - Outside a GuestFpEnv (tests, tools), or when the guest has unmasked
//    an exception (feenableexcept), each FP handler switches the host
//    MXCSR around its operation (slow path, still exact), and an unmasked
//    exception becomes SIGFPE for the guest with the destination unchanged.
//
// cpu.mxcsr: its control bits (rounding, DAZ, FTZ, masks) are always current;
// its flag bits (0..5) may lag while a GuestFpEnv is entered. Read the guest
// value with guest_mxcsr(), set it with set_guest_mxcsr().
#pragma once

#include <cstddef>
#include <cstdint>

#include "emu/cpu.h"

namespace emu {

// MXCSR bits the guest may set (MXCSR_MASK reported by FXSAVE): flags 0..5,
// DAZ 6, masks 7..12, rounding 13..14, FTZ 15. Setting others is #GP.
inline constexpr uint32_t kMxcsrMask = 0xffff;
inline constexpr uint32_t kMxcsrFlags = 0x3f;
inline constexpr uint32_t kMxcsrMasks = 0x1f80;
inline constexpr uint32_t kMxcsrDefault = 0x1f80;

class GuestFpEnv {
 public:
  explicit GuestFpEnv(Cpu& cpu);
  ~GuestFpEnv();
  GuestFpEnv(const GuestFpEnv&) = delete;
  GuestFpEnv& operator=(const GuestFpEnv&) = delete;

 private:
  Cpu& cpu_;
  uint32_t host_mxcsr_;
  bool outer_live_;
  bool outer_fast_;
};

// The guest's MXCSR including flags raised so far (STMXCSR, FXSAVE, signal frames).
uint32_t guest_mxcsr(const Cpu& cpu);
// Sets the guest's MXCSR (LDMXCSR, FXRSTOR, sigreturn). `value` must be
// within kMxcsrMask (the caller raises #GP otherwise).
void set_guest_mxcsr(Cpu& cpu, uint32_t value);

// The 512-byte FXSAVE image of the guest's SSE/x87 state (the format of the
// `fpstate` in a Linux signal frame): bytes 0..415 are written, 416..511
// are left as they are. x87 is not emulated: its part is the FNINIT state.
inline constexpr size_t kFxAreaSize = 512;
void fx_save(const Cpu& cpu, uint8_t* area);
// Loads XMM0-15 and MXCSR from an FXSAVE image. Returns false, changing
// nothing, when MXCSR has reserved bits set (FXRSTOR's #GP; rt_sigreturn
// fails with SIGSEGV).
bool fx_restore(Cpu& cpu, const uint8_t* area);

}  // namespace emu
