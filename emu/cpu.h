// Architectural state of one guest CPU (one guest thread).
//
// Everything per-thread lives here (registers, lazy flags, the TLB); what
// threads share (the AddressSpace) is referenced. Field order puts what the
// hot path touches first.
#pragma once

#include <cstdint>

#include "emu/flags_state.h"
#include "mm/tlb.h"

namespace emu::mm {
class AddressSpace;
}

namespace emu {

struct Insn;
struct Block;

enum Reg : uint8_t {
  RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
  R8, R9, R10, R11, R12, R13, R14, R15,
  kNoReg = 16,  // "no base / no index": gpr[kNoReg] is always zero
};

// Segment selector for a memory operand: only FS and GS have bases in 64-bit mode.
enum Seg : uint8_t { kSegNone = 0, kSegFs = 1, kSegGs = 2 };

// Segment registers in their encoding order (ModRM.reg of MOV Sreg).
enum SegReg : uint8_t { kEs, kCs, kSs, kDs, kFs, kGs, kSegRegCount };

union alignas(16) Xmm {
  uint8_t b[16];
  uint16_t w[8];
  uint32_t d[4];
  uint64_t q[2];
  int8_t sb[16];
  int16_t sw[8];
  int32_t sd[4];
  int64_t sq[2];
  float f32[4];
  double f64[2];
};
static_assert(sizeof(Xmm) == 16);

// The x87 FPU (emu/ops/x87.h). Registers are kept by physical number
// (R0..R7); ST(i) is st[(top + i) & 7]. `long double` on x86-64 is the 80-bit
// extended format, so each slot holds the guest's bits exactly (the 6 bytes
// of padding are not part of the value). The tag word is kept as one bit per
// physical register (the FXSAVE abridged form); the 2-bit tags FNSTENV
// reports are derived from the register contents, as the hardware does.
struct X87 {
  long double st[8] = {};
  uint16_t fcw = 0x037f;   // FNINIT: all exceptions masked, 64-bit precision, nearest
  uint16_t fsw = 0;        // status word with the TOP field (bits 11..13) zero
  uint8_t top = 0;
  uint8_t valid = 0;       // bit i: R(i) is not empty
  uint16_t fop = 0;        // last non-control instruction's opcode (11 bits)
  uint16_t fcs = 0;        // its code selector (FNSTENV/FNSAVE images only)
  uint64_t fip = 0;        // its address
  uint64_t fdp = 0;        // its memory operand's address
};

// Why the run loop returned to its caller (see emu/interpreter.h).
enum class Event : uint8_t {
  None,
  Syscall,  // SYSCALL executed; rip already points past it
  Exit,     // guest asked to stop (set by the syscall layer on exit/exit_group)
  Interrupt,  // cpu.interrupt was raised (a host signal for the guest came in)
  InsnLimit,  // cpu.icount reached cpu.insn_limit (--max-insns)
};

struct Cpu {
  uint64_t gpr[17] = {};       // indexed by Reg; [kNoReg] stays 0
  uint64_t rip = 0;            // while a block runs: the block's start address
  FlagsState flags;            // lazy arithmetic flags + DF etc. (emu/flags.h)
  uint64_t seg_base[3] = {};   // indexed by Seg; [kSegNone] stays 0
  // Selectors, indexed by SegReg, as Linux starts a 64-bit process: CS 0x33,
  // SS 0x2b, the others null (emu/ops/segment.cpp loads them).
  uint16_t selector[kSegRegCount] = {0, 0x33, 0x2b, 0, 0, 0};
  mm::AddressSpace* mem = nullptr;
  Event event = Event::None;
  // Raised from a host signal handler (syscalls/signal_host.h): the run loop
  // stops at the next block boundary. Separate from `event`, which only the
  // interpreter writes, so a signal can't overwrite a pending SYSCALL.
  volatile uint8_t interrupt = 0;
  // The host MXCSR holds this guest's, and the guest masks every SSE
  // exception: FP handlers run the host instruction as it is
  // (emu/ops/sse_state.h; set by GuestFpEnv and LDMXCSR).
  uint8_t fp_fast = 0;
  uint64_t icount = 0;         // guest instructions retired
  // run() returns Event::InsnLimit at the first block end where icount has
  // reached this (--max-insns): the limit holds to within one block.
  uint64_t insn_limit = UINT64_MAX;
  // Handlers go on into the next block only while icount is below this
  // (emu/block_chain.h): insn_limit normally, 0 while `interrupt` is raised,
  // so that one compare stands for both reasons to stop. Written by
  // raise_interrupt (also from a signal handler) and rearm_chain below.
  volatile uint64_t chain_until = UINT64_MAX;
  // The Insn executing now (emu/threaded.h): set before each handler runs,
  // so the run loop knows where a fault came from.
  const Insn* cur = nullptr;
  // The block executing now (emu/block_chain.h: handlers may move to the next).
  Block* block = nullptr;
  // Handlers go on into the next block only while the host stack pointer is
  // above this (emu/block_chain.h; set by the run loop).
  uintptr_t chain_stack_floor = 0;

  Xmm xmm[16] = {};
  uint32_t mxcsr = 0x1f80;     // power-on default: all exceptions masked, round-to-nearest
  X87 x87;

  mm::Tlb tlb;
};

// Stops the run loop, and any handler going block to block, at the next
// block boundary. Async-signal-safe (two volatile stores).
inline void raise_interrupt(Cpu& c) {
  c.interrupt = 1;
  c.chain_until = 0;
}

// chain_until back to insn_limit, unless an interrupt is raised: one raised
// at any point during this call leaves chain_until at 0 (the handler's store
// comes after ours, or our second look sees its flag).
inline void rearm_chain(Cpu& c) {
  c.chain_until = c.insn_limit;
  if (c.interrupt) c.chain_until = 0;
}

// Lowers `interrupt` (its signals are about to be collected); one raised
// again from here on stops the loop as before.
inline void clear_interrupt(Cpu& c) {
  c.interrupt = 0;
  rearm_chain(c);
}

}  // namespace emu
