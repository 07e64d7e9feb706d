// SSE2 packed-integer instructions on XMM registers (66-prefixed 0F 60-76,
// 0F C4/C5, 0F D1-FE): arithmetic, saturating arithmetic, compares, logic,
// packs/unpacks, shuffles, shifts, PINSRW/PEXTRW/PMOVMSKB.
//
// Each operation is the host's own instruction (SSE2 intrinsics), so results
// are bit-exact by construction; none of them depends on MXCSR. The forms
// without 66 name MMX registers and are left unbound (SIGILL) until MMX exists.
#include "emu/ops/sse_common.h"

namespace emu::sse {
namespace {

// PSHUFD xmm, xmm/m128, imm8.
template <Form F>
void pshufd(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  const unsigned imm = unsigned(in.imm);
  Xmm r;
  for (unsigned i = 0; i < 4; i++) r.d[i] = s.d[(imm >> (2 * i)) & 3];
  cpu.xmm[in.reg] = r;
}

// PSHUFLW (Hi = 0) / PSHUFHW (Hi = 4) xmm, xmm/m128, imm8: shuffles the words
// of one half, copies the other.
template <unsigned Hi, Form F>
void pshufw_half(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  const unsigned imm = unsigned(in.imm);
  Xmm r = s;
  for (unsigned i = 0; i < 4; i++) r.w[Hi + i] = s.w[Hi + ((imm >> (2 * i)) & 3)];
  cpu.xmm[in.reg] = r;
}

// PSRLW/PSRAW/PSLLW/PSRLD/PSRAD/PSLLD/PSRLQ/PSLLQ xmm, imm8 (0F 71-73): the
// destination is the r/m register; counts past the element width zero (or
// sign-fill) it, exactly like the count-in-register forms.
template <auto Op>
void shift_imm(Cpu& cpu, const Insn& in) {
  Xmm& x = cpu.xmm[in.rm];
  put(x, Op(get_i(x), _mm_cvtsi32_si128(int(in.imm & 0xff))));
}

// PSRLDQ xmm, imm8: byte shift right; counts above 15 clear the register.
void psrldq(Cpu& cpu, const Insn& in) {
  const unsigned n = in.imm & 0xff;
  alignas(16) uint8_t buf[32] = {};
  std::memcpy(buf, &cpu.xmm[in.rm], 16);
  std::memcpy(&cpu.xmm[in.rm], buf + (n > 16 ? 16 : n), 16);
}

// PSLLDQ xmm, imm8: byte shift left.
void pslldq(Cpu& cpu, const Insn& in) {
  const unsigned n = in.imm & 0xff;
  alignas(16) uint8_t buf[32] = {};
  std::memcpy(buf + 16, &cpu.xmm[in.rm], 16);
  std::memcpy(&cpu.xmm[in.rm], buf + 16 - (n > 16 ? 16 : n), 16);
}

// PINSRW xmm, r32/m16, imm8.
template <bool Mem>
void pinsrw(Cpu& cpu, const Insn& in) {
  uint16_t v;
  if constexpr (Mem) v = load<uint16_t>(cpu, effective_address(cpu, in));
  else v = uint16_t(cpu.gpr[in.rm]);
  cpu.xmm[in.reg].w[in.imm & 7] = v;
}

// PEXTRW r32, xmm, imm8 (zero-extended into the 64-bit GPR).
void pextrw(Cpu& cpu, const Insn& in) { cpu.gpr[in.reg] = cpu.xmm[in.rm].w[in.imm & 7]; }

// PMOVMSKB r32, xmm.
void pmovmskb(Cpu& cpu, const Insn& in) {
  cpu.gpr[in.reg] = uint32_t(_mm_movemask_epi8(get_i(cpu.xmm[in.rm])));
}

using V = __m128i;

bool bind_group_shift(const Enc& e, Insn& out) {
  if (e.mem) return false;
  auto bind = [&](Handler h) { out.fn = h; return true; };
  switch (e.opcode) {
    case 0x71:
      if (e.ext == 2) return bind(shift_imm<[](V a, V c) { return _mm_srl_epi16(a, c); }>);
      if (e.ext == 4) return bind(shift_imm<[](V a, V c) { return _mm_sra_epi16(a, c); }>);
      if (e.ext == 6) return bind(shift_imm<[](V a, V c) { return _mm_sll_epi16(a, c); }>);
      return false;
    case 0x72:
      if (e.ext == 2) return bind(shift_imm<[](V a, V c) { return _mm_srl_epi32(a, c); }>);
      if (e.ext == 4) return bind(shift_imm<[](V a, V c) { return _mm_sra_epi32(a, c); }>);
      if (e.ext == 6) return bind(shift_imm<[](V a, V c) { return _mm_sll_epi32(a, c); }>);
      return false;
    case 0x73:
      if (e.ext == 2) return bind(shift_imm<[](V a, V c) { return _mm_srl_epi64(a, c); }>);
      if (e.ext == 3) return bind(psrldq);
      if (e.ext == 6) return bind(shift_imm<[](V a, V c) { return _mm_sll_epi64(a, c); }>);
      if (e.ext == 7) return bind(pslldq);
      return false;
    default:
      return false;
  }
}

}  // namespace

bool bind_int(const Enc& e, Insn& out) {
  if (e.opcode == 0x70) {
    if (e.pfx == 0x66) return set_fn<pshufd<Form::Reg>, pshufd<Form::MemA>>(e, out);
    if (e.pfx == 0xF2) return set_fn<pshufw_half<0, Form::Reg>, pshufw_half<0, Form::MemA>>(e, out);
    if (e.pfx == 0xF3) return set_fn<pshufw_half<4, Form::Reg>, pshufw_half<4, Form::MemA>>(e, out);
    return false;  // PSHUFW: MMX
  }
  if (e.pfx != 0x66) return false;
  switch (e.opcode) {
    case 0x60: return bind_pi<[](V a, V b) { return _mm_unpacklo_epi8(a, b); }>(e, out);
    case 0x61: return bind_pi<[](V a, V b) { return _mm_unpacklo_epi16(a, b); }>(e, out);
    case 0x62: return bind_pi<[](V a, V b) { return _mm_unpacklo_epi32(a, b); }>(e, out);
    case 0x63: return bind_pi<[](V a, V b) { return _mm_packs_epi16(a, b); }>(e, out);
    case 0x64: return bind_pi<[](V a, V b) { return _mm_cmpgt_epi8(a, b); }>(e, out);
    case 0x65: return bind_pi<[](V a, V b) { return _mm_cmpgt_epi16(a, b); }>(e, out);
    case 0x66: return bind_pi<[](V a, V b) { return _mm_cmpgt_epi32(a, b); }>(e, out);
    case 0x67: return bind_pi<[](V a, V b) { return _mm_packus_epi16(a, b); }>(e, out);
    case 0x68: return bind_pi<[](V a, V b) { return _mm_unpackhi_epi8(a, b); }>(e, out);
    case 0x69: return bind_pi<[](V a, V b) { return _mm_unpackhi_epi16(a, b); }>(e, out);
    case 0x6A: return bind_pi<[](V a, V b) { return _mm_unpackhi_epi32(a, b); }>(e, out);
    case 0x6B: return bind_pi<[](V a, V b) { return _mm_packs_epi32(a, b); }>(e, out);
    case 0x6C: return bind_pi<[](V a, V b) { return _mm_unpacklo_epi64(a, b); }>(e, out);
    case 0x6D: return bind_pi<[](V a, V b) { return _mm_unpackhi_epi64(a, b); }>(e, out);
    case 0x71:
    case 0x72:
    case 0x73: return bind_group_shift(e, out);
    case 0x74: return bind_pi<[](V a, V b) { return _mm_cmpeq_epi8(a, b); }>(e, out);
    case 0x75: return bind_pi<[](V a, V b) { return _mm_cmpeq_epi16(a, b); }>(e, out);
    case 0x76: return bind_pi<[](V a, V b) { return _mm_cmpeq_epi32(a, b); }>(e, out);
    case 0xC4: return set_fn<pinsrw<false>, pinsrw<true>>(e, out);
    case 0xC5: return set_fn<pextrw, nullptr>(e, out);
    case 0xD1: return bind_pi<[](V a, V b) { return _mm_srl_epi16(a, b); }>(e, out);
    case 0xD2: return bind_pi<[](V a, V b) { return _mm_srl_epi32(a, b); }>(e, out);
    case 0xD3: return bind_pi<[](V a, V b) { return _mm_srl_epi64(a, b); }>(e, out);
    case 0xD4: return bind_pi<[](V a, V b) { return _mm_add_epi64(a, b); }>(e, out);
    case 0xD5: return bind_pi<[](V a, V b) { return _mm_mullo_epi16(a, b); }>(e, out);
    case 0xD7: return set_fn<pmovmskb, nullptr>(e, out);
    case 0xD8: return bind_pi<[](V a, V b) { return _mm_subs_epu8(a, b); }>(e, out);
    case 0xD9: return bind_pi<[](V a, V b) { return _mm_subs_epu16(a, b); }>(e, out);
    case 0xDA: return bind_pi<[](V a, V b) { return _mm_min_epu8(a, b); }>(e, out);
    case 0xDB: return bind_pi<[](V a, V b) { return _mm_and_si128(a, b); }>(e, out);
    case 0xDC: return bind_pi<[](V a, V b) { return _mm_adds_epu8(a, b); }>(e, out);
    case 0xDD: return bind_pi<[](V a, V b) { return _mm_adds_epu16(a, b); }>(e, out);
    case 0xDE: return bind_pi<[](V a, V b) { return _mm_max_epu8(a, b); }>(e, out);
    case 0xDF: return bind_pi<[](V a, V b) { return _mm_andnot_si128(a, b); }>(e, out);
    case 0xE0: return bind_pi<[](V a, V b) { return _mm_avg_epu8(a, b); }>(e, out);
    case 0xE1: return bind_pi<[](V a, V b) { return _mm_sra_epi16(a, b); }>(e, out);
    case 0xE2: return bind_pi<[](V a, V b) { return _mm_sra_epi32(a, b); }>(e, out);
    case 0xE3: return bind_pi<[](V a, V b) { return _mm_avg_epu16(a, b); }>(e, out);
    case 0xE4: return bind_pi<[](V a, V b) { return _mm_mulhi_epu16(a, b); }>(e, out);
    case 0xE5: return bind_pi<[](V a, V b) { return _mm_mulhi_epi16(a, b); }>(e, out);
    case 0xE8: return bind_pi<[](V a, V b) { return _mm_subs_epi8(a, b); }>(e, out);
    case 0xE9: return bind_pi<[](V a, V b) { return _mm_subs_epi16(a, b); }>(e, out);
    case 0xEA: return bind_pi<[](V a, V b) { return _mm_min_epi16(a, b); }>(e, out);
    case 0xEB: return bind_pi<[](V a, V b) { return _mm_or_si128(a, b); }>(e, out);
    case 0xEC: return bind_pi<[](V a, V b) { return _mm_adds_epi8(a, b); }>(e, out);
    case 0xED: return bind_pi<[](V a, V b) { return _mm_adds_epi16(a, b); }>(e, out);
    case 0xEE: return bind_pi<[](V a, V b) { return _mm_max_epi16(a, b); }>(e, out);
    case 0xEF: return bind_pi<[](V a, V b) { return _mm_xor_si128(a, b); }>(e, out);
    case 0xF1: return bind_pi<[](V a, V b) { return _mm_sll_epi16(a, b); }>(e, out);
    case 0xF2: return bind_pi<[](V a, V b) { return _mm_sll_epi32(a, b); }>(e, out);
    case 0xF3: return bind_pi<[](V a, V b) { return _mm_sll_epi64(a, b); }>(e, out);
    case 0xF4: return bind_pi<[](V a, V b) { return _mm_mul_epu32(a, b); }>(e, out);
    case 0xF5: return bind_pi<[](V a, V b) { return _mm_madd_epi16(a, b); }>(e, out);
    case 0xF6: return bind_pi<[](V a, V b) { return _mm_sad_epu8(a, b); }>(e, out);
    case 0xF8: return bind_pi<[](V a, V b) { return _mm_sub_epi8(a, b); }>(e, out);
    case 0xF9: return bind_pi<[](V a, V b) { return _mm_sub_epi16(a, b); }>(e, out);
    case 0xFA: return bind_pi<[](V a, V b) { return _mm_sub_epi32(a, b); }>(e, out);
    case 0xFB: return bind_pi<[](V a, V b) { return _mm_sub_epi64(a, b); }>(e, out);
    case 0xFC: return bind_pi<[](V a, V b) { return _mm_add_epi8(a, b); }>(e, out);
    case 0xFD: return bind_pi<[](V a, V b) { return _mm_add_epi16(a, b); }>(e, out);
    case 0xFE: return bind_pi<[](V a, V b) { return _mm_add_epi32(a, b); }>(e, out);
    default: return false;
  }
}

}  // namespace emu::sse
