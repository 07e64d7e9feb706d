// What the all-forms differential harness (diff_test.cpp) found emu doing
// differently from the host CPU, pinned down as behaviour tests with stated
// inputs and outputs. The expected values are what this host (AMD EPYC,
// Linux) does, measured natively; where that differs from Intel's manuals
// the test says so. Each also runs in the harness's random cases.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>

#include "emu/flags.h"
#include "emu/ops/x87_state.h"
#include "mm/guest_fault.h"
#include "tests/emu/harness.h"

namespace emu::test {
namespace {

constexpr uint64_t kMem = Harness::kDataAddr;
constexpr uint64_t kMemEnd = Harness::kDataAddr + Harness::kDataSize;  // unmapped from here
constexpr uint64_t kNonCanonical = 0x0080000000000000;

// Runs `h` to a fault, which must be `signo`/`code` at the first instruction.
mm::GuestFault fault_at_start(Harness& h, int signo, int code) {
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == signo);
  CHECK(f->code == code);
  CHECK(h.cpu.rip == Harness::kCodeAddr);
  return *f;
}

}  // namespace

TEST_CASE("SHLD/SHRD r16 by 17..31 rotate the source in, CF = 0 (this host)", "[diff][integer]") {
  struct Case {
    uint8_t op;      // A5 shld, AD shrd: r/m16 = ax, reg = dx, count = cl
    uint8_t count;
    uint16_t result;
    bool cf, of;
  };
  // ax = 0x1234, dx = 0xabcd (measured on the host).
  const Case cases[] = {
      {0xA5, 17, 0x579b, false, false}, {0xA5, 24, 0xcdab, false, false}, {0xA5, 31, 0xd5e6, false, false},
      {0xAD, 17, 0xd5e6, false, false}, {0xAD, 18, 0x6af3, false, true},  {0xAD, 31, 0x579b, false, true},
  };
  for (const Case& c : cases) {
    Harness h({0x66, 0x0F, c.op, 0xD0});
    h.cpu.gpr[RAX] = 0x1234;
    h.cpu.gpr[RDX] = 0xabcd;
    h.cpu.gpr[RCX] = c.count;
    h.set_rflags(0x202 | kCF | kOF);
    h.run();
    INFO(int(c.op) << " by " << int(c.count));
    CHECK(uint16_t(h.cpu.gpr[RAX]) == c.result);
    CHECK(((h.rflags() & kCF) != 0) == c.cf);
    CHECK(((h.rflags() & kOF) != 0) == c.of);
  }
}

TEST_CASE("SHLD r16 by exactly 16 sets OF = CF (this host), not MSB ^ CF", "[diff][integer]") {
  Harness h({0x66, 0x0F, 0xA5, 0xD0});  // shld ax, dx, cl
  h.cpu.gpr[RAX] = 0x1235;              // bit 0 shifts out last: CF = 1
  h.cpu.gpr[RDX] = 0x2bcd;              // the result; MSB 0
  h.cpu.gpr[RCX] = 16;
  h.run();
  CHECK(uint16_t(h.cpu.gpr[RAX]) == 0x2bcd);
  CHECK((h.rflags() & (kCF | kOF)) == (kCF | kOF));
}

TEST_CASE("an indirect branch or RET to a non-canonical address faults at the branch", "[diff][control]") {
  SECTION("ret") {
    Harness h({0xC3});
    const uint64_t sp = Harness::kStackTop - 64;
    h.cpu.gpr[RSP] = sp;
    h.write<uint64_t>(sp, kNonCanonical);
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
    CHECK(h.cpu.gpr[RSP] == sp);
  }
  SECTION("call rax: nothing pushed") {
    Harness h({0xFF, 0xD0});
    const uint64_t sp = Harness::kStackTop - 64;
    h.cpu.gpr[RSP] = sp;
    h.cpu.gpr[RAX] = kNonCanonical;
    h.write<uint64_t>(sp - 8, 0x1111);
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
    CHECK(h.cpu.gpr[RSP] == sp);
    CHECK(h.read<uint64_t>(sp - 8) == 0x1111);
  }
  SECTION("jmp [rbx]") {
    Harness h({0xFF, 0x23});
    h.cpu.gpr[RBX] = kMem;
    h.write<uint64_t>(kMem, kNonCanonical);
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
  }
}

TEST_CASE("MOV to/from a control or debug register that does not exist is #UD, else #GP", "[diff][control]") {
  struct Case {
    std::vector<uint8_t> code;
    int signo;
  };
  const Case cases[] = {
      {{0x0F, 0x20, 0xC0}, SIGSEGV},        // mov rax, cr0
      {{0x0F, 0x20, 0xE0}, SIGSEGV},        // mov rax, cr4
      {{0x44, 0x0F, 0x20, 0xC0}, SIGSEGV},  // mov rax, cr8
      {{0x0F, 0x20, 0xE8}, SIGILL},         // mov rax, cr5
      {{0x44, 0x0F, 0x22, 0xE0}, SIGILL},   // mov cr12, rax
      {{0x0F, 0x21, 0xF8}, SIGSEGV},        // mov rax, dr7
      {{0x44, 0x0F, 0x23, 0xC0}, SIGILL},   // mov dr8, rax
      {{0x0F, 0x35}, SIGILL},               // sysexit: #UD in long mode on AMD (Intel: #GP)
  };
  for (const Case& c : cases) {
    Harness h(c.code);
    const auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == c.signo);
  }
}

TEST_CASE("a non-canonical address through RSP or RBP is #SS: SIGBUS", "[diff][fault]") {
  SECTION("leave") {
    Harness h({0xC9});
    h.cpu.gpr[RBP] = kNonCanonical;
    fault_at_start(h, SIGBUS, mm::kSiKernel);
  }
  SECTION("mov rax, [rbp+8]") {
    Harness h({0x48, 0x8B, 0x45, 0x08});
    h.cpu.gpr[RBP] = kNonCanonical;
    fault_at_start(h, SIGBUS, mm::kSiKernel);
  }
  SECTION("mov rax, [rsp+rcx]") {
    Harness h({0x48, 0x8B, 0x04, 0x0C});
    h.cpu.gpr[RCX] = kNonCanonical;
    fault_at_start(h, SIGBUS, mm::kSiKernel);
  }
  SECTION("but through RBX it is #GP: SIGSEGV") {
    Harness h({0x48, 0x8B, 0x03});
    h.cpu.gpr[RBX] = kNonCanonical;
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
  }
  SECTION("and a misaligned MOVAPS at [rsp+1] stays #GP") {
    Harness h({0x0F, 0x28, 0x44, 0x24, 0x01});
    h.cpu.gpr[RSP] = Harness::kStackTop - 64;
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
  }
}

TEST_CASE("BT with 0x67 wraps the bit-string address at 32 bits", "[diff][integer]") {
  // bts qword [ebx], rax: unit (rax >> 6) * 8 = 0x100000008 bytes on, which
  // wraps to ebx + 8.
  Harness h({0x67, 0x48, 0x0F, 0xAB, 0x03});
  h.cpu.gpr[RBX] = kMem;
  h.cpu.gpr[RAX] = 0x800000040;
  h.run();
  CHECK(h.read<uint64_t>(kMem + 8) == 1);
}

TEST_CASE("MOVSXD with 0x66 reads a dword (this host; the SDM says a word)", "[diff][integer]") {
  Harness h({0x66, 0x63, 0x03});  // movsxd ax, [rbx]
  h.cpu.gpr[RAX] = 0x1111111111111111;
  SECTION("the low word of it is the result") {
    h.cpu.gpr[RBX] = kMemEnd - 4;
    h.write<uint32_t>(kMemEnd - 4, 0x8765abcd);
    h.run();
    CHECK(h.cpu.gpr[RAX] == 0x111111111111abcd);
  }
  SECTION("so two bytes before an unmapped page it faults") {
    h.cpu.gpr[RBX] = kMemEnd - 2;
    const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
    CHECK(f.addr == kMemEnd);
  }
}

TEST_CASE("ENTER faults when its new stack top is not writable, after the pushes", "[diff][integer]") {
  Harness h({0xC8, 0x00, 0x10, 0x00});  // enter 0x1000, 0
  const uint64_t sp = kMem + 0x800;  // the data page: nothing mapped below (the stack would grow)
  h.cpu.gpr[RSP] = sp;
  h.cpu.gpr[RBP] = 0x1234;
  const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
  CHECK(f.addr == sp - 8 - 0x1000);
  CHECK(h.cpu.gpr[RSP] == sp);
  CHECK(h.cpu.gpr[RBP] == 0x1234);
  CHECK(h.read<uint64_t>(sp - 8) == 0x1234);  // the push of RBP happened
}

TEST_CASE("MASKMOVDQU checks all 16 bytes at RDI whatever the mask", "[diff][sse]") {
  Harness h({0x66, 0x0F, 0xF7, 0xC1});  // maskmovdqu xmm0, xmm1
  h.cpu.xmm[1] = Xmm{};                 // mask: no byte selected
  SECTION("non-canonical RDI") {
    h.cpu.gpr[RDI] = kNonCanonical;
    fault_at_start(h, SIGSEGV, mm::kSiKernel);
  }
  SECTION("unmapped: the fault is reported at RDI, not at the selected byte") {
    h.cpu.xmm[1].b[5] = 0x80;
    h.cpu.gpr[RDI] = kMemEnd + 0x100000;
    const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
    CHECK(f.addr == h.cpu.gpr[RDI]);
  }
}

TEST_CASE("FSTP m80 across into an unmapped page writes nothing", "[diff][x87]") {
  Harness h({0xDB, 0x3B});  // fstp tword [rbx]
  h.cpu.x87.top = 7;
  h.cpu.x87.valid = 0x80;
  h.cpu.x87.st[7] = 1.0L;
  h.cpu.gpr[RBX] = kMemEnd - 6;
  h.write<uint64_t>(kMemEnd - 8, 0x5555555555555555);
  const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
  CHECK(f.addr == kMemEnd);
  CHECK(h.read<uint64_t>(kMemEnd - 8) == 0x5555555555555555);
}

TEST_CASE("x87 control and status words read back as this host keeps them", "[diff][x87]") {
  SECTION("FLDCW: reserved bit 6 reads 1, bits 7 and 13-15 read 0") {
    Harness h({0xD9, 0x2B, 0xD9, 0x7B, 0x02});  // fldcw [rbx]; fnstcw [rbx+2]
    h.cpu.gpr[RBX] = kMem;
    h.write<uint16_t>(kMem, 0xffbf);
    h.run();
    CHECK(h.read<uint16_t>(kMem + 2) == 0x1f7f);
  }
  SECTION("FLDENV: ES and B say whether an unmasked exception is pending, whatever the image says") {
    Harness h({0xD9, 0x23});  // fldenv [rbx]
    h.cpu.gpr[RBX] = kMem;
    uint8_t env[kX87EnvSize];
    std::memset(env, 0xff, sizeof env);
    const uint32_t cw = 0xffff037f, sw = 0xffff8081;  // all masked; IE set; ES and B set
    std::memcpy(env, &cw, 4);
    std::memcpy(env + 4, &sw, 4);
    h.write(kMem, env, sizeof env);
    h.run();
    CHECK((h.cpu.x87.fsw & 0x8081) == 0x0001);
  }
  SECTION("FNSAVE reinitialises without clearing the registers") {
    Harness h({0xDD, 0x33});  // fnsave [rbx]
    h.cpu.gpr[RBX] = kMem;
    h.cpu.x87.top = 6;
    h.cpu.x87.valid = 0xc0;
    h.cpu.x87.st[6] = 2.5L;
    h.run();
    CHECK(h.cpu.x87.valid == 0);
    CHECK(h.cpu.x87.top == 0);
    CHECK(h.cpu.x87.st[6] == 2.5L);
  }
  SECTION("FNSTENV 4 or more bytes before an unmapped page faults at its last byte, writing nothing") {
    Harness h({0xD9, 0x33});  // fnstenv [rbx]
    h.cpu.gpr[RBX] = kMemEnd - 8;
    h.write<uint64_t>(kMemEnd - 8, 0x5555555555555555);
    const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
    CHECK(f.addr == kMemEnd - 8 + kX87EnvSize - 1);
    CHECK(h.read<uint64_t>(kMemEnd - 8) == 0x5555555555555555);
  }
  SECTION("... and fewer than 4 bytes before it, at the page boundary") {
    Harness h({0xD9, 0x33});
    h.cpu.gpr[RBX] = kMemEnd - 3;
    const auto f = fault_at_start(h, SIGSEGV, mm::kSegvMapErr);
    CHECK(f.addr == kMemEnd);
  }
}

}  // namespace emu::test
