// MMX behaviour with stated inputs and expected outputs (SDM vol. 1 ch. 9
// and vol. 2 pseudocode; where the AMD host goes beyond the SDM, the comment
// says so): the aliasing of MM0-7 onto the x87 registers, the x87 state an
// MMX instruction leaves, EMMS, FXSAVE/FNSAVE images, and one idiom per
// operation shape (saturation, packs, unpack-high, PSHUFB's 3-bit indices,
// PALIGNR, PMOVMSKB, MASKMOVQ, the conversions).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <vector>

#include "emu/ops/x87_state.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

constexpr uint64_t kData = Harness::kDataAddr;

uint64_t mant(const long double& v) {
  uint64_t m;
  std::memcpy(&m, &v, 8);
  return m;
}
uint16_t sexp(const long double& v) {
  uint16_t e;
  std::memcpy(&e, reinterpret_cast<const uint8_t*>(&v) + 8, 2);
  return e;
}
long double ext(uint16_t se, uint64_t m) {
  long double v = 0;
  std::memcpy(&v, &m, 8);
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 8, &se, 2);
  return v;
}
void set_mm(Cpu& cpu, int n, uint64_t v) { cpu.x87.st[n] = ext(0xffff, v); }
uint64_t mm(const Cpu& cpu, int n) { return mant(cpu.x87.st[n]); }

// ---- the x87 state ------------------------------------------------------------------

TEST_CASE("an MMX write sets TOP to 0, tags every register valid and the written one's exponent to FFFF",
          "[mmx]") {
  Harness h({0x48, 0x0F, 0x6E, 0xD8});  // movq mm3, rax
  h.cpu.gpr[RAX] = 0x1122334455667788;
  h.cpu.x87.top = 6;
  h.cpu.x87.valid = 0xc0;  // R6, R7: two values pushed
  for (int r = 0; r < 8; r++) h.cpu.x87.st[r] = ext(0x3fff, 0x8000000000000000);  // 1.0
  h.run();
  CHECK(h.cpu.x87.top == 0);
  CHECK(h.cpu.x87.valid == 0xff);
  CHECK(mm(h.cpu, 3) == 0x1122334455667788);
  CHECK(sexp(h.cpu.x87.st[3]) == 0xffff);
  for (int r : {0, 1, 2, 4, 5, 6, 7}) CHECK(sexp(h.cpu.x87.st[r]) == 0x3fff);  // untouched
}

TEST_CASE("an MMX read also sets TOP to 0 and tags every register valid, but changes no register", "[mmx]") {
  Harness h({0x0F, 0x7E, 0xC8});  // movd eax, mm1
  h.cpu.x87.top = 5;
  h.cpu.x87.valid = 0x20;
  h.cpu.x87.st[1] = ext(0x4000, 0x80000000deadbeef);  // an x87 number: its significand is MM1
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xdeadbeef);
  CHECK(h.cpu.x87.top == 0);
  CHECK(h.cpu.x87.valid == 0xff);
  CHECK(sexp(h.cpu.x87.st[1]) == 0x4000);
}

TEST_CASE("EMMS tags every register empty and, as on the AMD host, sets TOP to 0", "[mmx]") {
  Harness h({0x0F, 0x77});
  h.cpu.x87.top = 3;
  h.cpu.x87.valid = 0xff;
  set_mm(h.cpu, 2, 42);
  h.run();
  CHECK(h.cpu.x87.valid == 0);
  CHECK(h.cpu.x87.top == 0);
  CHECK(mm(h.cpu, 2) == 42);  // contents stay
}

TEST_CASE("x87 then MMX: FLD1 from an empty stack lands in R7, which MOVQ reads as MM7", "[mmx][x87]") {
  Harness h({0xD9, 0xE8, 0x48, 0x0F, 0x7E, 0xF8});  // fld1; movq rax, mm7
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x8000000000000000);  // 1.0's significand
  CHECK(h.cpu.x87.top == 0);
  CHECK(h.cpu.x87.valid == 0xff);
}

TEST_CASE("MMX then x87: after EMMS the registers can be pushed again without stack overflow", "[mmx][x87]") {
  // movq mm0, rax; emms; fld1; fstp qword [data]
  Harness h({0x48, 0x0F, 0x6E, 0xC0, 0x0F, 0x77, 0xD9, 0xE8, 0xDD, 0x1C, 0x25, 0x00, 0x00, 0x00, 0x10});
  h.cpu.gpr[RAX] = 7;
  h.run();
  CHECK(h.read<uint64_t>(kData) == 0x3ff0000000000000);  // 1.0, not the indefinite
  CHECK((h.cpu.x87.fsw & 0x41) == 0);                    // no stack fault (IE, SF)
}

TEST_CASE("MMX without EMMS leaves a full stack: the next FLD overflows (IE, SF, C1)", "[mmx][x87]") {
  Harness h({0x0F, 0xEF, 0xC0, 0xD9, 0xE8});  // pxor mm0, mm0; fld1
  h.run();
  CHECK((h.cpu.x87.fsw & 0x241) == 0x241);
  CHECK(sexp(h.cpu.x87.st[7]) == 0xffff);  // the QNaN indefinite was pushed into R7
  CHECK(mant(h.cpu.x87.st[7]) == 0xc000000000000000);
}

TEST_CASE("FXSAVE and FNSAVE store MM values in the ST slots, in stack order", "[mmx]") {
  Harness h({0x0F, 0x6E, 0xC8, 0x0F, 0xAE, 0x06});  // movd mm1, eax; fxsave [rsi]
  h.cpu.gpr[RAX] = 0xabcd;
  h.cpu.gpr[RSI] = kData;
  h.cpu.x87.top = 4;
  h.run();
  // TOP is 0 after the MMX write, so ST1 (slot 1, bytes 48..57) is R1 = MM1.
  CHECK(h.read<uint64_t>(kData + 48) == 0xabcd);
  CHECK(h.read<uint16_t>(kData + 56) == 0xffff);
  CHECK(h.read<uint8_t>(kData + 4) == 0xff);  // abridged tags: all valid
  CHECK((h.read<uint16_t>(kData + 2) & 0x3800) == 0);

  Harness s({0x0F, 0x6E, 0xC8, 0xDD, 0x36});  // movd mm1, eax; fnsave [rsi]
  s.cpu.gpr[RAX] = 0xabcd;
  s.cpu.gpr[RSI] = kData;
  s.run();
  CHECK(s.read<uint64_t>(kData + kX87EnvSize + 10) == 0xabcd);  // ST1
  CHECK(s.read<uint16_t>(kData + kX87EnvSize + 18) == 0xffff);
  CHECK((s.read<uint16_t>(kData + 8) >> 2 & 3) == 2);  // full tag of R1: special (exponent FFFF)
}

TEST_CASE("a pending unmasked x87 exception is delivered at the next MMX instruction as SIGFPE", "[mmx][x87]") {
  // fldcw [data] (ZE unmasked); fld1; fldz; fdivp (1/0: ZE pending); paddb mm0, mm1
  Harness h({0xD9, 0x2C, 0x25, 0x00, 0x00, 0x00, 0x10, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0x0F, 0xFC, 0xC1});
  h.write<uint16_t>(kData, 0x037b);
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->code == 3);                         // FPE_FLTDIV
  CHECK(f->addr == Harness::kCodeAddr + 13);   // the PADDB, not the FDIVP
  CHECK((h.cpu.x87.fsw & 0x8084) == 0x8084);  // ZE, ES, B still set
  CHECK(h.cpu.x87.valid != 0xff);              // the MMX instruction did not run
}

// ---- operations ------------------------------------------------------------------------

TEST_CASE("paddusb and psubsw saturate per element", "[mmx]") {
  Harness h({0x0F, 0xDC, 0xC1, 0x0F, 0xE9, 0xD3});  // paddusb mm0, mm1; psubsw mm2, mm3
  set_mm(h.cpu, 0, 0x00ff80017f000102);
  set_mm(h.cpu, 1, 0x0101808001000304);
  set_mm(h.cpu, 2, 0x8000'7fff'0005'fffe);
  set_mm(h.cpu, 3, 0x0001'ffff'0007'0001);
  h.run();
  CHECK(mm(h.cpu, 0) == 0x01ffff8180000406);
  CHECK(mm(h.cpu, 2) == 0x8000'7fff'fffe'fffd);
}

TEST_CASE("packsswb packs the destination's words, then the source's", "[mmx]") {
  Harness h({0x0F, 0x63, 0xC1});  // packsswb mm0, mm1
  set_mm(h.cpu, 0, 0x0080'ff7f'fffe'0005);  // 128 -> 127, -129 -> -128, -2, 5
  set_mm(h.cpu, 1, 0x8000'7fff'0001'0000);  // -32768 -> -128, 32767 -> 127, 1, 0
  h.run();
  CHECK(mm(h.cpu, 0) == 0x807f0100'7f80fe05);
}

TEST_CASE("punpckhbw interleaves the high halves", "[mmx]") {
  Harness h({0x0F, 0x68, 0xC1});  // punpckhbw mm0, mm1
  set_mm(h.cpu, 0, 0xa7a6a5a4a3a2a1a0);
  set_mm(h.cpu, 1, 0xb7b6b5b4b3b2b1b0);
  h.run();
  CHECK(mm(h.cpu, 0) == 0xb7a7b6a6b5a5b4a4);
}

TEST_CASE("phaddw mm adds pairs of the destination, then of the source", "[mmx][ssse3]") {
  Harness h({0x0F, 0x38, 0x01, 0xC1});  // phaddw mm0, mm1
  set_mm(h.cpu, 0, 0x0004'0003'0002'0001);
  set_mm(h.cpu, 1, 0x0040'0030'0020'0010);
  h.run();
  CHECK(mm(h.cpu, 0) == 0x0070'0030'0007'0003);
}

TEST_CASE("pshufb mm uses index bits 2:0 and zeroes where bit 7 is set", "[mmx][ssse3]") {
  Harness h({0x0F, 0x38, 0x00, 0xC1});  // pshufb mm0, mm1
  set_mm(h.cpu, 0, 0xa7a6a5a4a3a2a1a0);
  set_mm(h.cpu, 1, 0x80'0f'08'07'09'00'8f'01);  // 0x0f and 0x08 wrap to 7 and 0
  h.run();
  CHECK(mm(h.cpu, 0) == 0x00'a7'a0'a7'a1'a0'00'a1);
}

TEST_CASE("palignr mm shifts the 16-byte dest:src right by imm8 bytes", "[mmx][ssse3]") {
  for (const auto& [imm, want] : std::vector<std::pair<uint8_t, uint64_t>>{
           {0, 0xb7b6b5b4b3b2b1b0}, {3, 0xa2a1a0b7b6b5b4b3}, {8, 0xa7a6a5a4a3a2a1a0},
           {13, 0x0000000000a7a6a5}, {16, 0}, {255, 0}}) {
    Harness h({0x0F, 0x3A, 0x0F, 0xC1, imm});  // palignr mm0, mm1, imm
    set_mm(h.cpu, 0, 0xa7a6a5a4a3a2a1a0);
    set_mm(h.cpu, 1, 0xb7b6b5b4b3b2b1b0);
    h.run();
    INFO(int(imm));
    CHECK(mm(h.cpu, 0) == want);
  }
}

TEST_CASE("pmovmskb r32, mm and pextrw/pinsrw use the low bits of the index", "[mmx]") {
  // pmovmskb eax, mm1; pextrw ecx, mm1, 6 (6 & 3 = 2); pinsrw mm2, edx, 5 (word 1)
  Harness h({0x0F, 0xD7, 0xC1, 0x0F, 0xC5, 0xC9, 0x06, 0x0F, 0xC4, 0xD2, 0x05});
  set_mm(h.cpu, 1, 0x80'7f'ff'00'8000'0001);
  h.cpu.gpr[RAX] = h.cpu.gpr[RCX] = ~0ull;
  h.cpu.gpr[RDX] = 0xbeef;
  set_mm(h.cpu, 2, 0);
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0b10101000);  // bytes 3, 5, 7
  CHECK(h.cpu.gpr[RCX] == 0xff00);
  CHECK(mm(h.cpu, 2) == 0x00000000beef0000);
}

TEST_CASE("maskmovq writes only the bytes whose mask byte has its top bit set, at RDI", "[mmx]") {
  Harness h({0x0F, 0xF7, 0xC1});  // maskmovq mm0, mm1
  h.cpu.gpr[RDI] = kData + 3;
  h.write<uint64_t>(kData + 3, 0x1111111111111111);
  set_mm(h.cpu, 0, 0xa7a6a5a4a3a2a1a0);
  set_mm(h.cpu, 1, 0x8000000080ff7f00);
  h.run();
  CHECK(h.read<uint64_t>(kData + 3) == 0xa7111111a3a21111);
}

TEST_CASE("cvtps2pi rounds per MXCSR and cvttps2pi truncates; out of range is 0x80000000", "[mmx]") {
  // cvtps2pi mm0, xmm1; cvttps2pi mm2, xmm1
  Harness h({0x0F, 0x2D, 0xC1, 0x0F, 0x2C, 0xD1});
  h.cpu.xmm[1].d[0] = 0x40200000;  // 2.5
  h.cpu.xmm[1].d[1] = 0x4f000000;  // 2^31
  h.cpu.xmm[1].d[2] = 0x7fc00000;  // a NaN in lane 2 must not raise IE: only two lanes convert
  h.cpu.mxcsr = 0x1f80;            // round to nearest even
  h.run();
  CHECK(mm(h.cpu, 0) == 0x80000000'00000002);
  CHECK(mm(h.cpu, 2) == 0x80000000'00000002);
  CHECK((h.cpu.mxcsr & 0x3f) == 0x21);  // IE (2^31), PE (2.5)
}

TEST_CASE("punpcklbw mm, m32 reads only 4 bytes: an operand ending at the last mapped byte does not fault",
          "[mmx]") {
  Harness h({0x0F, 0x60, 0x06});  // punpcklbw mm0, [rsi]
  const uint64_t end = Harness::kDataAddr + Harness::kDataSize;
  h.cpu.gpr[RSI] = end - 4;
  h.write<uint32_t>(end - 4, 0xb3b2b1b0);
  set_mm(h.cpu, 0, 0xa7a6a5a4a3a2a1a0);
  REQUIRE_FALSE(h.run_fault());
  CHECK(mm(h.cpu, 0) == 0xb3a3b2a2b1a1b0a0);
}

TEST_CASE("a faulting maskmovq has already done the MMX transition (as the host); a faulting movq has not",
          "[mmx]") {
  Harness m({0x0F, 0xF7, 0xC1});  // maskmovq mm0, mm1 to [rdi]: unmapped
  m.cpu.gpr[RDI] = 0x1000;
  set_mm(m.cpu, 1, ~0ull);
  m.cpu.x87.top = 5;
  const auto f = m.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(m.cpu.x87.top == 0);
  CHECK(m.cpu.x87.valid == 0xff);

  Harness q({0x0F, 0x7F, 0x07});  // movq [rdi], mm0: unmapped
  q.cpu.gpr[RDI] = 0x1000;
  q.cpu.x87.top = 5;
  REQUIRE(q.run_fault());
  CHECK(q.cpu.x87.top == 5);
  CHECK(q.cpu.x87.valid == 0);
}

TEST_CASE("movq2dq zero-extends into the XMM register; movdq2q takes the low quadword", "[mmx]") {
  Harness h({0xF3, 0x0F, 0xD6, 0xC1, 0xF2, 0x0F, 0xD6, 0xD3});  // movq2dq xmm0, mm1; movdq2q mm2, xmm3
  set_mm(h.cpu, 1, 0x0123456789abcdef);
  h.cpu.xmm[0].q[1] = ~0ull;
  h.cpu.xmm[3].q[0] = 0xfedcba9876543210;
  h.cpu.xmm[3].q[1] = 5;
  h.run();
  CHECK(h.cpu.xmm[0].q[0] == 0x0123456789abcdef);
  CHECK(h.cpu.xmm[0].q[1] == 0);
  CHECK(mm(h.cpu, 2) == 0xfedcba9876543210);
}

}  // namespace
}  // namespace emu::test
