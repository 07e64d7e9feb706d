// SSE/SSE2 data movement: full-register moves (aligned and unaligned),
// scalar moves, 64-bit half moves, MOVD/MOVQ to and from GPRs, sign-mask
// extraction, non-temporal stores and MASKMOVDQU.
//
// Operand convention (emu/insn.h): in.reg is the ModRM.reg operand (an XMM
// number, or a GPR number where the instruction says so), in.rm the register
// r/m operand; memory operands at effective_address(). Each handler loads
// every memory operand before it writes a register.
#include "emu/ops/sse_common.h"
#include "emu/ops/sse_scalar_chain.h"

namespace emu::sse {
namespace {

// ---- 128-bit moves --------------------------------------------------------------

// MOVAPS/MOVAPD/MOVDQA/MOVUPS/MOVUPD/MOVDQU xmm, xmm/m128. Continuation
// style (emu/memory.h): bound with Next::Own.
[[gnu::always_inline]] inline void put_xmm(Cpu& cpu, const Insn& in, Xmm v) { cpu.xmm[in.reg] = v; }

template <Form F>
void mov128_load(Cpu& cpu, const Insn& in) {
  if constexpr (F == Form::Reg) {
    cpu.xmm[in.reg] = cpu.xmm[in.rm];
    return next_insn(cpu, in);
  } else {
    return load_then<Xmm, put_xmm>(cpu, in, addr16(cpu, in, F == Form::MemA));
  }
}

// The store opcodes (0F 11/29/7F) with a register r/m: xmm(rm) = xmm(reg).
void mov128_rr_store(Cpu& cpu, const Insn& in) { cpu.xmm[in.rm] = cpu.xmm[in.reg]; }

// MOVAPS/.../MOVNTPS/MOVNTDQ m128, xmm. Continuation style (emu/memory.h):
// bound with Next::Own.
template <bool Aligned>
void mov128_store(Cpu& cpu, const Insn& in) {
  return store_then<Xmm>(cpu, in, addr16(cpu, in, Aligned), cpu.xmm[in.reg]);
}

// ---- scalar moves ----------------------------------------------------------------

// MOVSS/MOVSD xmm, m32/m64: the rest of the register is zeroed.
// Continuation style (emu/memory.h): bound with Next::Own.
// The register is written with one 16-byte store, built in a vector
// register: two 8-byte stores would stall the next instruction's 16-byte
// read of it (a load spanning two stores is not forwarded from them).
template <class T>
[[gnu::always_inline]] inline void put_low_zeroed(Cpu& cpu, const Insn& in, T v) {
  put(cpu.xmm[in.reg], zero_extended<__m128i>(v));
}

template <class T, Operand O = Operand::Any>
void movs_load_mem(Cpu& cpu, const Insn& in) {
  return load_then<T, put_low_zeroed<T>>(cpu, in, operand_address<O>(cpu, in));
}

// MOVSS/MOVSD xmm, xmm (0F 10): only the low element moves.
template <class T>
void movs_load_reg(Cpu& cpu, const Insn& in) {
  std::memcpy(&cpu.xmm[in.reg], &cpu.xmm[in.rm], sizeof(T));
}

// MOVSS/MOVSD xmm, xmm (0F 11 form): the r/m register is the destination.
template <class T>
void movs_store_reg(Cpu& cpu, const Insn& in) {
  std::memcpy(&cpu.xmm[in.rm], &cpu.xmm[in.reg], sizeof(T));
}

// MOVSS m32 / MOVSD m64 / MOVLPS m64 / MOVD m32 / MOVQ m64, xmm: stores the
// low T of xmm(reg). Continuation style (emu/memory.h): bound with Next::Own.
template <class T, Operand O = Operand::Any>
void store_low(Cpu& cpu, const Insn& in) {
  T v;
  std::memcpy(&v, &cpu.xmm[in.reg], sizeof v);
  return store_then<T>(cpu, in, operand_address<O>(cpu, in), v);
}

// ---- 64-bit halves ---------------------------------------------------------------

// MOVLPS/MOVLPD xmm, m64 (Half 0) and MOVHPS/MOVHPD xmm, m64 (Half 1).
template <int Half>
void movhalf_load(Cpu& cpu, const Insn& in) {
  cpu.xmm[in.reg].q[Half] = load<uint64_t>(cpu, effective_address(cpu, in));
}

// MOVHPS/MOVHPD m64, xmm.
void movhigh_store(Cpu& cpu, const Insn& in) {
  store<uint64_t>(cpu, effective_address(cpu, in), cpu.xmm[in.reg].q[1]);
}

// MOVHLPS xmm1, xmm2: low(xmm1) = high(xmm2).
void movhlps(Cpu& cpu, const Insn& in) { cpu.xmm[in.reg].q[0] = cpu.xmm[in.rm].q[1]; }
// MOVLHPS xmm1, xmm2: high(xmm1) = low(xmm2).
void movlhps(Cpu& cpu, const Insn& in) { cpu.xmm[in.reg].q[1] = cpu.xmm[in.rm].q[0]; }

// MOVQ xmm, xmm/m64 (F3 0F 7E): low quadword, high zeroed.
template <Form F>
void movq_load(Cpu& cpu, const Insn& in) {
  const __m128i s = src_low_v<__m128i, F, 8>(cpu, in);
  put(cpu.xmm[in.reg], _mm_move_epi64(s));  // one 16-byte store (see put_low_zeroed)
}

// MOVQ xmm, xmm (66 0F D6 register form): xmm(rm) = low(xmm(reg)), high zeroed.
void movq_rr_store(Cpu& cpu, const Insn& in) { put(cpu.xmm[in.rm], _mm_move_epi64(get_i(cpu.xmm[in.reg]))); }

// ---- GPR <-> XMM -------------------------------------------------------------------

// MOVD xmm, r/m32 and MOVQ xmm, r/m64 (66 0F 6E): zero-extended into the register.
template <class T, bool Mem>
void movd_to_xmm(Cpu& cpu, const Insn& in) {
  T v;
  if constexpr (Mem) v = load<T>(cpu, effective_address(cpu, in));
  else v = T(cpu.gpr[in.rm]);
  put_low_zeroed<T>(cpu, in, v);
}

// MOVD r32, xmm / MOVQ r64, xmm (66 0F 7E register form): a 32-bit GPR write
// zero-extends to 64 bits.
template <class T>
void movd_to_gpr(Cpu& cpu, const Insn& in) {
  T v;
  std::memcpy(&v, &cpu.xmm[in.reg], sizeof v);
  cpu.gpr[in.rm] = v;
}

// MOVMSKPS/MOVMSKPD r32, xmm (register source only).
void movmskps(Cpu& cpu, const Insn& in) { cpu.gpr[in.reg] = uint32_t(_mm_movemask_ps(get_ps(cpu.xmm[in.rm]))); }
void movmskpd(Cpu& cpu, const Insn& in) { cpu.gpr[in.reg] = uint32_t(_mm_movemask_pd(get_pd(cpu.xmm[in.rm]))); }

// MOVNTI m32/m64, r32/r64.
template <class T>
void movnti(Cpu& cpu, const Insn& in) {
  store<T>(cpu, effective_address(cpu, in), T(cpu.gpr[in.reg]));
}

// MASKMOVDQU xmm1, xmm2: the bytes of xmm1 whose mask byte in xmm2 has its
// top bit set, to DS:[RDI].
void maskmovdqu(Cpu& cpu, const Insn& in) {
  store_masked(cpu, in, cpu.xmm[in.reg], unsigned(_mm_movemask_epi8(get_i(cpu.xmm[in.rm]))));
}

}  // namespace

Handler scalar_store_handler(unsigned bytes) {
  return bytes == 4 ? &store_low<uint32_t, Operand::Plain> : &store_low<uint64_t, Operand::Plain>;
}

bool bind_move(const Enc& e, Insn& out) {
  const uint8_t p = e.pfx;
  switch (e.opcode) {
    case 0x10:  // MOVUPS/MOVUPD/MOVSS/MOVSD load
      if (p == 0 || p == 0x66) return set_fn<mov128_load<Form::Reg>, mov128_load<Form::Mem>, Next::Own, Next::Own>(e, out);
      if (p == 0xF3)
        return set_fn_plain<movs_load_reg<uint32_t>, movs_load_mem<uint32_t>, movs_load_mem<uint32_t, Operand::Plain>,
                            Next::Wrapped, Next::Own>(e, out);
      return set_fn_plain<movs_load_reg<uint64_t>, movs_load_mem<uint64_t>, movs_load_mem<uint64_t, Operand::Plain>,
                          Next::Wrapped, Next::Own>(e, out);
    case 0x11:  // ... store
      if (p == 0 || p == 0x66) return set_fn<mov128_rr_store, mov128_store<false>, Next::Wrapped, Next::Own>(e, out);
      if (p == 0xF3)
        return set_fn_plain<movs_store_reg<uint32_t>, store_low<uint32_t>, store_low<uint32_t, Operand::Plain>,
                            Next::Wrapped, Next::Own>(e, out);
      return set_fn_plain<movs_store_reg<uint64_t>, store_low<uint64_t>, store_low<uint64_t, Operand::Plain>,
                          Next::Wrapped, Next::Own>(e, out);
    case 0x12:  // MOVLPS/MOVHLPS, MOVLPD (F3: MOVSLDUP, F2: MOVDDUP are SSE3)
      if (p == 0) return set_fn<movhlps, movhalf_load<0>>(e, out);
      if (p == 0x66 && e.mem) return set_fn<nullptr, movhalf_load<0>>(e, out);
      return false;
    case 0x13:  // MOVLPS/MOVLPD m64, xmm
      if ((p == 0 || p == 0x66) && e.mem) return set_fn<nullptr, store_low<uint64_t>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0x16:  // MOVHPS/MOVLHPS, MOVHPD (F3: MOVSHDUP is SSE3)
      if (p == 0) return set_fn<movlhps, movhalf_load<1>>(e, out);
      if (p == 0x66 && e.mem) return set_fn<nullptr, movhalf_load<1>>(e, out);
      return false;
    case 0x17:  // MOVHPS/MOVHPD m64, xmm
      if ((p == 0 || p == 0x66) && e.mem) return set_fn<nullptr, movhigh_store>(e, out);
      return false;
    case 0x28:  // MOVAPS/MOVAPD load
      if (p == 0 || p == 0x66) return set_fn<mov128_load<Form::Reg>, mov128_load<Form::MemA>, Next::Own, Next::Own>(e, out);
      return false;
    case 0x29:  // MOVAPS/MOVAPD store
      if (p == 0 || p == 0x66) return set_fn<mov128_rr_store, mov128_store<true>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0x2B:  // MOVNTPS/MOVNTPD m128, xmm
      if ((p == 0 || p == 0x66) && e.mem) return set_fn<nullptr, mov128_store<true>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0x50:  // MOVMSKPS/MOVMSKPD r32, xmm
      if (e.mem) return false;
      if (p == 0) return set_fn<movmskps, nullptr>(e, out);
      if (p == 0x66) return set_fn<movmskpd, nullptr>(e, out);
      return false;
    case 0x6E:  // MOVD/MOVQ xmm, r/m32/64
      if (p != 0x66) return false;
      if (e.w) return set_fn<movd_to_xmm<uint64_t, false>, movd_to_xmm<uint64_t, true>>(e, out);
      return set_fn<movd_to_xmm<uint32_t, false>, movd_to_xmm<uint32_t, true>>(e, out);
    case 0x6F:  // MOVDQA / MOVDQU load
      if (p == 0x66) return set_fn<mov128_load<Form::Reg>, mov128_load<Form::MemA>, Next::Own, Next::Own>(e, out);
      if (p == 0xF3) return set_fn<mov128_load<Form::Reg>, mov128_load<Form::Mem>, Next::Own, Next::Own>(e, out);
      return false;
    case 0x7E:  // MOVD/MOVQ r/m32/64, xmm; F3: MOVQ xmm, xmm/m64
      if (p == 0x66) {
        if (e.w) return set_fn<movd_to_gpr<uint64_t>, store_low<uint64_t>, Next::Wrapped, Next::Own>(e, out);
        return set_fn<movd_to_gpr<uint32_t>, store_low<uint32_t>, Next::Wrapped, Next::Own>(e, out);
      }
      if (p == 0xF3) return set_fn<movq_load<Form::Reg>, movq_load<Form::Mem>>(e, out);
      return false;
    case 0x7F:  // MOVDQA / MOVDQU store
      if (p == 0x66) return set_fn<mov128_rr_store, mov128_store<true>, Next::Wrapped, Next::Own>(e, out);
      if (p == 0xF3) return set_fn<mov128_rr_store, mov128_store<false>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0xC3:  // MOVNTI m32/m64, r32/r64
      if (p != 0 || !e.mem) return false;
      return e.w ? set_fn<nullptr, movnti<uint64_t>>(e, out) : set_fn<nullptr, movnti<uint32_t>>(e, out);
    case 0xD6:  // MOVQ xmm/m64, xmm (F3/F2 forms are MMX: MOVQ2DQ, MOVDQ2Q)
      if (p == 0x66) return set_fn<movq_rr_store, store_low<uint64_t>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0xE7:  // MOVNTDQ m128, xmm
      if (p == 0x66 && e.mem) return set_fn<nullptr, mov128_store<true>, Next::Wrapped, Next::Own>(e, out);
      return false;
    case 0xF7:  // MASKMOVDQU xmm, xmm
      if (p == 0x66 && !e.mem) return set_fn<maskmovdqu, nullptr>(e, out);
      return false;
    default:
      return false;
  }
}

}  // namespace emu::sse
