#include "tests/emu/form_enum.h"

#include <map>

#include "emu/bind.h"
#include "emu/decoder.h"
#include "emu/disasm.h"
#include "emu/opcode_tables.h"
#include "emu/ops/control.h"

namespace emu::test {
namespace {

// Does the handler read a byte register through ModRM (or the opcode's low
// bits) whose meaning a REX prefix changes (AH..BH vs SPL..DIL)? Probed by
// binding the same instruction with and without REX 40 and register
// numbers 4 and the form's own. Irrelevant with REX.W (REX always present).
bool byte_sensitive(const Decoded& d) {
  if (d.rex & 8) return false;
  for (uint8_t r : {uint8_t(d.reg & 7), uint8_t(4)}) {
    for (uint8_t m : {uint8_t(d.rm & 7), uint8_t(4)}) {
      Decoded p0 = d;
      p0.rex = 0;
      if (d.has_modrm) {
        p0.reg = r;
        if (d.mod == 3) p0.rm = m;
      }
      Decoded p1 = p0;
      p1.rex = 0x40;
      const Insn i0 = bind(p0), i1 = bind(p1);
      if (i0.fn == i1.fn && i0.fn != op_invalid && (i0.reg != i1.reg || i0.rm != i1.rm)) return true;
      if (!d.has_modrm) return false;
    }
  }
  return false;
}

// Legacy prefix sets walked (mandatory prefix / operand size).
const std::vector<uint8_t> kPrefixSets[] = {{}, {0x66}, {0xF3}, {0xF2}, {0x66, 0xF3}, {0x66, 0xF2}};

bool is_prefix_or_escape(uint8_t b) {
  switch (b) {
    case 0x0F: case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3: return true;
    default: return (b & 0xF0) == 0x40;
  }
}

std::vector<uint8_t> build(const std::vector<uint8_t>& legacy, uint8_t rex, uint8_t map, uint8_t op, bool has_modrm,
                           uint8_t modrm, uint8_t imm0) {
  std::vector<uint8_t> b = legacy;
  if (rex) b.push_back(rex);
  if (map) b.push_back(0x0F);
  if (map == 2) b.push_back(0x38);
  if (map == 3) b.push_back(0x3A);
  b.push_back(op);
  if (has_modrm) b.push_back(modrm);
  b.push_back(imm0);  // immediates (and room for them): imm0 then zeros
  for (int i = 0; i < 9; i++) b.push_back(0);
  return b;
}

}  // namespace

std::optional<FormKey> form_key(const uint8_t* bytes, size_t n, Decoded* out) {
  Decoded d;
  if (decode_insn(bytes, n, 0x1000, d) != DecodeStatus::Ok) return std::nullopt;
  if (out) *out = d;
  Decoded z = d;
  z.imm = 0;
  z.imm2 = 0;
  const Insn in = bind(z);
  if (in.fn == op_invalid) return std::nullopt;
  FormKey k;
  k.fn = in.fn;
  k.map = d.map;
  k.opcode = d.opcode;
  k.op = in.op;
  k.op2 = in.op2;
  k.mem = d.is_memory();
  k.lock = d.lock;
  k.byte_rex = d.rex != 0 && byte_sensitive(z);
  return k;
}

FormCensus enumerate_forms() {
  FormCensus census;
  std::map<FormKey, size_t> index;
  for (uint8_t map = 0; map < 4; map++) {
    for (unsigned op = 0; op < 256; op++) {
      const optab::OpInfo info = (*optab::kMaps[map])[op];
      if (info.has(optab::kInvalid)) continue;
      if (map == 0 && is_prefix_or_escape(uint8_t(op))) continue;
      if (map == 1 && (op == 0x38 || op == 0x3A)) continue;
      const bool has_modrm = info.has(optab::kModrm);
      for (const auto& pfx : kPrefixSets) {
        for (uint8_t rex : {uint8_t(0), uint8_t(0x40), uint8_t(0x48)}) {
          for (int variant = 0; variant < (has_modrm ? 64 + 8 * 4 : 4); variant++) {
            // Register forms: 64 ModRM values with mod = 3. Memory forms: [rax]
            // with each reg, with/without 67 and LOCK. No ModRM: 67 x LOCK.
            uint8_t modrm = 0;
            bool p67 = false, lock = false;
            if (has_modrm && variant < 64) {
              modrm = uint8_t(0xC0 | variant);
            } else {
              const int v = has_modrm ? variant - 64 : variant;
              if (has_modrm) modrm = uint8_t((v & 7) << 3);
              p67 = (v >> 3 & 1) != 0 || (!has_modrm && (v & 1));
              lock = has_modrm ? (v >> 4 & 1) != 0 : (v & 2) != 0;
            }
            std::vector<uint8_t> legacy = pfx;
            if (p67) legacy.push_back(0x67);
            if (lock) legacy.push_back(0xF0);
            for (uint8_t imm0 : {uint8_t(0), uint8_t(3)}) {
              const std::vector<uint8_t> b = build(legacy, rex, map, uint8_t(op), has_modrm, modrm, imm0);
              ++census.encodings_walked;
              Decoded d;
              const auto key = form_key(b.data(), b.size(), &d);
              if (!key) continue;
              ++census.encodings_bound;
              if (index.count(*key)) continue;
              index.emplace(*key, census.forms.size());
              Form f;
              f.key = *key;
              f.legacy = legacy;
              f.rex = rex;
              f.map = map;
              f.opcode = uint8_t(op);
              f.has_modrm = has_modrm;
              f.reg = (modrm >> 3) & 7;
              f.rm = modrm & 7;
              f.imm_size = d.imm_size;
              f.has_imm2 = map == 0 && op == 0xC8;
              f.rel = info.has(optab::kRel);
              f.moffs = info.imm == optab::Imm::Moffs;
              f.ends_block = ends_block(d);
              f.bytes.assign(b.begin(), b.begin() + d.len);
              f.text = disassemble(f.bytes.data(), f.bytes.size(), 0x1000).text;
              census.forms.push_back(std::move(f));
            }
          }
        }
      }
    }
  }
  // Which operand fields are free: every value keeps the form.
  for (Form& f : census.forms) {
    auto same = [&](uint8_t rex, uint8_t modrm) {
      const auto b = build(f.legacy, rex, f.map, f.opcode, f.has_modrm, modrm, 0);
      const auto k = form_key(b.data(), b.size());
      return k && *k == f.key;
    };
    const uint8_t mod_bits = f.key.mem ? 0x00 : 0xC0;
    if (f.has_modrm) {
      f.reg_free = f.rm_free = true;
      for (uint8_t v = 0; v < 8; v++) {
        if (!same(f.rex, uint8_t(mod_bits | v << 3 | f.rm))) f.reg_free = false;
        if (!f.key.mem && !same(f.rex, uint8_t(mod_bits | f.reg << 3 | v))) f.rm_free = false;
      }
      if (f.key.mem) f.rm_free = false;
    }
    const uint8_t modrm = uint8_t(mod_bits | f.reg << 3 | f.rm);
    // A form without REX may take one only if REX does not change it (byte registers).
    const bool may_add_rex = f.rex != 0 || !f.key.byte_rex;
    if (may_add_rex) {
      const uint8_t base = f.rex ? f.rex : 0x40;
      f.rex_r = f.has_modrm && same(uint8_t(base | 4), modrm);
      f.rex_x = f.key.mem && same(uint8_t(base | 2), modrm);
      f.rex_b = same(uint8_t(base | 1), modrm);
      if (!f.rex && !same(0x40, modrm)) f.rex_r = f.rex_x = f.rex_b = false;
    }
  }
  return census;
}

}  // namespace emu::test
