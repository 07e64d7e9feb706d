// Fused scalar SSE chains (emu/ops/sse_scalar_chain.cpp): the block
// builder's pass over a block's bound Insns.
#pragma once

#include "emu/insn.h"

namespace emu::sse {

struct FusedChain {
  Handler fn = nullptr;  // nullptr: no chain starts here
  unsigned length = 0;   // the Insns it runs (2 or 3)
};

// The chain that starts at insns[0] (of `count` Insns left in the block),
// if any: an ADD/SUB/MUL/DIV SS/SD into a register, then one more into the
// same register (with a source other than it) and/or a MOVSS/MOVSD of it
// to memory. Memory operands must be base+displacement (Operand::Plain).
// The caller sets insns[0].fn = fn and leaves the other Insns as they are:
// the chain's handler goes on through them when it cannot go on itself.
FusedChain fuse_scalar_chain(const Insn* insns, unsigned count);

// The handler of MOVSS (bytes 4) / MOVSD (bytes 8) m, xmm bound to a
// base+displacement operand (emu/ops/sse_move.cpp).
Handler scalar_store_handler(unsigned bytes);

}  // namespace emu::sse
