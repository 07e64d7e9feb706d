// The run loop.
//
// BLOCK EXECUTION CONTRACT (every handler relies on it):
//  - While a block runs, cpu.rip is the block's start address. A handler
//    finds its own address as cpu.rip + in.end - in.len and the next
//    instruction's as cpu.rip + in.end (Insn::end is the offset of the next
//    instruction from the block start).
//  - A control-transfer handler (the last of its block) sets cpu.rip, taken
//    or not. A block that ends without one (size cap, page end) gets
//    cpu.rip = block end from the loop.
//  - A handler raises a synchronous guest fault by throwing mm::GuestFault
//    (the MMU's slow paths do the same). It must not have written any guest
//    register, flag or cpu.rip before its last access that can fault, so the
//    state is precise. The loop catches the fault, sets cpu.rip to the
//    faulting instruction, credits icount with the instructions retired
//    before it, and rethrows to run()'s caller. Exception: a trap (SIGTRAP:
//    int3, int1; or GuestFault::trap: int 4) leaves rip after the
//    instruction, which counts as retired, as the kernel reports it.
//  - icount is credited per block, after it completes.
//  - cpu.event is checked after each block: SYSCALL (which ends its block)
//    sets it and run() returns. So is cpu.interrupt (a host signal for the
//    guest): run() returns Event::Interrupt with rip at the next block; and
//    cpu.insn_limit: Event::InsnLimit. Both lower cpu.chain_until, so the
//    check after a block is one compare.
//
// Nothing here allocates, makes a virtual call or goes through std::function
// per instruction: per block it is a loop of calls through the Insns' handler
// pointers and a check of the block's two cached successors (a hash lookup
// only when neither matches). Trace mode is a separate instantiation
// of the loop, so the normal path does not test for it.
#include "emu/interpreter.h"

#include <csignal>

#include "emu/block_cache.h"
#include "emu/block_chain.h"
#include "emu/ops/sse_state.h"
#include "mm/address_space.h"
#include "mm/guest_fault.h"

namespace emu {

struct Interpreter::Impl {
  Cpu& cpu;
  BlockCache cache;
  TraceHook trace_hook = nullptr;
  void* trace_ctx = nullptr;
  uintptr_t chain_stack_budget = kChainStackBudget;
  uint64_t loop_block_ends = 0;

  explicit Impl(Cpu& c) : cpu(c), cache(*c.mem) {}

  template <bool kTrace>
  Event loop();
};

namespace {

// Why the loop must stop after a block: an interrupt or the instruction
// limit (both lower chain_until, so the usual answer is one compare), or
// None, re-arming chaining if chain_until was a stale 0 from an interrupt
// already handled.
[[gnu::always_inline]] inline Event stop_event(Cpu& c) {
  if (c.icount < c.chain_until) [[likely]]
    return Event::None;
  if (c.interrupt) return Event::Interrupt;
  if (c.icount >= c.insn_limit) return Event::InsnLimit;
  rearm_chain(c);
  return Event::None;
}

}  // namespace

template <bool kTrace>
Event Interpreter::Impl::loop() {
  Cpu& c = cpu;
  c.event = Event::None;
  rearm_chain(c);
  if (Event e = stop_event(c); e != Event::None) return e;
  Block* b = cache.find(c.rip);  // a fetch fault here has rip and state right already
  c.chain_stack_floor = host_stack_pointer() - chain_stack_budget;
  for (;;) {
    c.block = b;
    try {
      // Threaded handlers run on to the block's end (emu/threaded.h); the
      // others return here, and the block goes on after them. A branch at
      // a block's end may go on into the next block (emu/block_chain.h):
      // c.block is then that block.
      const Insn* in = b->insns();
      for (;;) {
        if constexpr (kTrace) trace_hook(trace_ctx, c, c.block->rip() + in->end - in->len);
        c.cur = in;
        in->fn(c, *in);
        in = c.cur + 1;
        if (in >= c.block->insns() + c.block->count) break;
      }
    } catch (mm::GuestFault& f) {
      const Insn* const in = c.cur;
      const unsigned i = unsigned(in - c.block->insns());
      const uint64_t start = c.block->rip();
      if (f.non_canonical && in->ss) f.signo = SIGBUS;  // #SS: Linux sends SIGBUS (SI_KERNEL)
      if (f.signo == SIGTRAP || f.trap) {
        c.rip = start + in->end;
        c.icount += i + 1;
      } else {
        c.rip = start + in->end - in->len;
        c.icount += i;
      }
      throw;
    } catch (const StaleBlock&) {
      // The block's code was overwritten by the instruction before `in` (or
      // a syscall before it): resume at `in` from freshly decoded bytes.
      const Insn* const in = c.cur;
      c.rip = c.block->rip() + in->end - in->len;
      c.icount += unsigned(in - c.block->insns());
      if (c.event != Event::None) return c.event;
      if (Event e = stop_event(c); e != Event::None) return e;
      b = cache.find(c.rip);
      continue;
    }
    // The block that ended (the last of a chain the handlers followed).
    b = c.block;
    ++loop_block_ends;
    c.icount += b->count;
    if (b->falls_through) c.rip = b->rip() + b->size;
    if (c.event != Event::None) [[unlikely]]
      return c.event;
    if (Event e = stop_event(c); e != Event::None) [[unlikely]]
      return e;
    // Chaining: one of the last two successors, else the hash (or a build).
    // Tracing links nothing, so no handler goes on into the next block
    // (emu/block_chain.h) past the hook.
    if constexpr (kTrace) {
      b = cache.find(c.rip);
      continue;
    }
    Block* next = b->next[0];
    if (next->start != c.rip) [[unlikely]] {
      next = b->next[1];
      if (next->start != c.rip) {
        // `b` may have been dropped by its own last store: then find() may
        // reuse its memory, so it is linked only if it is still live.
        const bool link = b->live;
        next = cache.find(c.rip);
        if (link && next->live) {
          b->next[1] = b->next[0];
          b->next[0] = next;
        }
      }
    }
    b = next;
  }
}

Interpreter::Interpreter(Cpu& cpu) : impl_(std::make_unique<Impl>(cpu)) {
  cpu.mem->set_code_observer(&impl_->cache);
}

Interpreter::~Interpreter() { impl_->cpu.mem->set_code_observer(nullptr); }

Event Interpreter::run() {
  // The guest's MXCSR is the host's while guest code runs (emu/ops/sse_state.h).
  GuestFpEnv fp_env(impl_->cpu);
  return impl_->trace_hook ? impl_->loop<true>() : impl_->loop<false>();
}

void Interpreter::set_trace(TraceHook hook, void* ctx) {
  impl_->trace_hook = hook;
  impl_->trace_ctx = ctx;
  // One instruction per block, so the hook sees each one (threaded handlers
  // run to the block's end), and every instruction's flags.
  impl_->cache.set_max_block_insns(hook ? 1 : kMaxBlockInsns);
  set_precise_flags(hook != nullptr);
}

void Interpreter::set_precise_flags(bool on) {
  impl_->cache.set_flag_elision(!on);
  impl_->cache.flush_all();
}

InterpreterStats Interpreter::stats() const {
  const BlockCacheStats s = impl_->cache.stats();
  return InterpreterStats{s.decoded, s.invalidated, s.live, s.flags_elided, s.fused, s.fp_chains, impl_->loop_block_ends};
}

void Interpreter::set_chain_stack_budget(uintptr_t bytes) { impl_->chain_stack_budget = bytes; }

}  // namespace emu
