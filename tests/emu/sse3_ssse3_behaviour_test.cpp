// SSE3 and SSSE3 behaviour with stated inputs and expected outputs (the
// expected values follow the SDM vol. 2 pseudocode of each instruction):
// PSHUFB's zeroing index bit, PALIGNR at the byte-count edges, horizontal
// adds with NaN and infinity, saturation and rounding edges, the memory
// operands that need no alignment (MOVDDUP m64, LDDQU) and those that do,
// and undefined forms (the MMX forms: mmx_*_test.cpp).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <optional>
#include <vector>

#include "emu/ops/sse_state.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

constexpr uint64_t kData = Harness::kDataAddr;

Xmm bytes(std::initializer_list<uint8_t> v) {
  Xmm x{};
  size_t i = 0;
  for (uint8_t b : v) x.b[i++] = b;
  return x;
}
Xmm iota_bytes(uint8_t first) {
  Xmm x;
  for (int i = 0; i < 16; i++) x.b[i] = uint8_t(first + i);
  return x;
}
Xmm f32x4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  Xmm x;
  x.d[0] = a, x.d[1] = b, x.d[2] = c, x.d[3] = d;
  return x;
}
Xmm words(std::initializer_list<uint16_t> v) {
  Xmm x{};
  size_t i = 0;
  for (uint16_t w : v) x.w[i++] = w;
  return x;
}
bool same(const Xmm& a, const Xmm& b) { return std::memcmp(&a, &b, 16) == 0; }

constexpr uint32_t kOne = 0x3f800000, kTwo = 0x40000000, kThree = 0x40400000, kFour = 0x40800000;
constexpr uint32_t kSeven = 0x40e00000, kInf = 0x7f800000, kNegInf = 0xff800000;
constexpr uint32_t kDefaultNaN = 0xffc00000;  // the "real indefinite" QNaN

// ---- SSSE3 ---------------------------------------------------------------------

TEST_CASE("pshufb selects bytes by the low 4 index bits and zeroes where bit 7 is set", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x38, 0x00, 0xC1});  // pshufb xmm0, xmm1
  h.cpu.xmm[0] = iota_bytes(0xA0);            // a0 a1 ... af
  h.cpu.xmm[1] = bytes({0x80, 0x0F, 0x10, 0x8F, 0x01, 0xFF, 0x7F, 0x00,
                        0x3A, 0xC5, 0x05, 0x40, 0x0E, 0x90, 0x22, 0x7E});
  h.run();
  CHECK(same(h.cpu.xmm[0], bytes({0x00, 0xAF, 0xA0, 0x00, 0xA1, 0x00, 0xAF, 0xA0,
                                  0xAA, 0x00, 0xA5, 0xA0, 0xAE, 0x00, 0xA2, 0xAE})));
}

TEST_CASE("pshufb with the destination as its own index vector", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x38, 0x00, 0xC0});  // pshufb xmm0, xmm0
  h.cpu.xmm[0] = bytes({0x03, 0x02, 0x01, 0x00, 0x80, 0x81, 0x82, 0x83,
                        0x0F, 0x0E, 0x0D, 0x0C, 0x00, 0x00, 0x00, 0x00});
  h.run();
  CHECK(same(h.cpu.xmm[0], bytes({0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x03, 0x03})));
}

TEST_CASE("palignr shifts the 32-byte dest:src right by imm8 bytes, zero past 31", "[sse][ssse3]") {
  // src = bytes 00..0f, dest = bytes 10..1f: dest:src is the bytes 00..1f
  // in order, so byte i of the result is n + i while that is below 32, else 0.
  for (unsigned n : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 200u, 255u}) {
    Harness h({0x66, 0x0F, 0x3A, 0x0F, 0xC1, uint8_t(n)});  // palignr xmm0, xmm1, n
    h.cpu.xmm[0] = iota_bytes(0x10);
    h.cpu.xmm[1] = iota_bytes(0x00);
    h.run();
    Xmm want;
    for (unsigned i = 0; i < 16; i++) want.b[i] = n + i < 32 ? uint8_t(n + i) : 0;
    INFO("imm8 " << n);
    CHECK(same(h.cpu.xmm[0], want));
    CHECK(same(h.cpu.xmm[1], iota_bytes(0x00)));
  }
}

TEST_CASE("palignr imm 0 gives the source, imm 16 the destination", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x00,    // palignr xmm0, xmm1, 0
             0x66, 0x0F, 0x3A, 0x0F, 0xDC, 0x10});  // palignr xmm3, xmm4, 16
  h.cpu.xmm[0] = iota_bytes(0x50);
  h.cpu.xmm[1] = iota_bytes(0x60);
  h.cpu.xmm[3] = iota_bytes(0x70);
  h.cpu.xmm[4] = iota_bytes(0x80);
  h.run();
  CHECK(same(h.cpu.xmm[0], iota_bytes(0x60)));
  CHECK(same(h.cpu.xmm[3], iota_bytes(0x70)));
}

TEST_CASE("phaddw wraps, phaddsw saturates, phsubsw saturates", "[sse][ssse3]") {
  const Xmm a = words({0x7FFF, 0x0001, 0x8000, 0xFFFF, 0x0005, 0x0003, 0x1234, 0x0000});
  const Xmm b = words({0x0001, 0x0002, 0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0000, 0x0000});
  SECTION("phaddw") {
    Harness h({0x66, 0x0F, 0x38, 0x01, 0xC1});
    h.cpu.xmm[0] = a, h.cpu.xmm[1] = b;
    h.run();
    CHECK(same(h.cpu.xmm[0], words({0x8000, 0x7FFF, 0x0008, 0x1234, 0x0003, 0x8001, 0x7FFE, 0x0000})));
  }
  SECTION("phaddsw") {
    Harness h({0x66, 0x0F, 0x38, 0x03, 0xC1});
    h.cpu.xmm[0] = a, h.cpu.xmm[1] = b;
    h.run();
    CHECK(same(h.cpu.xmm[0], words({0x7FFF, 0x8000, 0x0008, 0x1234, 0x0003, 0x8001, 0x7FFE, 0x0000})));
  }
  SECTION("phsubsw") {  // even minus odd element
    Harness h({0x66, 0x0F, 0x38, 0x07, 0xC1});
    h.cpu.xmm[0] = a, h.cpu.xmm[1] = b;
    h.run();
    // 7fff-1, 8000-(-1), 5-3, 1234-0 | 1-2, 8000-1 (sat), 7fff-(-1) (sat), 0
    CHECK(same(h.cpu.xmm[0], words({0x7FFE, 0x8001, 0x0002, 0x1234, 0xFFFF, 0x8000, 0x7FFF, 0x0000})));
  }
}

TEST_CASE("pmulhrsw rounds (a*b >> 14) + 1 >> 1; 0x8000 squared gives 0x8000", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x38, 0x0B, 0xC1});  // pmulhrsw xmm0, xmm1
  h.cpu.xmm[0] = words({0x4000, 0x8000, 0x0001, 0xFFFF, 0x7FFF, 0x2000, 0x0000, 0x6000});
  h.cpu.xmm[1] = words({0x4000, 0x8000, 0x4000, 0x0001, 0x7FFF, 0xC000, 0x1234, 0x6000});
  h.run();
  // 0x2000; 0x40000000>>14=0x10000 -> 0x8000 (wraps); 1*0x4000>>14=1 -> 1;
  // -1>>14=-1 -> 0; 0x3fff0001>>14=0xfffc -> 0x7ffe; -0x8000000>>14=-0x2000 -> -0x1000;
  // 0; 0x24000000>>14=0x9000 -> 0x4800
  CHECK(same(h.cpu.xmm[0], words({0x2000, 0x8000, 0x0001, 0x0000, 0x7FFE, 0xF000, 0x0000, 0x4800})));
}

TEST_CASE("pmaddubsw multiplies unsigned destination bytes by signed source bytes and saturates", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x38, 0x04, 0xC1});  // pmaddubsw xmm0, xmm1
  h.cpu.xmm[0] = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x03, 0x80, 0x00});
  h.cpu.xmm[1] = bytes({0x7F, 0x7F, 0x80, 0x80, 0xFF, 0x04, 0x80, 0x7F});
  h.run();
  // 255*127*2 = 64770 -> 0x7fff; 255*-128*2 = -65280 -> 0x8000; 2*-1 + 3*4 = 10; 128*-128 = -16384
  CHECK(same(h.cpu.xmm[0], words({0x7FFF, 0x8000, 0x000A, 0xC000, 0, 0, 0, 0})));
}

TEST_CASE("psignb negates, zeroes or keeps by the source sign; pabsd of INT_MIN stays INT_MIN", "[sse][ssse3]") {
  SECTION("psignb") {
    Harness h({0x66, 0x0F, 0x38, 0x08, 0xC1});
    h.cpu.xmm[0] = bytes({0x05, 0x05, 0x05, 0x80, 0x80, 0x00, 0xFF, 0x7F});
    h.cpu.xmm[1] = bytes({0x01, 0x00, 0xFF, 0xFF, 0x01, 0xFF, 0x80, 0x00});
    h.run();
    CHECK(same(h.cpu.xmm[0], bytes({0x05, 0x00, 0xFB, 0x80, 0x80, 0x00, 0x01, 0x00})));
  }
  SECTION("pabsd") {
    Harness h({0x66, 0x0F, 0x38, 0x1E, 0xC1});  // pabsd xmm0, xmm1
    h.cpu.xmm[0] = f32x4(1, 2, 3, 4);
    h.cpu.xmm[1] = f32x4(0x80000000, 0xFFFFFFFF, 0x7FFFFFFF, 0);
    h.run();
    CHECK(same(h.cpu.xmm[0], f32x4(0x80000000, 1, 0x7FFFFFFF, 0)));
  }
}

TEST_CASE("ssse3 memory operands must be 16-byte aligned", "[sse][ssse3]") {
  Harness h({0x66, 0x0F, 0x38, 0x00, 0x06});  // pshufb xmm0, [rsi]
  h.cpu.xmm[0] = iota_bytes(0);
  SECTION("aligned") {
    h.write(kData, iota_bytes(0x0F));
    h.cpu.gpr[RSI] = kData;
    h.run();
    Xmm want;
    for (int i = 0; i < 16; i++) want.b[i] = uint8_t((0x0F + i) & 0x80 ? 0 : (0x0F + i) & 15);
    CHECK(same(h.cpu.xmm[0], want));
  }
  SECTION("misaligned") {
    h.cpu.gpr[RSI] = kData + 4;
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGSEGV);
    CHECK(f->code == mm::kSiKernel);
    CHECK(same(h.cpu.xmm[0], iota_bytes(0)));
  }
}

// ---- SSE3 ----------------------------------------------------------------------

TEST_CASE("haddps adds adjacent pairs; inf + -inf is the default NaN and sets IE; NaNs propagate", "[sse][sse3]") {
  Harness h({0xF2, 0x0F, 0x7C, 0xC1});  // haddps xmm0, xmm1
  h.cpu.xmm[0] = f32x4(kOne, kInf, kNegInf, kInf);
  h.cpu.xmm[1] = f32x4(0x7FC00001, kTwo, kThree, kFour);
  h.cpu.mxcsr = 0x1f80;
  h.run();
  CHECK(same(h.cpu.xmm[0], f32x4(kInf, kDefaultNaN, 0x7FC00001, kSeven)));
  CHECK(guest_mxcsr(h.cpu) == (0x1f80 | 0x01));  // IE
}

TEST_CASE("haddps of a signaling NaN quiets it and sets IE", "[sse][sse3]") {
  Harness h({0xF2, 0x0F, 0x7C, 0xC1});
  h.cpu.xmm[0] = f32x4(0x7FA00000, kOne, kOne, kOne);
  h.cpu.xmm[1] = f32x4(kOne, kOne, kOne, kOne);
  h.cpu.mxcsr = 0x1f80;
  h.run();
  CHECK(same(h.cpu.xmm[0], f32x4(0x7FE00000, kTwo, kTwo, kTwo)));
  CHECK(guest_mxcsr(h.cpu) == (0x1f80 | 0x01));
}

TEST_CASE("an unmasked invalid operation in haddpd raises SIGFPE (FPE_FLTINV), destination unchanged", "[sse][sse3]") {
  Harness h({0x66, 0x0F, 0x7C, 0xC1});  // haddpd xmm0, xmm1
  Xmm a, b;
  a.f64[0] = __builtin_inf(), a.f64[1] = -__builtin_inf();
  b.f64[0] = 1.0, b.f64[1] = 2.0;
  h.cpu.xmm[0] = a, h.cpu.xmm[1] = b;
  h.cpu.mxcsr = 0x1f80 & ~0x80u;  // IM clear
  std::optional<mm::GuestFault> f;
  SECTION("outside a GuestFpEnv") { f = h.run_fault(); }
  SECTION("inside a GuestFpEnv") {
    GuestFpEnv env(h.cpu);
    f = h.run_fault();
  }
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->code == 7);  // FPE_FLTINV
  CHECK(same(h.cpu.xmm[0], a));
}

TEST_CASE("addsubps subtracts in even lanes and adds in odd lanes; hsubpd subtracts pairs", "[sse][sse3]") {
  SECTION("addsubps") {
    Harness h({0xF2, 0x0F, 0xD0, 0xC1});
    h.cpu.xmm[0].f32[0] = 1, h.cpu.xmm[0].f32[1] = 2, h.cpu.xmm[0].f32[2] = 3, h.cpu.xmm[0].f32[3] = 4;
    h.cpu.xmm[1].f32[0] = 10, h.cpu.xmm[1].f32[1] = 20, h.cpu.xmm[1].f32[2] = 30, h.cpu.xmm[1].f32[3] = 40;
    h.run();
    CHECK(h.cpu.xmm[0].f32[0] == -9.0f);
    CHECK(h.cpu.xmm[0].f32[1] == 22.0f);
    CHECK(h.cpu.xmm[0].f32[2] == -27.0f);
    CHECK(h.cpu.xmm[0].f32[3] == 44.0f);
  }
  SECTION("hsubpd") {
    Harness h({0x66, 0x0F, 0x7D, 0xC1});
    h.cpu.xmm[0].f64[0] = 5, h.cpu.xmm[0].f64[1] = 2;
    h.cpu.xmm[1].f64[0] = 1, h.cpu.xmm[1].f64[1] = 8;
    h.run();
    CHECK(h.cpu.xmm[0].f64[0] == 3.0);
    CHECK(h.cpu.xmm[0].f64[1] == -7.0);
  }
}

TEST_CASE("movsldup, movshdup and movddup duplicate lanes without touching NaN bits", "[sse][sse3]") {
  const Xmm src = f32x4(0x7F800001, 0x11111111, 0x22222222, 0xFFBFFFFF);  // an SNaN in lane 0
  SECTION("movsldup") {
    Harness h({0xF3, 0x0F, 0x12, 0xC1});
    h.cpu.xmm[1] = src;
    h.cpu.mxcsr = 0x1f80;
    h.run();
    CHECK(same(h.cpu.xmm[0], f32x4(0x7F800001, 0x7F800001, 0x22222222, 0x22222222)));
    CHECK(guest_mxcsr(h.cpu) == 0x1f80);
  }
  SECTION("movshdup") {
    Harness h({0xF3, 0x0F, 0x16, 0xC1});
    h.cpu.xmm[1] = src;
    h.run();
    CHECK(same(h.cpu.xmm[0], f32x4(0x11111111, 0x11111111, 0xFFBFFFFF, 0xFFBFFFFF)));
  }
  SECTION("movddup") {
    Harness h({0xF2, 0x0F, 0x12, 0xC1});
    h.cpu.xmm[1] = src;
    h.run();
    CHECK(same(h.cpu.xmm[0], f32x4(0x7F800001, 0x11111111, 0x7F800001, 0x11111111)));
  }
}

TEST_CASE("movddup m64 and lddqu m128 need no alignment; movshdup and haddpd m128 do", "[sse][sse3]") {
  uint8_t buf[32];
  for (int i = 0; i < 32; i++) buf[i] = uint8_t(0x40 + i);
  SECTION("movddup xmm0, [rsi+3] reads 8 bytes") {
    Harness h({0xF2, 0x0F, 0x12, 0x46, 0x03});
    h.write(kData, buf, 32);
    h.cpu.gpr[RSI] = kData;
    h.run();
    Xmm want;
    for (int i = 0; i < 16; i++) want.b[i] = uint8_t(0x43 + i % 8);
    CHECK(same(h.cpu.xmm[0], want));
  }
  SECTION("movddup of the last 8 bytes of the data area doesn't read past them") {
    Harness h({0xF2, 0x0F, 0x12, 0x06});
    h.write(kData + Harness::kDataSize - 8, buf, 8);
    h.cpu.gpr[RSI] = kData + Harness::kDataSize - 8;
    h.run();
    Xmm want;
    for (int i = 0; i < 16; i++) want.b[i] = uint8_t(0x40 + i % 8);
    CHECK(same(h.cpu.xmm[0], want));
  }
  SECTION("lddqu xmm0, [rsi+1]") {
    Harness h({0xF2, 0x0F, 0xF0, 0x46, 0x01});
    h.write(kData, buf, 32);
    h.cpu.gpr[RSI] = kData;
    h.run();
    CHECK(same(h.cpu.xmm[0], iota_bytes(0x41)));
  }
  for (const std::vector<uint8_t>& code : {std::vector<uint8_t>{0xF3, 0x0F, 0x16, 0x46, 0x08},   // movshdup
                                           std::vector<uint8_t>{0x66, 0x0F, 0x7C, 0x46, 0x08}}) {  // haddpd
    Harness h(code);
    h.cpu.gpr[RSI] = kData;
    h.cpu.xmm[0] = iota_bytes(0);
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGSEGV);
    CHECK(same(h.cpu.xmm[0], iota_bytes(0)));
  }
}

TEST_CASE("undefined SSE3/SSSE3 forms raise SIGILL", "[sse][sse3][ssse3]") {
  const std::vector<std::vector<uint8_t>> codes = {
      {0xF2, 0x0F, 0xF0, 0xC1},        // lddqu with a register source
      {0xF3, 0x0F, 0xD0, 0xC1},        // F3 0F D0
      {0xF3, 0x0F, 0x7C, 0xC1},        // F3 0F 7C
      {0x0F, 0x01, 0xC8},              // monitor
      {0x0F, 0x01, 0xC9},              // mwait
  };
  for (const auto& code : codes) {
    Harness h(code);
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGILL);
  }
}

}  // namespace
}  // namespace emu::test
