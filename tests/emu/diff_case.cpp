#include "tests/emu/diff_case.h"

#include <algorithm>
#include <cstring>

#include "emu/cpu.h"
#include "emu/decoder.h"
#include "emu/flags.h"
#include "tests/emu/diff_rules.h"
#include "tests/emu/integer_host_oracle.h"  // edge_values()

namespace emu::test {

namespace {

uint64_t addr_of(const uint8_t* p) { return reinterpret_cast<uint64_t>(p); }

// A random register or memory value in [2^40, 2^47), where a PIE host
// process has its image, heap, libraries and emu's frame reservation, could
// point into the host itself: the native run would read, write or jump there
// while the emulated one faults. Such values get bit 63 set (non-canonical:
// #GP in both). Below 2^40 the host has only the arena (under 4 GiB).
uint64_t away_from_host(uint64_t v) { return (v >> 40) != 0 && (v >> 47) == 0 ? v | (uint64_t{1} << 63) : v; }

void put_le(std::vector<uint8_t>& b, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) b.push_back(uint8_t(v >> (8 * i)));
}

void patch_le(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) b[at + i] = uint8_t(v >> (8 * i));
}

}  // namespace

bool DiffCase::poke(uint64_t addr, const void* src, size_t n) {
  const HostArena& a = host_arena();
  auto* s = static_cast<const uint8_t*>(src);
  bool all = true;
  for (size_t i = 0; i < n; i++) {
    const uint64_t x = addr + i;
    if (x >= addr_of(a.data) && x < addr_of(a.data) + a.data_size) data[x - addr_of(a.data)] = s[i];
    else if (x >= addr_of(a.stack) && x < addr_of(a.stack) + a.stack_size) stack[x - addr_of(a.stack)] = s[i];
    else all = false;
  }
  return all;
}

// ---- values -------------------------------------------------------------------------

uint64_t CaseGen::gpr_value() {
  static const std::vector<uint64_t> edges = edge_values();
  const HostArena& a = host_arena();
  switch (below(20)) {
    case 0: case 1: case 2: case 3: case 4: case 5: return away_from_host(edges[below(unsigned(edges.size()))]);
    case 6: case 7: return uint64_t(int64_t(below(41)) - 20);
    case 8: return below(256);
    case 9: return data_pointer(64);
    case 10: return addr_of(a.stack) + (bits() & (a.stack_size - 8));
    default: return away_from_host(bits());
  }
}

uint64_t CaseGen::lane() {
  switch (below(6)) {
    case 0: return f64(kEdgeF64, true);
    case 1: return uint64_t(f32(kEdgeF32)) << 32 | f32(kEdgeF32);
    case 2: return small_words();
    case 3: {  // bytes with NULs and repeats (string compares), shift counts
      if (below(2)) return bits() & 0x1f;
      uint64_t v = 0;
      for (int i = 0; i < 8; i++) v |= uint64_t(below(5) == 0 ? 0 : 'a' + below(4)) << (8 * i);
      return v;
    }
    case 4: return below(2) ? bits() & 0x8080808080808080 : bits() | 0x8000000080000000;
    default: return bits();
  }
}

uint64_t CaseGen::landing() {
  const HostArena& a = host_arena();
  for (;;) {
    const size_t off = below(unsigned(a.code_size));
    if (off < kInsnOffset || off >= kInsnOffset + kInsnWindow) return addr_of(a.code) + off;
  }
}

uint64_t CaseGen::data_pointer(size_t room) {
  const HostArena& a = host_arena();
  uint64_t off = below(unsigned(a.data_size - room));
  if (below(3)) off &= ~uint64_t{15};
  return addr_of(a.data) + off;
}

// ---- the encoding ---------------------------------------------------------------

bool CaseGen::encode(const Form& f, DiffCase& c) {
  const HostArena& a = host_arena();
  std::vector<uint8_t> b;
  bool p67 = std::find(f.legacy.begin(), f.legacy.end(), 0x67) != f.legacy.end();
  for (uint8_t p : f.legacy) {
    if (p == 0xF0 && f.key.mem && !p67 && below(8) == 0) {
      b.push_back(0x67);
      p67 = true;
    }
    b.push_back(p);
  }
  if (f.key.mem && !p67 && below(8) == 0) {
    b.push_back(0x67);
    p67 = true;
  }
  uint8_t rexbits = 0;
  if (f.rex_r && below(2)) rexbits |= 4;
  if (f.rex_x && below(2)) rexbits |= 2;
  if (f.rex_b && below(2)) rexbits |= 1;
  const uint8_t rex = (f.rex || rexbits) ? uint8_t(0x40 | f.rex | rexbits) : 0;
  if (rex) b.push_back(rex);
  if (f.map) b.push_back(0x0F);
  if (f.map == 2) b.push_back(0x38);
  if (f.map == 3) b.push_back(0x3A);
  b.push_back(f.opcode);

  size_t disp_at = 0;
  enum { kNone, kBased, kRipRel, kAbsolute } addressing = kNone;
  if (f.has_modrm) {
    const uint8_t reg = f.reg_free ? uint8_t(below(8)) : f.reg;
    if (!f.key.mem) {
      const uint8_t rm = f.rm_free ? uint8_t(below(8)) : f.rm;
      b.push_back(uint8_t(0xC0 | reg << 3 | rm));
    } else {
      // Modes: 0 [base], 1 [base+disp8], 2 [base+disp32], 3 [base+index*s],
      // 4 [base+index*s+disp8], 5 [base+index*s+disp32], 6 [rip+disp32],
      // 7 [disp32] (SIB without base; REX.X may still make R12 an index).
      const unsigned mode = below(8);
      if (mode == 6) {
        addressing = kRipRel;
        b.push_back(uint8_t(reg << 3 | 5));
        disp_at = b.size();
        put_le(b, 0, 4);
      } else if (mode == 7) {
        addressing = kAbsolute;
        b.push_back(uint8_t(reg << 3 | 4));
        b.push_back(uint8_t(4 << 3 | 5));
        disp_at = b.size();
        put_le(b, 0, 4);
      } else {
        addressing = kBased;
        const uint8_t base3 = uint8_t(below(8));
        const bool sib = mode >= 3 || base3 == 4;
        const uint8_t index3 = mode >= 3 ? uint8_t(below(8)) : 4;
        uint8_t mod = mode == 0 || mode == 3 ? 0 : (mode == 2 || mode == 5) ? 2 : 1;
        if (mod == 0 && base3 == 5) mod = 1;  // [rbp]/[r13] need a displacement
        b.push_back(uint8_t(mod << 6 | reg << 3 | (sib ? 4 : base3)));
        if (sib) b.push_back(uint8_t(below(4) << 6 | index3 << 3 | base3));
        const bool stack_based = base3 == 4 && !(rex & 1);
        if (mod == 1) b.push_back(uint8_t(stack_based ? below(32) * 8 - 128 : below(256)));
        if (mod == 2) put_le(b, stack_based ? below(32) * 8 - 128 : below(1 << 16) - (1 << 15), 4);
      }
    }
  }

  // Immediates (or the moffs address, patched below).
  const size_t imm_at = b.size();
  if (f.moffs) put_le(b, 0, p67 ? 4 : 8);
  if (f.has_imm2) {  // ENTER imm16, imm8
    put_le(b, below(4) == 0 ? bits() & 0xffff : below(32) * 8, 2);
    b.push_back(uint8_t(below(4) == 0 ? bits() : below(4)));
  } else if (f.imm_size) {
    uint64_t v;
    switch (below(6)) {
      case 0: v = 0; break;
      case 1: v = 1 + below(8); break;
      case 2: v = ~uint64_t{0}; break;
      case 3: v = (uint64_t{1} << (8 * f.imm_size - 1)) - below(2); break;  // sign boundary
      default: v = bits(); break;
    }
    put_le(b, v, f.imm_size);
  }

  // Now the length is known: RIP-relative displacements and branch targets.
  c.insn_addr = addr_of(a.code) + kInsnOffset;
  const uint64_t next = c.insn_addr + b.size();
  const bool near_end = below(16) == 0;  // straddle the end of the data page
  const uint64_t data_ea = near_end ? addr_of(a.data) + a.data_size - 1 - below(16)
                                    : data_pointer(600);  // FXSAVE's 512 bytes fit
  if (addressing == kRipRel) patch_le(b, disp_at, data_ea - next, 4);
  if (addressing == kAbsolute) patch_le(b, disp_at, data_ea, 4);
  if (f.moffs) patch_le(b, imm_at, data_ea, p67 ? 4 : 8);
  if (f.rel) {
    const uint64_t target = below(8) == 0 ? next : landing();
    int64_t rel = int64_t(target - next);
    if (f.imm_size == 1 && (rel < -128 || rel > 127)) {
      const int64_t fwd = int64_t(c.insn_addr + kInsnWindow - next);
      rel = below(2) ? fwd + below(unsigned(128 - fwd)) : -int64_t(b.size()) - 1 - below(unsigned(128 - b.size()));
    }
    patch_le(b, imm_at, uint64_t(rel), f.imm_size);
  }

  Decoded d;
  const auto key = form_key(b.data(), b.size(), nullptr);
  if (!key || *key != f.key) return false;
  if (decode_insn(b.data(), b.size(), c.insn_addr, d) != DecodeStatus::Ok || d.len != b.size()) return false;

  // Register values that make the operand address `data_ea` (or, based on
  // RSP, a slot of the stack): a small index, the base to match.
  c.ea.reset();
  if (f.moffs) c.ea = data_ea;
  if (d.is_memory()) {
    const uint64_t disp = uint64_t(d.disp);
    if (d.rip_relative) {
      c.ea = data_ea;
    } else {
      const bool has_index = d.index < 16, has_base = d.base < 16;
      uint64_t index_value = has_index ? (addressing == kAbsolute ? 0 : below(16)) : 0;
      if (has_index) c.in.gpr[d.index] = index_value;
      if (!has_base) {
        c.ea = disp + (index_value << d.scale);
      } else if (d.base == RSP) {
        c.ea = c.in.gpr[RSP] + disp + (index_value << d.scale);
      } else if (d.base == d.index) {  // [r12 + r12*s]: one value for both
        const uint64_t v = (data_ea - disp) / (1 + (uint64_t{1} << d.scale));
        c.in.gpr[d.base] = v;
        c.ea = v + (v << d.scale) + disp;
      } else {
        uint64_t base_value = data_ea - disp - (index_value << d.scale);
        if (d.p67 && below(2)) base_value |= bits() << 32;  // truncated away
        c.in.gpr[d.base] = base_value;
        c.ea = data_ea;
      }
    }
    if (d.p67) c.ea = uint32_t(*c.ea);
  }
  c.bytes = std::move(b);
  c.d = d;
  return true;
}

// ---- one case --------------------------------------------------------------------------

DiffCase CaseGen::make(const Form& f, const FormRule* rule) {
  const HostArena& a = host_arena();
  DiffCase c;
  // Registers and flags.
  for (uint64_t& r : c.in.gpr) r = gpr_value();
  c.in.gpr[RSP] = addr_of(a.stack) + a.stack_size / 2 + 8 * (int64_t(below(64)) - 32);
  c.in.rflags = 0x202 | (bits() & kArithFlags) | (below(4) == 0 ? kDF : 0);
  // x87, MXCSR, XMM: an FXSAVE image. x87 exceptions masked (none pending).
  uint8_t* fx = c.in.fx;
  std::memset(fx, 0, kFxSize);
  static constexpr unsigned kPc[] = {0, 2, 3};
  const uint16_t fcw = below(8) == 0 ? 0x037f : uint16_t(0x7f | kPc[below(3)] << 8 | below(4) << 10);
  const uint16_t fsw = uint16_t((bits() & 0x473f) | below(8) << 11);
  uint8_t ftw = 0;
  for (int i = 0; i < 8; i++)
    if (below(6)) ftw |= uint8_t(1 << i);
  const uint32_t mx = mxcsr();
  std::memcpy(fx + kFxFcw, &fcw, 2);
  std::memcpy(fx + kFxFsw, &fsw, 2);
  fx[kFxFtw] = ftw;
  std::memcpy(fx + kFxMxcsr, &mx, 4);
  for (int i = 0; i < 8; i++) x87_ext(fx + kFxSt + 16 * i);
  for (int i = 0; i < 32; i++) {
    const uint64_t v = lane();
    std::memcpy(fx + kFxXmm + 8 * i, &v, 8);
  }
  // Memory: random bits, interesting values where operands are likely.
  c.data.resize(a.data_size);
  c.stack.resize(a.stack_size);
  uint64_t x = bits() | 1;  // xorshift64: the bulk of the pages, cheaply
  for (auto* m : {&c.data, &c.stack})
    for (size_t i = 0; i < m->size(); i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const uint64_t v = away_from_host(x);
      std::memcpy(m->data() + i, &v, 8);
    }

  // The encoding (pins the address registers); fall back to the representative.
  bool ok = false;
  for (int attempt = 0; attempt < 16 && !ok; attempt++) ok = encode(f, c);
  if (!ok) {
    ++fallbacks;
    c.insn_addr = addr_of(a.code) + kInsnOffset;
    c.bytes = f.bytes;
    decode_insn(c.bytes.data(), c.bytes.size(), c.insn_addr, c.d);
    c.ea.reset();
  }
  c.in.rip = c.insn_addr;
  uint8_t vals[64];
  for (int i = 0; i < 8; i++) {
    const uint64_t v = away_from_host(lane());
    std::memcpy(vals + 8 * i, &v, 8);
  }
  if (c.ea) {
    if (below(4) == 0) x87_ext(vals);
    c.poke(*c.ea, vals, 64);
  }
  c.poke(c.in.gpr[RSP], vals + 8, 32);

  // Control transfers: make indirect targets and return addresses land on INT3s.
  if (f.ends_block && below(4)) {
    const uint64_t to = landing();
    c.poke(c.in.gpr[RSP], &to, 8);
    if (c.ea) c.poke(*c.ea, &to, 8);
    if (c.d.has_modrm && c.d.mod == 3) c.in.gpr[c.d.rm] = to;
  }
  if (rule && rule->fixup) {
    // Keep the address registers: a fix-up may write them as operands.
    uint64_t saved[16];
    std::memcpy(saved, c.in.gpr, sizeof saved);
    rule->fixup(c, *this);
    if (c.d.is_memory()) {
      if (c.d.base < 16) c.in.gpr[c.d.base] = saved[c.d.base];
      if (c.d.index < 16) c.in.gpr[c.d.index] = saved[c.d.index];
    }
  }
  return c;
}

}  // namespace emu::test
