// RFLAGS: bit names, and the interface to the lazily evaluated flags.
//
// Lazy flags. A flag-producing instruction does not compute flags; it records
// what it did in Cpu::flags (emu/flags_state.h): the kind of operation, the
// operand size, the zero-extended result and operands. A flag is derived only
// when something reads it: a Jcc/SETcc/CMOVcc (eval_cond), ADC/SBB/RCL/RCR
// (carry-in), PUSHF/LAHF, a signal frame (read_rflags). Instructions that
// change only some flags (INC/DEC keep CF; rotates, BT, MUL change only a few)
// first materialise what they keep into `rflags`.
//
// Derivation, for a kind K with sign bit S = 1 << (8*size - 1):
//   ZF = res == 0, SF = res & S, PF = even parity of res & 0xff   (all but Explicit)
//   ADD/ADC: CF = res < src1 (ADC with carry-in: res <= src1),
//            OF = ~(src1 ^ src2) & (src1 ^ res) & S,  AF = (src1 ^ src2 ^ res) & 0x10
//   SUB/SBB: CF = src1 < src2 (SBB with borrow-in: src1 <= src2),
//            OF = (src1 ^ src2) & (src1 ^ res) & S,   AF as ADD
//   The ADC/SBB carry-in is not stored: it is (res - src1 - src2) resp.
//   (src1 - src2 - res) modulo 2^(8*size), which is 0 or 1.
//   LOGIC:   CF = OF = AF = 0  (AF is undefined for Intel; this host (AMD)
//            and current Intel parts clear it, so we do too)
//   INC/DEC: OF = res == S resp. res == S - 1; AF as ADD with src2 = 1; CF kept.
//   RESULT:  CF, OF, AF from rflags (shifts compute them eagerly: they are
//            cheap there and awkward to recompute from the operands).
//
// The common compare-and-branch (CMP/SUB/TEST then Jcc) reads the relation
// straight off the operands without building flags: see eval_cond.
#pragma once

#include <cstdint>

#include "emu/cpu.h"

namespace emu {

inline constexpr uint64_t kCF = 1u << 0;
inline constexpr uint64_t kPF = 1u << 2;
inline constexpr uint64_t kAF = 1u << 4;
inline constexpr uint64_t kZF = 1u << 6;
inline constexpr uint64_t kSF = 1u << 7;
inline constexpr uint64_t kTF = 1u << 8;
inline constexpr uint64_t kIF = 1u << 9;
inline constexpr uint64_t kDF = 1u << 10;
inline constexpr uint64_t kOF = 1u << 11;
inline constexpr uint64_t kNT = 1u << 14;
inline constexpr uint64_t kAC = 1u << 18;
inline constexpr uint64_t kID = 1u << 21;
inline constexpr uint64_t kArithFlags = kCF | kPF | kAF | kZF | kSF | kOF;

// The full RFLAGS value as the guest would see it (PUSHF, signal frames).
uint64_t read_rflags(const Cpu& cpu);
// Sets the bits of `mask` to those of `value`, leaving others unchanged
// (COMISD/UCOMISD/PTEST, POPF, SAHF, rt_sigreturn).
void write_rflags(Cpu& cpu, uint64_t value, uint64_t mask);
// Condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc) is true.
inline bool eval_cond(const Cpu& cpu, unsigned cc);
[[gnu::always_inline]] inline bool eval_cond_inline(const Cpu& cpu, unsigned cc);

// ---- lazy-flag internals, for the integer handlers (emu/ops/*) ---------------

namespace flags {

inline uint64_t sign_bit(const FlagsState& f) { return uint64_t{1} << (f.size * 8 - 1); }
inline uint64_t size_mask(const FlagsState& f) { return ~uint64_t{0} >> (64 - f.size * 8); }

inline bool parity_even(uint64_t res) { return !__builtin_parity(unsigned(res & 0xff)); }

inline bool cf(const FlagsState& f) {
  switch (f.op) {
    case kFlagsAdd: return f.res < f.src1;
    case kFlagsAdc: return ((f.res - f.src1 - f.src2) & size_mask(f)) ? f.res <= f.src1 : f.res < f.src1;
    case kFlagsSub: return f.src1 < f.src2;
    case kFlagsSbb: return ((f.src1 - f.src2 - f.res) & size_mask(f)) ? f.src1 <= f.src2 : f.src1 < f.src2;
    case kFlagsLogic: return false;
    default: return f.rflags & kCF;
  }
}

inline bool of(const FlagsState& f) {
  switch (f.op) {
    case kFlagsAdd:
    case kFlagsAdc: return (~(f.src1 ^ f.src2) & (f.src1 ^ f.res)) & sign_bit(f);
    case kFlagsSub:
    case kFlagsSbb: return ((f.src1 ^ f.src2) & (f.src1 ^ f.res)) & sign_bit(f);
    case kFlagsLogic: return false;
    case kFlagsInc: return f.res == sign_bit(f);
    case kFlagsDec: return f.res == sign_bit(f) - 1;
    default: return f.rflags & kOF;
  }
}

inline bool zf(const FlagsState& f) { return f.op == kFlagsExplicit ? (f.rflags & kZF) != 0 : f.res == 0; }
inline bool sf(const FlagsState& f) { return f.op == kFlagsExplicit ? (f.rflags & kSF) != 0 : (f.res & sign_bit(f)) != 0; }
inline bool pf(const FlagsState& f) { return f.op == kFlagsExplicit ? (f.rflags & kPF) != 0 : parity_even(f.res); }

// The six arithmetic flags as RFLAGS bits.
uint64_t arith(const FlagsState& f);

// Moves all six flags into rflags (op becomes Explicit): before an
// instruction that changes only some of them.
inline void materialise(FlagsState& f) {
  if (f.op != kFlagsExplicit) {
    f.rflags = (f.rflags & ~kArithFlags) | arith(f);
    f.op = kFlagsExplicit;
  }
}

// Records a lazily evaluated operation of operand type T.
template <FlagOp Op, class T>
inline void set(FlagsState& f, T res, T src1, T src2) {
  f.res = res;
  f.src1 = src1;
  f.src2 = src2;
  f.op = Op;
  f.size = sizeof(T);
}

template <class T>
inline void set_logic(FlagsState& f, T res) {
  f.res = res;
  f.op = kFlagsLogic;
  f.size = sizeof(T);
}

// INC/DEC: CF survives, so it is materialised first.
template <FlagOp Op, class T>
inline void set_incdec(FlagsState& f, T res, T src) {
  uint64_t c = cf(f) ? kCF : 0;
  f.rflags = (f.rflags & ~kCF) | c;
  set<Op, T>(f, res, src, T(1));
}

// ZF/SF/PF from res, and the given CF/OF/AF bits.
template <class T>
inline void set_result(FlagsState& f, T res, uint64_t cf_of_af) {
  f.rflags = (f.rflags & ~(kCF | kOF | kAF)) | cf_of_af;
  f.res = res;
  f.op = kFlagsResult;
  f.size = sizeof(T);
}

// All six flags given explicitly.
inline void set_explicit(FlagsState& f, uint64_t bits) {
  f.rflags = (f.rflags & ~kArithFlags) | (bits & kArithFlags);
  f.op = kFlagsExplicit;
}

// Changes only the flags in `mask` (to the bits in `bits`), keeping the others.
inline void set_some(FlagsState& f, uint64_t mask, uint64_t bits) {
  materialise(f);
  f.rflags = (f.rflags & ~mask) | (bits & mask);
}

// Generic condition evaluation from individual flags.
inline bool cond_generic(const FlagsState& f, unsigned cc) {
  bool r;
  switch (cc >> 1) {
    case 0: r = of(f); break;
    case 1: r = cf(f); break;
    case 2: r = zf(f); break;
    case 3: r = cf(f) || zf(f); break;
    case 4: r = sf(f); break;
    case 5: r = pf(f); break;
    case 6: r = sf(f) != of(f); break;
    default: r = zf(f) || (sf(f) != of(f)); break;
  }
  return r ^ (cc & 1);
}

}  // namespace flags

// Condition cc of the flags `f` describes, always inlined: with a constant
// cc (one handler per condition: Jcc, fused CMP+Jcc) the switches fold to
// one relation, and with an `f` the caller just built (a fused compare
// whose flags are dead) to a relation between the operands.
[[gnu::always_inline]] inline bool eval_cond_of(const FlagsState& f, unsigned cc) {
  if (f.op == kFlagsSub) {
    // CMP a, b then Jcc: the relation between the operands, no flags built.
    unsigned sh = 64 - f.size * 8;
    bool r;
    switch (cc >> 1) {
      case 1: r = f.src1 < f.src2; break;
      case 2: r = f.src1 == f.src2; break;
      case 3: r = f.src1 <= f.src2; break;
      case 6: r = int64_t(f.src1 << sh) < int64_t(f.src2 << sh); break;
      case 7: r = int64_t(f.src1 << sh) <= int64_t(f.src2 << sh); break;
      default: return flags::cond_generic(f, cc);
    }
    return r ^ (cc & 1);
  }
  if (f.op == kFlagsLogic) {
    // TEST/AND then Jcc: CF = OF = 0.
    unsigned sh = 64 - f.size * 8;
    bool r;
    switch (cc >> 1) {
      case 0:
      case 1: r = false; break;
      case 2:
      case 3: r = f.res == 0; break;
      case 4:
      case 6: r = int64_t(f.res << sh) < 0; break;
      case 7: r = int64_t(f.res << sh) <= 0; break;
      default: r = flags::parity_even(f.res); break;
    }
    return r ^ (cc & 1);
  }
  return flags::cond_generic(f, cc);
}

[[gnu::always_inline]] inline bool eval_cond_inline(const Cpu& cpu, unsigned cc) { return eval_cond_of(cpu.flags, cc); }

inline bool eval_cond(const Cpu& cpu, unsigned cc) { return eval_cond_inline(cpu, cc); }

}  // namespace emu
