// CMP/TEST fused with the Jcc after it (the block builder's pairing,
// emu/bind.cpp): one handler does both.
#include "emu/ops/alu.h"
#include "emu/block_chain.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {

// CMP/TEST fused with the Jcc after it, the last two instructions of a
// block: one handler does both. It records the flags as the CMP/TEST alone
// would (NF: it does not, they are dead in both successors: the block
// builder looked), branches as the Jcc `(&in)[1]` does, and leaves
// Cpu::cur on the Jcc, so the run loop counts it as done; then on into the
// next block if it is linked (emu/block_chain.h). Loop: the Jcc goes back
// to the block's own start, taken, it goes round again (reenter_block).
// The memory forms in continuation style (load_then, emu/memory.h).
template <int Op, int S, unsigned CC, bool NF>
[[gnu::always_inline]] inline bool compare_taken(Cpu& c, U<S> a, U<S> b) {
  FlagsState dead;  // NF: built here and read once, so it folds away
  FlagsState& f = NF ? dead : c.flags;
  alu_flags<Op>(f, alu_result<Op>(c, a, b), a, b);
  return eval_cond_of(f, CC);
}

template <int Op, int S, unsigned CC, bool NF>
[[gnu::always_inline]] inline void compare_and_branch(Cpu& c, const Insn& in, U<S> a, U<S> b) {
  const Insn& jcc = (&in)[1];
  c.rip = compare_taken<Op, S, CC, NF>(c, a, b) ? jcc.imm : c.rip + jcc.end;
  c.cur = &jcc;
}

template <int Op, int S, int F, unsigned CC, bool NF>
[[gnu::always_inline]] inline void compare_branch_after_load(Cpu& c, const Insn& in, U<S> m) {
  using T = U<S>;
  if constexpr (F == kRM) compare_and_branch<Op, S, CC, NF>(c, in, get<S>(c, in.reg), m);
  else if constexpr (F == kMR) compare_and_branch<Op, S, CC, NF>(c, in, m, get<S>(c, in.reg));
  else compare_and_branch<Op, S, CC, NF>(c, in, m, T(in.imm));
}

[[gnu::always_inline]] inline void go_on_to_next_block(Cpu& c, const Insn&) { return enter_next_block(c); }

template <int Op, int S, int F, unsigned CC, bool NF, bool Loop>
void compare_branch(Cpu& c, const Insn& in) {
  using T = U<S>;
  if constexpr (F == kRR || F == kRI) {
    const T a = get<S>(c, in.rm), b = F == kRR ? get<S>(c, in.reg) : T(in.imm);
    if constexpr (Loop) {
      const Insn& jcc = (&in)[1];
      if (compare_taken<Op, S, CC, NF>(c, a, b)) return reenter_block(c, jcc);
      c.rip += jcc.end;
      c.cur = &jcc;
    } else {
      compare_and_branch<Op, S, CC, NF>(c, in, a, b);
    }
    return enter_next_block(c);
  } else {
    static_assert(!Loop, "the memory forms have no loop variant");
    return load_then<T, compare_branch_after_load<Op, S, F, CC, NF>, go_on_to_next_block>(c, in,
                                                                                          effective_address(c, in));
  }
}

constexpr unsigned kFusedSizes[3] = {1, 4, 8};  // 16-bit compares are not fused

// [CMP, TEST][size 1, 4, 8][form][cc][flags live, dead][loop]; the memory
// forms' loop entries are their plain handlers.
template <size_t I>
constexpr Handler compare_branch_entry() {
  constexpr int kOp = I / (192 * kFormCount) ? kTest : kCmp;
  constexpr int kSize = kFusedSizes[I / (64 * kFormCount) % 3];
  constexpr int kF = int(I / 64 % kFormCount);
  constexpr bool kLoop = (I % 2) && (kF == kRR || kF == kRI);
  return &compare_branch<kOp, kSize, kF, unsigned(I / 4 % 16), bool(I / 2 % 2), kLoop>;
}

template <size_t... I>
constexpr auto make_compare_branch_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{compare_branch_entry<I>()...};
}
constexpr auto kCompareBranch = make_compare_branch_table(std::make_index_sequence<2 * 3 * kFormCount * 16 * 4>{});

}  // namespace

Handler fused_compare_branch(Handler compare, unsigned cc, bool flags_dead, bool loop) {
  for (int t = 0; t < 2; ++t)
    for (int s = 0; s < 3; ++s)
      for (int f = 0; f < kFormCount; ++f)
        if (alu_handler(t ? kTest : kCmp, kFusedSizes[s], Form(f), false) == compare)
          return kCompareBranch[((((t * 3 + s) * kFormCount + f) * 16 + (cc & 15)) * 2 + flags_dead) * 2 + loop];
  return nullptr;
}

}  // namespace emu::ops
