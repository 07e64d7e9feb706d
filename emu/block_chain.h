// Going from one block straight into the next, without the run loop.
//
// A handler that ends its block with a direct control transfer (Jcc, JMP,
// a fused CMP/TEST + Jcc) sets cpu.rip and then, in tail position, calls
// enter_next_block: if the block's chain links (Block::next) already name
// the block at the new rip, no guest signal is pending (Cpu::interrupt) and
// the instruction limit is not reached (both: Cpu::chain_until), it retires
// the block (icount), makes the next one current (Cpu::block, Cpu::cur) and
// tail-calls its first handler. Otherwise it returns, and the
// run loop ends the block as usual: it hashes, links and checks for events.
// A hot loop then runs with no return to the run loop at all.
//
// One test stands for every reason to stop: Cpu::event is set only by
// SYSCALL, which ends its block and never chains; and while tracing, the run
// loop links no blocks (its hook runs before each instruction), so no link
// names the next block.
//
// The jump is a tail call, so the chain of blocks uses no stack. That needs
// the optimiser's sibling calls: an unoptimised build (no __OPTIMIZE__)
// never takes this path, nor does one with EMU_THREADED=0 (emu/threaded.h).
// An optimised build whose compiler still makes real calls of them (profile
// instrumentation, sanitizers) would nest one frame per block: the chain
// stops where the stack has grown kChainStackBudget below the run loop's
// frame (Cpu::chain_stack_floor), and the nested handlers return to the run
// loop, which goes on from the block that ended.
#pragma once

#include "emu/block_cache.h"
#include "emu/cpu.h"

namespace emu {

inline constexpr uintptr_t kChainStackBudget = 64 * 1024;

// The host stack pointer: no frame pointer needed, unlike __builtin_frame_address.
[[gnu::always_inline]] inline uintptr_t host_stack_pointer() {
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
}

[[gnu::always_inline]] inline void enter_next_block(Cpu& c) {
#if defined(__OPTIMIZE__) && (!defined(EMU_THREADED) || EMU_THREADED)
  const Block* const b = c.block;
  const uint64_t retired = c.icount + b->count;
  if (retired >= c.chain_until) [[unlikely]]  // an interrupt, or --max-insns reached by this block
    return;
  if (host_stack_pointer() < c.chain_stack_floor) [[unlikely]]
    return;
  Block* n = b->next[0];
  if (n->start != c.rip) [[unlikely]] {
    n = b->next[1];
    if (n->start != c.rip) return;
  }
  c.icount = retired;
  c.block = n;
  const Insn* const first = n->insns();
  c.cur = first;
  return first->fn(c, *first);
#else
  (void)c;
#endif
}

// The taken branch of a loop's back edge: a block whose last instruction
// branches to the block's own start (the block builder binds such branches
// to handlers that call this). cpu.rip already is that start and Cpu::block
// this block, so going round again is the two stop checks, the instruction
// count and a jump to the first Insn: no link to follow, nothing to store.
// `last` is the branch's Insn: Cpu::cur when the run loop ends the block
// instead. A block dropped while it ran (its own code overwritten) has
// op_stale handlers by now: going round again throws StaleBlock, and the run
// loop decodes the new code, as it would have.
[[gnu::always_inline]] inline void reenter_block(Cpu& c, const Insn& last) {
#if defined(__OPTIMIZE__) && (!defined(EMU_THREADED) || EMU_THREADED)
  const Block* const b = c.block;
  const uint64_t retired = c.icount + b->count;
  if (retired >= c.chain_until || host_stack_pointer() < c.chain_stack_floor) [[unlikely]] {
    c.cur = &last;
    return;
  }
  c.icount = retired;
  const Insn* const first = b->insns();
  c.cur = first;
  return first->fn(c, *first);
#else
  c.cur = &last;
#endif
}

}  // namespace emu
