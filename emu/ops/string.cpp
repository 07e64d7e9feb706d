// String instructions: MOVS (A4/A5), STOS (AA/AB), LODS (AC/AD), CMPS
// (A6/A7), SCAS (AE/AF), with REP (F3) / REPE (F3) / REPNE (F2), both
// directions of DF, and the 0x67 (32-bit RSI/RDI/RCX) form.
//
// REP MOVS and REP STOS with DF = 0 run page-sized chunks through the TLB:
// each step copies/fills as many elements as fit before the end of the
// current source and destination pages, straight between host pages. Where
// that is not the architectural result (the destination a few bytes ahead of
// the source: the element-by-element copy replicates a pattern), the chunk is
// cut to the distance between them, and below one element the step falls
// back to a single element through load/store, which is also the path for
// TLB misses, page-crossing elements, faults and stores to code pages.
// RSI/RDI/RCX are updated after every step, so a fault leaves them where the
// hardware would (the faulting element not done).
//
// F2 on MOVS/STOS/LODS repeats like F3 (as the hardware does).
#include "emu/ops/integer.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {

enum StrOp : int { kMovs, kStos, kLods, kCmps, kScas };
enum RepKind : int { kNoRep, kRepE, kRepNE };

template <bool A32>
inline uint64_t areg(const Cpu& c, int r) {
  return A32 ? uint32_t(c.gpr[r]) : c.gpr[r];
}
template <bool A32>
inline void set_areg(Cpu& c, int r, uint64_t v) {
  c.gpr[r] = A32 ? uint32_t(v) : v;
}

// One element. Returns true when a REPE/REPNE loop should continue (equal
// for CMPS/SCAS; always for the others).
template <int Op, int S, bool A32>
inline bool element(Cpu& c, const Insn& in, int64_t delta) {
  using T = U<S>;
  if constexpr (Op == kMovs) {
    const T v = load<T>(c, areg<A32>(c, RSI) + c.seg_base[in.seg]);
    store<T>(c, areg<A32>(c, RDI), v);
    set_areg<A32>(c, RSI, c.gpr[RSI] + delta);
    set_areg<A32>(c, RDI, c.gpr[RDI] + delta);
    return true;
  } else if constexpr (Op == kStos) {
    store<T>(c, areg<A32>(c, RDI), get<S>(c, RAX));
    set_areg<A32>(c, RDI, c.gpr[RDI] + delta);
    return true;
  } else if constexpr (Op == kLods) {
    const T v = load<T>(c, areg<A32>(c, RSI) + c.seg_base[in.seg]);
    put<S>(c, RAX, v);
    set_areg<A32>(c, RSI, c.gpr[RSI] + delta);
    return true;
  } else if constexpr (Op == kCmps) {
    const T a = load<T>(c, areg<A32>(c, RSI) + c.seg_base[in.seg]);
    const T b = load<T>(c, areg<A32>(c, RDI));
    set_areg<A32>(c, RSI, c.gpr[RSI] + delta);
    set_areg<A32>(c, RDI, c.gpr[RDI] + delta);
    flags::set<kFlagsSub, T>(c.flags, T(a - b), a, b);
    return a == b;
  } else {
    const T a = get<S>(c, RAX);
    const T b = load<T>(c, areg<A32>(c, RDI));
    set_areg<A32>(c, RDI, c.gpr[RDI] + delta);
    flags::set<kFlagsSub, T>(c.flags, T(a - b), a, b);
    return a == b;
  }
}

// REP MOVS, DF = 0, 64-bit addressing: chunked through host pages.
template <int S>
void rep_movs_forward(Cpu& c, const Insn& in) {
  using T = U<S>;
  uint64_t count = c.gpr[RCX];
  while (count != 0) {
    const uint64_t src = c.gpr[RSI] + c.seg_base[in.seg];
    const uint64_t dst = c.gpr[RDI];
    const uint64_t room = std::min(mm::kPageSize - (src & mm::kPageMask), mm::kPageSize - (dst & mm::kPageMask));
    uint64_t n = std::min(count, room / S);
    const uint64_t dist = dst - src;
    if (dist != 0 && dist < n * S) n = dist / S;
    const uint8_t* sp = n ? c.tlb.read_ptr<1>(src) : nullptr;
    uint8_t* dp = sp ? c.tlb.write_ptr<1>(dst) : nullptr;
    if (dp == nullptr) {
      element<kMovs, S, false>(c, in, S);
      c.gpr[RCX] = --count;
      continue;
    }
    std::memmove(dp, sp, n * S);
    c.gpr[RSI] += n * S;
    c.gpr[RDI] += n * S;
    count -= n;
    c.gpr[RCX] = count;
  }
  (void)sizeof(T);
}

// REP STOS, DF = 0, 64-bit addressing: fills host pages directly.
template <int S>
void rep_stos_forward(Cpu& c, const Insn& in) {
  using T = U<S>;
  const T v = get<S>(c, RAX);
  uint64_t count = c.gpr[RCX];
  while (count != 0) {
    const uint64_t dst = c.gpr[RDI];
    const uint64_t n = std::min(count, (mm::kPageSize - (dst & mm::kPageMask)) / S);
    uint8_t* dp = n ? c.tlb.write_ptr<1>(dst) : nullptr;
    if (dp == nullptr) {
      element<kStos, S, false>(c, in, S);
      c.gpr[RCX] = --count;
      continue;
    }
    if constexpr (S == 1) {
      std::memset(dp, v, n);
    } else {
      for (uint64_t i = 0; i < n; ++i) std::memcpy(dp + i * S, &v, S);
    }
    c.gpr[RDI] += n * S;
    count -= n;
    c.gpr[RCX] = count;
  }
}

template <int Op, int S, int Rep, bool A32>
void string_op(Cpu& c, const Insn& in) {
  const bool down = (c.flags.rflags & kDF) != 0;
  const int64_t delta = down ? -S : S;
  if constexpr (Rep == kNoRep) {
    element<Op, S, A32>(c, in, delta);
  } else {
    if constexpr (!A32 && (Op == kMovs || Op == kStos)) {
      if (!down) {
        if constexpr (Op == kMovs) rep_movs_forward<S>(c, in);
        else rep_stos_forward<S>(c, in);
        return;
      }
    }
    while (areg<A32>(c, RCX) != 0) {
      const bool equal = element<Op, S, A32>(c, in, delta);
      set_areg<A32>(c, RCX, c.gpr[RCX] - 1);
      if constexpr (Op == kCmps || Op == kScas) {
        if (equal != (Rep == kRepE)) break;
      }
    }
  }
}

template <size_t... I>
constexpr auto make_string_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &threaded<&string_op<int(I / 24), kSizeOf[(I / 6) % 4], int((I / 2) % 3), bool(I % 2)>>...};
}
constexpr auto kString = make_string_table(std::make_index_sequence<5 * 4 * 3 * 2>{});

}  // namespace

bool bind_string(const Decoded& d, Insn& out) {
  if (d.map != 0 || d.opcode < 0xA4 || d.opcode > 0xAF || d.opcode == 0xA8 || d.opcode == 0xA9) return false;
  if (d.lock) return false;
  int sop;
  switch (d.opcode & ~1) {
    case 0xA4: sop = kMovs; break;
    case 0xAA: sop = kStos; break;
    case 0xAC: sop = kLods; break;
    case 0xA6: sop = kCmps; break;
    default: sop = kScas; break;
  }
  const unsigned size = (d.opcode & 1) ? opsize(d) : 1;
  int rep = kNoRep;
  if (d.rep || d.repne) {
    if (sop == kCmps || sop == kScas) rep = (d.last_rep == 0xF2 || (d.last_rep == 0 && d.repne)) ? kRepNE : kRepE;
    else rep = kRepE;
  }
  out.fn = kString[((sop * 4 + size_index(size)) * 3 + rep) * 2 + (d.p67 ? 1 : 0)];
  return true;
}

}  // namespace emu::ops
