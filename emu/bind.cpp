#include "emu/bind.h"

#include "emu/ops/control.h"

namespace emu {
namespace {

Insn generic_fields(const Decoded& d) {
  Insn in;
  in.disp = d.disp;
  in.imm = d.imm;
  in.reg = d.reg;
  in.rm = d.rm;
  in.base = d.base;
  in.index = d.index;
  in.scale = d.scale;
  in.seg = d.seg;
  in.addr32 = d.p67 ? 1 : 0;
  in.len = d.len;
  return in;
}

}  // namespace

// Order: control flow first (it owns a few exact encodings that the integer
// tables would otherwise read as something else, e.g. 90 as xchg eax,eax),
// then SSE (the 0F/0F38/0F3A vector space), then the integer instructions.
// Each binder gets fresh generic fields, so a binder that declines leaves
// no trace.
Insn bind(const Decoded& d) {
  Insn in = generic_fields(d);
  if (bind_control(d, in)) return in;
  in = generic_fields(d);
  if (bind_sse(d, in)) return in;
  in = generic_fields(d);
  if (bind_x87(d, in)) return in;
  in = generic_fields(d);
  if (bind_integer(d, in)) return in;
  in = generic_fields(d);
  in.fn = op_invalid;
  return in;
}

}  // namespace emu
