// Multiply and divide: F6/F7 /4 MUL, /5 IMUL, /6 DIV, /7 IDIV; IMUL r, r/m
// (0F AF); IMUL r, r/m, imm (69, 6B).
//
// Flags: MUL/IMUL set CF = OF = "the result does not fit the destination";
// SF/ZF/AF/PF are undefined and this host (AMD) leaves them unchanged, so do
// we. DIV/IDIV leave all flags undefined; the host's values are not a simple
// function of the operands, and we leave them unchanged.
// Divide by zero and a quotient that does not fit raise #DE: SIGFPE with
// FPE_INTDIV at the instruction, registers untouched.
#include <limits>

#include "emu/ops/integer.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {

enum MdOp : int { kMul, kImul, kDiv, kIdiv };

template <int S, bool Mem>
inline U<S> src_operand(Cpu& c, const Insn& in) {
  if constexpr (Mem) return load<U<S>>(c, effective_address(c, in));
  else return get<S>(c, in.rm);
}

inline void set_cf_of(Cpu& c, bool overflow) {
  flags::set_some(c.flags, kCF | kOF, overflow ? (kCF | kOF) : 0);
}

// The double-width accumulator pair: AX for bytes, else rDX:rAX.
template <int S>
inline void put_pair(Cpu& c, U<S> lo, U<S> hi) {
  if constexpr (S == 1) {
    put<2>(c, RAX, uint16_t(lo | (uint16_t(hi) << 8)));
  } else {
    put<S>(c, RAX, lo);
    put<S>(c, RDX, hi);
  }
}

template <int Op, int S, bool Mem>
void muldiv(Cpu& c, const Insn& in) {
  using T = U<S>;
  using ST = I<S>;
  const T b = src_operand<S, Mem>(c, in);
  const T a = get<S>(c, RAX);  // AL for bytes (offset 0)
  if constexpr (Op == kMul) {
    T lo, hi;
    if constexpr (S == 8) {
      unsigned __int128 p = (unsigned __int128)a * b;
      lo = T(p);
      hi = T(p >> 64);
    } else {
      uint64_t p = uint64_t(a) * b;
      lo = T(p);
      hi = T(p >> (S * 8));
    }
    put_pair<S>(c, lo, hi);
    set_cf_of(c, hi != 0);
  } else if constexpr (Op == kImul) {
    T lo, hi;
    if constexpr (S == 8) {
      __int128 p = (__int128)int64_t(a) * int64_t(b);
      lo = T(p);
      hi = T(uint64_t((unsigned __int128)p >> 64));
    } else {
      int64_t p = int64_t(ST(a)) * int64_t(ST(b));
      lo = T(p);
      hi = T(uint64_t(p) >> (S * 8));
    }
    put_pair<S>(c, lo, hi);
    set_cf_of(c, hi != T(ST(lo) < 0 ? ~T(0) : T(0)));
  } else if constexpr (Op == kDiv) {
    if (b == 0) raise_divide_error(c, in);
    T hi = S == 1 ? T(c.gpr[RAX] >> 8) : get<S>(c, RDX);
    if (hi >= b) raise_divide_error(c, in);  // quotient would not fit
    T q, r;
    if constexpr (S == 8) {
      if (hi == 0) {
        q = a / b;
        r = a % b;
      } else {
        unsigned __int128 n = ((unsigned __int128)hi << 64) | a;
        q = T(n / b);
        r = T(n % b);
      }
    } else {
      uint64_t n = (uint64_t(hi) << (S * 8)) | a;
      q = T(n / b);
      r = T(n % b);
    }
    put_pair<S>(c, q, r);
  } else {
    if (b == 0) raise_divide_error(c, in);
    T hi = S == 1 ? T(c.gpr[RAX] >> 8) : get<S>(c, RDX);
    constexpr int64_t kMax = int64_t(std::numeric_limits<ST>::max());
    constexpr int64_t kMin = int64_t(std::numeric_limits<ST>::min());
    T q, r;
    if constexpr (S == 8) {
      const __int128 n = (__int128)(((unsigned __int128)hi << 64) | a);
      const int64_t d = int64_t(b);
      __int128 qq;
      if (d == -1) {  // n / -1 overflows __int128 itself for n = -2^127
        if (n < -(__int128)kMax || n > -(__int128)kMin) raise_divide_error(c, in);
        qq = -n;
        r = 0;
      } else {
        qq = n / d;
        if (qq > kMax || qq < kMin) raise_divide_error(c, in);
        r = T(int64_t(n % d));
      }
      q = T(int64_t(qq));
    } else {
      using W = std::conditional_t<S == 1, int16_t, std::conditional_t<S == 2, int32_t, int64_t>>;
      const int64_t n = int64_t(W((uint64_t(hi) << (S * 8)) | a));
      const int64_t d = int64_t(ST(b));
      if (d == -1) {  // n / -1 could overflow int64 itself
        if (n < -kMax || n > -kMin) raise_divide_error(c, in);
        q = T(-n);
        r = 0;
      } else {
        const int64_t qq = n / d;
        if (qq > kMax || qq < kMin) raise_divide_error(c, in);
        q = T(qq);
        r = T(n % d);
      }
    }
    put_pair<S>(c, q, r);
  }
}

// IMUL r, r/m (Imm = false) and IMUL r, r/m, imm: destination `reg`.
// NF ("no flags"): the block builder found CF and OF dead (emu/flag_use.h).
template <int S, bool Mem, bool Imm, bool NF>
void imul_r(Cpu& c, const Insn& in) {
  using T = U<S>;
  using ST = I<S>;
  const T b = src_operand<S, Mem>(c, in);
  const T a = Imm ? T(in.imm) : get<S>(c, in.reg);
  T lo;
  bool overflow;
  if constexpr (S == 8) {
    __int128 p = (__int128)int64_t(a) * int64_t(b);
    lo = T(p);
    overflow = p != (__int128)int64_t(lo);
  } else {
    int64_t p = int64_t(ST(a)) * int64_t(ST(b));
    lo = T(p);
    overflow = p != int64_t(ST(lo));
  }
  put<S>(c, in.reg, lo);
  if constexpr (!NF) set_cf_of(c, overflow);
}

template <size_t... I>
constexpr auto make_md_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{&muldiv<int(I / 8), kSizeOf[(I / 2) % 4], bool(I % 2)>...};
}
constexpr auto kMulDiv = make_md_table(std::make_index_sequence<4 * 4 * 2>{});

template <size_t... I>
constexpr auto make_imul_table(std::index_sequence<I...>) {
  // sizes 2, 4, 8 at index 0..2
  return std::array<Handler, sizeof...(I)>{
      &threaded<&imul_r<kSizeOf[1 + (I / 8) % 3], bool((I / 4) % 2), bool((I / 2) % 2), bool(I % 2)>>...};
}
constexpr auto kImulR = make_imul_table(std::make_index_sequence<3 * 2 * 2 * 2>{});

}  // namespace

bool bind_muldiv(const Decoded& d, Insn& out) {
  const bool mem = d.is_memory();
  if (d.map == 0 && (d.opcode == 0xF6 || d.opcode == 0xF7)) {
    const int digit = (d.modrm >> 3) & 7;
    if (digit < 4 || d.lock) return false;
    const unsigned size = d.opcode == 0xF7 ? opsize(d) : 1;
    out.rm = reg_operand(size, d.rm, d);
    out.fn = kMulDiv[((digit - 4) * 4 + size_index(size)) * 2 + mem];
    return true;
  }
  const bool imm = d.map == 0 && (d.opcode == 0x69 || d.opcode == 0x6B);
  if (imm || (d.map == 1 && d.opcode == 0xAF)) {
    if (d.lock) return false;
    out.reg = d.reg;
    out.rm = d.rm;
    if (imm) out.imm = simm(d);
    out.fn = kImulR[(((size_index(opsize(d)) - 1) * 2 + mem) * 2 + imm) * 2 + d.flags_dead];
    return true;
  }
  return false;
}

}  // namespace emu::ops
