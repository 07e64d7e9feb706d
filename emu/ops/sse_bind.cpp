// bind_sse: recognises SSE/SSE2 encodings and picks their handlers.
//
// The category files (sse_move, sse_int, sse_fp, sse_cvt, sse_state) each
// bind their own opcodes from the same normalised encoding (sse::Enc). What
// is decided here, once for all of them:
//  - the mandatory prefix: the last F2/F3 wins, and either overrides 66
//    (66 F2 0F 58 is ADDSD); see sse::Enc.
//  - LOCK makes every SSE instruction #UD.
//  - Forms whose operand would be an MMX register (no mandatory prefix on
//    0F 60-7F, 0F D0-FF, ...) are left unbound by the category binders, so
//    they raise SIGILL until MMX exists.
#include "emu/bind.h"
#include "emu/ops/sse_common.h"

namespace emu {

bool bind_sse(const Decoded& d, Insn& out) {
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
  if (e.map != 1) return sse::bind_ssse3(e, out) || sse::bind_sse41(e, out) || sse::bind_sse42(e, out);
  return sse::bind_move(e, out) || sse::bind_int(e, out) || sse::bind_fp(e, out) ||
         sse::bind_cvt(e, out) || sse::bind_state(e, out) || sse::bind_sse3(e, out);
}

}  // namespace emu
