// SSE2 packed-integer instructions on XMM registers (66-prefixed 0F 60-76,
// 0F C4/C5, 0F D1-FE): arithmetic, saturating arithmetic, compares, logic,
// packs/unpacks, shuffles, shifts, PINSRW/PEXTRW/PMOVMSKB.
//
// Each operation is the host's own instruction (SSE2 intrinsics), so results
// are bit-exact by construction; none of them depends on MXCSR. The
// operations are the table in packed_int_ops.h, which the MMX forms (no
// prefix, emu/ops/mmx_int.cpp) share.
#include "emu/ops/packed_int_ops.h"
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
  Xmm r = src128<F>(cpu, in);
  shuffle_words4(r.w + Hi, r.w + Hi, unsigned(in.imm));
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

// The XMM handler for an operation of packed_int_ops.h's tables.
struct XmmBinder {
  const Enc& e;
  Insn& out;
  template <auto Op, Shape>
  bool op() {
    return bind_pi<Op>(e, out);
  }
};

// Groups 12-14 with an imm8 count: the register r/m is the destination.
struct XmmShiftBinder {
  Insn& out;
  template <auto Op, Shape>
  bool op() {
    out.fn = &threaded<shift_imm<Op>>;
    return true;
  }
};

bool bind_group_shift(const Enc& e, Insn& out) {
  if (e.mem) return false;
  if (e.opcode == 0x73 && e.ext == 3) return out.fn = &threaded<psrldq>, true;
  if (e.opcode == 0x73 && e.ext == 7) return out.fn = &threaded<pslldq>, true;
  return bind_shift_imm(e.opcode, e.ext, XmmShiftBinder{out});
}

}  // namespace

bool bind_int(const Enc& e, Insn& out) {
  if (e.opcode == 0x70) {
    if (e.pfx == 0x66) return set_fn<pshufd<Form::Reg>, pshufd<Form::MemA>>(e, out);
    if (e.pfx == 0xF2) return set_fn<pshufw_half<0, Form::Reg>, pshufw_half<0, Form::MemA>>(e, out);
    if (e.pfx == 0xF3) return set_fn<pshufw_half<4, Form::Reg>, pshufw_half<4, Form::MemA>>(e, out);
    return false;  // PSHUFW: emu/ops/mmx_int.cpp
  }
  if (e.pfx != 0x66) return false;
  switch (e.opcode) {
    case 0x71:
    case 0x72:
    case 0x73: return bind_group_shift(e, out);
    case 0xC4: return set_fn<pinsrw<false>, pinsrw<true>>(e, out);
    case 0xC5: return set_fn<pextrw, nullptr>(e, out);
    case 0xD7: return set_fn<pmovmskb, nullptr>(e, out);
    default: return bind_packed_int(e.opcode, XmmBinder{e, out});
  }
}

}  // namespace emu::sse
