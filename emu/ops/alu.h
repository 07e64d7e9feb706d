// The integer ALU's operations, shared by its handlers (alu.cpp) and the
// fused CMP/TEST+Jcc handlers (compare_branch.cpp).
#pragma once

#include "emu/ops/integer.h"

namespace emu::ops {

// In encoding order (the 00-3F rows and the 80 /digit), then TEST.
enum AluOp : int { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp, kTest, kAluOpCount };

// The operation's result on destination a and source b (ADC/SBB read CF).
template <int Op, class T>
[[gnu::always_inline]] inline T alu_result(const Cpu& c, T a, T b) {
  if constexpr (Op == kAdd) return T(a + b);
  else if constexpr (Op == kOr) return T(a | b);
  else if constexpr (Op == kAdc) return T(a + b + T(flags::cf(c.flags)));
  else if constexpr (Op == kSbb) return T(a - b - T(flags::cf(c.flags)));
  else if constexpr (Op == kAnd || Op == kTest) return T(a & b);
  else if constexpr (Op == kSub || Op == kCmp) return T(a - b);
  else return T(a ^ b);
}

template <int Op, class T>
[[gnu::always_inline]] inline void alu_flags(FlagsState& f, T r, T a, T b) {
  if constexpr (Op == kAdd) flags::set<kFlagsAdd, T>(f, r, a, b);
  else if constexpr (Op == kAdc) flags::set<kFlagsAdc, T>(f, r, a, b);
  else if constexpr (Op == kSub || Op == kCmp) flags::set<kFlagsSub, T>(f, r, a, b);
  else if constexpr (Op == kSbb) flags::set<kFlagsSbb, T>(f, r, a, b);
  else flags::set_logic<T>(f, r);
}

constexpr bool writes_result(int op) { return op != kCmp && op != kTest; }

// The handler of ALU operation `op` at operand size `size` in form `f`;
// with `flags_dead` it records no flags (CMP and TEST always do).
Handler alu_handler(int op, unsigned size, Form f, bool flags_dead);

}  // namespace emu::ops
