// Integer ALU: ADD OR ADC SBB AND SUB XOR CMP (00-3F, 80/81/83), TEST (84/85,
// A8/A9, F6/F7 /0 /1), INC/DEC (FE/FF /0 /1), NOT/NEG (F6/F7 /2 /3). The
// fused CMP/TEST+Jcc handlers are in compare_branch.cpp.
#include "emu/ops/alu.h"
#include "emu/block_chain.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {


// NF ("no flags"): the block builder found the flags dead (emu/flag_use.h).
template <int Op, int S, int F, bool NF>
void alu(Cpu& c, const Insn& in) {
  using T = U<S>;
  T a, b;
  uint64_t addr = 0;
  if constexpr (F == kRR) {
    a = get<S>(c, in.rm);
    b = get<S>(c, in.reg);
  } else if constexpr (F == kRM) {
    a = get<S>(c, in.reg);
    b = load<T>(c, effective_address(c, in));
  } else if constexpr (F == kMR) {
    addr = effective_address(c, in);
    a = load<T>(c, addr);
    b = get<S>(c, in.reg);
  } else if constexpr (F == kRI) {
    a = get<S>(c, in.rm);
    b = T(in.imm);
  } else {
    addr = effective_address(c, in);
    a = load<T>(c, addr);
    b = T(in.imm);
  }
  const T r = alu_result<Op>(c, a, b);
  if constexpr (writes_result(Op)) {
    if constexpr (F == kRR || F == kRI) put<S>(c, in.rm, r);
    else if constexpr (F == kRM) put<S>(c, in.reg, r);
    else store<T>(c, addr, r);
  }
  if constexpr (!NF) alu_flags<Op>(c.flags, r, a, b);
}

// The rest of a form whose one memory access is a load of operand `m`
// (load_then, emu/memory.h): OP r, m; and CMP/TEST m, r/imm.
template <int Op, int S, int F, bool NF>
[[gnu::always_inline]] inline void alu_after_load(Cpu& c, const Insn& in, U<S> m) {
  using T = U<S>;
  const T a = F == kRM ? get<S>(c, in.reg) : m;
  const T b = F == kRM ? m : F == kMR ? get<S>(c, in.reg) : T(in.imm);
  const T r = alu_result<Op>(c, a, b);
  if constexpr (F == kRM && writes_result(Op)) put<S>(c, in.reg, r);
  if constexpr (!NF) alu_flags<Op>(c.flags, r, a, b);
}

// The bound handler: alu, then the next Insn (emu/threaded.h); the forms
// that only load go through load_then, whose miss path is a tail call too.
template <int Op, int S, int F, bool NF>
void alu_next(Cpu& c, const Insn& in) {
  if constexpr (F == kRM || ((F == kMR || F == kMI) && !writes_result(Op))) {
    return load_then<U<S>, alu_after_load<Op, S, F, NF>>(c, in, effective_address(c, in));
  } else {
    alu<Op, S, F, NF>(c, in);
    return next_insn(c, in);
  }
}

enum UnOp : int { kInc, kDec, kNot, kNeg, kUnOpCount };

template <int Op, int S, bool Mem, bool NF>
void unary(Cpu& c, const Insn& in) {
  using T = U<S>;
  uint64_t addr = 0;
  const T a = read_rm<S, Mem>(c, in, addr);
  T r;
  if constexpr (Op == kInc) r = T(a + 1);
  else if constexpr (Op == kDec) r = T(a - 1);
  else if constexpr (Op == kNot) r = T(~a);
  else r = T(T(0) - a);
  if constexpr (Mem) store<T>(c, addr, r);
  else put<S>(c, in.rm, r);
  if constexpr (NF) return;
  else if constexpr (Op == kInc) flags::set_incdec<kFlagsInc, T>(c.flags, r, a);
  else if constexpr (Op == kDec) flags::set_incdec<kFlagsDec, T>(c.flags, r, a);
  else if constexpr (Op == kNeg) flags::set<kFlagsSub, T>(c.flags, r, T(0), a);
}

template <size_t... I>
constexpr auto make_alu_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &alu_next<int(I / (8 * kFormCount)), kSizeOf[(I / (2 * kFormCount)) % 4], int(I / 2 % kFormCount), bool(I % 2)>...};
}
constexpr auto kAlu = make_alu_table(std::make_index_sequence<kAluOpCount * 4 * kFormCount * 2>{});

template <size_t... I>
constexpr auto make_unary_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &threaded<&unary<int(I / 16), kSizeOf[(I / 4) % 4], bool(I / 2 % 2), bool(I % 2)>>...};
}
constexpr auto kUnary = make_unary_table(std::make_index_sequence<kUnOpCount * 4 * 2 * 2>{});

Handler unary_handler(int op, unsigned size, bool mem, bool flags_dead) {
  return kUnary[((op * 4 + size_index(size)) * 2 + mem) * 2 + flags_dead];
}

}  // namespace

// CMP and TEST keep their flags: with dead flags they are rare, and their
// handler is all flags.
Handler alu_handler(int op, unsigned size, Form f, bool flags_dead) {
  const bool nf = flags_dead && op != kCmp && op != kTest;
  return kAlu[((op * 4 + size_index(size)) * kFormCount + f) * 2 + nf];
}

bool bind_alu(const Decoded& d, Insn& out) {
  if (d.map != 0) return false;
  const uint8_t op = d.opcode;
  const bool mem = d.is_memory();
  const uint8_t digit = (d.modrm >> 3) & 7;

  if (op < 0x40 && (op & 7) < 6) {
    const int aop = op >> 3;
    const unsigned size = (op & 1) ? opsize(d) : 1;
    switch (op & 7) {
      case 0:
      case 1:  // op r/m, r
        if (d.lock && (!mem || aop == kCmp)) return false;
        bind_modrm_regs(d, out, size);
        out.fn = alu_handler(aop, size, mem ? kMR : kRR, d.flags_dead);
        return true;
      case 2:
      case 3:  // op r, r/m
        if (d.lock) return false;
        if (mem) {
          out.reg = reg_operand(size, d.reg, d);
          out.fn = alu_handler(aop, size, kRM, d.flags_dead);
        } else {  // the RR handler's destination is `rm`: swap
          out.rm = reg_operand(size, d.reg, d);
          out.reg = reg_operand(size, d.rm, d);
          out.fn = alu_handler(aop, size, kRR, d.flags_dead);
        }
        return true;
      default:  // op AL/eAX, imm
        if (d.lock) return false;
        out.rm = 0;
        out.imm = simm(d);
        out.fn = alu_handler(aop, size, kRI, d.flags_dead);
        return true;
    }
  }

  switch (op) {
    case 0x80:
    case 0x81:
    case 0x83: {
      const unsigned size = op == 0x80 ? 1 : opsize(d);
      if (d.lock && (!mem || digit == kCmp)) return false;
      out.rm = reg_operand(size, d.rm, d);
      out.imm = simm(d);
      out.fn = alu_handler(digit, size, mem ? kMI : kRI, d.flags_dead);
      return true;
    }
    case 0x84:
    case 0x85: {
      if (d.lock) return false;
      const unsigned size = op == 0x84 ? 1 : opsize(d);
      bind_modrm_regs(d, out, size);
      out.fn = alu_handler(kTest, size, mem ? kMR : kRR, d.flags_dead);
      return true;
    }
    case 0xA8:
    case 0xA9: {
      if (d.lock) return false;
      const unsigned size = op == 0xA8 ? 1 : opsize(d);
      out.rm = 0;
      out.imm = simm(d);
      out.fn = alu_handler(kTest, size, kRI, d.flags_dead);
      return true;
    }
    case 0xF6:
    case 0xF7: {
      const unsigned size = op == 0xF6 ? 1 : opsize(d);
      if (digit >= 4) return false;  // MUL/IMUL/DIV/IDIV: muldiv.cpp
      out.rm = reg_operand(size, d.rm, d);
      if (digit < 2) {  // TEST r/m, imm (/1 is an alias of /0)
        if (d.lock) return false;
        out.imm = simm(d);
        out.fn = alu_handler(kTest, size, mem ? kMI : kRI, d.flags_dead);
      } else {  // NOT, NEG
        if (d.lock && !mem) return false;
        out.fn = unary_handler(digit == 2 ? kNot : kNeg, size, mem, d.flags_dead);
      }
      return true;
    }
    case 0xFE:
    case 0xFF: {
      if (digit >= 2) return false;  // FE /2+ invalid; FF /2-/6: control flow and PUSH
      const unsigned size = op == 0xFE ? 1 : opsize(d);
      if (d.lock && !mem) return false;
      out.rm = reg_operand(size, d.rm, d);
      out.fn = unary_handler(digit == 0 ? kInc : kDec, size, mem, d.flags_dead);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace emu::ops
