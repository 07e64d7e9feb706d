// SSE4.2: PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (0F3A 60-63), PCMPGTQ (0F38 37), CRC32 (F2 0F38 F0/F1).
// Not implemented yet: binds nothing, so these encodings raise SIGILL naming
// the instruction (issue 4).
#include "emu/ops/sse_common.h"

namespace emu::sse {

bool bind_sse42(const Enc&, Insn&) { return false; }

}  // namespace emu::sse
