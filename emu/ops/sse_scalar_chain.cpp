// Fused scalar SSE chains: ADDSD/SUBSD/MULSD/DIVSD (or the SS forms) into
// one register, then another into the same register and/or a MOVSD (MOVSS)
// of it to memory, run by one handler that keeps the value in a host
// register from step to step. Scalar FP code is made of these (c += a * b;
// x[i] = y * z + w): unfused, each step stores the register to Cpu::xmm
// and the next loads it back, a store-forwarding delay on the chain's
// critical path, plus one dispatch per step (matmul's inner loop: 15% of its
// time).
//
// What the guest sees is unchanged: the steps are the same host
// instructions in the same order on the same operands under the guest's
// MXCSR (so results, NaN propagation and exception flags are the
// unfused ones), and the register and memory are written as the steps
// would. Where a step cannot go on at once the unfused handlers take over
// at that step: with an unmasked exception (not Cpu::fp_fast) from the
// first, and at a memory operand that misses the TLB (a fault, a page not
// yet mapped, a store to code) from that step, with the register as the
// steps before it left it and Cpu::cur on it, as a fault there requires.
#include "emu/ops/sse_arith.h"
#include "emu/ops/sse_scalar_chain.h"

#include <array>
#include <optional>
#include <utility>

namespace emu::sse {
namespace {

enum ChainOp : int { kAddOp, kSubOp, kMulOp, kDivOp, kChainOps, kNoOp = -1 };

// Whether V is the double-precision vector (overloads: std::is_same on the
// vector types warns that their attributes are ignored).
constexpr bool is_double(const Pd*) { return true; }
constexpr bool is_double(const Ps*) { return false; }
template <class V>
constexpr bool kDouble = is_double(static_cast<const V*>(nullptr));

template <class V>
using Scalar = std::conditional_t<kDouble<V>, uint64_t, uint32_t>;

template <class V, int Op>
constexpr auto op_fn() {
  if constexpr (kDouble<V>) {
    if constexpr (Op == kAddOp) return &addsd;
    else if constexpr (Op == kSubOp) return &subsd;
    else if constexpr (Op == kMulOp) return &mulsd;
    else return &divsd;
  } else {
    if constexpr (Op == kAddOp) return &addss;
    else if constexpr (Op == kSubOp) return &subss;
    else if constexpr (Op == kMulOp) return &mulss;
    else return &divss;
  }
}

// The handler a step has unfused (bound by sse_fp.cpp's bind4).
template <class V, int Op, bool Mem>
constexpr Handler own_handler() {
  constexpr unsigned kBytes = sizeof(Scalar<V>);
  if constexpr (Mem) return &fp_scalar<op_fn<V, Op>(), V, Form::Mem, kBytes, Operand::Plain>;
  else return &fp_scalar<op_fn<V, Op>(), V, Form::Reg, kBytes>;
}

template <class V>
[[gnu::always_inline]] inline V low_of(const Xmm& x) {
  if constexpr (kDouble<V>) return _mm_load_sd(x.f64);
  else return _mm_load_ss(x.f32);
}

template <class V>
[[gnu::always_inline]] inline void put_low(Xmm& x, V v) {
  if constexpr (kDouble<V>) _mm_store_sd(x.f64, v);
  else _mm_store_ss(x.f32, v);
}

template <class V>
[[gnu::always_inline]] inline Scalar<V> bits_of_low(V v) {
  if constexpr (kDouble<V>) return uint64_t(_mm_cvtsi128_si64(_mm_castpd_si128(v)));
  else return uint32_t(_mm_cvtsi128_si32(_mm_castps_si128(v)));
}

// Where a step's memory operand is in the host when the TLB has it (for
// reading or for writing); `hit` false otherwise. (Not a null pointer for
// a miss: the compiler would then test the host address for null too.)
struct HostOperand {
  bool hit;
  uint8_t* at;
};

template <class V, bool Write>
[[gnu::always_inline]] inline HostOperand host_operand(Cpu& c, const Insn& in) {
  const uint64_t addr = operand_address<Operand::Plain>(c, in);
  const mm::Tlb::Entry& e = Write ? c.tlb.write_entry(addr) : c.tlb.read_entry(addr);
  return {mm::Tlb::hits<sizeof(Scalar<V>)>(e, addr), mm::Tlb::host(e, addr)};
}

// A step's source: its register, or its memory operand at `host`.
template <class V, bool Mem>
[[gnu::always_inline]] inline V source(const Cpu& c, const Insn& in, const uint8_t* host) {
  if constexpr (Mem) {
    Scalar<V> m;
    std::memcpy(&m, host, sizeof m);
    return zero_extended<V>(m);
  } else {
    return low_of<V>(c.xmm[in.rm]);
  }
}

// The unfused handler of `in`, which is the current instruction from here.
[[gnu::always_inline]] inline void resume_unfused(Cpu& c, const Insn& in) {
  c.cur = &in;
  return in.fn(c, in);
}

// Op1 into xmm(reg); then Op2 (unless kNoOp) into it; then, with Store, a
// MOVSD/MOVSS of it to memory. The second step's register source is never
// the destination (the fusion pass checks).
template <class V, int Op1, bool Mem1, int Op2, bool Mem2, bool Store>
void scalar_chain(Cpu& c, const Insn& in) {
  constexpr Handler kFirst = own_handler<V, Op1, Mem1>();
  if (!c.fp_fast) [[unlikely]]
    return kFirst(c, in);
  const uint8_t* m1 = nullptr;
  if constexpr (Mem1) {
    const HostOperand m = host_operand<V, false>(c, in);
    if (!m.hit) [[unlikely]]
      return kFirst(c, in);
    m1 = m.at;
  }
  Xmm& dst = c.xmm[in.reg];
  V v = op_fn<V, Op1>()(low_of<V>(dst), source<V, Mem1>(c, in, m1));
  const Insn* last = &in;
  if constexpr (Op2 != kNoOp) {
    const Insn& second = (&in)[1];
    const uint8_t* m2 = nullptr;
    if constexpr (Mem2) {
      const HostOperand m = host_operand<V, false>(c, second);
      if (!m.hit) [[unlikely]] {
        put_low(dst, v);
        return resume_unfused(c, second);
      }
      m2 = m.at;
    }
    v = op_fn<V, Op2>()(v, source<V, Mem2>(c, second, m2));
    last = &second;
  }
  put_low(dst, v);
  if constexpr (Store) {
    const Insn& store = last[1];
    const HostOperand m = host_operand<V, true>(c, store);
    if (!m.hit) [[unlikely]]
      return resume_unfused(c, store);
    const Scalar<V> bits = bits_of_low(v);
    std::memcpy(m.at, &bits, sizeof bits);
    last = &store;
  }
  return next_insn(c, *last);
}

// [single, double][op1][mem1][op2 + 1][mem2][store]; nullptr where op2 is
// kNoOp with mem2 set or without a store (not a chain).
constexpr size_t kOp2Choices = kChainOps + 1;
constexpr size_t kChainHandlers = 2 * kChainOps * 2 * kOp2Choices * 2 * 2;

template <size_t I>
constexpr Handler chain_entry() {
  constexpr bool kStore = I % 2, kMem2 = I / 2 % 2;
  constexpr int kOp2 = int(I / 4 % kOp2Choices) - 1;
  constexpr bool kMem1 = I / (4 * kOp2Choices) % 2;
  constexpr int kOp1 = int(I / (8 * kOp2Choices) % kChainOps);
  constexpr bool kDouble = I / (8 * kOp2Choices * kChainOps);
  if constexpr (kOp2 == kNoOp && (kMem2 || !kStore)) return nullptr;
  else if constexpr (kDouble) return &scalar_chain<Pd, kOp1, kMem1, kOp2, kMem2, kStore>;
  else return &scalar_chain<Ps, kOp1, kMem1, kOp2, kMem2, kStore>;
}

template <size_t... I>
constexpr auto make_chain_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{chain_entry<I>()...};
}
constexpr auto kChains = make_chain_table(std::make_index_sequence<kChainHandlers>{});

// A step: which arithmetic handler an Insn has, if any.
struct Step {
  bool is_double;
  int op;
  bool mem;
};

template <size_t... I>
constexpr auto make_step_table(std::index_sequence<I...>) {
  // [single, double][op][reg, mem]
  return std::array<Handler, sizeof...(I)>{
      (I / (2 * kChainOps) ? own_handler<Pd, int(I / 2 % kChainOps), bool(I % 2)>()
                           : own_handler<Ps, int(I / 2 % kChainOps), bool(I % 2)>())...};
}
constexpr auto kSteps = make_step_table(std::make_index_sequence<2 * kChainOps * 2>{});

std::optional<Step> step_of(const Insn& in) {
  for (size_t i = 0; i < kSteps.size(); ++i)
    if (kSteps[i] == in.fn) return Step{i / (2 * kChainOps) != 0, int(i / 2 % kChainOps), (i % 2) != 0};
  return std::nullopt;
}

bool is_store_of(const Insn& in, bool is_double, uint8_t reg) {
  return in.fn == scalar_store_handler(is_double ? 8 : 4) && in.reg == reg;
}

}  // namespace

FusedChain fuse_scalar_chain(const Insn* insns, unsigned count) {
  if (count < 2) return {};
  const std::optional<Step> first = step_of(insns[0]);
  if (!first) return {};
  const uint8_t dst = insns[0].reg;
  unsigned length = 1;
  std::optional<Step> second = step_of(insns[1]);
  if (second && second->is_double == first->is_double && insns[1].reg == dst && (second->mem || insns[1].rm != dst))
    ++length;
  else
    second.reset();
  const bool store = length < count && is_store_of(insns[length], first->is_double, dst);
  if (store) ++length;
  if (length < 2) return {};
  const size_t index =
      ((((size_t(first->is_double) * kChainOps + size_t(first->op)) * 2 + first->mem) * kOp2Choices +
        size_t(second ? second->op + 1 : 0)) * 2 + (second && second->mem)) * 2 + store;
  return {kChains[index], length};
}

}  // namespace emu::sse
