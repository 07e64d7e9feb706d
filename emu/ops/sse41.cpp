// SSE4.1 (66-prefixed, maps 0F38 and 0F3A): blends (BLENDPS/PD, PBLENDW,
// BLENDVPS/PD, PBLENDVB), PTEST, PMOVSX/PMOVZX, PMULDQ/PMULLD, PCMPEQQ,
// PACKUSDW, PMIN/PMAX (SB/SD/UW/UD), PHMINPOSUW, MOVNTDQA, ROUNDPS/PD/SS/SD,
// DPPS/DPPD, MPSADBW, INSERTPS/EXTRACTPS, PINSRB/D/Q, PEXTRB/W/D/Q.
//
// Every computation is the host's own SSE4.1 instruction, so results are
// bit-exact; ROUND* and DPPS/DPPD run under the guest's MXCSR (fp_op, see
// sse_state.h) so rounding, DAZ/FTZ, NaN propagation and exception flags are
// the hardware's. Instructions whose imm8 selects the operation (ROUND*,
// DPPS/DPPD, MPSADBW) are one handler per imm8 value, picked at bind time,
// since the host instruction takes the imm8 as a constant.
//
// Memory operands: 128-bit ones must be 16-byte aligned (#GP) as for every
// legacy-SSE instruction; the narrower ones (PMOVSX/ZX m64/m32/m16,
// ROUNDSS/SD, INSERTPS m32, PINSR*/PEXTR*/EXTRACTPS) have no alignment
// requirement (SDM vol. 2, each instruction's exception section).
//
// The handlers are compiled for SSE4.1 (the pragma below, after the includes
// so that inline functions shared with other files keep the baseline ISA);
// bind_sse41 binds nothing on a host without SSE4.1.
#include <array>
#include <utility>

#include "emu/flags.h"
#include "emu/ops/sse_common.h"

#pragma GCC target("sse4.1")

namespace emu::sse {
namespace {

using V = __m128i;

template <class T>
T getv(const Xmm& x) {
  T v;
  std::memcpy(&v, &x, sizeof v);
  return v;
}

// OP xmm, xmm/m128 (aligned): dest = Op(dest, src), integer or bitwise.
template <auto Op, Form F>
void vop(Cpu& cpu, const Insn& in) {
  const V s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], Op(get_i(cpu.xmm[in.reg]), s));
}

template <auto Op>
bool bind_vop(const Enc& e, Insn& out) {
  return set_fn<vop<Op, Form::Reg>, vop<Op, Form::MemA>>(e, out);
}

// PBLENDVB/BLENDVPS/BLENDVPD xmm1, xmm2/m128, <XMM0>: the mask is XMM0.
template <auto Op, Form F>
void blendv(Cpu& cpu, const Insn& in) {
  const V s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], Op(get_i(cpu.xmm[in.reg]), s, get_i(cpu.xmm[0])));
}

// PTEST xmm1, xmm2/m128: ZF = (dest & src) == 0, CF = (~dest & src) == 0;
// AF, OF, PF, SF cleared.
template <Form F>
void ptest(Cpu& cpu, const Insn& in) {
  const V s = get_i(src128<F>(cpu, in));
  const V d = get_i(cpu.xmm[in.reg]);
  const uint64_t fl = (_mm_testz_si128(d, s) ? kZF : 0) | (_mm_testc_si128(d, s) ? kCF : 0);
  write_rflags(cpu, fl, kArithFlags);
}

// PMOVSX*/PMOVZX* xmm, xmm/mN: the low Bytes of the source, widened.
template <auto Op, unsigned Bytes, Form F>
void pmovx(Cpu& cpu, const Insn& in) {
  V s;
  if constexpr (F == Form::Reg) {
    s = get_i(cpu.xmm[in.rm]);
  } else {
    const uint64_t a = effective_address(cpu, in);
    if constexpr (Bytes == 8) s = _mm_cvtsi64_si128(int64_t(load<uint64_t>(cpu, a)));
    else if constexpr (Bytes == 4) s = _mm_cvtsi32_si128(int(load<uint32_t>(cpu, a)));
    else s = _mm_cvtsi32_si128(load<uint16_t>(cpu, a));
  }
  put(cpu.xmm[in.reg], Op(s));
}

template <auto Op, unsigned Bytes>
bool bind_pmovx(const Enc& e, Insn& out) {
  return set_fn<pmovx<Op, Bytes, Form::Reg>, pmovx<Op, Bytes, Form::Mem>>(e, out);
}

// PHMINPOSUW xmm1, xmm2/m128: dest = f(src) only.
template <Form F>
void phminposuw(Cpu& cpu, const Insn& in) {
  put(cpu.xmm[in.reg], _mm_minpos_epu16(get_i(src128<F>(cpu, in))));
}

// MOVNTDQA xmm, m128 (aligned; the non-temporal hint means nothing here).
void movntdqa(Cpu& cpu, const Insn& in) { cpu.xmm[in.reg] = src128<Form::MemA>(cpu, in); }

// ---- imm8 forms --------------------------------------------------------------------

// ROUNDPS/PD xmm1, xmm2/m128 and ROUNDSS/SD xmm1, xmm2/m32/m64 with the
// imm8's low nibble (bits 1:0 mode, 2 use MXCSR.RC, 3 suppress precision).
template <unsigned Imm, unsigned Kind, Form F>
void round_op(Cpu& cpu, const Insn& in) {
  Xmm s;
  if constexpr (Kind < 2) s = src128<F>(cpu, in);
  else s = src_low<F, Kind == 2 ? 4 : 8>(cpu, in);
  const Xmm d = cpu.xmm[in.reg];
  if constexpr (Kind == 0) {
    const __m128 b = getv<__m128>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return _mm_round_ps(b, Imm); }));
  } else if constexpr (Kind == 1) {
    const __m128d b = getv<__m128d>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return _mm_round_pd(b, Imm); }));
  } else if constexpr (Kind == 2) {
    const __m128 a = getv<__m128>(d), b = getv<__m128>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return _mm_round_ss(a, b, Imm); }));
  } else {
    const __m128d a = getv<__m128d>(d), b = getv<__m128d>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return _mm_round_sd(a, b, Imm); }));
  }
}

// DPPS/DPPD xmm1, xmm2/m128, imm8. In asm: GCC may treat the intrinsic as
// commutative and swap the operands, which changes which NaN propagates.
template <unsigned Imm>
__m128 dpps_host(__m128 a, __m128 b) {
  asm("dpps %2, %1, %0" : "+x"(a) : "x"(b), "i"(Imm));
  return a;
}
template <unsigned Imm>
__m128d dppd_host(__m128d a, __m128d b) {
  asm("dppd %2, %1, %0" : "+x"(a) : "x"(b), "i"(Imm));
  return a;
}

template <unsigned Imm, bool Double, Form F>
void dp(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  if constexpr (Double) {
    const __m128d a = getv<__m128d>(cpu.xmm[in.reg]), b = getv<__m128d>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return dppd_host<Imm>(a, b); }));
  } else {
    const __m128 a = getv<__m128>(cpu.xmm[in.reg]), b = getv<__m128>(s);
    put(cpu.xmm[in.reg], fp_op(cpu, in, [&] { return dpps_host<Imm>(a, b); }));
  }
}

// MPSADBW xmm1, xmm2/m128, imm8 (bits 2:0 used).
template <unsigned Imm, Form F>
void mpsadbw(Cpu& cpu, const Insn& in) {
  const V s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], _mm_mpsadbw_epu8(get_i(cpu.xmm[in.reg]), s, Imm));
}

// Handler tables indexed by imm8 value, built at compile time.
template <template <unsigned> class H, unsigned... I>
constexpr std::array<Handler, sizeof...(I)> imm_table(std::integer_sequence<unsigned, I...>) {
  return {H<I>::fn...};
}
template <unsigned Kind, Form F>
struct RoundH {
  template <unsigned I>
  struct T { static constexpr Handler fn = &threaded<round_op<I, Kind, F>>; };
};
template <bool Double, Form F>
struct DpH {
  template <unsigned I>
  struct T { static constexpr Handler fn = &threaded<dp<I, Double, F>>; };
};
template <Form F>
struct MpsadH {
  template <unsigned I>
  struct T { static constexpr Handler fn = &threaded<mpsadbw<I, F>>; };
};

template <unsigned Kind>
bool bind_round(const Enc& e, Insn& out) {
  constexpr Form M = Kind < 2 ? Form::MemA : Form::Mem;
  static constexpr auto reg = imm_table<RoundH<Kind, Form::Reg>::template T>(std::make_integer_sequence<unsigned, 16>());
  static constexpr auto mem = imm_table<RoundH<Kind, M>::template T>(std::make_integer_sequence<unsigned, 16>());
  out.fn = (e.mem ? mem : reg)[e.imm & 15];  // imm8 bits 7:4 are ignored
  return true;
}

template <bool Double>
bool bind_dp(const Enc& e, Insn& out) {
  static constexpr auto reg = imm_table<DpH<Double, Form::Reg>::template T>(std::make_integer_sequence<unsigned, 256>());
  static constexpr auto mem = imm_table<DpH<Double, Form::MemA>::template T>(std::make_integer_sequence<unsigned, 256>());
  // DPPD looks at imm8 bits 5:4 and 1:0 only; the others select the same handler.
  out.fn = (e.mem ? mem : reg)[Double ? e.imm & 0x33 : e.imm];
  return true;
}

bool bind_mpsadbw(const Enc& e, Insn& out) {
  static constexpr auto reg = imm_table<MpsadH<Form::Reg>::template T>(std::make_integer_sequence<unsigned, 8>());
  static constexpr auto mem = imm_table<MpsadH<Form::MemA>::template T>(std::make_integer_sequence<unsigned, 8>());
  out.fn = (e.mem ? mem : reg)[e.imm & 7];
  return true;
}

// BLENDPS / BLENDPD / PBLENDW xmm1, xmm2/m128, imm8: element i from the
// source where imm8 bit i is set. Plain lane selection (no FP semantics).
template <unsigned Elem, Form F>
void blend_imm(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  Xmm& d = cpu.xmm[in.reg];
  const unsigned imm = unsigned(in.imm);
  if constexpr (Elem == 2) {
    for (unsigned i = 0; i < 8; i++)
      if (imm >> i & 1) d.w[i] = s.w[i];
  } else if constexpr (Elem == 4) {
    for (unsigned i = 0; i < 4; i++)
      if (imm >> i & 1) d.d[i] = s.d[i];
  } else {
    for (unsigned i = 0; i < 2; i++)
      if (imm >> i & 1) d.q[i] = s.q[i];
  }
}

// PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8: ModRM.reg is the
// XMM source; a register destination gets the element zero-extended to 64
// bits, a memory destination just the element.
template <class T, bool Mem>
void pextr(Cpu& cpu, const Insn& in) {
  constexpr unsigned n = 16 / sizeof(T);
  T v;
  std::memcpy(&v, reinterpret_cast<const uint8_t*>(&cpu.xmm[in.reg]) + sizeof(T) * (in.imm & (n - 1)), sizeof v);
  if constexpr (Mem) store<T>(cpu, effective_address(cpu, in), v);
  else cpu.gpr[in.rm] = v;
}

// PINSRB/PINSRD/PINSRQ xmm, r32/r64/m8/m32/m64, imm8.
template <class T, bool Mem>
void pinsr(Cpu& cpu, const Insn& in) {
  constexpr unsigned n = 16 / sizeof(T);
  T v;
  if constexpr (Mem) v = load<T>(cpu, effective_address(cpu, in));
  else v = T(cpu.gpr[in.rm]);
  std::memcpy(reinterpret_cast<uint8_t*>(&cpu.xmm[in.reg]) + sizeof(T) * (in.imm & (n - 1)), &v, sizeof v);
}

// INSERTPS xmm1, xmm2/m32, imm8: the source dword (register: element
// imm8[7:6]; memory: the m32) goes to element imm8[5:4]; then the elements
// set in imm8[3:0] are zeroed.
template <bool Mem>
void insertps(Cpu& cpu, const Insn& in) {
  const unsigned imm = unsigned(in.imm);
  uint32_t v;
  if constexpr (Mem) v = load<uint32_t>(cpu, effective_address(cpu, in));
  else v = cpu.xmm[in.rm].d[(imm >> 6) & 3];
  Xmm& d = cpu.xmm[in.reg];
  d.d[(imm >> 4) & 3] = v;
  for (unsigned i = 0; i < 4; i++)
    if (imm >> i & 1) d.d[i] = 0;
}

template <class T>
bool bind_pextr(const Enc& e, Insn& out) {
  return set_fn<pextr<T, false>, pextr<T, true>>(e, out);
}
template <class T>
bool bind_pinsr(const Enc& e, Insn& out) {
  return set_fn<pinsr<T, false>, pinsr<T, true>>(e, out);
}

using Ps = __m128;
using Pd = __m128d;

bool bind_0f38(const Enc& e, Insn& out) {
  switch (e.opcode) {
    case 0x10: return set_fn<blendv<[](V a, V b, V m) { return _mm_blendv_epi8(a, b, m); }, Form::Reg>,
                             blendv<[](V a, V b, V m) { return _mm_blendv_epi8(a, b, m); }, Form::MemA>>(e, out);
    case 0x14: return set_fn<blendv<[](V a, V b, V m) {
                               return _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b),
                                                                     _mm_castsi128_ps(m)));
                             }, Form::Reg>,
                             blendv<[](V a, V b, V m) {
                               return _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b),
                                                                     _mm_castsi128_ps(m)));
                             }, Form::MemA>>(e, out);
    case 0x15: return set_fn<blendv<[](V a, V b, V m) {
                               return _mm_castpd_si128(_mm_blendv_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(b),
                                                                     _mm_castsi128_pd(m)));
                             }, Form::Reg>,
                             blendv<[](V a, V b, V m) {
                               return _mm_castpd_si128(_mm_blendv_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(b),
                                                                     _mm_castsi128_pd(m)));
                             }, Form::MemA>>(e, out);
    case 0x17: return set_fn<ptest<Form::Reg>, ptest<Form::MemA>>(e, out);
    case 0x20: return bind_pmovx<[](V s) { return _mm_cvtepi8_epi16(s); }, 8>(e, out);
    case 0x21: return bind_pmovx<[](V s) { return _mm_cvtepi8_epi32(s); }, 4>(e, out);
    case 0x22: return bind_pmovx<[](V s) { return _mm_cvtepi8_epi64(s); }, 2>(e, out);
    case 0x23: return bind_pmovx<[](V s) { return _mm_cvtepi16_epi32(s); }, 8>(e, out);
    case 0x24: return bind_pmovx<[](V s) { return _mm_cvtepi16_epi64(s); }, 4>(e, out);
    case 0x25: return bind_pmovx<[](V s) { return _mm_cvtepi32_epi64(s); }, 8>(e, out);
    case 0x28: return bind_vop<[](V a, V b) { return _mm_mul_epi32(a, b); }>(e, out);
    case 0x29: return bind_vop<[](V a, V b) { return _mm_cmpeq_epi64(a, b); }>(e, out);
    case 0x2A: return set_fn<nullptr, movntdqa>(e, out);
    case 0x2B: return bind_vop<[](V a, V b) { return _mm_packus_epi32(a, b); }>(e, out);
    case 0x30: return bind_pmovx<[](V s) { return _mm_cvtepu8_epi16(s); }, 8>(e, out);
    case 0x31: return bind_pmovx<[](V s) { return _mm_cvtepu8_epi32(s); }, 4>(e, out);
    case 0x32: return bind_pmovx<[](V s) { return _mm_cvtepu8_epi64(s); }, 2>(e, out);
    case 0x33: return bind_pmovx<[](V s) { return _mm_cvtepu16_epi32(s); }, 8>(e, out);
    case 0x34: return bind_pmovx<[](V s) { return _mm_cvtepu16_epi64(s); }, 4>(e, out);
    case 0x35: return bind_pmovx<[](V s) { return _mm_cvtepu32_epi64(s); }, 8>(e, out);
    case 0x38: return bind_vop<[](V a, V b) { return _mm_min_epi8(a, b); }>(e, out);
    case 0x39: return bind_vop<[](V a, V b) { return _mm_min_epi32(a, b); }>(e, out);
    case 0x3A: return bind_vop<[](V a, V b) { return _mm_min_epu16(a, b); }>(e, out);
    case 0x3B: return bind_vop<[](V a, V b) { return _mm_min_epu32(a, b); }>(e, out);
    case 0x3C: return bind_vop<[](V a, V b) { return _mm_max_epi8(a, b); }>(e, out);
    case 0x3D: return bind_vop<[](V a, V b) { return _mm_max_epi32(a, b); }>(e, out);
    case 0x3E: return bind_vop<[](V a, V b) { return _mm_max_epu16(a, b); }>(e, out);
    case 0x3F: return bind_vop<[](V a, V b) { return _mm_max_epu32(a, b); }>(e, out);
    case 0x40: return bind_vop<[](V a, V b) { return _mm_mullo_epi32(a, b); }>(e, out);
    case 0x41: return set_fn<phminposuw<Form::Reg>, phminposuw<Form::MemA>>(e, out);
    default: return false;
  }
}

bool bind_0f3a(const Enc& e, Insn& out) {
  switch (e.opcode) {
    case 0x08: return bind_round<0>(e, out);
    case 0x09: return bind_round<1>(e, out);
    case 0x0A: return bind_round<2>(e, out);
    case 0x0B: return bind_round<3>(e, out);
    case 0x0C: return set_fn<blend_imm<4, Form::Reg>, blend_imm<4, Form::MemA>>(e, out);
    case 0x0D: return set_fn<blend_imm<8, Form::Reg>, blend_imm<8, Form::MemA>>(e, out);
    case 0x0E: return set_fn<blend_imm<2, Form::Reg>, blend_imm<2, Form::MemA>>(e, out);
    case 0x14: return bind_pextr<uint8_t>(e, out);
    case 0x15: return bind_pextr<uint16_t>(e, out);
    case 0x16: return e.w ? bind_pextr<uint64_t>(e, out) : bind_pextr<uint32_t>(e, out);
    case 0x17: return bind_pextr<uint32_t>(e, out);  // EXTRACTPS: the same bits
    case 0x20: return bind_pinsr<uint8_t>(e, out);
    case 0x21: return set_fn<insertps<false>, insertps<true>>(e, out);
    case 0x22: return e.w ? bind_pinsr<uint64_t>(e, out) : bind_pinsr<uint32_t>(e, out);
    case 0x40: return bind_dp<false>(e, out);
    case 0x41: return bind_dp<true>(e, out);
    case 0x42: return bind_mpsadbw(e, out);
    default: return false;
  }
}

}  // namespace

bool bind_sse41(const Enc& e, Insn& out) {
  // 66 is the mandatory prefix. With an F2/F3 as well these opcodes are #UD
  // (measured: F3 wins over 66 and they have no F3 form), which the decoder
  // already reports (sse_valid in decoder.cpp), so only 66 gets here.
  if (e.pfx != 0x66) return false;
  static const bool host_has = __builtin_cpu_supports("sse4.1");
  if (!host_has) return false;
  if (e.map == 2) return bind_0f38(e, out);
  if (e.map == 3) return bind_0f3a(e, out);
  return false;
}

}  // namespace emu::sse
