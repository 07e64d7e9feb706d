// Shifts and rotates: C0/C1 (imm8), D0/D1 (by 1), D2/D3 (by CL) with /0 ROL,
// /1 ROR, /2 RCL, /3 RCR, /4 SHL, /5 SHR, /6 SAL (= SHL), /7 SAR; and
// SHLD/SHRD (0F A4/A5/AC/AD).
//
// The count is masked to 5 bits (6 with 64-bit operands). A masked count of 0
// changes no flag (a 32-bit register destination is still zero-extended, as
// the hardware does). Flags the manuals leave undefined follow this host
// (AMD EPYC), checked by tests/emu/integer_host_test.cpp:
//   SHL/SHR/SAR/SHLD/SHRD: AF = 1; OF for any count: SHL/SHLD MSB(res) ^ CF,
//     SHR/SAR/SHRD res[top] ^ res[top-1] (so SAR 0, SHR 0 beyond count 1).
//   ROL/RCL: OF = MSB(res) ^ CF; ROR/RCR: OF = res[top] ^ res[top-1]. These are
//     computed whenever the masked count is non-zero, even when the rotation
//     amount modulo the width is 0. Rotates change only CF and OF.
//   SHLD/SHRD with a 16-bit operand and a count above 16 have an undefined
//     result; this host shifts the 48-bit dest:src:src (src:src:dest), so the
//     source rotates in (Intel documents nothing and differs), and so do we;
//     CF = 0, and OF = 0 (SHLD) or res[15] ^ res[14] (SHRD). SHLD by exactly
//     16 sets OF = CF here, not MSB(res) ^ CF.
#include <bit>

#include "emu/ops/integer.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {

enum ShOp : int { kRol, kRor, kRcl, kRcr, kShl, kShr, kSal, kSar };

template <int S, bool Mem, bool Cl>
inline unsigned shift_count(const Cpu& c, const Insn& in) {
  return unsigned(Cl ? c.gpr[RCX] : in.imm) & (S == 8 ? 63 : 31);
}

// The result of shift/rotate Op of `a` by the masked count n (not 0), with
// the flags it writes (NF: "no flags", the block builder found them dead:
// emu/flag_use.h).
template <int Op, int S, bool NF>
[[gnu::always_inline]] inline U<S> shift_result(Cpu& c, U<S> a, unsigned n) {
  using T = U<S>;
  constexpr unsigned bits = S * 8;
  constexpr uint64_t top = uint64_t{1} << (bits - 1);
  const uint64_t v = a;
  T r;
  if constexpr (Op == kShl || Op == kSal || Op == kShr || Op == kSar) {
    bool cf;
    bool of;
    if constexpr (Op == kShl || Op == kSal) {
      r = T(v << n);
      cf = ((v << (n - 1)) & top) != 0;
      of = ((r & top) != 0) != cf;
    } else if constexpr (Op == kShr) {
      r = T(v >> n);
      cf = (v >> (n - 1)) & 1;
      of = n == 1 && (v & top);
    } else {
      const int64_t sv = int64_t(I<S>(a));
      r = T(sv >> n);
      cf = (sv >> (n - 1)) & 1;
      of = false;
    }
    if constexpr (!NF) flags::set_result<T>(c.flags, r, (cf ? kCF : 0) | (of ? kOF : 0) | kAF);
    return r;
  } else {
    bool cf;
    if constexpr (Op == kRol || Op == kRor) {
      // std::rotl/rotr: one host ROL/ROR; a rotation by 0 mod the width is a.
      const unsigned k = n % bits;
      r = Op == kRol ? std::rotl(a, int(k)) : std::rotr(a, int(k));
      cf = Op == kRol ? (r & 1) : (r & top) != 0;
    } else {
      const unsigned k = n % (bits + 1);
      const uint64_t cin = flags::cf(c.flags);
      if (k == 0) {
        r = a;
        cf = cin;
      } else if constexpr (Op == kRcl) {
        r = T((v << k) | (cin << (k - 1)) | (k == 1 ? 0 : v >> (bits + 1 - k)));
        cf = (v >> (bits - k)) & 1;
      } else {
        r = T((v >> k) | (cin << (bits - k)) | (k == 1 ? 0 : v << (bits + 1 - k)));
        cf = (v >> (k - 1)) & 1;
      }
    }
    if constexpr (!NF) {
      bool of;
      if constexpr (Op == kRol || Op == kRcl) of = ((r & top) != 0) != cf;
      else of = (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1) != 0;
      flags::set_some(c.flags, kCF | kOF, (cf ? kCF : 0) | (of ? kOF : 0));
    }
    return r;
  }
}

template <int Op, int S, bool Mem, bool Cl, bool NF>
void shift(Cpu& c, const Insn& in) {
  using T = U<S>;
  uint64_t addr = 0;
  const T a = read_rm<S, Mem>(c, in, addr);
  const unsigned n = shift_count<S, Mem, Cl>(c, in);
  if (n == 0) {
    if constexpr (!Mem && S == 4) put<S>(c, in.rm, a);
    return;
  }
  const T r = shift_result<Op, S, NF>(c, a, n);
  if constexpr (Mem) store<T>(c, addr, r);
  else put<S>(c, in.rm, r);
}

// A register shifted or rotated by an immediate whose masked count is not 0
// (bound with that count in Insn::imm): the commonest form (SHA-256's
// rotates), with no count to mask or test.
template <int Op, int S, bool NF>
void shift_reg_by_imm(Cpu& c, const Insn& in) {
  put<S>(c, in.rm, shift_result<Op, S, NF>(c, get<S>(c, in.rm), unsigned(in.imm)));
}

// SHLD (Left) / SHRD: destination r/m (`rm` or memory), source register `reg`.
template <bool Left, int S, bool Mem, bool Cl>
void shift_double(Cpu& c, const Insn& in) {
  using T = U<S>;
  constexpr unsigned bits = S * 8;
  constexpr uint64_t top = uint64_t{1} << (bits - 1);
  uint64_t addr = 0;
  const T a = read_rm<S, Mem>(c, in, addr);
  const T b = get<S>(c, in.reg);
  const unsigned n = shift_count<S, Mem, Cl>(c, in);
  if (n == 0) {
    if constexpr (!Mem && S == 4) put<S>(c, in.rm, a);
    return;
  }
  T r;
  bool cf;
  if constexpr (S == 8) {
    if constexpr (Left) {
      r = (a << n) | (b >> (64 - n));
      cf = (a >> (64 - n)) & 1;
    } else {
      r = (a >> n) | (b << (64 - n));
      cf = (a >> (n - 1)) & 1;
    }
  } else if constexpr (Left) {
    // 16-bit: dest:src:src, so counts 17..31 rotate src in (as this host does).
    const uint64_t v = S == 2 ? (uint64_t(a) << 32 | uint64_t(b) << 16 | b) : (uint64_t(a) << bits) | b;
    constexpr unsigned width = S == 2 ? 48 : 2 * bits;
    r = T((v << n) >> (width - bits));
    cf = (v >> (width - n)) & 1;
  } else {
    const uint64_t v = S == 2 ? (uint64_t(b) << 32 | uint64_t(b) << 16 | a) : (uint64_t(b) << bits) | a;
    r = T(v >> n);
    cf = (v >> (n - 1)) & 1;
  }
  if constexpr (Mem) store<T>(c, addr, r);
  else put<S>(c, in.rm, r);
  if (S == 2 && n > 16) cf = false;  // this host: no carry out of the rotated-in part
  bool of;
  if constexpr (Left) of = S == 2 && n >= 16 ? cf : ((r & top) != 0) != cf;
  else of = (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1) != 0;
  flags::set_result<T>(c.flags, r, (cf ? kCF : 0) | (of ? kOF : 0) | kAF);
}

template <size_t... I>
constexpr auto make_shift_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &threaded<&shift<int(I / 32), kSizeOf[(I / 8) % 4], bool((I / 4) % 2), bool((I / 2) % 2), bool(I % 2)>>...};
}
constexpr auto kShift = make_shift_table(std::make_index_sequence<8 * 4 * 2 * 2 * 2>{});

// [op][32, 64 bits][flags live, dead]
template <size_t... I>
constexpr auto make_shift_reg_by_imm_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &threaded<&shift_reg_by_imm<int(I / 4), (I / 2) % 2 ? 8 : 4, bool(I % 2)>>...};
}
constexpr auto kShiftRegByImm = make_shift_reg_by_imm_table(std::make_index_sequence<8 * 2 * 2>{});

template <size_t... I>
constexpr auto make_shd_table(std::index_sequence<I...>) {
  // sizes 2, 4, 8 at index 0..2
  return std::array<Handler, sizeof...(I)>{
      &shift_double<bool(I / 12), kSizeOf[1 + (I / 4) % 3], bool((I / 2) % 2), bool(I % 2)>...};
}
constexpr auto kShiftDouble = make_shd_table(std::make_index_sequence<2 * 3 * 2 * 2>{});

}  // namespace

bool bind_shift(const Decoded& d, Insn& out) {
  const uint8_t op = d.opcode;
  const bool mem = d.is_memory();
  if (d.map == 0) {
    bool cl;
    switch (op) {
      case 0xC0: case 0xC1: cl = false; out.imm = d.imm & 0xff; break;
      case 0xD0: case 0xD1: cl = false; out.imm = 1; break;
      case 0xD2: case 0xD3: cl = true; break;
      default: return false;
    }
    if (d.lock) return false;
    const unsigned size = (op & 1) ? opsize(d) : 1;
    const int sop = (d.modrm >> 3) & 7;
    out.rm = reg_operand(size, d.rm, d);
    out.fn = kShift[(((sop * 4 + size_index(size)) * 2 + mem) * 2 + cl) * 2 + d.flags_dead];
    if (!cl && !mem && size >= 4 && (out.imm & (size == 8 ? 63 : 31)) != 0) {
      out.imm &= size == 8 ? 63 : 31;
      out.fn = kShiftRegByImm[(sop * 2 + (size == 8)) * 2 + d.flags_dead];
    }
    return true;
  }
  if (d.map == 1 && (op == 0xA4 || op == 0xA5 || op == 0xAC || op == 0xAD)) {
    if (d.lock) return false;
    const bool left = op < 0xA8;
    const bool cl = op & 1;
    if (!cl) out.imm = d.imm & 0xff;
    out.rm = d.rm;
    out.reg = d.reg;
    out.fn = kShiftDouble[(((left ? 1 : 0) * 3 + size_index(opsize(d)) - 1) * 2 + mem) * 2 + cl];
    return true;
  }
  return false;
}

}  // namespace emu::ops
