// MMX packed-integer instructions (0F 60-6B, 0F 6F-76 and 0F D1-FE without a
// prefix; the SSE additions PSHUFW, PINSRW/PEXTRW, PMOVMSKB, PMINUB..PSADBW;
// SSE2's PADDQ/PSUBQ/PMULUDQ mm). The arithmetic is packed_int_ops.h's table,
// shared with the XMM forms; see mmx.h for the register model.
#include "emu/ops/mmx.h"
#include "emu/ops/sse_common.h"

namespace emu::sse {
namespace {

// PSRLW/PSRAW/PSLLW/PSRLD/PSRAD/PSLLD/PSRLQ/PSLLQ mm, imm8 (0F 71-73): the
// destination is the r/m register.
template <auto Op>
void shift_imm(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  const __m128i r = Op(mmx::vec(mmx::get(cpu, in.rm)), _mm_cvtsi32_si128(int(in.imm & 0xff)));
  mmx::set(cpu, in.rm, mmx::low(r));
}

struct ShiftBinder {
  Insn& out;
  template <auto Op, Shape>
  bool op() {
    out.fn = &threaded<shift_imm<Op>>;
    return true;
  }
};

// PSHUFW mm, mm/m64, imm8.
template <bool Mem>
void pshufw(Cpu& cpu, const Insn& in) {
  uint16_t w[4];
  const uint64_t s = mmx::src64<Mem>(cpu, in);
  std::memcpy(w, &s, 8);
  shuffle_words4(w, w, unsigned(in.imm));
  uint64_t r;
  std::memcpy(&r, w, 8);
  mmx::set(cpu, in.reg, r);
}

// PINSRW mm, r32/m16, imm8: word imm8 & 3.
template <bool Mem>
void pinsrw(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  uint16_t v;
  if constexpr (Mem) v = load<uint16_t>(cpu, effective_address(cpu, in));
  else v = uint16_t(cpu.gpr[in.rm]);
  mmx::enter(cpu);
  const unsigned sh = 16 * (in.imm & 3);
  const uint64_t d = mmx::get(cpu, in.reg);
  mmx::set(cpu, in.reg, (d & ~(uint64_t{0xffff} << sh)) | uint64_t{v} << sh);
}

// PEXTRW r32, mm, imm8 (zero-extended into the 64-bit GPR).
void pextrw(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  cpu.gpr[in.reg] = uint16_t(mmx::get(cpu, in.rm) >> (16 * (in.imm & 3)));
}

// PMOVMSKB r32, mm.
void pmovmskb(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  cpu.gpr[in.reg] = uint32_t(_mm_movemask_epi8(mmx::vec(mmx::get(cpu, in.rm))));
}

}  // namespace

// No-prefix map-1 encodings only (the caller checks). ModRM.reg names an MMX
// register except for PEXTRW/PMOVMSKB (a GPR); r/m names one except for
// PINSRW's r32.
bool bind_mmx_int(const Enc& e, Insn& out) {
  const uint8_t gpr_reg = out.reg, gpr_rm = out.rm;
  out.reg &= 7;
  out.rm &= 7;
  switch (e.opcode) {
    case 0x70: return set_fn<pshufw<false>, pshufw<true>>(e, out);
    case 0x71:
    case 0x72:
    case 0x73: return !e.mem && bind_shift_imm(e.opcode, e.ext, ShiftBinder{out});
    case 0xC4:
      out.rm = gpr_rm;
      return set_fn<pinsrw<false>, pinsrw<true>>(e, out);
    case 0xC5:
      out.reg = gpr_reg;
      return set_fn<pextrw, nullptr>(e, out);
    case 0xD7:
      out.reg = gpr_reg;
      return set_fn<pmovmskb, nullptr>(e, out);
    default: return bind_packed_int(e.opcode, mmx::Binder{e.mem, out});
  }
}

}  // namespace emu::sse
