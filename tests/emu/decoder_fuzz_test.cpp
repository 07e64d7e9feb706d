// Decoder fuzzing with the host CPU as the oracle (issue 4).
//
// For random 15-byte strings and for targeted prefix combinations (every
// order and repeat of 66/F2/F3 up to three, REX before and between the
// prefixes, LOCK, segment prefixes, 67) on every opcode of the four maps, the
// first instruction is
//  - executed natively (tests/emu/host_insn_probe.h): #UD or not, and the
//    length the CPU fetched;
//  - decoded and bound by emu: it executes (or is over-long: #GP), or it is
//    SIGILL (undecodable, bound to op_invalid, or UD0/UD1/UD2);
//  - decoded by Capstone 4.0.2 (tests/emu/capstone_oracle.h).
// Required:
//  (a) what emu executes is not #UD on the host, and (b) what is #UD on the
//      host is SIGILL in emu;
//  (c) what the host executes and emu refuses is outside the ISA emu
//      advertises (emu/cpuid.h), each a named class
//      (tests/emu/decoder_fuzz_classes.h); anything else fails;
//  (d) emu's length is the host's, except where this AMD host differs from
//      the Intel SDM that emu follows (named);
//  and every string, run by the interpreter from a random state, executes or
//  raises a guest signal, never anything else (a crash of this test process
//  is the failure).
// Capstone's own disagreements with the host are counted and printed: they
// are the evidence for the named Capstone errors in capstone_oracle.cpp.
//
// Figures go to stdout. EMU_FUZZ_CASES (random strings, default 50000) and
// EMU_FUZZ_SEED make a longer soak run; the prefix combinations (~75,000)
// are always all run.
#include <catch2/catch.hpp>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "emu/decoder.h"
#include "tests/emu/capstone_oracle.h"
#include "tests/emu/decoder_fuzz_classes.h"
#include "tests/emu/harness.h"
#include "tests/emu/host_insn_probe.h"

namespace emu::test {
namespace {

constexpr size_t kLen = kFuzzLen;
using Bytes = FuzzBytes;

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* s = std::getenv(name);
  return s ? std::strtoull(s, nullptr, 0) : fallback;
}

// ---- figures -----------------------------------------------------------------------

struct Class {
  bool failure = false;
  uint64_t count = 0;
  std::vector<std::string> examples;
};

struct Figures {
  uint64_t tried = 0;
  uint64_t host_executed = 0;  // not #UD natively
  uint64_t host_ud = 0;
  uint64_t host_lost = 0;      // the probe's child died or hung on it
  uint64_t agree_executes = 0, agree_sigill = 0;
  uint64_t lengths_compared = 0, lengths_agree = 0;
  uint64_t cs_lengths_compared = 0, cs_lengths_agree = 0;
  std::map<std::string, Class> classes;  // disagreements with emu (failures and named)
  std::map<std::string, Class> capstone; // Capstone vs the host (informational)

  static void add(std::map<std::string, Class>& to, const std::string& name, bool failure, const std::string& ex) {
    Class& c = to[name];
    c.failure = failure;
    if (c.examples.size() < (failure ? 200u : 3u)) c.examples.push_back(ex);
    ++c.count;
  }
  uint64_t failures() const {
    uint64_t n = 0;
    for (const auto& [name, c] : classes)
      if (c.failure) n += c.count;
    return n;
  }
  void print(const char* title) const {
    std::printf("%s: %llu strings, %llu executed natively, %llu #UD natively, %llu lost\n", title,
                (unsigned long long)tried, (unsigned long long)host_executed, (unsigned long long)host_ud,
                (unsigned long long)host_lost);
    std::printf("  emu agrees: %llu execute, %llu SIGILL; lengths %llu/%llu equal to the host's; Capstone's "
                "lengths %llu/%llu\n",
                (unsigned long long)agree_executes, (unsigned long long)agree_sigill, (unsigned long long)lengths_agree,
                (unsigned long long)lengths_compared, (unsigned long long)cs_lengths_agree,
                (unsigned long long)cs_lengths_compared);
    for (const auto& [name, c] : classes) {
      std::printf("  %s %-80s %llu\n", c.failure ? "FAIL " : "named", name.c_str(), (unsigned long long)c.count);
      for (const std::string& ex : c.examples) std::printf("        %s\n", ex.c_str());
    }
    for (const auto& [name, c] : capstone) {
      std::printf("  capstone %-77s %llu\n", name.c_str(), (unsigned long long)c.count);
      for (const std::string& ex : c.examples) std::printf("        %s\n", ex.c_str());
    }
  }
};

std::string describe(const Bytes& b, const EmuView& e, const HostProbeResult& h, Capstone& cs) {
  std::string s = hex(b.data(), e.status == DecodeStatus::Ok ? e.d.len : (h.length ? h.length : kLen));
  s += " | host ";
  s += h.undefined ? "#UD" : "sig " + std::to_string(h.full.signo) + " vec " + std::to_string(h.full.trapno) +
                                 " len " + std::to_string(h.length);
  s += " | emu ";
  s += e.status != DecodeStatus::Ok ? "invalid" : (e.executes ? "executes" : "SIGILL") + std::string(" len ") +
                                                      std::to_string(e.d.len);
  s += " | capstone ";
  s += cs.decode(b.data(), kLen, Harness::kCodeAddr) ? cs.text() + " (" + std::to_string(cs.size()) + ")" : "invalid";
  return s;
}

void compare(const Bytes& b, const EmuView& e, const HostProbeResult& h, Capstone& cs, Figures& f) {
  ++f.tried;
  if (h.status != HostProbeResult::Ok) {
    ++f.host_lost;
    Figures::add(f.classes, "host probe lost the run (its child died or hung)", false, hex(b.data(), kLen));
    return;
  }
  auto add = [&](std::map<std::string, Class>& to, const std::string& name, bool failure) {
    Figures::add(to, name, failure, describe(b, e, h, cs));
  };
  ++(h.undefined ? f.host_ud : f.host_executed);
  if (h.undefined && !e.executes) {
    ++f.agree_sigill;
  } else if (!h.undefined && e.executes) {
    ++f.agree_executes;
  } else if (const char* quirk = host_quirk(b, e)) {
    add(f.classes, std::string("(a-c) ") + quirk, false);
  } else if (h.undefined) {
    add(f.classes, "(a/b) emu executes what is #UD on the host", true);
  } else {
    const RefusalClass c = refusal_class(b, e, h, cs);
    add(f.classes, c.name, c.failure);
  }
  if (!h.undefined && h.length && e.status == DecodeStatus::Ok) {
    ++f.lengths_compared;
    if (e.d.len == h.length) ++f.lengths_agree;
    else if (const char* why = amd_length_difference(e)) add(f.classes, std::string("(d) ") + why, false);
    else add(f.classes, "(d) emu's length differs from the host's", true);
  }
  // Capstone against the host (informational: the evidence for the named
  // Capstone errors of capstone_oracle.cpp; the unnamed rest decodes fine
  // but is #UD here for want of the feature or of CPL 0, or is AMD-only).
  const bool cs_ok = cs.decode(b.data(), kLen, Harness::kCodeAddr);
  const std::string mnem = cs_ok ? std::string(cs.mnemonic()) : "";
  if (h.undefined && cs_ok) {
    const char* named = capstone_accepts_invalid(b.data(), kLen);
    add(f.capstone, named ? std::string("error: ") + named : "decodes, #UD here (feature or CPL): " + mnem, false);
  } else if (!h.undefined && h.length && !cs_ok) {
    const char* named = e.status == DecodeStatus::Ok ? capstone_rejects_valid(e.d) : nullptr;
    add(f.capstone, named ? std::string("error: ") + named : "rejects (AMD-only, or unknown to 4.0.2)", false);
  } else if (!h.undefined && h.length && cs_ok) {
    ++f.cs_lengths_compared;
    if (cs.size() == h.length) {
      ++f.cs_lengths_agree;
    } else {
      const char* named = e.status == DecodeStatus::Ok && e.d.len == h.length ? capstone_length_wrong(e.d) : nullptr;
      add(f.capstone, named ? std::string("error: ") + named : "length differs (AMD-specific, emu differs too): " + mnem,
          false);
    }
  }
}

// ---- emu from a random state: executes or raises a guest signal ----------------------------

struct StopRun {};

struct RobustnessTally {
  uint64_t runs = 0, executed = 0, syscalls = 0;
  std::map<int, uint64_t> signals;  // guest signal -> count
};

// Runs `b` (then whatever follows it, up to kMaxInsns instructions) from a
// random architectural state. It must end in a guest fault, a SYSCALL or
// the instruction limit: any other exception fails the test with the bytes
// (a crash or an abort ends this process, also a failure).
constexpr uint64_t kMaxInsns = 16;

void run_in_emu(Harness& h, const Bytes& b, std::mt19937_64& rng, RobustnessTally& t) {
  h.set_code(std::vector<uint8_t>(b.begin(), b.end()));
  for (int r = 0; r < 16; ++r) {
    const uint64_t v = rng();
    switch (v % 4) {  // pointers into the data area, small values, anything
      case 0: h.cpu.gpr[r] = Harness::kDataAddr + (v >> 8) % Harness::kDataSize; break;
      case 1: h.cpu.gpr[r] = (v >> 8) & 0xff; break;
      default: h.cpu.gpr[r] = rng(); break;
    }
  }
  h.cpu.gpr[RSP] = Harness::kStackTop - 0x100 - (rng() & 0xff8);
  h.set_rflags(0x202 | (rng() & 0xcd5));
  for (Xmm& x : h.cpu.xmm) x.q[0] = rng(), x.q[1] = rng();
  h.cpu.mxcsr = uint32_t(rng() & 0xffff);
  h.cpu.seg_base[kSegFs] = rng() & 1 ? Harness::kDataAddr : 0;
  h.cpu.x87.fcw = uint16_t((rng() & 0x0f3f) | 0x40);
  h.cpu.x87.top = uint8_t(rng() & 7);
  h.cpu.x87.valid = uint8_t(rng());
  for (long double& st : h.cpu.x87.st) {
    uint64_t raw[2] = {rng(), rng() & 0xffff};
    std::memcpy(&st, raw, 10);
  }
  uint8_t data[512];
  for (uint8_t& x : data) x = uint8_t(rng());
  h.write(Harness::kDataAddr + Harness::kDataSize / 2 - 256, data, sizeof data);

  uint64_t steps = 0;
  h.interp.set_trace(
      [](void* ctx, const Cpu&, uint64_t) {
        if (++*static_cast<uint64_t*>(ctx) > kMaxInsns) throw StopRun{};
      },
      &steps);
  ++t.runs;
  try {
    const Event ev = h.interp.run();
    if (ev == Event::Syscall) ++t.syscalls;
  } catch (const StopRun&) {
    ++t.executed;
  } catch (const mm::GuestFault& f) {
    ++t.signals[f.signo];
  } catch (const std::exception& x) {
    FAIL_CHECK(hex(b.data(), kLen) + ": emu threw " + x.what());
  } catch (...) {
    FAIL_CHECK(hex(b.data(), kLen) + ": emu threw something that is not a guest fault");
  }
  h.interp.set_trace(nullptr, nullptr);
}

// ---- the case generators ---------------------------------------------------------------

std::vector<Bytes> random_strings(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Bytes> out(count);
  for (Bytes& b : out)
    for (uint8_t& x : b) x = uint8_t(rng());
  return out;
}

bool is_legacy_prefix_or_rex(uint8_t b) {
  return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 ||
         b == 0xF0 || b == 0xF2 || b == 0xF3 || (b & 0xF0) == 0x40;
}

// The opcodes whose ModRM.reg selects the instruction (groups), per map.
bool reg_selects(unsigned map, unsigned op) {
  if (map == 0)
    return op == 0x80 || op == 0x81 || op == 0x83 || op == 0x8F || op == 0xC0 || op == 0xC1 || op == 0xC6 ||
           op == 0xC7 || (op >= 0xD0 && op <= 0xD3) || (op >= 0xD8 && op <= 0xDF) || op == 0xF6 || op == 0xF7 ||
           op == 0xFE || op == 0xFF || op == 0x8C || op == 0x8E;
  if (map == 1)
    return op == 0x00 || op == 0x01 || op == 0x0D || op == 0x18 || op == 0x1E || (op >= 0x71 && op <= 0x73) ||
           op == 0xAE || op == 0xBA || op == 0xC7 || op == 0x78 || op == 0x79;
  return false;
}

// One opcode with one ModRM, as bytes after the prefixes: escape, opcode,
// ModRM, then filler (01) for the displacement/immediate and beyond.
struct Form {
  uint8_t map, opcode, modrm;
};

std::vector<Form> all_forms() {
  std::vector<Form> out;
  for (unsigned map = 0; map < 4; ++map)
    for (unsigned op = 0; op < 256; ++op) {
      if (map == 0 && (is_legacy_prefix_or_rex(uint8_t(op)) || op == 0x0F)) continue;
      if (map == 1 && (op == 0x38 || op == 0x3A)) continue;
      std::vector<uint8_t> modrms = {0xC1, 0x08};  // register form; memory form [rax]
      if (reg_selects(map, op)) {
        modrms.clear();
        for (unsigned r = 0; r < 8; ++r) {
          modrms.push_back(uint8_t(0xC1 | r << 3));
          modrms.push_back(uint8_t(r << 3));
        }
        if (map == 1 && op == 0x01)  // grp7 register forms are whole ModRM values
          for (unsigned m = 0xC0; m < 0x100; ++m) modrms.push_back(uint8_t(m));
      }
      for (uint8_t m : modrms) out.push_back(Form{uint8_t(map), uint8_t(op), m});
    }
  return out;
}

Bytes assemble(const std::vector<uint8_t>& prefixes, const Form& f) {
  Bytes b;
  b.fill(0x01);
  size_t i = 0;
  for (uint8_t p : prefixes) b[i++] = p;
  if (f.map) b[i++] = 0x0F;
  if (f.map == 2) b[i++] = 0x38;
  if (f.map == 3) b[i++] = 0x3A;
  b[i++] = f.opcode;
  b[i] = f.modrm;
  return b;
}

// Whether emu or Capstone decodes the form with any mandatory prefix: forms
// that nobody knows in any of them (most of 0F38/0F3A) are not multiplied by
// prefix combinations (they stay in the base set).
bool known_form(const Form& f, Capstone& cs) {
  for (const std::vector<uint8_t>& p : std::vector<std::vector<uint8_t>>{{}, {0x66}, {0xF3}, {0xF2}}) {
    const Bytes b = assemble(p, f);
    Decoded d;
    if (decode_insn(b.data(), kLen, Harness::kCodeAddr, d) == DecodeStatus::Ok) return true;
    if (cs.decode(b.data(), kLen, Harness::kCodeAddr)) return true;
  }
  return false;
}

std::vector<std::vector<uint8_t>> sse_prefix_orders() {
  std::vector<std::vector<uint8_t>> out;
  const uint8_t p[3] = {0x66, 0xF2, 0xF3};
  for (uint8_t a : p) {
    out.push_back({a});
    for (uint8_t b : p) {
      out.push_back({a, b});
      for (uint8_t c : p) out.push_back({a, b, c});
    }
  }
  return out;  // 39: every order and repeat up to three
}

const std::vector<std::vector<uint8_t>> kLockVariants = {{0xF0}, {0x66, 0xF0}, {0xF0, 0x66}, {0xF2, 0xF0},
                                                         {0xF3, 0xF0}, {0xF0, 0xF3}, {0xF0, 0x48}};
const std::vector<std::vector<uint8_t>> kRexVariants = {{0x48}, {0x40}, {0x41}, {0x44}, {0x4C},
                                                        {0x48, 0x66}, {0x66, 0x48}, {0x48, 0xF3}, {0xF3, 0x48},
                                                        {0x41, 0x48}, {0x48, 0xF0}};
const std::vector<std::vector<uint8_t>> kSegmentVariants = {{0x2E}, {0x3E}, {0x26}, {0x36}, {0x64}, {0x65}, {0x64, 0x65}};
const std::vector<std::vector<uint8_t>> kAddrSizeVariants = {{0x67}, {0x67, 0x66}, {0x66, 0x67}};

// Every form alone, and the known forms under each prefix variant (SSE
// orders on the 0F maps only).
std::vector<Bytes> targeted_cases(Capstone& cs) {
  std::vector<Bytes> out;
  const auto sse = sse_prefix_orders();
  for (const Form& f : all_forms()) {
    out.push_back(assemble({}, f));
    if (!known_form(f, cs)) continue;
    auto add = [&](const std::vector<std::vector<uint8_t>>& variants) {
      for (const auto& p : variants) out.push_back(assemble(p, f));
    };
    if (f.map) add(sse);
    add(kLockVariants);
    add(kRexVariants);
    add(kSegmentVariants);
    add(kAddrSizeVariants);
  }
  return out;
}

// ---- the driver ------------------------------------------------------------------------------

void fuzz(const std::vector<Bytes>& cases, const char* title, Figures& f, RobustnessTally& rt, uint64_t seed) {
  Capstone cs(true);
  std::vector<EmuView> views(cases.size());
  std::vector<HostProbeJob> jobs(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    views[i] = emu_view(cases[i]);
    std::memcpy(jobs[i].bytes, cases[i].data(), kLen);
    jobs[i].n = kLen;
    if (views[i].status == DecodeStatus::Ok) jobs[i].guess = views[i].d.len;
    else if (cs.decode(cases[i].data(), kLen, Harness::kCodeAddr)) jobs[i].guess = uint8_t(cs.size());
  }
  if (kHostProbeAvailable) {
    HostInsnProbe probe;
    std::vector<HostProbeResult> host;
    probe.run(jobs, host);
    for (size_t i = 0; i < cases.size(); ++i) compare(cases[i], views[i], host[i], cs, f);
    f.print(title);
    std::printf("  native runs: %llu (%.2f per string), probe children: %llu\n",
                (unsigned long long)probe.native_runs(), double(probe.native_runs()) / double(cases.size()),
                (unsigned long long)probe.children());
  } else {
    std::printf("%s: no host comparison in a sanitizer build (host_insn_probe.h)\n", title);
  }

  Harness h;
  std::mt19937_64 rng(seed ^ 0xa5a5);
  for (const Bytes& b : cases) run_in_emu(h, b, rng, rt);
  std::printf("  emu from random states: %llu runs, %llu ran %llu instructions, %llu stopped at a SYSCALL, guest "
              "signals:",
              (unsigned long long)rt.runs, (unsigned long long)rt.executed, (unsigned long long)kMaxInsns,
              (unsigned long long)rt.syscalls);
  for (const auto& [sig, n] : rt.signals) std::printf(" %s %llu", strsignal(sig), (unsigned long long)n);
  std::printf("\n");
}

}  // namespace

TEST_CASE("random_encodings_agree_with_the_host_cpu_and_never_crash_emu", "[decoder][fuzz][host]") {
  const uint64_t seed = env_u64("EMU_FUZZ_SEED", 0xf022ed);
  const size_t count = env_u64("EMU_FUZZ_CASES", 50000);
  Figures f;
  RobustnessTally rt;
  fuzz(random_strings(count, seed), "random strings", f, rt, seed);
  CHECK(f.failures() == 0);
  CHECK(f.host_lost == 0);
  CHECK(rt.runs == count);
}

TEST_CASE("prefix_combinations_on_every_opcode_agree_with_the_host_cpu", "[decoder][fuzz][host]") {
  Capstone cs;
  const std::vector<Bytes> cases = targeted_cases(cs);
  Figures f;
  RobustnessTally rt;
  fuzz(cases, "prefix combinations", f, rt, env_u64("EMU_FUZZ_SEED", 0xf022ed));
  CHECK(f.failures() == 0);
  CHECK(f.host_lost == 0);
  CHECK(rt.runs == cases.size());
}

}  // namespace emu::test

namespace emu::test {

// The disagreements this fuzzing found and the decoder fixed, each checked
// against the host: a mandatory prefix an SSE opcode has no form for is #UD
// (emu: SIGILL; it used to fall back to another form), and MOV Sreg ignores
// REX.R (emu used to reject it; Capstone still does).
TEST_CASE("fixed_prefix_encodings_decode_as_the_host_executes_them", "[decoder][fuzz][host]") {
  if (!kHostProbeAvailable) {
    WARN("not run: no host probe in a sanitizer build (host_insn_probe.h)");
    return;
  }
  struct Case {
    std::vector<uint8_t> bytes;
    bool ud;  // what the host does (asserted too: the expectation is the hardware's)
  };
  const Case cases[] = {
      {{0xF3, 0x66, 0x0F, 0xFC, 0xC1}, true},              // F3 on PADDB (was: paddb xmm)
      {{0x66, 0xF3, 0x0F, 0xFC, 0xC1}, true},
      {{0xF2, 0x0F, 0x54, 0xC1}, true},                    // F2 on ANDPS (was: andps)
      {{0x66, 0x0F, 0x77}, true},                          // 66 on EMMS
      {{0x66, 0x0F, 0x52, 0xC1}, true},                    // 66 on RSQRTPS (was: rsqrtps)
      {{0xF2, 0x0F, 0x16, 0xC1}, true},                    // F2 0F 16 has no form (was: decoded)
      {{0xF3, 0x66, 0x0F, 0x38, 0x14, 0xC1}, true},        // F3 on BLENDVPS (was: blendvps)
      {{0xF2, 0x66, 0x0F, 0x38, 0x17, 0xC1}, true},        // F2 on PTEST (was: ptest)
      {{0xF3, 0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x01}, true},  // F3 on PALIGNR (was: palignr)
      {{0xF2, 0xF3, 0x66, 0x0F, 0x7C, 0xC1}, true},        // F3 last: HADDPD has none
      {{0x66, 0xF3, 0x0F, 0x58, 0xC1}, false},             // ADDSS: F3 over 66
      {{0xF3, 0xF2, 0x66, 0x0F, 0x7C, 0xC1}, false},       // HADDPS: F2 last
      {{0x66, 0xF2, 0x0F, 0x38, 0xF1, 0xC1}, false},       // CRC32 r32, r/m16
      {{0x44, 0x8E, 0x20}, false},                         // MOV FS, [rax]: REX.R ignored
      {{0x4C, 0x8C, 0xC1}, false},                         // MOV RCX, ES
  };
  std::vector<HostProbeJob> jobs;
  for (const Case& c : cases) {
    HostProbeJob j;
    std::memset(j.bytes, 0x90, sizeof j.bytes);
    std::memcpy(j.bytes, c.bytes.data(), c.bytes.size());
    j.guess = uint8_t(c.bytes.size());
    jobs.push_back(j);
  }
  HostInsnProbe probe;
  std::vector<HostProbeResult> host;
  probe.run(jobs, host);
  for (size_t i = 0; i < jobs.size(); ++i) {
    INFO(hex(cases[i].bytes.data(), cases[i].bytes.size()));
    Bytes b;
    std::memcpy(b.data(), jobs[i].bytes, kLen);
    const EmuView e = emu_view(b);
    REQUIRE(host[i].status == HostProbeResult::Ok);
    CHECK(host[i].undefined == cases[i].ud);
    if (cases[i].ud) {
      CHECK(!e.executes);
    } else {
      REQUIRE(e.status == DecodeStatus::Ok);
      CHECK(e.d.len == cases[i].bytes.size());
      CHECK(host[i].length == cases[i].bytes.size());
    }
  }
}

// An instruction longer than 15 bytes is #GP on the host, which Linux
// delivers as SIGSEGV (SI_KERNEL); emu used to raise SIGILL for it.
TEST_CASE("an_instruction_longer_than_15_bytes_is_sigsegv_as_on_the_host", "[decoder][fuzz][host]") {
  if (!kHostProbeAvailable) {
    WARN("not run: no host probe in a sanitizer build (host_insn_probe.h)");
    return;
  }
  std::vector<uint8_t> code(14, 0x66);  // 14 prefixes, then 0F: UD2 would be byte 16
  code.push_back(0x0F);
  HostProbeJob j;
  std::memcpy(j.bytes, code.data(), kLen);
  HostInsnProbe probe;
  std::vector<HostProbeResult> host;
  probe.run({j}, host);
  REQUIRE(host[0].status == HostProbeResult::Ok);
  CHECK(!host[0].undefined);
  CHECK(host[0].full.signo == SIGSEGV);
  CHECK(host[0].full.trapno == 13);  // #GP, before fetching byte 16

  Decoded d;
  CHECK(decode_insn(code.data(), code.size(), Harness::kCodeAddr, d) == DecodeStatus::TooLong);
  Harness h(code);
  const std::optional<mm::GuestFault> f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSiKernel);
  CHECK(h.cpu.rip == Harness::kCodeAddr);
}

}  // namespace emu::test
