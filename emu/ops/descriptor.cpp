// Descriptor-table instructions a CPL-3 program may run:
//   LAR (0F 02), LSL (0F 03), VERR/VERW (0F 00 /4 /5): ask about a selector,
//     answered from Linux's GDT (emu/ops/gdt.h). ZF = 1 and (LAR/LSL) the
//     destination written when the selector is usable at CPL 3; else ZF = 0
//     and the destination unchanged, all 64 bits (measured). No other flag
//     changes.
//   SLDT/STR (0F 00 /0 /1), SGDT/SIDT (0F 01 /0 /1), SMSW (0F 01 /4): this
//     host has no UMIP, so they execute at CPL 3 (values in gdt.h).
// Operand sizes (measured): the selector operand is r/m16; a register
// destination of 16 bits keeps the upper 48 bits, of 32/64 bits is
// zero-extended (SMSW: all of CR0's low 32 bits); a memory destination of
// SLDT/STR/SMSW is a word whatever the prefixes; SGDT/SIDT store a 2-byte
// limit then an 8-byte base (66 and REX.W change nothing), the limit first:
// a base that runs into an unwritable page faults with the limit written.
// (LLDT, LTR, LGDT, LIDT, LMSW are #GP: emu/ops/control.cpp.)
#include "emu/bind.h"
#include "emu/ops/gdt.h"
#include "emu/ops/integer.h"

namespace emu {
namespace {

using ops::U;

template <bool Mem>
inline uint16_t read_selector(Cpu& c, const Insn& in) {
  return Mem ? load<uint16_t>(c, effective_address(c, in)) : uint16_t(c.gpr[in.rm]);
}

// LAR (in.op = 0) / LSL (in.op = 1) reg, r/m16.
template <int S, bool Mem>
void lar_lsl(Cpu& c, const Insn& in) {
  const gdt::Entry* e = gdt::lookup(read_selector<Mem>(c, in));
  if (e) ops::put<S>(c, in.reg, U<S>(in.op ? e->limit : e->access));
  flags::set_some(c.flags, kZF, e ? kZF : 0);
}

// VERR (in.op = 0) / VERW (in.op = 1) r/m16.
template <bool Mem>
void verify(Cpu& c, const Insn& in) {
  const gdt::Entry* e = gdt::lookup(read_selector<Mem>(c, in));
  const bool ok = e && (in.op ? gdt::is_writable(*e) : gdt::is_readable(*e));
  flags::set_some(c.flags, kZF, ok ? kZF : 0);
}

// SLDT/STR/SMSW: in.imm holds the value (up to 32 bits).
template <bool Mem, int S>
void store_system_word(Cpu& c, const Insn& in) {
  if constexpr (Mem) store<uint16_t>(c, effective_address(c, in), uint16_t(in.imm));
  else ops::put<S>(c, in.rm, U<S>(in.imm));
}

// SGDT (in.op = 0) / SIDT (in.op = 1) m: limit, then base.
void store_table_register(Cpu& c, const Insn& in) {
  const uint64_t ea = effective_address(c, in);
  store<uint16_t>(c, ea, in.op ? gdt::kIdtLimit : gdt::kGdtLimit);
  store<uint64_t>(c, ea + 2, in.op ? gdt::kIdtBase : gdt::kGdtBase);
}

template <bool Mem>
Handler lar_lsl_handler(unsigned size) {
  return size == 2 ? &lar_lsl<2, Mem> : size == 4 ? &lar_lsl<4, Mem> : &lar_lsl<8, Mem>;
}

// A register destination written zero-extended (32/64) or as its low word.
template <bool Mem>
Handler system_word_handler(bool word) {
  if constexpr (Mem) return &store_system_word<true, 2>;
  else return word ? &store_system_word<false, 2> : &store_system_word<false, 8>;
}

}  // namespace

bool bind_descriptor(const Decoded& d, Insn& out) {
  if (d.map != 1) return false;
  const bool mem = d.is_memory();
  const bool word = d.p66 && !(d.rex & 8);
  const unsigned r = d.reg & 7;
  switch (d.opcode) {
    case 0x02: case 0x03:
      out.op = d.opcode & 1;
      out.fn = mem ? lar_lsl_handler<true>(ops::opsize(d)) : lar_lsl_handler<false>(ops::opsize(d));
      return true;
    case 0x00:
      if (r == 0 || r == 1) {  // sldt, str
        out.op = uint8_t(r);     // (names the form only: tests/emu/form_enum.h)
        out.imm = r == 0 ? gdt::kLdtr : gdt::kTr;
        out.fn = mem ? system_word_handler<true>(word) : system_word_handler<false>(word);
        return true;
      }
      if (r == 4 || r == 5) {  // verr, verw
        out.op = uint8_t(r - 4);
        out.fn = mem ? &verify<true> : &verify<false>;
        return true;
      }
      return false;
    case 0x01:
      if (mem && (r == 0 || r == 1)) {  // sgdt, sidt
        out.op = uint8_t(r);
        out.fn = &store_table_register;
        return true;
      }
      if (r == 4) {  // smsw (0F 01 E0-E7 as a register form)
        out.imm = gdt::kCr0;
        out.fn = mem ? system_word_handler<true>(word) : system_word_handler<false>(word);
        return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace emu
