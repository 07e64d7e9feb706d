// System instructions: syscall, cpuid, rdtsc/rdtscp, ud2, int3, int1, int n,
// hlt and the privileged instructions, invalid opcodes, fences/clflush, and
// self-modifying code.
#include <catch2/catch.hpp>
#include <algorithm>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "emu/cpuid.h"
#include "emu/flags.h"
#include "mm/guest_fault.h"
#include "tests/emu/harness.h"

namespace emu {
namespace {

using test::Harness;
constexpr uint64_t kCode = Harness::kCodeAddr;

struct CpuidOut {
  uint32_t eax, ebx, ecx, edx;
};

CpuidOut run_cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  Harness h({0x0f, 0xa2});
  h.cpu.gpr[RAX] = 0xdead'beef'0000'0000ull | leaf;  // upper half ignored
  h.cpu.gpr[RCX] = subleaf;
  h.cpu.gpr[RBX] = ~0ull;
  h.cpu.gpr[RDX] = ~0ull;
  h.run();
  for (Reg r : {RAX, RBX, RCX, RDX}) CHECK(h.cpu.gpr[r] >> 32 == 0);  // zero-extended
  return {uint32_t(h.cpu.gpr[RAX]), uint32_t(h.cpu.gpr[RBX]), uint32_t(h.cpu.gpr[RCX]), uint32_t(h.cpu.gpr[RDX])};
}

}  // namespace

TEST_CASE("syscall_stops_with_rcx_next_rip_and_r11_rflags", "[system][syscall]") {
  Harness h({0x90, 0x0f, 0x05});
  h.set_rflags(0x202 | kCF | kZF);
  h.run();
  CHECK(h.syscalls == 1);
  CHECK(h.cpu.gpr[RCX] == kCode + 3);
  CHECK(h.cpu.gpr[R11] == (0x202 | kCF | kZF));
  CHECK(h.cpu.icount == 2);
}

TEST_CASE("interpreter_run_returns_syscall_event_with_rip_after_it", "[system][syscall]") {
  Harness h({0x0f, 0x05, 0x0f, 0x05});
  CHECK(h.interp.run() == Event::Syscall);
  CHECK(h.cpu.rip == kCode + 2);
  CHECK(h.interp.run() == Event::Syscall);
  CHECK(h.cpu.rip == kCode + 4);
}

TEST_CASE("cpuid_leaf0_reports_max_leaf_and_vendor", "[system][cpuid]") {
  CpuidOut r = run_cpuid(0);
  CHECK(r.eax == 7);
  char vendor[13] = {};
  std::memcpy(vendor, &r.ebx, 4);
  std::memcpy(vendor + 4, &r.edx, 4);
  std::memcpy(vendor + 8, &r.ecx, 4);
  CHECK(std::string(vendor) == "GenuineIntel");
}

TEST_CASE("cpuid_leaf1_reports_only_implemented_features", "[system][cpuid]") {
  CpuidOut r = run_cpuid(1);
  CHECK(r.edx == cpuid::kFeatures.leaf1_edx);
  CHECK(r.ecx == cpuid::kFeatures.leaf1_ecx);
  CHECK((r.edx & cpuid::kSse2) != 0);
  CHECK((r.edx & cpuid::kFpu) != 0);  // x87
  CHECK((r.ecx & (cpuid::kSse3 | cpuid::kSsse3 | cpuid::kSse41 | cpuid::kSse42)) ==
        (cpuid::kSse3 | cpuid::kSsse3 | cpuid::kSse41 | cpuid::kSse42));  // x86-64-v2
  CHECK((r.edx & cpuid::kMmx) != 0);  // MMX (baseline x86-64)
  CHECK(((r.ebx >> 8) & 0xff) == 8);  // clflush line: 64 bytes
}

TEST_CASE("cpuid_level_x86_64_hides_the_v2_features_and_v2_restores_them", "[system][cpuid]") {
  // x86-64 psABI levels: v2 adds CMPXCHG16B, LAHF/SAHF, POPCNT, SSE3, SSSE3,
  // SSE4.1 and SSE4.2 to the baseline.
  cpuid::select_level(cpuid::Level::kX86_64);
  CpuidOut base = run_cpuid(1);
  CpuidOut base_ext = run_cpuid(0x80000001);
  cpuid::select_level(cpuid::Level::kX86_64_v2);
  CpuidOut v2 = run_cpuid(1);
  CHECK((base.ecx & (cpuid::kPopcnt | cpuid::kCx16 | cpuid::kSse3 | cpuid::kSsse3 | cpuid::kSse41 | cpuid::kSse42)) == 0);
  CHECK((base_ext.ecx & cpuid::kLahfLm) == 0);
  CHECK(base.edx == v2.edx);  // SSE2 and the rest of the baseline stay
  CHECK((base.edx & cpuid::kSse2) != 0);
  CHECK((base.edx & cpuid::kMmx) != 0);
  CHECK(v2.ecx == cpuid::kFeatures.leaf1_ecx);
  CHECK((v2.ecx & (cpuid::kPopcnt | cpuid::kCx16)) == (cpuid::kPopcnt | cpuid::kCx16));
}

TEST_CASE("cpuid_extended_leaves_report_long_mode_and_syscall", "[system][cpuid]") {
  CHECK(run_cpuid(0x80000000).eax == 0x80000008);
  CpuidOut r = run_cpuid(0x80000001);
  CHECK((r.edx & cpuid::kLm) != 0);
  CHECK((r.edx & cpuid::kSyscall) != 0);
  std::string brand;
  for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
    CpuidOut b = run_cpuid(leaf);
    for (uint32_t v : {b.eax, b.ebx, b.ecx, b.edx})
      for (int i = 0; i < 4; ++i)
        if (char c = char(v >> (8 * i))) brand += c;
  }
  CHECK(brand.rfind("emu", 0) == 0);
}

TEST_CASE("cpuid_unknown_and_structured_leaves_report_zeros", "[system][cpuid]") {
  for (uint32_t leaf : {0x40000000u, 0x12345678u, 0x8000001fu, 0xdu}) {
    INFO("leaf " << std::hex << leaf);
    CpuidOut r = run_cpuid(leaf);
    CHECK(r.eax == 0);
    CHECK(r.ebx == 0);
    CHECK(r.ecx == 0);
    CHECK(r.edx == 0);
  }
  // Leaf 7: no AVX2/BMI/..., only ERMS (a hint: REP MOVSB/STOSB are fast).
  CpuidOut l7 = run_cpuid(7, 0);
  CHECK(l7.eax == 0);
  CHECK(l7.ebx == cpuid::kErms);
  CHECK((l7.ecx | l7.edx) == 0);
}

TEST_CASE("cpuid_signature_is_family_6_model_1a", "[system][cpuid]") {
  // Nehalem's model number: glibc's string functions then prefer unaligned
  // 16-byte loads to SSSE3's PALIGNR loops (emu/cpuid.cpp).
  const CpuidOut l1 = run_cpuid(1);
  const uint32_t family = (l1.eax >> 8) & 0xf, model = ((l1.eax >> 12) & 0xf0) | ((l1.eax >> 4) & 0xf);
  CHECK(family == 6);
  CHECK(model == 0x1a);
}

TEST_CASE("cpuid_leaf4_describes_the_caches_and_ends", "[system][cpuid]") {
  CpuidOut l1d = run_cpuid(4, 0);
  CHECK((l1d.eax & 0x1f) == 1);                                   // data cache
  CHECK(((l1d.eax >> 5) & 7) == 1);                               // level 1
  const uint32_t size = ((l1d.ebx >> 22) + 1) * (((l1d.ebx >> 12) & 0x3ff) + 1) * ((l1d.ebx & 0xfff) + 1) *
                        (l1d.ecx + 1);
  CHECK(size == 32 * 1024);
  CHECK((run_cpuid(4, 4).eax & 0x1f) == 0);                       // no more caches
}

TEST_CASE("rdtsc_and_rdtscp_count_up", "[system][rdtsc]") {
  Harness h({0x0f, 0x31});  // rdtsc
  h.cpu.gpr[RAX] = h.cpu.gpr[RDX] = ~0ull;
  h.run();
  const uint64_t t1 = (h.cpu.gpr[RDX] << 32) | h.cpu.gpr[RAX];
  CHECK(h.cpu.gpr[RAX] >> 32 == 0);
  CHECK(h.cpu.gpr[RDX] >> 32 == 0);
  h.set_code({0x0f, 0x01, 0xf9});  // rdtscp
  h.cpu.gpr[RCX] = ~0ull;
  h.run();
  const uint64_t t2 = (h.cpu.gpr[RDX] << 32) | h.cpu.gpr[RAX];
  CHECK(t2 > t1);
  CHECK(h.cpu.gpr[RCX] == 0);  // TSC_AUX: cpu 0
}

TEST_CASE("ud2_raises_sigill_with_rip_at_the_instruction", "[system][fault]") {
  Harness h({0x90, 0x90, 0x0f, 0x0b, 0x90});
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
  CHECK(f->code == mm::kIllOpn);
  CHECK(f->addr == kCode + 2);
  CHECK(h.cpu.rip == kCode + 2);
  CHECK(h.cpu.icount == 2);
}

TEST_CASE("int3_raises_sigtrap_with_rip_after_the_instruction", "[system][fault]") {
  Harness h({0x90, 0xcc, 0x90});
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGTRAP);
  CHECK(f->code == mm::kSiKernel);
  CHECK(h.cpu.rip == kCode + 2);
  CHECK(h.cpu.icount == 2);  // a trap: int3 itself retired
}

TEST_CASE("int1_raises_sigtrap_trap_brkpt_with_rip_and_address_after_it", "[system][fault]") {
  // Measured natively: F1 and 66 F1 give SIGTRAP, si_code TRAP_BRKPT, si_addr = RIP = the next instruction.
  for (std::vector<uint8_t> code : {std::vector<uint8_t>{0x90, 0xf1}, std::vector<uint8_t>{0x90, 0x66, 0xf1}}) {
    Harness h(code);
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGTRAP);
    CHECK(f->code == mm::kTrapBrkpt);
    CHECK(f->addr == kCode + code.size());
    CHECK(h.cpu.rip == kCode + code.size());
    CHECK(h.cpu.icount == 2);
  }
}

TEST_CASE("int_4_is_sigsegv_reported_after_the_instruction_other_vectors_at_it", "[system][fault]") {
  // Measured natively: INT 4 (Linux's #OF gate is open to user mode) ends in
  // SIGSEGV SI_KERNEL with RIP after it; INT 5, INT 1, INT 0x80 (no IA-32
  // emulation on this host) are #GP with RIP at them; INT 3 is SIGTRAP after it.
  struct Case {
    uint8_t vector;
    int signo;
    uint64_t rip;
  };
  for (const Case& c : {Case{4, SIGSEGV, kCode + 3}, Case{5, SIGSEGV, kCode + 1}, Case{1, SIGSEGV, kCode + 1},
                        Case{0x80, SIGSEGV, kCode + 1}, Case{3, SIGTRAP, kCode + 3}}) {
    INFO("int " << int(c.vector));
    Harness h({0x90, 0xcd, c.vector});
    h.cpu.gpr[RAX] = 0x1234;
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == c.signo);
    CHECK(f->code == mm::kSiKernel);
    CHECK(f->addr == 0);
    CHECK(h.cpu.rip == c.rip);
    CHECK(h.cpu.gpr[RAX] == 0x1234);
  }
}

TEST_CASE("privileged_instructions_raise_sigsegv_si_kernel_at_the_instruction", "[system][fault]") {
  // Each measured on this host at CPL 3: #GP, which Linux delivers as
  // SIGSEGV, SI_KERNEL, si_addr 0, RIP at the instruction.
  const std::vector<std::vector<uint8_t>> cases = {
      {0xf4}, {0xfa}, {0xfb}, {0xe4, 0x60}, {0xee}, {0x6c}, {0x6e},  // hlt cli sti in out ins outs
      {0x0f, 0x00, 0xd0}, {0x0f, 0x00, 0x10}, {0x0f, 0x00, 0xd8}, {0x0f, 0x00, 0x18},  // lldt, ltr
      {0x0f, 0x01, 0x10}, {0x0f, 0x01, 0x18},                                          // lgdt, lidt
      {0x0f, 0x01, 0xf0}, {0x0f, 0x01, 0x30}, {0x0f, 0x01, 0x38}, {0x0f, 0x01, 0xf8},  // lmsw, invlpg, swapgs
      {0x0f, 0x06}, {0x0f, 0x07}, {0x0f, 0x08}, {0x0f, 0x09},                          // clts sysret invd wbinvd
      {0x0f, 0x20, 0xc0}, {0x0f, 0x22, 0xc0}, {0x44, 0x0f, 0x20, 0xc0}, {0x0f, 0x21, 0xc0}, {0x0f, 0x23, 0xf8},
      {0x0f, 0x30}, {0x0f, 0x32}, {0x0f, 0x33},                                        // wrmsr rdmsr rdpmc
  };
  for (const auto& bytes : cases) {
    INFO("bytes " << bytes.size() << " first " << int(bytes[0]) << " " << int(bytes[1 % bytes.size()]));
    Harness h(bytes);
    h.cpu.gpr[RAX] = Harness::kDataAddr;  // the memory forms' operand (never read)
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGSEGV);
    CHECK(f->code == mm::kSiKernel);
    CHECK(f->addr == 0);
    CHECK(h.cpu.rip == kCode);
  }
}

TEST_CASE("hlt_and_int_n_raise_sigsegv_as_in_user_mode", "[system][fault]") {
  for (std::vector<uint8_t> code : {std::vector<uint8_t>{0xf4}, std::vector<uint8_t>{0xcd, 0x80},
                                    std::vector<uint8_t>{0xe4, 0x60}, std::vector<uint8_t>{0xfa}}) {
    Harness h(code);
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGSEGV);
    CHECK(f->code == mm::kSiKernel);
    CHECK(h.cpu.rip == kCode);
  }
}

TEST_CASE("invalid_and_unsupported_opcodes_raise_sigill_at_their_address", "[system][fault]") {
  const std::vector<std::vector<uint8_t>> cases = {
      {0x06},                    // push es: invalid in 64-bit mode
      {0xc5, 0xf8, 0x77},        // vzeroupper: VEX, no AVX in our CPU model
      {0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1},  // EVEX vmovaps
      {0x0f, 0x0f, 0xc1, 0x9e},  // 3DNow! pfadd
      {0xf0, 0x90},              // lock nop
      {0x8d, 0xc0},              // lea with a register operand
      {0x0f, 0xff, 0xc0},        // ud0
  };
  for (const auto& bytes : cases) {
    std::vector<uint8_t> code(bytes.size() + 1, 0x90);
    std::copy(bytes.begin(), bytes.end(), code.begin() + 1);
    Harness h(code);
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGILL);
    CHECK(f->addr == kCode + 1);
    CHECK(h.cpu.rip == kCode + 1);
    CHECK(h.cpu.icount == 1);
  }
}

TEST_CASE("fences_are_nops_and_clflush_checks_its_address", "[system]") {
  Harness h({0x0f, 0xae, 0xe8, 0x0f, 0xae, 0xf0, 0x0f, 0xae, 0xf8, 0x0f, 0xae, 0x38});  // lfence mfence sfence clflush [rax]
  h.cpu.gpr[RAX] = Harness::kDataAddr;
  h.run();
  CHECK(h.cpu.icount == 4);
  h.cpu.rip = kCode;
  h.cpu.gpr[RAX] = 0x3000;  // unmapped
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == 0x3000);
  CHECK(h.cpu.rip == kCode + 9);
}

TEST_CASE("code_rewritten_between_runs_is_decoded_afresh", "[system][smc]") {
  // 0: 0f 05 syscall | 2: 0f 0b ud2. After the first stop, the ud2 becomes two NOPs.
  Harness h({0x0f, 0x05, 0x0f, 0x0b});
  CHECK(h.interp.run() == Event::Syscall);
  const uint8_t nops[] = {0x90, 0x90};
  h.write(kCode + 2, nops, 2);
  CHECK(h.interp.stats().blocks_invalidated >= 1);
  h.cpu.rip = kCode;
  h.run();  // syscall, nop, nop, sentinel
  CHECK(h.cpu.icount == 1 + 3);
}

TEST_CASE("a_store_into_the_running_block_takes_effect_for_the_next_instruction", "[system][smc]") {
  // 0: 66 c7 05 00 00 00 00 90 90   mov word [rip+0], 0x9090  (writes offsets 9-10)
  // 9: 0f 0b                         ud2 -> becomes nop; nop
  Harness h({0x66, 0xc7, 0x05, 0x00, 0x00, 0x00, 0x00, 0x90, 0x90, 0x0f, 0x0b});
  h.run();
  CHECK(h.cpu.icount == 3);
  CHECK(h.read<uint16_t>(kCode + 9) == 0x9090);
  CHECK(h.interp.stats().blocks_invalidated >= 1);
}

TEST_CASE("a_store_into_a_later_block_replaces_its_cached_code", "[system][smc]") {
  // 0: 0f 05                    syscall      (not executed)
  // 2: 66 c7 05 02 00 00 00 0f 0b  mov word [rip+2], 0x0b0f  -> writes offsets 13-14
  // 11: eb 00                   jmp 13
  // 13: 90 90                   nop nop     (becomes ud2 on the second pass)
  Harness h({0x0f, 0x05, 0x66, 0xc7, 0x05, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x0b, 0xeb, 0x00, 0x90, 0x90});
  // First pass: skip the store by starting at 11, caching the block at 13.
  h.cpu.rip = kCode + 11;
  h.run();
  CHECK(h.cpu.rip == kCode + 15);
  // Second pass: the store rewrites the cached block at 13 into ud2.
  h.cpu.rip = kCode + 2;
  auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
  CHECK(h.cpu.rip == kCode + 13);
}

TEST_CASE("a_chained_block_rewritten_between_passes_runs_its_new_code", "[system][smc]") {
  // 0: b9 03 00 00 00      mov ecx, 3
  // 5: 88 0d 07 00 00 00   mov [rip+7], cl      -> the imm8 of the add at 16
  // 11: eb 03              jmp 16                (the block at 16 is linked after one pass)
  // 13: 90 90 90
  // 16: 83 c0 00           add eax, imm8
  // 19: e2 f0              loop 5
  // Each pass rewrites the block its predecessor links to: eax = 3 + 2 + 1.
  Harness h({0xb9, 0x03, 0x00, 0x00, 0x00, 0x88, 0x0d, 0x07, 0x00, 0x00, 0x00, 0xeb, 0x03,
             0x90, 0x90, 0x90, 0x83, 0xc0, 0x00, 0xe2, 0xf0});
  h.run();
  CHECK(h.cpu.gpr[RAX] == 6);
  CHECK(h.cpu.icount == 1 + 3 * 4);
  CHECK(h.interp.stats().blocks_invalidated >= 3);
}

// Block to block without the run loop (emu/block_chain.h): the hot loops
// below run through the chain links after their first pass. They must
// retire exactly the instructions a run without chaining does (tracing
// turns it off) and stop where the loop exits.
TEST_CASE("loops that go block to block count every instruction and exit on their condition", "[system][chain]") {
  struct Loop {
    const char* what;
    std::vector<uint8_t> code;
    uint64_t rax;
    uint64_t icount;
  };
  const Loop loops[] = {
      // 0: mov ecx, 1000 | 5: add eax, 1 | 8: dec ecx | 10: jnz 5 (op_jcc)
      {"dec/jnz", {0xb9, 0xe8, 0x03, 0x00, 0x00, 0x83, 0xc0, 0x01, 0xff, 0xc9, 0x75, 0xf9}, 1000, 1 + 3 * 1000},
      // 0: mov ecx, 700 | 5: add eax, 1 | 8: cmp eax, ecx | 10: jne 5 (fused)
      {"cmp/jne", {0xb9, 0xbc, 0x02, 0x00, 0x00, 0x83, 0xc0, 0x01, 0x39, 0xc8, 0x75, 0xf9}, 700, 1 + 3 * 700},
      // 0: mov ecx, 300 | 5: jmp 9 | 7: ud2 | 9: add eax, 2 | 12: dec ecx | 14: jnz 5
      {"jmp then jnz", {0xb9, 0x2c, 0x01, 0x00, 0x00, 0xeb, 0x02, 0x0f, 0x0b, 0x83, 0xc0, 0x02, 0xff, 0xc9, 0x75, 0xf5},
       600, 1 + 4 * 300},
  };
  for (const Loop& l : loops) {
    INFO(l.what);
    Harness chained(l.code), traced(l.code);
    traced.interp.set_trace([](void*, const Cpu&, uint64_t) {}, nullptr);
    for (Harness* h : {&chained, &traced}) {
      h->cpu.gpr[RAX] = 0;
      h->run();
      CHECK(h->cpu.gpr[RAX] == l.rax);
      CHECK(h->cpu.icount == l.icount);
      CHECK(h->cpu.rip == h->code_end());
    }
  }
}

// The chain's stack guard (emu/block_chain.h): with no stack budget left,
// handlers never go on into the next block, every block ends in the run
// loop, and the loop still retires the same instructions. With the default
// budget the hot loop runs block to block.
TEST_CASE("with no chain stack budget every block ends in the run loop with the same results", "[system][chain]") {
  // 0: mov ecx, 1000 | 5: add eax, 1 | 8: cmp eax, ecx | 10: jne 5 (fused)
  const std::vector<uint8_t> code = {0xb9, 0xe8, 0x03, 0x00, 0x00, 0x83, 0xc0, 0x01, 0x39, 0xc8, 0x75, 0xf9};
  Harness chained(code), guarded(code);
  guarded.interp.set_chain_stack_budget(0);
  for (Harness* h : {&chained, &guarded}) {
    h->cpu.gpr[RAX] = 0;
    h->run();
    CHECK(h->cpu.gpr[RAX] == 1000);
    CHECK(h->cpu.icount == 1 + 3 * 1000);
    CHECK(h->cpu.rip == h->code_end());
  }
  CHECK(chained.interp.stats().loop_block_ends < 10);
  CHECK(guarded.interp.stats().loop_block_ends >= 1000);
}


// --max-insns (Cpu::insn_limit): a guest spinning in one block that jumps to
// itself stops at the first block end at or past the limit, chained or not,
// with rip at the next block to run; lifting the limit lets it go on.
TEST_CASE("the instruction limit stops a self-looping block chained or not", "[system][chain]") {
  // 0: add eax, 1 | 3: jmp 0
  const std::vector<uint8_t> code = {0x83, 0xc0, 0x01, 0xeb, 0xfb};
  Harness chained(code), unchained(code);
  unchained.interp.set_chain_stack_budget(0);
  for (Harness* h : {&chained, &unchained}) {
    h->cpu.insn_limit = 10'000;
    CHECK(h->interp.run() == Event::InsnLimit);
    CHECK(h->cpu.icount >= 10'000);
    CHECK(h->cpu.icount < 10'000 + 2);  // within one block of two instructions
    CHECK(h->cpu.gpr[RAX] == h->cpu.icount / 2);
    CHECK(h->cpu.rip == Harness::kCodeAddr);
    // Still at the limit: run() returns at once.
    const uint64_t before = h->cpu.icount;
    CHECK(h->interp.run() == Event::InsnLimit);
    CHECK(h->cpu.icount == before);
    h->cpu.insn_limit = 20'000;
    CHECK(h->interp.run() == Event::InsnLimit);
    CHECK(h->cpu.icount >= 20'000);
    CHECK(h->cpu.icount < 20'000 + 2);
  }
}

// A loop's back edge (a Jcc to its own block's start: reenter_block) goes
// round without the block links; the limit and an interrupt still stop it at
// a block end, fused or not.
TEST_CASE("the instruction limit and an interrupt stop a Jcc back edge, fused or not", "[system][chain]") {
  const std::vector<std::vector<uint8_t>> loops = {
      {0x83, 0xc0, 0x01, 0x39, 0xc8, 0x75, 0xf9},  // 0: add eax, 1 | 3: cmp eax, ecx | 5: jne 0 (fused)
      {0x83, 0xc0, 0x01, 0xff, 0xc9, 0x75, 0xf9},  // 0: add eax, 1 | 3: dec ecx | 5: jnz 0 (op_jcc)
  };
  for (const auto& code : loops) {
    Harness h(code);
    h.cpu.gpr[RCX] = ~0ull >> 1;
    h.cpu.insn_limit = 30'000;
    CHECK(h.interp.run() == Event::InsnLimit);
    CHECK(h.cpu.icount >= 30'000);
    CHECK(h.cpu.icount < 30'000 + 3);  // within one block of three instructions
    CHECK(h.cpu.gpr[RAX] == h.cpu.icount / 3);
    CHECK(h.cpu.rip == Harness::kCodeAddr);
    CHECK(h.interp.stats().loop_block_ends < h.cpu.icount / 3 / 20);
    raise_interrupt(h.cpu);
    CHECK(h.interp.run() == Event::Interrupt);
    clear_interrupt(h.cpu);
  }
}

TEST_CASE("a loop that rewrites its own body runs the new code from the next round", "[system][chain]") {
  // 0: mov ecx, 3 | 5: add eax, 1 | 8: mov byte [rip - 8], 2 (the ADD's immediate)
  // 15: dec ecx | 17: jnz 5
  Harness h({0xb9, 0x03, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x01, 0xc6, 0x05, 0xf8, 0xff, 0xff, 0xff, 0x02, 0xff, 0xc9,
             0x75, 0xf2});
  h.cpu.gpr[RAX] = 0;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 1 + 2 + 2);
  CHECK(h.cpu.gpr[RCX] == 0);
}

// An interrupt raised while the guest spins (as the host signal catcher does
// from another context) stops a chained loop at a block boundary; lowering
// it lets the loop go on block to block again.
TEST_CASE("a raised interrupt stops a chained self-loop and clearing it re-arms chaining", "[system][chain]") {
  const std::vector<uint8_t> code = {0x83, 0xc0, 0x01, 0xeb, 0xfb};  // add eax, 1 | jmp 0
  Harness h(code);
  raise_interrupt(h.cpu);
  CHECK(h.interp.run() == Event::Interrupt);
  CHECK(h.cpu.icount == 0);
  clear_interrupt(h.cpu);
  CHECK(h.cpu.chain_until == UINT64_MAX);
  h.cpu.insn_limit = 50'000;
  CHECK(h.interp.run() == Event::InsnLimit);
  // Went block to block, not through the loop: at most one block in 20 ended
  // there (a build whose handlers make real calls, such as a sanitizer
  // build's, returns to the loop at each stack guard, every few hundred).
  CHECK(h.interp.stats().loop_block_ends < h.cpu.icount / 2 / 20);
}

}  // namespace emu
