// Binding: Decoded -> Insn. The decoder fills an Insn's generic operand fields
// (reg, rm, base, index, scale, seg, addr32, disp, imm, len) from the Decoded
// form, then asks the category binders, which pick the handler (fn) and set
// any handler-specific fields (op, op2; reg/rm as byte offsets for byte ops).
//
// Each binder returns true when it owns the encoding (and then has set fn),
// false when the encoding is not its own. An encoding nobody owns is bound to
// the invalid-opcode handler, which raises SIGILL for the guest.
#pragma once

#include "emu/insn.h"

namespace emu {

// Integer, control-flow, string and system instructions (emu/ops/*).
bool bind_integer(const Decoded& d, Insn& out);
// SSE/SSE2 (and later SSE3..SSE4.2) instructions: 0F 10-17, 0F 28-2F,
// 0F 50-7F, 0F C2-C6, 0F D0-FF, 0F AE /0-/3 (FXSAVE, FXRSTOR, LDMXCSR,
// STMXCSR), and the 0F38/0F3A maps.
bool bind_sse(const Decoded& d, Insn& out);
// x87 floating point (D8-DF escapes, and 9B FWAIT): emu/ops/x87_*.cpp.
bool bind_x87(const Decoded& d, Insn& out);
// Segment registers (MOV Sreg, PUSH/POP FS/GS, LSS/LFS/LGS): emu/ops/segment.cpp.
bool bind_segment(const Decoded& d, Insn& out);
// LAR, LSL, VERR, VERW, SLDT, STR, SGDT, SIDT, SMSW: emu/ops/descriptor.cpp.
bool bind_descriptor(const Decoded& d, Insn& out);
// RETF, far JMP/CALL, IRET: emu/ops/far_transfer.cpp.
bool bind_far_transfer(const Decoded& d, Insn& out);

// Binds `d` completely (generic fields + the owning category's handler, or
// the invalid-opcode handler). Defined in emu/bind.cpp.
Insn bind(const Decoded& d);

}  // namespace emu
