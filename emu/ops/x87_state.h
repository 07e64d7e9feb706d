// The guest's x87 state as memory images: the FNSAVE/FRSTOR layout (used by
// FNSAVE/FRSTOR and FNSTENV/FLDENV, and by tests to compare with the host)
// and the x87 part of the FXSAVE image (used by FXSAVE/FXRSTOR and signal
// frames, emu/ops/sse_state.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "emu/cpu.h"

namespace emu {

// FNSTENV's 28-byte environment, 32-bit protected-mode format (the one
// 64-bit mode uses: SDM vol. 1, figure 8-10), then for FNSAVE ST0..ST7 at 10
// bytes each: 108 bytes. FIP/FDP are truncated to 32 bits; FCS/FDS are 0
// (deprecated on current CPUs); reserved upper words are 0xffff, as
// hardware (and Linux's convert_from_fxsr) writes them.
inline constexpr size_t kX87EnvSize = 28;
inline constexpr size_t kX87SaveSize = 108;
void x87_store_env(const Cpu& cpu, uint8_t* out);    // 28 bytes
void x87_store_regs(const Cpu& cpu, uint8_t* out);   // 80 bytes: ST0..ST7
// FLDENV / FRSTOR: tags other than 11 (empty) mark a register valid; the
// 2-bit classification is recomputed from the contents when saved.
void x87_load_env(Cpu& cpu, const uint8_t* in);
void x87_load_regs(Cpu& cpu, const uint8_t* in);

// The x87 fields of an FXSAVE image (SDM vol. 1, table 10-2): FCW, FSW,
// abridged FTW, FOP, FIP, FDP at bytes 0..23 and ST0..ST7 in the 16-byte
// slots at 32..159 (6 bytes of zeros after each).
void x87_fx_save(const Cpu& cpu, uint8_t* area);
void x87_fx_load(Cpu& cpu, const uint8_t* area);

}  // namespace emu
