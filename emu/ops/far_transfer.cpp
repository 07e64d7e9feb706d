// Far transfers at CPL 3 in 64-bit mode: RETF (CB, CA imm16), far JMP and
// CALL through a memory pointer (FF /5, FF /3), IRET (CF).
//
// The only code segment a CPL-3 program can reach under Linux is the 64-bit
// __USER_CS (0x33; far JMP/CALL also accept its RPL 0-2 forms 0x30-0x32, and
// CS then reads 0x33): these work as near transfers that also move the
// selector. Every other selector is #GP (SIGSEGV, SI_KERNEL, no address) at
// the instruction, nothing changed (emu/ops/gdt.h: 0x23, the 32-bit code
// segment, is not usable on this host; emu could not run 32-bit code anyway).
//
// Operand sizes, as this host executes them (measured):
//  - RETF pops a 4-byte EIP and a 4-byte slot whose low word is CS by
//    default (not 8: far transfers are not default-64), 8 + 8 with REX.W,
//    2 + 2 with 66; then releases imm16 more bytes. The new RIP is the
//    popped offset zero-extended (a 16-bit one lands in the first 64 KiB).
//    A CS with RPL 0-2 reads one more slot before its #GP (see retf).
//  - Far JMP/CALL read m16:32, or m16:16 with 66. With REX.W this AMD host
//    still reads m16:32 (Intel: m16:64), but a far CALL then pushes 8-byte
//    slots. CALL pushes CS (zero-extended to the slot) then the return
//    address (truncated to the slot), so a stack fault on the second push
//    leaves the first written, as natively.
//  - IRET pops RIP, CS, RFLAGS, RSP, SS in slots of 4 bytes by default, 8
//    with REX.W, 2 with 66, reading all five before checking any. It is #GP
//    if RFLAGS.NT is set (IA-32e mode), if CS is not 0x33 or SS not 0x2b
//    (low word of the slot), or if RIP is not canonical; RSP is loaded as
//    popped, zero-extended, canonical or not. Of RFLAGS it changes what POPF
//    changes at CPL 3 (IF and IOPL stay; TF is not emulated, as for POPF;
//    RF is not modelled), the low 16 bits only with 66.
#include "emu/bind.h"
#include "emu/ops/control.h"
#include "emu/ops/gdt.h"
#include "emu/ops/integer.h"

namespace emu {
namespace {

using ops::U;

inline uint64_t next_addr(const Cpu& c, const Insn& in) { return c.rip + in.end; }

// RETF / RETF imm16 (in.imm = bytes released after the pops), slots of S bytes.
template <int S>
void retf(Cpu& c, const Insn& in) {
  const uint64_t sp = c.gpr[RSP];
  const uint64_t ip = load<U<S>>(c, sp);
  const uint16_t cs = uint16_t(load<U<S>>(c, sp + S));
  // RPL < 3 asks for a return to an inner level: #GP. This host first reads
  // the slot an outer-level return would take SS from (after the released
  // bytes), so an unreadable one is the fault instead (measured).
  if ((cs & 3) != 3) (void)load<U<S>>(c, sp + 3 * S + in.imm);
  if (!gdt::is_far_target(cs, true)) raise_gp();
  const uint64_t target = branch_target(ip);
  c.selector[kCs] = cs;
  c.gpr[RSP] = sp + 2 * S + in.imm;
  c.rip = target;
}

// JMP m16:P.
template <int P>
void jmp_far(Cpu& c, const Insn& in) {
  const uint64_t ea = effective_address(c, in);
  const uint64_t ip = load<U<P>>(c, ea);
  const uint16_t cs = load<uint16_t>(c, ea + P);
  if (!gdt::is_far_target(cs, false)) raise_gp();
  c.selector[kCs] = uint16_t(cs | 3);  // RPL becomes CPL
  c.rip = ip;
}

// CALL m16:P, pushing slots of S bytes.
template <int P, int S>
void call_far(Cpu& c, const Insn& in) {
  const uint64_t ea = effective_address(c, in);
  const uint64_t ip = load<U<P>>(c, ea);
  const uint16_t cs = load<uint16_t>(c, ea + P);
  if (!gdt::is_far_target(cs, false)) raise_gp();
  const uint64_t sp = c.gpr[RSP];
  store<U<S>>(c, sp - S, U<S>(c.selector[kCs]));
  store<U<S>>(c, sp - 2 * S, U<S>(next_addr(c, in)));
  c.selector[kCs] = uint16_t(cs | 3);
  c.gpr[RSP] = sp - 2 * S;
  c.rip = ip;
}

// IRET with slots of S bytes.
template <int S>
void iret(Cpu& c, const Insn&) {
  if (c.flags.rflags & kNT) raise_gp();
  const uint64_t sp = c.gpr[RSP];
  const uint64_t ip = load<U<S>>(c, sp);
  const uint16_t cs = uint16_t(load<U<S>>(c, sp + S));
  const uint64_t rflags = load<U<S>>(c, sp + 2 * S);
  const uint64_t new_sp = load<U<S>>(c, sp + 3 * S);
  const uint16_t ss = uint16_t(load<U<S>>(c, sp + 4 * S));
  if (!gdt::is_far_target(cs, true) || !gdt::loads_as_stack(ss)) raise_gp();
  const uint64_t target = branch_target(ip);
  write_rflags(c, rflags, S == 2 ? (ops::kUserWritableFlags & 0xffff) : ops::kUserWritableFlags);
  c.selector[kCs] = cs;
  c.selector[kSs] = ss;
  c.gpr[RSP] = new_sp;
  c.rip = target;
}

}  // namespace

bool bind_far_transfer(const Decoded& d, Insn& out) {
  if (d.map != 0) return false;
  const unsigned size = ops::opsize(d);  // 8 with REX.W, else 2 with 66, else 4
  switch (d.opcode) {
    case 0xCA: case 0xCB:
      out.imm = d.opcode == 0xCA ? (d.imm & 0xffff) : 0;
      out.fn = size == 8 ? &retf<8> : size == 2 ? &retf<2> : &retf<4>;
      return true;
    case 0xCF:
      out.fn = size == 8 ? &iret<8> : size == 2 ? &iret<2> : &iret<4>;
      return true;
    case 0xFF: {
      const unsigned r = d.reg & 7;
      if ((r != 3 && r != 5) || !d.is_memory()) return false;
      if (r == 5) out.fn = size == 2 ? &jmp_far<2> : &jmp_far<4>;
      else out.fn = size == 8 ? &call_far<4, 8> : size == 2 ? &call_far<2, 2> : &call_far<4, 4>;
      return true;
    }
    default: return false;
  }
}

}  // namespace emu
