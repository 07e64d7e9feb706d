// RFLAGS: bit names, and the interface to the lazily evaluated flags.
#pragma once

#include <cstdint>

#include "emu/cpu.h"

namespace emu {

inline constexpr uint64_t kCF = 1u << 0;
inline constexpr uint64_t kPF = 1u << 2;
inline constexpr uint64_t kAF = 1u << 4;
inline constexpr uint64_t kZF = 1u << 6;
inline constexpr uint64_t kSF = 1u << 7;
inline constexpr uint64_t kTF = 1u << 8;
inline constexpr uint64_t kIF = 1u << 9;
inline constexpr uint64_t kDF = 1u << 10;
inline constexpr uint64_t kOF = 1u << 11;
inline constexpr uint64_t kAC = 1u << 18;
inline constexpr uint64_t kID = 1u << 21;
inline constexpr uint64_t kArithFlags = kCF | kPF | kAF | kZF | kSF | kOF;

// The full RFLAGS value as the guest would see it (PUSHF, signal frames).
uint64_t read_rflags(const Cpu& cpu);
// Sets the bits of `mask` to those of `value`, leaving others unchanged
// (COMISD/UCOMISD/PTEST, POPF, SAHF, rt_sigreturn).
void write_rflags(Cpu& cpu, uint64_t value, uint64_t mask);
// Condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc) is true.
bool eval_cond(const Cpu& cpu, unsigned cc);

}  // namespace emu
