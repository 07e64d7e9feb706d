// Shared by the integer handlers (emu/ops/{alu,shift,muldiv,bitops,string,
// datamov}.cpp): operand access by size, compile-time handler tables, and
// the per-category binders that integer_bind.cpp chains.
//
// Operand conventions (set by the binders, read by the handlers):
//  - A register operand is a GPR number, or for 1-byte operands a byte
//    offset into Cpu::gpr (byte_reg_offset), so AH..BH need no special case.
//  - Writes follow the architecture: 8/16-bit merge, 32-bit zero-extends to
//    64, 64-bit replaces.
//  - Memory operands: effective_address(cpu, in). Every load that may fault
//    happens before any register or flag is written; read-modify-write forms
//    load, compute, store, and only then set flags.
#pragma once

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "emu/cpu.h"
#include "emu/flags.h"
#include "emu/insn.h"
#include "emu/memory.h"
#include "mm/guest_fault.h"

namespace emu::ops {

template <int S> struct UIntOf;
template <> struct UIntOf<1> { using T = uint8_t; };
template <> struct UIntOf<2> { using T = uint16_t; };
template <> struct UIntOf<4> { using T = uint32_t; };
template <> struct UIntOf<8> { using T = uint64_t; };
template <int S> using U = typename UIntOf<S>::T;
template <int S> using I = std::make_signed_t<U<S>>;

// Operand sizes by table index: 1, 2, 4, 8.
inline constexpr int kSizeOf[4] = {1, 2, 4, 8};
constexpr int size_index(unsigned bytes) { return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3; }

template <int S>
inline U<S> get(const Cpu& c, uint8_t r) {
  if constexpr (S == 1) return *(reinterpret_cast<const uint8_t*>(c.gpr) + r);
  else return U<S>(c.gpr[r]);
}

template <int S>
inline void put(Cpu& c, uint8_t r, U<S> v) {
  if constexpr (S == 1) *(reinterpret_cast<uint8_t*>(c.gpr) + r) = v;
  else if constexpr (S == 2) std::memcpy(&c.gpr[r], &v, 2);  // little-endian host: the low 16 bits
  else c.gpr[r] = v;
}

template <int S>
inline constexpr U<S> sign_of() { return U<S>(U<S>(1) << (S * 8 - 1)); }

// Address of the executing instruction (for faults): cpu.rip is the block start.
// Reads the r/m operand of size S: memory (its address left in `addr` for
// the write-back of a read-modify-write) or the register `in.rm`.
template <int S, bool Mem>
inline U<S> read_rm(Cpu& c, const Insn& in, uint64_t& addr) {
  if constexpr (Mem) {
    addr = effective_address(c, in);
    return load<U<S>>(c, addr);
  } else {
    return get<S>(c, in.rm);
  }
}

inline uint64_t insn_addr(const Cpu& c, const Insn& in) { return c.rip + in.end - in.len; }

[[noreturn]] inline void raise_divide_error(const Cpu& c, const Insn& in) {
  throw mm::GuestFault{SIGFPE, mm::kFpeIntDiv, insn_addr(c, in)};
}

// The RFLAGS bits POPF and IRET change at CPL 3: IF and IOPL are not
// writable there (silently kept); TF is not emulated (single-stepping would
// need a SIGTRAP per instruction), so kept too; RF is not modelled.
inline constexpr uint64_t kUserWritableFlags = kCF | kPF | kAF | kZF | kSF | kDF | kOF | kNT | kAC | kID;

// Operand forms. R = register, M = memory, I = immediate; destination first.
enum Form : int { kRR = 0, kRM, kMR, kRI, kMI, kFormCount };

// Immediate of the Decoded form sign-extended from its encoded size (the
// decoder's own extension is not relied on).
inline uint64_t simm(const Decoded& d) {
  switch (d.imm_size) {
    case 1: return uint64_t(int64_t(int8_t(d.imm)));
    case 2: return uint64_t(int64_t(int16_t(d.imm)));
    case 4: return uint64_t(int64_t(int32_t(d.imm)));
    default: return d.imm;
  }
}

// Operand size of a non-byte opcode from the prefixes (REX.W, else 66, else 4
// bytes); computed here rather than taken from Decoded::opsize so that
// opcodes shared between default-32 and default-64 forms (FF /0 vs FF /6)
// can't be confused.
inline unsigned opsize(const Decoded& d) { return (d.rex & 8) ? 8 : d.p66 ? 2 : 4; }
// Operand size of PUSH/POP/PUSHF/POPF/ENTER/LEAVE: 8, or 2 with 66 (no REX.W).
inline unsigned stack_size(const Decoded& d) { return (d.p66 && !(d.rex & 8)) ? 2 : 8; }

// The register named in the low 3 opcode bits (50+r, B8+r, ...), with REX.B.
inline uint8_t opcode_reg(const Decoded& d) { return uint8_t((d.opcode & 7) | ((d.rex & 1) << 3)); }

// Register field as stored in an Insn for operand size `size`.
inline uint8_t reg_operand(unsigned size, uint8_t regnum, const Decoded& d) {
  return size == 1 ? byte_reg_offset(regnum, d.rex != 0) : regnum;
}

// Sets out.reg/out.rm for a ModRM instruction of operand size `size`.
inline void bind_modrm_regs(const Decoded& d, Insn& out, unsigned size) {
  out.reg = reg_operand(size, d.reg, d);
  out.rm = reg_operand(size, d.rm, d);
}

// Per-category binders (each returns true when it owns the encoding).
bool bind_alu(const Decoded& d, Insn& out);
// The handler of CMP/TEST (bound to `compare`) and the Jcc with condition
// `cc` right after it, as one (emu/ops/alu.cpp); nullptr when `compare` is
// not a CMP/TEST handler that has a fused form. With `flags_dead` (no
// successor of the block reads them before writing them) it records no flags;
// with `loop` (the Jcc's target is its block's start) it goes round again
// without the block links (reenter_block) where its form allows.
Handler fused_compare_branch(Handler compare, unsigned cc, bool flags_dead, bool loop);
bool bind_shift(const Decoded& d, Insn& out);
bool bind_muldiv(const Decoded& d, Insn& out);
bool bind_bitops(const Decoded& d, Insn& out);
bool bind_string(const Decoded& d, Insn& out);
bool bind_datamov(const Decoded& d, Insn& out);

}  // namespace emu::ops
