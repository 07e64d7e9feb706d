// bind_x87: the x87 floating-point unit (D8-DF escapes, 9B FWAIT).
// Not implemented yet: binds nothing, so x87 code raises SIGILL naming the
// instruction (issue 4).
#include "emu/bind.h"

namespace emu {

bool bind_x87(const Decoded&, Insn&) { return false; }

}  // namespace emu
