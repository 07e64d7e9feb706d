// The decoder against Capstone (the oracle): instruction lengths, validity,
// branch targets and memory-operand forms, over the executable sections of
// real static binaries and over random bytes.
//
// Where the two disagree and Capstone 4.0.2 (Debian's) is the one that is
// wrong, or the difference is our CPU model by design (no VEX/EVEX, no AMD
// extensions), the case is a NAMED exception, with the evidence, in
// tests/emu/capstone_oracle.cpp. Anything else is a failure.
#include <elf.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "emu/cpu.h"
#include "emu/decoder.h"
#include "tests/emu/capstone_oracle.h"

namespace emu {
namespace {

using test::Capstone;
using test::hex;

// ---- memory operand parsing (Capstone's Intel syntax) ---------------------------------

struct MemForm {
  int base = kNoReg;
  int index = kNoReg;
  int scale = 1;
  int64_t disp = 0;
  bool rip = false;
  int seg = kSegNone;
};

int reg_number(const std::string& name) {
  static const std::map<std::string, int> names = [] {
    std::map<std::string, int> m;
    const char* r64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    const char* r32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    for (int i = 0; i < 8; ++i) {
      m[r64[i]] = i;
      m[r32[i]] = i;
      std::string r = "r";
      r += std::to_string(i + 8);
      m[r] = i + 8;
      r += 'd';
      m[r] = i + 8;
    }
    return m;
  }();
  auto it = names.find(name);
  return it == names.end() ? -1 : it->second;
}

// Parses the first "[...]" of op_str. nullopt if absent or not understood.
std::optional<MemForm> parse_mem(const std::string& ops) {
  const size_t lb = ops.find('[');
  const size_t rb = ops.find(']', lb);
  if (lb == std::string::npos || rb == std::string::npos) return std::nullopt;
  MemForm m;
  if (lb >= 3 && ops[lb - 1] == ':') {
    const std::string seg = ops.substr(lb - 3, 2);
    if (seg == "fs") m.seg = kSegFs;
    if (seg == "gs") m.seg = kSegGs;
  }
  std::string e = ops.substr(lb + 1, rb - lb - 1);
  // Terms separated by " + " / " - ".
  int sign = 1;
  size_t pos = 0;
  while (pos < e.size()) {
    size_t next = e.find(' ', pos);
    std::string term = e.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (term == "+") sign = 1;
    else if (term == "-") sign = -1;
    else if (term.rfind("0x", 0) == 0 || std::isdigit(static_cast<unsigned char>(term[0]))) {
      m.disp += sign * int64_t(std::strtoull(term.c_str(), nullptr, 0));
    } else if (term == "rip") {
      m.rip = true;
    } else {
      const size_t star = term.find('*');
      const int r = reg_number(term.substr(0, star));
      if (r < 0) return std::nullopt;
      if (star != std::string::npos) {
        m.index = r;
        m.scale = std::atoi(term.c_str() + star + 1);
      } else if (m.base == kNoReg) {
        m.base = r;
      } else {
        m.index = r;  // "[rax + rbx]": scale 1
      }
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return m;
}

// ---- comparison of one instruction -----------------------------------------------------

struct Tally {
  uint64_t compared = 0;          // both decoded: lengths compared
  uint64_t operands_checked = 0;  // memory operand or branch target also compared
  uint64_t mismatches = 0;
  std::map<std::string, uint64_t> exceptions;  // named exception -> count
  std::vector<std::string> examples;           // first mismatches, for the log

  void fail(const std::string& what) {
    ++mismatches;
    if (examples.size() < 400) examples.push_back(what);
  }
  void report(const char* title) const {
    std::printf("%s: %llu instructions compared (%llu operand checks), %llu mismatches\n", title,
                (unsigned long long)compared, (unsigned long long)operands_checked, (unsigned long long)mismatches);
    for (const auto& [name, count] : exceptions)
      std::printf("  named exception: %-60s %llu\n", name.c_str(), (unsigned long long)count);
    for (const auto& ex : examples) std::printf("  MISMATCH %s\n", ex.c_str());
  }
};

bool is_relative_branch(const Decoded& d) {
  if (d.map == 0) return (d.opcode >= 0x70 && d.opcode <= 0x7F) || (d.opcode >= 0xE0 && d.opcode <= 0xE3) ||
                         d.opcode == 0xE8 || d.opcode == 0xE9 || d.opcode == 0xEB;
  return d.map == 1 && d.opcode >= 0x80 && d.opcode <= 0x8F;
}

void check_operands(const Decoded& d, const Capstone& cs, Tally& t) {
  const std::string ops = cs.op_str();
  const uint8_t* p = d.bytes;
  if (is_relative_branch(d)) {
    if (ops.rfind("0x", 0) != 0) return;
    ++t.operands_checked;
    const uint64_t target = std::strtoull(ops.c_str(), nullptr, 16);
    if (target != d.imm && (d.p66 || d.p67)) {
      ++t.exceptions["Capstone sizes RET imm16 / near-branch displacements by the 66/67 prefixes"];
      return;
    }
    if (target != d.imm)
      t.fail(hex(p, d.len) + ": branch target ours " + std::to_string(d.imm) + " capstone " + cs.text());
    return;
  }
  if (!d.is_memory()) return;
  std::optional<MemForm> m = parse_mem(ops);
  if (!m) return;

  ++t.operands_checked;
  bool ok = true;
  if (d.rip_relative) {
    ok = m->rip && uint64_t(d.disp) == d.addr + d.len + uint64_t(m->disp) && m->base == kNoReg && m->index == kNoReg;
  } else {
    ok = !m->rip && m->base == d.base && m->index == d.index &&
         (d.index == kNoReg || m->scale == (1 << d.scale)) && uint64_t(m->disp) == uint64_t(d.disp);
    // Capstone prints a scale-1 index without a base as "[index + disp]".
    if (!ok && d.base == kNoReg && d.scale == 0 && m->index == kNoReg && m->base == d.index &&
        uint64_t(m->disp) == uint64_t(d.disp))
      ok = true;
    // Capstone prints a 32-bit absolute [disp32] as its unsigned 32-bit value.
    if (!ok && m->base == kNoReg && d.base == kNoReg && m->index == d.index && uint32_t(m->disp) == uint32_t(d.disp))
      ok = true;
  }
  if (m->seg != kSegNone && m->seg != d.seg) ok = false;
  if (!ok && d.base == kNoReg && d.index == kNoReg && !d.rip_relative && d.disp < 0 && (d.modrm & 7) == 4 &&
      m->base == kNoReg && m->index == kNoReg) {
    // SIB with no base and no index: the address is disp32 sign-extended
    // (SDM Table 2-3); Capstone 4.0.2 prints some negative ones truncated.
    ++t.exceptions["Capstone misprints a negative [disp32] encoded with a SIB byte"];
    return;
  }
  if (!ok)
    t.fail(hex(p, d.len) + ": memory operand base " + std::to_string(d.base) + " index " + std::to_string(d.index) +
           " scale " + std::to_string(d.scale) + " disp " + std::to_string(d.disp) + " vs capstone " + cs.text());
}

// Compares both decoders on bytes [p, p+n) at addr. Returns the length to
// advance by (Capstone's when it decodes, else ours, else 1).
size_t compare_one(const uint8_t* p, size_t n, uint64_t addr, Capstone& cs, Tally& t) {
  Decoded d;
  const DecodeStatus ours = decode_insn(p, n, addr, d);
  const bool theirs = cs.decode(p, n, addr);
  const size_t shown = std::min<size_t>(n, 15);
  if (theirs) {
    const size_t clen = cs.size();
    if (ours == DecodeStatus::Ok) {
      ++t.compared;
      if (d.len != clen) {
        if (const char* why = test::capstone_length_wrong(d)) {
          ++t.exceptions[why];
          return d.len;
        }
        t.fail(hex(p, shown) + ": length ours " + std::to_string(d.len) + " capstone " + std::to_string(clen) + " (" +
               cs.text() + ")");
      } else {
        check_operands(d, cs, t);
      }
    } else if (const char* why = test::unsupported_by_design(p, n)) {
      ++t.exceptions[why];
    } else if (const char* why2 = test::capstone_accepts_invalid(p, n)) {
      ++t.exceptions[why2];
    } else if (ours == DecodeStatus::Truncated) {
      t.fail(hex(p, shown) + ": ours truncated, capstone " + cs.text());
    } else {
      t.fail(hex(p, shown) + ": ours invalid, capstone " + std::to_string(clen) + " bytes (" + cs.text() + ")");
    }
    return clen;
  }
  if (ours == DecodeStatus::Ok) {
    if (const char* why = test::capstone_rejects_valid(d)) {
      ++t.exceptions[why];
    } else {
      t.fail(hex(p, shown) + ": ours " + std::to_string(d.len) + " bytes, capstone invalid");
    }
    return d.len;
  }
  return 1;
}

// ---- ELF executable sections -------------------------------------------------------------

struct Section {
  std::string name;
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

// The SHF_EXECINSTR PROGBITS sections of an ELF64 x86-64 file; empty if the
// file is absent or not such an ELF.
std::vector<Section> exec_sections(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<Section> out;
  if (file.size() < sizeof(Elf64_Ehdr)) return out;
  Elf64_Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_machine != EM_X86_64 || eh.e_shentsize != sizeof(Elf64_Shdr))
    return out;
  if (eh.e_shoff > file.size() || uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr) > file.size() - eh.e_shoff) return out;
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), file.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  const Elf64_Shdr* strtab = eh.e_shstrndx < sh.size() ? &sh[eh.e_shstrndx] : nullptr;
  for (const Elf64_Shdr& s : sh) {
    if (s.sh_type != SHT_PROGBITS || !(s.sh_flags & SHF_EXECINSTR)) continue;
    if (s.sh_offset > file.size() || s.sh_size > file.size() - s.sh_offset) continue;
    Section sec;
    if (strtab && strtab->sh_offset + s.sh_name < file.size())
      sec.name = reinterpret_cast<const char*>(file.data() + strtab->sh_offset + s.sh_name);
    sec.addr = s.sh_addr;
    sec.bytes.assign(file.begin() + long(s.sh_offset), file.begin() + long(s.sh_offset + s.sh_size));
    out.push_back(std::move(sec));
  }
  return out;
}

// Linear sweep of every executable section of `path`, both decoders in step.
void sweep_binary(const std::string& path, Capstone& cs, Tally& t) {
  for (const Section& s : exec_sections(path)) {
    size_t off = 0;
    while (off < s.bytes.size()) {
      const size_t n = std::min<size_t>(s.bytes.size() - off, 16);
      off += compare_one(s.bytes.data() + off, n, s.addr + off, cs, t);
    }
  }
}

// Fixed seed; EMU_DECODER_SEED overrides it for exploratory runs.
uint64_t seed_from_env() {
  const char* s = std::getenv("EMU_DECODER_SEED");
  return s ? std::strtoull(s, nullptr, 0) : 0x5eede3u;
}

std::string build_root() {
  const char* r = std::getenv("EMU_TEST_BUILD_ROOT");
  return r ? r : "build";
}

}  // namespace

TEST_CASE("decoder_lengths_and_operands_match_capstone_on_static_binaries", "[decoder][capstone]") {
  Capstone cs;
  Tally total;
  std::vector<std::string> paths = {"/bin/busybox"};
  for (const char* ex : {"hello-glibc", "hello-musl", "mmap_stress-glibc", "mmap_stress-musl"})
    paths.push_back(build_root() + "/examples/" + ex);
  uint64_t binaries = 0;
  for (const std::string& path : paths) {
    Tally t;
    sweep_binary(path, cs, t);
    if (t.compared == 0) {
      std::printf("%s: not present, skipped\n", path.c_str());
      continue;
    }
    ++binaries;
    t.report(path.c_str());
    total.compared += t.compared;
    total.operands_checked += t.operands_checked;
    total.mismatches += t.mismatches;
  }
  std::printf("static binaries: %llu swept, %llu instructions compared, %llu mismatches\n",
              (unsigned long long)binaries, (unsigned long long)total.compared, (unsigned long long)total.mismatches);
  CHECK(binaries >= 1);
  CHECK(total.compared > 100000);
  CHECK(total.mismatches == 0);
}

TEST_CASE("decoder_lengths_and_validity_match_capstone_on_random_bytes", "[decoder][capstone]") {
  Capstone cs;
  Tally t;
  std::mt19937_64 rng(seed_from_env());
  const int kCases = std::getenv("EMU_DECODER_CASES") ? std::atoi(std::getenv("EMU_DECODER_CASES")) : 100000;
  uint64_t both_invalid = 0;
  for (int i = 0; i < kCases; ++i) {
    uint8_t bytes[15];
    for (uint8_t& b : bytes) b = uint8_t(rng());
    const uint64_t before = t.compared + t.mismatches;
    uint64_t before_ex = 0;
    for (const auto& [k, v] : t.exceptions) before_ex += v;
    compare_one(bytes, sizeof bytes, 0x401000, cs, t);
    uint64_t after_ex = 0;
    for (const auto& [k, v] : t.exceptions) after_ex += v;
    if (t.compared + t.mismatches == before && after_ex == before_ex) ++both_invalid;
  }
  t.report("random bytes");
  std::printf("random bytes: %d strings, %llu both invalid\n", kCases, (unsigned long long)both_invalid);
  CHECK(t.mismatches == 0);
}

}  // namespace emu
