// Control-flow and system instructions: jmp, jcc, call, ret, loop*, jrcxz,
// syscall, cpuid, rdtsc/rdtscp, the NOP family (90, F3 90 pause, 0F 18-1F
// hint NOPs incl. endbr64, 0F 0D prefetchw), fences and clflush, ud2, int3,
// int1, int n, hlt and the privileged instructions (SIGSEGV, as Linux
// delivers the #GP they raise in user mode: hlt, cli/sti, in/out/ins/outs,
// clts, invd, wbinvd, mov cr/dr, wrmsr/rdmsr, rdpmc, lldt, ltr, lgdt, lidt,
// lmsw, invlpg, swapgs, sysret; each measured #GP on this host), and the
// invalid-opcode handler. Far transfers: emu/ops/far_transfer.cpp.
//
// Every handler follows the block execution contract of emu/interpreter.cpp:
// cpu.rip is the block's start; the instruction's own address is
// cpu.rip + in.end - in.len, the next one's cpu.rip + in.end; a control
// transfer sets cpu.rip (taken or not), after every access that can fault.
#pragma once

#include <csignal>
#include <cstdint>

#include "emu/insn.h"
#include "mm/guest_fault.h"

namespace emu {

// #GP as Linux delivers it at CPL 3: SIGSEGV, SI_KERNEL, no address.
[[noreturn]] inline void raise_gp() { throw mm::GuestFault{SIGSEGV, mm::kSiKernel, 0}; }

// An indirect branch (or RET, far transfer) to a non-canonical address raises
// #GP at the branch itself, before anything changes (RIP would be
// non-canonical); a canonical but unmapped target faults at the target instead.
inline uint64_t branch_target(uint64_t target) {
  if (uint64_t(int64_t(target << 16) >> 16) != target) [[unlikely]]
    raise_gp();
  return target;
}

// Binds the encodings this file owns (see above). False for anything else.
bool bind_control(const Decoded& d, Insn& out);

// The handler of a Jcc with condition `cc` whose target is the start of its
// own block (a loop's back edge): taken, it goes round again without the
// block links (emu/block_chain.h reenter_block). Bound by the block builder.
Handler jcc_back_to_block_start(unsigned cc);

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
