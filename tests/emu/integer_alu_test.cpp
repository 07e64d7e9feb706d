// Integer ALU, shift, multiply/divide and bit instructions: stated inputs,
// expected registers and flags. (Exhaustive comparisons against the host CPU
// are in integer_host_test.cpp.)
#include <catch2/catch.hpp>

#include <csignal>

#include "emu/flags.h"
#include "tests/emu/harness.h"

using namespace emu;
using emu::test::Harness;

namespace {

constexpr uint64_t kArith = kCF | kPF | kAF | kZF | kSF | kOF;

uint64_t arith(const Harness& h) { return h.rflags() & kArith; }

}  // namespace

TEST_CASE("add sets CF on unsigned carry and OF on signed overflow", "[integer][alu]") {
  Harness h({0x00, 0xC8});  // add al, cl
  h.cpu.gpr[RAX] = 0x7f;
  h.cpu.gpr[RCX] = 0x01;
  h.run();
  CHECK((h.cpu.gpr[RAX] & 0xff) == 0x80);
  CHECK(arith(h) == (kOF | kSF | kAF));

  h.cpu.rip = Harness::kCodeAddr;
  h.cpu.gpr[RAX] = 0xff;
  h.cpu.gpr[RCX] = 0x01;
  h.run();
  CHECK((h.cpu.gpr[RAX] & 0xff) == 0);
  CHECK(arith(h) == (kCF | kZF | kAF | kPF));
}

TEST_CASE("adc with carry-in sets OF on signed overflow", "[integer][alu]") {
  Harness h({0xF9, 0x48, 0x11, 0xC8});  // stc; adc rax, rcx
  h.cpu.gpr[RAX] = 0x7ffffffffffffffe;
  h.cpu.gpr[RCX] = 1;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x8000000000000000);
  CHECK((h.rflags() & (kOF | kCF | kSF | kZF)) == (kOF | kSF));
}

TEST_CASE("adc with carry-in and all-ones operand carries out with equal result", "[integer][alu]") {
  Harness h({0xF9, 0x11, 0xC8});  // stc; adc eax, ecx
  h.cpu.gpr[RAX] = 5;
  h.cpu.gpr[RCX] = 0xffffffff;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 5);
  CHECK((h.rflags() & kCF) != 0);
}

TEST_CASE("sbb with borrow-in borrows when operands are equal", "[integer][alu]") {
  Harness h({0xF9, 0x48, 0x19, 0xC8});  // stc; sbb rax, rcx
  h.cpu.gpr[RAX] = 7;
  h.cpu.gpr[RCX] = 7;
  h.run();
  CHECK(h.cpu.gpr[RAX] == ~uint64_t{0});
  CHECK((h.rflags() & (kCF | kSF | kZF)) == (kCF | kSF));
}

TEST_CASE("32-bit destination writes zero the upper half, 8 and 16-bit writes merge", "[integer][alu]") {
  Harness h({0x01, 0xC8,          // add eax, ecx
             0x66, 0x01, 0xCB,    // add bx, cx
             0x00, 0xCE});        // add dh, cl
  h.cpu.gpr[RAX] = 0xffffffff00000001;
  h.cpu.gpr[RBX] = 0x1111111111110001;
  h.cpu.gpr[RCX] = 1;
  h.cpu.gpr[RDX] = 0x2222222222220122;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 2);
  CHECK(h.cpu.gpr[RBX] == 0x1111111111110002);
  CHECK(h.cpu.gpr[RDX] == 0x2222222222220222);
}

TEST_CASE("cmp does not write its destination, sub does", "[integer][alu]") {
  Harness h({0x48, 0x39, 0xC8, 0x48, 0x29, 0xCA});  // cmp rax, rcx; sub rdx, rcx
  h.cpu.gpr[RAX] = 3;
  h.cpu.gpr[RCX] = 5;
  h.cpu.gpr[RDX] = 10;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 3);
  CHECK(h.cpu.gpr[RDX] == 5);
}

TEST_CASE("logic ops clear CF OF and AF", "[integer][alu]") {
  Harness h({0xF9, 0x30, 0xC8});  // stc; xor al, cl
  h.cpu.gpr[RAX] = 0x18;
  h.cpu.gpr[RCX] = 0x08;
  h.run();
  CHECK((h.cpu.gpr[RAX] & 0xff) == 0x10);
  CHECK(arith(h) == 0);  // 0x10 has odd parity
}

TEST_CASE("inc and dec preserve CF", "[integer][alu]") {
  Harness h({0xF9, 0xFF, 0xC0, 0xFF, 0xC9});  // stc; inc eax; dec ecx
  h.cpu.gpr[RAX] = 0x7fffffff;
  h.cpu.gpr[RCX] = 0x80000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x80000000);
  CHECK(h.cpu.gpr[RCX] == 0x7fffffff);
  CHECK((h.rflags() & (kCF | kOF | kSF)) == (kCF | kOF));
}

TEST_CASE("neg sets CF unless the operand is zero", "[integer][alu]") {
  Harness h({0x48, 0xF7, 0xD8});  // neg rax
  h.cpu.gpr[RAX] = 0;
  h.run();
  CHECK((h.rflags() & (kCF | kZF)) == kZF);
  h.cpu.rip = Harness::kCodeAddr;
  h.cpu.gpr[RAX] = 0x8000000000000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x8000000000000000);
  CHECK((h.rflags() & (kCF | kOF)) == (kCF | kOF));
}

TEST_CASE("read-modify-write to memory stores the result", "[integer][alu]") {
  Harness h({0x48, 0x83, 0x03, 0xFF,    // add qword [rbx], -1
             0x80, 0x73, 0x08, 0x0F});  // xor byte [rbx+8], 0x0f
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.write<uint64_t>(Harness::kDataAddr, 0);
  h.write<uint8_t>(Harness::kDataAddr + 8, 0xff);
  h.run();
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == ~uint64_t{0});
  CHECK(h.read<uint8_t>(Harness::kDataAddr + 8) == 0xf0);
}

TEST_CASE("a faulting read-modify-write leaves registers and flags unchanged", "[integer][alu]") {
  Harness h({0xF9, 0x48, 0x01, 0x03});  // stc; add [rbx], rax
  h.cpu.gpr[RBX] = 0x1000;  // unmapped
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(h.cpu.rip == Harness::kCodeAddr + 1);
  CHECK((h.rflags() & kCF) != 0);
}

TEST_CASE("lock is accepted on a memory add and refused on a register add", "[integer][alu]") {
  Harness ok({0xF0, 0x48, 0x01, 0x03});  // lock add [rbx], rax
  ok.cpu.gpr[RBX] = Harness::kDataAddr;
  ok.cpu.gpr[RAX] = 5;
  ok.run();
  CHECK(ok.read<uint64_t>(Harness::kDataAddr) == 5);

  Harness bad({0xF0, 0x48, 0x01, 0xC3});  // lock add rbx, rax
  const auto f = bad.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
  Harness bad_cmp({0xF0, 0x48, 0x39, 0x03});  // lock cmp [rbx], rax
  const auto f2 = bad_cmp.run_fault();
  REQUIRE(f2);
  CHECK(f2->signo == SIGILL);
}

TEST_CASE("shl by 0 leaves flags unchanged", "[integer][shift]") {
  Harness h({0x48, 0x39, 0xC8, 0x48, 0xD3, 0xE2});  // cmp rax, rcx; shl rdx, cl
  h.cpu.gpr[RAX] = 0;
  h.cpu.gpr[RCX] = 0x40;  // masked to 0
  h.cpu.gpr[RDX] = 0x1234;
  h.run();
  CHECK(h.cpu.gpr[RDX] == 0x1234);
  CHECK((h.rflags() & kArith) == (kCF | kSF | kPF));  // from 0 - 0x40
}

TEST_CASE("shl of a 32-bit register by 0 still zero-extends it", "[integer][shift]") {
  Harness h({0xC1, 0xE0, 0x00});  // shl eax, 0
  h.cpu.gpr[RAX] = 0xffffffff12345678;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x12345678);
}

TEST_CASE("shl by 1 sets OF when the sign changes", "[integer][shift]") {
  Harness h({0xD0, 0xE0});  // shl al, 1
  h.cpu.gpr[RAX] = 0x40;
  h.run();
  CHECK((h.cpu.gpr[RAX] & 0xff) == 0x80);
  CHECK((h.rflags() & (kOF | kCF)) == kOF);
}

TEST_CASE("sar by 1 clears OF and shifts the sign in", "[integer][shift]") {
  Harness h({0xD1, 0xF8});  // sar eax, 1
  h.cpu.gpr[RAX] = 0x80000001;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xc0000000);
  CHECK((h.rflags() & (kOF | kCF)) == kCF);
}

TEST_CASE("shr by 1 sets OF to the old sign bit", "[integer][shift]") {
  Harness h({0x48, 0xD1, 0xE8});  // shr rax, 1
  h.cpu.gpr[RAX] = 0x8000000000000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x4000000000000000);
  CHECK((h.rflags() & (kOF | kCF)) == kOF);
}

TEST_CASE("rol and ror change only CF and OF", "[integer][shift]") {
  Harness h({0x48, 0x85, 0xC0, 0x48, 0xC1, 0xC0, 0x04});  // test rax, rax; rol rax, 4
  h.cpu.gpr[RAX] = 0xf000000000000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x000000000000000f);
  // SF, PF from the test survive; CF = low bit of the result.
  CHECK((h.rflags() & kArith) == (kSF | kPF | kCF | kOF));
}

TEST_CASE("rcl by 1 rotates through the carry", "[integer][shift]") {
  Harness h({0xF9, 0xD0, 0xD0});  // stc; rcl al, 1
  h.cpu.gpr[RAX] = 0x80;
  h.run();
  CHECK((h.cpu.gpr[RAX] & 0xff) == 0x01);
  CHECK((h.rflags() & (kCF | kOF)) == (kCF | kOF));  // CF = old MSB; OF = MSB(res) ^ CF
}

TEST_CASE("shld and shrd shift in bits from the source", "[integer][shift]") {
  Harness h({0x48, 0x0F, 0xA4, 0xD8, 0x08,    // shld rax, rbx, 8
             0x0F, 0xAD, 0xDA});              // shrd edx, ebx, cl
  h.cpu.gpr[RAX] = 0x00112233445566ff;
  h.cpu.gpr[RBX] = 0xab00000000000000;
  h.cpu.gpr[RCX] = 4;
  h.cpu.gpr[RDX] = 0x12345678;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x112233445566ffab);
  CHECK(h.cpu.gpr[RDX] == 0x01234567);
}

TEST_CASE("mul sets CF and OF when the high half is non-zero", "[integer][muldiv]") {
  Harness h({0x48, 0xF7, 0xE1});  // mul rcx
  h.cpu.gpr[RAX] = 0x8000000000000000;
  h.cpu.gpr[RCX] = 4;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0);
  CHECK(h.cpu.gpr[RDX] == 2);
  CHECK((h.rflags() & (kCF | kOF)) == (kCF | kOF));
}

TEST_CASE("imul with three operands truncates and flags overflow", "[integer][muldiv]") {
  Harness h({0x6B, 0xC1, 0xFE});  // imul eax, ecx, -2
  h.cpu.gpr[RCX] = 0x40000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x80000000);
  CHECK((h.rflags() & (kCF | kOF)) == 0);  // -2^31 fits
  h.cpu.rip = Harness::kCodeAddr;
  h.cpu.gpr[RCX] = 0x40000001;
  h.run();
  CHECK((h.rflags() & (kCF | kOF)) == (kCF | kOF));
}

TEST_CASE("div by zero raises SIGFPE at the instruction with registers unchanged", "[integer][muldiv]") {
  Harness h({0x90, 0x48, 0xF7, 0xF1});  // nop; div rcx
  h.cpu.gpr[RAX] = 100;
  h.cpu.gpr[RDX] = 0;
  h.cpu.gpr[RCX] = 0;
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->code == mm::kFpeIntDiv);
  CHECK(f->addr == Harness::kCodeAddr + 1);
  CHECK(h.cpu.rip == Harness::kCodeAddr + 1);
  CHECK(h.cpu.gpr[RAX] == 100);
}

TEST_CASE("div with a quotient that does not fit raises SIGFPE", "[integer][muldiv]") {
  Harness h({0xF7, 0xF1});  // div ecx
  h.cpu.gpr[RAX] = 0;
  h.cpu.gpr[RDX] = 2;
  h.cpu.gpr[RCX] = 2;
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
}

TEST_CASE("idiv of the most negative value by -1 raises SIGFPE", "[integer][muldiv]") {
  Harness h({0x48, 0x99, 0x48, 0xF7, 0xF9});  // cqo; idiv rcx
  h.cpu.gpr[RAX] = 0x8000000000000000;
  h.cpu.gpr[RCX] = ~uint64_t{0};
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGFPE);
  CHECK(f->addr == Harness::kCodeAddr + 2);
}

TEST_CASE("idiv rounds toward zero and gives the remainder the dividend's sign", "[integer][muldiv]") {
  Harness h({0x99, 0xF7, 0xF9});  // cdq; idiv ecx
  h.cpu.gpr[RAX] = uint32_t(-7);
  h.cpu.gpr[RCX] = 2;
  h.run();
  CHECK(h.cpu.gpr[RAX] == uint32_t(-3));
  CHECK(h.cpu.gpr[RDX] == uint32_t(-1));
}

TEST_CASE("8-bit div puts the quotient in AL and the remainder in AH", "[integer][muldiv]") {
  Harness h({0xF6, 0xF1});  // div cl
  h.cpu.gpr[RAX] = 0xffff0000000003e9;  // AX = 1001
  h.cpu.gpr[RCX] = 10;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xffff000000000164);  // AL = 100, AH = 1
}

TEST_CASE("bt with a register offset addresses bits beyond the operand in memory", "[integer][bitops]") {
  Harness h({0x48, 0x0F, 0xAB, 0x0B});  // bts [rbx], rcx
  h.cpu.gpr[RBX] = Harness::kDataAddr + 64;
  h.cpu.gpr[RCX] = uint64_t(-1);  // bit 63 of the qword before [rbx]
  h.run();
  CHECK(h.read<uint64_t>(Harness::kDataAddr + 56) == 0x8000000000000000);
  CHECK((h.rflags() & kCF) == 0);
  h.cpu.rip = Harness::kCodeAddr;
  h.cpu.gpr[RCX] = 130;  // bit 2 of the qword at +16
  h.run();
  CHECK(h.read<uint64_t>(Harness::kDataAddr + 64 + 16) == 4);
}

TEST_CASE("bsf of zero sets ZF and leaves the destination unchanged", "[integer][bitops]") {
  Harness h({0x0F, 0xBC, 0xC1});  // bsf eax, ecx
  h.cpu.gpr[RAX] = 0xffffffff12345678;
  h.cpu.gpr[RCX] = 0;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xffffffff12345678);
  CHECK((h.rflags() & kZF) != 0);
}

TEST_CASE("tzcnt without BMI1 is bsf", "[integer][bitops]") {
  Harness h({0xF3, 0x0F, 0xBC, 0xC1, 0xF3, 0x0F, 0xBD, 0xD1});  // tzcnt eax, ecx; lzcnt edx, ecx
  h.cpu.gpr[RCX] = 0x00f0;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 4);
  CHECK(h.cpu.gpr[RDX] == 7);
}

TEST_CASE("bswap reverses bytes of 32 and 64-bit registers", "[integer][bitops]") {
  Harness h({0x0F, 0xC8, 0x49, 0x0F, 0xC9});  // bswap eax; bswap r9
  h.cpu.gpr[RAX] = 0xffffffff11223344;
  h.cpu.gpr[R9] = 0x0102030405060708;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x44332211);
  CHECK(h.cpu.gpr[R9] == 0x0807060504030201);
}

TEST_CASE("jcc after cmp sees signed and unsigned relations of every size", "[integer][flags]") {
  // For each size: cmp then setl/setb/setle/setbe into bl/bh/cl/ch... checked via eval_cond.
  struct Case { std::vector<uint8_t> cmp; uint64_t a, b; bool lt, below; };
  const Case cases[] = {
      {{0x38, 0xC8}, 0x80, 0x7f, true, false},              // cmp al, cl: -128 < 127, 0x80 > 0x7f
      {{0x66, 0x39, 0xC8}, 0x7fff, 0x8000, false, true},
      {{0x39, 0xC8}, 0xffffffff, 0, true, false},
      {{0x48, 0x39, 0xC8}, 1, 2, true, true},
  };
  for (const Case& c : cases) {
    Harness h(c.cmp);
    h.cpu.gpr[RAX] = c.a;
    h.cpu.gpr[RCX] = c.b;
    h.run();
    CHECK(eval_cond(h.cpu, 0xC) == c.lt);
    CHECK(eval_cond(h.cpu, 0x2) == c.below);
    CHECK(eval_cond(h.cpu, 0xD) == !c.lt);
    CHECK(eval_cond(h.cpu, 0x4) == false);
  }
}

TEST_CASE("write_rflags then read_rflags round-trips the arithmetic flags and DF", "[integer][flags]") {
  Harness h({0x90});
  for (uint64_t v : {uint64_t{0x202}, uint64_t{0x202 | kArith}, uint64_t{0x202 | kDF | kCF | kZF}}) {
    h.set_rflags(v);
    CHECK(h.rflags() == v);
  }
}
