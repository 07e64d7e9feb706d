// x87 data transfer and control: FLD/FST/FSTP (m32, m64, m80, ST(i)),
// FILD/FIST/FISTP/FISTTP, the constant loads, FXCH, FCHS, FABS, FFREE(P),
// FINCSTP/FDECSTP, FNINIT, FNCLEX, FLDCW/FNSTCW, FNSTSW, FNOP and FWAIT.
// Condition codes follow the SDM's per-instruction tables (vol. 2): C1 is 0
// (or 1 on stack overflow, or the round-up indicator for stores), C0/C2/C3
// are left as they are where the SDM calls them undefined (what hardware does).
#include "emu/bind.h"
#include "emu/ops/x87.h"

namespace emu::x87 {
namespace {

void clear_c1(Cpu& cpu) { cpu.x87.fsw &= uint16_t(~kC1); }

// ---- loads -------------------------------------------------------------------------------
// FLD m32fp / m64fp: the conversion is exact, but an SNaN raises IE (and
// becomes a QNaN) and a denormal raises DE, so the host converts (an
// unmasked IE pushes nothing: Dest::Load).
template <class T>
void fld_mem(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const T m = load<T>(cpu, mem_addr(cpu, in));
  if (push_would_overflow(cpu)) return push(cpu, 0);
  Host h(cpu);
  long double r;
#define X87_FLD(MN)                                                                                 \
  asm volatile(X87_PRO X87_MARK MN " %[m]" X87_EPI_DEPTH("fldz")                                    \
               : "=t"(r), X87_OUT(h), X87_DEPTH_OUT(h), X87_T_OUT(h) : [m] "m"(m), X87_IN(h))
  if constexpr (sizeof(T) == 4) X87_FLD("flds");
  else X87_FLD("fldl");
#undef X87_FLD
  if (absorb(cpu, h.sw, kC1, Dest::Load)) push(cpu, r);
}

// FLD m80fp: no conversion, no exception.
void fld_m80(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  const uint64_t m = load<uint64_t>(cpu, a);
  const uint16_t e = load<uint16_t>(cpu, a + 8);
  clear_c1(cpu);
  push(cpu, make80(e, m));
}

// FLD ST(i): an empty ST(i) is a stack underflow that pushes the indefinite.
// The underflow takes precedence: no overflow is signalled as well (C1 = 0).
void fld_st(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const long double v = st(cpu, in.rm);
  clear_c1(cpu);
  if (empty(cpu, in.rm)) {
    if (!underflow(cpu)) return;
    cpu.x87.top = (cpu.x87.top - 1) & 7;
    return set_st(cpu, 0, indefinite());
  }
  push(cpu, v);
}

// FILD m16/m32/m64int: exact (64-bit significand).
template <class T>
void fild(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const T m = load<T>(cpu, mem_addr(cpu, in));
  clear_c1(cpu);
  push(cpu, static_cast<long double>(m));
}

// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: the irrational ones are
// rounded per RC, so the host produces them.
template <int K>
void fld_const(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (push_would_overflow(cpu)) return push(cpu, 0);
  Host h(cpu);
  long double r;
#define X87_CONST(N, MN) \
  if constexpr (K == N) asm volatile(X87_PRO MN X87_EPI : "=t"(r), X87_OUT(h) : X87_IN(h));
  X87_CONST(0, "fld1")
  X87_CONST(1, "fldl2t")
  X87_CONST(2, "fldl2e")
  X87_CONST(3, "fldpi")
  X87_CONST(4, "fldlg2")
  X87_CONST(5, "fldln2")
  X87_CONST(6, "fldz")
#undef X87_CONST
  absorb(cpu, h.sw, kC1);
  push(cpu, r);
}

// ---- stores ------------------------------------------------------------------------------
// FST/FSTP m32fp / m64fp: rounded per RC (and PC doesn't apply); C1 is the
// round-up indicator. An unmasked exception (OE and UE included) stores
// nothing and does not pop (finish_store).
template <class T, bool Pop>
void fst_mem(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  T m{};
  uint16_t sw = 0;
  const bool e = empty(cpu, 0);
  if (e) {
    if constexpr (sizeof(T) == 4) {
      const uint32_t qnan = 0xffc00000u;
      std::memcpy(&m, &qnan, 4);
    } else {
      const uint64_t qnan = 0xfff8000000000000ull;
      std::memcpy(&m, &qnan, 8);
    }
  } else {
    Host h(cpu);
    const long double v = st(cpu, 0);
    if constexpr (sizeof(T) == 4)
      asm volatile(X87_PRO "fsts %[m]" X87_EPI : [m] "=m"(m), X87_OUT(h) : "t"(v), X87_IN(h));
    else
      asm volatile(X87_PRO "fstl %[m]" X87_EPI : [m] "=m"(m), X87_OUT(h) : "t"(v), X87_IN(h));
    sw = h.sw;
  }
  finish_store(cpu, a, m, e, sw, Pop);
}

// FSTP m80fp: no exception but an empty ST0's stack fault.
void fstp_m80(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  const bool e = empty(cpu, 0);
  const long double v = e ? indefinite() : st(cpu, 0);
  // One 10-byte access: across a page boundary it is all or nothing, as on
  // the hardware (two stores could leave the first half written).
  struct {
    uint8_t b[10];
  } bytes;
  const uint64_t m = mant(v);
  const uint16_t x = se(v);
  std::memcpy(bytes.b, &m, 8);
  std::memcpy(bytes.b + 8, &x, 2);
  finish_store(cpu, a, bytes, e, 0, true);  // no exception: C1 = 0
}

// FST/FSTP ST(i) (and the FSTP1/8/9 aliases).
template <bool Pop>
void fst_st(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  clear_c1(cpu);
  long double v = st(cpu, 0);
  if (empty(cpu, 0)) {
    if (!underflow(cpu)) return;
    v = indefinite();
  }
  set_st(cpu, in.rm, v);
  if constexpr (Pop) pop(cpu);
}

// FIST/FISTP m16/m32/m64int (rounded per RC) and FISTTP (truncated, SSE3).
// Out of range or NaN: IE and the integer indefinite (the minimum value);
// unmasked, nothing is stored and nothing popped.
enum class IntStore : uint8_t { Round, Trunc };

template <class T, IntStore K, bool Pop>
void fist(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  T m{};
  uint16_t sw = 0;
  const bool e = empty(cpu, 0);
  if (e) {
    m = T(T(1) << (8 * sizeof(T) - 1));
  } else {
    Host h(cpu);
    const long double v = st(cpu, 0);
    // A copy is pushed and stored with pop, as FIST has no m64 form and
    // FISTTP always pops (unless an unmasked exception stops it).
#define X87_FIST(MN)                                                                                     \
  asm volatile(X87_PRO "fld %%st(0)\n\t" X87_MARK MN " %[m]" X87_EPI_DEPTH("fstp %%st(0)")                \
               : [m] "=m"(m), X87_OUT(h), X87_DEPTH_OUT(h), X87_T_OUT(h) : "t"(v), X87_IN(h))
    if constexpr (K == IntStore::Round) {
      if constexpr (sizeof(T) == 2) X87_FIST("fistps");
      else if constexpr (sizeof(T) == 4) X87_FIST("fistpl");
      else X87_FIST("fistpll");
    } else {
      if constexpr (sizeof(T) == 2) X87_FIST("fisttps");
      else if constexpr (sizeof(T) == 4) X87_FIST("fisttpl");
      else X87_FIST("fisttpll");
    }
#undef X87_FIST
    sw = h.sw;
  }
  finish_store(cpu, a, m, e, sw, Pop);
}

// ---- stack and sign ----------------------------------------------------------------------
// FXCH ST(i): empty operands are replaced by the indefinite (masked underflow).
void fxch(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  clear_c1(cpu);
  long double a = st(cpu, 0), b = st(cpu, in.rm);
  if (empty(cpu, 0) || empty(cpu, in.rm)) {
    if (!underflow(cpu)) return;
    if (empty(cpu, 0)) a = indefinite();
    if (empty(cpu, in.rm)) b = indefinite();
  }
  set_st(cpu, 0, b);
  set_st(cpu, in.rm, a);
}

// FCHS / FABS: sign-bit operations, no exception but underflow.
template <bool Abs>
void fsign(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  clear_c1(cpu);
  if (empty(cpu, 0)) {
    if (underflow(cpu)) set_st(cpu, 0, indefinite());
    return;
  }
  const long double v = st(cpu, 0);
  const uint16_t s = Abs ? uint16_t(se(v) & 0x7fff) : uint16_t(se(v) ^ 0x8000);
  set_st(cpu, 0, make80(s, mant(v)));
}

// FSTP1 (D9 D8+i, the undocumented alias): as FSTP ST(i), except that an
// empty ST(0) is not a stack fault: nothing is stored, it is just popped
// (measured on the AMD EPYC host the oracle test runs on).
void fstp1(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  if (!empty(cpu, 0)) return fst_st<true>(cpu, in);
  clear_c1(cpu);
  pop(cpu);
}

// FFREE ST(i) / FFREEP ST(i) (DF C0+i, frees then pops). C1 = 0 (the SDM
// says undefined; measured).
template <bool Pop>
void ffree(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  clear_c1(cpu);
  cpu.x87.valid &= uint8_t(~(1u << phys(cpu, in.rm)));
  if constexpr (Pop) pop(cpu);
}

// FINCSTP / FDECSTP: TOP +/- 1, tags unchanged, C1 = 0.
template <int D>
void fincdec(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  cpu.x87.top = (cpu.x87.top + D) & 7;
  clear_c1(cpu);
}

// ---- control -----------------------------------------------------------------------------
void fninit(Cpu& cpu, const Insn&) { init_keeping_registers(cpu.x87); }

void fnclex(Cpu& cpu, const Insn&) { cpu.x87.fsw &= uint16_t(~(kExc | kSF | kES | kB)); }

void fldcw(Cpu& cpu, const Insn& in) {
  wait(cpu, in);  // a control instruction that waits: no FIP/FOP
  X87& x = cpu.x87;
  x.fcw = loaded_fcw(load<uint16_t>(cpu, effective_address(cpu, in)));
  x.fsw = loaded_fsw(x.fsw, x.fcw);  // ES/B: the pending exceptions under the new masks
}

void fnstcw(Cpu& cpu, const Insn& in) { store<uint16_t>(cpu, effective_address(cpu, in), cpu.x87.fcw); }
void fnstsw_m(Cpu& cpu, const Insn& in) { store<uint16_t>(cpu, effective_address(cpu, in), status_word(cpu)); }
void fnstsw_ax(Cpu& cpu, const Insn&) {
  const uint16_t sw = status_word(cpu);
  std::memcpy(&cpu.gpr[RAX], &sw, 2);  // AX only
}

// FNOP: a non-control instruction (waits, records FIP/FOP: measured).
void fnop(Cpu& cpu, const Insn& in) { begin(cpu, in); }
// FWAIT: delivers a pending unmasked exception.
void fwait(Cpu& cpu, const Insn& in) { wait(cpu, in); }
// The 287 leftovers FNENI/FNDISI/FSETPM (DB E0/E1/E4): no-ops that neither
// wait nor record anything (measured).
void nop_287(Cpu&, const Insn&) {}

}  // namespace

bool bind_load_store(const Decoded& d, Insn& out) {
  if (d.opcode == 0x9B) return out.fn = fwait, true;
  const unsigned r = d.reg & 7;
  out.rm = d.modrm & 7;
  Handler h = nullptr;
  if (d.mod != 3) {
    switch (d.opcode) {
      case 0xD9:
        switch (r) {
          case 0: h = fld_mem<float>; break;
          case 2: h = fst_mem<float, false>; break;
          case 3: h = fst_mem<float, true>; break;
          case 5: h = fldcw; break;
          case 7: h = fnstcw; break;
        }
        break;
      case 0xDB:
        switch (r) {
          case 0: h = fild<int32_t>; break;
          case 1: h = fist<int32_t, IntStore::Trunc, true>; break;
          case 2: h = fist<int32_t, IntStore::Round, false>; break;
          case 3: h = fist<int32_t, IntStore::Round, true>; break;
          case 5: h = fld_m80; break;
          case 7: h = fstp_m80; break;
        }
        break;
      case 0xDD:
        switch (r) {
          case 0: h = fld_mem<double>; break;
          case 1: h = fist<int64_t, IntStore::Trunc, true>; break;
          case 2: h = fst_mem<double, false>; break;
          case 3: h = fst_mem<double, true>; break;
          case 7: h = fnstsw_m; break;
        }
        break;
      case 0xDF:
        switch (r) {
          case 0: h = fild<int16_t>; break;
          case 1: h = fist<int16_t, IntStore::Trunc, true>; break;
          case 2: h = fist<int16_t, IntStore::Round, false>; break;
          case 3: h = fist<int16_t, IntStore::Round, true>; break;
          case 5: h = fild<int64_t>; break;
          case 7: h = fist<int64_t, IntStore::Round, true>; break;
        }
        break;
    }
  } else {
    const unsigned m = d.modrm;
    switch (d.opcode) {
      case 0xD9:
        if (r == 0) h = fld_st;
        else if (r == 1) h = fxch;
        else if (r == 3) h = fstp1;
        else if (m == 0xD0) h = fnop;
        else if (m == 0xE0) h = fsign<false>;
        else if (m == 0xE1) h = fsign<true>;
        else if (m >= 0xE8 && m <= 0xEE) {
          static constexpr Handler k[] = {fld_const<0>, fld_const<1>, fld_const<2>, fld_const<3>,
                                          fld_const<4>, fld_const<5>, fld_const<6>};
          h = k[m - 0xE8];
        } else if (m == 0xF6) h = fincdec<-1>;
        else if (m == 0xF7) h = fincdec<1>;
        break;
      case 0xDB:
        if (m == 0xE2) h = fnclex;
        else if (m == 0xE3) h = fninit;
        else if (m == 0xE0 || m == 0xE1 || m == 0xE4) h = nop_287;
        break;
      case 0xDD:
        if (r == 0) h = ffree<false>;
        else if (r == 1) h = fxch;  // FXCH4
        else if (r == 2) h = fst_st<false>;
        else if (r == 3) h = fst_st<true>;
        break;
      case 0xDF:
        if (r == 0) h = ffree<true>;  // FFREEP
        else if (r == 1) h = fxch;    // FXCH7
        else if (r == 2 || r == 3) h = fst_st<true>;  // FSTP8/9
        else if (m == 0xE0) h = fnstsw_ax;
        break;
    }
  }
  if (!h) return false;
  out.fn = h;
  return true;
}

}  // namespace emu::x87
