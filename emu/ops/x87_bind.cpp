// bind_x87: the x87 floating-point unit (D8-DF escapes, 9B FWAIT). The
// handlers are in x87_load.cpp (data transfer, control), x87_arith.cpp,
// x87_compare.cpp and x87_env.cpp; see x87.h for how they compute.
// Not implemented (SIGILL): FBLD/FBSTP (BCD).
#include "emu/bind.h"
#include "emu/ops/x87.h"

namespace emu {

bool bind_x87(const Decoded& d, Insn& in) {
  if (d.map != 0) return false;
  if (d.opcode == 0x9B) return x87::bind_load_store(d, in);
  if (d.opcode < 0xD8 || d.opcode > 0xDF) return false;
  return x87::bind_load_store(d, in) || x87::bind_arith(d, in) || x87::bind_compare(d, in) ||
         x87::bind_env(d, in);
}

}  // namespace emu
