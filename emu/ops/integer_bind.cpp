// bind_integer: the general-purpose integer instructions (emu/ops/alu, shift,
// muldiv, bitops, string, datamov). Control flow, SYSCALL, CPUID, NOP etc.
// are bound by their owner in emu/bind.cpp; every category binder here
// returns false for encodings that are not its own, including LOCK on a form
// that is not lockable (the caller then binds the invalid-opcode handler).
#include "emu/bind.h"
#include "emu/ops/integer.h"

namespace emu {

bool bind_integer(const Decoded& d, Insn& out) {
  return ops::bind_alu(d, out) || ops::bind_datamov(d, out) || ops::bind_shift(d, out) ||
         ops::bind_muldiv(d, out) || ops::bind_bitops(d, out) || ops::bind_string(d, out);
}

}  // namespace emu
