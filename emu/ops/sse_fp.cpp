// SSE/SSE2 floating-point arithmetic, compares, logic and shuffles:
// ADD/SUB/MUL/DIV/MIN/MAX/SQRT PS/PD/SS/SD, RCP/RSQRT PS/SS, CMP PS/PD/SS/SD
// (predicates 0-7), COMISS/COMISD/UCOMISS/UCOMISD, AND/ANDN/OR/XOR PS/PD,
// SHUFPS/SHUFPD, UNPCKL/UNPCKH PS/PD.
//
// Arithmetic is the host's instruction run under the guest's MXCSR (fp_op,
// see sse_state.h), so results, NaN propagation, DAZ/FTZ and exception
// flags are the hardware's. RCPPS/RSQRTPS/RCPSS/RSQRTSS are approximations
// whose exact bits differ between CPU vendors (Intel vs AMD): the guest gets
// the host CPU's.
#include "emu/flags.h"
#include "emu/ops/sse_arith.h"

namespace emu::sse {
namespace {

// Marks a form of bind4 that doesn't exist (#UD).
struct NoOp {};
template <auto Op>
constexpr bool exists = !std::is_same_v<std::remove_cvref_t<decltype(Op)>, NoOp>;

// Binds one opcode's four forms: PS (no prefix), PD (66), SS (F3), SD (F2).
template <auto Ps, auto Pd, auto Ss, auto Sd>
bool bind4(const Enc& e, Insn& out) {
  switch (e.pfx) {
    case 0:
      if constexpr (exists<Ps>)
        return set_fn<fp_arith<Ps, __m128, Form::Reg, 16>, fp_arith<Ps, __m128, Form::MemA, 16>>(e, out);
      return false;
    case 0x66:
      if constexpr (exists<Pd>)
        return set_fn<fp_arith<Pd, __m128d, Form::Reg, 16>, fp_arith<Pd, __m128d, Form::MemA, 16>>(e, out);
      return false;
    case 0xF3:
      if constexpr (exists<Ss>)
        return set_fn_plain<fp_scalar<Ss, __m128, Form::Reg, 4>, fp_scalar<Ss, __m128, Form::Mem, 4>,
                            fp_scalar<Ss, __m128, Form::Mem, 4, Operand::Plain>, Next::Own, Next::Own>(e, out);
      return false;
    default:
      if constexpr (exists<Sd>)
        return set_fn_plain<fp_scalar<Sd, __m128d, Form::Reg, 8>, fp_scalar<Sd, __m128d, Form::Mem, 8>,
                            fp_scalar<Sd, __m128d, Form::Mem, 8, Operand::Plain>, Next::Own, Next::Own>(e, out);
      return false;
  }
}

constexpr NoOp kNone{};

// CMPPS/CMPPD/CMPSS/CMPSD predicates (imm8 bits 2:0): EQ, LT, LE, UNORD,
// NEQ, NLT, NLE, ORD.
template <int P> Ps cmpps(Ps a, Ps b) {
  if constexpr (P == 0) return _mm_cmpeq_ps(a, b);
  else if constexpr (P == 1) return _mm_cmplt_ps(a, b);
  else if constexpr (P == 2) return _mm_cmple_ps(a, b);
  else if constexpr (P == 3) return _mm_cmpunord_ps(a, b);
  else if constexpr (P == 4) return _mm_cmpneq_ps(a, b);
  else if constexpr (P == 5) return _mm_cmpnlt_ps(a, b);
  else if constexpr (P == 6) return _mm_cmpnle_ps(a, b);
  else return _mm_cmpord_ps(a, b);
}
template <int P> Pd cmppd(Pd a, Pd b) {
  if constexpr (P == 0) return _mm_cmpeq_pd(a, b);
  else if constexpr (P == 1) return _mm_cmplt_pd(a, b);
  else if constexpr (P == 2) return _mm_cmple_pd(a, b);
  else if constexpr (P == 3) return _mm_cmpunord_pd(a, b);
  else if constexpr (P == 4) return _mm_cmpneq_pd(a, b);
  else if constexpr (P == 5) return _mm_cmpnlt_pd(a, b);
  else if constexpr (P == 6) return _mm_cmpnle_pd(a, b);
  else return _mm_cmpord_pd(a, b);
}
template <int P> Ps cmpss(Ps a, Ps b) {
  if constexpr (P == 0) return _mm_cmpeq_ss(a, b);
  else if constexpr (P == 1) return _mm_cmplt_ss(a, b);
  else if constexpr (P == 2) return _mm_cmple_ss(a, b);
  else if constexpr (P == 3) return _mm_cmpunord_ss(a, b);
  else if constexpr (P == 4) return _mm_cmpneq_ss(a, b);
  else if constexpr (P == 5) return _mm_cmpnlt_ss(a, b);
  else if constexpr (P == 6) return _mm_cmpnle_ss(a, b);
  else return _mm_cmpord_ss(a, b);
}
template <int P> Pd cmpsd(Pd a, Pd b) {
  if constexpr (P == 0) return _mm_cmpeq_sd(a, b);
  else if constexpr (P == 1) return _mm_cmplt_sd(a, b);
  else if constexpr (P == 2) return _mm_cmple_sd(a, b);
  else if constexpr (P == 3) return _mm_cmpunord_sd(a, b);
  else if constexpr (P == 4) return _mm_cmpneq_sd(a, b);
  else if constexpr (P == 5) return _mm_cmpnlt_sd(a, b);
  else if constexpr (P == 6) return _mm_cmpnle_sd(a, b);
  else return _mm_cmpord_sd(a, b);
}

template <int P>
bool bind_cmp_pred(const Enc& e, Insn& out) {
  return bind4<cmpps<P>, cmppd<P>, cmpss<P>, cmpsd<P>>(e, out);
}

bool bind_cmp(const Enc& e, Insn& out) {
  switch (e.imm & 7) {  // legacy SSE ignores imm8 bits 7:3
    case 0: return bind_cmp_pred<0>(e, out);
    case 1: return bind_cmp_pred<1>(e, out);
    case 2: return bind_cmp_pred<2>(e, out);
    case 3: return bind_cmp_pred<3>(e, out);
    case 4: return bind_cmp_pred<4>(e, out);
    case 5: return bind_cmp_pred<5>(e, out);
    case 6: return bind_cmp_pred<6>(e, out);
    default: return bind_cmp_pred<7>(e, out);
  }
}

// The ZF/PF/CF result of (U)COMISS/(U)COMISD: unordered 111, less 001,
// equal 100, greater 000. Computed by the host instruction itself so that
// the invalid-operation flag (QNaN for COMIS, SNaN only for UCOMIS) and DAZ
// are the hardware's.
template <bool Signaling, bool Double>
uint64_t comi_flags(__m128i a, __m128i b) {
  uint8_t z, p, c;
  if constexpr (Signaling && Double)
    asm("comisd %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2" : "=r"(z), "=r"(p), "=r"(c) : "x"(a), "x"(b) : "cc");
  else if constexpr (Signaling)
    asm("comiss %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2" : "=r"(z), "=r"(p), "=r"(c) : "x"(a), "x"(b) : "cc");
  else if constexpr (Double)
    asm("ucomisd %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2" : "=r"(z), "=r"(p), "=r"(c) : "x"(a), "x"(b) : "cc");
  else
    asm("ucomiss %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2" : "=r"(z), "=r"(p), "=r"(c) : "x"(a), "x"(b) : "cc");
  return (z ? kZF : 0) | (p ? kPF : 0) | (c ? kCF : 0);
}

// COMISS/UCOMISS/COMISD/UCOMISD xmm, xmm/m32/m64: sets ZF/PF/CF, clears OF/SF/AF.
template <bool Signaling, bool Double, Form F>
void comis(Cpu& cpu, const Insn& in) {
  const Xmm s = src_low<F, Double ? 8 : 4>(cpu, in);
  const __m128i a = get_i(cpu.xmm[in.reg]);
  const __m128i b = get_i(s);
  const uint64_t fl = fp_op(cpu, in, [&] { return comi_flags<Signaling, Double>(a, b); });
  write_rflags(cpu, fl, kZF | kPF | kCF | kOF | kSF | kAF);
}

template <bool Signaling>
bool bind_comis(const Enc& e, Insn& out) {
  if (e.pfx == 0) return set_fn<comis<Signaling, false, Form::Reg>, comis<Signaling, false, Form::Mem>>(e, out);
  if (e.pfx == 0x66) return set_fn<comis<Signaling, true, Form::Reg>, comis<Signaling, true, Form::Mem>>(e, out);
  return false;
}

// SHUFPS xmm, xmm/m128, imm8: two elements of dest, then two of src.
template <Form F>
void shufps(Cpu& cpu, const Insn& in) {
  const Xmm b = src128<F>(cpu, in);
  const Xmm a = cpu.xmm[in.reg];
  const unsigned imm = unsigned(in.imm);
  Xmm r;
  r.d[0] = a.d[imm & 3];
  r.d[1] = a.d[(imm >> 2) & 3];
  r.d[2] = b.d[(imm >> 4) & 3];
  r.d[3] = b.d[(imm >> 6) & 3];
  cpu.xmm[in.reg] = r;
}

// SHUFPD xmm, xmm/m128, imm8.
template <Form F>
void shufpd(Cpu& cpu, const Insn& in) {
  const Xmm b = src128<F>(cpu, in);
  const Xmm a = cpu.xmm[in.reg];
  const unsigned imm = unsigned(in.imm);
  Xmm r;
  r.q[0] = a.q[imm & 1];
  r.q[1] = b.q[(imm >> 1) & 1];
  cpu.xmm[in.reg] = r;
}

using I = __m128i;

}  // namespace

bool bind_fp(const Enc& e, Insn& out) {
  switch (e.opcode) {
    case 0x14:  // UNPCKLPS / UNPCKLPD
      if (e.pfx == 0) return bind_pi<[](I a, I b) { return _mm_unpacklo_epi32(a, b); }>(e, out);
      if (e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_unpacklo_epi64(a, b); }>(e, out);
      return false;
    case 0x15:  // UNPCKHPS / UNPCKHPD
      if (e.pfx == 0) return bind_pi<[](I a, I b) { return _mm_unpackhi_epi32(a, b); }>(e, out);
      if (e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_unpackhi_epi64(a, b); }>(e, out);
      return false;
    case 0x2E: return bind_comis<false>(e, out);
    case 0x2F: return bind_comis<true>(e, out);
    case 0x51:
      return bind4<[](Ps, Ps b) { return _mm_sqrt_ps(b); }, [](Pd, Pd b) { return _mm_sqrt_pd(b); },
                   [](Ps a, Ps b) { return _mm_move_ss(a, _mm_sqrt_ss(b)); },
                   [](Pd a, Pd b) { return _mm_sqrt_sd(a, b); }>(e, out);
    case 0x52:
      return bind4<[](Ps, Ps b) { return _mm_rsqrt_ps(b); }, kNone,
                   [](Ps a, Ps b) { return _mm_move_ss(a, _mm_rsqrt_ss(b)); }, kNone>(e, out);
    case 0x53:
      return bind4<[](Ps, Ps b) { return _mm_rcp_ps(b); }, kNone,
                   [](Ps a, Ps b) { return _mm_move_ss(a, _mm_rcp_ss(b)); }, kNone>(e, out);
    case 0x54:  // ANDPS / ANDPD
      if (e.pfx == 0 || e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_and_si128(a, b); }>(e, out);
      return false;
    case 0x55:  // ANDNPS / ANDNPD: ~dest & src
      if (e.pfx == 0 || e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_andnot_si128(a, b); }>(e, out);
      return false;
    case 0x56:  // ORPS / ORPD
      if (e.pfx == 0 || e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_or_si128(a, b); }>(e, out);
      return false;
    case 0x57:  // XORPS / XORPD
      if (e.pfx == 0 || e.pfx == 0x66) return bind_pi<[](I a, I b) { return _mm_xor_si128(a, b); }>(e, out);
      return false;
    case 0x58:
      return bind4<addps, addpd, addss, addsd>(e, out);
    case 0x59:
      return bind4<mulps, mulpd, mulss, mulsd>(e, out);
    case 0x5C:
      return bind4<[](Ps a, Ps b) { return _mm_sub_ps(a, b); }, [](Pd a, Pd b) { return _mm_sub_pd(a, b); },
                   subss, subsd>(e, out);
    case 0x5D:
      return bind4<[](Ps a, Ps b) { return _mm_min_ps(a, b); }, [](Pd a, Pd b) { return _mm_min_pd(a, b); },
                   [](Ps a, Ps b) { return _mm_min_ss(a, b); }, [](Pd a, Pd b) { return _mm_min_sd(a, b); }>(e, out);
    case 0x5E:
      return bind4<[](Ps a, Ps b) { return _mm_div_ps(a, b); }, [](Pd a, Pd b) { return _mm_div_pd(a, b); },
                   divss, divsd>(e, out);
    case 0x5F:
      return bind4<[](Ps a, Ps b) { return _mm_max_ps(a, b); }, [](Pd a, Pd b) { return _mm_max_pd(a, b); },
                   [](Ps a, Ps b) { return _mm_max_ss(a, b); }, [](Pd a, Pd b) { return _mm_max_sd(a, b); }>(e, out);
    case 0xC2: return bind_cmp(e, out);
    case 0xC6:
      if (e.pfx == 0) return set_fn<shufps<Form::Reg>, shufps<Form::MemA>>(e, out);
      if (e.pfx == 0x66) return set_fn<shufpd<Form::Reg>, shufpd<Form::MemA>>(e, out);
      return false;
    default:
      return false;
  }
}

}  // namespace emu::sse
