// MMX registers and the handler shapes of the MMX instructions
// (emu/ops/mmx_*.cpp, and the MMX forms of the SSE conversions in
// sse_cvt.cpp).
//
// MM0-MM7 are the x87 physical registers R0-R7 (not ST(i)): MMn is the
// 64-bit significand of cpu.x87.st[n]. What an MMX instruction does to the
// x87 state (SDM vol. 1, 9.5; measured on the host, see the MMX tests):
//  - first, like a waiting x87 instruction, it delivers a pending unmasked
//    x87 exception (SIGFPE at the MMX instruction);
//  - every one, reading or writing, sets TOP to 0 and tags all registers
//    valid (`enter`); EMMS instead tags them all empty (and, on the AMD
//    host, also sets TOP to 0);
//  - a write sets the register's sign/exponent word to 0xFFFF;
//  - FIP/FOP/FDP are not touched;
//  - a memory operand that faults leaves the x87 state as it was (the
//    transition comes after the access), except for MASKMOVQ.
// The memory forms of CVTPI2PS/CVTPI2PD name no MMX register and leave the
// x87 state alone.
//
// The values are computed with host SSE instructions on 128-bit vectors: the
// host's own MMX registers are never used (they are the host x87 stack the
// x87 handlers use).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "emu/cpu.h"
#include "emu/insn.h"
#include "emu/memory.h"
#include "emu/ops/packed_int_ops.h"
#include "emu/ops/x87.h"

namespace emu::mmx {

inline uint64_t get(const Cpu& cpu, unsigned n) {
  uint64_t v;
  std::memcpy(&v, &cpu.x87.st[n], 8);
  return v;
}

inline void set(Cpu& cpu, unsigned n, uint64_t v) { cpu.x87.st[n] = x87::make80(0xffff, v); }

// The x87 side of every MMX instruction but EMMS. Call after the memory
// operands are read (a fault leaves the x87 state as it was) and before the
// registers are read; the pending-exception check (x87::wait) comes first.
inline void enter(Cpu& cpu) {
  cpu.x87.top = 0;
  cpu.x87.valid = 0xff;
}

// The r/m operand: MM(rm) or an m64 (m32 with Bytes = 4, zero-extended; no
// alignment requirement). Checks for a pending x87 exception first, as the
// hardware does before anything else, then does the MMX transition.
template <bool Mem, unsigned Bytes = 8>
inline uint64_t src64(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  uint64_t s;
  if constexpr (!Mem) s = get(cpu, in.rm);
  else if constexpr (Bytes == 4) s = load<uint32_t>(cpu, effective_address(cpu, in));
  else s = load<uint64_t>(cpu, effective_address(cpu, in));
  enter(cpu);
  return s;
}

inline __m128i vec(uint64_t v) { return _mm_cvtsi64_si128(int64_t(v)); }
inline uint64_t low(__m128i v) { return uint64_t(_mm_cvtsi128_si64(v)); }

// OP mm, mm/m64 for an operation of packed_int_ops.h: MM(reg) = Op(MM(reg),
// src) with the 64-bit operands placed as Shape S says.
template <auto Op, sse::Shape S, bool Mem>
void op(Cpu& cpu, const Insn& in) {
  const uint64_t s = src64<Mem, S == sse::Shape::LowSrc ? 4 : 8>(cpu, in);
  const uint64_t d = get(cpu, in.reg);
  __m128i r;
  if constexpr (S == sse::Shape::Lane || S == sse::Shape::LowSrc) {
    r = Op(vec(d), vec(s));
  } else if constexpr (S == sse::Shape::Pair) {
    const __m128i v = _mm_set_epi64x(int64_t(s), int64_t(d));
    r = Op(v, v);
  } else if constexpr (S == sse::Shape::HighHalves) {
    r = Op(_mm_slli_si128(vec(d), 4), _mm_slli_si128(vec(s), 4));
  } else {
    static_assert(S == sse::Shape::Dup);
    r = Op(_mm_set1_epi64x(int64_t(d)), vec(s));
  }
  set(cpu, in.reg, low(r));
}

// The MMX binder of packed_int_ops.h's tables (register and memory forms).
struct Binder {
  bool mem;
  Insn& out;
  template <auto Op, sse::Shape S>
  bool op() {
    if constexpr (S == sse::Shape::XmmOnly) {
      return false;
    } else {
      out.fn = mem ? mmx::op<Op, S, true> : mmx::op<Op, S, false>;
      return true;
    }
  }
};

}  // namespace emu::mmx
