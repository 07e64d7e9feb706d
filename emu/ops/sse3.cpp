// SSE3: ADDSUBPS/PD, HADD/HSUB PS/PD, MOVSLDUP/MOVSHDUP/MOVDDUP, LDDQU (map 0F).
// Not implemented yet: binds nothing, so these encodings raise SIGILL naming
// the instruction (issue 4).
#include "emu/ops/sse_common.h"

namespace emu::sse {

bool bind_sse3(const Enc&, Insn&) { return false; }

}  // namespace emu::sse
