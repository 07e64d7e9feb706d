// bind_sse: recognises SSE/SSE2 encodings and picks their handlers.
//
// The category files (sse_move, sse_int, sse_fp, sse_cvt, sse_state) each
// bind their own opcodes from the same normalised encoding (sse::Enc). What
// is decided here, once for all of them:
//  - the mandatory prefix: the last F2/F3 wins, and either overrides 66
//    (66 F2 0F 58 is ADDSD); see sse::Enc.
//  - LOCK makes every SSE instruction #UD.
//  - Forms whose operand is an MMX register (no mandatory prefix on 0F 60-7F,
//    0F D0-FF, 0F 38 00-1E, 0F 3A 0F; F3/F2 0F D6; EMMS) are bound by the MMX
//    binders (emu/ops/mmx_*.cpp) on a copy of `out`, since they renumber its
//    registers; the conversions' MMX forms by bind_cvt.
#include "emu/bind.h"
#include "emu/ops/sse_common.h"

namespace emu {

namespace {

bool bind_mmx(const sse::Enc& e, Insn& out) {
  Insn m = out;
  bool ok;
  if (e.map != 1) ok = e.pfx == 0 && sse::bind_mmx_ssse3(e, m);
  else if (e.opcode == 0xD6) ok = sse::bind_mmx_move(e, m);
  else ok = e.pfx == 0 && (sse::bind_mmx_move(e, m) || sse::bind_mmx_int(e, m));
  if (ok) out = m;
  return ok;
}

}  // namespace

bool bind_sse(const Decoded& d, Insn& out) {
  if (d.map == 1 && d.opcode == 0x77) return sse::bind_emms(d, out);
  if (d.map == 0 || !d.has_modrm || d.lock) return false;
  sse::Enc e{};
  e.map = d.map;
  e.opcode = d.opcode;
  e.pfx = d.last_rep ? d.last_rep : (d.p66 ? 0x66 : 0);
  e.mem = d.mod != 3;
  e.ext = (d.modrm >> 3) & 7;
  e.w = (d.rex & 0x08) != 0;
  e.imm = uint8_t(d.imm);
  e.p66 = d.p66;
  e.rex = d.rex != 0;
  if (bind_mmx(e, out)) return true;
  if (e.map != 1) return sse::bind_ssse3(e, out) || sse::bind_sse41(e, out) || sse::bind_sse42(e, out);
  return sse::bind_move(e, out) || sse::bind_int(e, out) || sse::bind_fp(e, out) ||
         sse::bind_cvt(e, out) || sse::bind_state(e, out) || sse::bind_sse3(e, out);
}

}  // namespace emu
