// Flag elision (emu/flag_use.h): the classification of what instructions
// read and write, and blocks run with elision giving the same registers and
// flags as with every flag computed (--precise-flags), whose handlers the
// host-oracle tests check. Likewise CMP/TEST + Jcc fused into one handler
// (ops::fused_compare_branch).
#include <catch2/catch.hpp>

#include <initializer_list>
#include <utility>
#include <vector>

#include "emu/decoder.h"
#include "emu/flag_use.h"
#include "emu/flags.h"
#include "tests/emu/harness.h"

namespace emu {
namespace {

FlagUse use_of(std::vector<uint8_t> bytes) {
  Decoded d;
  REQUIRE(decode_insn(bytes.data(), bytes.size(), 0x1000, d) == DecodeStatus::Ok);
  return flag_use(d);
}

constexpr uint32_t kAll = uint32_t(kArithFlags);

TEST_CASE("flag_use: ALU writes all six flags, ADC/SBB also read CF", "[flag_use]") {
  const FlagUse add = use_of({0x01, 0xd8});  // add eax, ebx
  CHECK(add.reads == 0);
  CHECK(add.writes == kAll);
  const FlagUse adc = use_of({0x48, 0x83, 0xd0, 0x01});  // adc rax, 1
  CHECK(adc.reads == kCF);
  CHECK(adc.writes == kAll);
  CHECK(use_of({0x85, 0xc0}).writes == kAll);  // test eax, eax
}

TEST_CASE("flag_use: rotates write CF and OF only, and only for a non-zero count", "[flag_use]") {
  const FlagUse ror = use_of({0xc1, 0xc8, 0x07});  // ror eax, 7
  CHECK(ror.writes == (kCF | kOF));
  CHECK(ror.reads == 0);
  const FlagUse rcl = use_of({0xd1, 0xd0});  // rcl eax, 1
  CHECK(rcl.reads == kCF);
  const FlagUse by_cl = use_of({0xd3, 0xe0});  // shl eax, cl: nothing when CL = 0
  CHECK(by_cl.writes == 0);
  CHECK(by_cl.may_write == kAll);
  const FlagUse by_zero = use_of({0xc1, 0xe0, 0x20});  // shl eax, 32: masked count 0
  CHECK(by_zero.may_write == 0);
}

TEST_CASE("flag_use: conditions read exactly their flags; INC keeps CF", "[flag_use]") {
  CHECK(use_of({0x74, 0x00}).reads == kZF);                     // jz
  CHECK(use_of({0x0f, 0x9c, 0xc0}).reads == (kSF | kOF));       // setl al
  CHECK(use_of({0x0f, 0x46, 0xc1}).reads == (kCF | kZF));       // cmovbe eax, ecx
  CHECK(use_of({0xff, 0xc0}).writes == (kAll & ~kCF));          // inc eax
  CHECK(use_of({0x89, 0xd8}).reads == 0);                       // mov eax, ebx: neutral
  CHECK(use_of({0x89, 0xd8}).may_write == 0);
}

uint32_t read_ahead(std::vector<uint8_t> bytes) { return flags_read_ahead(bytes.data(), bytes.size(), 0x1000); }

TEST_CASE("flags_read_ahead: flags written before any read are not read", "[flag_use]") {
  CHECK(read_ahead({0x31, 0xc0, 0xc3}) == 0);                    // xor eax, eax; ret
  CHECK(read_ahead({0x89, 0xd8, 0x48, 0x83, 0xc0, 0x08}) == 0);  // mov eax, ebx; add rax, 8 (then out of bytes)
}

TEST_CASE("flags_read_ahead: a flag read before it is written is read", "[flag_use]") {
  CHECK(read_ahead({0x90, 0x0f, 0x92, 0xc0, 0x31, 0xc0}) == kCF);        // nop; setc al; xor eax, eax
  CHECK(read_ahead({0xff, 0xc0, 0x83, 0xd2, 0x00, 0x31, 0xc0}) == kCF);  // inc eax (keeps CF); adc edx, 0; xor
}

TEST_CASE("flags_read_ahead: what it cannot settle counts as read", "[flag_use]") {
  CHECK(read_ahead({0x90, 0x90}) == kAll);                      // runs out of bytes
  CHECK(read_ahead({0xff, 0xc0}) == kCF);                       // inc eax, then out of bytes: CF unsettled
  CHECK(read_ahead({0xc3, 0x31, 0xc0}) == kAll);                // ret ends the look: not past it
  CHECK(read_ahead({0x0f, 0x0b}) == kAll);                      // ud2
  CHECK(read_ahead({0x48, 0x83}) == kAll);                      // truncated
  CHECK(read_ahead(std::vector<uint8_t>(kFlagLookahead + 1, 0x90)) == kAll);  // the look is bounded
}

TEST_CASE("flag_use: unclassified instructions read every flag", "[flag_use]") {
  CHECK(use_of({0x9c}).reads == kAll);        // pushf
  CHECK(use_of({0x0f, 0x0b}).reads == kAll);  // ud2
  CHECK(use_of({0xdb, 0xe8}).reads == kAll);  // fucomi (x87: not classified)
}

// Runs `code` with flag elision and with precise flags from the same state;
// both must end with equal registers and flags. Returns the number of
// instructions the elided run bound without flags.
// `regs` (if given) replaces the default register values.
InterpreterStats run_both_ways(const std::vector<uint8_t>& code, uint64_t flags_in,
                               std::initializer_list<std::pair<Reg, uint64_t>> regs = {}) {
  test::Harness fast(code), precise(code);
  precise.interp.set_precise_flags(true);
  for (test::Harness* h : {&fast, &precise}) {
    for (int r = 0; r < 16; ++r) h->cpu.gpr[r] = 0x9e3779b97f4a7c15ull * (r + 1) ^ (uint64_t(r) << 60);
    h->cpu.gpr[RCX] = 5;
    for (auto [r, v] : regs) h->cpu.gpr[r] = v;
    h->write<uint64_t>(test::Harness::kDataAddr, 0x8000000000000000ull);
    h->set_rflags(flags_in);
    h->run();
  }
  for (int r = 0; r < 16; ++r) CHECK(fast.cpu.gpr[r] == precise.cpu.gpr[r]);
  CHECK(fast.rflags() == precise.rflags());
  CHECK(fast.cpu.icount == precise.cpu.icount);
  CHECK(precise.interp.stats().flags_elided == 0);
  CHECK(precise.interp.stats().fused == 0);
  return fast.interp.stats();
}

uint64_t elided(const std::vector<uint8_t>& code, uint64_t flags_in) {
  return run_both_ways(code, flags_in).flags_elided;
}

TEST_CASE("Elided blocks end with the registers and flags of precise execution", "[flag_elision]") {
  const uint64_t flags_in = GENERATE(0x202ull, 0x202ull | kCF | kZF | kOF | kPF | kSF | kAF);
  SECTION("rotates overwritten by an ADD (SHA-256's pattern)") {
    // ror eax, 6; mov edx, eax; rol edx, 11; xor eax, edx; add eax, ebx:
    // ROR, ROL and XOR lose their flags, the block's last ADD keeps them.
    CHECK(elided({0xc1, 0xc8, 0x06, 0x89, 0xc2, 0xc1, 0xc2, 0x0b, 0x31, 0xd0, 0x01, 0xd8}, flags_in) == 3);
  }
  SECTION("a rotate whose CF a later ADC reads is not elided") {
    // rol eax, 1; mov edx, 3; adc edx, 0
    CHECK(elided({0xd1, 0xc0, 0xba, 0x03, 0x00, 0x00, 0x00, 0x83, 0xd2, 0x00}, flags_in) == 0);
  }
  SECTION("an INC with dead flags still passes the older CF through to a SETC") {
    // inc ecx; setc al; sub edx, esi
    CHECK(elided({0xff, 0xc1, 0x0f, 0x92, 0xc0, 0x29, 0xf2}, flags_in) == 1);
    // inc ecx; sub edx, esi
    CHECK(elided({0xff, 0xc1, 0x29, 0xf2}, flags_in) == 1);
  }
  SECTION("a shift by CL does not kill the flags of an earlier ADD (CL may be 0)") {
    // add eax, ebx; shl edx, cl; imul esi, edi
    CHECK(elided({0x01, 0xd8, 0xd3, 0xe2, 0x0f, 0xaf, 0xf7}, flags_in) == 0);
  }
  SECTION("a rotate keeps SF/ZF/AF/PF of the ADD before it") {
    // add eax, ebx; ror edx, 3
    CHECK(elided({0x01, 0xd8, 0xc1, 0xca, 0x03}, flags_in) == 0);
  }
  SECTION("IMUL's CF/OF dead under an AND") {
    // imul esi, edi; and eax, ebx
    CHECK(elided({0x0f, 0xaf, 0xf7, 0x21, 0xd8}, flags_in) == 1);
  }
  SECTION("the last flag writer of a block keeps its flags") {
    // xor eax, eax; add eax, ebx
    CHECK(elided({0x31, 0xc0, 0x01, 0xd8}, flags_in) == 1);
  }
}

TEST_CASE("With precise flags, a fault mid-block shows the flags of the instruction before it",
          "[flag_elision]") {
  // add eax, ebx; mov [0], ecx (faults); xor eax, eax
  test::Harness h({0x01, 0xd8, 0x89, 0x0c, 0x25, 0x00, 0x00, 0x00, 0x00, 0x31, 0xc0});
  h.interp.set_precise_flags(true);
  h.cpu.gpr[RAX] = 0xffffffff;
  h.cpu.gpr[RBX] = 1;
  REQUIRE(h.run_fault().has_value());
  CHECK(h.cpu.rip == test::Harness::kCodeAddr + 2);
  CHECK((h.rflags() & kArithFlags) == (kCF | kZF | kPF | kAF));  // 0xffffffff + 1 = 0
}

// CMP/TEST + Jcc blocks: `compare` then Jcc (cc) over `mov ecx, 1` to
// `mov edx, 2`, so ECX shows whether the branch was taken.
std::vector<uint8_t> compare_then_branch(std::vector<uint8_t> compare, unsigned cc, bool rel32 = false) {
  std::vector<uint8_t> code = std::move(compare);
  if (rel32) code.insert(code.end(), {0x0f, uint8_t(0x80 | cc), 0x05, 0x00, 0x00, 0x00});
  else code.insert(code.end(), {uint8_t(0x70 | cc), 0x05});
  code.insert(code.end(), {0xb9, 0x01, 0x00, 0x00, 0x00, 0xba, 0x02, 0x00, 0x00, 0x00});
  return code;
}

TEST_CASE("A fused CMP + Jcc branches and sets flags as the two instructions do", "[fusion]") {
  const unsigned cc = GENERATE(range(0u, 16u));
  const uint64_t flags_in = GENERATE(0x202ull, 0x202ull | kCF | kZF | kOF | kPF | kSF | kAF);
  CAPTURE(cc, flags_in);
  // Operand pairs that make every condition go both ways: equal, below,
  // above, signed overflow.
  const std::pair<uint64_t, uint64_t> pairs[] = {
      {7, 7}, {1, 2}, {2, 1}, {0x8000000000000000ull, 1}, {0x7fffffffffffffffull, ~0ull}, {0x80000000, 1}, {0x80, 1}};
  for (auto [a, b] : pairs) {
    CAPTURE(a, b);
    CHECK(run_both_ways(compare_then_branch({0x48, 0x39, 0xd8}, cc), flags_in, {{RAX, a}, {RBX, b}}).fused == 1);  // cmp rax, rbx
    CHECK(run_both_ways(compare_then_branch({0x39, 0xd8}, cc, true), flags_in, {{RAX, a}, {RBX, b}}).fused == 1);   // cmp eax, ebx; jcc rel32
    CHECK(run_both_ways(compare_then_branch({0x38, 0xd8}, cc), flags_in, {{RAX, a}, {RBX, b}}).fused == 1);         // cmp al, bl
    CHECK(run_both_ways(compare_then_branch({0x48, 0x85, 0xd8}, cc), flags_in, {{RAX, a}, {RBX, b}}).fused == 1);  // test rax, rbx
    // cmp rax, [kDataAddr] (holds 0x8000000000000000)
    CHECK(run_both_ways(compare_then_branch({0x48, 0x3b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x10}, cc), flags_in,
                        {{RAX, a}}).fused == 1);
    CHECK(run_both_ways(compare_then_branch({0x48, 0x83, 0xf8, 0x02}, cc), flags_in, {{RAX, a}}).fused == 1);  // cmp rax, 2
  }
}

TEST_CASE("A fused CMP + JL takes the branch exactly when less", "[fusion]") {
  for (auto [a, taken] : {std::pair{uint64_t(-5), true}, {3, true}, {4, false}, {5, false}}) {
    test::Harness h(compare_then_branch({0x48, 0x83, 0xf8, 0x04}, 0xc));  // cmp rax, 4; jl
    h.cpu.gpr[RAX] = a;
    h.cpu.gpr[RCX] = 0;
    h.run();
    CHECK(h.cpu.gpr[RCX] == (taken ? 0 : 1));
    CHECK(h.cpu.gpr[RDX] == 2);
    CHECK(h.interp.stats().fused == 1);
  }
}

// A block's successors are looked at: a compare + branch both of whose
// successors write the flags before reading them records none.
TEST_CASE("A fused CMP + Jcc whose successors overwrite the flags branches the same without them", "[fusion]") {
  const unsigned cc = GENERATE(range(0u, 16u));
  CAPTURE(cc);
  const std::pair<uint64_t, uint64_t> pairs[] = {
      {7, 7}, {1, 2}, {2, 1}, {0x8000000000000000ull, 1}, {0x7fffffffffffffffull, ~0ull}, {0x80000000, 1}, {0x80, 1}};
  for (auto [a, b] : pairs) {
    CAPTURE(a, b);
    // compare; jcc over `mov ecx, 1` to `xor esi, esi` (writes every flag); the fall-through
    // reaches it too. ECX shows whether the branch was taken.
    const auto dead_after = [&](std::vector<uint8_t> compare) {
      std::vector<uint8_t> code = std::move(compare);
      code.insert(code.end(), {uint8_t(0x70 | cc), 0x05, 0xb9, 0x01, 0x00, 0x00, 0x00, 0x31, 0xf6});
      return code;
    };
    for (const auto& compare : {std::vector<uint8_t>{0x48, 0x39, 0xd8}, {0x38, 0xd8}, {0x48, 0x85, 0xd8},
                                {0x48, 0x3b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x10}, {0x48, 0x83, 0xf8, 0x02}}) {
      const InterpreterStats s = run_both_ways(dead_after(compare), 0x202, {{RAX, a}, {RBX, b}, {RCX, 0}});
      CHECK(s.fused == 1);
      CHECK(s.flags_elided == 1);
    }
  }
}

TEST_CASE("A loop whose back edge and exit overwrite the flags runs to the same end", "[fusion]") {
  // L: add rax, 3; cmp rax, rbx; jb L; sub edx, eax
  const std::vector<uint8_t> code = {0x48, 0x83, 0xc0, 0x03, 0x48, 0x39, 0xd8, 0x72, 0xf7, 0x29, 0xc2};
  const InterpreterStats s = run_both_ways(code, 0x202 | kCF, {{RAX, 0}, {RBX, 1000}});
  CHECK(s.fused == 1);
  CHECK(s.flags_elided == 2);  // the ADD (the CMP overwrites it) and the fused CMP
}

TEST_CASE("Flags a successor reads are kept", "[fusion]") {
  // cmp rax, rbx; jne over `nop` to `setb cl`: both paths read CF.
  const std::vector<uint8_t> code = {0x48, 0x39, 0xd8, 0x75, 0x01, 0x90, 0x0f, 0x92, 0xc1};
  for (auto [a, b] : {std::pair<uint64_t, uint64_t>{1, 2}, {2, 1}, {5, 5}}) {
    const InterpreterStats s = run_both_ways(code, 0x202, {{RAX, a}, {RBX, b}});
    CHECK(s.fused == 1);
    CHECK(s.flags_elided == 0);
  }
}

TEST_CASE("Successors on another page are not looked at", "[fusion]") {
  // cmp rax, rbx; jne rel32 to the next page, where `xor esi, esi` would overwrite the flags
  // as it does on the fall-through path.
  std::vector<uint8_t> code = {0x48, 0x39, 0xd8, 0x0f, 0x85, 0x00, 0x10, 0x00, 0x00, 0x31, 0xf6};
  code.resize(code.size() + 0x1000 - 2, 0x90);
  code.insert(code.end(), {0x31, 0xf6});
  const InterpreterStats s = run_both_ways(code, 0x202, {{RAX, 1}, {RBX, 2}});
  CHECK(s.fused == 1);
  CHECK(s.flags_elided == 0);
}

TEST_CASE("Rewriting a successor drops the block that relied on it", "[fusion]") {
  // cmp rax, rbx; jne to `xor edx, edx; nop` over two nops: the flags are dead...
  test::Harness h({0x48, 0x39, 0xd8, 0x75, 0x02, 0x90, 0x90, 0x31, 0xd2, 0x90});
  h.cpu.gpr[RAX] = 1;
  h.cpu.gpr[RBX] = 2;
  h.run();
  REQUIRE(h.interp.stats().flags_elided == 1);
  // ...until the target becomes `setb dl`, which reads CF.
  const uint8_t setb_dl[] = {0x0f, 0x92, 0xc2};
  h.write(test::Harness::kCodeAddr + 7, setb_dl, sizeof setb_dl);
  h.set_rflags(0x202);
  h.cpu.rip = test::Harness::kCodeAddr;
  h.cpu.gpr[RDX] = 0;
  h.run();
  CHECK(h.cpu.gpr[RDX] == 1);  // 1 < 2: CF from the CMP, not the 0 set before
}

TEST_CASE("16-bit compares are not fused", "[fusion]") {
  CHECK(run_both_ways(compare_then_branch({0x66, 0x39, 0xd8}, 4), 0x202).fused == 0);  // cmp ax, bx; je
}

TEST_CASE("A fused CMP whose memory operand faults leaves rip and flags before the pair", "[fusion]") {
  // cmp eax, [0]; jz
  test::Harness h(compare_then_branch({0x3b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00}, 4));
  h.set_rflags(0x202 | kCF);
  REQUIRE(h.run_fault().has_value());
  CHECK(h.interp.stats().fused == 1);
  CHECK(h.cpu.rip == test::Harness::kCodeAddr);
  CHECK(h.rflags() == (0x202 | kCF));
  CHECK(h.cpu.icount == 0);
}

}  // namespace
}  // namespace emu
