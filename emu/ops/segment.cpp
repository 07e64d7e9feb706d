// Segment registers: MOV r/m,Sreg (8C), MOV Sreg,r/m (8E), PUSH/POP FS/GS
// (0F A0/A1/A8/A9), LSS/LFS/LGS (0F B2/B4/B5).
//
// In 64-bit mode a selector is almost only a value: CS and SS stay 0x33 and
// 0x2b (the only selectors they can hold at CPL 3 under Linux), DS/ES have no
// effect on addressing, and FS/GS keep a base of their own that
// arch_prctl(ARCH_SET_FS/GS) sets. A load is checked against Linux's GDT
// (emu/ops/gdt.h): #GP for a selector the CPU refuses, as natively.
//
// Loading FS or GS sets its base to 0, null selector included: this host's
// CPU clears the base on a null load (measured: after arch_prctl(ARCH_SET_GS,
// x), `mov gs, 0` makes %gs:0 read address 0 and ARCH_GET_GS return 0). A
// non-null selector's base is its descriptor's, 0. Divergence: Linux's
// context switch assumes a null selector still has the base arch_prctl gave
// it, so natively that base may come back at the next context switch (and
// selectors 1-3 read 0 again); emu keeps 0.
//
// Operand sizes, as this host executes them (measured):
//  - MOV r,Sreg writes the selector zero-extended to 32/64 bits, or only
//    the low word with 66; MOV m16,Sreg always stores a word (REX.W too).
//  - PUSH FS/GS pushes 8 bytes (the selector zero-extended), 2 with 66;
//    POP FS/GS pops 8 (the low word is the selector), 2 with 66.
//  - LSS/LFS/LGS read m16:32 and write a 32-bit offset, or m16:16 and a word
//    with 66. With REX.W this AMD host still reads m16:32 (Intel: m16:64)
//    and writes the 32-bit offset zero-extended.
#include "emu/bind.h"
#include "emu/ops/control.h"
#include "emu/ops/gdt.h"
#include "emu/ops/integer.h"

namespace emu {
namespace {

using ops::U;

// Loads `sel` into segment register `sr` (not CS), or raises #GP with
// nothing changed.
void load_segment(Cpu& c, unsigned sr, uint16_t sel) {
  if (sr == kSs ? !gdt::loads_as_stack(sel) : !gdt::loads_as_data(sel)) raise_gp();
  c.selector[sr] = sel;
  if (sr == kFs) c.seg_base[kSegFs] = 0;
  if (sr == kGs) c.seg_base[kSegGs] = 0;
}

// MOV r/m, Sreg (in.op = the segment register). Reg: S = 2 merges the low
// word, 4/8 zero-extend (one handler: the selector is at most 16 bits).
template <bool Mem, bool Word>
void mov_from_sreg(Cpu& c, const Insn& in) {
  const uint16_t sel = c.selector[in.op];
  if constexpr (Mem) store<uint16_t>(c, effective_address(c, in), sel);
  else if constexpr (Word) ops::put<2>(c, in.rm, sel);
  else c.gpr[in.rm] = sel;
}

// MOV Sreg, r/m16 (in.op = the segment register, never CS: the decoder
// makes that #UD).
template <bool Mem>
void mov_to_sreg(Cpu& c, const Insn& in) {
  const uint16_t sel = Mem ? load<uint16_t>(c, effective_address(c, in)) : uint16_t(c.gpr[in.rm]);
  load_segment(c, in.op, sel);
}

template <int S>
void push_sreg(Cpu& c, const Insn& in) {
  const uint64_t sp = c.gpr[RSP] - S;
  store<U<S>>(c, sp, U<S>(c.selector[in.op]));
  c.gpr[RSP] = sp;
}

template <int S>
void pop_sreg(Cpu& c, const Insn& in) {
  const uint64_t sp = c.gpr[RSP];
  const uint16_t sel = uint16_t(load<U<S>>(c, sp));
  load_segment(c, in.op, sel);
  c.gpr[RSP] = sp + S;
}

// LSS/LFS/LGS reg, m16:S (in.op = the segment register): offset, then the
// selector after it; the register is written only once the load succeeded.
template <int S>
void load_far_pointer(Cpu& c, const Insn& in) {
  const uint64_t ea = effective_address(c, in);
  const U<S> offset = load<U<S>>(c, ea);
  const uint16_t sel = load<uint16_t>(c, ea + S);
  load_segment(c, in.op, sel);
  ops::put<S>(c, in.reg, offset);
}

}  // namespace

bool bind_segment(const Decoded& d, Insn& out) {
  const bool mem = d.is_memory();
  const bool word = d.p66 && !(d.rex & 8);
  if (d.map == 0) {
    switch (d.opcode) {
      case 0x8C:
        out.op = d.reg & 7;  // REX.R is ignored; 6 and 7 are #UD (decoder)
        out.fn = mem ? &mov_from_sreg<true, false> : word ? &mov_from_sreg<false, true> : &mov_from_sreg<false, false>;
        return true;
      case 0x8E:
        out.op = d.reg & 7;
        out.fn = mem ? &mov_to_sreg<true> : &mov_to_sreg<false>;
        return true;
      default: return false;
    }
  }
  if (d.map != 1) return false;
  switch (d.opcode) {
    case 0xA0: case 0xA8:
      out.op = d.opcode == 0xA0 ? kFs : kGs;
      out.fn = ops::stack_size(d) == 2 ? &push_sreg<2> : &push_sreg<8>;
      return true;
    case 0xA1: case 0xA9:
      out.op = d.opcode == 0xA1 ? kFs : kGs;
      out.fn = ops::stack_size(d) == 2 ? &pop_sreg<2> : &pop_sreg<8>;
      return true;
    case 0xB2: case 0xB4: case 0xB5:  // memory only (decoder)
      out.op = d.opcode == 0xB2 ? kSs : d.opcode == 0xB4 ? kFs : kGs;
      out.fn = word ? &load_far_pointer<2> : &load_far_pointer<4>;
      return true;
    default: return false;
  }
}

}  // namespace emu
