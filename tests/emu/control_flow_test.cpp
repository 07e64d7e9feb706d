// Control-flow instructions: jcc, jmp, call, ret, loop*, jrcxz, the NOP
// family, and the block boundaries they create. Each test states its code,
// its inputs and the registers/flags/memory it expects.
#include <catch2/catch.hpp>
#include <csignal>
#include <vector>

#include "emu/flags.h"
#include "tests/emu/harness.h"

namespace emu {
namespace {

using test::Harness;
constexpr uint64_t kCode = Harness::kCodeAddr;
constexpr uint64_t kStack = Harness::kStackTop;

// The SDM's condition table, from an RFLAGS value.
bool reference_condition(unsigned cc, uint64_t fl) {
  const bool cf = fl & kCF, pf = fl & kPF, zf = fl & kZF, sf = fl & kSF, of = fl & kOF;
  bool r = false;
  switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = cf; break;
    case 2: r = zf; break;
    case 3: r = cf || zf; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = sf != of; break;
    case 7: r = zf || (sf != of); break;
  }
  return (cc & 1) ? !r : r;
}

// Every combination of CF, PF, ZF, SF, OF.
std::vector<uint64_t> flag_combinations() {
  std::vector<uint64_t> out;
  const uint64_t bits[] = {kCF, kPF, kZF, kSF, kOF};
  for (unsigned m = 0; m < 32; ++m) {
    uint64_t f = 0x202;
    for (unsigned b = 0; b < 5; ++b)
      if (m & (1u << b)) f |= bits[b];
    out.push_back(f);
  }
  return out;
}

uint8_t le(uint64_t v, int byte) { return uint8_t(v >> (8 * byte)); }

}  // namespace

TEST_CASE("jcc_rel8_is_taken_exactly_when_its_condition_holds", "[control][jcc]") {
  // 7x 02    jcc +2   (taken: lands on the sentinel at +4)
  // 0f 0b    ud2      (not taken: SIGILL at +2)
  Harness h;
  for (unsigned cc = 0; cc < 16; ++cc) {
    for (uint64_t fl : flag_combinations()) {
      INFO("cc " << cc << " rflags " << std::hex << fl);
      h.set_code({uint8_t(0x70 + cc), 0x02, 0x0f, 0x0b});
      h.set_rflags(fl);
      auto fault = h.run_fault();
      if (reference_condition(cc, fl)) {
        CHECK(!fault);
        CHECK(h.cpu.rip == kCode + 4);
      } else {
        REQUIRE(fault);
        CHECK(fault->signo == SIGILL);
        CHECK(h.cpu.rip == kCode + 2);
      }
      CHECK(h.rflags() == fl);  // jcc changes no flags
    }
  }
}

TEST_CASE("jcc_rel32_is_taken_exactly_when_its_condition_holds", "[control][jcc]") {
  // 0f 8x 02 00 00 00   jcc +2 ; 0f 0b ud2
  Harness h;
  for (unsigned cc = 0; cc < 16; ++cc) {
    for (uint64_t fl : flag_combinations()) {
      INFO("cc " << cc << " rflags " << std::hex << fl);
      h.set_code({0x0f, uint8_t(0x80 + cc), 0x02, 0x00, 0x00, 0x00, 0x0f, 0x0b});
      h.set_rflags(fl);
      auto fault = h.run_fault();
      CHECK(bool(fault) == !reference_condition(cc, fl));
      CHECK(h.cpu.rip == (reference_condition(cc, fl) ? kCode + 8 : kCode + 6));
    }
  }
}

TEST_CASE("jmp_rel8_and_rel32_go_forward_and_backward", "[control][jmp]") {
  // 0: eb 04 jmp 6 | 2: eb 09 jmp 13 | 4: 0f 0b | 6: e9 f7 ff ff ff jmp 2 | 11: 0f 0b | 13: sentinel
  Harness h({0xeb, 0x04, 0xeb, 0x09, 0x0f, 0x0b, 0xe9, 0xf7, 0xff, 0xff, 0xff, 0x0f, 0x0b});
  h.run();
  CHECK(h.cpu.rip == kCode + 13);
  CHECK(h.cpu.icount == 3);
}

TEST_CASE("near_branch_ignores_operand_size_prefix_as_intel_does", "[control][jmp]") {
  // 66 e9 02 00 00 00: jmp rel32 (Intel ignores 66 on near branches in 64-bit mode)
  Harness h({0x66, 0xe9, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x0b});
  h.run();
  CHECK(h.cpu.rip == kCode + 8);
}

TEST_CASE("call_pushes_the_return_address_and_ret_pops_it", "[control][call]") {
  // 0: e8 02 00 00 00 call 7 | 5: eb 01 jmp 8 | 7: c3 ret | 8: sentinel
  Harness h({0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0x01, 0xc3});
  h.run();
  CHECK(h.cpu.gpr[RSP] == kStack);
  CHECK(h.read<uint64_t>(kStack - 8) == kCode + 5);
  CHECK(h.cpu.icount == 3);
}

TEST_CASE("call_leaves_rsp_pointing_at_the_return_address", "[control][call]") {
  // e8 00 00 00 00: call the next instruction (the sentinel)
  Harness h({0xe8, 0x00, 0x00, 0x00, 0x00});
  h.run();
  CHECK(h.cpu.gpr[RSP] == kStack - 8);
  CHECK(h.read<uint64_t>(kStack - 8) == kCode + 5);
}

TEST_CASE("ret_imm16_releases_the_extra_bytes", "[control][ret]") {
  // 0: e8 02 00 00 00 call 7 | 5: eb 03 jmp 10 | 7: c2 10 00 ret 16 | 10: sentinel
  Harness h({0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0x03, 0xc2, 0x10, 0x00});
  h.run();
  CHECK(h.cpu.gpr[RSP] == kStack + 16);
  CHECK(h.cpu.rip == kCode + 10);
}

TEST_CASE("indirect_call_and_jmp_through_registers", "[control][call]") {
  // 0: ff d0 call rax | 2: ff e3 jmp rbx (rbx = sentinel)
  const uint64_t end = kCode + 4;
  Harness h({0xff, 0xd0, 0xff, 0xe3});
  h.cpu.gpr[RAX] = kCode + 2;
  h.cpu.gpr[RBX] = end;
  h.run();
  CHECK(h.cpu.rip == end);
  CHECK(h.cpu.gpr[RSP] == kStack - 8);
  CHECK(h.read<uint64_t>(kStack - 8) == kCode + 2);
}

TEST_CASE("indirect_call_and_jmp_through_memory", "[control][call]") {
  // 0: ff 14 25 <data>   call [data]      -> 7
  // 7: ff 25 00 00 00 00 jmp [rip+0]      -> the qword at 13 = sentinel (21)
  // 13: <8-byte target>
  const uint64_t data = Harness::kDataAddr;
  const uint64_t end = kCode + 21;
  std::vector<uint8_t> code = {0xff, 0x14, 0x25, le(data, 0), le(data, 1), le(data, 2), le(data, 3),
                               0xff, 0x25, 0x00, 0x00, 0x00, 0x00};
  for (int i = 0; i < 8; ++i) code.push_back(le(end, i));
  Harness h(code);
  h.write<uint64_t>(data, kCode + 7);
  h.run();
  CHECK(h.cpu.rip == end);
  CHECK(h.read<uint64_t>(kStack - 8) == kCode + 7);
}

TEST_CASE("call_through_rsp_uses_rsp_before_the_push", "[control][call]") {
  // ff d4: call rsp. The target is rsp BEFORE the push; the stack is not
  // executable, so the fetch there faults after the call completed.
  Harness h({0xff, 0xd4});
  h.cpu.gpr[RSP] = kStack - 64;
  auto fault = h.run_fault();  // the stack is not executable: fetch fault at old rsp
  REQUIRE(fault);
  CHECK(fault->signo == SIGSEGV);
  CHECK(fault->addr == kStack - 64);
  CHECK(h.cpu.rip == kStack - 64);
  CHECK(h.cpu.gpr[RSP] == kStack - 72);
  CHECK(h.read<uint64_t>(kStack - 72) == kCode + 2);
}

TEST_CASE("call_with_unmapped_stack_faults_before_changing_any_state", "[control][call][fault]") {
  Harness h({0x90, 0xe8, 0x00, 0x00, 0x00, 0x00});
  h.cpu.gpr[RSP] = 0x1008;  // nothing mapped there
  auto fault = h.run_fault();
  REQUIRE(fault);
  CHECK(fault->signo == SIGSEGV);
  CHECK(fault->addr == 0x1000);
  CHECK(h.cpu.rip == kCode + 1);  // at the call
  CHECK(h.cpu.gpr[RSP] == 0x1008);
  CHECK(h.cpu.icount == 1);       // the nop retired
}

TEST_CASE("ret_to_an_unmapped_address_faults_at_the_target", "[control][ret][fault]") {
  Harness h({0xc3});
  h.write<uint64_t>(kStack - 8, 0x2000);
  h.cpu.gpr[RSP] = kStack - 8;
  auto fault = h.run_fault();
  REQUIRE(fault);
  CHECK(fault->signo == SIGSEGV);
  CHECK(fault->addr == 0x2000);
  CHECK(h.cpu.rip == 0x2000);
  CHECK(h.cpu.gpr[RSP] == kStack);
}

TEST_CASE("loop_decrements_rcx_and_branches_until_zero", "[control][loop]") {
  Harness h({0xe2, 0xfe});  // 0: loop 0
  h.cpu.gpr[RCX] = 5;
  h.run();
  CHECK(h.cpu.gpr[RCX] == 0);
  CHECK(h.cpu.icount == 5);
  CHECK(h.cpu.rip == kCode + 2);
}

TEST_CASE("loope_and_loopne_also_test_zf", "[control][loop]") {
  SECTION("loope with ZF=1 runs to rcx == 0") {
    Harness h({0xe1, 0xfe});
    h.cpu.gpr[RCX] = 3;
    h.set_rflags(0x202 | kZF);
    h.run();
    CHECK(h.cpu.gpr[RCX] == 0);
    CHECK(h.cpu.icount == 3);
  }
  SECTION("loope with ZF=0 falls through after one decrement") {
    Harness h({0xe1, 0xfe});
    h.cpu.gpr[RCX] = 3;
    h.set_rflags(0x202);
    h.run();
    CHECK(h.cpu.gpr[RCX] == 2);
    CHECK(h.cpu.icount == 1);
  }
  SECTION("loopne with ZF=0 runs to rcx == 0, flags untouched") {
    Harness h({0xe0, 0xfe});
    h.cpu.gpr[RCX] = 4;
    h.set_rflags(0x202 | kCF);
    h.run();
    CHECK(h.cpu.gpr[RCX] == 0);
    CHECK(h.rflags() == (0x202 | kCF));
  }
  SECTION("loopne with ZF=1 falls through") {
    Harness h({0xe0, 0xfe});
    h.cpu.gpr[RCX] = 4;
    h.set_rflags(0x202 | kZF);
    h.run();
    CHECK(h.cpu.gpr[RCX] == 3);
  }
}

TEST_CASE("jrcxz_tests_all_64_bits_and_jecxz_the_low_32", "[control][loop]") {
  // e3 02 jrcxz +2 ; 0f 0b
  SECTION("rcx == 0: taken") {
    Harness h({0xe3, 0x02, 0x0f, 0x0b});
    h.cpu.gpr[RCX] = 0;
    CHECK(!h.run_fault());
  }
  SECTION("rcx == 2^32: not taken") {
    Harness h({0xe3, 0x02, 0x0f, 0x0b});
    h.cpu.gpr[RCX] = uint64_t{1} << 32;
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGILL);
  }
  SECTION("67: jecxz with rcx == 2^32: taken") {
    Harness h({0x67, 0xe3, 0x02, 0x0f, 0x0b});
    h.cpu.gpr[RCX] = uint64_t{1} << 32;
    CHECK(!h.run_fault());
    CHECK(h.cpu.gpr[RCX] == uint64_t{1} << 32);
  }
}

TEST_CASE("nop_forms_change_nothing", "[control][nop]") {
  // 90 | 66 90 | f3 90 (pause) | 0f 1f 00 | 0f 1f 44 00 00 | 66 0f 1f 84 00 00 00 00 00
  // f3 0f 1e fa (endbr64) | 0f 18 08 (prefetcht0 [rax], rax unmapped: no access)
  // 0f 0d 08 (prefetchw [rax]) | f3 48 0f 1e c8 (rdsspq rax: a NOP without CET)
  Harness h({0x90, 0x66, 0x90, 0xf3, 0x90, 0x0f, 0x1f, 0x00, 0x0f, 0x1f, 0x44, 0x00, 0x00,
             0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf3, 0x0f, 0x1e, 0xfa,
             0x0f, 0x18, 0x08, 0x0f, 0x0d, 0x08, 0xf3, 0x48, 0x0f, 0x1e, 0xc8});
  for (int r = 0; r < 16; ++r) h.cpu.gpr[r] = 0x1111111111111111ull * uint64_t(r);
  h.cpu.gpr[RAX] = 0x50;  // unmapped address for the prefetches
  h.cpu.gpr[RSP] = kStack;
  const Cpu before = h.cpu;
  h.run();
  for (int r = 0; r < 16; ++r) CHECK(h.cpu.gpr[r] == before.gpr[r]);
  CHECK(h.cpu.icount == 10);
}

TEST_CASE("blocks_are_capped_and_split_at_page_boundaries", "[control][block]") {
  SECTION("200 NOPs: several blocks, every instruction counted") {
    Harness h(std::vector<uint8_t>(200, 0x90));
    h.run();
    CHECK(h.cpu.icount == 200);
    CHECK(h.interp.stats().blocks_decoded >= 4);
  }
  SECTION("NOPs across a page boundary") {
    Harness h(std::vector<uint8_t>(4096 + 100, 0x90));
    h.run();
    CHECK(h.cpu.icount == 4196);
  }
  SECTION("an instruction straddling two pages") {
    // 4093 NOPs, then a 7-byte NOP at page offset 4093..4099, then the sentinel.
    std::vector<uint8_t> code(4093, 0x90);
    for (uint8_t b : {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00}) code.push_back(b);
    Harness h(code);
    h.run();
    CHECK(h.cpu.icount == 4094);
    CHECK(h.cpu.rip == kCode + 4100);
  }
}

TEST_CASE("instruction_running_onto_an_unmapped_page_faults_at_the_missing_byte", "[control][fault]") {
  Harness h;
  const uint64_t at = Harness::kCodeAddr + Harness::kCodeSize - 3;  // code region ends at kCodeSize
  const uint8_t bytes[] = {0x90, 0x48, 0xb8};  // nop; mov rax, imm64 (cut off by the region end)
  h.write(at, bytes, sizeof bytes);
  h.cpu.rip = at;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == Harness::kCodeAddr + Harness::kCodeSize);
  CHECK(h.cpu.rip == at + 1);
  CHECK(h.cpu.icount == 1);
}

TEST_CASE("jump_into_a_non_executable_page_faults_at_the_target", "[control][fault]") {
  Harness h({0xff, 0xe0});  // jmp rax
  h.cpu.gpr[RAX] = Harness::kDataAddr;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == Harness::kDataAddr);
  CHECK(h.cpu.rip == Harness::kDataAddr);
}

}  // namespace emu
