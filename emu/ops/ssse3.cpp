// SSSE3 on XMM registers (66 0F 38 00-0B, 1C-1E; 66 0F 3A 0F): PSHUFB,
// PHADDW/D/SW, PMADDUBSW, PHSUBW/D/SW, PSIGNB/W/D, PMULHRSW, PABSB/W/D,
// PALIGNR.
//
// Each is the host's own SSSE3 instruction (intrinsics), so results are
// bit-exact by construction; none depends on MXCSR. Every memory operand is
// an m128 that must be 16-byte aligned (#GP otherwise). The no-prefix forms
// name MMX registers and are left unbound (SIGILL) until MMX exists.
//
// The handlers are compiled for SSSE3 (the pragma below, after the includes
// so that inline functions shared with other files keep the baseline ISA);
// bind_ssse3 binds nothing on a host without SSSE3, so the guest gets SIGILL
// rather than the emulator.
#include <cstring>

#include "emu/ops/sse_common.h"

#pragma GCC target("ssse3")

namespace emu::sse {
namespace {

// PALIGNR xmm, xmm/m128, imm8: the 32-byte concatenation dest:src shifted
// right by imm8 bytes, low 16 bytes kept; shifts of 32 or more give zero.
// (The host's instruction takes only a constant count, hence the buffer.)
template <Form F>
void palignr(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  const unsigned n = in.imm & 0xff;
  alignas(16) uint8_t buf[48] = {};
  std::memcpy(buf, &s, 16);
  std::memcpy(buf + 16, &cpu.xmm[in.reg], 16);
  std::memcpy(&cpu.xmm[in.reg], buf + (n > 32 ? 32 : n), 16);
}

using V = __m128i;

// OP xmm, xmm/m128 (aligned): dest = Op(dest, src). Like sse_common's pi,
// but defined under this file's target so that Op inlines into it.
template <auto Op, Form F>
void op(Cpu& cpu, const Insn& in) {
  const __m128i s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], Op(get_i(cpu.xmm[in.reg]), s));
}

template <auto Op>
bool bind_op(const Enc& e, Insn& out) {
  return set_fn<op<Op, Form::Reg>, op<Op, Form::MemA>>(e, out);
}

// __builtin_cpu_init: this runs as a static constructor, possibly before
// libgcc's own that fills in the feature bits.
const bool kHostHasSsse3 = (__builtin_cpu_init(), __builtin_cpu_supports("ssse3"));

bool bind_0f38(const Enc& e, Insn& out) {
  switch (e.opcode) {
    case 0x00: return bind_op<[](V a, V b) { return _mm_shuffle_epi8(a, b); }>(e, out);
    case 0x01: return bind_op<[](V a, V b) { return _mm_hadd_epi16(a, b); }>(e, out);
    case 0x02: return bind_op<[](V a, V b) { return _mm_hadd_epi32(a, b); }>(e, out);
    case 0x03: return bind_op<[](V a, V b) { return _mm_hadds_epi16(a, b); }>(e, out);
    case 0x04: return bind_op<[](V a, V b) { return _mm_maddubs_epi16(a, b); }>(e, out);  // a unsigned, b signed
    case 0x05: return bind_op<[](V a, V b) { return _mm_hsub_epi16(a, b); }>(e, out);
    case 0x06: return bind_op<[](V a, V b) { return _mm_hsub_epi32(a, b); }>(e, out);
    case 0x07: return bind_op<[](V a, V b) { return _mm_hsubs_epi16(a, b); }>(e, out);
    case 0x08: return bind_op<[](V a, V b) { return _mm_sign_epi8(a, b); }>(e, out);
    case 0x09: return bind_op<[](V a, V b) { return _mm_sign_epi16(a, b); }>(e, out);
    case 0x0A: return bind_op<[](V a, V b) { return _mm_sign_epi32(a, b); }>(e, out);
    case 0x0B: return bind_op<[](V a, V b) { return _mm_mulhrs_epi16(a, b); }>(e, out);
    // PABS*: dest = |src|; the old destination is not an input.
    case 0x1C: return bind_op<[](V, V b) { return _mm_abs_epi8(b); }>(e, out);
    case 0x1D: return bind_op<[](V, V b) { return _mm_abs_epi16(b); }>(e, out);
    case 0x1E: return bind_op<[](V, V b) { return _mm_abs_epi32(b); }>(e, out);
    default: return false;
  }
}

}  // namespace

bool bind_ssse3(const Enc& e, Insn& out) {
  if (e.pfx != 0x66 || !kHostHasSsse3) return false;
  if (e.map == 2) return bind_0f38(e, out);
  if (e.map == 3 && e.opcode == 0x0F) return set_fn<palignr<Form::Reg>, palignr<Form::MemA>>(e, out);
  return false;
}

}  // namespace emu::sse
