// Opcode attribute tables for the decoder, built at compile time.
//
// One entry per opcode byte of each map (one-byte, 0F, 0F38, 0F3A). An entry
// says what the decoder needs to find an instruction's LENGTH and its operand
// size; which operation it is, and whether it is implemented, is the binder's
// business (emu/bind.cpp). Sub-encodings that depend on ModRM.reg (groups) are
// refined in decoder.cpp, next to the code that reads ModRM.
//
// Reference: Intel SDM Vol. 2, Appendix A (opcode maps), 64-bit mode columns.
#pragma once

#include <array>
#include <cstdint>

namespace emu::optab {

enum Flag : uint16_t {
  kModrm = 1 << 0,    // a ModRM byte follows the opcode
  kInvalid = 1 << 1,  // #UD in 64-bit mode on our CPU model (incl. VEX/EVEX/3DNow!)
  kByte = 1 << 2,     // byte operand size (Decoded::opsize = 1)
  kDef64 = 1 << 3,    // default operand size 64 (push/pop...), 66 makes it 16
  kForce64 = 1 << 4,  // operand size always 64, 66 ignored (Intel: near branches)
  kRel = 1 << 5,      // the immediate is a branch displacement (decoded to a target)
  kEndsBlock = 1 << 6,  // control transfer or trap: ends a decoded block
  kRegOnly = 1 << 7,  // ModRM.mod is ignored and read as 3 (MOV to/from CR/DR)
};

enum class Imm : uint8_t {
  None,
  Ib,     // 8-bit, sign-extended
  Iw,     // 16-bit, zero-extended (RET/RETF imm16)
  Iz,     // 16-bit with operand size 16, else 32-bit; sign-extended
  Iv,     // 16/32/64-bit by operand size (MOV r, imm); zero-extended
  IwIb,   // ENTER: imm16 then imm8
  Moffs,  // 64-bit absolute address (32-bit with 67)
  Grp3,   // F6/F7: Ib/Iz only for /0 and /1 (TEST)
};

struct OpInfo {
  uint16_t flags = 0;
  Imm imm = Imm::None;
  constexpr bool has(uint16_t f) const { return (flags & f) != 0; }
};

using Table = std::array<OpInfo, 256>;

namespace detail {

constexpr void set(Table& t, unsigned op, uint16_t flags, Imm imm = Imm::None) { t[op] = OpInfo{flags, imm}; }
constexpr void set_range(Table& t, unsigned lo, unsigned hi, uint16_t flags, Imm imm = Imm::None) {
  for (unsigned op = lo; op <= hi; ++op) t[op] = OpInfo{flags, imm};
}

consteval Table one_byte() {
  Table t{};
  // ALU rows 00-3F: Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / rAX,Iz.
  for (unsigned row = 0; row < 8; ++row) {
    unsigned b = row * 8;
    set(t, b + 0, kModrm | kByte);
    set(t, b + 1, kModrm);
    set(t, b + 2, kModrm | kByte);
    set(t, b + 3, kModrm);
    set(t, b + 4, kByte, Imm::Ib);
    set(t, b + 5, 0, Imm::Iz);
  }
  // push/pop ES, CS, SS, DS, DAA, DAS, AAA, AAS: invalid in 64-bit mode.
  for (unsigned op : {0x06u, 0x07u, 0x0Eu, 0x16u, 0x17u, 0x1Eu, 0x1Fu, 0x27u, 0x2Fu, 0x37u, 0x3Fu})
    set(t, op, kInvalid);
  // 0F (escape), 26/2E/36/3E/64/65/66/67 (prefixes), 40-4F (REX) never reach the table.
  set_range(t, 0x50, 0x5F, kDef64);                // push/pop r64
  set(t, 0x60, kInvalid);                          // pusha
  set(t, 0x61, kInvalid);                          // popa
  set(t, 0x62, kInvalid);                          // EVEX (BOUND is invalid in 64-bit mode)
  set(t, 0x63, kModrm);                            // movsxd
  set(t, 0x68, kDef64, Imm::Iz);                   // push Iz
  set(t, 0x69, kModrm, Imm::Iz);                   // imul Gv,Ev,Iz
  set(t, 0x6A, kDef64, Imm::Ib);                   // push Ib
  set(t, 0x6B, kModrm, Imm::Ib);                   // imul Gv,Ev,Ib
  set(t, 0x6C, kByte);                             // insb
  set(t, 0x6D, 0);                                 // insw/d
  set(t, 0x6E, kByte);                             // outsb
  set(t, 0x6F, 0);                                 // outsw/d
  set_range(t, 0x70, 0x7F, kForce64 | kRel | kEndsBlock, Imm::Ib);  // jcc rel8
  set(t, 0x80, kModrm | kByte, Imm::Ib);           // grp1 Eb,Ib
  set(t, 0x81, kModrm, Imm::Iz);                   // grp1 Ev,Iz
  set(t, 0x82, kInvalid);                          // grp1 Eb,Ib alias: invalid in 64-bit mode
  set(t, 0x83, kModrm, Imm::Ib);                   // grp1 Ev,Ib
  set(t, 0x84, kModrm | kByte);                    // test
  set(t, 0x85, kModrm);
  set(t, 0x86, kModrm | kByte);                    // xchg
  set(t, 0x87, kModrm);
  set(t, 0x88, kModrm | kByte);                    // mov
  set(t, 0x89, kModrm);
  set(t, 0x8A, kModrm | kByte);
  set(t, 0x8B, kModrm);
  set(t, 0x8C, kModrm);                            // mov Ev,Sreg
  set(t, 0x8D, kModrm);                            // lea
  set(t, 0x8E, kModrm);                            // mov Sreg,Ew
  set(t, 0x8F, kModrm | kDef64);                   // grp1a: pop Ev
  set_range(t, 0x90, 0x97, 0);                     // nop/pause, xchg r,rAX
  set(t, 0x98, 0);                                 // cbw/cwde/cdqe
  set(t, 0x99, 0);                                 // cwd/cdq/cqo
  set(t, 0x9A, kInvalid);                          // call far ptr
  set(t, 0x9B, 0);                                 // fwait
  set(t, 0x9C, kDef64);                            // pushf
  set(t, 0x9D, kDef64);                            // popf
  set(t, 0x9E, 0);                                 // sahf
  set(t, 0x9F, 0);                                 // lahf
  set(t, 0xA0, kByte, Imm::Moffs);                 // mov AL,moffs
  set(t, 0xA1, 0, Imm::Moffs);
  set(t, 0xA2, kByte, Imm::Moffs);
  set(t, 0xA3, 0, Imm::Moffs);
  set(t, 0xA4, kByte);                             // movs/cmps
  set(t, 0xA5, 0);
  set(t, 0xA6, kByte);
  set(t, 0xA7, 0);
  set(t, 0xA8, kByte, Imm::Ib);                    // test AL,Ib
  set(t, 0xA9, 0, Imm::Iz);
  set(t, 0xAA, kByte);                             // stos/lods/scas
  set(t, 0xAB, 0);
  set(t, 0xAC, kByte);
  set(t, 0xAD, 0);
  set(t, 0xAE, kByte);
  set(t, 0xAF, 0);
  set_range(t, 0xB0, 0xB7, kByte, Imm::Ib);        // mov r8,Ib
  set_range(t, 0xB8, 0xBF, 0, Imm::Iv);            // mov r,Iv (imm64 with REX.W)
  set(t, 0xC0, kModrm | kByte, Imm::Ib);           // grp2 Eb,Ib
  set(t, 0xC1, kModrm, Imm::Ib);
  set(t, 0xC2, kForce64 | kEndsBlock, Imm::Iw);    // ret Iw
  set(t, 0xC3, kForce64 | kEndsBlock);             // ret
  set(t, 0xC4, kInvalid);                          // VEX3 (LES is invalid in 64-bit mode)
  set(t, 0xC5, kInvalid);                          // VEX2 (LDS is invalid in 64-bit mode)
  set(t, 0xC6, kModrm | kByte, Imm::Ib);           // grp11: mov Eb,Ib; xabort
  set(t, 0xC7, kModrm, Imm::Iz);                   // grp11: mov Ev,Iz; xbegin
  set(t, 0xC8, kDef64, Imm::IwIb);                 // enter
  set(t, 0xC9, kDef64);                            // leave
  set(t, 0xCA, kEndsBlock, Imm::Iw);               // retf Iw
  set(t, 0xCB, kEndsBlock);                        // retf
  set(t, 0xCC, kEndsBlock);                        // int3
  set(t, 0xCD, kEndsBlock, Imm::Ib);               // int Ib
  set(t, 0xCE, kInvalid);                          // into
  set(t, 0xCF, kEndsBlock);                        // iret
  set(t, 0xD0, kModrm | kByte);                    // grp2 Eb,1
  set(t, 0xD1, kModrm);
  set(t, 0xD2, kModrm | kByte);                    // grp2 Eb,CL
  set(t, 0xD3, kModrm);
  set(t, 0xD4, kInvalid);                          // aam
  set(t, 0xD5, kInvalid);                          // aad
  set(t, 0xD6, kInvalid);                          // salc (undocumented)
  set(t, 0xD7, kByte);                             // xlat
  set_range(t, 0xD8, 0xDF, kModrm);                // x87 escapes
  set_range(t, 0xE0, 0xE3, kForce64 | kRel | kEndsBlock, Imm::Ib);  // loopne/loope/loop/jrcxz
  set(t, 0xE4, kByte, Imm::Ib);                    // in AL,Ib
  set(t, 0xE5, 0, Imm::Ib);
  set(t, 0xE6, kByte, Imm::Ib);                    // out Ib,AL
  set(t, 0xE7, 0, Imm::Ib);
  set(t, 0xE8, kForce64 | kRel | kEndsBlock, Imm::Iz);  // call rel32
  set(t, 0xE9, kForce64 | kRel | kEndsBlock, Imm::Iz);  // jmp rel32
  set(t, 0xEA, kInvalid);                          // jmp far ptr
  set(t, 0xEB, kForce64 | kRel | kEndsBlock, Imm::Ib);  // jmp rel8
  set(t, 0xEC, kByte);                             // in/out with DX
  set(t, 0xED, 0);
  set(t, 0xEE, kByte);
  set(t, 0xEF, 0);
  set(t, 0xF1, kEndsBlock);                        // int1 (icebp)
  set(t, 0xF4, kEndsBlock);                        // hlt
  set(t, 0xF5, 0);                                 // cmc
  set(t, 0xF6, kModrm | kByte, Imm::Grp3);         // grp3 Eb
  set(t, 0xF7, kModrm, Imm::Grp3);                 // grp3 Ev
  set_range(t, 0xF8, 0xFD, 0);                     // clc stc cli sti cld std
  set(t, 0xFE, kModrm | kByte);                    // grp4 inc/dec Eb
  set(t, 0xFF, kModrm);                            // grp5 (refined by ModRM.reg)
  return t;
}

consteval Table two_byte() {
  Table t{};
  set(t, 0x00, kModrm);                            // grp6
  set(t, 0x01, kModrm);                            // grp7 (incl. rdtscp, xgetbv...)
  set(t, 0x02, kModrm);                            // lar
  set(t, 0x03, kModrm);                            // lsl
  set(t, 0x04, kInvalid);
  set(t, 0x05, kEndsBlock);                        // syscall
  set(t, 0x06, 0);                                 // clts
  set(t, 0x07, kEndsBlock);                        // sysret
  set(t, 0x08, 0);                                 // invd
  set(t, 0x09, 0);                                 // wbinvd
  set(t, 0x0A, kInvalid);
  set(t, 0x0B, kEndsBlock);                        // ud2
  set(t, 0x0C, kInvalid);
  set(t, 0x0D, kModrm);                            // prefetchw / nop Ev
  set(t, 0x0E, kInvalid);                          // femms (AMD 3DNow!)
  set(t, 0x0F, kInvalid);                          // 3DNow! (AMD only)
  set_range(t, 0x10, 0x17, kModrm);                // SSE moves
  set_range(t, 0x18, 0x1F, kModrm);                // prefetch / hint NOPs / endbr
  set_range(t, 0x20, 0x23, kModrm | kRegOnly);     // mov to/from CR, DR
  set_range(t, 0x24, 0x27, kInvalid);              // mov TR (386 only)
  set_range(t, 0x28, 0x2F, kModrm);                // SSE
  set(t, 0x30, 0);                                 // wrmsr
  set(t, 0x31, 0);                                 // rdtsc
  set(t, 0x32, 0);                                 // rdmsr
  set(t, 0x33, 0);                                 // rdpmc
  set(t, 0x34, kEndsBlock);                        // sysenter
  set(t, 0x35, kEndsBlock);                        // sysexit
  set(t, 0x36, kInvalid);
  set(t, 0x37, 0);                                 // getsec
  // 0x38, 0x3A: escapes to the three-byte maps (never reach the table).
  set(t, 0x39, kInvalid);
  set_range(t, 0x3B, 0x3F, kInvalid);
  set_range(t, 0x40, 0x4F, kModrm);                // cmovcc
  set_range(t, 0x50, 0x6F, kModrm);                // SSE / MMX
  set(t, 0x70, kModrm, Imm::Ib);                   // pshuf*
  set_range(t, 0x71, 0x73, kModrm, Imm::Ib);       // shift groups 12-14
  set_range(t, 0x74, 0x76, kModrm);                // pcmpeq*
  set(t, 0x77, 0);                                 // emms
  set(t, 0x78, kModrm);                            // vmread (66/F2: AMD SSE4a, refined)
  set(t, 0x79, kModrm);                            // vmwrite
  set(t, 0x7A, kInvalid);
  set(t, 0x7B, kInvalid);
  set_range(t, 0x7C, 0x7F, kModrm);                // haddp*, hsubp*, movd/movq
  set_range(t, 0x80, 0x8F, kForce64 | kRel | kEndsBlock, Imm::Iz);  // jcc rel32
  set_range(t, 0x90, 0x9F, kModrm | kByte);        // setcc
  set(t, 0xA0, kDef64);                            // push fs
  set(t, 0xA1, kDef64);                            // pop fs
  set(t, 0xA2, 0);                                 // cpuid
  set(t, 0xA3, kModrm);                            // bt
  set(t, 0xA4, kModrm, Imm::Ib);                   // shld Ib
  set(t, 0xA5, kModrm);                            // shld CL
  set(t, 0xA6, kInvalid);
  set(t, 0xA7, kInvalid);
  set(t, 0xA8, kDef64);                            // push gs
  set(t, 0xA9, kDef64);                            // pop gs
  set(t, 0xAA, 0);                                 // rsm
  set(t, 0xAB, kModrm);                            // bts
  set(t, 0xAC, kModrm, Imm::Ib);                   // shrd Ib
  set(t, 0xAD, kModrm);                            // shrd CL
  set(t, 0xAE, kModrm);                            // grp15 (fxsave... fences)
  set(t, 0xAF, kModrm);                            // imul Gv,Ev
  set(t, 0xB0, kModrm | kByte);                    // cmpxchg Eb
  set(t, 0xB1, kModrm);
  set(t, 0xB2, kModrm);                            // lss
  set(t, 0xB3, kModrm);                            // btr
  set(t, 0xB4, kModrm);                            // lfs
  set(t, 0xB5, kModrm);                            // lgs
  set(t, 0xB6, kModrm);                            // movzx Gv,Eb
  set(t, 0xB7, kModrm);                            // movzx Gv,Ew
  set(t, 0xB8, kModrm);                            // popcnt (F3; jmpe otherwise: refined)
  set(t, 0xB9, kModrm);                            // ud1
  set(t, 0xBA, kModrm, Imm::Ib);                   // grp8 bt* Ib
  set_range(t, 0xBB, 0xBF, kModrm);                // btc, bsf/tzcnt, bsr/lzcnt, movsx
  set(t, 0xC0, kModrm | kByte);                    // xadd Eb
  set(t, 0xC1, kModrm);
  set(t, 0xC2, kModrm, Imm::Ib);                   // cmpps
  set(t, 0xC3, kModrm);                            // movnti
  set(t, 0xC4, kModrm, Imm::Ib);                   // pinsrw
  set(t, 0xC5, kModrm, Imm::Ib);                   // pextrw
  set(t, 0xC6, kModrm, Imm::Ib);                   // shufps
  set(t, 0xC7, kModrm);                            // grp9 (cmpxchg8b/16b, rdrand...)
  set_range(t, 0xC8, 0xCF, 0);                     // bswap
  set_range(t, 0xD0, 0xFE, kModrm);                // SSE / MMX
  set(t, 0xFF, kModrm);                            // ud0
  return t;
}

// 0F 38 map (non-VEX). Every entry has ModRM and no immediate; which
// opcode/prefix pairs exist is refined in decoder.cpp.
consteval Table three_byte_38() {
  Table t{};
  for (auto& e : t) e = OpInfo{kInvalid, Imm::None};
  auto valid = [&](unsigned lo, unsigned hi) { set_range(t, lo, hi, kModrm); };
  valid(0x00, 0x0B);  // pshufb .. pmulhrsw
  valid(0x10, 0x10);  // pblendvb
  valid(0x14, 0x15);  // blendvps/pd
  valid(0x17, 0x17);  // ptest
  valid(0x1C, 0x1E);  // pabsb/w/d
  valid(0x20, 0x25);  // pmovsx*
  valid(0x28, 0x2B);  // pmuldq, pcmpeqq, movntdqa, packusdw
  valid(0x30, 0x35);  // pmovzx*
  valid(0x37, 0x41);  // pcmpgtq .. phminposuw
  valid(0x80, 0x82);  // invept, invvpid, invpcid
  valid(0xC8, 0xCD);  // sha*
  valid(0xCF, 0xCF);  // gf2p8mulb
  valid(0xDB, 0xDF);  // aes*
  valid(0xF0, 0xF1);  // movbe / crc32
  valid(0xF5, 0xF6);  // wrussd / adcx, adox, wrssd
  valid(0xF8, 0xF9);  // movdir64b, enqcmd / movdiri
  return t;
}

// 0F 3A map (non-VEX). Every valid entry has ModRM and an imm8.
consteval Table three_byte_3a() {
  Table t{};
  for (auto& e : t) e = OpInfo{kInvalid, Imm::None};
  auto valid = [&](unsigned lo, unsigned hi) { set_range(t, lo, hi, kModrm, Imm::Ib); };
  valid(0x08, 0x0F);  // round*, blend*, palignr
  valid(0x14, 0x17);  // pextr*, extractps
  valid(0x20, 0x22);  // pinsr*, insertps
  valid(0x40, 0x42);  // dpps, dppd, mpsadbw
  valid(0x44, 0x44);  // pclmulqdq
  valid(0x60, 0x63);  // pcmp[ei]str[im]
  valid(0xCC, 0xCC);  // sha1rnds4
  valid(0xCE, 0xCF);  // gf2p8affine*
  valid(0xDF, 0xDF);  // aeskeygenassist
  return t;
}

}  // namespace detail

inline constexpr Table kOneByte = detail::one_byte();
inline constexpr Table kTwoByte = detail::two_byte();
inline constexpr Table kThreeByte38 = detail::three_byte_38();
inline constexpr Table kThreeByte3A = detail::three_byte_3a();

inline constexpr const Table* kMaps[4] = {&kOneByte, &kTwoByte, &kThreeByte38, &kThreeByte3A};

}  // namespace emu::optab
