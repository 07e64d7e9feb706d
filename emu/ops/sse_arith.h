// SSE/SSE2 floating-point arithmetic shared by its handlers (sse_fp.cpp)
// and the fused scalar chains (sse_scalar_chain.cpp): the host operations
// and the handler templates of the arithmetic forms.
#pragma once

#include "emu/ops/sse_common.h"

namespace emu::sse {

using Ps = __m128;
using Pd = __m128d;

// ADD and MUL in asm: GCC treats them as commutative and may swap the
// operands, which changes which NaN propagates (the first source's).
inline Ps addps(Ps a, Ps b) { asm("addps %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Pd addpd(Pd a, Pd b) { asm("addpd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Ps addss(Ps a, Ps b) { asm("addss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Pd addsd(Pd a, Pd b) { asm("addsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Ps mulps(Ps a, Ps b) { asm("mulps %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Pd mulpd(Pd a, Pd b) { asm("mulpd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Ps mulss(Ps a, Ps b) { asm("mulss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Pd mulsd(Pd a, Pd b) { asm("mulsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline Ps subss(Ps a, Ps b) { return _mm_sub_ss(a, b); }
inline Pd subsd(Pd a, Pd b) { return _mm_sub_sd(a, b); }
inline Ps divss(Ps a, Ps b) { return _mm_div_ss(a, b); }
inline Pd divsd(Pd a, Pd b) { return _mm_div_sd(a, b); }

// OP xmm, xmm/mN with dest = Op(dest, src) under the guest's MXCSR. Bytes is
// 16 for packed forms (aligned m128), 4 or 8 for scalar forms (the memory
// operand is just the scalar; the rest of the destination is kept by Op).
// The operands travel in vector registers: the common case (every
// exception masked: cpu.fp_fast) is the host instruction and a store, and
// the rest is a cold call with the operands by value.
template <auto Op, class V>
[[gnu::noinline, gnu::cold]] V fp_arith_slow(Cpu& cpu, const Insn& in, V a, V b) {
  return fp_slow(cpu, in, [=] { return Op(a, b); });
}

template <auto Op, class V, Form F, unsigned Bytes>
void fp_arith(Cpu& cpu, const Insn& in) {
  V b;
  if constexpr (Bytes == 16) b = getv<V>(src128<F>(cpu, in));
  else b = src_low_v<V, F, Bytes>(cpu, in);
  const V a = getv<V>(cpu.xmm[in.reg]);
  if (cpu.fp_fast) [[likely]]
    put(cpu.xmm[in.reg], Op(a, b));
  else
    put(cpu.xmm[in.reg], fp_arith_slow<Op, V>(cpu, in, a, b));
}

// The scalar forms (Bytes 4 or 8) in continuation style (emu/memory.h),
// bound with Next::Own: with every exception masked (cpu.fp_fast) the
// host instruction, a store and the next Insn, with no frame; otherwise a
// tail call to the general fp_arith.
// Only the low element is read and written: a scalar op changes nothing
// else, and an 8- (4-) byte access is forwarded from the previous scalar
// op's store at once, where a 16-byte one would wait for the store of a
// scalar load (MOVSD xmm, m64) or op to reach the cache.
template <auto Op, class V, unsigned Bytes>
[[gnu::always_inline]] inline void fp_scalar_apply(Cpu& cpu, const Insn& in, V b) {
  Xmm& d = cpu.xmm[in.reg];
  if constexpr (Bytes == 8) _mm_store_sd(d.f64, Op(_mm_load_sd(d.f64), b));
  else _mm_store_ss(d.f32, Op(_mm_load_ss(d.f32), b));
}

template <auto Op, class V, class T>
[[gnu::always_inline]] inline void fp_scalar_apply_mem(Cpu& cpu, const Insn& in, T m) {
  fp_scalar_apply<Op, V, sizeof(T)>(cpu, in, zero_extended<V>(m));
}

// Out of line, so that its frame stays out of fp_scalar.
template <auto Op, class V, Form F, unsigned Bytes>
[[gnu::noinline, gnu::cold]] void fp_scalar_general(Cpu& cpu, const Insn& in) {
  fp_arith<Op, V, F, Bytes>(cpu, in);
  return next_insn(cpu, in);
}

template <auto Op, class V, Form F, unsigned Bytes, Operand O = Operand::Any>
void fp_scalar(Cpu& cpu, const Insn& in) {
  static_assert(Bytes == 4 || Bytes == 8);
  if (!cpu.fp_fast) [[unlikely]]
    return fp_scalar_general<Op, V, F, Bytes>(cpu, in);
  if constexpr (F == Form::Reg) {
    const Xmm& s = cpu.xmm[in.rm];
    if constexpr (Bytes == 8) fp_scalar_apply<Op, V, Bytes>(cpu, in, _mm_load_sd(s.f64));
    else fp_scalar_apply<Op, V, Bytes>(cpu, in, _mm_load_ss(s.f32));
    return next_insn(cpu, in);
  } else {
    using T = std::conditional_t<Bytes == 4, uint32_t, uint64_t>;
    return load_then<T, fp_scalar_apply_mem<Op, V, T>>(cpu, in, operand_address<O>(cpu, in));
  }
}

}  // namespace emu::sse
