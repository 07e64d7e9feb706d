// SSSE3 on XMM registers (66 0F 38 00-0B, 1C-1E; 66 0F 3A 0F): PSHUFB,
// PHADDW/D/SW, PMADDUBSW, PHSUBW/D/SW, PSIGNB/W/D, PMULHRSW, PABSB/W/D,
// PALIGNR.
//
// Each is the host's own SSSE3 instruction (intrinsics), so results are
// bit-exact by construction; none depends on MXCSR. Every memory operand is
// an m128 that must be 16-byte aligned (#GP otherwise). The operations are
// the table in packed_int_ops.h, which the MMX forms (no prefix,
// emu/ops/mmx_int.cpp) share.
//
// The handlers are compiled for SSSE3 (the pragma below, after the includes
// so that inline functions shared with other files keep the baseline ISA);
// bind_ssse3 binds nothing on a host without SSSE3, so the guest gets SIGILL
// rather than the emulator.
#include <cstring>

#include "emu/ops/packed_int_ops.h"
#include "emu/ops/sse_common.h"

#pragma GCC target("ssse3")

namespace emu::sse {
namespace {

// PALIGNR xmm, xmm/m128, imm8: dest:src shifted right by imm8 bytes.
template <Form F>
void palignr(Cpu& cpu, const Insn& in) {
  const Xmm s = src128<F>(cpu, in);
  align_right<16>(&cpu.xmm[in.reg], &cpu.xmm[in.reg], &s, in.imm & 0xff);
}

// OP xmm, xmm/m128 (aligned): dest = Op(dest, src). Like sse_common's pi,
// but defined under this file's target so that Op inlines into it.
template <auto Op, Form F>
void op(Cpu& cpu, const Insn& in) {
  const __m128i s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], Op(get_i(cpu.xmm[in.reg]), s));
}

// The XMM handler for an operation of packed_int_ops.h's table.
struct XmmBinder {
  const Enc& e;
  Insn& out;
  template <auto Op, Shape>
  bool op() {
    return set_fn<sse::op<Op, Form::Reg>, sse::op<Op, Form::MemA>>(e, out);
  }
};

// __builtin_cpu_init: this runs as a static constructor, possibly before
// libgcc's own that fills in the feature bits.
const bool kHostHasSsse3 = (__builtin_cpu_init(), __builtin_cpu_supports("ssse3"));

}  // namespace

bool bind_ssse3(const Enc& e, Insn& out) {
  if (e.pfx != 0x66 || !kHostHasSsse3) return false;
  if (e.map == 2) return bind_ssse3_ops(e.opcode, XmmBinder{e, out});
  if (e.map == 3 && e.opcode == 0x0F) return set_fn<palignr<Form::Reg>, palignr<Form::MemA>>(e, out);
  return false;
}

}  // namespace emu::sse
