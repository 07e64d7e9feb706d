// SSSE3 (0F38 00-0B, 1C-1E; 0F3A 0F): PSHUFB, PHADD/PHSUB, PMADDUBSW, PMULHRSW, PSIGN, PABS, PALIGNR.
// Not implemented yet: binds nothing, so these encodings raise SIGILL naming
// the instruction (issue 4).
#include "emu/ops/sse_common.h"

namespace emu::sse {

bool bind_ssse3(const Enc&, Insn&) { return false; }

}  // namespace emu::sse
