// The run loop: find the decoded block for RIP (decode on a miss), execute
// its handlers, repeat, until an Event needs the caller (a SYSCALL, an exit).
//
// Contract with the caller (emu/main.cpp's driver):
//  - run() returns the Event that stopped it; cpu.event is reset to None on
//    entry. On Event::Syscall, cpu.rip is the address after the SYSCALL.
//  - A synchronous guest fault propagates as mm::GuestFault with cpu.rip set
//    to the faulting instruction's address and the architectural state as it
//    was before that instruction (SIGILL for undecodable/unimplemented
//    instructions; the message is the caller's to print, see describe_fault).
//  - The BlockCache registers itself as the AddressSpace's CodeObserver, so
//    self-modifying code and munmap/mprotect of code drop stale blocks.
#pragma once

#include <cstdint>
#include <memory>

#include "emu/cpu.h"

namespace emu {

// Called before each instruction executes when tracing (--trace); `addr` is
// the instruction's address, cpu.rip is NOT updated to it (use addr).
using TraceHook = void (*)(void* ctx, const Cpu& cpu, uint64_t addr);

struct InterpreterStats {
  uint64_t blocks_decoded = 0;
  uint64_t blocks_invalidated = 0;
  uint64_t blocks_live = 0;
  uint64_t flags_elided = 0;  // instructions decoded with a no-flags handler
  uint64_t fused = 0;         // CMP/TEST + Jcc pairs decoded as one handler
  uint64_t fp_chains = 0;     // scalar SSE chains decoded as one handler
  // Blocks that ended in the run loop: the rest went on into the next block
  // themselves (emu/block_chain.h).
  uint64_t loop_block_ends = 0;
};

class Interpreter {
 public:
  explicit Interpreter(Cpu& cpu);  // cpu.mem must be set
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  Event run();
  // Tracing also turns flag elision off (set_precise_flags).
  void set_trace(TraceHook hook, void* ctx);
  // Flag elision (emu/flag_use.h) off: a fault in the middle of a block then
  // shows every flag exactly in the guest's signal frame. On by default.
  void set_precise_flags(bool on);
  InterpreterStats stats() const;
  // How far below the run loop's frame handlers may still go on into the
  // next block (emu/block_chain.h; kChainStackBudget by default). 0 turns
  // chaining off: for tests.
  void set_chain_stack_budget(uintptr_t bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emu
