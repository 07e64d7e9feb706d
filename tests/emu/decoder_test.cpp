// The decoder on hand-picked encodings: operand fields, immediates, operand
// size, prefixes, and the Truncated/Invalid distinction. (Lengths at scale
// are checked against Capstone in decoder_capstone_test.cpp.)
#include <catch2/catch.hpp>
#include <vector>

#include "emu/cpu.h"
#include "emu/decoder.h"

namespace emu {
namespace {

constexpr uint64_t kAddr = 0x401000;

Decoded must_decode(std::vector<uint8_t> bytes) {
  Decoded d;
  REQUIRE(decode_insn(bytes.data(), bytes.size(), kAddr, d) == DecodeStatus::Ok);
  CHECK(d.len == bytes.size());
  return d;
}

DecodeStatus status_of(std::vector<uint8_t> bytes) {
  Decoded d;
  return decode_insn(bytes.data(), bytes.size(), kAddr, d);
}

}  // namespace

TEST_CASE("rip_relative_operand_resolves_to_the_absolute_address", "[decoder]") {
  // 48 8b 05 10 00 00 00: mov rax, [rip+0x10]
  Decoded d = must_decode({0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00});
  CHECK(d.rip_relative);
  CHECK(d.base == kNoReg);
  CHECK(d.index == kNoReg);
  CHECK(uint64_t(d.disp) == kAddr + 7 + 0x10);
  CHECK(d.opsize == 8);
  // With an immediate after the displacement, next_rip includes it:
  // c7 05 f0 ff ff ff 01 00 00 00: mov dword [rip-0x10], 1
  Decoded e = must_decode({0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00});
  CHECK(uint64_t(e.disp) == kAddr + 10 - 0x10);
  CHECK(e.imm == 1);
}

TEST_CASE("sib_forms_give_base_index_and_scale", "[decoder]") {
  // 4a 8b 44 a5 08: mov rax, [rbp + r12*4 + 8]
  Decoded d = must_decode({0x4a, 0x8b, 0x44, 0xa5, 0x08});
  CHECK(d.base == RBP);
  CHECK(d.index == R12);
  CHECK(d.scale == 2);
  CHECK(d.disp == 8);
  // 8b 04 24: mov eax, [rsp] (index 100 = none)
  Decoded e = must_decode({0x8b, 0x04, 0x24});
  CHECK(e.base == RSP);
  CHECK(e.index == kNoReg);
  // 8b 04 25 78 56 34 12: mov eax, [0x12345678] (no base, no index)
  Decoded f = must_decode({0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12});
  CHECK(f.base == kNoReg);
  CHECK(f.index == kNoReg);
  CHECK(!f.rip_relative);
  CHECK(f.disp == 0x12345678);
  // 41 8b 45 00: mov eax, [r13+0] (mod 01 needed for r13 as base)
  Decoded g = must_decode({0x41, 0x8b, 0x45, 0x00});
  CHECK(g.base == R13);
  CHECK(g.disp == 0);
}

TEST_CASE("immediates_of_every_size", "[decoder]") {
  // 48 b8 imm64: mov rax, imm64
  Decoded a = must_decode({0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(a.imm == 0x0807060504030201ull);
  // 48 05 ff ff ff ff: add rax, -1 (imm32 sign-extended)
  Decoded b = must_decode({0x48, 0x05, 0xff, 0xff, 0xff, 0xff});
  CHECK(b.imm == ~0ull);
  // 66 05 34 12: add ax, 0x1234
  Decoded c = must_decode({0x66, 0x05, 0x34, 0x12});
  CHECK(c.imm == 0x1234);
  CHECK(c.opsize == 2);
  // c8 10 00 02: enter 16, 2
  Decoded e = must_decode({0xc8, 0x10, 0x00, 0x02});
  CHECK(e.imm == 16);
  CHECK(e.imm2 == 2);
  CHECK(e.opsize == 8);
  // f6 c3 7f: test bl, 0x7f ; f6 d3: not bl (no immediate)
  CHECK(must_decode({0xf6, 0xc3, 0x7f}).imm == 0x7f);
  CHECK(must_decode({0xf6, 0xd3}).imm_size == 0);
  // f7 05 rel 10 00 00 00 imm32: test dword [rip+..], imm32
  Decoded t = must_decode({0xf7, 0x05, 0, 0, 0, 0, 0x10, 0, 0, 0});
  CHECK(t.imm == 0x10);
  // c2 f0 ff: ret 0xfff0 (unsigned)
  CHECK(must_decode({0xc2, 0xf0, 0xff}).imm == 0xfff0);
}

TEST_CASE("moffs_forms_carry_a_64_bit_address", "[decoder]") {
  Decoded d = must_decode({0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
  CHECK(uint64_t(d.disp) == 0x1122334455667788ull);
  CHECK(d.base == kNoReg);
  CHECK(d.index == kNoReg);
  // With 67, a 32-bit address.
  Decoded e = must_decode({0x67, 0xa0, 0x44, 0x33, 0x22, 0x11});
  CHECK(uint64_t(e.disp) == 0x11223344u);
}

TEST_CASE("relative_branches_decode_to_absolute_targets", "[decoder]") {
  CHECK(must_decode({0xeb, 0xfe}).imm == kAddr);                          // jmp $
  CHECK(must_decode({0xe8, 0x00, 0x00, 0x00, 0x00}).imm == kAddr + 5);    // call next
  CHECK(must_decode({0x0f, 0x84, 0xfa, 0xff, 0xff, 0xff}).imm == kAddr);  // je $
  Decoded j = must_decode({0x66, 0xe9, 0x00, 0x01, 0x00, 0x00});          // 66 ignored: rel32
  CHECK(j.imm == kAddr + 6 + 0x100);
  CHECK(j.opsize == 8);
}

TEST_CASE("operand_size_follows_rex_w_then_66_then_default", "[decoder]") {
  CHECK(must_decode({0x01, 0xd8}).opsize == 4);
  CHECK(must_decode({0x66, 0x01, 0xd8}).opsize == 2);
  CHECK(must_decode({0x66, 0x48, 0x01, 0xd8}).opsize == 8);
  CHECK(must_decode({0x00, 0xd8}).opsize == 1);
  CHECK(must_decode({0x50}).opsize == 8);        // push rax: default 64
  CHECK(must_decode({0x66, 0x50}).opsize == 2);  // push ax
  CHECK(must_decode({0xff, 0xd0}).opsize == 8);  // call rax
  CHECK(must_decode({0xff, 0xc0}).opsize == 4);  // inc eax
}

TEST_CASE("rex_not_immediately_before_the_opcode_is_ignored", "[decoder]") {
  // 48 66 01 d8: REX.W then 66: the REX is dropped -> add ax, bx
  Decoded d = must_decode({0x48, 0x66, 0x01, 0xd8});
  CHECK(d.rex == 0);
  CHECK(d.opsize == 2);
  // 41 48 01 d8: two REX: only the last counts (REX.W, no REX.B)
  Decoded e = must_decode({0x41, 0x48, 0x01, 0xd8});
  CHECK(e.rex == 0x48);
  CHECK(e.rm == RAX);
}

TEST_CASE("segment_prefixes_fs_gs_count_others_are_ignored", "[decoder]") {
  CHECK(must_decode({0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}).seg == kSegFs);
  CHECK(must_decode({0x65, 0x8b, 0x00}).seg == kSegGs);
  CHECK(must_decode({0x2e, 0x8b, 0x00}).seg == kSegNone);
}

TEST_CASE("truncated_input_is_distinguished_from_invalid", "[decoder]") {
  CHECK(status_of({0x48}) == DecodeStatus::Truncated);
  CHECK(status_of({0x48, 0xb8, 1, 2, 3}) == DecodeStatus::Truncated);
  CHECK(status_of({0x0f}) == DecodeStatus::Truncated);
  CHECK(status_of({0x06}) == DecodeStatus::Invalid);              // push es
  CHECK(status_of({0xc5, 0xf8, 0x77}) == DecodeStatus::Invalid);  // VEX
  CHECK(status_of({0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1}) == DecodeStatus::Invalid);  // EVEX
  CHECK(status_of({0xf0, 0x01, 0xd8}) == DecodeStatus::Invalid);  // lock add eax, ebx
  CHECK(status_of({0xf0, 0x01, 0x18}) == DecodeStatus::Ok);       // lock add [rax], ebx
}

TEST_CASE("instructions_longer_than_15_bytes_are_too_long_not_invalid", "[decoder]") {
  // 14 prefixes + nop = 15 bytes: valid; 15 prefixes + nop: #GP (the host
  // raises #GP, SIGSEGV, for these, not #UD: decoder_fuzz_test.cpp)
  std::vector<uint8_t> ok(14, 0x66);
  ok.push_back(0x90);
  CHECK(status_of(ok) == DecodeStatus::Ok);
  std::vector<uint8_t> too_long(15, 0x66);
  too_long.push_back(0x90);
  CHECK(status_of(too_long) == DecodeStatus::TooLong);
  // Valid bytes but only 15 available and the instruction needs more.
  std::vector<uint8_t> prefixed(10, 0x2e);
  for (uint8_t b : {0x48, 0xb8, 1, 2, 3, 4, 5}) prefixed.push_back(b);  // mov rax, imm64 cut off
  CHECK(status_of(prefixed) == DecodeStatus::TooLong);
}

TEST_CASE("sse_mandatory_prefix_without_a_form_is_invalid_not_ignored", "[decoder]") {
  // The last F2/F3, else 66, is the mandatory prefix; an opcode with no form
  // for it is #UD (the host raises #UD for each; decoder_fuzz_test.cpp).
  CHECK(status_of({0xf3, 0x66, 0x0f, 0xfc, 0xc1}) == DecodeStatus::Invalid);  // F3 on paddb
  CHECK(status_of({0x66, 0xf3, 0x0f, 0xfc, 0xc1}) == DecodeStatus::Invalid);
  CHECK(status_of({0xf2, 0x0f, 0x54, 0xc1}) == DecodeStatus::Invalid);        // F2 on andps
  CHECK(status_of({0x66, 0x0f, 0x77}) == DecodeStatus::Invalid);              // 66 on emms
  CHECK(status_of({0x66, 0x0f, 0x52, 0xc1}) == DecodeStatus::Invalid);        // 66 on rsqrtps
  CHECK(status_of({0xf2, 0x0f, 0x16, 0xc1}) == DecodeStatus::Invalid);        // F2 0F 16: no form
  CHECK(status_of({0xf3, 0x66, 0x0f, 0x38, 0x14, 0xc1}) == DecodeStatus::Invalid);  // F3 on blendvps
  CHECK(status_of({0xf3, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x01}) == DecodeStatus::Invalid);  // F3 on palignr
  CHECK(status_of({0xf2, 0xf3, 0x66, 0x0f, 0x7c, 0xc1}) == DecodeStatus::Invalid);  // F3 last on haddpd
  // Forms that exist: F2/F3 over 66, the last of F2/F3.
  CHECK(status_of({0x66, 0xf3, 0x0f, 0x58, 0xc1}) == DecodeStatus::Ok);        // addss
  CHECK(status_of({0xf3, 0xf2, 0x66, 0x0f, 0x7c, 0xc1}) == DecodeStatus::Ok);  // haddps (F2 last)
  CHECK(status_of({0xf3, 0x0f, 0x16, 0xc1}) == DecodeStatus::Ok);              // movshdup
  CHECK(status_of({0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc1}) == DecodeStatus::Ok);  // crc32 eax, cx
  CHECK(status_of({0x0f, 0x77}) == DecodeStatus::Ok);                          // emms
}

TEST_CASE("mov_sreg_ignores_rex_r", "[decoder]") {
  // The reg field names ES..GS; REX.R does not extend it (the host executes these).
  CHECK(must_decode({0x44, 0x8e, 0x20}).reg == 12);  // mov fs, [rax]
  CHECK(must_decode({0x4c, 0x8c, 0xc1}).rm == RCX);  // mov rcx, es
  CHECK(status_of({0x44, 0x8e, 0x08}) == DecodeStatus::Invalid);  // mov cs, [rax]: #UD
  CHECK(status_of({0x44, 0x8c, 0x30}) == DecodeStatus::Invalid);  // Sreg 6: #UD
}

TEST_CASE("mov_cr_ignores_mod_and_takes_no_displacement", "[decoder]") {
  // 0f 20 00: mov rax, cr0 even though mod = 00
  Decoded d = must_decode({0x0f, 0x20, 0x00});
  CHECK(d.mod == 3);
}

TEST_CASE("ends_block_marks_control_transfers_only", "[decoder]") {
  CHECK(ends_block(must_decode({0xc3})));
  CHECK(ends_block(must_decode({0x0f, 0x05})));
  CHECK(ends_block(must_decode({0xff, 0xe0})));  // jmp rax
  CHECK(ends_block(must_decode({0x75, 0x00})));
  CHECK(!ends_block(must_decode({0xff, 0xc0})));  // inc eax
  CHECK(!ends_block(must_decode({0x0f, 0xa2})));  // cpuid
}

}  // namespace emu
