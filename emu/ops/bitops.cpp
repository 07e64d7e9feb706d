// Bit operations: BT/BTS/BTR/BTC (0F A3/AB/B3/BB by register, 0F BA /4-/7 by
// imm8), BSF/BSR (0F BC/BD), POPCNT (F3 0F B8), BSWAP (0F C8+r).
//
// TZCNT/LZCNT (F3 0F BC/BD) are not advertised (no BMI1/ABM in CPUID), and
// without them those encodings ARE BSF/BSR with an ignored F3 prefix.
//
// Flags the manuals leave undefined follow the first host measured (AMD EPYC;
// a later one, family 19h, leaves PF clear for BSF/BSR of 0, so the tests
// compare only their ZF):
//   BT*: only CF changes.
//   BSF/BSR: CF = OF = SF = AF = 0; source 0: ZF = PF = 1 and the destination
//     is left unchanged (all 64 bits, even for 32-bit operands); else ZF = 0
//     and PF is the parity of the bit index written.
//   BSWAP with a 16-bit operand (undefined) clears the low 16 bits, as here.
#include "emu/ops/integer.h"

namespace emu::ops {
namespace {

enum BtOp : int { kBt, kBts, kBtr, kBtc };

template <int Op, int S, bool Mem, bool Imm>
void bit_test(Cpu& c, const Insn& in) {
  using T = U<S>;
  constexpr unsigned bits = S * 8;
  uint64_t addr = 0;
  T v;
  unsigned bit;
  if constexpr (Imm) {
    bit = unsigned(in.imm) & (bits - 1);
  } else {
    const T off = get<S>(c, in.reg);
    bit = unsigned(off) & (bits - 1);
    if constexpr (Mem) {
      // Bit-string addressing: the signed offset selects the operand-sized
      // unit at ea + S * floor(offset / bits).
      constexpr int shift = S == 2 ? 4 : S == 4 ? 5 : 6;
      addr = uint64_t(int64_t(I<S>(off)) >> shift) * S;
    }
  }
  if constexpr (Mem) {
    // The unit's offset is part of the address computation: with 67 it
    // wraps at 32 bits like the rest (before the FS/GS base is added).
    const uint64_t seg = c.seg_base[in.seg];
    addr += effective_address(c, in) - seg;
    if (in.addr32) addr = uint32_t(addr);
    addr += seg;
    v = load<T>(c, addr);
  } else {
    v = get<S>(c, in.rm);
  }
  const T m = T(T(1) << bit);
  const bool old = (v & m) != 0;
  if constexpr (Op != kBt) {
    T r;
    if constexpr (Op == kBts) r = v | m;
    else if constexpr (Op == kBtr) r = T(v & ~m);
    else r = v ^ m;
    if constexpr (Mem) store<T>(c, addr, r);
    else put<S>(c, in.rm, r);
  }
  flags::set_some(c.flags, kCF, old ? kCF : 0);
}

// BSF (Reverse = false) / BSR: destination `reg`, source r/m.
template <bool Reverse, int S, bool Mem>
void bit_scan(Cpu& c, const Insn& in) {
  using T = U<S>;
  const T v = Mem ? load<T>(c, effective_address(c, in)) : get<S>(c, in.rm);
  if (v == 0) {
    flags::set_explicit(c.flags, kZF | kPF);
    return;
  }
  const unsigned idx = Reverse ? 63 - unsigned(__builtin_clzll(v)) : unsigned(__builtin_ctzll(v));
  put<S>(c, in.reg, T(idx));
  flags::set_explicit(c.flags, flags::parity_even(idx) ? kPF : 0);
}

template <int S, bool Mem>
void popcnt(Cpu& c, const Insn& in) {
  using T = U<S>;
  const T v = Mem ? load<T>(c, effective_address(c, in)) : get<S>(c, in.rm);
  put<S>(c, in.reg, T(__builtin_popcountll(v)));
  flags::set_explicit(c.flags, v == 0 ? kZF : 0);
}

template <int S>
void bswap(Cpu& c, const Insn& in) {
  if constexpr (S == 2) put<2>(c, in.rm, 0);
  else if constexpr (S == 4) put<4>(c, in.rm, __builtin_bswap32(get<4>(c, in.rm)));
  else put<8>(c, in.rm, __builtin_bswap64(get<8>(c, in.rm)));
}

// Sizes 2, 4, 8 at index 0..2 in every table.
template <size_t... I>
constexpr auto make_bt_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &bit_test<int(I / 12), kSizeOf[1 + (I / 4) % 3], bool((I / 2) % 2), bool(I % 2)>...};
}
constexpr auto kBitTest = make_bt_table(std::make_index_sequence<4 * 3 * 2 * 2>{});

template <size_t... I>
constexpr auto make_scan_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{&bit_scan<bool(I / 6), kSizeOf[1 + (I / 2) % 3], bool(I % 2)>...};
}
constexpr auto kBitScan = make_scan_table(std::make_index_sequence<2 * 3 * 2>{});

constexpr Handler kPopcnt[3][2] = {{&popcnt<2, false>, &popcnt<2, true>},
                                   {&popcnt<4, false>, &popcnt<4, true>},
                                   {&popcnt<8, false>, &popcnt<8, true>}};
constexpr Handler kBswap[3] = {&bswap<2>, &bswap<4>, &bswap<8>};

}  // namespace

bool bind_bitops(const Decoded& d, Insn& out) {
  if (d.map != 1) return false;
  const uint8_t op = d.opcode;
  const bool mem = d.is_memory();
  const int si = size_index(opsize(d)) - 1;
  if (si < 0) return false;
  switch (op) {
    case 0xA3: case 0xAB: case 0xB3: case 0xBB: {
      const int bop = (op >> 3) & 3;  // A3:0 AB:1 B3:2 BB:3
      if (d.lock && (!mem || bop == kBt)) return false;
      out.reg = d.reg;
      out.rm = d.rm;
      out.fn = kBitTest[((bop * 3 + si) * 2 + mem) * 2 + 0];
      return true;
    }
    case 0xBA: {
      const int digit = (d.modrm >> 3) & 7;
      if (digit < 4) return false;
      const int bop = digit - 4;
      if (d.lock && (!mem || bop == kBt)) return false;
      out.rm = d.rm;
      out.imm = d.imm & 0xff;
      out.fn = kBitTest[((bop * 3 + si) * 2 + mem) * 2 + 1];
      return true;
    }
    case 0xBC: case 0xBD:
      if (d.lock) return false;
      out.reg = d.reg;
      out.rm = d.rm;
      out.fn = kBitScan[((op == 0xBD) * 3 + si) * 2 + mem];
      return true;
    case 0xB8:
      if (d.lock || !d.rep) return false;
      out.reg = d.reg;
      out.rm = d.rm;
      out.fn = kPopcnt[si][mem];
      return true;
    default:
      if (op >= 0xC8 && op <= 0xCF) {
        if (d.lock) return false;
        out.rm = opcode_reg(d);
        out.fn = kBswap[si];
        return true;
      }
      return false;
  }
}

}  // namespace emu::ops
