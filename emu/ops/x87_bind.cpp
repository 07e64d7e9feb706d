// bind_x87: the x87 floating-point unit (D8-DF escapes, 9B FWAIT). The
// handlers are in x87_load.cpp (data transfer, control), x87_arith.cpp,
// x87_compare.cpp, x87_env.cpp and x87_bcd.cpp; see x87.h for how they
// compute.
#include "emu/bind.h"
#include "emu/ops/x87.h"

namespace emu {

bool bind_x87(const Decoded& d, Insn& in) {
  if (d.map != 0) return false;
  if (d.opcode == 0x9B) return x87::bind_load_store(d, in);
  if (d.opcode < 0xD8 || d.opcode > 0xDF) return false;
  // FOP for x87::begin: the low 3 bits of the escape byte, then ModRM.
  in.imm = uint64_t(d.opcode & 7) << 8 | d.modrm;
  return x87::bind_load_store(d, in) || x87::bind_arith(d, in) || x87::bind_compare(d, in) ||
         x87::bind_env(d, in) || x87::bind_bcd(d, in);
}

}  // namespace emu
