// Threaded dispatch inside a block.
//
// A handler wrapped as threaded<H> runs H and then jumps straight to the
// next Insn's handler (a tail call: no return to the run loop, no loop
// counter), setting Cpu::cur first. Every block's Insns are followed by one
// whose handler, op_block_end, ends the chain at the block's end: it goes
// on into the next block if that is linked (emu/block_chain.h), else
// returns to the run loop. Handlers that are not wrapped (control transfers, system
// instructions, rare ones) return to the run loop, which resumes after
// Cpu::cur (emu/interpreter.cpp).
//
// Without the tail call (a build that does not make it, or an H whose frame
// is in use) the chain is nested calls: still correct, at most
// kMaxBlockInsns + 1 deep. Handlers keep their frames empty for the tail
// call: the memory slow paths are out of line and by value (emu/memory.h).
// The hottest memory forms go further: they are threaded themselves, in
// continuation style (load_then/store_then in emu/memory.h), so even their
// TLB miss is a tail call and they need no frame at all.
#pragma once

#include "emu/cpu.h"
#include "emu/insn.h"

namespace emu {

// The handler of the Insn after a block's last one: ends the chain.
void op_block_end(Cpu& cpu, const Insn& in);

// EMU_THREADED=0 (-DEMU_THREADED=0) builds the plain run loop instead:
// every handler returns to it. For measuring what threading buys.
#ifndef EMU_THREADED
#define EMU_THREADED 1
#endif

// Goes on to the Insn after `in` (a tail call), or, in a build without
// threading, returns to the run loop, which does.
[[gnu::always_inline]] inline void next_insn(Cpu& c, const Insn& in) {
#if EMU_THREADED
  const Insn* next = &in + 1;
  c.cur = next;
  return next->fn(c, *next);
#else
  (void)c;
  (void)in;
#endif
}

template <Handler H>
void threaded(Cpu& c, const Insn& in) {
  H(c, in);
  return next_insn(c, in);
}

// threaded<H>, or nullptr for a form that does not exist (H == nullptr).
template <Handler H>
constexpr Handler threaded_or_null() {
  if constexpr (H == nullptr) return nullptr;
  else return &threaded<H>;
}

}  // namespace emu
