// SSE4.1 (0F38 10-40, 0F3A 08-22, 40-42): blends, PMOVSX/ZX, PMULLD/PMULDQ, PMIN/PMAX, ROUND*, DPPS/DPPD, INSERTPS, PEXTR/PINSR, PTEST, PACKUSDW, MPSADBW, PHMINPOSUW, MOVNTDQA.
// Not implemented yet: binds nothing, so these encodings raise SIGILL naming
// the instruction (issue 4).
#include "emu/ops/sse_common.h"

namespace emu::sse {

bool bind_sse41(const Enc&, Insn&) { return false; }

}  // namespace emu::sse
