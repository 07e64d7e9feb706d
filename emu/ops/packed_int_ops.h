// The packed-integer operations that exist on both XMM registers (66 prefix,
// emu/ops/sse_int.cpp, ssse3.cpp) and MMX registers (no prefix,
// emu/ops/mmx_*.cpp), as ONE table per opcode space: each binder walks the
// same table and instantiates its own handler for the operation.
//
// An operation is a function V Op(V dst, V src) on 128-bit vectors (host
// SSE2/SSSE3 intrinsics, so bit-exact by construction). The MMX form of an
// operation runs the same function on 64-bit operands placed in a 128-bit
// vector as its Shape says (mmx.h), which is what makes one definition serve
// both widths:
//   Lane        dst and src zero-extended: lane-wise operations, shifts by a
//               count register, PSADBW/PMADDWD/PMULUDQ (their low 64 bits
//               are the 64-bit operation).
//   LowSrc      as Lane, but the MMX memory operand is m32 (PUNPCKL*: only
//               the low half of the source is used, and only 4 bytes are
//               read, so the hardware doesn't fault past them).
//   Pair        one vector (dst in the low, src in the high half) as both
//               operands: the low half of pack/horizontal ops of that vector
//               is the 64-bit pack/horizontal op of dst and src.
//   HighHalves  dst and src shifted up 32 bits: the low half of unpack-high
//               of those is unpack-high of the 64-bit operands.
//   Dup         dst in both halves: byte indices 8-15 select the same bytes
//               as 0-7, as MMX PSHUFB's 3-bit indices do.
//   XmmOnly     no MMX form (PUNPCKLQDQ/PUNPCKHQDQ).
//
// A binder is an object with `template <auto Op, Shape S> bool op()`, which
// binds its handler for Op (or returns false for a shape it has no form for).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace emu::sse {

enum class Shape : uint8_t { Lane, LowSrc, Pair, HighHalves, Dup, XmmOnly };

// 0F 60-6D, 0F 74-76, 0F D1-FE without the moves and specials (D6, D7, E6,
// E7, F7), which each width binds itself.
template <class Binder>
bool bind_packed_int(uint8_t opcode, Binder&& b) {
  using V = __m128i;
  constexpr Shape L = Shape::Lane, P = Shape::Pair, H = Shape::HighHalves, X = Shape::XmmOnly;
  constexpr Shape L32 = Shape::LowSrc;
  switch (opcode) {
    case 0x60: return b.template op<[](V a, V s) { return _mm_unpacklo_epi8(a, s); }, L32>();
    case 0x61: return b.template op<[](V a, V s) { return _mm_unpacklo_epi16(a, s); }, L32>();
    case 0x62: return b.template op<[](V a, V s) { return _mm_unpacklo_epi32(a, s); }, L32>();
    case 0x63: return b.template op<[](V a, V s) { return _mm_packs_epi16(a, s); }, P>();
    case 0x64: return b.template op<[](V a, V s) { return _mm_cmpgt_epi8(a, s); }, L>();
    case 0x65: return b.template op<[](V a, V s) { return _mm_cmpgt_epi16(a, s); }, L>();
    case 0x66: return b.template op<[](V a, V s) { return _mm_cmpgt_epi32(a, s); }, L>();
    case 0x67: return b.template op<[](V a, V s) { return _mm_packus_epi16(a, s); }, P>();
    case 0x68: return b.template op<[](V a, V s) { return _mm_unpackhi_epi8(a, s); }, H>();
    case 0x69: return b.template op<[](V a, V s) { return _mm_unpackhi_epi16(a, s); }, H>();
    case 0x6A: return b.template op<[](V a, V s) { return _mm_unpackhi_epi32(a, s); }, H>();
    case 0x6B: return b.template op<[](V a, V s) { return _mm_packs_epi32(a, s); }, P>();
    case 0x6C: return b.template op<[](V a, V s) { return _mm_unpacklo_epi64(a, s); }, X>();
    case 0x6D: return b.template op<[](V a, V s) { return _mm_unpackhi_epi64(a, s); }, X>();
    case 0x74: return b.template op<[](V a, V s) { return _mm_cmpeq_epi8(a, s); }, L>();
    case 0x75: return b.template op<[](V a, V s) { return _mm_cmpeq_epi16(a, s); }, L>();
    case 0x76: return b.template op<[](V a, V s) { return _mm_cmpeq_epi32(a, s); }, L>();
    case 0xD1: return b.template op<[](V a, V s) { return _mm_srl_epi16(a, s); }, L>();
    case 0xD2: return b.template op<[](V a, V s) { return _mm_srl_epi32(a, s); }, L>();
    case 0xD3: return b.template op<[](V a, V s) { return _mm_srl_epi64(a, s); }, L>();
    case 0xD4: return b.template op<[](V a, V s) { return _mm_add_epi64(a, s); }, L>();
    case 0xD5: return b.template op<[](V a, V s) { return _mm_mullo_epi16(a, s); }, L>();
    case 0xD8: return b.template op<[](V a, V s) { return _mm_subs_epu8(a, s); }, L>();
    case 0xD9: return b.template op<[](V a, V s) { return _mm_subs_epu16(a, s); }, L>();
    case 0xDA: return b.template op<[](V a, V s) { return _mm_min_epu8(a, s); }, L>();
    case 0xDB: return b.template op<[](V a, V s) { return _mm_and_si128(a, s); }, L>();
    case 0xDC: return b.template op<[](V a, V s) { return _mm_adds_epu8(a, s); }, L>();
    case 0xDD: return b.template op<[](V a, V s) { return _mm_adds_epu16(a, s); }, L>();
    case 0xDE: return b.template op<[](V a, V s) { return _mm_max_epu8(a, s); }, L>();
    case 0xDF: return b.template op<[](V a, V s) { return _mm_andnot_si128(a, s); }, L>();
    case 0xE0: return b.template op<[](V a, V s) { return _mm_avg_epu8(a, s); }, L>();
    case 0xE1: return b.template op<[](V a, V s) { return _mm_sra_epi16(a, s); }, L>();
    case 0xE2: return b.template op<[](V a, V s) { return _mm_sra_epi32(a, s); }, L>();
    case 0xE3: return b.template op<[](V a, V s) { return _mm_avg_epu16(a, s); }, L>();
    case 0xE4: return b.template op<[](V a, V s) { return _mm_mulhi_epu16(a, s); }, L>();
    case 0xE5: return b.template op<[](V a, V s) { return _mm_mulhi_epi16(a, s); }, L>();
    case 0xE8: return b.template op<[](V a, V s) { return _mm_subs_epi8(a, s); }, L>();
    case 0xE9: return b.template op<[](V a, V s) { return _mm_subs_epi16(a, s); }, L>();
    case 0xEA: return b.template op<[](V a, V s) { return _mm_min_epi16(a, s); }, L>();
    case 0xEB: return b.template op<[](V a, V s) { return _mm_or_si128(a, s); }, L>();
    case 0xEC: return b.template op<[](V a, V s) { return _mm_adds_epi8(a, s); }, L>();
    case 0xED: return b.template op<[](V a, V s) { return _mm_adds_epi16(a, s); }, L>();
    case 0xEE: return b.template op<[](V a, V s) { return _mm_max_epi16(a, s); }, L>();
    case 0xEF: return b.template op<[](V a, V s) { return _mm_xor_si128(a, s); }, L>();
    case 0xF1: return b.template op<[](V a, V s) { return _mm_sll_epi16(a, s); }, L>();
    case 0xF2: return b.template op<[](V a, V s) { return _mm_sll_epi32(a, s); }, L>();
    case 0xF3: return b.template op<[](V a, V s) { return _mm_sll_epi64(a, s); }, L>();
    case 0xF4: return b.template op<[](V a, V s) { return _mm_mul_epu32(a, s); }, L>();
    case 0xF5: return b.template op<[](V a, V s) { return _mm_madd_epi16(a, s); }, L>();
    case 0xF6: return b.template op<[](V a, V s) { return _mm_sad_epu8(a, s); }, L>();
    case 0xF8: return b.template op<[](V a, V s) { return _mm_sub_epi8(a, s); }, L>();
    case 0xF9: return b.template op<[](V a, V s) { return _mm_sub_epi16(a, s); }, L>();
    case 0xFA: return b.template op<[](V a, V s) { return _mm_sub_epi32(a, s); }, L>();
    case 0xFB: return b.template op<[](V a, V s) { return _mm_sub_epi64(a, s); }, L>();
    case 0xFC: return b.template op<[](V a, V s) { return _mm_add_epi8(a, s); }, L>();
    case 0xFD: return b.template op<[](V a, V s) { return _mm_add_epi16(a, s); }, L>();
    case 0xFE: return b.template op<[](V a, V s) { return _mm_add_epi32(a, s); }, L>();
    default: return false;
  }
}

// The shift-by-imm8 groups 12-14 (0F 71-73 /2 /4 /6) on both widths: Op
// gets the count in the low 64 bits of its second operand, exactly like the
// count-register forms, so counts past the element width clear (or
// sign-fill) it. PSRLDQ/PSLLDQ (66 0F 73 /3 /7) are XMM only and not here.
template <class Binder>
bool bind_shift_imm(uint8_t opcode, uint8_t ext, Binder&& b) {
  using V = __m128i;
  constexpr Shape L = Shape::Lane;
  switch (opcode << 3 | ext) {
    case 0x71 << 3 | 2: return b.template op<[](V a, V c) { return _mm_srl_epi16(a, c); }, L>();
    case 0x71 << 3 | 4: return b.template op<[](V a, V c) { return _mm_sra_epi16(a, c); }, L>();
    case 0x71 << 3 | 6: return b.template op<[](V a, V c) { return _mm_sll_epi16(a, c); }, L>();
    case 0x72 << 3 | 2: return b.template op<[](V a, V c) { return _mm_srl_epi32(a, c); }, L>();
    case 0x72 << 3 | 4: return b.template op<[](V a, V c) { return _mm_sra_epi32(a, c); }, L>();
    case 0x72 << 3 | 6: return b.template op<[](V a, V c) { return _mm_sll_epi32(a, c); }, L>();
    case 0x73 << 3 | 2: return b.template op<[](V a, V c) { return _mm_srl_epi64(a, c); }, L>();
    case 0x73 << 3 | 6: return b.template op<[](V a, V c) { return _mm_sll_epi64(a, c); }, L>();
    default: return false;
  }
}

// PSHUFW (mm) and PSHUFLW/PSHUFHW (xmm): out[i] = in[imm8 bits 2i+1:2i] for
// four words.
inline void shuffle_words4(uint16_t* out, const uint16_t* in, unsigned imm) {
  uint16_t r[4];
  for (unsigned i = 0; i < 4; i++) r[i] = in[(imm >> (2 * i)) & 3];
  std::memcpy(out, r, sizeof r);
}

// PALIGNR on W-byte registers: the 2W-byte concatenation hi:lo shifted right
// by n bytes, low W bytes kept; shifts of 2W or more give zero. (The host
// instruction takes only a constant count, hence the buffer.)
template <unsigned W>
void align_right(void* out, const void* hi, const void* lo, unsigned n) {
  uint8_t buf[3 * W] = {};
  std::memcpy(buf, lo, W);
  std::memcpy(buf + W, hi, W);
  std::memcpy(out, buf + (n > 2 * W ? 2 * W : n), W);
}

// SSSE3's packed-integer operations (0F 38 00-0B, 1C-1E). Compiled for
// SSSE3 (the binders bind them only on a host that has it); PABS* ignore
// their first operand.
#pragma GCC push_options
#pragma GCC target("ssse3")
template <class Binder>
bool bind_ssse3_ops(uint8_t opcode, Binder&& b) {
  using V = __m128i;
  constexpr Shape L = Shape::Lane, P = Shape::Pair, D = Shape::Dup;
  switch (opcode) {
    case 0x00: return b.template op<[](V a, V s) { return _mm_shuffle_epi8(a, s); }, D>();
    case 0x01: return b.template op<[](V a, V s) { return _mm_hadd_epi16(a, s); }, P>();
    case 0x02: return b.template op<[](V a, V s) { return _mm_hadd_epi32(a, s); }, P>();
    case 0x03: return b.template op<[](V a, V s) { return _mm_hadds_epi16(a, s); }, P>();
    case 0x04: return b.template op<[](V a, V s) { return _mm_maddubs_epi16(a, s); }, L>();  // a unsigned, s signed
    case 0x05: return b.template op<[](V a, V s) { return _mm_hsub_epi16(a, s); }, P>();
    case 0x06: return b.template op<[](V a, V s) { return _mm_hsub_epi32(a, s); }, P>();
    case 0x07: return b.template op<[](V a, V s) { return _mm_hsubs_epi16(a, s); }, P>();
    case 0x08: return b.template op<[](V a, V s) { return _mm_sign_epi8(a, s); }, L>();
    case 0x09: return b.template op<[](V a, V s) { return _mm_sign_epi16(a, s); }, L>();
    case 0x0A: return b.template op<[](V a, V s) { return _mm_sign_epi32(a, s); }, L>();
    case 0x0B: return b.template op<[](V a, V s) { return _mm_mulhrs_epi16(a, s); }, L>();
    case 0x1C: return b.template op<[](V, V s) { return _mm_abs_epi8(s); }, L>();
    case 0x1D: return b.template op<[](V, V s) { return _mm_abs_epi16(s); }, L>();
    case 0x1E: return b.template op<[](V, V s) { return _mm_abs_epi32(s); }, L>();
    default: return false;
  }
}
#pragma GCC pop_options

}  // namespace emu::sse
