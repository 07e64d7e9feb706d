// x87 packed BCD: FBLD m80bcd (DF /4) and FBSTP m80bcd (DF /6).
//
// The 10-byte format: 18 decimal digits, two per byte from the least
// significant (low nibble first), and a sign byte whose bit 7 is the sign.
// Both conversions run on the host's x87 under the guest's control word
// (x87.h), so the results are the hardware's in the cases the SDM leaves
// open: FBLD of invalid digits (nibbles A-F; "undefined"), the sign byte's
// other bits, and FBSTP's rounding per RC of a non-integer, its IE plus the
// BCD indefinite (FFFF C000 0000 0000 0000) for NaN, infinity and magnitudes
// that don't round below 10^18. The oracle test compares them with the host.
#include "emu/bind.h"
#include "emu/ops/x87.h"

namespace emu::x87 {
namespace {

struct Bcd {
  uint8_t b[10];
};

// FBLD m80bcd: pushes the value (exact: 18 digits fit the 64-bit
// significand). Stack overflow pushes the indefinite.
void fbld(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  Bcd m;
  const uint64_t lo = load<uint64_t>(cpu, a);
  const uint16_t hi = load<uint16_t>(cpu, a + 8);
  std::memcpy(m.b, &lo, 8);
  std::memcpy(m.b + 8, &hi, 2);
  if (push_would_overflow(cpu)) return push(cpu, 0);
  Host h(cpu);
  long double r;
  asm volatile(X87_PRO X87_MARK "fbld %[m]" X87_EPI_DEPTH("fldz")
               : "=t"(r), X87_OUT(h), X87_DEPTH_OUT(h), X87_T_OUT(h) : [m] "m"(m), X87_IN(h));
  if (absorb(cpu, h.sw, kC1)) push(cpu, r);
}

// FBSTP m80bcd: stores ST(0) rounded per RC, then pops. An empty ST(0) is a
// stack underflow that stores the BCD indefinite (what the host stores for
// the QNaN indefinite). Memory is written before the stack changes, as one
// 10-byte access (all or nothing across a page boundary). An unmasked
// exception stores nothing and does not pop.
void fbstp(Cpu& cpu, const Insn& in) {
  begin(cpu, in);
  const uint64_t a = mem_addr(cpu, in);
  const bool e = empty(cpu, 0);
  uint16_t sw = 0;
  Bcd m{};
  if (!e) {
    Host h(cpu);
    const long double v = st(cpu, 0);
    // A copy is pushed and popped by the store, so the compiler's view of
    // the host stack (v in ST0) stays true.
    asm volatile(X87_PRO "fld %%st(0)\n\t" X87_MARK "fbstp %[m]" X87_EPI_DEPTH("fstp %%st(0)")
                 : [m] "=m"(m), X87_OUT(h), X87_DEPTH_OUT(h), X87_T_OUT(h) : "t"(v), X87_IN(h));
    sw = h.sw;
  } else {
    // The BCD indefinite.
    m.b[7] = 0xc0;
    m.b[8] = m.b[9] = 0xff;
  }
  finish_store(cpu, a, m, e, sw, true);
}

}  // namespace

bool bind_bcd(const Decoded& d, Insn& out) {
  if (d.opcode != 0xDF || d.mod == 3) return false;
  const unsigned r = d.reg & 7;
  if (r == 4) return out.fn = fbld, true;
  if (r == 6) return out.fn = fbstp, true;
  return false;
}

}  // namespace emu::x87
