// Shared by the x87 handler files (emu/ops/x87_*.cpp): the register stack,
// the status word, and the host-FPU wrapper every computing handler uses.
//
// Guest x87 arithmetic runs on the host's x87 (x86-64 hosts have one, and
// `long double` is its 80-bit format), under the guest's control word, so
// results, the precision-control and rounding-control effects, the C1
// round-up indicator, the exception flags and the responses to unmasked
// exceptions are the hardware's by construction. Each computing handler is
// one inline-asm statement that
//   saves the host control word, loads the guest's (its exception masks
//   included), clears the host's exception flags, runs the instruction on
//   values the compiler placed in host ST0/ST1, reads the host status word,
//   clears the host's exceptions again if one is pending (so the host never
//   traps) and restores the host control word,
// so nothing the compiler generates can run under the guest's modes. The
// host stack is only ever used by those two or three operands; the guest's
// stack (TOP, tags, over/underflow) is emulated here.
//
// Exceptions: flags are ORed into the guest's status word. When the guest
// has unmasked one that occurred, ES and B are set as on hardware, and the
// next waiting instruction delivers SIGFPE (wait() below), as Linux does for
// #MF. What the instruction itself then does to its destination and the
// stack is decided in one place, delivers() below, from the exceptions the
// host reported (or the stack fault emulated here) and the guest's masks.
#pragma once

#include <cstdint>
#include <cstring>

#include "emu/cpu.h"
#include "emu/insn.h"
#include "emu/memory.h"

namespace emu::x87 {

// Status-word bits (SDM vol. 1, 8.1.3).
inline constexpr uint16_t kIE = 1 << 0, kDE = 1 << 1, kZE = 1 << 2, kOE = 1 << 3, kUE = 1 << 4,
                          kPE = 1 << 5, kSF = 1 << 6, kES = 1 << 7, kC0 = 1 << 8, kC1 = 1 << 9,
                          kC2 = 1 << 10, kC3 = 1 << 14, kB = 1 << 15;
inline constexpr uint16_t kExc = 0x3f;
inline constexpr uint16_t kCC = kC0 | kC1 | kC2 | kC3;
inline constexpr uint16_t kTopMask = 7 << 11;

// FNINIT's state (also after FNSAVE): the registers keep their contents,
// only the tags say empty.
inline void init_keeping_registers(X87& x) {
  x.fcw = 0x037f;
  x.fsw = 0;
  x.top = 0;
  x.valid = 0;
  x.fop = 0;
  x.fcs = 0;
  x.fip = 0;
  x.fdp = 0;
}

// A control word as the FPU keeps it when loaded (FLDCW, FLDENV, FRSTOR,
// FXRSTOR): reserved bit 6 reads 1, bits 7 and 13-15 read 0 (this host; the
// infinity-control bit 12 is kept).
constexpr uint16_t loaded_fcw(uint16_t v) { return uint16_t((v & 0x1f3f) | 0x0040); }
// A status word as the FPU keeps it when loaded with `fcw` in force: ES and
// B summarise the pending unmasked exceptions, whatever the image said.
constexpr uint16_t loaded_fsw(uint16_t sw, uint16_t fcw) {
  sw = uint16_t(sw & ~(kES | kB));
  return (sw & kExc & ~fcw) ? uint16_t(sw | kES | kB) : sw;
}

// ---- 80-bit values ---------------------------------------------------------------
inline uint16_t se(long double v) {  // sign and exponent
  uint16_t x;
  std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + 8, 2);
  return x;
}
inline uint64_t mant(long double v) {
  uint64_t m;
  std::memcpy(&m, &v, 8);
  return m;
}
inline long double make80(uint16_t sexp, uint64_t m) {
  long double v = 0;  // zeroes the padding too
  std::memcpy(&v, &m, 8);
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 8, &sexp, 2);
  return v;
}
// The QNaN floating-point indefinite: the masked response to an invalid operation.
inline long double indefinite() { return make80(0xffff, 0xc000000000000000ull); }

// ---- the register stack ------------------------------------------------------------
inline unsigned phys(const Cpu& cpu, unsigned i) { return (cpu.x87.top + i) & 7; }
inline bool empty(const Cpu& cpu, unsigned i) { return !(cpu.x87.valid >> phys(cpu, i) & 1); }
inline long double& st(Cpu& cpu, unsigned i) { return cpu.x87.st[phys(cpu, i)]; }

// ---- committing a result -------------------------------------------------------------
// Where an instruction's result goes: the register stack (a register, a push
// or a pop; for compares the pops), memory, or the push of a converting load
// (FLD m32fp/m64fp).
enum class Dest : uint8_t { Reg, Mem, Load };

// Whether an instruction that raised `raised` (its exception flags) delivers
// its result: writes the destination and pushes or pops as it says. The
// one place the unmasked responses are decided (SDM vol. 1, 4.9.2 and 8.5):
//   IE (stack faults too), ZE, DE unmasked: detected before the operation;
//     destination, TOP and tags are left as they were (nothing stored,
//     nothing pushed or popped).
//   OE, UE unmasked: to a register, the result with its exponent adjusted by
//     24576 (the host instruction, run unmasked, computed it, with C1) is
//     delivered as usual; to memory (FST/FSTP m32/m64) nothing is stored
//     and the stack is not popped.
//   PE unmasked, or any masked exception: the (masked) result is delivered.
//   A converting load (FLD m32fp/m64fp) of a denormal with DE unmasked is
//     not stopped on this AMD host: the value is pushed (measured); an
//     unmasked IE (an SNaN) pushes nothing.
// Either way the flags are set and, unmasked, the next waiting instruction
// delivers SIGFPE.
inline bool delivers(const Cpu& cpu, uint16_t raised, Dest d) {
  static constexpr uint16_t kStop[] = {kIE | kZE | kDE, kIE | kZE | kDE | kOE | kUE, kIE};
  return !(raised & ~cpu.x87.fcw & kStop[unsigned(d)]);
}

// A store that delivers() stops still has its destination checked first:
// this host faults on one it cannot write all the same (state unchanged,
// the exception not even flagged). So a stopped store checks its n <= 10
// bytes for writing (rewriting them with their own values, as
// probe_fpu_image does), before the handler changes any x87 state.
inline void check_store(Cpu& cpu, uint64_t addr, size_t n) {
  uint8_t b[10];
  cpu.mem->load_slow(cpu.tlb, addr, b, n);
  cpu.mem->store_slow(cpu.tlb, addr, b, n);
}

// Sets ES and B when an unmasked exception flag is set.
inline void summarise(Cpu& cpu) {
  if (cpu.x87.fsw & kExc & ~cpu.x87.fcw) [[unlikely]]
    cpu.x87.fsw |= kES | kB;
}

// The stack faults (SDM vol. 1, 8.5.1.1): IE and SF, with C1 telling
// overflow (1) from underflow (0). Each returns whether the masked response
// (the indefinite as the result) is due, i.e. delivers(IE).
inline bool underflow(Cpu& cpu) {
  cpu.x87.fsw = uint16_t((cpu.x87.fsw | kIE | kSF) & ~kC1);
  summarise(cpu);
  return delivers(cpu, kIE, Dest::Reg);
}
inline bool overflow(Cpu& cpu) {
  cpu.x87.fsw |= kIE | kSF | kC1;
  summarise(cpu);
  return delivers(cpu, kIE, Dest::Reg);
}

// ST(i) = v, marking it valid.
inline void set_st(Cpu& cpu, unsigned i, long double v) {
  const unsigned p = phys(cpu, i);
  cpu.x87.st[p] = v;
  cpu.x87.valid |= uint8_t(1u << p);
}

// Whether a push would overflow (FLD etc. check before computing).
inline bool push_would_overflow(const Cpu& cpu) { return cpu.x87.valid >> ((cpu.x87.top - 1) & 7) & 1; }

// Pushes v. On overflow (the new ST0 is not empty) the masked response
// pushes the indefinite instead; unmasked, nothing is pushed.
inline void push(Cpu& cpu, long double v) {
  if (push_would_overflow(cpu)) {
    if (!overflow(cpu)) return;
    v = indefinite();
  }
  cpu.x87.top = (cpu.x87.top - 1) & 7;
  set_st(cpu, 0, v);
}

inline void pop(Cpu& cpu) {
  cpu.x87.valid &= uint8_t(~(1u << cpu.x87.top));
  cpu.x87.top = (cpu.x87.top + 1) & 7;
}

// Folds a host status word into the guest's and returns delivers() for it:
// exception flags are sticky; the condition codes in `cc` are replaced by
// the host's (what the hardware left in them, delivered or not: the
// instructions whose codes may stay unchanged run with the guest's codes
// loaded, X87_PRO_CC).
inline bool absorb(Cpu& cpu, uint16_t host_sw, uint16_t cc, Dest d = Dest::Reg) {
  X87& x = cpu.x87;
  x.fsw = uint16_t((x.fsw & ~cc) | (host_sw & cc) | (host_sw & kExc));
  summarise(cpu);
  return delivers(cpu, host_sw, d);
}

// The end of every store to memory (FST/FSTP m32fp/m64fp, FIST/FISTP/
// FISTTP, FSTP m80fp, FBSTP): writes `v` at `addr` if delivers() lets it
// (else only checks the destination, check_store), then updates the status
// word: the stack fault of an empty ST0 (`empty`), or the host's `sw` with
// its C1; then pops if `pop` and delivered. Memory first, so a faulting
// store leaves the x87 state as it was.
template <class T>
inline void finish_store(Cpu& cpu, uint64_t addr, const T& v, bool empty, uint16_t sw, bool pop_after) {
  const bool deliver = delivers(cpu, empty ? kIE : sw, Dest::Mem);
  if (!deliver) check_store(cpu, addr, sizeof(T));
  else if constexpr (sizeof(T) <= 8) store<T>(cpu, addr, v);
  else cpu.mem->store_slow(cpu.tlb, addr, &v, sizeof(T));  // one access: all or nothing across pages
  if (empty) underflow(cpu);
  else absorb(cpu, sw, kC1, Dest::Mem);
  if (pop_after && deliver) pop(cpu);
}

// The host control word a guest operation runs under: the guest's, its
// exception masks included (the host's ES is cleared before it could trap).
inline uint16_t host_cw(const Cpu& cpu) { return cpu.x87.fcw; }

// Inline-asm prologue/epilogue; operands %[cw] (input), %[old] and %[sw]
// (outputs) are declared with X87_OUT/X87_IN below.
#define X87_PRO "fnstcw %[old]\n\tfldcw %[cw]\n\tfnclex\n\t"
// The epilogue clears the host's exceptions only when one is pending (ES):
// FNCLEX costs as much as the instruction itself.
#define X87_EPI "\n\tfnstsw %[sw]\n\ttestb $0x80, %[sw]\n\tjz 7f\n\tfnclex\n7:\n\tfldcw %[old]"
#define X87_OUT(h) [old] "=m"((h).old), [sw] "=m"((h).sw)
#define X87_IN(h) [cw] "m"((h).cw)

// For the instructions that push or pop: an unmasked exception they don't
// complete leaves the host's TOP where it was, but the compiler's model of
// the host stack expects the push or pop. X87_MARK (after the prologue)
// records TOP; X87_EPI_DEPTH(FIX) runs FIX (e.g. "fstp %%st(0)" for a pop,
// "fld %%st(0)" for a push; under the host's control word) when TOP did not
// move, so the host stack ends as the compiler expects. Whether the guest's
// stack moves is delivers()'s to decide, not this. Extra operands:
// X87_DEPTH_OUT(h) and the scratch register X87_T_OUT(h) (X87_CC_OUT has it).
#define X87_MARK "fnstsw %[sw0]\n\t"
#define X87_EPI_DEPTH(FIX)                                                                    \
  X87_EPI "\n\tmovzwl %[sw], %k[t]\n\txorw %[sw0], %w[t]\n\ttestw $0x3800, %w[t]\n\tjnz 1f\n\t" FIX \
          "\n1:"
#define X87_DEPTH_OUT(h) [sw0] "=m"((h).sw0)
#define X87_T_OUT(h) [t] "=&r"((h).tmp)

// A prologue for the instructions that leave some condition codes unchanged
// in some cases (FPREM/FPREM1 on NaN operands, ...): it also loads the
// guest's C0-C3 into the host status word (FNSTENV, patch, FLDENV; slow, but
// so are those instructions). Extra operands: X87_CC_OUT(h), X87_CC_IN(h).
#define X87_PRO_CC                                                                     \
  "fnstcw %[old]\n\tfnstenv %[env]\n\tmovw %[cw], %w[t]\n\tmovw %w[t], %[env]\n\t" \
  "movw 4+%[env], %w[t]\n\tandw $0x3800, %w[t]\n\torw %w[cc], %w[t]\n\t"         \
  "movw %w[t], 4+%[env]\n\tfldenv %[env]\n\t"
#define X87_CC_OUT(h) [env] "=m"((h).env), X87_T_OUT(h)
#define X87_CC_IN(h) [cc] "r"((h).cc)

struct HostCc {
  uint16_t cw;
  uint16_t old = 0;
  uint16_t sw = 0;
  uint16_t sw0 = 0;
  uint16_t cc;
  uint32_t tmp = 0;
  uint8_t env[28];
  explicit HostCc(const Cpu& cpu) : cw(host_cw(cpu)), cc(uint16_t(cpu.x87.fsw & kCC)) {}
};

struct Host {
  uint16_t cw;
  uint16_t old = 0;
  uint16_t sw = 0;
  uint16_t sw0 = 0;
  uint32_t tmp = 0;
  explicit Host(const Cpu& cpu) : cw(host_cw(cpu)) {}
};

// Memory operand address, recorded as the last data pointer.
inline uint64_t mem_addr(Cpu& cpu, const Insn& in) {
  const uint64_t a = effective_address(cpu, in);
  cpu.x87.fdp = a;
  return a;
}

// ---- waiting instructions and the instruction pointers ----------------------------
// SIGFPE for the pending unmasked exceptions (FSW & ~FCW), as Linux's #MF
// handler delivers it: si_code by the first of IE, ZE, OE, DE/UE, PE; the
// address is the waiting instruction `in`, not the one that raised them.
[[noreturn]] void raise_pending(const Cpu& cpu, const Insn& in);

// What every waiting instruction (each x87 instruction but FNINIT, FNCLEX,
// FNSTSW, FNSTCW, FNSTENV, FNSAVE; FWAIT; every MMX instruction) does first:
// deliver a pending unmasked exception. ES without an unmasked flag (only a
// loaded image can make one) is not delivered: Linux would retry the
// instruction forever.
inline void wait(Cpu& cpu, const Insn& in) {
  if ((cpu.x87.fsw & kES) && (cpu.x87.fsw & ~cpu.x87.fcw & kExc)) [[unlikely]]
    raise_pending(cpu, in);
}

// Linux's 64-bit user code selector, which the host records as FCS with FIP
// (FNSTENV/FNSAVE show it; FDS stays 0: DS is the null selector).
inline constexpr uint16_t kUserCs = 0x33;

// The start of every non-control x87 instruction: wait, then record its
// address (FIP, FCS) and opcode (FOP: the low 3 bits of the escape byte and
// the ModRM byte, which bind_x87 keeps in in.imm). FDP is recorded by
// mem_addr (memory forms only; register forms leave it). Which instructions
// record them is measured on the host (tests/emu/x87_oracle_test.cpp): every
// non-control one, FNOP included; MMX instructions don't.
inline void begin(Cpu& cpu, const Insn& in) {
  wait(cpu, in);
  cpu.x87.fip = cpu.rip + in.end - in.len;
  cpu.x87.fcs = kUserCs;
  cpu.x87.fop = uint16_t(in.imm);
}

// 2-bit tag of a non-empty register from its contents (SDM vol. 1, 8.1.7):
// 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unsupported).
inline unsigned tag_of(long double v) {
  const unsigned e = se(v) & 0x7fff;
  const uint64_t m = mant(v);
  if (e == 0x7fff) return 2;
  if (e == 0) return m == 0 ? 1 : 2;
  return (m >> 63) ? 0 : 2;  // unnormal: special
}

// The full tag word (FNSTENV/FNSAVE), physical register order.
inline uint16_t full_tags(const Cpu& cpu) {
  uint16_t t = 0;
  for (unsigned r = 0; r < 8; r++) {
    const unsigned tag = (cpu.x87.valid >> r & 1) ? tag_of(cpu.x87.st[r]) : 3;
    t |= uint16_t(tag << (2 * r));
  }
  return t;
}

inline uint16_t status_word(const Cpu& cpu) { return uint16_t(cpu.x87.fsw | (cpu.x87.top << 11)); }

// The source operand of a two-operand arithmetic or compare form: a register
// (host ST1) or a memory operand of type SrcType<S>::T (m32fp, m64fp, m16int,
// m32int), which the host instruction converts itself.
enum class Src : uint8_t { St, F32, F64, I16, I32 };
template <Src S>
struct SrcType;
template <> struct SrcType<Src::F32> { using T = float; };
template <> struct SrcType<Src::F64> { using T = double; };
template <> struct SrcType<Src::I16> { using T = int16_t; };
template <> struct SrcType<Src::I32> { using T = int32_t; };

// Binders, one per file.
bool bind_load_store(const Decoded& d, Insn& out);
bool bind_arith(const Decoded& d, Insn& out);
bool bind_compare(const Decoded& d, Insn& out);
bool bind_env(const Decoded& d, Insn& out);
bool bind_bcd(const Decoded& d, Insn& out);

}  // namespace emu::x87
