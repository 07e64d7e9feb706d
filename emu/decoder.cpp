#include "emu/decoder.h"

#include <cstring>

#include "emu/cpu.h"
#include "emu/opcode_tables.h"

namespace emu {
namespace {

using optab::Imm;
using optab::OpInfo;

// Little-endian read of n (1, 2, 4 or 8) bytes, sign-extended to 64 bits.
int64_t read_signed(const uint8_t* p, unsigned n) {
  switch (n) {
    case 1: return int8_t(p[0]);
    case 2: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; std::memcpy(&v, p, 4); return v; }
    default: { int64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

uint64_t read_unsigned(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// Validity of ModRM-dependent sub-encodings that the tables can't express.
// Only those that change the length or are undefined on every Intel CPU;
// the rest (reserved group members) is left to the binder, which raises
// SIGILL for whatever it does not own.
bool group_valid(const Decoded& d) {
  const uint8_t r = d.reg & 7;
  if (d.map == 0) {
    switch (d.opcode) {
      case 0x8C: return r <= 5;                         // mov Ev,Sreg: ES..GS (REX.R ignored)
      case 0x8E: return r <= 5 && r != 1;               // mov Sreg,Ew: not CS
      case 0x8D: return d.mod != 3;                     // lea: memory only
      case 0x8F: return r == 0;                         // /1-/7: AMD XOP
      case 0xC6: return r == 0 || d.modrm == 0xF8;      // mov / xabort
      case 0xC7: return r == 0 || d.modrm == 0xF8;      // mov / xbegin
      case 0xFE: return r <= 1;                         // inc/dec Eb
      case 0xFF: return r != 7 && (d.mod != 3 || (r != 3 && r != 5));  // far call/jmp: memory only
      default: return true;
    }
  }
  if (d.map == 1) {
    switch (d.opcode) {
      case 0x00: return r <= 5;                         // sldt..verw
      case 0xBA: return r >= 4;                         // bt/bts/btr/btc Ib
      case 0x78:
      case 0x79: return !d.p66 && d.last_rep == 0;      // 66/F2: AMD SSE4a
      case 0xB8: return d.last_rep == 0xF3;             // popcnt (jmpe otherwise)
      case 0x01: {                                      // grp7
        if (d.mod != 3) return r != 5 || d.last_rep == 0xF3;  // /5 mem: rstorssp (F3)
        const uint8_t m = d.modrm;
        return (m >= 0xC1 && m <= 0xC4) || (m >= 0xC8 && m <= 0xCB) || m == 0xCF || m == 0xD0 || m == 0xD1 ||
               (m >= 0xD4 && m <= 0xD7) || (m >= 0xE0 && m <= 0xE7) || m == 0xE8 || m == 0xEA || m == 0xEE ||
               m == 0xEF || (m >= 0xF0 && m <= 0xF9);
      }
      case 0xAE:                                        // grp15
        if (d.mod == 3) {
          if (d.last_rep == 0xF3) return r <= 3 || r == 5 || r == 6;  // rd/wr fs/gs base, incssp, umonitor
          if (d.last_rep == 0xF2 || d.p66) return r == 6;             // umwait, tpause
          return r >= 5;                                              // lfence, mfence, sfence
        }
        if (d.last_rep == 0xF3) return r == 4 || r == 6;              // ptwrite, clrssbsy
        if (d.last_rep == 0xF2) return false;
        if (d.p66) return r >= 6;                                     // clwb, clflushopt
        return true;
      case 0xC7:                                        // grp9
        if (d.mod == 3) return r >= 6;                  // rdrand, rdseed/rdpid
        return r != 0 && r != 2;                        // cmpxchg8b/16b, xrstors, xsavec, xsaves, vmx
      case 0x0D: return d.mod != 3 && (r == 1 || r == 2);  // prefetchw, prefetchwt1 (/0: AMD only)
      case 0xB2: case 0xB4: case 0xB5: return d.mod != 3;  // lss, lfs, lgs: memory only
      default: return true;
    }
  }
  return true;
}

// LOCK is valid only on the read-modify-write memory forms below (Intel SDM
// Vol. 2, LOCK); anything else is #UD.
bool lock_valid(const Decoded& d) {
  if (!d.is_memory()) return false;
  const uint8_t r = d.reg & 7;
  if (d.map == 0) {
    const uint8_t op = d.opcode;
    if (op < 0x40 && (op & 7) <= 1 && (op & 0x38) != 0x38) return true;  // add..xor Eb/Ev,Gb/Gv (not cmp)
    switch (op) {
      case 0x80: case 0x81: case 0x83: return r != 7;                      // grp1 (not cmp)
      case 0x86: case 0x87: return true;                                    // xchg
      case 0xF6: case 0xF7: return r == 2 || r == 3;                        // not, neg
      case 0xFE: case 0xFF: return r <= 1;                                  // inc, dec
      default: return false;
    }
  }
  if (d.map == 1) {
    switch (d.opcode) {
      case 0xAB: case 0xB3: case 0xBB: return true;                         // bts, btr, btc
      case 0xBA: return r >= 5;                                             // bts/btr/btc Ib
      case 0xB0: case 0xB1: case 0xC0: case 0xC1: return true;              // cmpxchg, xadd
      case 0xC7: return r == 1;                                             // cmpxchg8b/16b
      default: return false;
    }
  }
  return false;
}

// Mandatory-prefix validity of the SSE/MMX encodings (Intel SDM Vol. 2,
// Tables A-3..A-5): which of none/66/F3/F2 define an instruction, and
// whether it takes only a register or only a memory operand. F3/F2 win
// over 66; of F3 and F2 the last one counts. The prefix so chosen must be
// one the opcode has a form for, else #UD: it is never ignored in favour of
// another form (SDM 3.1.1.1 "NP"; measured on the host for every 0F/0F38/
// 0F3A opcode with each order of 66/F2/F3, tests/emu/decoder_fuzz_test.cpp:
// F3 66 0F FC, F2 0F 54, 66 0F 77 are all #UD).
enum : uint8_t { kNp = 1, k66 = 2, kF3 = 4, kF2 = 8, kAllPfx = 15, kMemOnly = 16, kRegOnly = 32 };

constexpr uint8_t sse_rule(unsigned map, unsigned op) {
  if (map == 1) {
    switch (op) {
      case 0x10: case 0x11: case 0x12: return kAllPfx;
      case 0x16: return kNp | k66 | kF3;                              // movhps, movhpd, movshdup
      case 0x13: case 0x17: return kNp | k66 | kMemOnly;
      case 0x14: case 0x15: case 0x28: case 0x29: case 0x2E: case 0x2F: return kNp | k66;
      case 0x2A: case 0x2C: case 0x2D: return kAllPfx;
      case 0x2B: return kNp | k66 | kMemOnly;
      case 0x50: return kNp | k66 | kRegOnly;
      case 0x51: case 0x58: case 0x59: case 0x5A: case 0x5C: case 0x5D: case 0x5E: case 0x5F: return kAllPfx;
      case 0x52: case 0x53: return kNp | kF3;
      case 0x54: case 0x55: case 0x56: case 0x57: return kNp | k66;
      case 0x5B: return kNp | k66 | kF3;
      case 0x6C: case 0x6D: return k66;
      case 0x6E: return kNp | k66;
      case 0x6F: case 0x7E: case 0x7F: return kNp | k66 | kF3;
      case 0x70: return kAllPfx;
      case 0x71: case 0x72: case 0x73: return kNp | k66 | kRegOnly;
      case 0x7C: case 0x7D: case 0xD0: return k66 | kF2;
      case 0xC2: return kAllPfx;
      case 0xC3: return kNp | kMemOnly;
      case 0xC4: case 0xC6: return kNp | k66;
      case 0xC5: case 0xD7: case 0xF7: return kNp | k66 | kRegOnly;
      case 0xD6: return k66 | kF3 | kF2;
      case 0xE6: return k66 | kF3 | kF2;
      case 0xE7: return kNp | k66 | kMemOnly;
      case 0xF0: return kF2 | kMemOnly;
      default:
        if ((op >= 0x60 && op <= 0x6B) || (op >= 0x74 && op <= 0x76) || (op >= 0xD1 && op <= 0xEF) ||
            (op >= 0xF1 && op <= 0xFE))
          return kNp | k66;
        return 0;  // not an SSE/MMX opcode: prefixes are modifiers only
    }
  }
  if (map == 2) {
    if (op <= 0x0B || (op >= 0x1C && op <= 0x1E)) return kNp | k66;
    if (op == 0x2A) return k66 | kMemOnly;
    if (op >= 0x80 && op <= 0x82) return k66 | kMemOnly;
    if (op >= 0xC8 && op <= 0xCD) return kNp;
    if (op == 0xF0 || op == 0xF1 || op == 0xF5 || op == 0xF6 || op == 0xF8 || op == 0xF9) return 0;  // refined below
    return k66;
  }
  if (map == 3) {
    if (op == 0x0F) return kNp | k66;
    if (op == 0xCC) return kNp;
    return k66;
  }
  return 0;
}

bool sse_valid(const Decoded& d) {
  const uint8_t rule = sse_rule(d.map, d.opcode);
  const uint8_t pfx = d.last_rep == 0xF3 ? kF3 : d.last_rep == 0xF2 ? kF2 : d.p66 ? k66 : kNp;
  const unsigned r = d.reg & 7;
  if (d.map == 2) {
    switch (d.opcode) {
      case 0xF0: case 0xF1:  // movbe (none/66, memory) / crc32 (F2, also 66 F2)
        return pfx == kF2 || ((pfx == kNp || pfx == k66) && d.mod != 3);
      case 0xF5: return pfx == k66 && d.mod != 3;                                  // wrussd/q
      case 0xF6: return pfx == k66 || pfx == kF3 || (pfx == kNp && d.mod != 3);    // adcx, adox, wrssd/q
      case 0xF8: return pfx != kNp && d.mod != 3;                                  // movdir64b, enqcmd(s)
      case 0xF9: return pfx == kNp && d.mod != 3;                                  // movdiri
      default: break;
    }
  }
  if (rule == 0) return true;
  if (!(rule & pfx)) return false;
  if ((rule & kMemOnly) && d.mod == 3) return false;
  if ((rule & kRegOnly) && d.mod != 3) return false;
  if (d.map == 1) {
    switch (d.opcode) {
      case 0x12: case 0x16: return !(pfx == k66 && d.mod == 3);     // movlpd/movhpd: memory
      case 0x71: case 0x72: return r == 2 || r == 4 || r == 6;
      case 0x73: return r == 2 || r == 6 || (pfx == k66 && (r == 3 || r == 7));
      case 0xD6: return pfx == k66 || d.mod == 3;                   // movq2dq/movdq2q: registers
      default: break;
    }
  }
  return true;
}

// x87 escapes D8-DF: the encodings the SDM defines (Vol. 2, A.5) plus the
// register-form aliases every Intel x87 executes (FCOM2/FCOMP3 DC D0-DF,
// FXCH4 DD C8, FCOMP5 DE D0, FFREEP DF C0, FXCH7 DF C8, FSTP1 D9 D8,
// FSTP8/9 DF D0-DF), as Capstone does.
bool x87_valid(const Decoded& d) {
  const unsigned esc = d.opcode - 0xD8;
  const unsigned r = d.reg & 7;
  if (d.mod != 3) {
    switch (esc) {
      case 1: return r != 1;
      case 3: return r != 4 && r != 6;
      case 5: return r != 5;
      default: return true;
    }
  }
  const unsigned m = d.modrm;
  switch (esc) {
    case 0: return true;
    case 1: return m <= 0xD0 || (m >= 0xD8 && m <= 0xE1) || m == 0xE4 || m == 0xE5 || (m >= 0xE8 && m <= 0xEE) ||
                   m >= 0xF0;
    case 2: return m <= 0xDF || m == 0xE9;
    case 3: return m <= 0xE4 || (m >= 0xE8 && m <= 0xF7);  // E0/E1/E4: 287 FNENI/FNDISI/FSETPM, NOPs since the 387
    case 4: return true;
    case 5: return m <= 0xEF;
    case 6: return m <= 0xD7 || m == 0xD9 || m >= 0xE0;
    default: return m <= 0xE0 || (m >= 0xE8 && m <= 0xF7);
  }
}

}  // namespace

DecodeStatus decode_insn(const uint8_t* p, size_t avail, uint64_t addr, Decoded& d) {
  d = Decoded{};
  d.addr = addr;
  size_t i = 0;

  // Returns the status to report when `n` more bytes from i are not all
  // available: TooLong when they could never fit in 15 bytes, else
  // Truncated when the caller has fewer than 15, else Ok (they are there).
  auto check = [&](size_t n) {
    if (i + n > kMaxInsnLen) return DecodeStatus::TooLong;
    if (i + n > avail) return DecodeStatus::Truncated;
    return DecodeStatus::Ok;
  };

  // ---- legacy prefixes and REX --------------------------------------------
  uint8_t rex = 0;
  uint8_t b = 0;
  for (;;) {
    if (auto s = check(1); s != DecodeStatus::Ok) return s;
    b = p[i];
    bool is_prefix = true;
    switch (b) {
      case 0x66: d.p66 = true; break;
      case 0x67: d.p67 = true; break;
      case 0xF0: d.lock = true; break;
      case 0xF2: d.repne = true; d.last_rep = 0xF2; break;
      case 0xF3: d.rep = true; d.last_rep = 0xF3; break;
      case 0x26: case 0x2E: case 0x36: case 0x3E: break;  // no-ops in 64-bit mode
      case 0x64: d.seg = kSegFs; break;
      case 0x65: d.seg = kSegGs; break;
      default: is_prefix = false; break;
    }
    if (is_prefix) {
      rex = 0;  // a REX followed by another prefix is ignored
      ++i;
      continue;
    }
    if ((b & 0xF0) == 0x40) {
      rex = b;
      ++i;
      continue;
    }
    break;
  }
  d.rex = rex;
  const bool rex_w = rex & 8, rex_r = rex & 4, rex_x = rex & 2, rex_b = rex & 1;

  // ---- opcode --------------------------------------------------------------
  ++i;  // b is the first opcode byte
  if (b == 0x0F) {
    if (auto s = check(1); s != DecodeStatus::Ok) return s;
    b = p[i++];
    d.map = 1;
    if (b == 0x38 || b == 0x3A) {
      d.map = b == 0x38 ? 2 : 3;
      if (auto s = check(1); s != DecodeStatus::Ok) return s;
      b = p[i++];
    }
  }
  d.opcode = b;
  const OpInfo info = (*optab::kMaps[d.map])[b];
  if (info.has(optab::kInvalid)) return DecodeStatus::Invalid;

  // ---- operand size --------------------------------------------------------
  uint16_t flags = info.flags;
  if (d.map == 0 && b == 0xFF) {
    // Group 5: near call/jmp are fixed 64-bit, push is default-64.
    // ModRM.reg is needed first; peek it (the ModRM read below re-checks).
    if (auto s = check(1); s != DecodeStatus::Ok) return s;
    const unsigned r = (p[i] >> 3) & 7;
    if (r == 2 || r == 4) flags |= optab::kForce64;
    else if (r == 6) flags |= optab::kDef64;
  }
  if (flags & optab::kByte) d.opsize = 1;
  else if (rex_w || (flags & optab::kForce64)) d.opsize = 8;
  else if (d.p66) d.opsize = 2;
  else if (flags & optab::kDef64) d.opsize = 8;
  else d.opsize = 4;

  // ---- ModRM, SIB, displacement ----------------------------------------------
  size_t disp_size = 0;
  if (flags & optab::kModrm) {
    if (auto s = check(1); s != DecodeStatus::Ok) return s;
    const uint8_t m = p[i++];
    d.has_modrm = true;
    d.modrm = m;
    d.mod = (flags & optab::kRegOnly) ? 3 : (m >> 6);
    d.reg = uint8_t(((m >> 3) & 7) | (rex_r ? 8 : 0));
    d.rm = uint8_t((m & 7) | (rex_b ? 8 : 0));
    if (d.mod != 3) {
      if ((m & 7) == 4) {
        if (auto s = check(1); s != DecodeStatus::Ok) return s;
        const uint8_t sib = p[i++];
        d.scale = sib >> 6;
        const uint8_t idx = uint8_t(((sib >> 3) & 7) | (rex_x ? 8 : 0));
        d.index = idx == RSP ? uint8_t(kNoReg) : idx;
        if ((sib & 7) == 5 && d.mod == 0) {
          d.base = kNoReg;
          disp_size = 4;
        } else {
          d.base = uint8_t((sib & 7) | (rex_b ? 8 : 0));
        }
      } else if ((m & 7) == 5 && d.mod == 0) {
        d.rip_relative = true;
        d.base = kNoReg;
        disp_size = 4;
      } else {
        d.base = d.rm;
      }
      if (d.mod == 1) disp_size = 1;
      else if (d.mod == 2) disp_size = 4;
      if (disp_size) {
        if (auto s = check(disp_size); s != DecodeStatus::Ok) return s;
        d.disp = read_signed(p + i, unsigned(disp_size));
        i += disp_size;
      }
    }
    if (!group_valid(d)) return DecodeStatus::Invalid;
    if (d.map == 0 && b >= 0xD8 && b <= 0xDF && !x87_valid(d)) return DecodeStatus::Invalid;
    if (d.map != 0 && !sse_valid(d)) return DecodeStatus::Invalid;
  }
  if (d.map == 1 && b == 0x77 && (d.p66 || d.last_rep)) return DecodeStatus::Invalid;  // emms: NP (no ModRM)
  if (d.lock && !lock_valid(d)) return DecodeStatus::Invalid;

  // ---- immediates ----------------------------------------------------------
  unsigned imm_size = 0;
  bool imm_signed = true;
  switch (info.imm) {
    case Imm::None: break;
    case Imm::Ib: imm_size = 1; break;
    case Imm::Iw: imm_size = 2; imm_signed = false; break;
    case Imm::Iz: imm_size = d.opsize == 2 ? 2 : 4; break;
    case Imm::Iv: imm_size = d.opsize; imm_signed = false; break;
    case Imm::IwIb: imm_size = 2; imm_signed = false; break;
    case Imm::Moffs: break;
    case Imm::Grp3:
      if ((d.reg & 7) <= 1) imm_size = d.opsize == 1 ? 1 : (d.opsize == 2 ? 2 : 4);
      break;
  }
  if (d.map == 0 && (b == 0xC6 || b == 0xC7) && d.modrm == 0xF8) {
    // xabort Ib / xbegin rel16/32: the immediate as for mov, xbegin is relative.
    if (b == 0xC7) flags |= optab::kRel | optab::kEndsBlock;
  }
  if (imm_size) {
    if (auto s = check(imm_size); s != DecodeStatus::Ok) return s;
    d.imm = imm_signed ? uint64_t(read_signed(p + i, imm_size)) : read_unsigned(p + i, imm_size);
    d.imm_size = uint8_t(imm_size);
    i += imm_size;
  }
  if (info.imm == Imm::IwIb) {
    if (auto s = check(1); s != DecodeStatus::Ok) return s;
    d.imm2 = p[i++];
  }
  if (info.imm == Imm::Moffs) {
    const unsigned n = d.p67 ? 4 : 8;
    if (auto s = check(n); s != DecodeStatus::Ok) return s;
    d.disp = int64_t(read_unsigned(p + i, n));
    d.base = kNoReg;
    d.index = kNoReg;
    i += n;
  }

  // ---- finish ----------------------------------------------------------------
  d.len = uint8_t(i);
  std::memcpy(d.bytes, p, i);
  const uint64_t next = addr + i;
  if (flags & optab::kRel) d.imm = next + d.imm;
  if (d.rip_relative) {
    uint64_t target = next + uint64_t(d.disp);
    if (d.p67) target = uint32_t(target);
    d.disp = int64_t(target);
  }
  return DecodeStatus::Ok;
}

bool ends_block(const Decoded& d) {
  if ((*optab::kMaps[d.map])[d.opcode].has(optab::kEndsBlock)) return true;
  if (d.map == 0 && d.opcode == 0xFF) {
    const unsigned r = d.reg & 7;
    return r >= 2 && r <= 5;  // call/jmp near and far, indirect
  }
  if (d.map == 0 && d.opcode == 0xC7 && d.modrm == 0xF8) return true;  // xbegin
  return false;
}

}  // namespace emu
