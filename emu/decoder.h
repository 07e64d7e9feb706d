// The x86-64 instruction decoder: bytes -> Decoded (emu/insn.h).
//
// Table-driven (emu/opcode_tables.h, built at compile time). It knows the
// LENGTH and operand layout of every instruction of the one-byte, 0F, 0F38
// and 0F3A maps valid in 64-bit mode, whether or not a handler exists, so an
// unimplemented instruction gets a clean SIGILL naming its exact bytes.
//
// Not decoded (-> Invalid): VEX/EVEX (C4/C5/62: our CPU model has no AVX),
// AMD/VIA-only encodings (3DNow! 0F 0F, FEMMS, SSE4a EXTRQ/INSERTQ, XOP
// 8F /1-7, SVM/CLZERO in 0F 01, PadLock 0F A6/A7), opcodes undefined in
// 64-bit mode. Validity is checked where
// the SDM makes an encoding #UD whatever the CPU: LOCK outside the lockable
// memory-destination forms, memory-only/register-only operands, undefined
// group members, SSE mandatory-prefix combinations (a mandatory prefix an
// opcode has no form for is #UD, never ignored). An instruction that needs
// more than 15 bytes is TooLong, whatever follows (the CPU raises #GP there
// without fetching further). What is valid but not
// implemented is the binder's to reject. Checked against Capstone in
// tests/emu/decoder_capstone_test.cpp (named exceptions there).
//
// Conventions of the Decoded it fills:
//  - RIP-relative operands are resolved: disp = next_rip + disp32 (truncated
//    to 32 bits with 67), base = index = kNoReg, rip_relative = true.
//  - Relative branches (jcc, jmp, call, loop*, jrcxz, xbegin): imm is the
//    absolute target address.
//  - moffs forms (A0-A3): disp is the absolute address (64-bit, or 32-bit
//    with 67), base = index = kNoReg, has_modrm = false.
//  - imm is sign-extended from its encoded size to 64 bits, except: Iw of
//    RET/RETF/ENTER (zero-extended) and MOV r,imm (B8-BF: zero-extended;
//    with REX.W the full imm64). ENTER's level byte is imm2.
//  - opsize: 1 for byte opcodes; else 8 with REX.W; else 8 for near
//    branches (66 ignored, as on Intel); else 2 with 66; else 8 for
//    default-64 opcodes (push/pop...); else 4.
//  - A REX byte not immediately before the opcode is ignored (rex = 0).
#pragma once

#include <cstddef>
#include <cstdint>

#include "emu/insn.h"

namespace emu {

enum class DecodeStatus : uint8_t {
  Ok,
  Truncated,  // the bytes end before the instruction does: fetch more and retry
  Invalid,    // no valid instruction starts here (#UD: the guest gets SIGILL)
  TooLong,    // valid so far, but it would exceed 15 bytes (#GP: the guest gets SIGSEGV)
};

inline constexpr size_t kMaxInsnLen = 15;

// Decodes one instruction from `bytes` (`avail` of them readable) at guest
// address `addr`. On Ok, `out` is complete; otherwise `out` is
// unspecified. Truncated is only returned when avail < 15.
DecodeStatus decode_insn(const uint8_t* bytes, size_t avail, uint64_t addr, Decoded& out);

// As decode_insn; false for Truncated, Invalid and TooLong alike.
inline bool decode(const uint8_t* bytes, size_t avail, uint64_t addr, Decoded& out) {
  return decode_insn(bytes, avail, addr, out) == DecodeStatus::Ok;
}

// True when the instruction transfers control or traps (jmp/jcc/call/ret/
// loop/jrcxz/syscall/int*/ud2/hlt/iret...): it ends a decoded block.
bool ends_block(const Decoded& d);

}  // namespace emu
