// SSE3 (map 0F): ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD, MOVSLDUP, MOVSHDUP,
// MOVDDUP, LDDQU.
//
// The arithmetic ones are the host's own SSE3 instruction run under the
// guest's MXCSR (fp_op, see sse_state.h), so results, NaN propagation,
// DAZ/FTZ and exception flags are the hardware's. The duplicating moves are
// plain lane copies: they never look at the values (no DAZ, no exceptions).
// FISTTP (x87) is bound by the x87 code; MONITOR/MWAIT (0F 01 C8/C9) are not
// bound and raise SIGILL, as Linux user space can't use them on most CPUs.
//
// The handlers are compiled for SSE3 (the pragma below, after the includes
// so that inline functions shared with other files keep the baseline ISA);
// bind_sse3 binds nothing on a host without SSE3, so the guest gets SIGILL
// rather than the emulator.
#include "emu/ops/sse_common.h"

#pragma GCC target("sse3")

namespace emu::sse {
namespace {

// OP xmm, xmm/m128 (aligned) with dest = Op(dest, src) under the guest's MXCSR.
template <auto Op, class V, Form F>
void fp_packed(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  const V a = getv<V>(cpu.xmm[in.reg]);
  const V b = getv<V>(s);
  // The fast path spelled out here: through fp_op (a baseline-ISA template)
  // GCC won't inline the SSE3 lambda and would emit a call.
  const V r = cpu.fp_fast ? Op(a, b) : fp_op(cpu, in, [&] { return Op(a, b); });
  put(cpu.xmm[in.reg], r);
}

template <auto Op, class V>
bool bind_fp_packed(const Enc& e, Insn& out) {
  return set_fn<fp_packed<Op, V, Form::Reg>, fp_packed<Op, V, Form::MemA>>(e, out);
}

// MOVSLDUP (Odd = 0) / MOVSHDUP (Odd = 1) xmm, xmm/m128 (aligned): the
// even (odd) dwords, each duplicated into the pair it belongs to.
template <unsigned Odd, Form F>
void movsdup(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  Xmm r;
  r.d[0] = r.d[1] = s.d[Odd];
  r.d[2] = r.d[3] = s.d[2 + Odd];
  cpu.xmm[in.reg] = r;
}

// MOVDDUP xmm, xmm/m64: the low qword in both halves. The memory form reads
// 8 bytes with no alignment requirement (SDM vol. 2 MOVDDUP).
template <Form F>
void movddup(Cpu& cpu, const Insn& in) {
  const uint64_t v = src_low<F, 8>(cpu, in).q[0];
  cpu.xmm[in.reg].q[0] = v;
  cpu.xmm[in.reg].q[1] = v;
}

// LDDQU xmm, m128: an unaligned 16-byte load (memory form only).
void lddqu(Cpu& cpu, const Insn& in) { cpu.xmm[in.reg] = src128<Form::Mem>(cpu, in); }

using Ps = __m128;
using Pd = __m128d;

// __builtin_cpu_init: this runs as a static constructor, possibly before
// libgcc's own that fills in the feature bits.
const bool kHostHasSse3 = (__builtin_cpu_init(), __builtin_cpu_supports("sse3"));

}  // namespace

bool bind_sse3(const Enc& e, Insn& out) {
  if (!kHostHasSse3) return false;
  switch (e.opcode) {
    case 0xD0:  // ADDSUBPD / ADDSUBPS
      if (e.pfx == 0x66) return bind_fp_packed<[](Pd a, Pd b) { return _mm_addsub_pd(a, b); }, Pd>(e, out);
      if (e.pfx == 0xF2) return bind_fp_packed<[](Ps a, Ps b) { return _mm_addsub_ps(a, b); }, Ps>(e, out);
      return false;  // no prefix: MMX (psrlw mm), F3: undefined
    case 0x7C:  // HADDPD / HADDPS
      if (e.pfx == 0x66) return bind_fp_packed<[](Pd a, Pd b) { return _mm_hadd_pd(a, b); }, Pd>(e, out);
      if (e.pfx == 0xF2) return bind_fp_packed<[](Ps a, Ps b) { return _mm_hadd_ps(a, b); }, Ps>(e, out);
      return false;
    case 0x7D:  // HSUBPD / HSUBPS
      if (e.pfx == 0x66) return bind_fp_packed<[](Pd a, Pd b) { return _mm_hsub_pd(a, b); }, Pd>(e, out);
      if (e.pfx == 0xF2) return bind_fp_packed<[](Ps a, Ps b) { return _mm_hsub_ps(a, b); }, Ps>(e, out);
      return false;
    case 0x12:  // MOVSLDUP (F3) / MOVDDUP (F2); the others are MOVLPS/MOVLPD (sse_move)
      if (e.pfx == 0xF3) return set_fn<movsdup<0, Form::Reg>, movsdup<0, Form::MemA>>(e, out);
      if (e.pfx == 0xF2) return set_fn<movddup<Form::Reg>, movddup<Form::Mem>>(e, out);
      return false;
    case 0x16:  // MOVSHDUP (F3); the others are MOVHPS/MOVHPD (sse_move)
      if (e.pfx == 0xF3) return set_fn<movsdup<1, Form::Reg>, movsdup<1, Form::MemA>>(e, out);
      return false;
    case 0xF0:  // LDDQU (F2, memory only)
      if (e.pfx == 0xF2) return set_fn<nullptr, lddqu>(e, out);
      return false;
    default:
      return false;
  }
}

}  // namespace emu::sse
