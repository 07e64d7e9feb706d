// SSE/SSE2 conversions between integers, floats and doubles:
// CVTSI2SS/SD (32/64-bit source), CVT(T)SS2SI/CVT(T)SD2SI (32/64-bit
// result), CVTSS2SD/CVTSD2SS, CVTPS2PD/CVTPD2PS, CVTDQ2PS/CVT(T)PS2DQ,
// CVTDQ2PD/CVT(T)PD2DQ, and the memory forms of CVTPI2PS/CVTPI2PD (which
// touch no MMX register).
//
// Each is the host's instruction under the guest's MXCSR, so rounding, the
// "integer indefinite" result (0x80000000 / 0x8000000000000000 on NaN or
// overflow) and the flags are the hardware's. Forms that read or write an
// MMX register (CVTPI2PS/CVTPI2PD from mm, CVT(T)PS2PI, CVT(T)PD2PI) are
// left unbound: SIGILL until MMX exists.
#include "emu/ops/sse_common.h"

namespace emu::sse {
namespace {

// OP xmm, xmm/mN with dest = Op(dest, src) computed on whole registers.
// Bytes: 16 = aligned m128 operand, 8/4 = the low 64/32 bits only.
template <auto Op, Form F, unsigned Bytes>
void cvt_xx(Cpu& cpu, const Insn& in) {
  Xmm s;
  if constexpr (Bytes == 16) s = src128<F>(cpu, in);
  else s = src_low<F, Bytes>(cpu, in);
  const Xmm a = cpu.xmm[in.reg];
  const Xmm r = fp_op(cpu, in, [&] { return Op(a, s); });
  cpu.xmm[in.reg] = r;
}

template <auto Op, unsigned Bytes>
bool bind_xx(const Enc& e, Insn& out) {
  constexpr Form kMem = Bytes == 16 ? Form::MemA : Form::Mem;
  return set_fn<cvt_xx<Op, Form::Reg, Bytes>, cvt_xx<Op, kMem, Bytes>>(e, out);
}

inline Xmm xi(__m128i v) { Xmm r; put(r, v); return r; }
inline Xmm xs(__m128 v) { Xmm r; put(r, v); return r; }
inline Xmm xd(__m128d v) { Xmm r; put(r, v); return r; }

// CVTSI2SS/CVTSI2SD xmm, r/m32 or r/m64: upper elements of dest kept.
template <bool Double, class T, bool Mem>
void cvtsi2f(Cpu& cpu, const Insn& in) {
  T v;
  if constexpr (Mem) v = load<T>(cpu, effective_address(cpu, in));
  else v = T(cpu.gpr[in.rm]);
  const Xmm a = cpu.xmm[in.reg];
  const Xmm r = fp_op(cpu, in, [&] {
    if constexpr (Double && sizeof(T) == 8) return xd(_mm_cvtsi64_sd(get_pd(a), v));
    else if constexpr (Double) return xd(_mm_cvtsi32_sd(get_pd(a), v));
    else if constexpr (sizeof(T) == 8) return xs(_mm_cvtsi64_ss(get_ps(a), v));
    else return xs(_mm_cvtsi32_ss(get_ps(a), v));
  });
  cpu.xmm[in.reg] = r;
}

// CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm/m32/m64. A 32-bit result is
// zero-extended into the 64-bit register.
template <auto Op, Form F, unsigned Bytes>
void cvtf2si(Cpu& cpu, const Insn& in) {
  const Xmm s = src_low<F, Bytes>(cpu, in);
  const auto r = fp_op(cpu, in, [&] { return Op(s); });
  cpu.gpr[in.reg] = std::make_unsigned_t<decltype(r)>(r);
}

template <auto Op32, auto Op64, unsigned Bytes>
bool bind_f2si(const Enc& e, Insn& out) {
  if (e.w) return set_fn<cvtf2si<Op64, Form::Reg, Bytes>, cvtf2si<Op64, Form::Mem, Bytes>>(e, out);
  return set_fn<cvtf2si<Op32, Form::Reg, Bytes>, cvtf2si<Op32, Form::Mem, Bytes>>(e, out);
}

using X = const Xmm&;

}  // namespace

bool bind_cvt(const Enc& e, Insn& out) {
  const uint8_t p = e.pfx;
  switch (e.opcode) {
    case 0x2A:
      if (p == 0xF3) {  // CVTSI2SS
        if (e.w) return set_fn<cvtsi2f<false, int64_t, false>, cvtsi2f<false, int64_t, true>>(e, out);
        return set_fn<cvtsi2f<false, int32_t, false>, cvtsi2f<false, int32_t, true>>(e, out);
      }
      if (p == 0xF2) {  // CVTSI2SD
        if (e.w) return set_fn<cvtsi2f<true, int64_t, false>, cvtsi2f<true, int64_t, true>>(e, out);
        return set_fn<cvtsi2f<true, int32_t, false>, cvtsi2f<true, int32_t, true>>(e, out);
      }
      if (!e.mem) return false;  // CVTPI2PS/CVTPI2PD xmm, mm
      if (p == 0)  // CVTPI2PS xmm, m64: two int32 -> low two floats, high half kept
        return bind_xx<[](X a, X s) {
          Xmm r = a;
          r.q[0] = xs(_mm_cvtepi32_ps(get_i(s))).q[0];
          return r;
        }, 8>(e, out);
      // CVTPI2PD xmm, m64
      return bind_xx<[](X, X s) { return xd(_mm_cvtepi32_pd(get_i(s))); }, 8>(e, out);
    case 0x2C:
      if (p == 0xF3)
        return bind_f2si<[](X s) { return _mm_cvttss_si32(get_ps(s)); },
                         [](X s) { return _mm_cvttss_si64(get_ps(s)); }, 4>(e, out);
      if (p == 0xF2)
        return bind_f2si<[](X s) { return _mm_cvttsd_si32(get_pd(s)); },
                         [](X s) { return _mm_cvttsd_si64(get_pd(s)); }, 8>(e, out);
      return false;  // CVTTPS2PI / CVTTPD2PI: MMX
    case 0x2D:
      if (p == 0xF3)
        return bind_f2si<[](X s) { return _mm_cvtss_si32(get_ps(s)); },
                         [](X s) { return _mm_cvtss_si64(get_ps(s)); }, 4>(e, out);
      if (p == 0xF2)
        return bind_f2si<[](X s) { return _mm_cvtsd_si32(get_pd(s)); },
                         [](X s) { return _mm_cvtsd_si64(get_pd(s)); }, 8>(e, out);
      return false;  // CVTPS2PI / CVTPD2PI: MMX
    case 0x5A:
      if (p == 0)  // CVTPS2PD xmm, xmm/m64
        return bind_xx<[](X, X s) { return xd(_mm_cvtps_pd(get_ps(s))); }, 8>(e, out);
      if (p == 0x66)  // CVTPD2PS xmm, xmm/m128
        return bind_xx<[](X, X s) { return xs(_mm_cvtpd_ps(get_pd(s))); }, 16>(e, out);
      if (p == 0xF3)  // CVTSS2SD xmm, xmm/m32
        return bind_xx<[](X a, X s) { return xd(_mm_cvtss_sd(get_pd(a), get_ps(s))); }, 4>(e, out);
      // CVTSD2SS xmm, xmm/m64
      return bind_xx<[](X a, X s) { return xs(_mm_cvtsd_ss(get_ps(a), get_pd(s))); }, 8>(e, out);
    case 0x5B:
      if (p == 0)  // CVTDQ2PS
        return bind_xx<[](X, X s) { return xs(_mm_cvtepi32_ps(get_i(s))); }, 16>(e, out);
      if (p == 0x66)  // CVTPS2DQ
        return bind_xx<[](X, X s) { return xi(_mm_cvtps_epi32(get_ps(s))); }, 16>(e, out);
      if (p == 0xF3)  // CVTTPS2DQ
        return bind_xx<[](X, X s) { return xi(_mm_cvttps_epi32(get_ps(s))); }, 16>(e, out);
      return false;
    case 0xE6:
      if (p == 0x66)  // CVTTPD2DQ xmm, xmm/m128: high half zeroed
        return bind_xx<[](X, X s) { return xi(_mm_cvttpd_epi32(get_pd(s))); }, 16>(e, out);
      if (p == 0xF3)  // CVTDQ2PD xmm, xmm/m64
        return bind_xx<[](X, X s) { return xd(_mm_cvtepi32_pd(get_i(s))); }, 8>(e, out);
      if (p == 0xF2)  // CVTPD2DQ xmm, xmm/m128
        return bind_xx<[](X, X s) { return xi(_mm_cvtpd_epi32(get_pd(s))); }, 16>(e, out);
      return false;
    default:
      return false;
  }
}

}  // namespace emu::sse
