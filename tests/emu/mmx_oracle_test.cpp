// Every MMX instruction form against the host CPU: the same bytes run in the
// emulator (tests/emu/harness.h) and natively (sse_native.h) from the same
// random state, register and memory forms, and the results must agree bit
// for bit: MM0-7 as the x87 registers R0-R7 (significand and sign/exponent
// word), FCW, FSW with TOP, the tag bits, XMM, GPRs, MXCSR, arithmetic flags
// and memory (compare_with_host, sse_oracle.h).
//
// The x87 state is random (TOP, empty registers, contents, condition codes,
// masked sticky flags, precision/rounding control), so every case also
// checks the MMX transition: TOP = 0, all tags valid, exponent 0xFFFF on the
// register written, and nothing else of the x87 state touched.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "tests/emu/harness.h"
#include "tests/emu/sse_native.h"
#include "tests/emu/sse_oracle.h"

namespace emu::test {
namespace {

// What a ModRM field names.
enum class Opnd : uint8_t { Mm, Xmm, Gpr };

enum class MemForm : uint8_t { None, Any, Aligned };

struct Spec {
  const char* name;
  uint8_t op;
  uint8_t pfx = 0;
  MemForm mem = MemForm::Any;
  bool reg = true;          // the register r/m form exists
  bool imm = false;
  int ext = -1;             // fixed ModRM.reg (/digit)
  bool w = false;           // REX.W
  uint8_t map = 1;
  Opnd reg_kind = Opnd::Mm;
  Opnd rm_kind = Opnd::Mm;
};

constexpr MemForm kNone = MemForm::None, kAl = MemForm::Aligned;
constexpr Opnd kX = Opnd::Xmm, kG = Opnd::Gpr;

const Spec kSpecs[] = {
    // ---- MMX: moves
    {.name = "movd mm, r/m32", .op = 0x6E, .rm_kind = kG},
    {.name = "movq mm, r/m64", .op = 0x6E, .w = true, .rm_kind = kG},
    {.name = "movd r/m32, mm", .op = 0x7E, .rm_kind = kG},
    {.name = "movq r/m64, mm", .op = 0x7E, .w = true, .rm_kind = kG},
    {.name = "movq mm, mm/m64", .op = 0x6F},
    {.name = "movq mm/m64, mm", .op = 0x7F},
    // ---- MMX: packs, unpacks, compares
    {"punpcklbw", 0x60}, {"punpcklwd", 0x61}, {"punpckldq", 0x62}, {"packsswb", 0x63},
    {"pcmpgtb", 0x64}, {"pcmpgtw", 0x65}, {"pcmpgtd", 0x66}, {"packuswb", 0x67},
    {"punpckhbw", 0x68}, {"punpckhwd", 0x69}, {"punpckhdq", 0x6A}, {"packssdw", 0x6B},
    {"pcmpeqb", 0x74}, {"pcmpeqw", 0x75}, {"pcmpeqd", 0x76},
    // ---- MMX: shifts
    {"psrlw", 0xD1}, {"psrld", 0xD2}, {"psrlq", 0xD3}, {"psraw", 0xE1}, {"psrad", 0xE2},
    {"psllw", 0xF1}, {"pslld", 0xF2}, {"psllq", 0xF3},
    {.name = "psrlw imm", .op = 0x71, .mem = kNone, .imm = true, .ext = 2},
    {.name = "psraw imm", .op = 0x71, .mem = kNone, .imm = true, .ext = 4},
    {.name = "psllw imm", .op = 0x71, .mem = kNone, .imm = true, .ext = 6},
    {.name = "psrld imm", .op = 0x72, .mem = kNone, .imm = true, .ext = 2},
    {.name = "psrad imm", .op = 0x72, .mem = kNone, .imm = true, .ext = 4},
    {.name = "pslld imm", .op = 0x72, .mem = kNone, .imm = true, .ext = 6},
    {.name = "psrlq imm", .op = 0x73, .mem = kNone, .imm = true, .ext = 2},
    {.name = "psllq imm", .op = 0x73, .mem = kNone, .imm = true, .ext = 6},
    // ---- MMX: arithmetic and logic
    {"pmullw", 0xD5}, {"psubusb", 0xD8}, {"psubusw", 0xD9}, {"pand", 0xDB}, {"paddusb", 0xDC},
    {"paddusw", 0xDD}, {"pandn", 0xDF}, {"pmulhw", 0xE5}, {"psubsb", 0xE8}, {"psubsw", 0xE9},
    {"por", 0xEB}, {"paddsb", 0xEC}, {"paddsw", 0xED}, {"pxor", 0xEF}, {"pmaddwd", 0xF5},
    {"psubb", 0xF8}, {"psubw", 0xF9}, {"psubd", 0xFA}, {"paddb", 0xFC}, {"paddw", 0xFD}, {"paddd", 0xFE},
    // ---- SSE's MMX integer extensions
    {.name = "pshufw", .op = 0x70, .imm = true},
    {.name = "pinsrw mm, r32/m16", .op = 0xC4, .imm = true, .rm_kind = kG},
    {.name = "pextrw r32, mm", .op = 0xC5, .mem = kNone, .imm = true, .reg_kind = kG},
    {.name = "pmovmskb r32, mm", .op = 0xD7, .mem = kNone, .reg_kind = kG},
    {"pminub", 0xDA}, {"pmaxub", 0xDE}, {"pavgb", 0xE0}, {"pavgw", 0xE3}, {"pmulhuw", 0xE4},
    {"pminsw", 0xEA}, {"pmaxsw", 0xEE}, {"psadbw", 0xF6},
    {.name = "movntq", .op = 0xE7, .reg = false},
    {.name = "maskmovq", .op = 0xF7, .mem = kNone},
    // ---- SSE2's MMX forms
    {"paddq mm", 0xD4}, {"psubq mm", 0xFB}, {"pmuludq mm", 0xF4},
    {.name = "movq2dq", .op = 0xD6, .pfx = 0xF3, .mem = kNone, .reg_kind = kX},
    {.name = "movdq2q", .op = 0xD6, .pfx = 0xF2, .mem = kNone, .rm_kind = kX},
    {.name = "cvtpi2ps xmm, mm/m64", .op = 0x2A, .reg_kind = kX},
    {.name = "cvtpi2pd xmm, mm/m64", .op = 0x2A, .pfx = 0x66, .reg_kind = kX},
    {.name = "cvtps2pi mm, xmm/m64", .op = 0x2D, .rm_kind = kX},
    {.name = "cvttps2pi mm, xmm/m64", .op = 0x2C, .rm_kind = kX},
    {.name = "cvtpd2pi mm, xmm/m128", .op = 0x2D, .pfx = 0x66, .mem = kAl, .rm_kind = kX},
    {.name = "cvttpd2pi mm, xmm/m128", .op = 0x2C, .pfx = 0x66, .mem = kAl, .rm_kind = kX},
    // ---- SSSE3's MMX forms
    {.name = "pshufb mm", .op = 0x00, .map = 2}, {.name = "phaddw mm", .op = 0x01, .map = 2},
    {.name = "phaddd mm", .op = 0x02, .map = 2}, {.name = "phaddsw mm", .op = 0x03, .map = 2},
    {.name = "pmaddubsw mm", .op = 0x04, .map = 2}, {.name = "phsubw mm", .op = 0x05, .map = 2},
    {.name = "phsubd mm", .op = 0x06, .map = 2}, {.name = "phsubsw mm", .op = 0x07, .map = 2},
    {.name = "psignb mm", .op = 0x08, .map = 2}, {.name = "psignw mm", .op = 0x09, .map = 2},
    {.name = "psignd mm", .op = 0x0A, .map = 2}, {.name = "pmulhrsw mm", .op = 0x0B, .map = 2},
    {.name = "pabsb mm", .op = 0x1C, .map = 2}, {.name = "pabsw mm", .op = 0x1D, .map = 2},
    {.name = "pabsd mm", .op = 0x1E, .map = 2},
    {.name = "palignr mm", .op = 0x0F, .imm = true, .map = 3},
};

const uint64_t kGpr[] = {0,          1,          0xffffffffffffffff, 0x7fffffff, 0x80000000,
                         0xffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x1234567890abcdef, 0x00000000fffffffe};

struct Rng : RngCore {
  using RngCore::RngCore;
  // One 64-bit lane (an MMX register, half an XMM register, memory): pairs
  // of floats, doubles, words near the saturation edges, shift counts and
  // byte masks, random bits.
  uint64_t lane() {
    switch (below(6)) {
      case 0: return uint64_t(f32(kEdgeF32)) << 32 | f32(kEdgeF32);
      case 1: return f64(kEdgeF64, true);
      case 2: return small_words();
      case 3: return below(2) ? bits() & 0x0101010180807f00 : bits() & 0x4f;  // byte masks, shift counts
      case 4: return bits() & 0x8f8f8f8f8f8f8f8f;                              // PSHUFB indices
      default: return bits();
    }
  }
  uint64_t gpr() {
    switch (below(3)) {
      case 0: return kGpr[below(std::size(kGpr))];
      case 1: return uint64_t(int64_t(int(below(2000)) - 1000));
      default: return bits();
    }
  }
};

// A random x87/MMX state: any TOP, some empty registers, register contents
// that are MMX values (exponent 0xFFFF) or x87 numbers, condition codes and
// masked sticky flags, any precision and rounding control.
void random_x87(Rng& rng, NativeState& n) {
  static constexpr unsigned kPc[] = {0, 2, 3};
  n.fcw = uint16_t(0x7f | kPc[rng.below(3)] << 8 | rng.below(4) << 10);
  n.fsw = uint16_t((rng.bits() & (0x4700 | 0x3f)) | rng.below(8) << 11);
  n.ftw = rng.chance(3) ? 0xff : uint8_t(rng.bits());
  for (int r = 0; r < 8; r++) {
    if (rng.chance(2)) {
      n.st_mant[r] = rng.lane();
      n.st_se[r] = 0xffff;
    } else {
      uint8_t ext[10];
      rng.x87_ext(ext);
      std::memcpy(&n.st_mant[r], ext, 8);
      std::memcpy(&n.st_se[r], ext + 8, 2);
    }
  }
}

uint8_t operand(Rng& rng, Opnd k) {
  if (k == Opnd::Gpr) return kOracleRegs[rng.below(std::size(kOracleRegs))];
  return uint8_t(rng.below(16));  // MMX: REX.R/REX.B are ignored, so 8-15 name MM0-7 too
}

std::vector<uint8_t> encode(const Spec& s, uint8_t reg, uint8_t rm, bool mem, uint8_t disp, uint8_t imm) {
  const uint8_t pfx[] = {s.pfx};
  return encode_insn(std::span(pfx, s.pfx ? 1 : 0), s.w, s.map, s.op, reg, rm, mem, disp, s.imm ? imm : -1);
}

NativeState random_native(Rng& rng) {
  NativeState n = random_state(rng);
  random_x87(rng, n);
  return n;
}

std::string run_code(Harness& h, const char* name, const std::vector<uint8_t>& code, Rng& rng, bool in_env) {
  const NativeState n = random_native(rng);
  alignas(16) uint8_t buf[kOracleBuf];
  random_buf(rng, buf);
  return compare_with_host(h, name, code, n, buf, in_env);
}

std::string run_case(Harness& h, const Spec& s, Rng& rng, bool in_env) {
  const bool mem = s.mem != MemForm::None && (!s.reg || rng.chance(2));
  const uint8_t reg = s.ext >= 0 ? uint8_t(s.ext) : operand(rng, s.reg_kind);
  const uint8_t rm = operand(rng, s.rm_kind);
  const uint8_t disp = s.mem == MemForm::Aligned ? uint8_t(16 * rng.below(4)) : uint8_t(rng.below(64));
  uint8_t imm = uint8_t(rng.bits());
  if (rng.chance(3)) imm = uint8_t(rng.below(20));  // counts near the element widths
  return run_code(h, s.name, encode(s, reg, rm, mem, disp, imm), rng, in_env);
}

}  // namespace

TEST_CASE("every MMX instruction form matches the host CPU bit for bit, x87 state included", "[mmx][oracle]") {
  Harness h;
  Rng rng(0x4d4d58);
  compare_every_spec(kSpecs, [&](const Spec& s, bool in_env) { return run_case(h, s, rng, in_env); }, 600);
}

// Sequences that mix x87 and MMX, EMMS, and prefixes that don't change an
// MMX instruction; each from random states.
const std::vector<uint8_t> kSequences[] = {
    {0x0F, 0x77},                                // emms
    {0x48, 0x0F, 0x77},                          // emms with REX.W
    {0xD9, 0xE8, 0x0F, 0x6E, 0xC0},              // fld1; movd mm0, eax
    {0xD9, 0xE8, 0xD9, 0xEB, 0x0F, 0xFC, 0xCA},  // fld1; fldpi; paddb mm1, mm2
    {0x0F, 0x6F, 0xC1, 0xDE, 0xC1},              // movq mm0, mm1; faddp
    {0x0F, 0x6F, 0xC1, 0xDF, 0x3E},              // movq mm0, mm1; fistp qword [rsi]
    {0x0F, 0x7F, 0x0E, 0xDD, 0x1E},              // movq [rsi], mm1; fstp qword [rsi]
    {0x0F, 0xEF, 0xDB, 0x0F, 0x77, 0xD9, 0xEE},  // pxor mm3, mm3; emms; fldz
    {0x0F, 0x77, 0xDB, 0x2E},                    // emms; fld tword [rsi]
    {0x0F, 0x6E, 0xC0, 0x0F, 0x77, 0x0F, 0x7E, 0xC1},  // movd mm0, eax; emms; movd ecx, mm0
    {0x2E, 0x0F, 0xFC, 0x46, 0x08},              // CS override on paddb mm0, [rsi+8]
    {0x4D, 0x0F, 0xFC, 0xC1},                    // REX.WRB: still paddb mm0, mm1
    // fxsave [rsi] (the MM values in the ST slots); then mov dword [rsi+28], 0
    // over MXCSR_MASK, where this AMD host sets bit 17 and emu reports Intel's.
    {0x0F, 0xAE, 0x06, 0xC7, 0x46, 0x1C, 0, 0, 0, 0},
    {0x0F, 0x6E, 0xC0, 0x0F, 0xAE, 0x06, 0xC7, 0x46, 0x1C, 0, 0, 0, 0},  // movd mm0, eax first
    {0x0F, 0x6E, 0xC0, 0xDD, 0x36},              // movd mm0, eax; fnsave [rsi]
};

TEST_CASE("x87/MMX mixes, EMMS and prefixed MMX forms match the host CPU", "[mmx][oracle]") {
  Harness h;
  Rng rng(0x77);
  size_t cases = 0;
  for (const auto& code : kSequences) {
    int failures = 0;
    for (int i = 0; i < 200 && failures < 3; i++, cases++) {
      const std::string err = run_code(h, "sequence", code, rng, i & 1);
      if (!err.empty()) {
        ++failures;
        FAIL_CHECK(err);
      }
    }
  }
  WARN(fmt::format("{} cases over {} sequences compared with the host", cases, std::size(kSequences)));
}

TEST_CASE("MMX memory operands: only CVTPD2PI/CVTTPD2PI require alignment, as on the host", "[mmx][oracle]") {
  Harness h;
  for (const Spec& s : kSpecs) {
    if (s.mem == MemForm::None) continue;
    for (uint8_t disp : {1, 8, 15})
      check_alignment_fault_like_host(h, s.name, encode(s, 0, 0, true, disp, 0), s.mem == MemForm::Aligned);
  }
}

// A memory operand that faults (an unmapped page; MASKMOVQ's RDI): the
// signal, and the x87 state at it (whether the MMX transition happened), as
// on the host.
TEST_CASE("MMX memory forms that fault leave the x87 state as the host does", "[mmx][oracle]") {
  Harness h;
  Rng rng(0xfa);
  std::vector<std::vector<uint8_t>> codes = {{0x0F, 0xF7, 0xC1}};  // maskmovq mm0, mm1
  for (const Spec& s : kSpecs)
    if (s.mem != MemForm::None) codes.push_back(encode(s, s.ext >= 0 ? uint8_t(s.ext) : 1, 2, true, 0, 3));
  for (const auto& code : codes) {
    NativeState n = random_native(rng);
    n.st_mant[1] = ~0ull;  // maskmovq: every byte selected
    NativeState native = n;
    native.gpr[RSI] = native.gpr[RDI] = 0x1000;  // unmapped natively and in the emulator
    const int host_sig = run_native_signal(native, code);
    h.set_code(code);
    set_x87_state(h.cpu.x87, n);
    h.cpu.gpr[RSI] = h.cpu.gpr[RDI] = 0x1000;
    const auto f = h.run_fault();
    INFO(hex(code));
    CHECK(host_sig == SIGSEGV);
    REQUIRE(f);
    CHECK(f->signo == host_sig);
    CHECK(x87_state_diff(h.cpu.x87, native) == "");
  }
}

// MMX encodings that don't exist (#UD): F2/F3 on MMX opcodes, EMMS with a
// mandatory prefix, register/memory forms that don't exist.
const std::vector<uint8_t> kUndefined[] = {
    {0x66, 0x0F, 0x77},              // 66 emms
    {0xF3, 0x0F, 0x77},              // F3 emms
    {0xF2, 0x0F, 0x77},              // F2 emms
    {0xF0, 0x0F, 0x77},              // lock emms
    {0xF3, 0x0F, 0x60, 0xC1},        // F3 punpcklbw mm
    {0xF2, 0x0F, 0xFC, 0xC1},        // F2 paddb mm
    {0xF3, 0x0F, 0x6E, 0xC0},        // F3 movd mm, eax
    {0xF3, 0x0F, 0x38, 0x00, 0xC1},  // F3 pshufb mm
    {0xF2, 0x0F, 0x3A, 0x0F, 0xC1, 0x03},  // F2 palignr mm
    {0xF3, 0x0F, 0xF7, 0xC1},        // F3 maskmovq
    {0xF3, 0x0F, 0xC5, 0xC1, 0x01},  // F3 pextrw
    {0x0F, 0xE7, 0xC1},              // movntq to a register
    {0x0F, 0xF7, 0x06},              // maskmovq with a memory operand
    {0x0F, 0xD7, 0x06},              // pmovmskb from memory
    {0x0F, 0x71, 0x16, 0x01},        // psrlw imm on memory
    {0x0F, 0x73, 0xD8, 0x01},        // 0F 73 /3 (psrldq is 66 only)
    {0x0F, 0x73, 0xF8, 0x01},        // 0F 73 /7 (pslldq is 66 only)
    {0xF3, 0x0F, 0xD6, 0x06},        // movq2dq with a memory operand
    {0xF0, 0x0F, 0xFC, 0xC1},        // lock paddb mm
};

TEST_CASE("undefined MMX encodings raise SIGILL, as on the host", "[mmx][oracle]") {
  Harness h;
  for (const auto& code : kUndefined) check_sigill_like_host(h, code);
}

// A pending unmasked x87 exception (the state FLDCW leaves after an unmasked
// divide by zero: ZE and ES set, ZE unmasked) is delivered by every MMX
// instruction, EMMS included, as SIGFPE with FPE_FLTDIV at the MMX
// instruction; the same state with the exception masked runs normally.
TEST_CASE("MMX instructions deliver a pending x87 exception as the host does", "[mmx][oracle]") {
  Harness h;
  Rng rng(0x3f);
  std::vector<std::vector<uint8_t>> codes = {{0x0F, 0x77}};
  for (const Spec& s : kSpecs)
    if (s.reg) codes.push_back(encode(s, s.ext >= 0 ? uint8_t(s.ext) : 1, 2, false, 0, 3));
  // The memory forms, but CVTPI2PS/CVTPI2PD m64: they name no MMX register
  // and are no waiting instructions (measured).
  for (const Spec& s : kSpecs)
    if (s.mem != MemForm::None && s.op != 0x2A)
      codes.push_back(encode(s, s.ext >= 0 ? uint8_t(s.ext) : 1, 2, true, 16, 3));
  for (const auto& c : codes) {
    std::vector<uint8_t> code = {0x90};  // so the fault's offset is not 0
    code.insert(code.end(), c.begin(), c.end());
    for (const bool unmasked : {true, false}) {
      NativeState n = random_native(rng);
      n.fcw = unmasked ? 0x037b : 0x037f;
      n.fsw = uint16_t((n.fsw & 0x3800) | (unmasked ? 0x8084 : 0x0004));
      alignas(16) uint8_t buf[kOracleBuf];
      random_buf(rng, buf);
      NativeState native = n;
      native.gpr[RSI] = reinterpret_cast<uint64_t>(buf);
      native.gpr[RDI] = reinterpret_cast<uint64_t>(buf) + kRdiOff;
      int si_code = 0;
      uint64_t offset = 0;
      const int host_sig = run_native_signal(native, code, &si_code, &offset);
      INFO(hex(code) << (unmasked ? " unmasked" : " masked"));
      CHECK(host_sig == (unmasked ? SIGFPE : 0));
      if (host_sig == SIGFPE) {
        CHECK(si_code == 3);  // FPE_FLTDIV
        CHECK(offset == 1);
      }
      if (host_sig == 0) {
        CHECK(compare_with_host(h, "pending", code, n, buf, false) == "");
      } else {
        // compare_with_host reports the emulator's fault; check it directly.
        h.set_code(code);
        h.cpu.x87.fcw = n.fcw;
        h.cpu.x87.fsw = uint16_t(n.fsw & ~0x3800);
        h.cpu.gpr[RSI] = Harness::kDataAddr;
        h.cpu.gpr[RDI] = Harness::kDataAddr + kRdiOff;
        const auto f = h.run_fault();
        REQUIRE(f);
        CHECK(f->signo == SIGFPE);
        CHECK(f->code == si_code);
        CHECK(f->addr == Harness::kCodeAddr + offset);
      }
    }
  }
}

}  // namespace emu::test
