// Data movement, stack and flag-register instructions: stated inputs,
// expected registers, memory and flags.
#include <catch2/catch.hpp>

#include <csignal>
#include <vector>

#include "emu/flags.h"
#include "tests/emu/harness.h"

using namespace emu;
using emu::test::Harness;

TEST_CASE("push and pop move 8 bytes through the stack", "[integer][datamov]") {
  Harness h({0x50, 0x41, 0x51, 0x5B, 0x41, 0x58});  // push rax; push r9; pop rbx; pop r8
  h.cpu.gpr[RAX] = 0x1111;
  h.cpu.gpr[R9] = 0x2222;
  h.run();
  CHECK(h.cpu.gpr[RBX] == 0x2222);
  CHECK(h.cpu.gpr[R8] == 0x1111);
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
}

TEST_CASE("push imm8 sign-extends to 64 bits; push with 66 moves 2 bytes", "[integer][datamov]") {
  Harness h({0x6A, 0xFF, 0x66, 0x68, 0x34, 0x12});  // push -1; push word 0x1234
  h.run();
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop - 10);
  CHECK(h.read<uint64_t>(Harness::kStackTop - 8) == ~uint64_t{0});
  CHECK(h.read<uint16_t>(Harness::kStackTop - 10) == 0x1234);
}

TEST_CASE("push rsp pushes the old value and pop rsp loads the popped value", "[integer][datamov]") {
  Harness h({0x54, 0x5C});  // push rsp; pop rsp
  h.run();
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
  CHECK(h.read<uint64_t>(Harness::kStackTop - 8) == Harness::kStackTop);
}

TEST_CASE("push and pop memory operands; pop computes the address after incrementing rsp", "[integer][datamov]") {
  Harness h({0xFF, 0x33,          // push qword [rbx]
             0x8F, 0x44, 0x24, 0xF0});  // pop qword [rsp-16]  (address uses the incremented rsp)
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.write<uint64_t>(Harness::kDataAddr, 0x55aa);
  h.run();
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
  CHECK(h.read<uint64_t>(Harness::kStackTop - 16) == 0x55aa);
}

TEST_CASE("pushf and popf round-trip the arithmetic flags and DF", "[integer][datamov]") {
  Harness h({0x48, 0x39, 0xC8, 0xFD, 0x9C, 0x5A, 0x48, 0x31, 0xC0, 0x52, 0x9D});
  // cmp rax, rcx; std; pushf; pop rdx; xor rax, rax; push rdx; popf
  h.cpu.gpr[RAX] = 1;
  h.cpu.gpr[RCX] = 2;
  h.run();
  const uint64_t f = h.cpu.gpr[RDX];
  CHECK((f & (kCF | kSF | kDF | kZF)) == (kCF | kSF | kDF));
  CHECK((f & 0x202) == 0x202);
  CHECK(h.rflags() == (f & ~uint64_t{0x30000}));
}

TEST_CASE("popf cannot clear IF or set TF at user level", "[integer][datamov]") {
  Harness h({0x6A, 0x00, 0x9D});  // push 0; popf
  h.run();
  CHECK((h.rflags() & (kIF | kTF)) == kIF);
}

TEST_CASE("lahf and sahf move SF ZF AF PF CF through AH", "[integer][datamov]") {
  Harness h({0x9E, 0x9F});  // sahf; lahf (AH written back with bit 1 set)
  h.cpu.gpr[RAX] = 0xd500;
  h.run();
  CHECK(((h.cpu.gpr[RAX] >> 8) & 0xff) == 0xd7);
  CHECK((h.rflags() & (kSF | kZF | kAF | kPF | kCF | kOF)) == (kSF | kZF | kAF | kPF | kCF));
}

TEST_CASE("mov moffs loads and stores an absolute address", "[integer][datamov]") {
  const uint64_t a = Harness::kDataAddr + 0x10;
  std::vector<uint8_t> code = {0x48, 0xA1};  // mov rax, [moffs64]
  for (int i = 0; i < 8; ++i) code.push_back(uint8_t(a >> (8 * i)));
  code.push_back(0xA2);  // mov [moffs64], al
  for (int i = 0; i < 8; ++i) code.push_back(uint8_t((a + 8) >> (8 * i)));
  Harness h(code);
  h.write<uint64_t>(a, 0x1122334455667788);
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x1122334455667788);
  CHECK(h.read<uint8_t>(a + 8) == 0x88);
}

TEST_CASE("lea ignores segment overrides and truncates with 0x67", "[integer][datamov]") {
  Harness h({0x64, 0x48, 0x8D, 0x04, 0x0B,   // lea rax, fs:[rbx+rcx]
             0x67, 0x48, 0x8D, 0x14, 0x0B}); // lea rdx, [ebx+ecx]
  h.cpu.seg_base[kSegFs] = 0x1000000;
  h.cpu.gpr[RBX] = 0xfffffffff0000000;
  h.cpu.gpr[RCX] = 0x20000000;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x0000000010000000);
  CHECK(h.cpu.gpr[RDX] == 0x10000000);
}

TEST_CASE("movsxd sign-extends and movzx zero-extends", "[integer][datamov]") {
  Harness h({0x48, 0x63, 0xC1, 0x0F, 0xB7, 0xD1});  // movsxd rax, ecx; movzx edx, cx
  h.cpu.gpr[RCX] = 0x12345678fffffffe;
  h.cpu.gpr[RDX] = ~uint64_t{0};
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0xfffffffffffffffe);
  CHECK(h.cpu.gpr[RDX] == 0xfffe);
}

TEST_CASE("xchg with memory swaps", "[integer][datamov]") {
  Harness h({0x48, 0x87, 0x03});  // xchg [rbx], rax
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RAX] = 7;
  h.write<uint64_t>(Harness::kDataAddr, 9);
  h.run();
  CHECK(h.cpu.gpr[RAX] == 9);
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 7);
}

TEST_CASE("xadd exchanges and adds", "[integer][datamov]") {
  Harness h({0xF0, 0x48, 0x0F, 0xC1, 0x0B});  // lock xadd [rbx], rcx
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RCX] = 5;
  h.write<uint64_t>(Harness::kDataAddr, 10);
  h.run();
  CHECK(h.cpu.gpr[RCX] == 10);
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 15);
}

TEST_CASE("cmpxchg success stores the source and sets ZF", "[integer][datamov]") {
  Harness h({0xF0, 0x48, 0x0F, 0xB1, 0x0B});  // lock cmpxchg [rbx], rcx
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RAX] = 10;
  h.cpu.gpr[RCX] = 20;
  h.write<uint64_t>(Harness::kDataAddr, 10);
  h.run();
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 20);
  CHECK(h.cpu.gpr[RAX] == 10);
  CHECK((h.rflags() & kZF) != 0);
}

TEST_CASE("cmpxchg failure loads the accumulator and clears ZF", "[integer][datamov]") {
  Harness h({0xF0, 0x48, 0x0F, 0xB1, 0x0B});  // lock cmpxchg [rbx], rcx
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RAX] = 11;
  h.cpu.gpr[RCX] = 20;
  h.write<uint64_t>(Harness::kDataAddr, 10);
  h.run();
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 10);
  CHECK(h.cpu.gpr[RAX] == 10);
  CHECK((h.rflags() & (kZF | kCF)) == 0);  // 11 - 10: no borrow
}

TEST_CASE("cmpxchg16b compares rdx:rax and stores rcx:rbx", "[integer][datamov]") {
  Harness h({0x48, 0x0F, 0xC7, 0x0E});  // cmpxchg16b [rsi]
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.write<uint64_t>(Harness::kDataAddr, 1);
  h.write<uint64_t>(Harness::kDataAddr + 8, 2);
  h.cpu.gpr[RAX] = 1;
  h.cpu.gpr[RDX] = 2;
  h.cpu.gpr[RBX] = 3;
  h.cpu.gpr[RCX] = 4;
  h.run();
  CHECK((h.rflags() & kZF) != 0);
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 3);
  CHECK(h.read<uint64_t>(Harness::kDataAddr + 8) == 4);
  // Now it differs: rdx:rax receive the memory.
  h.cpu.rip = Harness::kCodeAddr;
  h.run();
  CHECK((h.rflags() & kZF) == 0);
  CHECK(h.cpu.gpr[RAX] == 3);
  CHECK(h.cpu.gpr[RDX] == 4);
}

TEST_CASE("cmpxchg16b on a misaligned address faults", "[integer][datamov]") {
  Harness h({0x48, 0x0F, 0xC7, 0x0E});
  h.cpu.gpr[RSI] = Harness::kDataAddr + 8;
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGSEGV);
}

TEST_CASE("cmpxchg8b compares edx:eax", "[integer][datamov]") {
  Harness h({0x0F, 0xC7, 0x0E});  // cmpxchg8b [rsi]
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.write<uint64_t>(Harness::kDataAddr, 0x0000000200000001);
  h.cpu.gpr[RAX] = 1;
  h.cpu.gpr[RDX] = 2;
  h.cpu.gpr[RBX] = 0xaaaaaaaa;
  h.cpu.gpr[RCX] = 0xbbbbbbbb;
  h.run();
  CHECK((h.rflags() & kZF) != 0);
  CHECK(h.read<uint64_t>(Harness::kDataAddr) == 0xbbbbbbbbaaaaaaaa);
}

TEST_CASE("enter and leave build and tear down a frame", "[integer][datamov]") {
  Harness h({0xC8, 0x20, 0x00, 0x00,   // enter 0x20, 0
             0x48, 0x89, 0xE9,         // mov rcx, rbp
             0x48, 0x89, 0xE2,         // mov rdx, rsp
             0xC9});                   // leave
  h.cpu.gpr[RBP] = 0x1234;
  h.run();
  CHECK(h.cpu.gpr[RCX] == Harness::kStackTop - 8);
  CHECK(h.cpu.gpr[RDX] == Harness::kStackTop - 8 - 0x20);
  CHECK(h.cpu.gpr[RBP] == 0x1234);
  CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
}

TEST_CASE("enter with a nesting level copies the display", "[integer][datamov]") {
  Harness h({0xC8, 0x10, 0x00, 0x02});  // enter 0x10, 2
  const uint64_t old_bp = Harness::kStackTop - 0x100;
  h.cpu.gpr[RBP] = old_bp;
  h.write<uint64_t>(old_bp - 8, 0xdddd);
  h.run();
  const uint64_t frame = Harness::kStackTop - 8;
  CHECK(h.cpu.gpr[RBP] == frame);
  CHECK(h.read<uint64_t>(frame) == old_bp);
  CHECK(h.read<uint64_t>(frame - 8) == 0xdddd);
  CHECK(h.read<uint64_t>(frame - 16) == frame);
  CHECK(h.cpu.gpr[RSP] == frame - 16 - 0x10);
}

// 16-bit ENTER/LEAVE, as measured natively: the stack addresses stay 64-bit,
// the pushes and copies are words, and only BP (RBP's low word) is written.
TEST_CASE("enter with 66 pushes words and writes only bp", "[integer][datamov]") {
  Harness h({0x66, 0xC8, 0x10, 0x00, 0x03});  // enterw 0x10, 3
  const uint64_t old_bp = Harness::kStackTop - 0x100;  // 0x7fefffffff00
  h.cpu.gpr[RBP] = old_bp;
  h.write<uint16_t>(old_bp - 2, 0xaaaa);
  h.write<uint16_t>(old_bp - 4, 0xbbbb);
  h.run();
  const uint64_t top = Harness::kStackTop;
  CHECK(h.read<uint16_t>(top - 2) == 0xff00);   // BP
  CHECK(h.read<uint16_t>(top - 4) == 0xaaaa);   // the display, from [rbp-2], [rbp-4]
  CHECK(h.read<uint16_t>(top - 6) == 0xbbbb);
  CHECK(h.read<uint16_t>(top - 8) == 0xfffe);   // the frame's low word
  CHECK(h.cpu.gpr[RSP] == top - 8 - 0x10);
  CHECK(h.cpu.gpr[RBP] == 0x7fefffff'fffe);     // upper 48 bits of the old RBP kept
}

TEST_CASE("leave with 66 pops a word into bp, also after an ignored rex.w", "[integer][datamov]") {
  for (std::vector<uint8_t> code : {std::vector<uint8_t>{0x66, 0xC9}, std::vector<uint8_t>{0x48, 0x66, 0xC9}}) {
    Harness h(code);
    const uint64_t bp = Harness::kStackTop - 0x100;
    h.cpu.gpr[RBP] = bp;
    h.write<uint64_t>(bp, 0x5555555555551234);
    h.run();
    CHECK(h.cpu.gpr[RSP] == bp + 2);
    CHECK(h.cpu.gpr[RBP] == ((bp & ~uint64_t{0xffff}) | 0x1234));
  }
}

TEST_CASE("enter and leave with 66 and a non-canonical rbp are #SS (SIGBUS)", "[integer][datamov]") {
  for (std::vector<uint8_t> code : {std::vector<uint8_t>{0x66, 0xC8, 0x10, 0x00, 0x03}, std::vector<uint8_t>{0x66, 0xC9}}) {
    Harness h(code);
    h.cpu.gpr[RBP] = 0x1111000000001000;
    auto f = h.run_fault();
    REQUIRE(f);
    CHECK(f->signo == SIGBUS);
    CHECK(f->code == mm::kSiKernel);
    CHECK(h.cpu.gpr[RSP] == Harness::kStackTop);
  }
}

TEST_CASE("xchg with rax ignores f2 and f3 (only 90 is nop and pause)", "[integer][datamov]") {
  Harness h({0xF3, 0x91,          // xchg ecx, eax
             0xF2, 0x92,          // xchg edx, eax
             0xF3, 0x41, 0x90});  // xchg r8d, eax
  h.cpu.gpr[RAX] = 1;
  h.cpu.gpr[RCX] = 2;
  h.cpu.gpr[RDX] = 3;
  h.cpu.gpr[R8] = 4;
  h.run();
  CHECK(h.cpu.gpr[RCX] == 1);
  CHECK(h.cpu.gpr[RDX] == 2);
  CHECK(h.cpu.gpr[R8] == 3);
  CHECK(h.cpu.gpr[RAX] == 4);
}

TEST_CASE("cmpxchg8b and cmpxchg16b ignore 66, f2 and f3", "[integer][datamov]") {
  for (std::vector<uint8_t> code : {std::vector<uint8_t>{0xF3, 0x0F, 0xC7, 0x0B}, std::vector<uint8_t>{0xF2, 0x0F, 0xC7, 0x0B},
                                    std::vector<uint8_t>{0x66, 0xF3, 0x0F, 0xC7, 0x0B},
                                    std::vector<uint8_t>{0xF2, 0xF0, 0x0F, 0xC7, 0x0B}}) {
    Harness h(code);  // cmpxchg8b [rbx]: equal, so ECX:EBX is stored
    h.cpu.gpr[RBX] = Harness::kDataAddr;
    h.write<uint64_t>(Harness::kDataAddr, 0x1111111122222222);
    h.cpu.gpr[RAX] = 0x22222222;
    h.cpu.gpr[RDX] = 0x11111111;
    h.cpu.gpr[RCX] = 0x99;
    h.run();
    CHECK(h.read<uint64_t>(Harness::kDataAddr) == (uint64_t{0x99} << 32 | uint32_t(Harness::kDataAddr)));
    CHECK((h.rflags() & kZF) != 0);
  }
  Harness w({0xF3, 0x48, 0x0F, 0xC7, 0x0B});  // cmpxchg16b [rbx]: not equal, RDX:RAX loaded
  w.cpu.gpr[RBX] = Harness::kDataAddr;
  w.write<uint64_t>(Harness::kDataAddr, 0x1111111122222222);
  w.write<uint64_t>(Harness::kDataAddr + 8, 0x3333333344444444);
  w.cpu.gpr[RAX] = 0x22222222;
  w.cpu.gpr[RDX] = 0x11111111;
  w.run();
  CHECK(w.cpu.gpr[RAX] == 0x1111111122222222);
  CHECK(w.cpu.gpr[RDX] == 0x3333333344444444);
  CHECK((w.rflags() & kZF) == 0);
}

TEST_CASE("cmov with a false condition still zero-extends a 32-bit destination", "[integer][datamov]") {
  Harness h({0x31, 0xF6, 0x0F, 0x45, 0xC1});  // xor esi, esi (ZF=1); cmovnz eax, ecx
  h.cpu.gpr[RAX] = 0xffffffff00000005;
  h.cpu.gpr[RCX] = 9;
  h.run();
  CHECK(h.cpu.gpr[RAX] == 5);
}

TEST_CASE("setcc writes 0 or 1 to a byte register or memory", "[integer][datamov]") {
  Harness h({0x48, 0x39, 0xC8, 0x0F, 0x9C, 0xC4, 0x0F, 0x97, 0x03});
  // cmp rax, rcx; setl ah; seta byte [rbx]
  h.cpu.gpr[RAX] = uint64_t(-1);
  h.cpu.gpr[RCX] = 1;
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.run();
  CHECK(((h.cpu.gpr[RAX] >> 8) & 0xff) == 1);
  CHECK(h.read<uint8_t>(Harness::kDataAddr) == 1);
}

TEST_CASE("cld std stc clc cmc set the flags they name", "[integer][datamov]") {
  Harness h({0xFD, 0xF9, 0xF5});  // std; stc; cmc
  h.run();
  CHECK((h.rflags() & (kDF | kCF)) == kDF);
  Harness h2({0xFD, 0xFC, 0xF9});  // std; cld; stc
  h2.run();
  CHECK((h2.rflags() & (kDF | kCF)) == kCF);
}

TEST_CASE("xlat loads from rbx plus al", "[integer][datamov]") {
  Harness h({0xD7});
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RAX] = 0x1205;
  h.write<uint8_t>(Harness::kDataAddr + 5, 0x77);
  h.run();
  CHECK(h.cpu.gpr[RAX] == 0x1277);
}

// MOV is bound by operand form (emu/memory.h operand_form): base+disp,
// base+index*scale+disp, and the rest (FS/GS, 67h) each have a handler.
TEST_CASE("mov addresses every operand form alike", "[integer][datamov]") {
  // mov [rbx + rcx*4 + 8], eax; mov edx, [rbx + 8 + 4*rcx]; mov esi, [rbx + 20];
  // mov edi, fs:[rcx*4 + 8]; mov r8d, [ebx + ecx*4 + 8] (67h: 32-bit address)
  Harness h({0x89, 0x44, 0x8b, 0x08, 0x8b, 0x54, 0x8b, 0x08, 0x8b, 0x73, 0x14, 0x64, 0x8b, 0x3c, 0x8d, 0x08, 0x00,
             0x00, 0x00, 0x67, 0x44, 0x8b, 0x44, 0x8b, 0x08});
  h.cpu.gpr[RAX] = 0xabcd1234;
  h.cpu.gpr[RBX] = Harness::kDataAddr;
  h.cpu.gpr[RCX] = 3;
  h.cpu.seg_base[kSegFs] = Harness::kDataAddr;
  h.run();
  CHECK(h.read<uint32_t>(Harness::kDataAddr + 20) == 0xabcd1234);
  CHECK(h.cpu.gpr[RDX] == 0xabcd1234);
  CHECK(h.cpu.gpr[RSI] == 0xabcd1234);
  CHECK(h.cpu.gpr[RDI] == 0xabcd1234);
  CHECK(h.cpu.gpr[R8] == 0xabcd1234);
  // The 67h form truncates: with RBX's upper half set, the address is still kDataAddr + 20.
  h.cpu.gpr[RBX] = Harness::kDataAddr | (uint64_t{1} << 40);
  h.cpu.gpr[R8] = 0;
  h.cpu.rip = Harness::kCodeAddr + 19;
  h.run();
  CHECK(h.cpu.gpr[R8] == 0xabcd1234);
}
