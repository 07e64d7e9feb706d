// Every SSE4.1/SSE4.2 instruction against the host CPU: the same bytes run in
// the emulator (tests/emu/harness.h) and natively (sse_native.h) on the same
// random and edge-case inputs, under every rounding mode and DAZ/FTZ
// setting; XMM and GPR results, memory written, MXCSR and the arithmetic
// flags must agree bit for bit. PCMPxSTRx get their own generator (strings
// with embedded NULs, explicit lengths around and beyond the element count,
// every imm8). Half of the emulator runs are inside a GuestFpEnv (the run
// loop's fast path), half outside it.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/emu/harness.h"
#include "tests/emu/sse_native.h"
#include "tests/emu/sse_oracle.h"

namespace emu::test {
namespace {

enum class MemForm : uint8_t { None, Any, Aligned };

struct Spec {
  const char* name;
  uint8_t map;            // 2: 0F38, 3: 0F3A (which always has an imm8)
  uint8_t pfx;            // mandatory prefix
  uint8_t op;
  MemForm mem = MemForm::Aligned;
  bool reg = true;        // the register r/m form exists
  bool w = false;         // REX.W
  uint8_t pfx0 = 0;       // an extra prefix before `pfx` (66 F2 CRC32 r16)
  bool byte_rm = false;   // the r/m register is a byte register (AH..BH without REX)
};

constexpr MemForm kNone = MemForm::None, kAny = MemForm::Any, kAl = MemForm::Aligned;

const Spec kSpecs[] = {
    // ---- SSE4.1, 0F38
    {"pblendvb", 2, 0x66, 0x10}, {"blendvps", 2, 0x66, 0x14}, {"blendvpd", 2, 0x66, 0x15},
    {"ptest", 2, 0x66, 0x17},
    {"pmovsxbw", 2, 0x66, 0x20, kAny}, {"pmovsxbd", 2, 0x66, 0x21, kAny}, {"pmovsxbq", 2, 0x66, 0x22, kAny},
    {"pmovsxwd", 2, 0x66, 0x23, kAny}, {"pmovsxwq", 2, 0x66, 0x24, kAny}, {"pmovsxdq", 2, 0x66, 0x25, kAny},
    {"pmuldq", 2, 0x66, 0x28}, {"pcmpeqq", 2, 0x66, 0x29}, {"movntdqa", 2, 0x66, 0x2A, kAl, false},
    {"packusdw", 2, 0x66, 0x2B},
    {"pmovzxbw", 2, 0x66, 0x30, kAny}, {"pmovzxbd", 2, 0x66, 0x31, kAny}, {"pmovzxbq", 2, 0x66, 0x32, kAny},
    {"pmovzxwd", 2, 0x66, 0x33, kAny}, {"pmovzxwq", 2, 0x66, 0x34, kAny}, {"pmovzxdq", 2, 0x66, 0x35, kAny},
    {"pminsb", 2, 0x66, 0x38}, {"pminsd", 2, 0x66, 0x39}, {"pminuw", 2, 0x66, 0x3A}, {"pminud", 2, 0x66, 0x3B},
    {"pmaxsb", 2, 0x66, 0x3C}, {"pmaxsd", 2, 0x66, 0x3D}, {"pmaxuw", 2, 0x66, 0x3E}, {"pmaxud", 2, 0x66, 0x3F},
    {"pmulld", 2, 0x66, 0x40}, {"phminposuw", 2, 0x66, 0x41},
    // ---- SSE4.1, 0F3A
    {"roundps", 3, 0x66, 0x08}, {"roundpd", 3, 0x66, 0x09},
    {"roundss", 3, 0x66, 0x0A, kAny}, {"roundsd", 3, 0x66, 0x0B, kAny},
    {"blendps", 3, 0x66, 0x0C}, {"blendpd", 3, 0x66, 0x0D}, {"pblendw", 3, 0x66, 0x0E},
    {"pextrb", 3, 0x66, 0x14, kAny}, {"pextrw r/m16", 3, 0x66, 0x15, kAny},
    {"pextrd", 3, 0x66, 0x16, kAny}, {"pextrq", 3, 0x66, 0x16, kAny, true, true},
    {"extractps", 3, 0x66, 0x17, kAny}, {"extractps rex.w", 3, 0x66, 0x17, kAny, true, true},
    {"pinsrb", 3, 0x66, 0x20, kAny}, {"insertps", 3, 0x66, 0x21, kAny},
    {"pinsrd", 3, 0x66, 0x22, kAny}, {"pinsrq", 3, 0x66, 0x22, kAny, true, true},
    {"dpps", 3, 0x66, 0x40}, {"dppd", 3, 0x66, 0x41}, {"mpsadbw", 3, 0x66, 0x42},
    // ---- SSE4.2
    {"pcmpgtq", 2, 0x66, 0x37},
    {"pcmpestrm", 3, 0x66, 0x60, kAny}, {"pcmpestri", 3, 0x66, 0x61, kAny},
    {"pcmpistrm", 3, 0x66, 0x62, kAny}, {"pcmpistri", 3, 0x66, 0x63, kAny},
    {"pcmpestrm rex.w", 3, 0x66, 0x60, kAny, true, true}, {"pcmpestri rex.w", 3, 0x66, 0x61, kAny, true, true},
    {"pcmpistri rex.w", 3, 0x66, 0x63, kAny, true, true},
    {"crc32 r32, r/m8", 2, 0xF2, 0xF0, kAny, true, false, 0, true},
    {"crc32 r64, r/m8", 2, 0xF2, 0xF0, kAny, true, true},
    {"crc32 r32, r/m16", 2, 0xF2, 0xF1, kAny, true, false, 0x66},
    {"crc32 r32, r/m32", 2, 0xF2, 0xF1, kAny},
    {"crc32 r64, r/m64", 2, 0xF2, 0xF1, kAny, true, true},
    {"crc32 r32, r/m16 (f2 66)", 2, 0x66, 0xF1, kAny, true, false, 0xF2},
};

// ---- inputs --------------------------------------------------------------------

const uint64_t kGpr[] = {0,          1,          0xffffffffffffffff, 0x7fffffff, 0x80000000,
                         0xffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x1234567890abcdef, 0x00000000fffffffe,
                         0xfffffffffffffff0, 0xffffffffffffffef, 0x0000000100000005, 0x10, 0x11, 8, 9};

struct Rng : RngCore {
  using RngCore::RngCore;
  uint32_t f32() { return RngCore::f32(kEdgeF32); }
  uint64_t f64() { return RngCore::f64(kEdgeF64, false); }
  // One 64-bit lane: doubles, pairs of floats, small/edge integers, bytes
  // with NULs and repeats (string compares), random bits.
  uint64_t lane() {
    switch (below(6)) {
      case 0: return f64();
      case 1: return uint64_t(f32()) << 32 | f32();
      case 2: return small_words();
      case 3: {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) v |= uint64_t(below(5) == 0 ? 0 : 'a' + below(4)) << (8 * i);
        return v;
      }
      case 4: return below(2) ? bits() & 0x8080808080808080 : bits() | 0x8000000080000000;
      default: return bits();
    }
  }
  uint64_t gpr() {
    switch (below(3)) {
      case 0: return kGpr[below(std::size(kGpr))];
      case 1: return uint64_t(int64_t(int(below(41)) - 20));
      default: return bits();
    }
  }
};

std::vector<uint8_t> encode(const Spec& s, uint8_t reg, uint8_t rm, bool mem, uint8_t disp, uint8_t imm) {
  const uint8_t pfx[] = {s.pfx0, s.pfx};
  return encode_insn(std::span(pfx).subspan(s.pfx0 ? 0 : 1), s.w, s.map, s.op, reg, rm, mem, disp,
                     s.map == 3 ? imm : -1);
}

std::string run_case(Harness& h, const Spec& s, Rng& rng, bool in_env) {
  const bool mem = s.mem != MemForm::None && (!s.reg || rng.chance(2));
  uint8_t reg = kOracleRegs[rng.below(std::size(kOracleRegs))];
  uint8_t rm = kOracleRegs[rng.below(std::size(kOracleRegs))];
  if (s.byte_rm && !mem && rng.chance(3)) {  // AH, CH, DH, BH: only without any REX
    rm = uint8_t(4 + rng.below(4));
    reg = kOracleRegs[rng.below(5)];  // 0-3, 5: no REX.R
  }
  const uint8_t disp = s.mem == MemForm::Aligned ? uint8_t(16 * rng.below(4)) : uint8_t(rng.below(64));
  const uint8_t imm = uint8_t(rng.bits());
  NativeState n = random_state(rng);
  alignas(16) uint8_t buf[kOracleBuf];
  random_buf(rng, buf);
  return compare_with_host(h, s.name, encode(s, reg, rm, mem, disp, imm), n, buf, in_env);
}

TEST_CASE("every SSE4.1/SSE4.2 instruction matches the host CPU bit for bit", "[sse4][oracle]") {
  Harness h;
  Rng rng(0x55e41);
  compare_every_spec(kSpecs, [&](const Spec& s, bool in_env) { return run_case(h, s, rng, in_env); });
}

// PCMPxSTRx: every imm8 (bit 7 included), for each of the four instructions
// with and without REX.W, on string pairs built to hit the interesting cases:
// equal and overlapping strings, NULs anywhere (implicit length), explicit
// lengths from -20 to 20 and huge (saturation, 32 vs 64-bit length).
TEST_CASE("pcmpestri/pcmpestrm/pcmpistri/pcmpistrm match the host for every imm8", "[sse4][oracle]") {
  Harness h;
  Rng rng(0x57121);
  auto string_lane = [&](Xmm& x) {
    for (int i = 0; i < 16; i++) x.b[i] = uint8_t(rng.chance(6) ? 0 : 'a' + rng.below(rng.chance(3) ? 26 : 3));
    if (rng.chance(4)) x.b[rng.below(16)] = uint8_t(rng.bits());
  };
  int failures = 0;
  size_t compared = 0;
  for (uint8_t op = 0x60; op <= 0x63; op++)
    for (bool w : {false, true})
      for (unsigned imm = 0; imm < 256 && failures < 10; imm++)
        for (int k = 0; k < 8; k++) {
          const Spec s{"pcmpxstrx", 3, 0x66, op, kAny, true, w};
          NativeState n = random_state(rng);
          string_lane(n.xmm[1]);
          string_lane(n.xmm[2]);
          if (rng.chance(3)) n.xmm[2] = n.xmm[1];
          if (rng.chance(3)) {  // a substring of the other string
            const unsigned off = rng.below(8);
            std::memmove(&n.xmm[2].b[off], &n.xmm[1].b[0], 16 - off);
          }
          const int64_t lens[] = {int64_t(rng.below(41)) - 20, int64_t(rng.gpr())};
          n.gpr[RAX] = uint64_t(lens[rng.chance(5)]);
          n.gpr[RDX] = uint64_t(lens[rng.chance(5)] ^ (rng.chance(4) ? 0x100000000 : 0));
          alignas(16) uint8_t buf[kOracleBuf];
          std::memcpy(buf, &n.xmm[2], 16);
          std::memcpy(buf + 16, &n.xmm[1], 16);
          const bool mem = rng.chance(3);
          const auto code = encode(s, 1, 2, mem, uint8_t(rng.below(17)), uint8_t(imm));
          const std::string err = compare_with_host(h, fmt::format("pcmpxstrx imm {:#x}", imm).c_str(), code, n, buf, k & 1);
          ++compared;
          if (!err.empty()) {
            ++failures;
            FAIL_CHECK(err);
          }
        }
  WARN(fmt::format("{} PCMPxSTRx cases compared with the host", compared));
}

TEST_CASE("SSE4 memory operands fault on misalignment exactly where the host's do", "[sse4][oracle]") {
  Harness h;
  for (const Spec& s : kSpecs) {
    if (s.mem == MemForm::None) continue;
    for (uint8_t disp : {1, 8, 15})
      check_alignment_fault_like_host(h, s.name, encode(s, 0, 0, true, disp, 0), s.mem == MemForm::Aligned);
  }
}

// Forms the SDM leaves undefined (#UD) among the SSE4 encodings.
const std::vector<uint8_t> kUndefined[] = {
    {0x66, 0x0F, 0x38, 0x2A, 0xC1},              // movntdqa with a register source
    {0x0F, 0x38, 0x17, 0xC1},                    // ptest without 66
    {0x0F, 0x38, 0x10, 0xC1},                    // pblendvb without 66
    {0x0F, 0x3A, 0x0C, 0xC1, 0x05},              // blendps without 66
    {0xF0, 0x66, 0x0F, 0x38, 0x17, 0x06},        // lock ptest
    {0xF0, 0xF2, 0x0F, 0x38, 0xF1, 0x06},        // lock crc32
    {0x0F, 0x38, 0xF0, 0xC1},                    // movbe with a register operand
};

TEST_CASE("undefined SSE4 encodings raise SIGILL, as on the host", "[sse4][oracle]") {
  Harness h;
  for (const auto& code : kUndefined) check_sigill_like_host(h, code);
}

}  // namespace
}  // namespace emu::test
