// SSSE3's MMX forms (0F 38 00-0B, 1C-1E and 0F 3A 0F without a prefix):
// PSHUFB, PHADD*/PHSUB*, PMADDUBSW, PSIGN*, PMULHRSW, PABS*, PALIGNR. The
// operations are packed_int_ops.h's SSSE3 table, shared with the XMM forms
// (ssse3.cpp); bound only on a host with SSSE3, like those.
#include "emu/ops/mmx.h"
#include "emu/ops/sse_common.h"

#pragma GCC target("ssse3")

namespace emu::sse {
namespace {

// PALIGNR mm, mm/m64, imm8: dest:src shifted right by imm8 bytes.
template <bool Mem>
void palignr(Cpu& cpu, const Insn& in) {
  const uint64_t s = mmx::src64<Mem>(cpu, in);
  const uint64_t d = mmx::get(cpu, in.reg);
  uint64_t r;
  align_right<8>(&r, &d, &s, in.imm & 0xff);
  mmx::set(cpu, in.reg, r);
}

const bool kHostHasSsse3 = (__builtin_cpu_init(), __builtin_cpu_supports("ssse3"));

}  // namespace

// No-prefix encodings of maps 0F 38 / 0F 3A (the caller checks).
bool bind_mmx_ssse3(const Enc& e, Insn& out) {
  if (!kHostHasSsse3) return false;
  out.reg &= 7;
  out.rm &= 7;
  if (e.map == 2) return bind_ssse3_ops(e.opcode, mmx::Binder{e.mem, out});
  if (e.map == 3 && e.opcode == 0x0F) return set_fn<palignr<false>, palignr<true>>(e, out);
  return false;
}

}  // namespace emu::sse
