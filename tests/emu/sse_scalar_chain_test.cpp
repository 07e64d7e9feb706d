// Fused scalar SSE chains (emu/ops/sse_scalar_chain.cpp): every shape of
// chain against the host CPU on edge-case inputs, and the places where a
// chain hands over to the unfused handlers (a fault, an unmasked
// exception, a store into the code) against the steps run one by one.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "tests/emu/harness.h"
#include "tests/emu/oracle_rng.h"
#include "tests/emu/sse_native.h"
#include "tests/emu/sse_oracle.h"

namespace emu::test {
namespace {

constexpr uint8_t kArithOps[] = {0x58, 0x5C, 0x59, 0x5E};  // ADD, SUB, MUL, DIV
constexpr const char* kArithNames[] = {"add", "sub", "mul", "div"};

struct Rng : RngCore {
  using RngCore::RngCore;
  // A lane holding one double or two floats, edge values often.
  uint64_t lane() {
    if (below(2)) return f64(kEdgeF64, true);
    return uint64_t(f32(kEdgeF32)) << 32 | f32(kEdgeF32);
  }
  uint64_t gpr() { return bits(); }
};

// One step: OPSD/OPSS xmm(dst), xmm(src) or [rsi + disp].
std::vector<uint8_t> arith(uint8_t pfx, uint8_t op, uint8_t dst, uint8_t src, bool mem, uint8_t disp) {
  const uint8_t p[] = {pfx};
  return encode_insn(p, false, 1, op, dst, src, mem, disp, -1);
}

// MOVSD/MOVSS [rsi + disp], xmm(src).
std::vector<uint8_t> store(uint8_t pfx, uint8_t src, uint8_t disp) {
  const uint8_t p[] = {pfx};
  return encode_insn(p, false, 1, 0x11, src, 0, true, disp, -1);
}

void append(std::vector<uint8_t>& code, const std::vector<uint8_t>& more) {
  code.insert(code.end(), more.begin(), more.end());
}

uint8_t xmm_reg(Rng& rng) { return uint8_t(rng.below(16)); }
// [rsi + disp8] inside the compared buffer (disp8 is signed).
uint8_t disp(Rng& rng) { return uint8_t(8 * rng.below(16)); }

TEST_CASE("Every shape of scalar chain is fused and matches the host CPU bit for bit", "[sse][chain]") {
  Harness h;
  Rng rng(0xc4a1);
  size_t shapes = 0;
  for (uint8_t pfx : {uint8_t(0xF3), uint8_t(0xF2)})
    for (int op1 = 0; op1 < 4; ++op1)
      for (bool mem1 : {false, true})
        for (int op2 = -1; op2 < 4; ++op2)
          for (bool mem2 : {false, true})
            for (bool with_store : {false, true}) {
              if (op2 < 0 && (mem2 || !with_store)) continue;
              ++shapes;
              const std::string name = fmt::format("{}{}{} {}{}{} {}", kArithNames[op1], pfx == 0xF2 ? "sd" : "ss",
                                                   mem1 ? " m" : "", op2 < 0 ? "" : kArithNames[op2],
                                                   mem2 ? " m" : "", with_store ? "store" : "", "");
              const uint64_t chains_before = h.interp.stats().fp_chains;
              int failures = 0;
              for (int i = 0; i < 40 && failures < 3; ++i) {
                const uint8_t dst = xmm_reg(rng);
                uint8_t src2 = xmm_reg(rng);
                if (src2 == dst) src2 = uint8_t((dst + 1) % 16);  // a source that is the destination ends a chain
                std::vector<uint8_t> code = arith(pfx, kArithOps[op1], dst, xmm_reg(rng), mem1, disp(rng));
                if (op2 >= 0) append(code, arith(pfx, kArithOps[op2], dst, src2, mem2, disp(rng)));
                if (with_store) append(code, store(pfx, dst, disp(rng)));
                const NativeState n = random_state(rng);
                alignas(16) uint8_t buf[kOracleBuf];
                random_buf(rng, buf);
                const std::string err = compare_with_host(h, name.c_str(), code, n, buf, i & 1);
                if (!err.empty()) {
                  ++failures;
                  FAIL_CHECK(err);
                }
              }
              INFO(name);
              CHECK(h.interp.stats().fp_chains > chains_before);
            }
  CHECK(shapes == 2 * 4 * 2 * (1 + 4 * 2 * 2));
}

// mulsd xmm0, xmm1; addsd xmm0, [rax + 8]; movsd [rbx + 16], xmm0
const std::vector<uint8_t> kMulAddStore = {0xF2, 0x0F, 0x59, 0xC1, 0xF2, 0x0F, 0x58, 0x40,
                                           0x08, 0xF2, 0x0F, 0x11, 0x43, 0x10};
constexpr uint64_t kAddAt = Harness::kCodeAddr + 4, kStoreAt = Harness::kCodeAddr + 9;

uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// Runs kMulAddStore from xmm0 = x0, xmm1 = x1, [kDataAddr + 8] = m, fused
// or with precise flags (which bind no chains), and returns the fault.
std::optional<mm::GuestFault> run_mul_add_store(Harness& h, bool fused, uint64_t rax, uint64_t rbx,
                                                uint32_t mxcsr = 0x1f80, double x0 = 3.0, double x1 = 5.0,
                                                double m = 0.25) {
  h.interp.set_precise_flags(!fused);
  h.cpu.xmm[0].q[0] = bits(x0);
  h.cpu.xmm[1].q[0] = bits(x1);
  h.cpu.gpr[RAX] = rax;
  h.cpu.gpr[RBX] = rbx;
  h.cpu.mxcsr = mxcsr;
  h.write<double>(Harness::kDataAddr + 8, m);
  return h.run_fault();
}

TEST_CASE("A chain whose memory operand faults stops there with the steps before it done", "[sse][chain]") {
  const bool fused = GENERATE(true, false);
  INFO((fused ? "fused" : "one by one"));
  {
    SECTION("the second step's load") {
      Harness h(kMulAddStore);
      const auto f = run_mul_add_store(h, fused, 0x1000, Harness::kDataAddr);
      REQUIRE(f.has_value());
      CHECK(f->signo == SIGSEGV);
      CHECK(h.cpu.rip == kAddAt);
      CHECK(h.cpu.icount == 1);
      CHECK(h.cpu.xmm[0].q[0] == bits(15.0));
      CHECK(h.interp.stats().fp_chains == (fused ? 1u : 0u));
    }
    SECTION("the store") {
      Harness h(kMulAddStore);
      const auto f = run_mul_add_store(h, fused, Harness::kDataAddr, 0x1000);
      REQUIRE(f.has_value());
      CHECK(f->signo == SIGSEGV);
      CHECK(h.cpu.rip == kStoreAt);
      CHECK(h.cpu.icount == 2);
      CHECK(h.cpu.xmm[0].q[0] == bits(15.25));
    }
    SECTION("nothing faults") {
      Harness h(kMulAddStore);
      REQUIRE_FALSE(run_mul_add_store(h, fused, Harness::kDataAddr, Harness::kDataAddr).has_value());
      CHECK(h.read<double>(Harness::kDataAddr + 16) == 15.25);
      CHECK(h.cpu.icount == 3);
    }
  }
}

TEST_CASE("A chain with an exception unmasked raises it at the step that causes it", "[sse][chain]") {
  // Overflow unmasked (OM, MXCSR bit 10).
  constexpr double kMax = 1.7976931348623157e308;
  const bool fused = GENERATE(true, false);
  INFO((fused ? "fused" : "one by one"));
  Harness h(kMulAddStore);
  SECTION("the first step: 3 * DBL_MAX") {
    const auto f = run_mul_add_store(h, fused, Harness::kDataAddr, Harness::kDataAddr, 0x1f80 & ~0x400u, 3.0, kMax);
    REQUIRE(f.has_value());
    CHECK(f->signo == SIGFPE);
    CHECK(h.cpu.rip == Harness::kCodeAddr);
    CHECK(h.cpu.xmm[0].q[0] == bits(3.0));  // the destination is not written
  }
  SECTION("the second step: DBL_MAX * 1 + DBL_MAX") {
    const auto f = run_mul_add_store(h, fused, Harness::kDataAddr, Harness::kDataAddr, 0x1f80 & ~0x400u, kMax, 1.0,
                                     kMax);
    REQUIRE(f.has_value());
    CHECK(f->signo == SIGFPE);
    CHECK(h.cpu.rip == kAddAt);
    CHECK(h.cpu.icount == 1);
    CHECK(h.cpu.xmm[0].q[0] == bits(kMax));  // the first step's result
  }
  CHECK(h.read<double>(Harness::kDataAddr + 16) == 0.0);
  CHECK(h.interp.stats().fp_chains == (fused ? 1u : 0u));
}

TEST_CASE("A chain's store into the code after it runs the new code", "[sse][chain]") {
  // mulsd xmm0, xmm1; movsd [rbx], xmm0; then at +8: mov eax, 1; nop x3.
  // xmm0 * 1.0 is xmm0: eight NOPs (0x90...) overwrite the MOV.
  const std::vector<uint8_t> code = {0xF2, 0x0F, 0x59, 0xC1, 0xF2, 0x0F, 0x11, 0x03,
                                     0xB8, 0x01, 0x00, 0x00, 0x00, 0x90, 0x90, 0x90};
  const bool fused = GENERATE(true, false);
  INFO((fused ? "fused" : "one by one"));
  {
    Harness h(code);
    h.interp.set_precise_flags(!fused);
    h.cpu.xmm[0].q[0] = 0x9090909090909090;
    h.cpu.xmm[1].q[0] = bits(1.0);
    h.cpu.gpr[RAX] = 7;
    h.cpu.gpr[RBX] = Harness::kCodeAddr + 8;
    h.run();
    CHECK(h.cpu.gpr[RAX] == 7);
    CHECK(h.interp.stats().fp_chains == (fused ? 1u : 0u));
  }
}

TEST_CASE("A step whose register source is the chain's destination is not fused into it", "[sse][chain]") {
  // addsd xmm0, xmm1; addsd xmm0, xmm0: the second reads the first's result.
  Harness h({0xF2, 0x0F, 0x58, 0xC1, 0xF2, 0x0F, 0x58, 0xC0});
  h.cpu.xmm[0].q[0] = bits(1.5);
  h.cpu.xmm[1].q[0] = bits(2.0);
  h.run();
  CHECK(h.cpu.xmm[0].q[0] == bits(7.0));
  CHECK(h.interp.stats().fp_chains == 0);
}

}  // namespace
}  // namespace emu::test
