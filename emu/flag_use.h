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

#include <cstdint>

#include "emu/insn.h"

namespace emu {

struct FlagUse {
  uint32_t reads = 0;
  uint32_t writes = 0;     // always written
  uint32_t may_write = 0;  // written in some case (a superset of writes)
};

FlagUse flag_use(const Decoded& d);

}  // namespace emu
