#include "tests/emu/capstone_oracle.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "emu/decoder.h"

namespace emu::test {

Capstone::Capstone(bool detail) {
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) throw std::runtime_error("cs_open");
  if (detail) cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
  insn_ = cs_malloc(handle_);
}

Capstone::~Capstone() {
  cs_free(insn_, 1);
  cs_close(&handle_);
}

bool Capstone::decode(const uint8_t* p, size_t n, uint64_t addr) {
  const uint8_t* code = p;
  size_t size = n;
  uint64_t a = addr;
  return cs_disasm_iter(handle_, &code, &size, &a, insn_);
}

bool Capstone::in_group(int group) const { return cs_insn_group(handle_, insn_, unsigned(group)); }

std::string hex(const uint8_t* p, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    if (i) s += ' ';
    s += buf;
  }
  return s;
}

size_t opcode_offset(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    if (b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x26 || b == 0x2E || b == 0x36 ||
        b == 0x3E || b == 0x64 || b == 0x65 || (b & 0xF0) == 0x40) {
      ++i;
      continue;
    }
    break;
  }
  return i;
}

// Each is #UD on the CPU we model (Intel, no AVX).
const char* unsupported_by_design(const uint8_t* p, size_t n) {
  const size_t i = opcode_offset(p, n);
  if (i >= n) return nullptr;
  const uint8_t op = p[i];
  if (op == 0xC4 || op == 0xC5) return "VEX (AVX): not in our CPU model";
  if (op == 0x62) return "EVEX (AVX-512): not in our CPU model";
  if (op == 0x8F && i + 1 < n && ((p[i + 1] >> 3) & 7) != 0) return "XOP (AMD): not in our CPU model";
  if (op == 0x0F && i + 1 < n) {
    const uint8_t op2 = p[i + 1];
    if (op2 == 0x0F || op2 == 0x0E) return "3DNow!/FEMMS (AMD): not in our CPU model";
    if (op2 == 0x78 || op2 == 0x79) return "SSE4a EXTRQ/INSERTQ (AMD): not in our CPU model";
    if (op2 == 0xA6 || op2 == 0xA7) return "VIA PadLock (0F A6/A7): not in our CPU model";
    if (op2 == 0x01) return "AMD system instructions in 0F 01 (SVM, CLZERO...): not in our CPU model";
  }
  return nullptr;
}

const char* capstone_rejects_valid(const Decoded& d) {
  const uint8_t pfx = d.last_rep;
  if (d.map == 1 && d.opcode == 0xAE && d.mod == 3 && d.last_rep == 0 && !d.p66 && (d.reg & 7) >= 5)
    // SDM Table A-6 group 15, mod 11: /5 LFENCE, /6 MFENCE, /7 SFENCE; rm is ignored.
    return "Capstone accepts LFENCE/MFENCE/SFENCE only with ModRM.rm = 0";
  if (d.map == 1 && d.opcode == 0x0D && (d.reg & 7) == 2)
    return "PREFETCHWT1 (0F 0D /2, SDM Vol. 2) is unknown to Capstone 4.0.2";
  if (d.map == 1 && d.opcode >= 0x18 && d.opcode <= 0x1F && d.mod == 3)
    // SDM Table A-3 (0F 18 mod 11 and 0F 19-1F: reserved-NOP / NOP Ev); every Intel CPU executes
    // them as NOPs, and CET's RDSSP (F3 0F 1E /1) relies on it on pre-CET CPUs.
    return "Capstone rejects register forms of the hint-NOP space 0F 18-1F";
  if (d.map == 1 && (d.opcode == 0xB9 || d.opcode == 0xFF))
    return "Capstone decodes UD1/UD0 without their ModRM (SDM: 0F B9 /r, 0F FF /r)";
  if (d.map == 0 && d.opcode >= 0xA0 && d.opcode <= 0xA3 && d.last_rep)
    // SDM 2.1.1: F2/F3 on other instructions are reserved; CPUs ignore them.
    return "Capstone rejects F2/F3 on MOV moffs";
  if (d.map == 1 && d.opcode == 0x1C)
    return "Capstone rejects 0F 1C (hint NOP / CLDEMOTE, SDM Vol. 2)";
  if (d.map == 1 && pfx == 0xF3 && d.mod == 3 &&
      ((d.opcode == 0x1E && (d.reg & 7) == 1) || (d.opcode == 0xAE && (d.reg & 7) == 5)))
    return "CET RDSSP/INCSSP (F3 0F 1E /1, F3 0F AE /5): newer than Capstone 4.0.2";
  if (d.map == 0 && (d.opcode == 0x8C || d.opcode == 0x8E) && (d.rex & 4))
    // SDM MOV Sreg: the reg field names ES..GS, REX.R is ignored; the host
    // executes 44 8E 20 (mov fs, [rax]) and 4C 8C C1 (mov rcx, es).
    return "Capstone rejects REX.R on MOV Sreg (the host ignores it)";
  return nullptr;
}

const char* capstone_accepts_invalid(const uint8_t* p, size_t n) {
  const size_t i = opcode_offset(p, n);
  // LOCK: "#UD if the LOCK prefix is used with an instruction not listed
  // (ADD, ADC, AND, BTC, BTR, BTS, CMPXCHG, CMPXCHG8B/16B, DEC, INC, NEG, NOT,
  // OR, SBB, SUB, XOR, XADD, XCHG) or if the destination is not memory".
  bool has_lock = false;
  std::vector<uint8_t> unlocked(p, p + n);
  for (size_t k = 0; k < i; ++k)
    if (unlocked[k] == 0xF0) {
      unlocked[k] = 0x2E;  // a no-op prefix of the same length
      has_lock = true;
    }
  Decoded d;
  if (has_lock && decode(unlocked.data(), n, 0, d)) return "Capstone accepts LOCK on a non-lockable form (#UD)";
  // MOV Sreg: "#UD if an attempt is made to load the CS register".
  if (i + 1 < n && p[i] == 0x8E && ((p[i + 1] >> 3) & 7) == 1) return "Capstone accepts MOV CS, r/m (#UD)";
  // SSE/MMX mandatory prefixes: the last F2/F3, else 66, selects the form;
  // an opcode without that form is #UD (SDM 3.1.1.1 "NP": "66/F2/F3 ... not
  // allowed"). Capstone ignores such a prefix at times (F2 0F 60 as
  // punpcklbw mm, F3 66 66 0F 38 14 as blendvps); the host raises #UD for
  // every such combination on every 0F/0F38/0F3A opcode
  // (decoder_fuzz_test.cpp's prefix combinations).
  if (i + 1 < n && p[i] == 0x0F && !decode(p, n, 0, d)) {
    for (bool drop_66 : {false, true}) {  // without the F2/F3 (and LOCK), then without the 66 too
      std::vector<uint8_t> plain(p, p + n);
      bool had = false;
      for (size_t k = 0; k < i; ++k)
        if (plain[k] == 0xF2 || plain[k] == 0xF3 || plain[k] == 0xF0 || (drop_66 && plain[k] == 0x66)) {
          had |= plain[k] != 0xF0;
          plain[k] = 0x2E;
        }
      if (had && decode(plain.data(), n, 0, d))
        return "Capstone accepts a 66/F2/F3 the SSE/MMX opcode has no form for (#UD)";
    }
  }
  // VEX after 66, F2, F3, LOCK or REX: "#UD" (SDM Vol. 2, 2.3.2: such
  // prefixes preceding VEX); Capstone decodes 66 C5 D5 41 as kandb.
  if (i < n && (p[i] == 0xC4 || p[i] == 0xC5))
    for (size_t k = 0; k < i; ++k)
      if (p[k] == 0x66 || p[k] == 0xF2 || p[k] == 0xF3 || p[k] == 0xF0 || (p[k] & 0xF0) == 0x40)
        return "Capstone accepts VEX after a 66/F2/F3/LOCK/REX prefix (#UD)";
  // MOV CRn/DRn: "#UD if an attempt is made to access CR1, CR5, CR6, CR7 or
  // CR9-CR15" and DR8-DR15 (REX.R); the host: 0F 20 08 (mov rax, cr1) is #UD.
  if (i + 2 < n && p[i] == 0x0F && p[i + 1] >= 0x20 && p[i + 1] <= 0x23) {
    const bool rex_r = i > 0 && (p[i - 1] & 0xF4) == 0x44;
    const unsigned reg = ((p[i + 2] >> 3) & 7) | (rex_r ? 8 : 0);
    const bool cr = p[i + 1] == 0x20 || p[i + 1] == 0x22;
    if (cr ? !(reg == 0 || (reg >= 2 && reg <= 4) || reg == 8) : reg >= 8)
      return "Capstone accepts MOV with a control/debug register that does not exist (#UD)";
  }
  return nullptr;
}

const char* capstone_length_wrong(const Decoded& d) {
  if (d.p66 && ((d.map == 0 && (d.opcode == 0xE8 || d.opcode == 0xE9)) || (d.map == 1 && d.opcode >= 0x80 && d.opcode <= 0x8F)))
    // SDM CALL/JMP/Jcc: "E8 cw CALL rel16 ... N.S." (not supported in 64-bit
    // mode): Intel ignores 66 on near branches; Capstone takes rel16 as AMD
    // does (this AMD host fetches 66 E8 as 4 bytes: decoder_fuzz_test.cpp).
    return "Capstone decodes 66-prefixed near call/jmp/jcc as rel16 (AMD); Intel: rel32";
  if (d.map == 0 && (d.opcode == 0xC2 || d.opcode == 0xE8 || d.opcode == 0xE9) && (d.p66 || d.p67))
    // SDM RET "C2 iw" (always 16 bits), CALL/JMP rel32 (67 only changes the
    // address size of memory operands).
    return "Capstone sizes RET imm16 / near-branch displacements by the 66/67 prefixes";
  if (d.map == 1 && (d.opcode == 0xB9 || d.opcode == 0xFF))
    // SDM UD: "0F B9 /r UD1 r32, r/m32" and "0F FF /r UD0 r32, r/m32".
    return "Capstone decodes UD1/UD0 without their ModRM (SDM: 0F B9 /r, 0F FF /r)";
  return nullptr;
}

}  // namespace emu::test
