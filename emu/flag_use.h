// Which arithmetic flags (CF PF AF ZF SF OF) an instruction reads and writes:
// the block builder's flag-liveness pass (emu/block_cache.cpp) uses it to
// bind, where it can, a handler that skips computing flags no later
// instruction reads ("flag elision").
//
// The pass walks a block backwards from its end, where every flag is live:
//   live_before = (live_after & ~writes) | reads
// and an instruction whose may_write flags are all dead after it gets
// Decoded::flags_dead, which the binders of ALU, INC/DEC/NEG, shift/rotate
// and IMUL turn into their no-flags handler.
//
// Contract: `writes` are the flags the instruction always sets (a kill),
// `may_write` those it sets in some case (a shift by CL sets none when the
// count is 0), `reads` those whose value it uses. Anything not classified
// below is treated as reading every flag, which is always safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "emu/insn.h"

namespace emu {

struct FlagUse {
  uint32_t reads = 0;
  uint32_t writes = 0;     // always written
  uint32_t may_write = 0;  // written in some case (a superset of writes)
};

FlagUse flag_use(const Decoded& d);

// How many instructions flags_read_ahead looks at, at most.
inline constexpr unsigned kFlagLookahead = 16;

// The arithmetic flags the code in `code` (n bytes at guest address `addr`)
// may read before it writes them: the flags a block that goes on there must
// leave, the block builder's liveness at a block's end (emu/block_cache.cpp).
// It looks at up to kFlagLookahead instructions, up to and including the
// first that ends a block; a flag it cannot settle by then (the code goes
// on elsewhere, runs out of bytes or does not decode) counts as read.
uint32_t flags_read_ahead(const uint8_t* code, size_t n, uint64_t addr);

}  // namespace emu
