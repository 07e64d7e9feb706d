// x87 arithmetic: FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR in every form (m32fp,
// m64fp, m16int/m32int via FIxxx, ST(0),ST(i), ST(i),ST(0), the P forms), and
// the one-instruction functions FSQRT, FRNDINT, FSCALE, FPREM, FPREM1,
// FXTRACT, F2XM1, FYL2X, FYL2XP1, FPATAN, FPTAN, FSIN, FCOS, FSINCOS. Each
// runs the same host instruction under the guest's control word (x87.h).
#include "emu/bind.h"
#include "emu/ops/x87.h"

namespace emu::x87 {
namespace {

enum class Op : uint8_t { Add, Mul, Sub, Subr, Div, Divr };

// a = a OP b on the host. For Src::St, b is a long double in host ST1; for
// the memory forms, b is the memory operand itself (converted by the host
// instruction, so an SNaN or denormal source raises IE/DE as on hardware).
#define X87_BIN(OP, MN)                                                                              \
  template <Src S, class B>                                                                          \
  inline long double calc_##OP(Host& h, long double a, const B& b) {                                 \
    if constexpr (S == Src::St)                                                                      \
      asm volatile(X87_PRO "f" MN " %%st(1), %%st" X87_EPI : "=t"(a), X87_OUT(h) : "0"(a), "u"(b),   \
                   X87_IN(h));                                                                       \
    else if constexpr (S == Src::F32)                                                                \
      asm volatile(X87_PRO "f" MN "s %[m]" X87_EPI : "=t"(a), X87_OUT(h) : "0"(a), [m] "m"(b),       \
                   X87_IN(h));                                                                       \
    else if constexpr (S == Src::F64)                                                                \
      asm volatile(X87_PRO "f" MN "l %[m]" X87_EPI : "=t"(a), X87_OUT(h) : "0"(a), [m] "m"(b),       \
                   X87_IN(h));                                                                       \
    else if constexpr (S == Src::I16)                                                                \
      asm volatile(X87_PRO "fi" MN "s %[m]" X87_EPI : "=t"(a), X87_OUT(h) : "0"(a), [m] "m"(b),      \
                   X87_IN(h));                                                                       \
    else                                                                                             \
      asm volatile(X87_PRO "fi" MN "l %[m]" X87_EPI : "=t"(a), X87_OUT(h) : "0"(a), [m] "m"(b),      \
                   X87_IN(h));                                                                       \
    return a;                                                                                        \
  }
X87_BIN(add, "add")
X87_BIN(mul, "mul")
X87_BIN(sub, "sub")
X87_BIN(subr, "subr")
X87_BIN(div, "div")
X87_BIN(divr, "divr")
#undef X87_BIN

template <Op O, Src S, class B>
inline long double calc(Host& h, long double a, const B& b) {
  if constexpr (O == Op::Add) return calc_add<S>(h, a, b);
  else if constexpr (O == Op::Mul) return calc_mul<S>(h, a, b);
  else if constexpr (O == Op::Sub) return calc_sub<S>(h, a, b);
  else if constexpr (O == Op::Subr) return calc_subr<S>(h, a, b);
  else if constexpr (O == Op::Div) return calc_div<S>(h, a, b);
  else return calc_divr<S>(h, a, b);
}

// ST(0) = ST(0) OP m.
template <Op O, Src S>
void arith_mem(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  using T = typename SrcType<S>::T;
  const T m = load<T>(cpu, mem_addr(cpu, in));
  if (empty(cpu, 0)) {
    if (underflow(cpu)) set_st(cpu, 0, indefinite());
    return;
  }
  Host h(cpu);
  const long double r = calc<O, S>(h, st(cpu, 0), m);
  if (absorb(cpu, h.sw, kC1)) st(cpu, 0) = r;
}

// D8: ST(0) = ST(0) OP ST(i). DC/DE: ST(i) = ST(i) OP ST(0), then DE pops.
template <Op O, bool ToSti, bool Pop>
void arith_reg(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const unsigned d = ToSti ? in.rm : 0, s = ToSti ? 0 : in.rm;
  long double r = indefinite();
  bool deliver;
  if (empty(cpu, d) || empty(cpu, s)) {
    deliver = underflow(cpu);
  } else {
    Host h(cpu);
    r = calc<O, Src::St>(h, st(cpu, d), st(cpu, s));
    deliver = absorb(cpu, h.sw, kC1);
  }
  if (!deliver) return;
  set_st(cpu, d, r);
  if constexpr (Pop) pop(cpu);
}

// ---- functions of ST(0) ---------------------------------------------------------
enum class Fn : uint8_t { Sqrt, Rndint, F2xm1, Sin, Cos, Scale, Prem, Prem1, Yl2x, Yl2xp1, Patan, Ptan, Sincos, Xtract };

// ST(0) = f(ST(0)). FSIN/FCOS leave an operand outside +-2^63 unchanged and
// set C2 (the host does the same), so C2 comes from the host.
template <Fn F>
void unary(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (empty(cpu, 0)) {
    if (F == Fn::Sin || F == Fn::Cos) cpu.x87.fsw &= uint16_t(~kC2);
    if (underflow(cpu)) set_st(cpu, 0, indefinite());
    return;
  }
  HostCc h(cpu);
  long double a = st(cpu, 0);
#define X87_UN(K, MN)                                                                                   \
  if constexpr (F == K)                                                                                 \
    asm volatile(X87_PRO_CC MN X87_EPI : "=t"(a), X87_OUT(h), X87_CC_OUT(h) : "0"(a), X87_IN(h), X87_CC_IN(h));
  X87_UN(Fn::Sqrt, "fsqrt")
  X87_UN(Fn::Rndint, "frndint")
  X87_UN(Fn::F2xm1, "f2xm1")
  X87_UN(Fn::Sin, "fsin")
  X87_UN(Fn::Cos, "fcos")
#undef X87_UN
  if (absorb(cpu, h.sw, (F == Fn::Sin || F == Fn::Cos) ? uint16_t(kC1 | kC2) : kC1)) st(cpu, 0) = a;
}

// ST(0) = f(ST(0), ST(1)): FSCALE, FPREM, FPREM1 (these two set C0/C1/C3 to
// the low quotient bits and C2 when the reduction is incomplete).
template <Fn F>
void binary(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (empty(cpu, 0) || empty(cpu, 1)) {
    if (F != Fn::Scale) cpu.x87.fsw &= uint16_t(~kC2);  // measured
    if (underflow(cpu)) set_st(cpu, 0, indefinite());
    return;
  }
  HostCc h(cpu);
  long double a = st(cpu, 0);
  const long double b = st(cpu, 1);
#define X87_BI(K, MN)                                                                                  \
  if constexpr (F == K)                                                                                \
    asm volatile(X87_PRO_CC MN X87_EPI : "=t"(a), X87_OUT(h), X87_CC_OUT(h) : "0"(a), "u"(b), X87_IN(h), \
                 X87_CC_IN(h));
  X87_BI(Fn::Scale, "fscale")
  X87_BI(Fn::Prem, "fprem")
  X87_BI(Fn::Prem1, "fprem1")
#undef X87_BI
  if (absorb(cpu, h.sw, F == Fn::Scale ? kC1 : kCC)) st(cpu, 0) = a;
}

// ST(1) = f(ST(1), ST(0)), then pop: FYL2X, FYL2XP1, FPATAN.
template <Fn F>
void binary_pop(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  long double r = indefinite();
  bool deliver;
  if (empty(cpu, 0) || empty(cpu, 1)) {
    deliver = underflow(cpu);
  } else {
    Host h(cpu);
    const long double x = st(cpu, 0), y = st(cpu, 1);
#define X87_BP(K, MN)                                                                                     \
  if constexpr (F == K)                                                                                   \
    asm volatile(X87_PRO X87_MARK MN X87_EPI_DEPTH("fstp %%st(0)")                                        \
                 : "=t"(r), X87_OUT(h), X87_DEPTH_OUT(h), X87_T_OUT(h) : "0"(x), "u"(y), X87_IN(h) : "st(1)");
    X87_BP(Fn::Yl2x, "fyl2x")
    X87_BP(Fn::Yl2xp1, "fyl2xp1")
    X87_BP(Fn::Patan, "fpatan")
#undef X87_BP
    deliver = absorb(cpu, h.sw, kC1);
  }
  if (!deliver) return;
  set_st(cpu, 1, r);
  pop(cpu);
}

// ST(0) = g(ST(0)), then push f(ST(0)): FPTAN (pushes 1.0), FSINCOS (cos),
// FXTRACT (significand). An FPTAN/FSINCOS operand outside +-2^63 sets C2
// (C1 = 0) and changes nothing (checked here: the host instruction would
// not push; unnormals are invalid operands instead, which do push).
// Underflow or overflow: both results are the indefinite.
template <Fn F>
void unary_push(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (empty(cpu, 0) || push_would_overflow(cpu)) {
    if (F != Fn::Xtract) cpu.x87.fsw &= uint16_t(~kC2);
    if (!(empty(cpu, 0) ? underflow(cpu) : overflow(cpu))) return;
    set_st(cpu, 0, indefinite());
    cpu.x87.top = (cpu.x87.top - 1) & 7;
    return set_st(cpu, 0, indefinite());
  }
  const long double x = st(cpu, 0);
  if (F != Fn::Xtract && (se(x) & 0x7fff) != 0x7fff && (se(x) & 0x7fff) >= 0x3fff + 63 && (mant(x) >> 63)) {
    cpu.x87.fsw = uint16_t((cpu.x87.fsw | kC2) & ~kC1);
    return;
  }
  HostCc h(cpu);
  long double top, second;
#define X87_UP(K, MN)                                                                                  \
  if constexpr (F == K)                                                                                \
    asm volatile(X87_PRO_CC X87_MARK MN X87_EPI_DEPTH("fld %%st(0)")                                   \
                 : "=t"(top), "=u"(second), X87_OUT(h), X87_CC_OUT(h), X87_DEPTH_OUT(h)                 \
                 : "0"(x), X87_IN(h), X87_CC_IN(h));
  X87_UP(Fn::Ptan, "fptan")
  X87_UP(Fn::Sincos, "fsincos")
  X87_UP(Fn::Xtract, "fxtract")
#undef X87_UP
  if (!absorb(cpu, h.sw, F == Fn::Xtract ? kC1 : uint16_t(kC1 | kC2))) return;
  st(cpu, 0) = second;
  push(cpu, top);
}

using Arith = Handler[8];
// Memory forms by ModRM.reg (D8/DC/DA/DE: /2 and /3 are the compares, bound elsewhere).
template <Src S>
constexpr Arith kMem = {arith_mem<Op::Add, S>, arith_mem<Op::Mul, S>, nullptr, nullptr,
                        arith_mem<Op::Sub, S>, arith_mem<Op::Subr, S>, arith_mem<Op::Div, S>,
                        arith_mem<Op::Divr, S>};
// D8 register forms: ST(0) = ST(0) op ST(i).
constexpr Arith kD8 = {arith_reg<Op::Add, false, false>, arith_reg<Op::Mul, false, false>, nullptr, nullptr,
                       arith_reg<Op::Sub, false, false>, arith_reg<Op::Subr, false, false>,
                       arith_reg<Op::Div, false, false>, arith_reg<Op::Divr, false, false>};
// DC/DE register forms: destination ST(i); /4 is FSUBR, /5 FSUB, /6 FDIVR, /7
// FDIV (SDM: DC E0+i is FSUBR ST(i),ST(0), i.e. ST(i) = ST(0) - ST(i)).
template <bool Pop>
constexpr Arith kToSti = {arith_reg<Op::Add, true, Pop>, arith_reg<Op::Mul, true, Pop>, nullptr, nullptr,
                          arith_reg<Op::Subr, true, Pop>, arith_reg<Op::Sub, true, Pop>,
                          arith_reg<Op::Divr, true, Pop>, arith_reg<Op::Div, true, Pop>};

Handler d9_function(unsigned m) {
  switch (m) {
    case 0xF0: return unary<Fn::F2xm1>;
    case 0xF1: return binary_pop<Fn::Yl2x>;
    case 0xF2: return unary_push<Fn::Ptan>;
    case 0xF3: return binary_pop<Fn::Patan>;
    case 0xF4: return unary_push<Fn::Xtract>;
    case 0xF5: return binary<Fn::Prem1>;
    case 0xF8: return binary<Fn::Prem>;
    case 0xF9: return binary_pop<Fn::Yl2xp1>;
    case 0xFA: return unary<Fn::Sqrt>;
    case 0xFB: return unary_push<Fn::Sincos>;
    case 0xFC: return unary<Fn::Rndint>;
    case 0xFD: return binary<Fn::Scale>;
    case 0xFE: return unary<Fn::Sin>;
    case 0xFF: return unary<Fn::Cos>;
    default: return nullptr;
  }
}

}  // namespace

bool bind_arith(const Decoded& d, Insn& out) {
  const unsigned r = d.reg & 7;
  out.rm = d.modrm & 7;
  Handler h = nullptr;
  if (d.mod != 3) {
    switch (d.opcode) {
      case 0xD8: h = kMem<Src::F32>[r]; break;
      case 0xDA: h = kMem<Src::I32>[r]; break;
      case 0xDC: h = kMem<Src::F64>[r]; break;
      case 0xDE: h = kMem<Src::I16>[r]; break;
    }
  } else {
    switch (d.opcode) {
      case 0xD8: h = kD8[r]; break;
      case 0xD9: h = d9_function(d.modrm); break;
      case 0xDC: h = kToSti<false>[r]; break;
      case 0xDE: h = kToSti<true>[r]; break;
    }
  }
  if (!h) return false;
  out.fn = h;
  return true;
}

}  // namespace emu::x87
