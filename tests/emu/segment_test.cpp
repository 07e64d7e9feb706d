// Segment registers, descriptor-table instructions and far transfers
// (emu/ops/segment.cpp, descriptor.cpp, far_transfer.cpp): stated inputs,
// expected registers, memory and flags. Every expected value was measured
// on this project's host (Linux 6.18 on an AMD EPYC VM) by running the same
// bytes natively; segment_host_test.cpp repeats the selector-dependent ones
// against the host on every run.
#include <catch2/catch.hpp>

#include <csignal>
#include <optional>
#include <vector>

#include "emu/flags.h"
#include "tests/emu/harness.h"

using namespace emu;
using emu::test::Harness;

namespace {

constexpr uint64_t kCode = Harness::kCodeAddr;
constexpr uint64_t kData = Harness::kDataAddr;
constexpr uint64_t kJunk = 0xdeadbeefcafebabe;

// Runs `h` and requires the #GP Linux delivers at CPL 3: SIGSEGV, SI_KERNEL,
// no address, RIP at the first instruction.
void require_gp(Harness& h) {
  const std::optional<mm::GuestFault> f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSiKernel);
  CHECK(f->addr == 0);
  CHECK(h.cpu.rip == kCode);
}

}  // namespace

// ---- segment registers -------------------------------------------------------

TEST_CASE("mov r32, sreg reads the selectors Linux gives a 64-bit process, zero-extended", "[segment]") {
  const struct { uint8_t modrm; uint16_t sel; } cases[] = {
      {0xC0, 0}, {0xC8, 0x33}, {0xD0, 0x2b}, {0xD8, 0}, {0xE0, 0}, {0xE8, 0}};  // es cs ss ds fs gs
  for (const auto& c : cases) {
    Harness h({0x8C, c.modrm});
    h.cpu.gpr[RAX] = kJunk;
    h.run();
    CHECK(h.cpu.gpr[RAX] == c.sel);
  }
}

TEST_CASE("mov r16, sreg keeps the upper 48 bits; mov m16, sreg stores a word even with rex.w", "[segment]") {
  Harness h({0x66, 0x8C, 0xC8,          // mov ax, cs
             0x48, 0x8C, 0x13});        // mov [rbx], ss
  h.cpu.gpr[RAX] = kJunk;
  h.cpu.gpr[RBX] = kData;
  h.write<uint64_t>(kData, ~uint64_t{0});
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xdeadbeefcafe0033);
  CHECK(h.read<uint64_t>(kData) == 0xffffffffffff002b);
}

TEST_CASE("mov to ds, es and gs takes null and user selectors; any other is #GP", "[segment]") {
  // 8e d9: mov ds, cx; 8e c1: mov es, cx; 8e e9: mov gs, cx; then mov eax, <same sreg>
  const std::vector<uint8_t> loads[] = {{0x8E, 0xD9, 0x8C, 0xD8}, {0x8E, 0xC1, 0x8C, 0xC0}, {0x8E, 0xE9, 0x8C, 0xE8}};
  for (const auto& code : loads) {
    for (uint16_t sel : {0x0000, 0x0001, 0x0003, 0x0028, 0x002b, 0x0030, 0x0033, 0x0078, 0x007b}) {
      INFO("selector " << sel);
      Harness h(code);
      h.cpu.gpr[RCX] = 0xabcd0000 | sel;  // only the low word is the selector
      h.run();
      CHECK(h.cpu.gpr[RAX] == sel);
    }
    for (uint16_t sel : {0x0008, 0x0010, 0x001b, 0x0023, 0x0038, 0x0040, 0x0050, 0x0063, 0x0080, 0x002f, 0xffff}) {
      INFO("selector " << sel);
      Harness h(code);
      h.cpu.gpr[RCX] = sel;
      require_gp(h);
      CHECK(h.cpu.selector[kDs] == 0);
      CHECK(h.cpu.selector[kEs] == 0);
      CHECK(h.cpu.selector[kGs] == 0);
    }
  }
}

TEST_CASE("mov to ss takes only 0x2b; mov to cs is #UD", "[segment]") {
  Harness ok({0x8E, 0x11});  // mov ss, [rcx]
  ok.cpu.gpr[RCX] = kData;
  ok.write<uint16_t>(kData, 0x2b);
  ok.run();
  CHECK(ok.cpu.selector[kSs] == 0x2b);
  for (uint16_t sel : {0x0000, 0x0003, 0x0028, 0x0033, 0x007b, 0x0023}) {
    INFO("selector " << sel);
    Harness h({0x8E, 0xD1});  // mov ss, cx
    h.cpu.gpr[RCX] = sel;
    require_gp(h);
  }
  Harness cs({0x8E, 0xC8});  // mov cs, ax
  const std::optional<mm::GuestFault> f = cs.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
  CHECK(f->addr == kCode);
}

TEST_CASE("loading fs or gs sets its base to 0, null selector included; a refused load keeps it", "[segment]") {
  Harness h({0x8E, 0xE1,    // mov fs, cx
             0x8E, 0xEA});  // mov gs, dx
  h.cpu.seg_base[kSegFs] = 0x1000;
  h.cpu.seg_base[kSegGs] = 0x2000;
  h.cpu.gpr[RCX] = 0;
  h.cpu.gpr[RDX] = 0x2b;
  h.run();
  CHECK(h.cpu.seg_base[kSegFs] == 0);
  CHECK(h.cpu.seg_base[kSegGs] == 0);
  CHECK(h.cpu.selector[kGs] == 0x2b);

  Harness bad({0x8E, 0xE1});
  bad.cpu.seg_base[kSegFs] = 0x1000;
  bad.cpu.gpr[RCX] = 0x10;  // the kernel's code segment
  require_gp(bad);
  CHECK(bad.cpu.seg_base[kSegFs] == 0x1000);
}

TEST_CASE("push fs/gs pushes 8 bytes zero-extended, 2 with 66", "[segment]") {
  Harness h({0x0F, 0xA8,          // push gs
             0x66, 0x0F, 0xA0});  // push fs (word)
  h.cpu.selector[kGs] = 0x2b;
  h.write<uint64_t>(Harness::kStackTop - 8, kJunk);
  h.write<uint64_t>(Harness::kStackTop - 16, kJunk);
  h.run();
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop - 10);
  CHECK(h.read<uint64_t>(Harness::kStackTop - 8) == 0x2b);
  CHECK(h.read<uint64_t>(Harness::kStackTop - 16) == 0x0000beefcafebabe);  // the word at -10 is FS's 0
}

TEST_CASE("pop gs loads the low word of an 8-byte slot; a refused selector leaves rsp", "[segment]") {
  Harness h({0x0F, 0xA9});  // pop gs
  h.cpu.gpr[RSP] = Harness::kStackTop - 8;
  h.write<uint64_t>(Harness::kStackTop - 8, 0xffffffffffff002b);
  h.run();
  CHECK(h.cpu.selector[kGs] == 0x2b);
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);

  Harness bad({0x66, 0x0F, 0xA9});  // pop gs (word)
  bad.cpu.gpr[RSP] = Harness::kStackTop - 8;
  bad.write<uint16_t>(Harness::kStackTop - 8, 0x10);
  require_gp(bad);
  CHECK(bad.cpu.gpr[RSP] == Harness::kStackTop - 8);
}

TEST_CASE("lgs/lss read m16:32 (m16:16 with 66; still m16:32 with rex.w on this AMD host)", "[segment]") {
  struct Case {
    std::vector<uint8_t> code;
    uint64_t rax;
  };
  const Case cases[] = {
      {{0x0F, 0xB5, 0x03}, 0xaabbccdd},                // lgs eax, [rbx]: offset at +0, selector at +4
      {{0x48, 0x0F, 0xB5, 0x03}, 0xaabbccdd},          // rex.w: the same (Intel: m16:64)
      {{0x66, 0x0F, 0xB5, 0x03}, 0xdeadbeefcafeccdd},  // lgs ax, [rbx]: selector at +2
  };
  for (const Case& c : cases) {
    Harness h(c.code);
    h.cpu.gpr[RAX] = kJunk;
    h.cpu.gpr[RBX] = kData;
    h.write<uint64_t>(kData, 0x0000002baabbccdd);
    h.write<uint16_t>(kData + 2, c.code[0] == 0x66 ? 0x2b : 0xaabb);
    h.run();
    CHECK(h.cpu.gpr[RAX] == c.rax);
    CHECK(h.cpu.selector[kGs] == 0x2b);
  }
  Harness lss({0x0F, 0xB2, 0x03});  // lss eax, [rbx] with a null selector: #GP, eax kept
  lss.cpu.gpr[RAX] = kJunk;
  lss.cpu.gpr[RBX] = kData;
  lss.write<uint64_t>(kData, 0x00000000aabbccdd);
  require_gp(lss);
  CHECK(lss.cpu.gpr[RAX] == kJunk);
}

// ---- descriptor-table instructions ---------------------------------------------

TEST_CASE("lar, lsl, verr and verw answer from Linux's GDT and change only ZF", "[segment][descriptor]") {
  // lar rax, cx | lsl rax, cx | verr cx | verw cx, each with all arithmetic flags set before.
  struct Case {
    uint16_t sel;
    bool valid;
    uint32_t lar, lsl;
    bool readable, writable;
  };
  const Case cases[] = {
      {0x002b, true, 0x00cff300, 0xffffffff, true, true},    // __USER_DS
      {0x0028, true, 0x00cff300, 0xffffffff, true, true},    // (RPL does not matter: DPL 3)
      {0x0033, true, 0x00affb00, 0xffffffff, true, false},   // __USER_CS: 64-bit code, readable
      {0x007b, true, 0x0040f500, 0, true, false},            // CPUNODE: read-only data, limit = CPU 0
      {0x0000, false, 0, 0, false, false},                   // null
      {0x0023, false, 0, 0, false, false},                   // __USER32_CS: no IA-32 emulation here
      {0x0010, false, 0, 0, false, false},                   // kernel code, DPL 0
      {0x0040, false, 0, 0, false, false},                   // TSS, DPL 0
      {0x0063, false, 0, 0, false, false},                   // empty TLS entry
      {0x002f, false, 0, 0, false, false},                   // LDT selector: no LDT
      {0x0083, false, 0, 0, false, false},                   // past the GDT's 16 entries
  };
  for (const Case& c : cases) {
    INFO("selector " << c.sel);
    for (int op = 0; op < 4; ++op) {
      const std::vector<uint8_t> code = op == 0 ? std::vector<uint8_t>{0x48, 0x0F, 0x02, 0xC1}
                                        : op == 1 ? std::vector<uint8_t>{0x48, 0x0F, 0x03, 0xC1}
                                        : op == 2 ? std::vector<uint8_t>{0x0F, 0x00, 0xE1}
                                                  : std::vector<uint8_t>{0x0F, 0x00, 0xE9};
      Harness h(code);
      h.cpu.gpr[RAX] = kJunk;
      h.cpu.gpr[RCX] = 0xffffffffffff0000 | c.sel;
      h.set_rflags(0x202 | kArithFlags);
      h.run();
      const bool zf = op == 0 || op == 1 ? c.valid : op == 2 ? c.readable : c.writable;
      CHECK(h.rflags() == (0x202 | (kArithFlags & ~kZF) | (zf ? kZF : 0)));
      if (op == 0) CHECK(h.cpu.gpr[RAX] == (c.valid ? c.lar : kJunk));
      if (op == 1) CHECK(h.cpu.gpr[RAX] == (c.valid ? c.lsl : kJunk));
      if (op >= 2) CHECK(h.cpu.gpr[RAX] == kJunk);
    }
  }
}

TEST_CASE("lar/lsl write 32 bits zero-extended, 16 bits merged; a failure writes nothing", "[segment][descriptor]") {
  Harness h({0x0F, 0x02, 0x03,          // lar eax, [rbx]   (0x33)
             0x66, 0x0F, 0x03, 0xD1,    // lsl dx, cx       (0x2b)
             0x0F, 0x02, 0xF1});        // lar esi, ecx... with cx = 0x2b: 0x00cff300
  h.cpu.gpr[RAX] = kJunk;
  h.cpu.gpr[RDX] = kJunk;
  h.cpu.gpr[RSI] = kJunk;
  h.cpu.gpr[RBX] = kData;
  h.cpu.gpr[RCX] = 0x2b;
  h.write<uint16_t>(kData, 0x33);
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x00affb00);
  CHECK(h.cpu.gpr[RDX] == 0xdeadbeefcafeffff);
  CHECK(h.cpu.gpr[RSI] == 0x00cff300);

  Harness fail({0x0F, 0x02, 0xC1});  // lar eax, ecx with 0x23: upper half kept too
  fail.cpu.gpr[RAX] = kJunk;
  fail.cpu.gpr[RCX] = 0x23;
  fail.run();
  CHECK(fail.cpu.gpr[RAX] == kJunk);
}

// As Linux's UMIP emulation gives them: a register destination gets the
// operand size's bytes, the rest kept (no zero-extension for 32 bits).
TEST_CASE("sldt, str and smsw read 0, 0x40 and CR0's 0x80050033", "[segment][descriptor]") {
  struct Case {
    std::vector<uint8_t> code;
    uint64_t rax;
  };
  const Case cases[] = {
      {{0x0F, 0x00, 0xC0}, 0xdeadbeef00000000},          // sldt eax
      {{0x0F, 0x00, 0xC8}, 0xdeadbeef00000040},          // str eax
      {{0x66, 0x0F, 0x00, 0xC8}, 0xdeadbeefcafe0040},    // str ax
      {{0x48, 0x0F, 0x00, 0xC8}, 0x40},                  // str rax
      {{0x0F, 0x01, 0xE0}, 0xdeadbeef80050033},          // smsw eax
      {{0x48, 0x0F, 0x01, 0xE0}, 0x80050033},            // smsw rax
      {{0x66, 0x0F, 0x01, 0xE0}, 0xdeadbeefcafe0033},    // smsw ax
  };
  for (const Case& c : cases) {
    Harness h(c.code);
    h.cpu.gpr[RAX] = kJunk;
    h.run();
    CHECK(h.cpu.gpr[RAX] == c.rax);
  }
  Harness m({0x0F, 0x00, 0x0B,    // str [rbx]
             0x0F, 0x01, 0x63, 0x02});  // smsw [rbx+2]
  m.cpu.gpr[RBX] = kData;
  m.write<uint64_t>(kData, ~uint64_t{0});
  m.run();
  CHECK(m.read<uint64_t>(kData) == 0xffffffff00330040);  // words only
}

TEST_CASE("sgdt and sidt store a zero limit then a base, byte by byte up to an unwritable byte (MAPERR at the start)",
          "[segment][descriptor]") {
  Harness h({0x0F, 0x01, 0x03,          // sgdt [rbx]
             0x0F, 0x01, 0x4B, 0x10});  // sidt [rbx+16]
  h.cpu.gpr[RBX] = kData;
  h.run();
  CHECK(h.read<uint16_t>(kData) == 0);
  CHECK(h.read<uint64_t>(kData + 2) == 0xfffffffffffe0000);  // Linux's UMIP values
  CHECK(h.read<uint16_t>(kData + 16) == 0);
  CHECK(h.read<uint64_t>(kData + 18) == 0xffffffffffff0000);

  Harness edge({0x0F, 0x01, 0x03});
  const uint64_t end = kData + Harness::kDataSize;
  edge.cpu.gpr[RBX] = end - 4;
  edge.write<uint32_t>(end - 4, 0xaaaaaaaa);
  const std::optional<mm::GuestFault> f = edge.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSegvMapErr);
  CHECK(f->addr == end - 4);
  CHECK(edge.read<uint32_t>(end - 4) == 0);  // limit and 2 base bytes up to the page end, as copy_to_user
}

// ---- far transfers --------------------------------------------------------------

TEST_CASE("retf pops 4-byte slots by default, 8 with rex.w, 2 with 66, then imm16 more", "[segment][far]") {
  struct Case {
    std::vector<uint8_t> code;
    unsigned slot;
    uint64_t released;
  };
  const Case cases[] = {
      {{0xCB}, 4, 8}, {{0x48, 0xCB}, 8, 16}, {{0xCA, 0x10, 0x00}, 4, 8 + 0x10}, {{0x48, 0xCA, 0x00, 0x01}, 8, 16 + 0x100}};
  for (const Case& c : cases) {
    Harness h(c.code);
    const uint64_t sp = Harness::kStackTop - 0x200;
    h.cpu.gpr[RSP] = sp;
    const uint64_t target = h.code_end();  // the harness's end sentinel
    h.write(sp, &target, c.slot);
    const uint64_t cs = 0xffffffffdead0033;  // only the low word is the selector
    h.write(sp + c.slot, &cs, c.slot);
    h.run();
    CHECK(h.cpu.gpr[RSP] == sp + c.released);
    CHECK(h.cpu.selector[kCs] == 0x33);
  }
  Harness w({0x66, 0xCB});  // 16-bit: IP 0x1234 zero-extended, then a fetch fault there
  w.cpu.gpr[RSP] = Harness::kStackTop - 0x200;
  w.write<uint32_t>(Harness::kStackTop - 0x200, 0x00331234);
  const std::optional<mm::GuestFault> f = w.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->code == mm::kSegvMapErr);
  CHECK(f->addr == 0x1234);
  CHECK(w.cpu.rip == 0x1234);
  CHECK(w.cpu.gpr[RSP] == Harness::kStackTop - 0x200 + 4);
}

TEST_CASE("retf to any selector but 0x33, or to a non-canonical address, is #GP with nothing popped", "[segment][far]") {
  for (uint64_t cs : {0x30, 0x31, 0x32, 0x2b, 0x23, 0x00, 0x03, 0x7b, 0x10, 0x1237}) {
    INFO("cs " << cs);
    Harness h({0x48, 0xCB});
    const uint64_t sp = Harness::kStackTop - 0x200;
    h.cpu.gpr[RSP] = sp;
    h.write<uint64_t>(sp, h.code_end());
    h.write<uint64_t>(sp + 8, cs);
    require_gp(h);
    CHECK(h.cpu.gpr[RSP] == sp);
  }
  Harness nc({0x48, 0xCB});
  nc.cpu.gpr[RSP] = Harness::kStackTop - 0x200;
  nc.write<uint64_t>(Harness::kStackTop - 0x200, 0x8000000000000000);
  nc.write<uint64_t>(Harness::kStackTop - 0x200 + 8, 0x33);
  require_gp(nc);
}

TEST_CASE("retf with cs rpl 0-2 reads the outer ss slot before its #GP", "[segment][far]") {
  // retfq 0x200 from 0x100 below the stack top: the slot after the released
  // bytes (rsp + 16 + 0x200 + 8) is past the stack's end.
  Harness h({0x48, 0xCA, 0x00, 0x02});
  const uint64_t sp = Harness::kStackTop - 0x100;
  h.cpu.gpr[RSP] = sp;
  h.write<uint64_t>(sp, h.code_end());
  h.write<uint64_t>(sp + 8, 0x30);
  const std::optional<mm::GuestFault> f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == sp + 16 + 0x200 + 8);
  // With rpl 3 the same bad selector is a plain #GP.
  Harness g({0x48, 0xCA, 0x00, 0x02});
  g.cpu.gpr[RSP] = sp;
  g.write<uint64_t>(sp, g.code_end());
  g.write<uint64_t>(sp + 8, 0x2b);
  require_gp(g);
}

TEST_CASE("far jmp and call through m16:32 go to 0x30-0x33; call pushes cs then the return address", "[segment][far]") {
  // ljmp [rbx]; the target is the sentinel.
  for (uint16_t cs : {0x33, 0x30, 0x32}) {
    Harness h({0xFF, 0x2B});
    h.cpu.gpr[RBX] = kData;
    h.write<uint32_t>(kData, uint32_t(h.code_end()));
    h.write<uint16_t>(kData + 4, cs);
    h.run();
    CHECK(h.cpu.selector[kCs] == 0x33);  // RPL becomes 3
  }
  // lcall [rbx] (4-byte slots), rex.w lcall [rbx] (m16:32 read, 8-byte slots), 66 lcall (m16:16: IP 0x1234).
  Harness c4({0xFF, 0x1B});
  c4.cpu.gpr[RBX] = kData;
  c4.write<uint32_t>(kData, uint32_t(c4.code_end()));
  c4.write<uint16_t>(kData + 4, 0x33);
  c4.run();
  CHECK(c4.cpu.gpr[RSP] == Harness::kStackTop - 8);
  CHECK(c4.read<uint64_t>(Harness::kStackTop - 8) == (uint64_t{0x33} << 32 | (kCode + 2)));

  Harness c8({0x48, 0xFF, 0x1B});
  c8.cpu.gpr[RBX] = kData;
  c8.write<uint32_t>(kData, uint32_t(c8.code_end()));
  c8.write<uint16_t>(kData + 4, 0x33);
  c8.run();
  CHECK(c8.cpu.gpr[RSP] == Harness::kStackTop - 16);
  CHECK(c8.read<uint64_t>(Harness::kStackTop - 16) == kCode + 3);
  CHECK(c8.read<uint64_t>(Harness::kStackTop - 8) == 0x33);

  Harness c2({0x66, 0xFF, 0x1B});
  c2.cpu.gpr[RBX] = kData;
  c2.write<uint32_t>(kData, 0x00331234);
  const std::optional<mm::GuestFault> f = c2.run_fault();
  REQUIRE(f);
  CHECK(f->addr == 0x1234);
  CHECK(c2.cpu.gpr[RSP] == Harness::kStackTop - 4);
  CHECK(c2.read<uint32_t>(Harness::kStackTop - 4) == (0x33u << 16 | uint16_t(kCode + 3)));

  for (uint16_t cs : {0x2b, 0x23, 0x00, 0x7b}) {
    INFO("cs " << cs);
    Harness h({0xFF, 0x1B});
    h.cpu.gpr[RBX] = kData;
    h.write<uint32_t>(kData, uint32_t(h.code_end()));
    h.write<uint16_t>(kData + 4, cs);
    require_gp(h);
    CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
  }
}

TEST_CASE("a far call whose second push faults leaves the first one written", "[segment][far]") {
  // The stack is the data page's first 4 bytes (the harness's stack would
  // grow): cs fits there, the return address below it does not.
  Harness h({0xFF, 0x1B});  // lcall [rbx]
  const uint64_t bottom = kData;
  h.cpu.gpr[RSP] = bottom + 4;
  h.cpu.gpr[RBX] = kData + 64;
  h.write<uint32_t>(kData + 64, uint32_t(h.code_end()));
  h.write<uint16_t>(kData + 68, 0x33);
  h.write<uint32_t>(bottom, 0xaaaaaaaa);
  const std::optional<mm::GuestFault> f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
  CHECK(f->addr == bottom - 4);
  CHECK(h.read<uint32_t>(bottom) == 0x33);
  CHECK(h.cpu.gpr[RSP] == bottom + 4);
}

TEST_CASE("iretq pops rip, cs, rflags, rsp and ss; at cpl 3 it keeps IF and IOPL", "[segment][far]") {
  Harness h({0x48, 0xCF});
  const uint64_t sp = Harness::kStackTop - 0x200;
  h.cpu.gpr[RSP] = sp;
  // Every flag but TF and NT set in the frame; ss's slot has junk above its word.
  const uint64_t frame[5] = {h.code_end(), 0x33, 0x3f3fd5 & ~uint64_t{0x100}, 0x8000000000000000, 0xffff00002b};
  h.write(sp, frame, sizeof frame);
  h.run();
  CHECK(h.cpu.gpr[RSP] == 0x8000000000000000);  // loaded as popped, canonical or not
  // CF PF AF ZF SF DF OF AC ID from the frame; IF stays 1, IOPL 0; VM VIF VIP ignored.
  CHECK(h.rflags() == 0x240ed7);

  Harness nt({0x48, 0xCF});  // NT in the frame is taken (only NT before IRET is #GP)
  nt.cpu.gpr[RSP] = sp;
  const uint64_t frame_nt[5] = {nt.code_end(), 0x33, 0x4202, sp, 0x2b};
  nt.write(sp, frame_nt, sizeof frame_nt);
  nt.run();
  CHECK(nt.rflags() == 0x4202);
}

TEST_CASE("iret with 4-byte and 2-byte slots; 66 loses the upper flags and zero-extends sp", "[segment][far]") {
  Harness d({0xCF});
  const uint64_t sp = Harness::kStackTop - 0x200;
  d.cpu.gpr[RSP] = sp;
  const uint32_t frame32[5] = {uint32_t(d.code_end()), 0x33, 0xfff00246, 0x1000, 0x2b};
  d.write(sp, frame32, sizeof frame32);
  d.run();
  CHECK(d.cpu.gpr[RSP] == 0x1000);
  CHECK(d.rflags() == 0x200246);  // ID from bit 21; VIP (20) and the rest above ignored

  Harness w({0x66, 0xCF});
  w.cpu.gpr[RSP] = sp;
  const uint16_t frame16[5] = {0x1234, 0x33, 0x0246, 0x0100, 0x2b};
  w.write(sp, frame16, sizeof frame16);
  w.set_rflags(0x202 | kAC);
  const std::optional<mm::GuestFault> f = w.run_fault();  // then a fetch fault at 0x1234
  REQUIRE(f);
  CHECK(f->addr == 0x1234);
  CHECK(w.cpu.gpr[RSP] == 0x100);
  CHECK(w.rflags() == (0x246 | kAC));
}

TEST_CASE("iret is #GP with NT set, a bad cs or ss, or a non-canonical rip", "[segment][far]") {
  struct Case {
    uint64_t rip, cs, ss, rflags_before;
  };
  const uint64_t ok_rip = kCode + 2;
  const Case cases[] = {
      {ok_rip, 0x33, 0x2b, 0x202 | kNT},
      {ok_rip, 0x2b, 0x2b, 0x202}, {ok_rip, 0x23, 0x2b, 0x202}, {ok_rip, 0x30, 0x2b, 0x202},
      {ok_rip, 0x33, 0x00, 0x202}, {ok_rip, 0x33, 0x03, 0x202}, {ok_rip, 0x33, 0x28, 0x202}, {ok_rip, 0x33, 0x33, 0x202},
      {ok_rip, 0x33, 0x7b, 0x202},
      {0x8000000000000000, 0x33, 0x2b, 0x202},
  };
  for (const Case& c : cases) {
    INFO("rip " << c.rip << " cs " << c.cs << " ss " << c.ss);
    Harness h({0x48, 0xCF});
    const uint64_t sp = Harness::kStackTop - 0x200;
    h.cpu.gpr[RSP] = sp;
    const uint64_t frame[5] = {c.rip, c.cs, 0x202, sp, c.ss};
    h.write(sp, frame, sizeof frame);
    h.set_rflags(c.rflags_before);
    require_gp(h);
    CHECK(h.cpu.gpr[RSP] == sp);
  }
}
