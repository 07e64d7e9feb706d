// The two forms of a guest instruction:
//
//  Decoded  what the decoder read from the bytes: prefixes, map, opcode,
//           ModRM/SIB fields, displacement, immediates, operand size. Generic;
//           used once, at decode time, to pick a handler.
//  Insn     the executable form kept in a decoded block: the handler pointer
//           specialised for the operation, operand size and operand form,
//           plus the few operand fields it reads. 40 bytes.
//
// Binding (Decoded -> Insn) happens once per instruction per block build.
#pragma once

#include <cstdint>

namespace emu {

struct Cpu;
struct Insn;

// One signature for every handler. Handlers may throw mm::GuestFault.
using Handler = void (*)(Cpu&, const Insn&);

struct Decoded {
  uint64_t addr = 0;      // guest address of the first byte
  uint8_t len = 0;        // total length in bytes (1..15)
  uint8_t bytes[15] = {}; // the raw bytes, for messages and tests

  uint8_t map = 0;        // 0: one-byte, 1: 0F, 2: 0F38, 3: 0F3A
  uint8_t opcode = 0;     // the opcode byte within `map`

  // Prefixes.
  bool p66 = false;       // operand-size override
  bool p67 = false;       // address-size override
  bool lock = false;
  bool rep = false;       // F3 seen
  bool repne = false;     // F2 seen
  uint8_t last_rep = 0;   // 0, 0xF2 or 0xF3: whichever came last (SSE mandatory prefix)
  uint8_t seg = 0;        // Seg: FS/GS override; CS/DS/ES/SS are no-ops in 64-bit mode
  uint8_t rex = 0;        // the REX byte (0x40..0x4F), 0 when absent

  // ModRM / SIB.
  bool has_modrm = false;
  uint8_t modrm = 0;
  uint8_t mod = 0;        // ModRM.mod
  uint8_t reg = 0;        // ModRM.reg | REX.R << 3   (0..15)
  uint8_t rm = 0;         // ModRM.rm  | REX.B << 3   (register operand when mod == 3)
  uint8_t base = 16;      // memory operand (mod != 3): base register or kNoReg
  uint8_t index = 16;     // index register or kNoReg
  uint8_t scale = 0;      // log2 of the SIB scale
  bool rip_relative = false;  // disp below is already the absolute target (base = kNoReg)
  int64_t disp = 0;

  uint64_t imm = 0;       // first immediate, sign- or zero-extended per opcode
  uint8_t imm_size = 0;   // its size in bytes as encoded
  uint64_t imm2 = 0;      // second immediate (ENTER's level byte)

  // Effective operand size in bytes for opcodes with a size attribute:
  // 8 with REX.W, else 2 with 66, else 4 (or 8 for default-64-bit opcodes:
  // push/pop, near branches). Byte-sized opcodes have it set to 1.
  uint8_t opsize = 4;

  // Set by the block builder (not the decoder): no later instruction reads
  // any flag this one may write, so its binder may pick a handler that
  // computes no flags (emu/flag_use.h).
  bool flags_dead = false;

  bool is_memory() const { return has_modrm && mod != 3; }
};

struct Insn {
  Handler fn = nullptr;
  int64_t disp = 0;       // memory displacement (absolute address when RIP-relative)
  uint64_t imm = 0;       // immediate, or the absolute branch target
  uint8_t reg = 0;        // ModRM.reg operand: GPR number, XMM number, or byte-register offset
  uint8_t rm = 0;         // register operand when the r/m is a register
  uint8_t base = 16;      // memory operand base (kNoReg when none)
  uint8_t index = 16;     // memory operand index (kNoReg when none)
  uint8_t scale = 0;      // log2(scale)
  uint8_t seg = 0;        // Seg
  uint8_t addr32 = 0;     // 1: 0x67 prefix, effective address truncated to 32 bits
  uint8_t len = 0;        // instruction length
  uint16_t end = 0;       // offset of the NEXT instruction from the block's start
  uint8_t op = 0;         // handler-specific: condition code, sub-operation, size...
  uint8_t op2 = 0;        // handler-specific
  uint8_t ss = 0;         // 1: its memory accesses use the stack segment (an RSP/RBP-based
                          // operand, or the stack itself): non-canonical is #SS, not #GP
  uint8_t plain_ea = 0;   // 1: the address is gpr[base] + disp (no index, no FS/GS, no 67),
                          // set by bind(): effective_address's short path
};
static_assert(sizeof(Insn) <= 40);

// Byte-register operands are stored as a byte offset into Cpu::gpr so that
// AL..R15B and AH..BH are read the same way: *((uint8_t*)cpu.gpr + off).
// Without REX, register numbers 4..7 name AH, CH, DH, BH.
constexpr uint8_t byte_reg_offset(uint8_t regnum, bool has_rex) {
  if (!has_rex && regnum >= 4 && regnum < 8) return uint8_t((regnum - 4) * 8 + 1);
  return uint8_t(regnum * 8);
}

}  // namespace emu
