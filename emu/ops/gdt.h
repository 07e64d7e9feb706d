// Linux's x86-64 descriptor tables as a CPL-3 program sees them: the model
// behind segment-register loads, far transfers and LAR/LSL/VERR/VERW
// (emu/ops/segment.cpp, descriptor.cpp, far_transfer.cpp).
//
// The table holds what LAR and LSL return for each GDT entry that a CPL-3
// program may use; the checks below derive the rest from those access
// rights (type, S, DPL, P, L) by the SDM's rules for CPL 3. Measured on this
// project's host (Linux 6.18, AMD EPYC, in a VM) by running LAR, LSL, VERR,
// VERW, MOV DS/ES/GS/SS, far RET/JMP and IRETQ natively on every selector
// 0x00-0x8f with RPL 0 and 3 (tests/emu/segment_host_test.cpp repeats it):
//   0x28/0x2b  __USER_DS: LAR 0x00cff300, LSL 0xffffffff, readable, writable
//   0x30/0x33  __USER_CS: LAR 0x00affb00 (64-bit code), LSL 0xffffffff, readable
//   0x78/0x7b  CPUNODE:   LAR 0x0040f500 (read-only data), LSL = node << 12 | cpu
// Everything else fails LAR at CPL 3: the null entry, the kernel's code and
// data (0x08-0x18, DPL 0), the TSS and LDT descriptors (0x40-0x58, DPL 0),
// the empty TLS entries (0x60-0x70), entry 7, anything past the 16 entries
// (limit 0x7f), and every LDT selector (a process has no LDT). Entry 4,
// __USER32_CS (0x23), is among them, as on a kernel without IA-32
// emulation: no 32-bit code segment, and a far transfer to 0x23 is #GP.
// (With IA-32 emulation, Debian's default, 0x23 is a 32-bit code segment
// and a far transfer to it enters compatibility mode, which emu does not
// emulate: emu's documented divergence. Hosts of both kinds were measured;
// the host-comparison tests skip entry 4.)
// CPUNODE's limit is the CPU the process runs on; emu is CPU 0 (as RDTSCP's
// TSC_AUX), node 0.
#pragma once

#include <cstdint>

namespace emu::gdt {

inline constexpr uint16_t kUserCs = 0x33;
inline constexpr uint16_t kUserDs = 0x2b;

struct Entry {
  uint32_t access;  // LAR's result (descriptor bits 40-55 in place); 0: not usable at CPL 3
  uint32_t limit;   // LSL's result (byte granular)
};

inline constexpr unsigned kEntries = 16;  // GDT limit 0x7f
inline constexpr Entry kGdt[kEntries] = {
    {}, {}, {}, {}, {},
    {0x00cff300, 0xffffffff},  // 5: __USER_DS
    {0x00affb00, 0xffffffff},  // 6: __USER_CS
    {}, {}, {}, {}, {}, {}, {}, {},
    {0x0040f500, 0},           // 15: CPUNODE (cpu 0, node 0)
};

// Values the descriptor-table instructions give at CPL 3, as Linux's UMIP
// emulation (arch/x86/kernel/umip.c) gives them on a CPU with UMIP (most
// since ~2019; emu/ops/descriptor.cpp): SLDT 0 (no LDT), STR 0x40 (GDT
// entry 8), SMSW CR0's PE MP ET NE WP AM PG (0x80050033), SGDT/SIDT a zero
// limit and fixed bases. (Without UMIP the CPU answers: limits 0x7f/0xfff
// and per-boot kernel addresses.)
inline constexpr uint16_t kLdtr = 0;
inline constexpr uint16_t kTr = 0x40;
inline constexpr uint32_t kCr0 = 0x80050033;
inline constexpr uint16_t kGdtLimit = 0;
inline constexpr uint16_t kIdtLimit = 0;
inline constexpr uint64_t kGdtBase = 0xfffffffffffe0000;
inline constexpr uint64_t kIdtBase = 0xffffffffffff0000;

inline constexpr bool is_null(uint16_t sel) { return (sel & 0xfffc) == 0; }

// The entry a selector names, if LAR accepts it at CPL 3 (every usable entry
// has DPL 3, so the selector's RPL never matters to LAR/LSL/VERR/VERW).
inline const Entry* lookup(uint16_t sel) {
  if (sel & 4) return nullptr;  // LDT: none
  const unsigned index = sel >> 3;
  if (index >= kEntries || kGdt[index].access == 0) return nullptr;
  return &kGdt[index];
}

inline constexpr unsigned type_of(const Entry& e) { return (e.access >> 8) & 15; }
inline constexpr bool is_code(const Entry& e) { return (type_of(e) & 8) != 0; }
inline constexpr bool is_readable(const Entry& e) { return !is_code(e) || (type_of(e) & 2) != 0; }
inline constexpr bool is_writable(const Entry& e) { return !is_code(e) && (type_of(e) & 2) != 0; }
inline constexpr bool is_long_code(const Entry& e) { return is_code(e) && (e.access & (1u << 21)) != 0; }

// MOV/POP/LDS-family into DS, ES, FS or GS: a null selector, or a readable
// segment. Anything else is #GP.
inline bool loads_as_data(uint16_t sel) {
  if (is_null(sel)) return true;
  const Entry* e = lookup(sel);
  return e && is_readable(*e);
}

// Into SS: a writable data segment with RPL = DPL = CPL = 3 (null is #GP at CPL 3).
inline bool loads_as_stack(uint16_t sel) {
  const Entry* e = lookup(sel);
  return e && (sel & 3) == 3 && is_writable(*e);
}

// The code segment of a far JMP/CALL (any RPL: RPL <= CPL for a non-conforming
// segment) or of a far RET/IRET (RPL = CPL = 3: a return to CPL 0-2 is #GP).
// Only 64-bit code segments exist (see above).
inline bool is_far_target(uint16_t sel, bool is_return) {
  const Entry* e = lookup(sel);
  return e && is_long_code(*e) && (!is_return || (sel & 3) == 3);
}

}  // namespace emu::gdt
