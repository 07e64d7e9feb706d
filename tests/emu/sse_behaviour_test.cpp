// SSE/SSE2 behaviour with stated inputs and expected outputs: faults
// (alignment #GP, reserved MXCSR bits, unmasked exceptions),
// MXCSR state handling, FXSAVE layout, prefix rules, and the instruction
// idioms glibc's SSE2 string functions and double arithmetic rely on.
#include <catch2/catch.hpp>
#include <immintrin.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>

#include "emu/ops/sse_state.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

constexpr uint64_t kData = Harness::kDataAddr;

Xmm xmm_q(uint64_t lo, uint64_t hi) {
  Xmm x;
  x.q[0] = lo;
  x.q[1] = hi;
  return x;
}
Xmm xmm_sd(double lo, double hi = 0) {
  Xmm x;
  x.f64[0] = lo;
  x.f64[1] = hi;
  return x;
}
bool same(const Xmm& a, const Xmm& b) { return std::memcmp(&a, &b, 16) == 0; }
uint64_t bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}

// ---- string idioms -------------------------------------------------------------

TEST_CASE("pcmpeqb then pmovmskb finds the NUL byte", "[sse]") {
  Harness h({
      0x66, 0x0F, 0xEF, 0xC0,  // pxor xmm0, xmm0
      0xF3, 0x0F, 0x6F, 0x0E,  // movdqu xmm1, [rsi]
      0x66, 0x0F, 0x74, 0xC1,  // pcmpeqb xmm0, xmm1
      0x66, 0x0F, 0xD7, 0xC0,  // pmovmskb eax, xmm0
  });
  const char s[17] = "hello, world\0xyz";
  h.write(kData + 3, s, 16);
  h.cpu.gpr[RSI] = kData + 3;
  h.cpu.gpr[RAX] = ~uint64_t{0};
  h.run();
  CHECK(h.cpu.gpr[RAX] == (1u << 12));
}

TEST_CASE("pminub folds two blocks so one pcmpeqb finds a NUL in either", "[sse]") {
  Harness h({
      0x66, 0x0F, 0x6F, 0x06,        // movdqa xmm0, [rsi]
      0x66, 0x0F, 0xDA, 0x46, 0x10,  // pminub xmm0, [rsi+16]
      0x66, 0x0F, 0xEF, 0xC9,        // pxor xmm1, xmm1
      0x66, 0x0F, 0x74, 0xC8,        // pcmpeqb xmm1, xmm0
      0x66, 0x0F, 0xD7, 0xC1,        // pmovmskb eax, xmm1
  });
  uint8_t buf[32];
  std::memset(buf, 'a', sizeof buf);
  buf[16 + 9] = 0;
  h.write(kData, buf, sizeof buf);
  h.cpu.gpr[RSI] = kData;
  h.run();
  CHECK(h.cpu.gpr[RAX] == (1u << 9));
}

TEST_CASE("punpcklbw and pshufd broadcast a byte to all 16 lanes", "[sse]") {
  Harness h({
      0x66, 0x0F, 0x6E, 0xC7,        // movd xmm0, edi
      0x66, 0x0F, 0x60, 0xC0,        // punpcklbw xmm0, xmm0
      0x66, 0x0F, 0x61, 0xC0,        // punpcklwd xmm0, xmm0
      0x66, 0x0F, 0x70, 0xC0, 0x00,  // pshufd xmm0, xmm0, 0
  });
  h.cpu.gpr[RDI] = 0x12345678'0000002f;
  h.run();
  CHECK(same(h.cpu.xmm[0], xmm_q(0x2f2f2f2f2f2f2f2f, 0x2f2f2f2f2f2f2f2f)));
}

TEST_CASE("psrldq and pslldq shift bytes and clear the register for counts of 16 or more", "[sse]") {
  Harness h({
      0x66, 0x0F, 0x73, 0xD8, 0x03,  // psrldq xmm0, 3
      0x66, 0x0F, 0x73, 0xF9, 0x05,  // pslldq xmm1, 5
      0x66, 0x0F, 0x73, 0xDA, 0x10,  // psrldq xmm2, 16
      0x66, 0x0F, 0x73, 0xFB, 0xFF,  // pslldq xmm3, 255
  });
  const Xmm v = xmm_q(0x0706050403020100, 0x0f0e0d0c0b0a0908);
  for (int i = 0; i < 4; i++) h.cpu.xmm[i] = v;
  h.run();
  CHECK(same(h.cpu.xmm[0], xmm_q(0x0a09080706050403, 0x0000000f0e0d0c0b)));
  CHECK(same(h.cpu.xmm[1], xmm_q(0x0201000000000000, 0x0a09080706050403)));
  CHECK(same(h.cpu.xmm[2], xmm_q(0, 0)));
  CHECK(same(h.cpu.xmm[3], xmm_q(0, 0)));
}

TEST_CASE("maskmovdqu stores only the bytes whose mask bit is set, at RDI", "[sse]") {
  Harness h({0x66, 0x0F, 0xF7, 0xC1});  // maskmovdqu xmm0, xmm1
  h.cpu.xmm[0] = xmm_q(0x8877665544332211, 0x00ffeeddccbbaa99);
  h.cpu.xmm[1] = xmm_q(0x00000000000080ff, 0x8000000000000000);
  h.cpu.gpr[RDI] = kData + 5;
  h.run();
  uint8_t out[16];
  h.read(kData + 5, out, 16);
  const uint8_t want[16] = {0x11, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00};
  CHECK(std::memcmp(out, want, 16) == 0);
  CHECK(h.read<uint8_t>(kData + 4) == 0);
}

TEST_CASE("an SSE2 strlen loop (movdqa, pcmpeqb, pmovmskb, bsf) measures a string", "[sse]") {
  Harness h({
      0x66, 0x0F, 0xEF, 0xC0,  // pxor xmm0, xmm0
      0x48, 0x89, 0xF8,        // mov rax, rdi
      0x66, 0x0F, 0x6F, 0x08,  // L: movdqa xmm1, [rax]
      0x66, 0x0F, 0x74, 0xC8,  // pcmpeqb xmm1, xmm0
      0x66, 0x0F, 0xD7, 0xD1,  // pmovmskb edx, xmm1
      0x48, 0x83, 0xC0, 0x10,  // add rax, 16
      0x85, 0xD2,              // test edx, edx
      0x74, 0xEC,              // jz L
      0x48, 0x83, 0xE8, 0x10,  // sub rax, 16
      0x0F, 0xBC, 0xD2,        // bsf edx, edx
      0x48, 0x01, 0xD0,        // add rax, rdx
      0x48, 0x29, 0xF8,        // sub rax, rdi
  });
  char s[64];
  std::memset(s, 'x', sizeof s);
  s[37] = 0;
  h.write(kData, s, sizeof s);
  h.cpu.gpr[RDI] = kData;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 37);
}

// ---- alignment -------------------------------------------------------------------

TEST_CASE("movaps from a misaligned address raises SIGSEGV (SI_KERNEL) and changes nothing", "[sse]") {
  Harness h({0x0F, 0x28, 0x06});  // movaps xmm0, [rsi]
  h.cpu.gpr[RSI] = kData + 8;
  h.cpu.xmm[0] = xmm_q(1, 2);
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSiKernel);
  CHECK(f->addr == 0);
  CHECK(h.cpu.rip == Harness::kCodeAddr);
  CHECK(same(h.cpu.xmm[0], xmm_q(1, 2)));
}

TEST_CASE("movdqa store to a misaligned address faults and writes nothing", "[sse]") {
  Harness h({0x66, 0x0F, 0x7F, 0x06});  // movdqa [rsi], xmm0
  h.cpu.gpr[RSI] = kData + 1;
  h.cpu.xmm[0] = xmm_q(~uint64_t{0}, ~uint64_t{0});
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(h.read<uint64_t>(kData + 1) == 0);
}

TEST_CASE("paddb needs an aligned memory operand but movdqu and movups don't", "[sse]") {
  Harness h({0x66, 0x0F, 0xFC, 0x06});  // paddb xmm0, [rsi]
  h.cpu.gpr[RSI] = kData + 4;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);

  h.set_code({0xF3, 0x0F, 0x6F, 0x06, 0x0F, 0x10, 0x0E});  // movdqu xmm0, [rsi]; movups xmm1, [rsi]
  h.write<uint64_t>(kData + 4, 0x1122334455667788);
  h.run();
  CHECK(h.cpu.xmm[0].q[0] == 0x1122334455667788);
  CHECK(h.cpu.xmm[1].q[0] == 0x1122334455667788);
}

TEST_CASE("scalar memory operands (addsd m64, movsd m64) need no alignment", "[sse]") {
  Harness h({0xF2, 0x0F, 0x10, 0x06, 0xF2, 0x0F, 0x58, 0x46, 0x08});  // movsd xmm0,[rsi]; addsd xmm0,[rsi+8]
  h.write(kData + 3, 1.25);
  h.write(kData + 11, 2.5);
  h.cpu.gpr[RSI] = kData + 3;
  h.cpu.xmm[0] = xmm_q(~uint64_t{0}, ~uint64_t{0});
  h.run();
  CHECK(h.cpu.xmm[0].f64[0] == 3.75);
  CHECK(h.cpu.xmm[0].q[1] == 0);  // movsd from memory zeroes the upper half
}

// ---- conversions -------------------------------------------------------------------

TEST_CASE("cvttsd2si of NaN or out-of-range gives the integer indefinite value and sets IE", "[sse]") {
  Harness h({
      0xF2, 0x0F, 0x2C, 0xC0,        // cvttsd2si eax, xmm0
      0xF2, 0x48, 0x0F, 0x2C, 0xD9,  // cvttsd2si rbx, xmm1
      0xF2, 0x48, 0x0F, 0x2C, 0xCA,  // cvttsd2si rcx, xmm2
  });
  h.cpu.xmm[0] = xmm_sd(std::numeric_limits<double>::quiet_NaN());
  h.cpu.xmm[1] = xmm_sd(9.3e18);
  h.cpu.xmm[2] = xmm_sd(-2.75);
  h.cpu.gpr[RAX] = ~uint64_t{0};
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x80000000);  // 32-bit result, zero-extended
  CHECK(h.cpu.gpr[RBX] == 0x8000000000000000);
  CHECK(h.cpu.gpr[RCX] == uint64_t(-2));
  CHECK((h.cpu.mxcsr & 0x01) != 0);  // IE
}

TEST_CASE("cvtsd2si rounds by MXCSR.RC as set with ldmxcsr", "[sse]") {
  Harness h({
      0x0F, 0xAE, 0x16,              // ldmxcsr [rsi]
      0xF2, 0x48, 0x0F, 0x2D, 0xC0,  // cvtsd2si rax, xmm0
      0x0F, 0xAE, 0x56, 0x04,        // ldmxcsr [rsi+4]
      0xF2, 0x48, 0x0F, 0x2D, 0xD8,  // cvtsd2si rbx, xmm0
      0x0F, 0xAE, 0x56, 0x08,        // ldmxcsr [rsi+8]
      0xF2, 0x48, 0x0F, 0x2D, 0xC8,  // cvtsd2si rcx, xmm0
      0x0F, 0xAE, 0x56, 0x0C,        // ldmxcsr [rsi+12]
      0xF2, 0x48, 0x0F, 0x2D, 0xD0,  // cvtsd2si rdx, xmm0
  });
  const uint32_t modes[4] = {0x1f80, 0x3f80, 0x5f80, 0x7f80};  // nearest, down, up, toward zero
  h.write(kData, modes, sizeof modes);
  h.cpu.gpr[RSI] = kData;
  h.cpu.xmm[0] = xmm_sd(-2.5);
  SECTION("outside a GuestFpEnv") { h.run(); }
  SECTION("inside a GuestFpEnv") {
    GuestFpEnv env(h.cpu);
    h.run();
  }
  CHECK(int64_t(h.cpu.gpr[RAX]) == -2);
  CHECK(int64_t(h.cpu.gpr[RBX]) == -3);
  CHECK(int64_t(h.cpu.gpr[RCX]) == -2);
  CHECK(int64_t(h.cpu.gpr[RDX]) == -2);
  CHECK(guest_mxcsr(h.cpu) == (0x7f80 | 0x20));  // PE from the inexact conversions
}

TEST_CASE("cvtsi2sd with REX.W converts a 64-bit integer and keeps the upper half", "[sse]") {
  Harness h({0xF2, 0x48, 0x0F, 0x2A, 0xC0});  // cvtsi2sd xmm0, rax
  h.cpu.gpr[RAX] = uint64_t(-1234567890123);
  h.cpu.xmm[0] = xmm_q(0, 0xdeadbeef);
  h.run();
  CHECK(h.cpu.xmm[0].f64[0] == -1234567890123.0);
  CHECK(h.cpu.xmm[0].q[1] == 0xdeadbeef);
}

// ---- compares and flags -------------------------------------------------------------

TEST_CASE("ucomisd sets ZF/PF/CF by the comparison and clears OF/SF/AF", "[sse]") {
  Harness h({0x66, 0x0F, 0x2E, 0xC1});  // ucomisd xmm0, xmm1
  struct Case {
    double a, b;
    uint64_t flags;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Case cases[] = {{1, 2, kCF}, {2, 1, 0}, {3, 3, kZF}, {-0.0, 0.0, kZF}, {nan, 1, kZF | kPF | kCF}};
  for (const Case& c : cases) {
    h.set_code({0x66, 0x0F, 0x2E, 0xC1});
    h.cpu.xmm[0] = xmm_sd(c.a);
    h.cpu.xmm[1] = xmm_sd(c.b);
    h.set_rflags(kOF | kSF | kAF | kZF | kPF | kCF | 2);
    h.cpu.mxcsr = 0x1f80;
    h.run();
    INFO(c.a << " vs " << c.b);
    CHECK((h.rflags() & kArithFlags) == c.flags);
    CHECK(h.cpu.mxcsr == 0x1f80);  // a quiet NaN is no invalid operation for UCOMISD
  }
}

TEST_CASE("comisd of a quiet NaN signals invalid operation, ucomisd doesn't", "[sse]") {
  Harness h({0x66, 0x0F, 0x2F, 0xC1});  // comisd xmm0, xmm1
  h.cpu.xmm[0] = xmm_sd(std::numeric_limits<double>::quiet_NaN());
  h.cpu.xmm[1] = xmm_sd(0);
  h.run();
  CHECK((h.rflags() & kArithFlags) == (kZF | kPF | kCF));
  CHECK(h.cpu.mxcsr == (0x1f80 | 0x01));
}

TEST_CASE("cmpsd with each predicate writes an all-ones or all-zero low quadword", "[sse]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // predicates EQ LT LE UNORD NEQ NLT NLE ORD for (1 op 2) and (NaN op 2)
  const bool one_two[8] = {false, true, true, false, true, false, false, true};
  const bool nan_two[8] = {false, false, false, true, true, true, true, false};
  for (uint8_t p = 0; p < 8; p++) {
    Harness h({0xF2, 0x0F, 0xC2, 0xC1, p, 0xF2, 0x0F, 0xC2, 0xD1, p});  // cmpsd xmm0,xmm1,p; cmpsd xmm2,xmm1,p
    h.cpu.xmm[0] = xmm_q(bits(1.0), 0x1111);
    h.cpu.xmm[1] = xmm_sd(2.0);
    h.cpu.xmm[2] = xmm_q(bits(nan), 0x2222);
    h.run();
    INFO("predicate " << int(p));
    CHECK(h.cpu.xmm[0].q[0] == (one_two[p] ? ~uint64_t{0} : 0));
    CHECK(h.cpu.xmm[0].q[1] == 0x1111);
    CHECK(h.cpu.xmm[2].q[0] == (nan_two[p] ? ~uint64_t{0} : 0));
    CHECK(h.cpu.xmm[2].q[1] == 0x2222);
  }
}

// ---- MXCSR ----------------------------------------------------------------------------

TEST_CASE("ldmxcsr with a reserved bit set raises SIGSEGV and leaves MXCSR unchanged", "[sse]") {
  Harness h({0x0F, 0xAE, 0x16});  // ldmxcsr [rsi]
  h.write<uint32_t>(kData, 0x10000 | 0x1f80);
  h.cpu.gpr[RSI] = kData;
  h.cpu.mxcsr = 0x3f80;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSiKernel);
  CHECK(h.cpu.mxcsr == 0x3f80);
}

TEST_CASE("stmxcsr after a division by zero shows ZE; the result is infinity", "[sse]") {
  Harness h({0xF2, 0x0F, 0x5E, 0xC1, 0x0F, 0xAE, 0x1E});  // divsd xmm0, xmm1; stmxcsr [rsi]
  h.cpu.gpr[RSI] = kData;
  h.cpu.xmm[0] = xmm_sd(1.0);
  h.cpu.xmm[1] = xmm_sd(0.0);
  SECTION("outside a GuestFpEnv") { h.run(); }
  SECTION("inside a GuestFpEnv") {
    GuestFpEnv env(h.cpu);
    h.run();
  }
  CHECK(h.read<uint32_t>(kData) == (0x1f80 | 0x04));
  CHECK(h.cpu.mxcsr == (0x1f80 | 0x04));
  CHECK(std::isinf(h.cpu.xmm[0].f64[0]));
}

TEST_CASE("an unmasked divide-by-zero raises SIGFPE (FPE_FLTDIV) and leaves the destination unchanged", "[sse]") {
  Harness h({0xF2, 0x0F, 0x5E, 0xC1});  // divsd xmm0, xmm1
  h.cpu.xmm[0] = xmm_sd(1.0, 7.0);
  h.cpu.xmm[1] = xmm_sd(0.0);
  h.cpu.mxcsr = 0x1f80 & ~0x200u;  // ZM clear
  std::optional<mm::GuestFault> f;
  SECTION("outside a GuestFpEnv") { f = h.run_fault(); }
  SECTION("inside a GuestFpEnv") {
    GuestFpEnv env(h.cpu);
    f = h.run_fault();
  }
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->code == 3);  // FPE_FLTDIV
  CHECK(f->addr == Harness::kCodeAddr);
  CHECK(same(h.cpu.xmm[0], xmm_sd(1.0, 7.0)));
  CHECK(h.cpu.mxcsr == ((0x1f80 & ~0x200u) | 0x04));  // the flag is still set, as on hardware
}

TEST_CASE("ldmxcsr that unmasks an exception inside a GuestFpEnv takes effect at once", "[sse]") {
  Harness h({0x0F, 0xAE, 0x16, 0xF2, 0x0F, 0x5E, 0xC1});  // ldmxcsr [rsi]; divsd xmm0, xmm1
  h.write<uint32_t>(kData, 0x1f80 & ~0x200u);
  h.cpu.gpr[RSI] = kData;
  h.cpu.xmm[0] = xmm_sd(1.0);
  h.cpu.xmm[1] = xmm_sd(0.0);
  std::optional<mm::GuestFault> f;
  {
    GuestFpEnv env(h.cpu);
    f = h.run_fault();
  }
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->addr == Harness::kCodeAddr + 3);
}

TEST_CASE("GuestFpEnv gives the guest its MXCSR and restores the host's", "[sse]") {
  Cpu cpu;
  cpu.mxcsr = 0x7f80 | 0x8040;  // toward zero, DAZ, FTZ
  const uint32_t host = _mm_getcsr();
  {
    GuestFpEnv env(cpu);
    CHECK(_mm_getcsr() == 0xffc0);
    volatile double x = 1.0, y = 3.0;
    volatile double q = x / y;  // inexact: PE into the guest's MXCSR
    (void)q;
    CHECK(guest_mxcsr(cpu) == (0xffc0 | 0x20));
  }
  CHECK(_mm_getcsr() == host);
  CHECK(cpu.mxcsr == (0xffc0 | 0x20));
}

TEST_CASE("DAZ reads a denormal operand as zero and FTZ flushes a denormal result", "[sse]") {
  Harness h({0xF2, 0x0F, 0x58, 0xC1, 0xF2, 0x0F, 0x59, 0xD3});  // addsd xmm0, xmm1; mulsd xmm2, xmm3
  h.cpu.xmm[0] = xmm_sd(0.0);
  h.cpu.xmm[1] = xmm_q(1, 0);  // smallest denormal
  h.cpu.xmm[2] = xmm_sd(1e-300);
  h.cpu.xmm[3] = xmm_sd(1e-10);  // product 1e-310 is denormal
  h.cpu.mxcsr = 0x1f80 | 0x0040 | 0x8000;
  h.run();
  CHECK(h.cpu.xmm[0].q[0] == 0);
  CHECK(h.cpu.xmm[2].q[0] == 0);
  CHECK((h.cpu.mxcsr & 0x30) == 0x30);  // UE and PE from the flushed product
}

// ---- FXSAVE / FXRSTOR --------------------------------------------------------------------

TEST_CASE("fxsave stores FCW, MXCSR, MXCSR_MASK and XMM0-15 at the SDM offsets; fxrstor reloads them", "[sse]") {
  Harness h({0x0F, 0xAE, 0x06});  // fxsave [rsi]
  h.cpu.gpr[RSI] = kData + 512;
  for (int i = 0; i < 16; i++) h.cpu.xmm[i] = xmm_q(0x1000 + i, 0x2000 + i);
  h.cpu.mxcsr = 0x3f81;
  h.write<uint64_t>(kData + 512 + 464, 0x5050505050505050);  // software-available bytes
  h.run();
  CHECK(h.read<uint16_t>(kData + 512) == 0x037f);  // FCW
  CHECK(h.read<uint8_t>(kData + 512 + 4) == 0);    // abridged FTW: all empty
  CHECK(h.read<uint32_t>(kData + 512 + 24) == 0x3f81);
  CHECK(h.read<uint32_t>(kData + 512 + 28) == 0xffff);
  for (int i = 0; i < 16; i++) {
    CHECK(h.read<uint64_t>(kData + 512 + 160 + 16 * i) == uint64_t(0x1000 + i));
    CHECK(h.read<uint64_t>(kData + 512 + 168 + 16 * i) == uint64_t(0x2000 + i));
  }
  CHECK(h.read<uint64_t>(kData + 512 + 464) == 0x5050505050505050);

  h.write<uint64_t>(kData + 512 + 160 + 16 * 9, 0xabcdef);
  h.write<uint32_t>(kData + 512 + 24, 0x1f80 | 0x6000);
  for (auto& x : h.cpu.xmm) x = xmm_q(0, 0);
  h.set_code({0x0F, 0xAE, 0x0E});  // fxrstor [rsi]
  h.run();
  CHECK(h.cpu.xmm[9].q[0] == 0xabcdef);
  CHECK(h.cpu.xmm[15].q[1] == 0x200f);
  CHECK(h.cpu.mxcsr == 0x7f80);
}

TEST_CASE("fxsave to a misaligned address and fxrstor of reserved MXCSR bits fault", "[sse]") {
  Harness h({0x0F, 0xAE, 0x06});  // fxsave [rsi]
  h.cpu.gpr[RSI] = kData + 8;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);

  h.set_code({0x0F, 0xAE, 0x0E});  // fxrstor [rsi]
  h.cpu.gpr[RSI] = kData;
  h.write<uint32_t>(kData + 24, 0x80000000);
  h.cpu.xmm[0] = xmm_q(5, 6);
  f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(same(h.cpu.xmm[0], xmm_q(5, 6)));
  CHECK(h.cpu.mxcsr == 0x1f80);
}

TEST_CASE("fx_save and fx_restore round-trip the SSE state for signal frames", "[sse]") {
  Cpu cpu;
  for (int i = 0; i < 16; i++) cpu.xmm[i] = xmm_q(i, ~uint64_t(i));
  cpu.mxcsr = 0x3fa0;
  alignas(16) uint8_t area[kFxAreaSize] = {};
  fx_save(cpu, area);
  Cpu other;
  REQUIRE(fx_restore(other, area));
  CHECK(other.mxcsr == 0x3fa0);
  for (int i = 0; i < 16; i++) CHECK(same(other.xmm[i], cpu.xmm[i]));
  area[26] = 0x01;  // MXCSR bit 16: reserved
  CHECK_FALSE(fx_restore(other, area));
}

// ---- encodings -----------------------------------------------------------------------------

TEST_CASE("a LOCK prefix makes an SSE instruction raise SIGILL", "[sse]") {
  Harness h({0xF0, 0x0F, 0x58, 0xC1});  // lock addps xmm0, xmm1
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
}

TEST_CASE("F2 overrides 66 as the mandatory prefix: 66 F2 0F 58 is addsd", "[sse]") {
  Harness h({0x66, 0xF2, 0x0F, 0x58, 0xC1});
  h.cpu.xmm[0] = xmm_sd(1.5, 100.0);
  h.cpu.xmm[1] = xmm_sd(2.0, 200.0);
  h.run();
  CHECK(h.cpu.xmm[0].f64[0] == 3.5);
  CHECK(h.cpu.xmm[0].f64[1] == 100.0);
}

TEST_CASE("movd to a 32-bit GPR zero-extends; movq with REX.W moves 64 bits", "[sse]") {
  Harness h({
      0x66, 0x0F, 0x7E, 0xC0,        // movd eax, xmm0
      0x66, 0x48, 0x0F, 0x6E, 0xCB,  // movq xmm1, rbx
      0x66, 0x48, 0x0F, 0x7E, 0xC1,  // movq rcx, xmm0
  });
  h.cpu.xmm[0] = xmm_q(0xfedcba9876543210, 7);
  h.cpu.xmm[1] = xmm_q(1, 1);
  h.cpu.gpr[RAX] = ~uint64_t{0};
  h.cpu.gpr[RBX] = 0x0123456789abcdef;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x76543210);
  CHECK(same(h.cpu.xmm[1], xmm_q(0x0123456789abcdef, 0)));
  CHECK(h.cpu.gpr[RCX] == 0xfedcba9876543210);
}

}  // namespace
}  // namespace emu::test

namespace emu::test {
namespace {

// Not run by default ([.]): the cost of the MXCSR protocol. Prints ns per
// guest instruction for FP arithmetic inside a GuestFpEnv (the run loop's
// state), outside one (per-instruction MXCSR switch), and for integer SSE
// (no MXCSR involvement) as the baseline.
TEST_CASE("cost of guest MXCSR handling per SSE instruction", "[.][sse][bench]") {
  auto loop = [](std::initializer_list<uint8_t> op) {
    std::vector<uint8_t> code = {0xB9, 0x40, 0x42, 0x0F, 0x00};  // mov ecx, 1000000
    const size_t top = code.size();
    for (int i = 0; i < 16; i++) code.insert(code.end(), op);
    code.insert(code.end(), {0xFF, 0xC9, 0x75});  // dec ecx; jnz top
    code.push_back(uint8_t(int(top) - int(code.size() + 1)));
    return code;
  };
  auto time_ns = [](Harness& h, bool env) {
    h.cpu.rip = Harness::kCodeAddr;
    const auto t0 = std::chrono::steady_clock::now();
    if (env) {
      GuestFpEnv e(h.cpu);
      h.run();
    } else {
      h.run();
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / (1000000.0 * 18);
  };
  Harness add(loop({0xF2, 0x0F, 0x58, 0xC1}));   // addsd xmm0, xmm1
  Harness pxor(loop({0x66, 0x0F, 0xEF, 0xC1}));  // pxor xmm0, xmm1
  add.cpu.xmm[1] = xmm_sd(1e-3);
  WARN("addsd inside GuestFpEnv:  " << time_ns(add, true) << " ns/insn");
  WARN("addsd outside GuestFpEnv: " << time_ns(add, false) << " ns/insn");
  WARN("pxor (no MXCSR):          " << time_ns(pxor, false) << " ns/insn");
}

}  // namespace
}  // namespace emu::test
