// SSE/SSE2 conversions between integers, floats and doubles:
// CVTSI2SS/SD (32/64-bit source), CVT(T)SS2SI/CVT(T)SD2SI (32/64-bit
// result), CVTSS2SD/CVTSD2SS, CVTPS2PD/CVTPD2PS, CVTDQ2PS/CVT(T)PS2DQ,
// CVTDQ2PD/CVT(T)PD2DQ, and the forms with an MMX operand: CVTPI2PS/CVTPI2PD
// (from mm or m64), CVT(T)PS2PI and CVT(T)PD2PI (to mm), which are the XMM
// conversions on the low 64 bits.
//
// Each is the host's instruction under the guest's MXCSR, so rounding, the
// "integer indefinite" result (0x80000000 / 0x8000000000000000 on NaN or
// overflow) and the flags are the hardware's. The forms that name an MMX
// register change the x87 state as every MMX instruction does (mmx.h); the
// m64 forms of CVTPI2PS/CVTPI2PD don't (measured).
#include "emu/ops/mmx.h"
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

// The packed conversions whose MMX forms share them (dest, src -> result).
constexpr auto kCvtPi2Ps = [](X a, X s) {  // two int32 -> low two floats, high half kept
  Xmm r = a;
  r.q[0] = xs(_mm_cvtepi32_ps(get_i(s))).q[0];
  return r;
};
constexpr auto kCvtDq2Pd = [](X, X s) { return xd(_mm_cvtepi32_pd(get_i(s))); };
constexpr auto kCvtPs2Dq = [](X, X s) { return xi(_mm_cvtps_epi32(get_ps(s))); };
constexpr auto kCvttPs2Dq = [](X, X s) { return xi(_mm_cvttps_epi32(get_ps(s))); };
constexpr auto kCvtPd2Dq = [](X, X s) { return xi(_mm_cvtpd_epi32(get_pd(s))); };
constexpr auto kCvttPd2Dq = [](X, X s) { return xi(_mm_cvttpd_epi32(get_pd(s))); };

// CVTPI2PS/CVTPI2PD xmm, mm: as the m64 forms, the source MM(rm).
template <auto Op>
void cvt_from_mm(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  Xmm s{};
  s.q[0] = mmx::get(cpu, in.rm);
  const Xmm a = cpu.xmm[in.reg];
  const Xmm r = fp_op(cpu, in, [&] { return Op(a, s); });
  mmx::enter(cpu);
  cpu.xmm[in.reg] = r;
}

// CVT(T)PS2PI mm, xmm/m64 (Bytes 8) and CVT(T)PD2PI mm, xmm/m128 (Bytes 16,
// aligned): the low 64 bits of the XMM conversion.
template <auto Op, Form F, unsigned Bytes>
void cvt_to_mm(Cpu& cpu, const Insn& in) {
  x87::wait(cpu, in);
  Xmm s;
  if constexpr (Bytes == 16) {
    s = src128<F>(cpu, in);
  } else {
    s = src_low<F, Bytes>(cpu, in);
    s.q[1] = 0;  // converts to 0 without flags: only the low two floats count
  }
  const Xmm r = fp_op(cpu, in, [&] { return Op(s, s); });
  mmx::enter(cpu);
  mmx::set(cpu, in.reg, r.q[0]);
}

// CVT(T)PS2PI (no prefix) or CVT(T)PD2PI (66) per `e`; ModRM.reg is an MMX register.
template <auto Ps, auto Pd>
bool bind_to_mm(const Enc& e, Insn& out) {
  if (e.pfx != 0 && e.pfx != 0x66) return false;
  out.reg &= 7;
  if (e.pfx == 0) return set_fn<cvt_to_mm<Ps, Form::Reg, 8>, cvt_to_mm<Ps, Form::Mem, 8>>(e, out);
  return set_fn<cvt_to_mm<Pd, Form::Reg, 16>, cvt_to_mm<Pd, Form::MemA, 16>>(e, out);
}

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
      if (!e.mem) {  // CVTPI2PS / CVTPI2PD xmm, mm
        out.rm &= 7;
        return out.fn = p == 0 ? cvt_from_mm<kCvtPi2Ps> : cvt_from_mm<kCvtDq2Pd>, true;
      }
      if (p == 0) return bind_xx<kCvtPi2Ps, 8>(e, out);  // CVTPI2PS xmm, m64
      return bind_xx<kCvtDq2Pd, 8>(e, out);              // CVTPI2PD xmm, m64
    case 0x2C:
      if (p == 0xF3)
        return bind_f2si<[](X s) { return _mm_cvttss_si32(get_ps(s)); },
                         [](X s) { return _mm_cvttss_si64(get_ps(s)); }, 4>(e, out);
      if (p == 0xF2)
        return bind_f2si<[](X s) { return _mm_cvttsd_si32(get_pd(s)); },
                         [](X s) { return _mm_cvttsd_si64(get_pd(s)); }, 8>(e, out);
      return bind_to_mm<kCvttPs2Dq, kCvttPd2Dq>(e, out);  // CVTTPS2PI / CVTTPD2PI
    case 0x2D:
      if (p == 0xF3)
        return bind_f2si<[](X s) { return _mm_cvtss_si32(get_ps(s)); },
                         [](X s) { return _mm_cvtss_si64(get_ps(s)); }, 4>(e, out);
      if (p == 0xF2)
        return bind_f2si<[](X s) { return _mm_cvtsd_si32(get_pd(s)); },
                         [](X s) { return _mm_cvtsd_si64(get_pd(s)); }, 8>(e, out);
      return bind_to_mm<kCvtPs2Dq, kCvtPd2Dq>(e, out);  // CVTPS2PI / CVTPD2PI
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
      if (p == 0x66) return bind_xx<kCvtPs2Dq, 16>(e, out);   // CVTPS2DQ
      if (p == 0xF3) return bind_xx<kCvttPs2Dq, 16>(e, out);  // CVTTPS2DQ
      return false;
    case 0xE6:
      if (p == 0x66) return bind_xx<kCvttPd2Dq, 16>(e, out);  // CVTTPD2DQ: high half zeroed
      if (p == 0xF3) return bind_xx<kCvtDq2Pd, 8>(e, out);    // CVTDQ2PD xmm, xmm/m64
      if (p == 0xF2) return bind_xx<kCvtPd2Dq, 16>(e, out);   // CVTPD2DQ
      return false;
    default:
      return false;
  }
}

}  // namespace emu::sse
