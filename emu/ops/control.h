// Control-flow and system instructions: jmp, jcc, call, ret, loop*, jrcxz,
// syscall, cpuid, rdtsc/rdtscp, the NOP family (90, F3 90 pause, 0F 18-1F
// hint NOPs incl. endbr64, 0F 0D prefetchw), fences and clflush, ud2, int3,
// int n, hlt and the privileged instructions (SIGSEGV, as Linux delivers the
// #GP they raise in user mode), and the invalid-opcode handler.
//
// Every handler follows the block execution contract of emu/interpreter.cpp:
// cpu.rip is the block's start; the instruction's own address is
// cpu.rip + in.end - in.len, the next one's cpu.rip + in.end; a control
// transfer sets cpu.rip (taken or not), after every access that can fault.
#pragma once

#include "emu/insn.h"

namespace emu {

// Binds the encodings this file owns (see above). False for anything else.
bool bind_control(const Decoded& d, Insn& out);

// Raises SIGILL (ILL_ILLOPN) at the instruction: the handler of every
// encoding no binder owns, and of undecodable bytes (then in.len == 0).
void op_invalid(Cpu& cpu, const Insn& in);
// Raises #GP as Linux delivers it in user mode: SIGSEGV, SI_KERNEL, no
// address. hlt, in/out, cli/sti, int n, privileged 0F opcodes, and bytes
// that make an instruction longer than 15 bytes (DecodeStatus::TooLong).
void op_gp(Cpu& cpu, const Insn& in);
// Raises the instruction-fetch fault for the byte at in.imm (an instruction
// that continues onto an unmapped or non-executable page).
void op_fetch_fault(Cpu& cpu, const Insn& in);

}  // namespace emu
