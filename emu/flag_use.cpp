#include "emu/flag_use.h"

#include "emu/decoder.h"
#include "emu/flags.h"

namespace emu {
namespace {

constexpr uint32_t kAll = uint32_t(kArithFlags);
constexpr FlagUse kNeutral{};                        // touches no arithmetic flag
constexpr FlagUse kUnknown{kAll, 0, kAll};           // not classified: reads all
constexpr FlagUse kWritesAll{0, kAll, kAll};
constexpr FlagUse kCfOf{0, uint32_t(kCF | kOF), uint32_t(kCF | kOF)};  // MUL/IMUL
constexpr uint32_t kIncDec = uint32_t(kOF | kSF | kZF | kAF | kPF);    // INC/DEC keep CF

// The flags condition code cc (Jcc, SETcc, CMOVcc) reads.
constexpr uint32_t cond_reads(unsigned cc) {
  constexpr uint32_t kByPair[8] = {kOF, kCF, kZF, kCF | kZF, kSF, kPF, kSF | kOF, kZF | kSF | kOF};
  return kByPair[(cc >> 1) & 7];
}

// ADD OR ADC SBB AND SUB XOR CMP by their /digit.
FlagUse alu(unsigned op) {
  if (op == 2 || op == 3) return {uint32_t(kCF), kAll, kAll};  // ADC, SBB
  return kWritesAll;
}

// C0/C1 (count = imm8), D0/D1 (count 1), D2/D3 (count = CL) by /digit.
FlagUse shift(const Decoded& d) {
  const unsigned op = d.reg & 7;
  const uint32_t sets = op < 4 ? uint32_t(kCF | kOF) : kAll;  // rotates: CF and OF only
  const uint32_t reads = (op == 2 || op == 3) ? uint32_t(kCF) : 0;  // RCL, RCR
  bool always;  // the masked count is known to be non-zero
  if (d.opcode == 0xD0 || d.opcode == 0xD1) {
    always = true;
  } else if (d.opcode == 0xC0 || d.opcode == 0xC1) {
    if ((d.imm & (d.opsize == 8 ? 63 : 31)) == 0) return kNeutral;
    always = true;
  } else {
    always = false;
  }
  return {reads, always ? sets : 0, sets};
}

FlagUse one_byte(const Decoded& d) {
  const uint8_t op = d.opcode;
  const unsigned digit = d.reg & 7;
  if (op < 0x40) return (op & 7) < 6 ? alu(op >> 3) : kUnknown;
  if (op >= 0x50 && op <= 0x5F) return kNeutral;  // push, pop
  if (op >= 0x70 && op <= 0x7F) return {cond_reads(op), 0, 0};
  if (op >= 0x86 && op <= 0x8B) return kNeutral;  // xchg, mov
  if (op >= 0x90 && op <= 0x99) return kNeutral;  // xchg, nop, cbw, cwd
  if (op >= 0xA0 && op <= 0xA5) return kNeutral;  // mov moffs, movs
  if (op >= 0xAA && op <= 0xAD) return kNeutral;  // stos, lods
  if (op >= 0xB0 && op <= 0xBF) return kNeutral;  // mov imm
  switch (op) {
    case 0x63: case 0x68: case 0x6A: case 0x8D: case 0x8F:
    case 0xC2: case 0xC3: case 0xC6: case 0xC7: case 0xC9:
    case 0xE8: case 0xE9: case 0xEB: case 0xFC: case 0xFD:
      return kNeutral;  // movsxd, push imm, lea, pop, ret, mov, leave, call, jmp, cld, std
    case 0x69: case 0x6B: return kCfOf;  // imul r, r/m, imm
    case 0x80: case 0x81: case 0x83: return alu(digit);
    case 0x84: case 0x85: case 0xA8: case 0xA9: return kWritesAll;  // test
    case 0xA6: case 0xA7: case 0xAE: case 0xAF:  // cmps, scas: none when a REP count is 0
      return d.rep || d.repne ? FlagUse{0, 0, kAll} : kWritesAll;
    case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3: return shift(d);
    case 0xF5: return {uint32_t(kCF), uint32_t(kCF), uint32_t(kCF)};  // cmc
    case 0xF8: case 0xF9: return {0, uint32_t(kCF), uint32_t(kCF)};   // clc, stc
    case 0xF6: case 0xF7:
      if (digit == 2) return kNeutral;               // not
      if (digit == 4 || digit == 5) return kCfOf;    // mul, imul
      if (digit >= 6) return kNeutral;               // div, idiv leave flags unchanged here
      return kWritesAll;                             // test, neg
    case 0xFE: case 0xFF:
      if (digit <= 1) return {0, kIncDec, kIncDec};  // inc, dec
      if (op == 0xFF && (digit == 2 || digit == 4 || digit == 6)) return kNeutral;  // call, jmp, push
      return kUnknown;
    default: return kUnknown;
  }
}

FlagUse two_byte(const Decoded& d) {
  const uint8_t op = d.opcode;
  if ((op >= 0x40 && op <= 0x4F) || (op >= 0x80 && op <= 0x9F)) return {cond_reads(op), 0, 0};  // cmov, jcc, setcc
  if (op >= 0x10 && op <= 0x1F) return kNeutral;  // SSE moves, hint NOPs
  if (op >= 0x28 && op <= 0x2D) return kNeutral;  // movap, cvt*, movnt
  if (op >= 0x50 && op <= 0x7F) return kNeutral;  // SSE/MMX arithmetic, logic, moves
  if (op >= 0xC2 && op <= 0xC6) return kNeutral;  // cmpps, movnti, pinsrw, pextrw, shufps
  if (op >= 0xC8) return kNeutral;                // bswap, SSE/MMX integer
  switch (op) {
    case 0x2E: case 0x2F: return kWritesAll;  // ucomis, comis
    case 0xAF: return kCfOf;                  // imul r, r/m
    case 0xB6: case 0xB7: case 0xBE: case 0xBF: return kNeutral;  // movzx, movsx
    case 0xA3: case 0xAB: case 0xB3: case 0xBB:  // bt, bts, btr, btc
      return {0, uint32_t(kCF), uint32_t(kCF)};
    case 0xBA: return (d.reg & 7) >= 4 ? FlagUse{0, uint32_t(kCF), uint32_t(kCF)} : kUnknown;
    case 0xB8: return d.rep ? kWritesAll : kUnknown;  // popcnt (F3); without F3 #UD
    case 0xA4: case 0xAC:  // shld, shrd by imm8
      return (d.imm & (d.opsize == 8 ? 63 : 31)) == 0 ? kNeutral : kWritesAll;
    case 0xA5: case 0xAD: return {0, 0, kAll};  // shld, shrd by CL
    case 0xB0: case 0xB1: case 0xC0: case 0xC1: case 0xBC: case 0xBD:
      return kWritesAll;  // cmpxchg, xadd, bsf/tzcnt, bsr/lzcnt, popcnt
    default: return kUnknown;
  }
}

}  // namespace

FlagUse flag_use(const Decoded& d) {
  switch (d.map) {
    case 0: return one_byte(d);
    case 1: return two_byte(d);
    case 2:  // 0F38: ptest sets flags; F0-FF (movbe, crc32, adcx/adox...) not classified
      if (d.opcode == 0x17) return kWritesAll;
      return d.opcode >= 0xF0 ? kUnknown : kNeutral;
    case 3:  // 0F3A: pcmp[ei]str[im] set flags
      return d.opcode >= 0x60 && d.opcode <= 0x63 ? kWritesAll : kNeutral;
    default: return kUnknown;
  }
}

uint32_t flags_read_ahead(const uint8_t* code, size_t n, uint64_t addr) {
  uint32_t read = 0;
  uint32_t unsettled = kAll;
  size_t off = 0;
  for (unsigned i = 0; i < kFlagLookahead && unsettled; ++i) {
    Decoded d;
    if (decode_insn(code + off, n - off, addr + off, d) != DecodeStatus::Ok) break;
    const FlagUse use = flag_use(d);
    read |= use.reads & unsettled;
    unsettled &= ~use.writes;
    if (ends_block(d)) break;
    off += d.len;
  }
  return read | unsettled;
}

}  // namespace emu
