// Every SSE/SSE2 instruction against the host CPU: the same bytes run in the
// emulator (tests/emu/harness.h) and natively (sse_native.h) on the same
// random and edge-case inputs (NaNs, infinities, denormals, -0, integer
// overflow on conversions), under every rounding mode and DAZ/FTZ setting;
// XMM and GPR results, memory written, MXCSR and the arithmetic flags must
// agree bit for bit.
//
// Half of the emulator runs are inside a GuestFpEnv (the run loop's fast
// path: the host MXCSR holds the guest's), half outside it (the per-
// instruction slow path), so both paths are compared with the hardware.
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
  uint8_t pfx;            // mandatory prefix: 0, 0x66, 0xF2, 0xF3
  uint8_t op;             // the opcode in `map`
  MemForm mem = MemForm::Aligned;
  bool reg = true;        // the register r/m form exists
  bool imm = false;       // an imm8 follows
  int ext = -1;           // fixed ModRM.reg (/digit)
  bool w = false;         // REX.W
  uint8_t map = 1;        // opcode map: 1 = 0F, 2 = 0F 38, 3 = 0F 3A
};

constexpr MemForm kNone = MemForm::None, kAny = MemForm::Any, kAl = MemForm::Aligned;

const Spec kSpecs[] = {
    // ---- moves
    {"movups load", 0x00, 0x10, kAny}, {"movupd load", 0x66, 0x10, kAny},
    {"movss load", 0xF3, 0x10, kAny}, {"movsd load", 0xF2, 0x10, kAny},
    {"movups store", 0x00, 0x11, kAny}, {"movupd store", 0x66, 0x11, kAny},
    {"movss store", 0xF3, 0x11, kAny}, {"movsd store", 0xF2, 0x11, kAny},
    {"movlps/movhlps", 0x00, 0x12, kAny}, {"movlpd load", 0x66, 0x12, kAny, false},
    {"movlps store", 0x00, 0x13, kAny, false}, {"movlpd store", 0x66, 0x13, kAny, false},
    {"unpcklps", 0x00, 0x14}, {"unpcklpd", 0x66, 0x14},
    {"unpckhps", 0x00, 0x15}, {"unpckhpd", 0x66, 0x15},
    {"movhps/movlhps", 0x00, 0x16, kAny}, {"movhpd load", 0x66, 0x16, kAny, false},
    {"movhps store", 0x00, 0x17, kAny, false}, {"movhpd store", 0x66, 0x17, kAny, false},
    {"movaps load", 0x00, 0x28}, {"movapd load", 0x66, 0x28},
    {"movaps store", 0x00, 0x29}, {"movapd store", 0x66, 0x29},
    {"movntps", 0x00, 0x2B, kAl, false}, {"movntpd", 0x66, 0x2B, kAl, false},
    {"movmskps", 0x00, 0x50, kNone}, {"movmskpd", 0x66, 0x50, kNone},
    {"movd xmm, r/m32", 0x66, 0x6E, kAny}, {"movq xmm, r/m64", 0x66, 0x6E, kAny, true, false, -1, true},
    {"movdqa load", 0x66, 0x6F}, {"movdqu load", 0xF3, 0x6F, kAny},
    {"movd r/m32, xmm", 0x66, 0x7E, kAny}, {"movq r/m64, xmm", 0x66, 0x7E, kAny, true, false, -1, true},
    {"movq xmm, xmm/m64", 0xF3, 0x7E, kAny},
    {"movdqa store", 0x66, 0x7F}, {"movdqu store", 0xF3, 0x7F, kAny},
    {"movnti m32", 0x00, 0xC3, kAny, false}, {"movnti m64", 0x00, 0xC3, kAny, false, false, -1, true},
    {"movq xmm/m64, xmm", 0x66, 0xD6, kAny},
    {"movntdq", 0x66, 0xE7, kAl, false},
    {"maskmovdqu", 0x66, 0xF7, kNone},
    // ---- floating point
    {"ucomiss", 0x00, 0x2E, kAny}, {"ucomisd", 0x66, 0x2E, kAny},
    {"comiss", 0x00, 0x2F, kAny}, {"comisd", 0x66, 0x2F, kAny},
    {"sqrtps", 0x00, 0x51}, {"sqrtpd", 0x66, 0x51}, {"sqrtss", 0xF3, 0x51, kAny}, {"sqrtsd", 0xF2, 0x51, kAny},
    {"rsqrtps", 0x00, 0x52}, {"rsqrtss", 0xF3, 0x52, kAny},
    {"rcpps", 0x00, 0x53}, {"rcpss", 0xF3, 0x53, kAny},
    {"andps", 0x00, 0x54}, {"andpd", 0x66, 0x54}, {"andnps", 0x00, 0x55}, {"andnpd", 0x66, 0x55},
    {"orps", 0x00, 0x56}, {"orpd", 0x66, 0x56}, {"xorps", 0x00, 0x57}, {"xorpd", 0x66, 0x57},
    {"addps", 0x00, 0x58}, {"addpd", 0x66, 0x58}, {"addss", 0xF3, 0x58, kAny}, {"addsd", 0xF2, 0x58, kAny},
    {"mulps", 0x00, 0x59}, {"mulpd", 0x66, 0x59}, {"mulss", 0xF3, 0x59, kAny}, {"mulsd", 0xF2, 0x59, kAny},
    {"subps", 0x00, 0x5C}, {"subpd", 0x66, 0x5C}, {"subss", 0xF3, 0x5C, kAny}, {"subsd", 0xF2, 0x5C, kAny},
    {"minps", 0x00, 0x5D}, {"minpd", 0x66, 0x5D}, {"minss", 0xF3, 0x5D, kAny}, {"minsd", 0xF2, 0x5D, kAny},
    {"divps", 0x00, 0x5E}, {"divpd", 0x66, 0x5E}, {"divss", 0xF3, 0x5E, kAny}, {"divsd", 0xF2, 0x5E, kAny},
    {"maxps", 0x00, 0x5F}, {"maxpd", 0x66, 0x5F}, {"maxss", 0xF3, 0x5F, kAny}, {"maxsd", 0xF2, 0x5F, kAny},
    {"cmpps", 0x00, 0xC2, kAl, true, true}, {"cmppd", 0x66, 0xC2, kAl, true, true},
    {"cmpss", 0xF3, 0xC2, kAny, true, true}, {"cmpsd", 0xF2, 0xC2, kAny, true, true},
    {"shufps", 0x00, 0xC6, kAl, true, true}, {"shufpd", 0x66, 0xC6, kAl, true, true},
    // ---- conversions
    {"cvtpi2ps m64", 0x00, 0x2A, kAny, false}, {"cvtpi2pd m64", 0x66, 0x2A, kAny, false},
    {"cvtsi2ss r/m32", 0xF3, 0x2A, kAny}, {"cvtsi2ss r/m64", 0xF3, 0x2A, kAny, true, false, -1, true},
    {"cvtsi2sd r/m32", 0xF2, 0x2A, kAny}, {"cvtsi2sd r/m64", 0xF2, 0x2A, kAny, true, false, -1, true},
    {"cvttss2si r32", 0xF3, 0x2C, kAny}, {"cvttss2si r64", 0xF3, 0x2C, kAny, true, false, -1, true},
    {"cvttsd2si r32", 0xF2, 0x2C, kAny}, {"cvttsd2si r64", 0xF2, 0x2C, kAny, true, false, -1, true},
    {"cvtss2si r32", 0xF3, 0x2D, kAny}, {"cvtss2si r64", 0xF3, 0x2D, kAny, true, false, -1, true},
    {"cvtsd2si r32", 0xF2, 0x2D, kAny}, {"cvtsd2si r64", 0xF2, 0x2D, kAny, true, false, -1, true},
    {"cvtps2pd", 0x00, 0x5A, kAny}, {"cvtpd2ps", 0x66, 0x5A}, {"cvtss2sd", 0xF3, 0x5A, kAny},
    {"cvtsd2ss", 0xF2, 0x5A, kAny},
    {"cvtdq2ps", 0x00, 0x5B}, {"cvtps2dq", 0x66, 0x5B}, {"cvttps2dq", 0xF3, 0x5B},
    {"cvttpd2dq", 0x66, 0xE6}, {"cvtdq2pd", 0xF3, 0xE6, kAny}, {"cvtpd2dq", 0xF2, 0xE6},
    // ---- packed integer
    {"punpcklbw", 0x66, 0x60}, {"punpcklwd", 0x66, 0x61}, {"punpckldq", 0x66, 0x62},
    {"packsswb", 0x66, 0x63}, {"pcmpgtb", 0x66, 0x64}, {"pcmpgtw", 0x66, 0x65}, {"pcmpgtd", 0x66, 0x66},
    {"packuswb", 0x66, 0x67}, {"punpckhbw", 0x66, 0x68}, {"punpckhwd", 0x66, 0x69},
    {"punpckhdq", 0x66, 0x6A}, {"packssdw", 0x66, 0x6B}, {"punpcklqdq", 0x66, 0x6C},
    {"punpckhqdq", 0x66, 0x6D},
    {"pshufd", 0x66, 0x70, kAl, true, true}, {"pshuflw", 0xF2, 0x70, kAl, true, true},
    {"pshufhw", 0xF3, 0x70, kAl, true, true},
    {"psrlw imm", 0x66, 0x71, kNone, true, true, 2}, {"psraw imm", 0x66, 0x71, kNone, true, true, 4},
    {"psllw imm", 0x66, 0x71, kNone, true, true, 6},
    {"psrld imm", 0x66, 0x72, kNone, true, true, 2}, {"psrad imm", 0x66, 0x72, kNone, true, true, 4},
    {"pslld imm", 0x66, 0x72, kNone, true, true, 6},
    {"psrlq imm", 0x66, 0x73, kNone, true, true, 2}, {"psrldq", 0x66, 0x73, kNone, true, true, 3},
    {"psllq imm", 0x66, 0x73, kNone, true, true, 6}, {"pslldq", 0x66, 0x73, kNone, true, true, 7},
    {"pcmpeqb", 0x66, 0x74}, {"pcmpeqw", 0x66, 0x75}, {"pcmpeqd", 0x66, 0x76},
    {"pinsrw", 0x66, 0xC4, kAny, true, true}, {"pextrw", 0x66, 0xC5, kNone, true, true},
    {"psrlw", 0x66, 0xD1}, {"psrld", 0x66, 0xD2}, {"psrlq", 0x66, 0xD3}, {"paddq", 0x66, 0xD4},
    {"pmullw", 0x66, 0xD5}, {"pmovmskb", 0x66, 0xD7, kNone},
    {"psubusb", 0x66, 0xD8}, {"psubusw", 0x66, 0xD9}, {"pminub", 0x66, 0xDA}, {"pand", 0x66, 0xDB},
    {"paddusb", 0x66, 0xDC}, {"paddusw", 0x66, 0xDD}, {"pmaxub", 0x66, 0xDE}, {"pandn", 0x66, 0xDF},
    {"pavgb", 0x66, 0xE0}, {"psraw", 0x66, 0xE1}, {"psrad", 0x66, 0xE2}, {"pavgw", 0x66, 0xE3},
    {"pmulhuw", 0x66, 0xE4}, {"pmulhw", 0x66, 0xE5},
    {"psubsb", 0x66, 0xE8}, {"psubsw", 0x66, 0xE9}, {"pminsw", 0x66, 0xEA}, {"por", 0x66, 0xEB},
    {"paddsb", 0x66, 0xEC}, {"paddsw", 0x66, 0xED}, {"pmaxsw", 0x66, 0xEE}, {"pxor", 0x66, 0xEF},
    {"psllw", 0x66, 0xF1}, {"pslld", 0x66, 0xF2}, {"psllq", 0x66, 0xF3}, {"pmuludq", 0x66, 0xF4},
    {"pmaddwd", 0x66, 0xF5}, {"psadbw", 0x66, 0xF6},
    {"psubb", 0x66, 0xF8}, {"psubw", 0x66, 0xF9}, {"psubd", 0x66, 0xFA}, {"psubq", 0x66, 0xFB},
    {"paddb", 0x66, 0xFC}, {"paddw", 0x66, 0xFD}, {"paddd", 0x66, 0xFE},
    // ---- SSE3
    {"movsldup", 0xF3, 0x12}, {"movddup", 0xF2, 0x12, kAny}, {"movshdup", 0xF3, 0x16},
    {"haddpd", 0x66, 0x7C}, {"haddps", 0xF2, 0x7C}, {"hsubpd", 0x66, 0x7D}, {"hsubps", 0xF2, 0x7D},
    {"addsubpd", 0x66, 0xD0}, {"addsubps", 0xF2, 0xD0}, {"lddqu", 0xF2, 0xF0, kAny, false},
    // ---- SSSE3 (66 0F 38 xx, 66 0F 3A 0F)
    {.name = "pshufb", .pfx = 0x66, .op = 0x00, .map = 2}, {.name = "phaddw", .pfx = 0x66, .op = 0x01, .map = 2},
    {.name = "phaddd", .pfx = 0x66, .op = 0x02, .map = 2}, {.name = "phaddsw", .pfx = 0x66, .op = 0x03, .map = 2},
    {.name = "pmaddubsw", .pfx = 0x66, .op = 0x04, .map = 2}, {.name = "phsubw", .pfx = 0x66, .op = 0x05, .map = 2},
    {.name = "phsubd", .pfx = 0x66, .op = 0x06, .map = 2}, {.name = "phsubsw", .pfx = 0x66, .op = 0x07, .map = 2},
    {.name = "psignb", .pfx = 0x66, .op = 0x08, .map = 2}, {.name = "psignw", .pfx = 0x66, .op = 0x09, .map = 2},
    {.name = "psignd", .pfx = 0x66, .op = 0x0A, .map = 2}, {.name = "pmulhrsw", .pfx = 0x66, .op = 0x0B, .map = 2},
    {.name = "pabsb", .pfx = 0x66, .op = 0x1C, .map = 2}, {.name = "pabsw", .pfx = 0x66, .op = 0x1D, .map = 2},
    {.name = "pabsd", .pfx = 0x66, .op = 0x1E, .map = 2},
    {.name = "palignr", .pfx = 0x66, .op = 0x0F, .imm = true, .map = 3},
};

// ---- inputs --------------------------------------------------------------------

const uint64_t kGpr[] = {0,          1,          0xffffffffffffffff, 0x7fffffff, 0x80000000,
                         0xffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x1234567890abcdef, 0x00000000fffffffe};

struct Rng : RngCore {
  using RngCore::RngCore;
  uint32_t f32() { return RngCore::f32(kEdgeF32); }
  uint64_t f64() { return RngCore::f64(kEdgeF64, true); }
  // One 64-bit lane of an XMM register: doubles, pairs of floats, small
  // integers (for saturation and compare edge cases) or random bits.
  uint64_t lane() {
    switch (below(5)) {
      case 0: return f64();
      case 1: return uint64_t(f32()) << 32 | f32();
      case 2: return small_words();
      case 3: return below(2) ? bits() & 0x0101010180807f00 : bits() & 0x1f;  // shift counts, bytes
      default: return bits();
    }
  }
  uint64_t gpr() {
    switch (below(3)) {
      case 0: return kGpr[below(std::size(kGpr))];
      case 1: return uint64_t(int64_t(int(below(2000)) - 1000));
      default: return bits();
    }
  }
};

std::vector<uint8_t> encode(const Spec& s, uint8_t reg, uint8_t rm, bool mem, uint8_t disp, uint8_t imm) {
  const uint8_t pfx[] = {s.pfx};
  return encode_insn(std::span(pfx, s.pfx ? 1 : 0), s.w, s.map, s.op, reg, rm, mem, disp, s.imm ? imm : -1);
}

// Runs `code` on one random state; returns "" if the emulator matches the host.
std::string run_code(Harness& h, const char* name, const std::vector<uint8_t>& code, Rng& rng, bool in_env) {
  const NativeState n = random_state(rng);
  alignas(16) uint8_t buf[kOracleBuf];
  random_buf(rng, buf);
  return compare_with_host(h, name, code, n, buf, in_env);
}

// One random case of `s`: random registers, a random memory or register
// form, random imm8.
std::string run_case(Harness& h, const Spec& s, Rng& rng, bool in_env) {
  const bool mem = s.mem != MemForm::None && (!s.reg || rng.chance(2));
  const uint8_t reg = s.ext >= 0 ? uint8_t(s.ext) : kOracleRegs[rng.below(std::size(kOracleRegs))];
  const uint8_t rm = kOracleRegs[rng.below(std::size(kOracleRegs))];
  const uint8_t disp = s.mem == MemForm::Aligned ? uint8_t(16 * rng.below(4)) : uint8_t(rng.below(64));
  uint8_t imm = uint8_t(rng.bits());
  if (rng.chance(3)) imm = uint8_t(rng.below(20));  // shift counts near the element widths
  return run_code(h, s.name, encode(s, reg, rm, mem, disp, imm), rng, in_env);
}

TEST_CASE("every SSE/SSE2 instruction matches the host CPU bit for bit", "[sse][oracle]") {
  Harness h;
  Rng rng(0x5eed5eed);
  compare_every_spec(kSpecs, [&](const Spec& s, bool in_env) { return run_case(h, s, rng, in_env); });
}

// Prefix combinations: which of 66/F2/F3 is the mandatory prefix, REX.W
// where it means nothing, a REX that isn't last (ignored), redundant prefixes.
const std::vector<uint8_t> kPrefixCases[] = {
    {0x66, 0xF2, 0x0F, 0x58, 0xC1},        // addsd (F2 over 66)
    {0xF2, 0x66, 0x0F, 0x58, 0xC1},        // addsd
    {0x66, 0xF3, 0x0F, 0x58, 0xC1},        // addss
    {0xF3, 0xF2, 0x0F, 0x58, 0xC1},        // last of F2/F3 wins
    {0xF2, 0xF3, 0x0F, 0x58, 0xC1},
    {0x66, 0x66, 0x0F, 0x58, 0xC1},        // addpd
    {0xF3, 0x66, 0x0F, 0x6F, 0xC1},        // movdqu
    {0x66, 0xF3, 0x0F, 0x7E, 0xC1},        // movq xmm, xmm (F3 over 66)
    {0x66, 0x48, 0x0F, 0xFC, 0xC1},        // paddb with a meaningless REX.W
    {0xF2, 0x48, 0x0F, 0x58, 0xC1},        // addsd with REX.W
    {0x66, 0x4F, 0x0F, 0xEF, 0xC1},        // pxor xmm8, xmm9
    {0x48, 0x66, 0x0F, 0x7E, 0xC0},        // REX before 66 is not the REX: movd eax, xmm0
    {0x2E, 0x66, 0x0F, 0xD7, 0xC1},        // CS override: no-op on a register form
    {0xF2, 0x0F, 0x10, 0xC1, 0xF3, 0x0F, 0x10, 0xD3, 0x0F, 0x12, 0xE5, 0x0F, 0x16, 0xF7},  // a run of moves
    {0x66, 0x4F, 0x0F, 0x38, 0x00, 0xC1},  // pshufb xmm8, xmm9 with a meaningless REX.W
    {0x66, 0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x05},  // palignr, redundant 66
    {0x66, 0xF2, 0x0F, 0x7C, 0xC1},        // haddps (F2 over 66)
    {0xF2, 0x66, 0x0F, 0x12, 0xC1},        // movddup
};

TEST_CASE("mandatory-prefix and REX combinations decode as on the host", "[sse][oracle]") {
  Harness h;
  Rng rng(0xfeedf00d);
  for (const auto& code : kPrefixCases)
    for (int i = 0; i < 50; i++) {
      const std::string err = run_code(h, "prefix combination", code, rng, i & 1);
      if (!err.empty()) {
        FAIL_CHECK(err);
        break;
      }
    }
}

TEST_CASE("fxsave writes MXCSR, MXCSR_MASK and XMM0-15 where the host's fxsave does", "[sse][oracle]") {
  Rng rng(42);
  const std::vector<uint8_t> code = {0x0F, 0xAE, 0x06};  // fxsave [rsi]
  Harness h(code);
  NativeState n{};
  for (auto& x : n.xmm) {
    x.q[0] = rng.lane();
    x.q[1] = rng.lane();
  }
  n.mxcsr = 0x1f80 | 0x6000 | 0x8040 | 0x21;
  alignas(16) uint8_t host[512] = {};
  n.gpr[RSI] = reinterpret_cast<uint64_t>(host);
  run_native(n, code);

  for (int i = 0; i < 16; i++) h.cpu.xmm[i] = n.xmm[i];
  h.cpu.mxcsr = n.mxcsr;
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.run();
  uint8_t emu[512];
  h.read(Harness::kDataAddr, emu, 512);
  CHECK(std::memcmp(emu + 24, host + 24, 4) == 0);                   // MXCSR
  CHECK(std::memcmp(emu + 160, host + 160, 256) == 0);               // XMM0-15
  CHECK(reinterpret_cast<uint32_t&>(emu[28]) == 0xffff);             // MXCSR_MASK (Intel's;
  CHECK((reinterpret_cast<uint32_t&>(host[28]) & 0xffff) == 0xffff);  // AMD adds MM, bit 17)
  CHECK(reinterpret_cast<uint16_t&>(emu[0]) == 0x037f);              // FCW after FNINIT
}

TEST_CASE("memory operands fault on misalignment exactly where the host's do", "[sse][oracle]") {
  Harness h;
  for (const Spec& s : kSpecs) {
    if (s.mem == MemForm::None) continue;
    for (uint8_t disp : {1, 8, 15})
      check_alignment_fault_like_host(h, s.name, encode(s, 0, 0, true, disp, 0), s.mem == MemForm::Aligned);
  }
}

// Forms the SDM leaves undefined (#UD), in the opcode space bind_sse owns.
const std::vector<uint8_t> kUndefined[] = {
    {0x66, 0x0F, 0x12, 0xC1},        // movlpd with a register source
    {0x0F, 0x13, 0xC1},              // movlps store to a register
    {0x66, 0x0F, 0x13, 0xC1},        // movlpd store to a register
    {0x66, 0x0F, 0x16, 0xC1},        // movhpd with a register source
    {0x0F, 0x17, 0xC1},              // movhps store to a register
    {0x0F, 0x2B, 0xC1},              // movntps to a register
    {0x66, 0x0F, 0xE7, 0xC1},        // movntdq to a register
    {0x0F, 0xC3, 0xC1},              // movnti to a register
    {0x0F, 0x50, 0x06},              // movmskps from memory
    {0x66, 0x0F, 0xD7, 0x06},        // pmovmskb from memory
    {0x66, 0x0F, 0xC5, 0x06, 0x00},  // pextrw from memory (only 66 0F 3A 15 has that)
    {0x66, 0x0F, 0xF7, 0x06},        // maskmovdqu with a memory operand
    {0x66, 0x0F, 0x71, 0x16, 0x01},  // psrlw imm on memory
    {0x66, 0x0F, 0x73, 0x1E, 0x01},  // psrldq on memory
    {0x66, 0x0F, 0x71, 0xC0, 0x01},  // 66 0F 71 /0
    {0x66, 0x0F, 0x73, 0xE0, 0x01},  // 66 0F 73 /4
    {0xF2, 0x0F, 0x5B, 0xC1},        // F2 0F 5B
    {0x0F, 0xE6, 0xC1},              // 0F E6 without a prefix
    {0x66, 0x0F, 0x52, 0xC1},        // rsqrtpd doesn't exist
    {0xF2, 0x0F, 0x53, 0xC1},        // rcpsd doesn't exist
    {0x0F, 0xAE, 0xD6},              // 0F AE /2 with a register operand
    {0xF0, 0x66, 0x0F, 0xFC, 0xC1},  // lock paddb
    {0xF0, 0x0F, 0x11, 0x06},        // lock movups store
    {0x0F, 0xFF, 0xC1},              // ud0
    {0xF2, 0x0F, 0xF0, 0xC1},        // lddqu with a register source
    {0xF3, 0x0F, 0xD0, 0xC1},        // F3 0F D0 (addsubps is F2)
    {0xF3, 0x0F, 0x7C, 0xC1},        // F3 0F 7C (haddps is F2)
};

TEST_CASE("undefined SSE encodings raise SIGILL, as on the host", "[sse][oracle]") {
  Harness h;
  for (const auto& code : kUndefined) check_sigill_like_host(h, code);
}

}  // namespace
}  // namespace emu::test
