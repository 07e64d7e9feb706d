#include "emu/bind.h"

#include "emu/cpu.h"
#include "emu/memory.h"
#include "emu/ops/control.h"

namespace emu {
namespace {

// Instructions without a memory operand that access the stack (push, pop,
// call, ret, enter, leave, pushf, popf): their accesses are SS-relative.
bool implicit_stack_access(const Decoded& d) {
  if (d.map == 1) return d.opcode == 0xA0 || d.opcode == 0xA1 || d.opcode == 0xA8 || d.opcode == 0xA9;  // push/pop fs/gs
  if (d.map != 0) return false;
  const uint8_t op = d.opcode;
  if (op >= 0x50 && op <= 0x5F) return true;
  switch (op) {
    case 0x68: case 0x6A: case 0x8F: case 0x9C: case 0x9D:
    case 0xC2: case 0xC3: case 0xC8: case 0xC9: case 0xE8: return true;
    case 0xCA: case 0xCB: case 0xCF: return true;  // retf, iret
    case 0xFF: return (d.reg & 7) == 2 || (d.reg & 7) == 6;  // call, push
    default: return false;
  }
}

Insn generic_fields(const Decoded& d) {
  Insn in;
  in.disp = d.disp;
  in.imm = d.imm;
  in.reg = d.reg;
  in.rm = d.rm;
  in.base = d.base;
  in.index = d.index;
  in.scale = d.scale;
  in.seg = d.seg;
  in.addr32 = d.p67 ? 1 : 0;
  in.len = d.len;
  // Stack segment: a memory operand based on RSP/RBP (no FS/GS), or the
  // stack itself. (PUSH/POP/CALL with a DS operand: only the operand counts.)
  in.ss = d.is_memory() ? (d.seg == kSegNone && (d.base == RSP || d.base == RBP)) : implicit_stack_access(d);
  return in;
}

// Order: control flow first (it owns a few exact encodings that the integer
// tables would otherwise read as something else, e.g. 90 as xchg eax,eax),
// then SSE (the 0F/0F38/0F3A vector space), then the integer instructions.
// Each binder gets fresh generic fields, so a binder that declines leaves
// no trace.
Insn bind_one(const Decoded& d) {
  Insn in = generic_fields(d);
  if (bind_control(d, in)) return in;
  in = generic_fields(d);
  if (bind_sse(d, in)) return in;
  in = generic_fields(d);
  if (bind_x87(d, in)) return in;
  in = generic_fields(d);
  if (bind_integer(d, in)) return in;
  in = generic_fields(d);
  if (bind_far_transfer(d, in) || bind_segment(d, in) || bind_descriptor(d, in)) return in;
  in = generic_fields(d);
  in.fn = op_invalid;
  return in;
}

}  // namespace

Insn bind(const Decoded& d) {
  Insn in = bind_one(d);
  // The operand fields as the binder left them (some rewrite base/index).
  in.plain_ea = plain_operand(in);
  return in;
}

}  // namespace emu
