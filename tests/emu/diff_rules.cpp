#include "tests/emu/diff_rules.h"

#include <cstring>
#include <initializer_list>
#include <iterator>

#include "emu/cpu.h"
#include "tests/emu/diff_case.h"

namespace emu::test {
namespace {

constexpr uint16_t bit(Reg r) { return uint16_t(1u << r); }

bool map0(const Decoded& d, uint8_t op) { return d.map == 0 && d.opcode == op; }
bool map1(const Decoded& d, uint8_t op) { return d.map == 1 && d.opcode == op; }
bool group(const Decoded& d, uint8_t map, uint8_t op, unsigned digit) {
  return d.map == map && d.opcode == op && (d.reg & 7) == digit;
}

// A valid MXCSR (reserved bits clear) three times in four at `addr`, else
// the random bits there, but never bit 17 alone above bit 15: that is AMD's
// misaligned-SSE mask, which this host accepts (MXCSR_MASK 0x2ffff) and emu's
// CPU, without MisAlignSse, rejects (#GP) like Intel's.
void plant_mxcsr(DiffCase& c, CaseGen& g, uint64_t addr) {
  uint32_t m = g.mxcsr();
  if (g.below(4) == 0) m &= ~uint32_t(g.bits() & 0x1f80);  // some exceptions unmasked (no flag raised yet)
  const uint64_t off = addr - reinterpret_cast<uint64_t>(host_arena().data);
  if (g.below(4) == 0 && off + 4 <= c.data.size()) {
    std::memcpy(&m, c.data.data() + off, 4);
    if ((m >> 16) == 2) m |= 1u << 20;
  }
  c.poke(addr, &m, 4);
}

// Near the middle of the data page (string instructions run both ways),
// sometimes misaligned.
uint64_t mid_data_pointer(CaseGen& g) {
  const HostArena& a = host_arena();
  return reinterpret_cast<uint64_t>(a.data) + a.data_size / 2 + 8 * (int64_t(g.below(64)) - 32) +
         (g.below(8) == 0 ? g.below(8) : 0);
}

uint64_t stack_pointer(const DiffCase& c, CaseGen& g) { return c.in.gpr[RSP] + 8 * g.below(32); }

// Half the time some x87 exceptions unmasked (a third of those all six), and
// the unmasked flags cleared in FSW: nothing pending, so the instruction
// runs and its unmasked response (destination, stack, memory, ES) is what
// is compared (the host's state is saved by FXSAVE, which does not wait).
void unmask_x87(DiffCase& c, CaseGen& g) {
  if (g.below(2)) return;
  uint16_t fcw, fsw;
  std::memcpy(&fcw, c.in.fx + kFxFcw, 2);
  std::memcpy(&fsw, c.in.fx + kFxFsw, 2);
  fcw &= uint16_t(~(g.below(3) == 0 ? 0x3f : g.bits() & 0x3f));
  fsw &= uint16_t(~(~fcw & 0x3f));
  std::memcpy(c.in.fx + kFxFcw, &fcw, 2);
  std::memcpy(c.in.fx + kFxFsw, &fsw, 2);
}

// A segment selector: the ones a 64-bit Linux process can use (null,
// __USER_DS 0x2b, __USER_CS 0x33, CPUNODE 0x7b) with each RPL, the kernel's,
// TSS/LDT/TLS entries, LDT selectors, past the GDT's end, or random. LSL on
// CPUNODE (0x78-0x7b) reads the CPU the host runs on (emu: CPU 0, tested in
// control_system_test): `no_cpunode` avoids it. Never GDT entry 4 (0x20-0x23,
// __USER32_CS): it exists only on kernels with IA-32 emulation, and hosts of
// both kinds have run these tests (emu/ops/gdt.h).
uint16_t selector(CaseGen& g, bool no_cpunode = false) {
  static constexpr uint16_t kSelectors[] = {0x2b, 0x33, 0x7b, 0x08, 0,    1,    2,    3,    0x28, 0x29, 0x2a,
                                            0x30, 0x31, 0x32, 0x78, 0x08, 0x10, 0x13, 0x18, 0x1b, 0x2c, 0x38,
                                            0x40, 0x43, 0x48, 0x50, 0x58, 0x63, 0x6b, 0x73, 0x7f, 0x2f, 0x80, 0x83};
  uint16_t s = g.below(8) ? kSelectors[g.below(g.below(2) ? 4 : unsigned(std::size(kSelectors)))] : uint16_t(g.bits());
  if (no_cpunode && (s & 0xfffc) == 0x78) s = 0x2b;
  if ((s & 0xfffc) == 0x20) s = 0x2b;
  return s;
}

// Whether this host's CPU has UMIP (then Linux emulates SLDT/STR/SMSW/SGDT/
// SIDT at CPL 3, as emu does: emu/ops/descriptor.cpp).
bool host_has_umip() {
  static const bool has = [] {
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    return (c >> 2) & 1;  // CPUID.(7,0):ECX bit 2
  }();
  return has;
}

// CMPS with both pointers bad: which operand faults first differs between
// CPU models (measured), so one of them is kept in the data page.
void one_good_cmps_pointer(DiffCase& c, CaseGen& g) {
  if (c.d.opcode == 0xA6 || c.d.opcode == 0xA7) c.in.gpr[g.below(2) ? RSI : RDI] = mid_data_pointer(g);
}

// Where the r/m16 selector operand of MOV Sreg/LAR/LSL/VERR/VERW is: the
// register's low word (random bits above) or the memory word.
void plant_selector_operand(DiffCase& c, CaseGen& g, uint16_t sel) {
  if (c.d.is_memory()) {
    if (c.ea) c.poke(*c.ea, &sel, 2);
  } else {
    c.in.gpr[c.d.rm] = (g.bits() & ~uint64_t{0xffff}) | sel;
  }
}

// Writes `n` slots of `size` bytes at `addr` (little-endian, truncated).
void plant_slots(DiffCase& c, uint64_t addr, unsigned size, std::initializer_list<uint64_t> values) {
  for (uint64_t v : values) {
    c.poke(addr, &v, size);
    addr += size;
  }
}

// Operand size of a far transfer's stack slots (8 with REX.W, 2 with 66, 4)
// and of its memory pointer's offset (2 with 66 alone, else 4: this AMD host
// reads m16:32 under REX.W).
unsigned slot_size(const Decoded& d) { return (d.rex & 8) ? 8 : d.p66 ? 2 : 4; }
unsigned pointer_offset_size(const Decoded& d) { return d.p66 && !(d.rex & 8) ? 2 : 4; }

// A code selector of a far transfer: __USER_CS most of the time.
uint16_t code_selector(CaseGen& g) { return g.below(2) ? 0x33 : selector(g); }
// Random bits above a selector in its stack slot (ignored by the CPU).
uint64_t slot_junk(CaseGen& g) { return g.below(2) ? 0 : g.bits() & ~uint64_t{0xffff}; }

const FormRule kRules[] = {
    // ---- cannot run in-process ------------------------------------------------
    {"SYSCALL", [](const Decoded& d) { return map1(d, 0x05); }, true,
     "a real system call on the host; emu hands it to its syscall layer (tested by the guest programs)"},
    {"MOV FS / POP FS / LFS", [](const Decoded& d) {
       return (map0(d, 0x8E) && (d.reg & 7) == kFs) || map1(d, 0xA1) || map1(d, 0xB4);
     }, true,
     "a load of FS clears the host test process's FS base, its TLS (the exit path and the signal handler "
     "need it); the same loads into GS are covered, and FS is tested in control_system_test and "
     "examples/segments.c"},

    // ---- compared in part -------------------------------------------------------
    {"INT imm8", [](const Decoded& d) { return map0(d, 0xCD); }, false,
     "vectors avoided: 0x80 (the i386 system call on a kernel with IA-32 emulation; emu has no 32-bit ABI: "
     "#GP, as this host), 0x17, 0x19-0x1b (this host's kernel: trap, no signal, SIGILL); 3, 4 and the rest "
     "as they come",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       uint8_t& v = c.bytes.back();
       if (g.below(4) == 0) v = uint8_t(g.below(6));  // the low vectors: #DE, #DB, NMI, #BP, #OF, #BR
       while (v == 0x80 || v == 0x17 || (v >= 0x19 && v <= 0x1b)) v = uint8_t(0x20 + g.below(0x60));
     }},
    {"SLDT/STR/SMSW/SGDT/SIDT", [](const Decoded& d) {
       return ((group(d, 1, 0x01, 0) || group(d, 1, 0x01, 1)) && d.mod != 3) || group(d, 1, 0x00, 0) ||
              group(d, 1, 0x00, 1) || group(d, 1, 0x01, 4);
     }, !host_has_umip(),
     "compared only on a host with UMIP, where Linux emulates them as emu does (emu/ops/descriptor.cpp); "
     "without UMIP the CPU answers with the kernel's per-boot values"},
    {"BSF/BSR", [](const Decoded& d) { return (map1(d, 0xBC) || map1(d, 0xBD)) && !d.last_rep; }, false,
     "only ZF compared: the other flags are undefined and differ between CPU models (measured)", 0x040},

    {"CPUID", [](const Decoded& d) { return map1(d, 0xA2); }, false,
     "EAX/EBX/ECX/EDX not compared: emu reports its own CPU model (emu/cpuid.h)", 0x8d5,
     uint16_t(bit(RAX) | bit(RBX) | bit(RCX) | bit(RDX))},
    {"RDTSC", [](const Decoded& d) { return map1(d, 0x31); }, false,
     "EDX:EAX not compared: the counters differ (emu: 1 GHz from CLOCK_MONOTONIC)", 0x8d5,
     uint16_t(bit(RAX) | bit(RDX))},
    {"RDTSCP", [](const Decoded& d) { return map1(d, 0x01) && d.modrm == 0xF9; }, false,
     "EDX:EAX and ECX (TSC_AUX: the host CPU number) not compared", 0x8d5,
     uint16_t(bit(RAX) | bit(RCX) | bit(RDX))},
    {"DIV/IDIV", [](const Decoded& d) {
       return (map0(d, 0xF6) || map0(d, 0xF7)) && (d.reg & 7) >= 6;
     }, false, "arithmetic flags undefined, and not a function of the operands on this host", 0},
    {"FXSAVE", [](const Decoded& d) { return group(d, 1, 0xAE, 0) && d.mod != 3 && !d.p66 && !d.last_rep; }, false,
     "FOP/FIP/FDP (bytes 6-23: the x87 last-instruction pointers) and MXCSR_MASK (28-31: this AMD host reports "
     "0x2ffff, its misaligned-SSE mode bit; emu's CPU has none: 0xffff) not compared",
     0x8d5, 0, nullptr, {{6, 24}, {28, 32}}},
    {"FNSTENV/FNSAVE", [](const Decoded& d) {
       return (map0(d, 0xD9) || map0(d, 0xDD)) && (d.reg & 7) == 6 && d.mod != 3;
     }, false, "FIP/FCS/FOP/FDP/FDS (bytes 12-27) not compared: the x87 last-instruction pointers", 0x8d5, 0, nullptr,
     {{12, 28}}},

    // ---- inputs made meaningful -----------------------------------------------
    {"x87", [](const Decoded& d) { return d.map == 0 && d.opcode >= 0xD8 && d.opcode <= 0xDF; }, false,
     "some exceptions unmasked in the control word half the time (none pending): the unmasked responses are "
     "compared", 0x8d5, 0, unmask_x87},
    {"POPF", [](const Decoded& d) { return map0(d, 0x9D); }, false, "TF cleared in the popped value (would single-step the host)",
     0x8d5, 0,
     [](DiffCase& c, CaseGen&) {
       uint64_t v = 0;
       std::memcpy(&v, c.stack.data() + (c.in.gpr[RSP] - reinterpret_cast<uint64_t>(host_arena().stack)), 8);
       v &= ~uint64_t{0x100};
       c.poke(c.in.gpr[RSP], &v, 8);
     }},
    {"FXRSTOR", [](const Decoded& d) { return group(d, 1, 0xAE, 1) && d.mod != 3 && !d.p66 && !d.last_rep; }, false,
     "a valid MXCSR in the image most of the time; never MXCSR bit 17 (AMD's misaligned-SSE mask: accepted "
     "here, #GP in emu's CPU model as on Intel)", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (c.ea) plant_mxcsr(c, g, *c.ea + 24);
     }},
    {"LDMXCSR", [](const Decoded& d) { return group(d, 1, 0xAE, 2) && d.mod != 3 && !d.p66 && !d.last_rep; }, false,
     "a valid MXCSR most of the time; never bit 17 (as FXRSTOR)", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (c.ea) plant_mxcsr(c, g, *c.ea);
     }},
    {"string instructions", [](const Decoded& d) {
       return d.map == 0 && ((d.opcode >= 0xA4 && d.opcode <= 0xA7) || (d.opcode >= 0xAA && d.opcode <= 0xAF));
     }, false, "RSI/RDI point into the data page and RCX is small, most of the time; for CMPS always one of "
     "them (which bad operand faults first differs between CPU models)", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(4)) c.in.gpr[RSI] = mid_data_pointer(g);
       if (g.below(4)) c.in.gpr[RDI] = mid_data_pointer(g);
       if (g.below(4)) c.in.gpr[RCX] = g.below(3) == 0 ? g.below(3) : g.below(40);
       one_good_cmps_pointer(c, g);
     }},
    {"XLAT", [](const Decoded& d) { return map0(d, 0xD7); }, false, "RBX points into the data page most of the time",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(4)) c.in.gpr[RBX] = g.data_pointer(256);
     }},
    {"MASKMOVDQU", [](const Decoded& d) { return map1(d, 0xF7); }, false, "RDI points into the data page most of the time",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(4)) c.in.gpr[RDI] = g.data_pointer(16);
     }},
    {"ENTER/LEAVE", [](const Decoded& d) { return map0(d, 0xC8) || map0(d, 0xC9); }, false,
     "RBP points into the stack most of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(4)) c.in.gpr[RBP] = stack_pointer(c, g);
     }},
    {"MOV Sreg,r/m / LAR / VERR / VERW", [](const Decoded& d) {
       return map0(d, 0x8E) || map1(d, 0x02) || (map1(d, 0x00) && ((d.reg & 7) == 4 || (d.reg & 7) == 5));
     }, false, "the selector operand is a user, kernel, LDT or out-of-range selector most of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) { plant_selector_operand(c, g, selector(g)); }},
    {"LSL", [](const Decoded& d) { return map1(d, 0x03); }, false,
     "the selector operand as for LAR, never CPUNODE (0x78-0x7b: its limit is the host CPU's number)", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) { plant_selector_operand(c, g, selector(g, true)); }},
    {"POP GS", [](const Decoded& d) { return map1(d, 0xA9); }, false, "a selector in the popped slot most of the time",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(8)) plant_slots(c, c.in.gpr[RSP], 8, {slot_junk(g) | selector(g)});
     }},
    {"LSS/LGS", [](const Decoded& d) { return map1(d, 0xB2) || map1(d, 0xB5); }, false,
     "a selector after the offset most of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       const uint16_t sel = g.below(4) ? (map1(c.d, 0xB2) && g.below(2) ? uint16_t(0x2b) : selector(g)) : uint16_t(g.bits());
       if (c.ea) c.poke(*c.ea + pointer_offset_size(c.d), &sel, 2);
     }},
    {"RETF", [](const Decoded& d) { return map0(d, 0xCA) || map0(d, 0xCB); }, false,
     "an INT3 of the code page and a code selector (0x33 half of the time) on the stack, most of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(8)) plant_slots(c, c.in.gpr[RSP], slot_size(c.d), {g.landing(), slot_junk(g) | code_selector(g)});
     }},
    {"far JMP/CALL m16:32", [](const Decoded& d) { return (group(d, 0, 0xFF, 3) || group(d, 0, 0xFF, 5)) && d.mod != 3; },
     false, "the pointer is an INT3 of the code page and a code selector (0x33 half of the time), most of the time",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (!c.ea || !g.below(8)) return;
       const unsigned p = pointer_offset_size(c.d);
       const uint64_t to = g.landing();
       const uint16_t sel = code_selector(g);
       c.poke(*c.ea, &to, p);
       c.poke(*c.ea + p, &sel, 2);
     }},
    {"IRET", [](const Decoded& d) { return map0(d, 0xCF); }, false,
     "RIP, CS, RFLAGS, RSP, SS on the stack: an INT3 of the code page, 0x33 and 0x2b three times in four, random "
     "flags without TF (it would single-step the host), any RSP",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       const uint64_t rip = g.below(8) ? g.landing() : g.gpr_value();
       const uint16_t cs = g.below(4) ? 0x33 : selector(g);
       const uint16_t ss = g.below(4) ? 0x2b : selector(g);
       const uint64_t rflags = g.bits() & ~uint64_t{0x100};
       const uint64_t rsp = g.below(2) ? stack_pointer(c, g) : g.gpr_value();
       plant_slots(c, c.in.gpr[RSP], slot_size(c.d), {rip, slot_junk(g) | cs, rflags, rsp, slot_junk(g) | ss});
     }},
    {"CMPXCHG8B/16B", [](const Decoded& d) { return group(d, 1, 0xC7, 1) && d.mod != 3; }, false,
     "EDX:EAX equals the memory operand half of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (!c.ea || g.below(2)) return;
       const bool wide = (c.d.rex & 8) != 0;
       const uint64_t lo = c.in.gpr[RAX], hi = c.in.gpr[RDX];
       if (wide) {
         c.poke(*c.ea, &lo, 8);
         c.poke(*c.ea + 8, &hi, 8);
       } else {
         const uint32_t v[2] = {uint32_t(lo), uint32_t(hi)};
         c.poke(*c.ea, v, 8);
       }
     }},
};

}  // namespace

std::span<const FormRule> form_rules() { return kRules; }

const FormRule* rule_for(const Decoded& d) {
  for (const FormRule& r : kRules)
    if (r.match(d)) return &r;
  return nullptr;
}

}  // namespace emu::test
