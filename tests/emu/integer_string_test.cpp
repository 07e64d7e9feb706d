// String instructions: MOVS/STOS/LODS/CMPS/SCAS with and without REP, both
// directions, the chunked fast paths and their edge cases.
#include <catch2/catch.hpp>

#include <csignal>
#include <numeric>

#include "emu/flags.h"
#include "tests/emu/harness.h"

using namespace emu;
using emu::test::Harness;

namespace {

constexpr uint64_t D = Harness::kDataAddr;

std::vector<uint8_t> iota_bytes(size_t n, uint8_t start = 1) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

}  // namespace

TEST_CASE("rep movsb copies across page boundaries", "[integer][string]") {
  Harness h({0xF3, 0xA4});
  const auto src = iota_bytes(0x1ff0);
  h.write(D, src.data(), src.size());
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 0x2000 + 3;  // a different page offset than the source
  h.cpu.gpr[RCX] = src.size();
  h.run();
  std::vector<uint8_t> out(0x1ff0);
  h.read(D + 0x2003, out.data(), out.size());
  CHECK(std::equal(out.begin(), out.end(), src.begin()));
  CHECK(h.cpu.gpr[RCX] == 0);
  CHECK(h.cpu.gpr[RSI] == D + 0x1ff0);
  CHECK(h.cpu.gpr[RDI] == D + 0x2003 + 0x1ff0);
}

TEST_CASE("rep movsq copies qwords and advances by 8", "[integer][string]") {
  Harness h({0xF3, 0x48, 0xA5});
  for (uint64_t i = 0; i < 100; ++i) h.write<uint64_t>(D + 8 * i, i * 0x0101010101010101);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 0x1004;
  h.cpu.gpr[RCX] = 100;
  h.run();
  for (uint64_t i = 0; i < 100; ++i) CHECK(h.read<uint64_t>(D + 0x1004 + 8 * i) == i * 0x0101010101010101);
  CHECK(h.cpu.gpr[RDI] == D + 0x1004 + 800);
}

TEST_CASE("rep movsb with the destination one byte ahead replicates the first byte", "[integer][string]") {
  Harness h({0xF3, 0xA4});
  h.write<uint8_t>(D, 0xab);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 1;
  h.cpu.gpr[RCX] = 300;
  h.run();
  for (int i = 0; i <= 300; ++i) REQUIRE(h.read<uint8_t>(D + i) == 0xab);
}

TEST_CASE("rep movsd with the destination a few elements ahead replicates the pattern", "[integer][string]") {
  Harness h({0xF3, 0xA5});
  for (uint32_t i = 0; i < 3; ++i) h.write<uint32_t>(D + 4 * i, 100 + i);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 12;
  h.cpu.gpr[RCX] = 30;
  h.run();
  for (uint32_t i = 0; i < 33; ++i) REQUIRE(h.read<uint32_t>(D + 4 * i) == 100 + i % 3);
}

TEST_CASE("rep movsb with DF set copies backwards", "[integer][string]") {
  Harness h({0xFD, 0xF3, 0xA4, 0xFC});  // std; rep movsb; cld
  const auto src = iota_bytes(16);
  h.write(D, src.data(), src.size());
  // Overlapping move up by 4, done from the end: memmove semantics.
  h.cpu.gpr[RSI] = D + 15;
  h.cpu.gpr[RDI] = D + 19;
  h.cpu.gpr[RCX] = 16;
  h.run();
  std::vector<uint8_t> out(16);
  h.read(D + 4, out.data(), out.size());
  CHECK(out == src);
  CHECK(h.cpu.gpr[RSI] == D - 1);
  CHECK(h.cpu.gpr[RDI] == D + 3);
}

TEST_CASE("rep stos fills memory with each size", "[integer][string]") {
  Harness hb({0xF3, 0xAA});
  hb.cpu.gpr[RAX] = 0x5a;
  hb.cpu.gpr[RDI] = D + 1;
  hb.cpu.gpr[RCX] = 5000;
  hb.run();
  CHECK(hb.read<uint8_t>(D) == 0);
  CHECK(hb.read<uint8_t>(D + 1) == 0x5a);
  CHECK(hb.read<uint8_t>(D + 5000) == 0x5a);
  CHECK(hb.read<uint8_t>(D + 5001) == 0);
  CHECK(hb.cpu.gpr[RDI] == D + 5001);

  Harness hq({0xF3, 0x48, 0xAB});
  hq.cpu.gpr[RAX] = 0x1122334455667788;
  hq.cpu.gpr[RDI] = D + 0xffc;  // elements straddle the page boundary
  hq.cpu.gpr[RCX] = 10;
  hq.run();
  for (int i = 0; i < 10; ++i) CHECK(hq.read<uint64_t>(D + 0xffc + 8 * i) == 0x1122334455667788);
  CHECK(hq.cpu.gpr[RCX] == 0);
}

TEST_CASE("rep stosd with DF set fills downwards", "[integer][string]") {
  Harness h({0xFD, 0xF3, 0xAB, 0xFC});
  h.cpu.gpr[RAX] = 0xdeadbeef;
  h.cpu.gpr[RDI] = D + 40;
  h.cpu.gpr[RCX] = 3;
  h.run();
  CHECK(h.read<uint32_t>(D + 40) == 0xdeadbeef);
  CHECK(h.read<uint32_t>(D + 32) == 0xdeadbeef);
  CHECK(h.read<uint32_t>(D + 28) == 0);
  CHECK(h.cpu.gpr[RDI] == D + 28);
}

TEST_CASE("rep with rcx zero does nothing", "[integer][string]") {
  Harness h({0xF3, 0xA4, 0xF3, 0xAA});
  h.cpu.gpr[RSI] = 0x1000;  // unmapped: must not be touched
  h.cpu.gpr[RDI] = 0x2000;
  h.cpu.gpr[RCX] = 0;
  h.run();
  CHECK(h.cpu.gpr[RSI] == 0x1000);
  CHECK(h.cpu.gpr[RDI] == 0x2000);
}

TEST_CASE("a fault in the middle of rep movsb leaves rsi rdi rcx at the faulting element", "[integer][string]") {
  Harness h({0xF3, 0xA4});
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + Harness::kDataSize - 100;  // runs off the end of the data mapping
  h.cpu.gpr[RCX] = 1000;
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == D + Harness::kDataSize);
  CHECK(h.cpu.gpr[RCX] == 900);
  CHECK(h.cpu.gpr[RSI] == D + 100);
  CHECK(h.cpu.gpr[RDI] == D + Harness::kDataSize);
  CHECK(h.cpu.rip == Harness::kCodeAddr);
}

TEST_CASE("movs and stos without rep move one element", "[integer][string]") {
  Harness h({0x48, 0xA5, 0x66, 0xAB});  // movsq; stosw
  h.write<uint64_t>(D, 0x0102030405060708);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 16;
  h.cpu.gpr[RAX] = 0xbeef;
  h.cpu.gpr[RCX] = 77;
  h.run();
  CHECK(h.read<uint64_t>(D + 16) == 0x0102030405060708);
  CHECK(h.read<uint16_t>(D + 24) == 0xbeef);
  CHECK(h.cpu.gpr[RCX] == 77);
  CHECK(h.cpu.gpr[RDI] == D + 26);
}

TEST_CASE("lodsd zero-extends rax and advances rsi", "[integer][string]") {
  Harness h({0xAD});
  h.write<uint32_t>(D, 0x89abcdef);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RAX] = ~uint64_t{0};
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x89abcdef);
  CHECK(h.cpu.gpr[RSI] == D + 4);
}

TEST_CASE("repne scasb finds a byte like strlen", "[integer][string]") {
  Harness h({0xF2, 0xAE});
  const char s[] = "hello, world";
  h.write(D, s, sizeof s);
  h.cpu.gpr[RDI] = D;
  h.cpu.gpr[RAX] = 0;
  h.cpu.gpr[RCX] = ~uint64_t{0};
  h.run();
  CHECK(h.cpu.gpr[RDI] == D + sizeof s);
  CHECK(~h.cpu.gpr[RCX] - 1 == sizeof s - 1);
  CHECK((h.rflags() & kZF) != 0);
}

TEST_CASE("repe cmpsb stops at the first difference", "[integer][string]") {
  Harness h({0xF3, 0xA6});
  h.write(D, "abcdef", 6);
  h.write(D + 100, "abcxef", 6);
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 100;
  h.cpu.gpr[RCX] = 6;
  h.run();
  CHECK(h.cpu.gpr[RCX] == 2);
  CHECK(h.cpu.gpr[RSI] == D + 4);
  CHECK((h.rflags() & kZF) == 0);
  CHECK((h.rflags() & kCF) != 0);  // 'd' < 'x'
}

TEST_CASE("repe cmpsq over equal buffers runs to rcx zero with ZF set", "[integer][string]") {
  Harness h({0xF3, 0x48, 0xA7});
  for (int i = 0; i < 8; ++i) {
    h.write<uint64_t>(D + 8 * i, i);
    h.write<uint64_t>(D + 200 + 8 * i, i);
  }
  h.cpu.gpr[RSI] = D;
  h.cpu.gpr[RDI] = D + 200;
  h.cpu.gpr[RCX] = 8;
  h.run();
  CHECK(h.cpu.gpr[RCX] == 0);
  CHECK((h.rflags() & kZF) != 0);
}

TEST_CASE("scasw with DF set compares and moves backwards", "[integer][string]") {
  Harness h({0xFD, 0x66, 0xAF, 0xFC});
  h.write<uint16_t>(D + 10, 0x1234);
  h.cpu.gpr[RDI] = D + 10;
  h.cpu.gpr[RAX] = 0x1234;
  h.run();
  CHECK(h.cpu.gpr[RDI] == D + 8);
  CHECK((h.rflags() & kZF) != 0);
}

TEST_CASE("rep movsb with 0x67 uses esi edi ecx", "[integer][string]") {
  Harness h({0x67, 0xF3, 0xA4});
  h.write(D, "xyz", 3);
  h.cpu.gpr[RSI] = 0xffffffff00000000 | D;
  h.cpu.gpr[RDI] = 0xffffffff00000000 | (D + 8);
  h.cpu.gpr[RCX] = 0xffffffff00000003;
  h.run();
  char out[3];
  h.read(D + 8, out, 3);
  CHECK(std::string(out, 3) == "xyz");
  CHECK(h.cpu.gpr[RCX] == 0);
  CHECK(h.cpu.gpr[RSI] == D + 3);
}

TEST_CASE("rep stosb into the code page invalidates the decoded code", "[integer][string]") {
  // rep stosb overwrites the following instruction (mov eax, 1) with NOPs.
  Harness h({0xF3, 0xAA,                    // rep stosb
             0xB8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1  (overwritten)
             });
  h.cpu.gpr[RDI] = Harness::kCodeAddr + 2;
  h.cpu.gpr[RCX] = 5;
  h.cpu.gpr[RAX] = 0x90;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x90);
}
