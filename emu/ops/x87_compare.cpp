// x87 comparisons and classification: FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/
// FUCOMPP, FICOM/FICOMP, FTST, FXAM (C0-C3), FCOMI/FCOMIP/FUCOMI/FUCOMIP
// (ZF/PF/CF), and FCMOVcc.
#include "emu/bind.h"
#include "emu/flags.h"
#include "emu/ops/x87.h"

namespace emu::x87 {
namespace {

enum class Kind : uint8_t { Ordered, Unordered };  // FCOM raises IE on any NaN, FUCOM on SNaN only

// The host status word after comparing a (host ST0) with b.
template <Kind K, Src S, class B>
inline uint16_t host_compare(Host& h, long double a, const B& b) {
#define X87_CMP(COND, MN, BC)                                                              \
  if constexpr (COND) asm volatile(X87_PRO MN X87_EPI : X87_OUT(h) : "t"(a), BC(b), X87_IN(h));
#define X87_U(b) "u"(b)
#define X87_M(b) [m] "m"(b)
  X87_CMP(S == Src::St && K == Kind::Ordered, "fcom %%st(1)", X87_U)
  X87_CMP(S == Src::St && K == Kind::Unordered, "fucom %%st(1)", X87_U)
  X87_CMP(S == Src::F32, "fcoms %[m]", X87_M)
  X87_CMP(S == Src::F64, "fcoml %[m]", X87_M)
  X87_CMP(S == Src::I16, "ficoms %[m]", X87_M)
  X87_CMP(S == Src::I32, "ficoml %[m]", X87_M)
#undef X87_CMP
#undef X87_U
#undef X87_M
  return h.sw;
}

// A compare sets its condition codes (or RFLAGS) even when an unmasked
// exception (an invalid or denormal operand, a stack underflow) stops it:
// only the pops of FCOMP/FCOMPP/FCOMIP... are then left out (delivers();
// measured on this host: tests/emu/x87_oracle_test.cpp).

// An empty operand: stack underflow, and "unordered" (C3 = C2 = C0 = 1).
// Returns delivers().
inline bool compare_underflow(Cpu& cpu) {
  const bool deliver = underflow(cpu);
  cpu.x87.fsw |= kC0 | kC2 | kC3;
  return deliver;
}

// FCOM/FUCOM ST(i) (and the P/PP forms): C3 C2 C0 = 000 >, 001 <, 100 =, 111 unordered; C1 = 0.
template <Kind K, int Pops>
void fcom_reg(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  bool deliver;
  if (empty(cpu, 0) || empty(cpu, in.rm)) {
    deliver = compare_underflow(cpu);
  } else {
    Host h(cpu);
    deliver = absorb(cpu, host_compare<K, Src::St>(h, st(cpu, 0), st(cpu, in.rm)), kCC);
  }
  if (deliver)
    for (int i = 0; i < Pops; i++) pop(cpu);
}

template <Src S, bool Pop>
void fcom_mem(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  using T = typename SrcType<S>::T;
  const T m = load<T>(cpu, mem_addr(cpu, in));
  bool deliver;
  if (empty(cpu, 0)) {
    deliver = compare_underflow(cpu);
  } else {
    Host h(cpu);
    deliver = absorb(cpu, host_compare<Kind::Ordered, S>(h, st(cpu, 0), m), kCC);
  }
  if (Pop && deliver) pop(cpu);
}

// FTST: compare ST(0) with +0.0.
void ftst(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (empty(cpu, 0)) {
    compare_underflow(cpu);
    return;
  }
  Host h(cpu);
  const long double a = st(cpu, 0);
  asm volatile(X87_PRO "ftst" X87_EPI : X87_OUT(h) : "t"(a), X87_IN(h));
  absorb(cpu, h.sw, kCC);
}

// FXAM: class in C3 C2 C0, sign in C1; an empty register is C3 C0 = 1 0 1
// (its sign bit still reported in C1). No exceptions.
void fxam(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const long double a = st(cpu, 0);
  uint16_t cc;
  if (empty(cpu, 0)) {
    cc = uint16_t(kC3 | kC0 | ((se(a) & 0x8000) ? kC1 : 0));
  } else {
    Host h(cpu);
    asm volatile(X87_PRO "fxam" X87_EPI : X87_OUT(h) : "t"(a), X87_IN(h));
    cc = h.sw & kCC;
  }
  cpu.x87.fsw = uint16_t((cpu.x87.fsw & ~kCC) | cc);
}

// FCOMI/FUCOMI ST(0), ST(i) (+P): ZF PF CF = C3 C2 C0 of the same
// comparison, OF SF AF = 0; FSW's condition codes are unchanged (C1 too,
// though the SDM says 0: measured) except on underflow.
template <Kind K, bool Pop>
void fcomi(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  uint64_t bits = kZF | kPF | kCF;
  bool deliver;
  if (empty(cpu, 0) || empty(cpu, in.rm)) {
    deliver = underflow(cpu);
  } else {
    Host h(cpu);
    const uint16_t sw = host_compare<K, Src::St>(h, st(cpu, 0), st(cpu, in.rm));
    bits = ((sw & kC3) ? kZF : 0) | ((sw & kC2) ? kPF : 0) | ((sw & kC0) ? kCF : 0);
    deliver = absorb(cpu, sw, 0);
  }
  flags::set_explicit(cpu.flags, bits);
  if (Pop && deliver) pop(cpu);
}

// FCMOVcc ST(0), ST(i); the condition is a Jcc condition code. Either
// operand empty is a stack underflow whether or not the move happens
// (as Bochs does); ST(0) then becomes the indefinite.
template <unsigned CC>
void fcmov(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (empty(cpu, 0) || empty(cpu, in.rm)) {
    if (underflow(cpu)) set_st(cpu, 0, indefinite());
    return;
  }
  if (eval_cond(cpu, CC)) st(cpu, 0) = st(cpu, in.rm);
}

}  // namespace

bool bind_compare(const Decoded& d, Insn& out) {
  const unsigned r = d.reg & 7;
  const unsigned m = d.modrm;
  out.rm = d.modrm & 7;
  Handler h = nullptr;
  if (d.mod != 3) {
    if (r == 2 || r == 3) {
      const bool p = r == 3;
      switch (d.opcode) {
        case 0xD8: h = p ? fcom_mem<Src::F32, true> : fcom_mem<Src::F32, false>; break;
        case 0xDC: h = p ? fcom_mem<Src::F64, true> : fcom_mem<Src::F64, false>; break;
        case 0xDA: h = p ? fcom_mem<Src::I32, true> : fcom_mem<Src::I32, false>; break;
        case 0xDE: h = p ? fcom_mem<Src::I16, true> : fcom_mem<Src::I16, false>; break;
      }
    }
  } else {
    switch (d.opcode) {
      case 0xD8:
      case 0xDC:  // DC D0/D8: FCOM2/FCOMP3 aliases
        if (r == 2) h = fcom_reg<Kind::Ordered, 0>;
        else if (r == 3) h = fcom_reg<Kind::Ordered, 1>;
        break;
      case 0xD9:
        if (m == 0xE4) h = ftst;
        else if (m == 0xE5) h = fxam;
        break;
      case 0xDA: {
        static constexpr Handler k[] = {fcmov<0x2>, fcmov<0x4>, fcmov<0x6>, fcmov<0xA>};
        if (r < 4) h = k[r];
        else if (m == 0xE9) h = fcom_reg<Kind::Unordered, 2>;  // FUCOMPP (rm = 1)
        break;
      }
      case 0xDB: {
        static constexpr Handler k[] = {fcmov<0x3>, fcmov<0x5>, fcmov<0x7>, fcmov<0xB>};
        if (r < 4) h = k[r];
        else if (r == 5) h = fcomi<Kind::Unordered, false>;
        else if (r == 6) h = fcomi<Kind::Ordered, false>;
        break;
      }
      case 0xDD:
        if (r == 4) h = fcom_reg<Kind::Unordered, 0>;
        else if (r == 5) h = fcom_reg<Kind::Unordered, 1>;
        break;
      case 0xDE:
        if (r == 2) h = fcom_reg<Kind::Ordered, 1>;  // FCOMP5
        else if (m == 0xD9) h = fcom_reg<Kind::Ordered, 2>;  // FCOMPP
        break;
      case 0xDF:
        if (r == 5) h = fcomi<Kind::Unordered, true>;
        else if (r == 6) h = fcomi<Kind::Ordered, true>;
        break;
    }
  }
  if (!h) return false;
  out.fn = h;
  return true;
}

}  // namespace emu::x87
