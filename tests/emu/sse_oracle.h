// Shared pieces of the SSE host-oracle tests (sse_oracle_test.cpp for
// SSE-SSSE3, sse4_oracle_test.cpp for SSE4.1/4.2): instruction encoding,
// the random-input core, and the comparison of one run in the emulator
// (tests/emu/harness.h) with the same bytes run natively (sse_native.h).
//
// Memory operands are [rsi + disp8] into a kOracleBuf-byte buffer; RDI points
// kRdiOff bytes into it (MASKMOVDQU's implicit destination). Neither RSP, RSI
// nor RDI is ever an operand register (kOracleRegs), so they are not compared.
#pragma once

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "tests/emu/harness.h"
#include "tests/emu/oracle_rng.h"
#include "tests/emu/sse_native.h"

namespace emu::test {

// 512: FXSAVE [rsi] (the MMX oracle's sequences) stores 512 bytes; with 256
// the native run wrote past the caller's buffer (found by AddressSanitizer).
inline constexpr size_t kOracleBuf = 512;  // bytes of memory compared
inline constexpr uint64_t kRdiOff = 128;    // where RDI points

// Register numbers an operand field may take: not RSP (4), RSI (6, the
// memory base) or RDI (7, MASKMOVDQU's pointer) when the field names a GPR.
inline constexpr uint8_t kOracleRegs[] = {0, 1, 2, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15};

// prefixes, REX (W, and R/B from reg/rm), 0F [38|3A] op, ModRM with either
// register rm or [rsi + disp8], then imm8 if imm >= 0. map: 1 = 0F, 2 = 0F 38,
// 3 = 0F 3A.
std::vector<uint8_t> encode_insn(std::span<const uint8_t> prefixes, bool w, uint8_t map, uint8_t op, uint8_t reg,
                                 uint8_t rm, bool mem, uint8_t disp, int imm);

std::string hex(const std::vector<uint8_t>& v);

// Runs `code` from state `n` with memory `buf` (kOracleBuf bytes, 16-aligned)
// in the emulator (inside a GuestFpEnv if in_env: the run loop's fast path;
// outside it, the per-instruction slow path) and natively; returns "" if
// XMM, GPRs, arithmetic flags, MXCSR and memory agree, else what differs.
std::string compare_with_host(Harness& h, const char* name, const std::vector<uint8_t>& code, NativeState n,
                              uint8_t* buf, bool in_env);

// The x87/MMX fields of `n` into the emulator's X87 (FIP/FOP/FDP/FCS zero),
// and what differs between them: FCW, FSW with TOP, tags, R0-R7 ("" if
// nothing).
void set_x87_state(X87& x, const NativeState& n);
std::string x87_state_diff(const X87& x, const NativeState& n);

// CHECKs that `code` with its memory operand at [rsi + disp] raises the same
// signal in the emulator as natively, and SIGSEGV (#GP) exactly when the
// operand must be 16-byte aligned.
void check_alignment_fault_like_host(Harness& h, const char* name, const std::vector<uint8_t>& code,
                                     bool must_align);

// CHECKs that `code` raises SIGILL natively and in the emulator, at the
// instruction.
void check_sigill_like_host(Harness& h, const std::vector<uint8_t>& code);

// A random state from the generator's lane() and gpr(), and a random buffer.
template <class R>
NativeState random_state(R& rng) {
  NativeState n{};
  for (auto& x : n.xmm) {
    x.q[0] = rng.lane();
    x.q[1] = rng.lane();
  }
  for (auto& g : n.gpr) g = rng.gpr();
  n.rflags = rng.bits() & kArithFlags;
  n.mxcsr = rng.mxcsr();
  return n;
}
template <class R>
void random_buf(R& rng, uint8_t* buf) {
  for (size_t i = 0; i < kOracleBuf; i += 8) {
    const uint64_t v = rng.lane();
    std::memcpy(buf + i, &v, 8);
  }
}

// For each spec, `one_case(spec, in_env)` (returning compare_with_host's
// verdict) `cases` times, alternating in and outside GuestFpEnv; a spec stops
// after 3 failures, each reported with FAIL_CHECK.
template <class Spec, size_t N, class OneCase>
void compare_every_spec(const Spec (&specs)[N], OneCase one_case, int cases = 1000) {
  size_t compared = 0;
  for (const Spec& s : specs) {
    int failures = 0;
    for (int i = 0; i < cases && failures < 3; i++) {
      const std::string err = one_case(s, bool(i & 1));
      ++compared;
      if (!err.empty()) {
        ++failures;
        FAIL_CHECK(err);
      }
    }
  }
  WARN(fmt::format("{} cases over {} encodings compared with the host", compared, N));
}

}  // namespace emu::test
