#include "tests/emu/diff_rules.h"

#include <cstring>

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

const FormRule kRules[] = {
    // ---- cannot run in-process ------------------------------------------------
    {"SYSCALL", [](const Decoded& d) { return map1(d, 0x05); }, true,
     "a real system call on the host; emu hands it to its syscall layer (tested by the guest programs)"},

    // ---- compared in part -------------------------------------------------------
    {"INT imm8", [](const Decoded& d) { return map0(d, 0xCD); }, false,
     "vectors avoided: 0x80 (natively the i386 system call; emu has no 32-bit ABI: #GP), 4 (Linux reports #OF "
     "after the instruction, emu at it), 0x17, 0x19-0x1b (this host's kernel: trap, no signal, SIGILL)",
     0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       for (uint8_t& v = c.bytes.back(); v == 0x80 || v == 4 || v == 0x17 || (v >= 0x19 && v <= 0x1b);)
         v = uint8_t(0x20 + g.below(0x60));
     }},
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
     }, false, "RSI/RDI point into the data page and RCX is small, most of the time", 0x8d5, 0,
     [](DiffCase& c, CaseGen& g) {
       if (g.below(4)) c.in.gpr[RSI] = mid_data_pointer(g);
       if (g.below(4)) c.in.gpr[RDI] = mid_data_pointer(g);
       if (g.below(4)) c.in.gpr[RCX] = g.below(3) == 0 ? g.below(3) : g.below(40);
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
