#include "tests/emu/decoder_fuzz_classes.h"

#include <csignal>
#include <cstring>

#include "emu/bind.h"
#include "emu/ops/control.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

using Bytes = FuzzBytes;
constexpr size_t kLen = kFuzzLen;

// The instruction set emu does not advertise, by Capstone's groups and
// mnemonics (and the escape byte where Capstone 4.0.2 does not know the
// instruction). nullptr: inside emu's ISA, i.e. a gap.
const char* outside_advertised_isa(const Bytes& b, Capstone& cs) {
  const size_t i = opcode_offset(b.data(), kLen);
  const uint8_t op = b[i];
  if (op == 0xC4 || op == 0xC5) return "VEX (AVX, AVX2, FMA, BMI1/2, F16C...)";
  if (op == 0x62) return "EVEX (AVX-512)";
  if (!cs.decode(b.data(), kLen, Harness::kCodeAddr)) return nullptr;
  struct GroupName {
    int group;
    const char* name;
  };
  static const GroupName kGroups[] = {
      {X86_GRP_AVX, "AVX"},          {X86_GRP_AVX2, "AVX2"},
      {X86_GRP_AVX512, "AVX-512"},   {X86_GRP_FMA, "FMA"},
      {X86_GRP_F16C, "F16C"},        {X86_GRP_BMI, "BMI1"},
      {X86_GRP_BMI2, "BMI2"},        {X86_GRP_ADX, "ADX"},
      {X86_GRP_AES, "AES-NI"},       {X86_GRP_PCLMUL, "PCLMULQDQ"},
      {X86_GRP_SHA, "SHA"},          {X86_GRP_SSE4A, "SSE4a (AMD)"},
      {X86_GRP_3DNOW, "3DNow! (AMD)"}, {X86_GRP_XOP, "XOP (AMD)"},
      {X86_GRP_FMA4, "FMA4 (AMD)"},  {X86_GRP_TBM, "TBM (AMD)"},
      {X86_GRP_RTM, "RTM"},          {X86_GRP_HLE, "HLE"},
      {X86_GRP_FSGSBASE, "FSGSBASE"}, {X86_GRP_SGX, "SGX"},
      {X86_GRP_VM, "virtualization (VMX/SVM), privileged"},
      {X86_GRP_PRIVILEGE, "privileged (host: #GP at CPL 3)"},
  };
  for (const GroupName& g : kGroups)
    if (cs.in_group(g.group)) return g.name;
  struct MnemonicName {
    const char* mnemonic;
    const char* name;
  };
  static const MnemonicName kMnemonics[] = {
      {"movbe", "MOVBE"},
      {"rdrand", "RDRAND/RDSEED"},
      {"rdseed", "RDRAND/RDSEED"},
      {"xgetbv", "XSAVE/XGETBV"},
      {"xsave", "XSAVE/XGETBV"},
      {"xsave64", "XSAVE/XGETBV"},
      {"xrstor", "XSAVE/XGETBV"},
      {"xrstor64", "XSAVE/XGETBV"},
      {"xsaveopt", "XSAVE/XGETBV"},
      {"xsaveopt64", "XSAVE/XGETBV"},
      {"xsavec", "XSAVE/XGETBV"},
      {"xsavec64", "XSAVE/XGETBV"},
      {"clflushopt", "CLFLUSHOPT/CLWB"},
      {"clwb", "CLFLUSHOPT/CLWB"},
      {"clzero", "CLZERO (AMD)"},
      {"prefetch", "PREFETCH (3DNow!/AMD aliases of 0F 0D)"},
      {"movdiri", "MOVDIRI/MOVDIR64B"},
      {"movdir64b", "MOVDIRI/MOVDIR64B"},
  };
  const std::string m = cs.mnemonic();
  for (const MnemonicName& n : kMnemonics)
    if (m == n.mnemonic) return n.name;
  return nullptr;
}

// The opcode and ModRM of the first instruction, read from the bytes alone
// (for encodings emu does not decode).
struct RawForm {
  bool p66 = false, lock = false;
  uint8_t last_rep = 0;
  uint8_t map = 0, opcode = 0, modrm = 0;
  unsigned reg() const { return (modrm >> 3) & 7; }
  bool mem() const { return (modrm >> 6) != 3; }
};

RawForm raw_form(const Bytes& b) {
  RawForm f;
  size_t i = opcode_offset(b.data(), kLen);
  for (size_t k = 0; k < i; ++k) {
    f.p66 |= b[k] == 0x66;
    f.lock |= b[k] == 0xF0;
    if (b[k] == 0xF2 || b[k] == 0xF3) f.last_rep = b[k];
  }
  if (i + 3 >= kLen) return f;
  if (b[i] == 0x0F) {
    f.map = b[i + 1] == 0x38 ? 2 : b[i + 1] == 0x3A ? 3 : 1;
    i += f.map == 1 ? 1 : 2;
  }
  f.opcode = b[i];
  f.modrm = b[i + 1];
  return f;
}

// What Capstone 4.0.2 does not know or misnames, classified by encoding:
// AMD-only instructions of this host, and extensions emu does not advertise.
const char* outside_advertised_isa_by_encoding(const Bytes& b) {
  const RawForm f = raw_form(b);
  if (f.map == 0 && f.opcode == 0x8F && f.reg() != 0)
    // XOP: this host has none (#UD), but its length decoder still reads the
    // XOP form, so an over-long one is #GP (4B 36 F0 8F 0A D5 20 0D...: 16 bytes).
    return "XOP (AMD)";
  if (f.map == 2) {
    switch (f.opcode) {
      case 0xC8: case 0xC9: case 0xCA: case 0xCB: case 0xCC: case 0xCD: return "SHA";
      case 0xCF: return "GFNI";
      case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF: return "AES-NI";
      case 0xF0: case 0xF1: return f.last_rep == 0xF2 ? nullptr : "MOVBE";
      case 0xF5: case 0xF6: return f.last_rep == 0 && !f.p66 ? "CET shadow stack (WRSS/WRUSS)" : "ADX";
      case 0xF8: case 0xF9: return "MOVDIRI/MOVDIR64B/ENQCMD";
      case 0x80: case 0x81: case 0x82: return "privileged (host: #GP at CPL 3)";
      default: return nullptr;
    }
  }
  if (f.map == 3) {
    switch (f.opcode) {
      case 0x44: return "PCLMULQDQ";
      case 0xCC: return "SHA";
      case 0xCE: case 0xCF: return "GFNI";
      case 0xDF: return "AES-NI";
      default: return nullptr;
    }
  }
  if (f.map != 1) return nullptr;
  if (f.opcode == 0xAE && !f.mem() && f.last_rep == 0xF3 && f.reg() <= 3) return "FSGSBASE";
  if (f.opcode == 0x01 && f.modrm >= 0xFA && f.modrm <= 0xFD)
    return "AMD MONITORX, MWAITX, CLZERO, RDPRU (0F 01 FA-FD)";
  if (f.opcode == 0x0D && f.mem() && f.reg() != 1 && f.reg() != 2)
    return "AMD PREFETCH aliases (0F 0D /0, /3-/7), not in the modelled Intel CPU";
  if ((f.opcode == 0x78 || f.opcode == 0x79) && (f.p66 || f.last_rep == 0xF2))  // Capstone (with 67): vmread/vmwrite
    return "SSE4a (AMD EXTRQ/INSERTQ)";
  if (f.opcode == 0x2B && f.last_rep)  // Capstone: movntps/movntpd, the F2/F3 ignored
    return "SSE4a (AMD MOVNTSS/MOVNTSD)";
  if (f.opcode == 0xAE && f.mem() && f.p66 && !f.last_rep && (f.reg() == 6 || f.reg() == 7))  // Capstone: clflush
    return "CLFLUSHOPT/CLWB";
  if (f.lock && (f.opcode == 0x20 || f.opcode == 0x22))  // AMD's CR8 encoding (CPUID CR8Legacy)
    return "AMD LOCK MOV CR0 = MOV CR8, privileged (host: #GP at CPL 3)";
  if (f.opcode == 0xC7 && f.mem() && (f.reg() == 3 || f.reg() == 5))  // XRSTORS, XSAVES: CPL 0 only
    return "privileged (host: #GP at CPL 3)";
  return nullptr;
}

}  // namespace

EmuView emu_view(const Bytes& b) {
  EmuView v;
  v.status = decode_insn(b.data(), kLen, Harness::kCodeAddr, v.d);
  if (v.status == DecodeStatus::TooLong) v.executes = true;  // #GP (SIGSEGV), as the host: not SIGILL
  if (v.status != DecodeStatus::Ok) return v;
  // UD0, UD1, UD2 are defined to raise #UD.
  if (v.d.map == 1 && (v.d.opcode == 0x0B || v.d.opcode == 0xB9 || v.d.opcode == 0xFF)) return v;
  v.executes = bind(v.d).fn != op_invalid;
  return v;
}

// What this host does differently from the Intel SDM that emu follows,
// measured here (not a decoder question).
const char* host_quirk(const Bytes& b, const EmuView& e) {
  const size_t i = opcode_offset(b.data(), kLen);
  if (e.status == DecodeStatus::Ok && e.d.map == 0 && e.d.opcode == 0xCD && (e.d.imm & 0xff) >= 0x17 &&
      (e.d.imm & 0xff) <= 0x1B)
    // INT n is #GP (SIGSEGV) here as in emu, but for 3 (SIGTRAP), 4 (SIGSEGV
    // after it), 80h, and vectors this host's kernel or hypervisor claims:
    // INT 1Ah returns without a signal, INT 1Bh is #UD (SIGILL) (measured;
    // the differential harness also saw 17h and 19h).
    return "host: some INT vectors in 17h-1Bh return or are #UD (the others: #GP, as emu)";
  // LOCK VERW: SDM LOCK "#UD ... an instruction not listed"; this host executes it.
  bool lock = false;
  for (size_t k = 0; k < i; ++k) lock |= b[k] == 0xF0;
  if (lock && b[i] == 0x0F && b[i + 1] == 0x00 && ((b[i + 2] >> 3) & 7) == 5 && (b[i + 2] >> 6) != 3)
    return "host executes LOCK VERW m16 (SDM: #UD; emu follows the SDM)";
  // VMMCALL (0F 01 D9) at CPL 3 is #UD on bare metal, but a hypervisor may
  // intercept it and return (seen on an AMD EPYC guest, 2026-12): SVM is not
  // advertised (emu/cpuid.h), so emu raises SIGILL.
  if (b[i] == 0x0F && b[i + 1] == 0x01 && b[i + 2] == 0xD9)
    return "host's hypervisor executes VMMCALL (bare metal and emu: #UD)";
  return nullptr;
}

// Where this AMD host's length differs from the Intel SDM, which emu follows.
const char* amd_length_difference(const EmuView& e) {
  const Decoded& d = e.d;
  const bool near_branch = (d.map == 0 && (d.opcode == 0xE8 || d.opcode == 0xE9)) ||
                           (d.map == 1 && d.opcode >= 0x80 && d.opcode <= 0x8F);
  if (d.p66 && !(d.rex & 8) && near_branch)
    // AMD APM Vol. 3 (CALL/JMP/Jcc near): 66 makes the operand size 16 bits in
    // 64-bit mode, rel16, RIP truncated to 16 bits. Intel SDM: "N.S." (66 ignored, rel32).
    return "AMD: 66 on a near CALL/JMP/Jcc takes rel16 (Intel: rel32, as emu)";
  return nullptr;
}

RefusalClass refusal_class(const FuzzBytes& b, const EmuView& /*emu*/, const HostProbeResult& h, Capstone& cs) {
  if (h.length == 0) return {"(c) the host needs more than 15 bytes (over-long: #GP)", false};
  // (No known gaps are left inside the advertised ISA: the far transfers,
  // segment registers, INT1, the CPL-3 descriptor-table instructions, 16-bit
  // ENTER/LEAVE and the prefixes ignored on XCHG and CMPXCHG8B/16B were the
  // last, closed by issue 4. A new one is a failure.)
  const char* why = outside_advertised_isa_by_encoding(b);
  if (!why) why = outside_advertised_isa(b, cs);
  // A privileged instruction must have been refused by the host as such.
  const bool gp = h.full.signo == SIGSEGV && h.full.trapno == 13 && h.full.rip == 0;
  if (why && (std::strstr(why, "privileged") == nullptr || gp)) return {std::string("(c) not advertised: ") + why, false};
  const bool known = cs.decode(b.data(), kLen, Harness::kCodeAddr);
  return {std::string("(c) GAP: host executes, emu SIGILL, inside the advertised ISA: ") +
              (known ? cs.mnemonic() : "(unknown to Capstone)"),
          true};
}

}  // namespace emu::test
