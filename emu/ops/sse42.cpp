// SSE4.2: PCMPESTRM/PCMPESTRI/PCMPISTRM/PCMPISTRI (66 0F3A 60-63),
// PCMPGTQ (66 0F38 37), CRC32 (F2 0F38 F0/F1, a GPR instruction).
//
// Every computation is the host's own instruction, so results are bit-exact.
// PCMPxSTRx take the imm8 as a constant: one handler per imm8 value, picked
// at bind time (bit 7 is reserved and ignored, SDM vol. 2 4.1.1, so 128 per
// instruction and form). They set CF/ZF/SF/OF from the host instruction and
// clear AF/PF; the I forms write ECX (zero-extended into RCX), the M forms
// XMM0. The E forms take the string lengths from EAX/EDX, or RAX/RDX with
// REX.W; either is reduced to the absolute value saturated at the element
// count before the host (32-bit) instruction sees it, which is the same
// operation (SDM vol. 2 4.1.1.2 and 4.1.3).
//
// Memory operands: PCMPxSTRx do not require alignment (SDM vol. 2 4.1,
// "the 128-bit source operand ... need not be aligned"); PCMPGTQ does.
//
// The handlers are compiled for SSE4.2 (the pragma below, after the includes
// so that inline functions shared with other files keep the baseline ISA);
// bind_sse42 binds nothing on a host without SSE4.2.
#include <array>
#include <utility>

#include "emu/flags.h"
#include "emu/ops/sse_common.h"

#pragma GCC target("sse4.2")

namespace emu::sse {
namespace {

using V = __m128i;

// PCMPGTQ xmm1, xmm2/m128 (aligned).
template <Form F>
void pcmpgtq(Cpu& cpu, const Insn& in) {
  const V s = get_i(src128<F>(cpu, in));
  put(cpu.xmm[in.reg], _mm_cmpgt_epi64(get_i(cpu.xmm[in.reg]), s));
}

// ---- PCMPxSTRx -------------------------------------------------------------------

struct StrResult {
  V mask;          // M forms
  uint32_t index;  // I forms
  uint8_t c, z, s, o;
};

// One host PCMPxSTRx. Op: 0 PCMPESTRM, 1 PCMPESTRI, 2 PCMPISTRM, 3 PCMPISTRI
// (the opcode's low two bits). la/lb only for the E forms.
template <unsigned Op, unsigned Imm>
StrResult str_host(V a, V b, int la, int lb) {
  StrResult r{};
  if constexpr (Op == 0) {
    asm("pcmpestrm %[i], %[b], %[a]\n\tsetc %[c]\n\tsetz %[z]\n\tsets %[s]\n\tseto %[o]"
        : "=Yz"(r.mask), [c] "=r"(r.c), [z] "=r"(r.z), [s] "=r"(r.s), [o] "=r"(r.o)
        : [a] "x"(a), [b] "x"(b), "a"(la), "d"(lb), [i] "i"(Imm)
        : "cc");
  } else if constexpr (Op == 1) {
    asm("pcmpestri %[i], %[b], %[a]\n\tsetc %[c]\n\tsetz %[z]\n\tsets %[s]\n\tseto %[o]"
        : "=c"(r.index), [c] "=r"(r.c), [z] "=r"(r.z), [s] "=r"(r.s), [o] "=r"(r.o)
        : [a] "x"(a), [b] "x"(b), "a"(la), "d"(lb), [i] "i"(Imm)
        : "cc");
  } else if constexpr (Op == 2) {
    asm("pcmpistrm %[i], %[b], %[a]\n\tsetc %[c]\n\tsetz %[z]\n\tsets %[s]\n\tseto %[o]"
        : "=Yz"(r.mask), [c] "=r"(r.c), [z] "=r"(r.z), [s] "=r"(r.s), [o] "=r"(r.o)
        : [a] "x"(a), [b] "x"(b), [i] "i"(Imm)
        : "cc");
  } else {
    asm("pcmpistri %[i], %[b], %[a]\n\tsetc %[c]\n\tsetz %[z]\n\tsets %[s]\n\tseto %[o]"
        : "=c"(r.index), [c] "=r"(r.c), [z] "=r"(r.z), [s] "=r"(r.s), [o] "=r"(r.o)
        : [a] "x"(a), [b] "x"(b), [i] "i"(Imm)
        : "cc");
  }
  return r;
}

// An explicit string length as the instruction reads it: |len| saturated at
// 16 (the host instruction saturates further to 8 for word elements).
template <bool W>
int str_len(uint64_t reg) {
  if constexpr (W) {
    const int64_t v = int64_t(reg);
    return v >= -16 && v <= 16 ? int(v) : 16;
  } else {
    return int(uint32_t(reg));  // the host reads EAX/EDX exactly like this
  }
}

template <unsigned Op, unsigned Imm, bool W, Form F>
void pcmpstr(Cpu& cpu, const Insn& in) {
  const V b = get_i(src128<F>(cpu, in));
  const V a = get_i(cpu.xmm[in.reg]);
  int la = 0, lb = 0;
  if constexpr (Op < 2) {
    la = str_len<W>(cpu.gpr[RAX]);
    lb = str_len<W>(cpu.gpr[RDX]);
  }
  const StrResult r = str_host<Op, Imm>(a, b, la, lb);
  if constexpr (Op & 1) cpu.gpr[RCX] = r.index;
  else put(cpu.xmm[0], r.mask);
  write_rflags(cpu, (r.c ? kCF : 0) | (r.z ? kZF : 0) | (r.s ? kSF : 0) | (r.o ? kOF : 0), kArithFlags);
}

template <unsigned Op, bool W, Form F>
struct StrH {
  template <unsigned I>
  struct T { static constexpr Handler fn = &threaded<pcmpstr<Op, I, W, F>>; };
};

template <template <unsigned> class H, unsigned... I>
constexpr std::array<Handler, sizeof...(I)> imm_table(std::integer_sequence<unsigned, I...>) {
  return {H<I>::fn...};
}

template <unsigned Op, bool W>
bool bind_pcmpstr_w(const Enc& e, Insn& out) {
  static constexpr auto reg = imm_table<StrH<Op, W, Form::Reg>::template T>(std::make_integer_sequence<unsigned, 128>());
  static constexpr auto mem = imm_table<StrH<Op, W, Form::Mem>::template T>(std::make_integer_sequence<unsigned, 128>());
  out.fn = (e.mem ? mem : reg)[e.imm & 0x7f];
  return true;
}

template <unsigned Op>
bool bind_pcmpstr(const Enc& e, Insn& out) {
  // REX.W only changes the E forms' length registers.
  if constexpr (Op < 2)
    if (e.w) return bind_pcmpstr_w<Op, true>(e, out);
  return bind_pcmpstr_w<Op, false>(e, out);
}

// ---- CRC32 ----------------------------------------------------------------------

// CRC32 r32/r64, r/m8/16/32/64 (CRC-32C, the host instruction): the low 32
// bits of the destination are the running CRC; the result is zero-extended
// into the 64-bit register whatever the destination size.
template <class T, bool Mem>
void crc32(Cpu& cpu, const Insn& in) {
  T v;
  if constexpr (Mem) v = load<T>(cpu, effective_address(cpu, in));
  else if constexpr (sizeof(T) == 1) v = *(reinterpret_cast<const uint8_t*>(cpu.gpr) + in.rm);  // byte_reg_offset
  else v = T(cpu.gpr[in.rm]);
  const uint32_t c = uint32_t(cpu.gpr[in.reg]);
  uint32_t r;
  if constexpr (sizeof(T) == 1) r = _mm_crc32_u8(c, v);
  else if constexpr (sizeof(T) == 2) r = _mm_crc32_u16(c, v);
  else if constexpr (sizeof(T) == 4) r = _mm_crc32_u32(c, v);
  else r = uint32_t(_mm_crc32_u64(c, v));
  cpu.gpr[in.reg] = r;
}

template <class T>
bool bind_crc32_size(const Enc& e, Insn& out) {
  return set_fn<crc32<T, false>, crc32<T, true>>(e, out);
}

bool bind_crc32(const Enc& e, Insn& out) {
  if (e.opcode == 0xF0) {
    if (!e.mem) out.rm = byte_reg_offset(out.rm, e.rex);
    return bind_crc32_size<uint8_t>(e, out);
  }
  if (e.w) return bind_crc32_size<uint64_t>(e, out);
  if (e.p66) return bind_crc32_size<uint16_t>(e, out);
  return bind_crc32_size<uint32_t>(e, out);
}

}  // namespace

bool bind_sse42(const Enc& e, Insn& out) {
  static const bool host_has = __builtin_cpu_supports("sse4.2");
  if (!host_has) return false;
  if (e.map == 2 && (e.opcode == 0xF0 || e.opcode == 0xF1))
    return e.pfx == 0xF2 && bind_crc32(e, out);  // without F2: MOVBE, not bound
  // 66 is the mandatory prefix. With an F2/F3 as well these opcodes are #UD
  // (measured: F3 wins over 66 and they have no F3 form), which the decoder
  // already reports (sse_valid in decoder.cpp), so only 66 gets here.
  if (e.pfx != 0x66) return false;
  if (e.map == 2 && e.opcode == 0x37) return set_fn<pcmpgtq<Form::Reg>, pcmpgtq<Form::MemA>>(e, out);
  if (e.map == 3) {
    switch (e.opcode) {
      case 0x60: return bind_pcmpstr<0>(e, out);
      case 0x61: return bind_pcmpstr<1>(e, out);
      case 0x62: return bind_pcmpstr<2>(e, out);
      case 0x63: return bind_pcmpstr<3>(e, out);
      default: return false;
    }
  }
  return false;
}

}  // namespace emu::sse
