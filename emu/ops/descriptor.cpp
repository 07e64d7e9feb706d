// Descriptor-table instructions a CPL-3 program may run:
//   LAR (0F 02), LSL (0F 03), VERR/VERW (0F 00 /4 /5): ask about a selector,
//     answered from Linux's GDT (emu/ops/gdt.h). ZF = 1 and (LAR/LSL) the
//     destination written when the selector is usable at CPL 3; else ZF = 0
//     and the destination unchanged, all 64 bits (measured). No other flag
//     changes.
//   SLDT/STR (0F 00 /0 /1), SGDT/SIDT (0F 01 /0 /1), SMSW (0F 01 /4): with
//     UMIP (CPUs since ~2019) these are #GP at CPL 3 and Linux emulates them
//     (arch/x86/kernel/umip.c); emu gives what that emulation gives (values
//     in gdt.h): a register destination gets the operand size's bytes of
//     the value and keeps the rest (a 32-bit destination is NOT
//     zero-extended), a memory destination of SLDT/STR/SMSW a word, SGDT/SIDT
//     a zero limit then the 8-byte base. A memory destination is written
//     byte by byte up to an unwritable byte, then SIGSEGV SEGV_MAPERR at its
//     first byte (copy_to_user).
// The selector operand of LAR/LSL/VERR/VERW is r/m16 (measured).
// (LLDT, LTR, LGDT, LIDT, LMSW are #GP: emu/ops/control.cpp.)
#include <csignal>
#include <cstring>

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

// Linux's UMIP emulation copies its result to memory in one copy_to_user,
// which writes byte by byte up to an unwritable byte: then SEGV_MAPERR at
// the operand's first byte.
void umip_store(Cpu& c, uint64_t ea, const uint8_t* bytes, unsigned n) {
  try {
    for (unsigned i = 0; i < n; ++i) store<uint8_t>(c, ea + i, bytes[i]);
  } catch (mm::GuestFault& f) {
    if (f.signo != SIGSEGV) throw;
    throw mm::GuestFault{SIGSEGV, mm::kSegvMapErr, ea};
  }
}

// SLDT/STR/SMSW: in.imm holds the value (up to 32 bits). A register
// destination gets S bytes of it, the rest of the register kept.
template <bool Mem, int S>
void store_system_word(Cpu& c, const Insn& in) {
  if constexpr (Mem) {
    const uint8_t word[2] = {uint8_t(in.imm), uint8_t(in.imm >> 8)};
    umip_store(c, effective_address(c, in), word, 2);
  } else if constexpr (S == 8) {
    c.gpr[in.rm] = in.imm;
  } else {
    constexpr uint64_t mask = (uint64_t{1} << (8 * S)) - 1;
    c.gpr[in.rm] = (c.gpr[in.rm] & ~mask) | (in.imm & mask);
  }
}

// SGDT (in.op = 0) / SIDT (in.op = 1) m: limit, then base.
void store_table_register(Cpu& c, const Insn& in) {
  const uint16_t limit = in.op ? gdt::kIdtLimit : gdt::kGdtLimit;
  const uint64_t base = in.op ? gdt::kIdtBase : gdt::kGdtBase;
  uint8_t bytes[10];
  std::memcpy(bytes, &limit, 2);
  std::memcpy(bytes + 2, &base, 8);
  umip_store(c, effective_address(c, in), bytes, 10);
}

template <bool Mem>
Handler lar_lsl_handler(unsigned size) {
  return size == 2 ? &lar_lsl<2, Mem> : size == 4 ? &lar_lsl<4, Mem> : &lar_lsl<8, Mem>;
}

template <bool Mem>
Handler system_word_handler(unsigned size) {
  if constexpr (Mem) return &store_system_word<true, 2>;
  else return size == 2 ? &store_system_word<false, 2> : size == 4 ? &store_system_word<false, 4>
                                                                   : &store_system_word<false, 8>;
}

}  // namespace

bool bind_descriptor(const Decoded& d, Insn& out) {
  if (d.map != 1) return false;
  const bool mem = d.is_memory();
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
        out.fn = mem ? system_word_handler<true>(ops::opsize(d)) : system_word_handler<false>(ops::opsize(d));
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
        out.fn = mem ? system_word_handler<true>(ops::opsize(d)) : system_word_handler<false>(ops::opsize(d));
        return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace emu
