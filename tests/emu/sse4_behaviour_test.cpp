// SSE4.1/SSE4.2 behaviour with stated inputs and expected outputs: ROUNDSD
// under each rounding control, PTEST's flags, CRC32C's check value, a
// PCMPISTRI character-set search, and the alignment rules. Expected values
// come from the SDM's definitions (and the CRC-32C catalogue's check value),
// not from emulator runs.
#include <catch2/catch.hpp>

#include <cmath>
#include <csignal>
#include <cstring>

#include "emu/ops/sse_state.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

constexpr uint64_t kData = Harness::kDataAddr;
constexpr uint32_t kPE = 0x20;  // MXCSR precision flag

Xmm xmm_sd(double lo, double hi = 0) {
  Xmm x;
  x.f64[0] = lo;
  x.f64[1] = hi;
  return x;
}

// roundsd xmm0, xmm1, imm on `v` with MXCSR rounding control `rc`.
double roundsd(double v, uint8_t imm, uint32_t rc, uint32_t* mxcsr_out = nullptr) {
  Harness h({0x66, 0x0F, 0x3A, 0x0B, 0xC1, imm});
  h.cpu.xmm[0] = xmm_sd(123.0, 7.0);
  h.cpu.xmm[1] = xmm_sd(v, 99.0);
  set_guest_mxcsr(h.cpu, 0x1f80 | rc << 13);
  h.run();
  CHECK(h.cpu.xmm[0].f64[1] == 7.0);  // the upper lane is the destination's
  if (mxcsr_out) *mxcsr_out = guest_mxcsr(h.cpu);
  return h.cpu.xmm[0].f64[0];
}

TEST_CASE("roundsd rounds by imm8 mode, or by MXCSR.RC when imm8 bit 2 is set", "[sse4]") {
  // imm8 1:0 = 0 nearest-even, 1 down, 2 up, 3 truncate.
  CHECK(roundsd(2.5, 0, 3) == 2.0);
  CHECK(roundsd(-2.5, 0, 3) == -2.0);
  CHECK(roundsd(1.5, 0, 3) == 2.0);
  CHECK(roundsd(2.5, 1, 0) == 2.0);
  CHECK(roundsd(-2.5, 1, 0) == -3.0);
  CHECK(roundsd(2.5, 2, 0) == 3.0);
  CHECK(roundsd(-2.5, 2, 0) == -2.0);
  CHECK(roundsd(2.7, 3, 0) == 2.0);
  CHECK(roundsd(-2.7, 3, 0) == -2.0);
  // imm8 bit 2: MXCSR.RC (0 nearest, 1 down, 2 up, 3 toward zero) overrides bits 1:0.
  CHECK(roundsd(-2.5, 4 | 3, 0) == -2.0);
  CHECK(roundsd(-2.5, 4, 1) == -3.0);
  CHECK(roundsd(-2.5, 4, 2) == -2.0);
  CHECK(roundsd(-2.7, 4, 3) == -2.0);
  CHECK(roundsd(2.2, 4, 2) == 3.0);
  CHECK(std::signbit(roundsd(-0.4, 0, 0)));  // -0.4 rounds to -0
}

TEST_CASE("roundsd sets the precision flag unless imm8 bit 3 suppresses it", "[sse4]") {
  uint32_t m = 0;
  roundsd(2.5, 0, 0, &m);
  CHECK((m & kPE) != 0);
  roundsd(2.5, 8, 0, &m);
  CHECK((m & kPE) == 0);
  roundsd(2.0, 0, 0, &m);  // exact: no precision exception
  CHECK((m & kPE) == 0);
}

TEST_CASE("ptest sets ZF for a zero AND, CF for a zero ANDN, and clears the others", "[sse4]") {
  Harness h({0x66, 0x0F, 0x38, 0x17, 0xC1});  // ptest xmm0, xmm1
  auto run = [&](uint64_t d, uint64_t s) {
    h.set_code({0x66, 0x0F, 0x38, 0x17, 0xC1});
    h.cpu.xmm[0].q[0] = d;
    h.cpu.xmm[0].q[1] = 0;
    h.cpu.xmm[1].q[0] = s;
    h.cpu.xmm[1].q[1] = 0;
    h.set_rflags(2 | kOF | kSF | kAF | kPF);
    h.run();
    return h.rflags() & kArithFlags;
  };
  CHECK(run(0xF0, 0x0F) == kZF);        // disjoint: AND zero; ~d & s = 0x0F
  CHECK(run(0xF0, 0x30) == kCF);        // s within d: ANDN zero
  CHECK(run(0xF0, 0x00) == (kZF | kCF));
  CHECK(run(0xF0, 0x18) == 0);
}

TEST_CASE("crc32 computes CRC-32C: \"123456789\" checks to 0xE3069283", "[sse4]") {
  Harness h({
      0xB8, 0xFF, 0xFF, 0xFF, 0xFF,              // mov eax, 0xffffffff
      0xF2, 0x48, 0x0F, 0x38, 0xF1, 0x06,        // crc32 rax, qword [rsi]
      0xF2, 0x0F, 0x38, 0xF0, 0x46, 0x08,        // crc32 eax, byte [rsi+8]
      0xF7, 0xD0,                                // not eax
  });
  h.write(kData, "123456789", 9);
  h.cpu.gpr[RSI] = kData;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xE3069283);
}

TEST_CASE("crc32 of the same bytes agrees across operand sizes and byte registers", "[sse4]") {
  Harness h({
      0xB8, 0xFF, 0xFF, 0xFF, 0xFF,              // mov eax, 0xffffffff
      0xF2, 0x0F, 0x38, 0xF0, 0xC4,              // crc32 eax, ah   (0xff)
      0xF2, 0x0F, 0x38, 0xF0, 0xC3,              // crc32 eax, bl   (0x12)
      0x66, 0xF2, 0x0F, 0x38, 0xF1, 0xC2,        // crc32 eax, dx   (0x5678)
      0xF7, 0xD0,                                // not eax
  });
  h.cpu.gpr[RBX] = 0x12;
  h.cpu.gpr[RDX] = 0x5678;
  h.run();
  // AH after "mov eax, -1" is 0xff: the bytes are ff 12 78 56, one dword.
  Harness g({
      0xB8, 0xFF, 0xFF, 0xFF, 0xFF,              // mov eax, 0xffffffff
      0xF2, 0x0F, 0x38, 0xF1, 0xC1,              // crc32 eax, ecx  (bytes ff 12 78 56)
      0xF7, 0xD0,                                // not eax
  });
  g.cpu.gpr[RCX] = 0x567812ff;
  g.run();
  CHECK(h.cpu.gpr[RAX] == g.cpu.gpr[RAX]);
}

TEST_CASE("pcmpistri finds the first character of a set and sets CF/ZF/SF/OF", "[sse4]") {
  Harness h({
      0xF3, 0x0F, 0x6F, 0x0E,                    // movdqu xmm1, [rsi]      the set
      0x66, 0x0F, 0x3A, 0x63, 0x4E, 0x10, 0x00,  // pcmpistri xmm1, [rsi+16], equal-any ubyte
  });
  char buf[32] = {};
  std::memcpy(buf, "aeiou", 5);
  std::memcpy(buf + 16, "hello world", 11);
  h.write(kData + 1, buf, 32);  // unaligned: PCMPxSTRx need no alignment
  h.cpu.gpr[RSI] = kData + 1;
  h.cpu.gpr[RCX] = ~uint64_t{0};
  h.set_rflags(2 | kAF | kPF);
  h.run();
  CHECK(h.cpu.gpr[RCX] == 1);  // 'e'
  // CF: a match; ZF: the second operand has a NUL; SF: the first has one;
  // OF: no match at element 0 ('h').
  CHECK((h.rflags() & kArithFlags) == (kCF | kZF | kSF));
}

TEST_CASE("pmovzxbw reads 8 unaligned bytes; ptest needs an aligned m128", "[sse4]") {
  Harness h({0x66, 0x0F, 0x38, 0x30, 0x46, 0x03});  // pmovzxbw xmm0, [rsi+3]
  const uint8_t b[8] = {1, 0x80, 0xff, 3, 4, 5, 6, 7};
  h.write(kData + 3, b, 8);
  h.cpu.gpr[RSI] = kData;
  h.run();
  CHECK(h.cpu.xmm[0].q[0] == 0x0003'00ff'0080'0001);
  CHECK(h.cpu.xmm[0].q[1] == 0x0007'0006'0005'0004);

  h.set_code({0x66, 0x0F, 0x38, 0x17, 0x46, 0x08});  // ptest xmm0, [rsi+8]
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
}

}  // namespace
}  // namespace emu::test
