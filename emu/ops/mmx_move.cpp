// MMX data movement: MOVD/MOVQ between MMX registers, GPRs and memory (0F
// 6E/7E, with REX.W the 64-bit forms; 0F 6F/7F), MOVNTQ, MASKMOVQ, SSE2's
// MOVQ2DQ/MOVDQ2Q, and EMMS. See mmx.h for the register model.
#include "emu/ops/mmx.h"
#include "emu/ops/sse_common.h"

namespace emu::sse {
namespace {

// MOVD mm, r/m32 / MOVQ mm, r/m64 (0F 6E): zero-extended.
template <class T, bool Mem>
void movd_to_mm(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  T v;
  if constexpr (Mem) v = load<T>(cpu, effective_address(cpu, in));
  else v = T(cpu.gpr[in.rm]);
  mmx::enter(cpu);
  mmx::set(cpu, in.reg, v);
}

// MOVD r/m32, mm / MOVQ r/m64, mm (0F 7E): a 32-bit GPR write zero-extends.
template <class T, bool Mem>
void movd_from_mm(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  const T v = T(mmx::get(cpu, in.reg));
  if constexpr (Mem) store<T>(cpu, effective_address(cpu, in), v);
  mmx::enter(cpu);
  if constexpr (!Mem) cpu.gpr[in.rm] = v;
}

// MOVQ mm, mm/m64 (0F 6F).
template <bool Mem>
void movq_load(Cpu& cpu, const Insn& in) {
  mmx::set(cpu, in.reg, mmx::src64<Mem>(cpu, in));
}

// MOVQ mm/m64, mm (0F 7F) and MOVNTQ m64, mm (0F E7).
void movq_store_mem(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  store<uint64_t>(cpu, effective_address(cpu, in), mmx::get(cpu, in.reg));
  mmx::enter(cpu);
}
void movq_store_reg(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  mmx::set(cpu, in.rm, mmx::get(cpu, in.reg));
}

// MASKMOVQ mm1, mm2: the bytes of mm1 whose mask byte in mm2 has its top bit
// set, to DS:[RDI]. Unlike the other MMX stores, a faulting MASKMOVQ has
// already done the MMX transition (measured: tests/emu/diff_test.cpp).
void maskmovq(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  const uint64_t data = mmx::get(cpu, in.reg);
  store_masked(cpu, in, data, unsigned(_mm_movemask_epi8(mmx::vec(mmx::get(cpu, in.rm)))));
}

// MOVQ2DQ xmm, mm (F3 0F D6): zero-extended.
void movq2dq(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  Xmm x{};
  x.q[0] = mmx::get(cpu, in.rm);
  cpu.xmm[in.reg] = x;
}

// MOVDQ2Q mm, xmm (F2 0F D6).
void movdq2q(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  mmx::enter(cpu);
  mmx::set(cpu, in.reg, cpu.xmm[in.rm].q[0]);
}

// EMMS: every register empty. TOP = 0 as well: measured on the AMD host
// (the SDM only names the tag word).
void emms(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  cpu.x87.valid = 0;
  cpu.x87.top = 0;
}

}  // namespace

bool bind_mmx_move(const Enc& e, Insn& out) {
  if (e.opcode == 0xD6) {  // MOVQ2DQ / MOVDQ2Q: registers only
    if (e.mem) return false;
    if (e.pfx == 0xF3) return out.rm &= 7, out.fn = movq2dq, true;
    if (e.pfx == 0xF2) return out.reg &= 7, out.fn = movdq2q, true;
    return false;
  }
  if (e.pfx != 0) return false;
  switch (e.opcode) {
    case 0x6E:  // ModRM.rm: a GPR or memory
      out.reg &= 7;
      if (e.w) return set_fn<movd_to_mm<uint64_t, false>, movd_to_mm<uint64_t, true>>(e, out);
      return set_fn<movd_to_mm<uint32_t, false>, movd_to_mm<uint32_t, true>>(e, out);
    case 0x7E:
      out.reg &= 7;
      if (e.w) return set_fn<movd_from_mm<uint64_t, false>, movd_from_mm<uint64_t, true>>(e, out);
      return set_fn<movd_from_mm<uint32_t, false>, movd_from_mm<uint32_t, true>>(e, out);
    case 0x6F:
      out.reg &= 7;
      out.rm &= 7;
      return set_fn<movq_load<false>, movq_load<true>>(e, out);
    case 0x7F:
      out.reg &= 7;
      out.rm &= 7;
      return set_fn<movq_store_reg, movq_store_mem>(e, out);
    case 0xE7:
      out.reg &= 7;
      return set_fn<nullptr, movq_store_mem>(e, out);
    case 0xF7:
      out.reg &= 7;
      out.rm &= 7;
      return set_fn<maskmovq, nullptr>(e, out);
    default: return false;
  }
}

bool bind_emms(const Decoded& d, Insn& out) {
  // Any mandatory-prefix byte or LOCK makes it #UD (measured: 66 0F 77).
  if (d.p66 || d.last_rep || d.lock) return false;
  out.fn = emms;
  return true;
}

}  // namespace emu::sse
