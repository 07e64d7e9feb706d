// The host CPU as the oracle of emu's GDT model (emu/ops/gdt.h): LAR, LSL,
// VERR and VERW on every one of the 65536 selectors, and MOV DS/ES/GS/SS on
// the first 1024 and a sample above, run natively and in emu from the same
// registers and flags (tests/emu/integer_host_oracle.h); registers, flags
// and whether it faulted must agree. LSL on CPUNODE (0x78-0x7b) is the
// exception: natively its limit is the number of the CPU the test runs on
// (emu is CPU 0), checked here against sched_getcpu().
#include <catch2/catch.hpp>
#include <sched.h>

#include <cstdint>
#include <string>
#include <vector>

#include "emu/cpu.h"
#include "tests/emu/host_exec.h"
#include "tests/emu/integer_host_oracle.h"

using namespace emu;
using namespace emu::test;

namespace {

// Inputs with RCX = each selector (random bits above it), RAX = a marker the
// failing forms must leave, RBX-R9 fixed, all arithmetic flags set or clear.
std::vector<OracleState> selector_inputs(const std::vector<uint16_t>& selectors) {
  std::vector<OracleState> out;
  uint64_t x = 0x5e1ec7;
  for (uint16_t sel : selectors) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    OracleState s;
    s.r[0] = 0x5555555555555555;
    s.r[1] = (x & 0xffffffffffff0000) | sel;
    for (int i = 2; i < kOracleRegs; ++i) s.r[i] = uint64_t(i) << 40;
    s.rflags = (sel & 1) ? 0x202 | 0x8d5 : 0x202;
    out.push_back(s);
  }
  return out;
}

// GDT entry 4 (0x20-0x23, __USER32_CS) exists only on a kernel with IA-32
// emulation (emu/ops/gdt.h): hosts differ, so it is not compared.
bool kernel_dependent(unsigned s) { return (s & 0xfffc) == 0x20; }

std::vector<uint16_t> all_selectors(bool skip_cpunode) {
  std::vector<uint16_t> out;
  for (unsigned s = 0; s < 0x10000; ++s)
    if (!(skip_cpunode && (s & 0xfffc) == 0x78) && !kernel_dependent(s)) out.push_back(uint16_t(s));
  return out;
}

// Back to the null selectors the test process started with.
void reset_host_data_segments() { asm volatile("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%gs" ::"r"(0)); }

}  // namespace

TEST_CASE("lar, lsl, verr and verw agree with the host cpu on every selector", "[segment][descriptor][host]") {
  Oracle oracle;
  std::string report;
  const std::vector<OracleState> every = selector_inputs(all_selectors(false));
  const std::vector<OracleState> no_cpunode = selector_inputs(all_selectors(true));
  const OracleCase cases[] = {
      {"lar rax, cx", {0x48, 0x0F, 0x02, 0xC1}},
      {"lar eax, cx", {0x0F, 0x02, 0xC1}},
      {"lar ax, cx", {0x66, 0x0F, 0x02, 0xC1}},
      {"lsl rax, cx", {0x48, 0x0F, 0x03, 0xC1}},
      {"lsl ax, cx", {0x66, 0x0F, 0x03, 0xC1}},
      {"verr cx", {0x0F, 0x00, 0xE1}},
      {"verw cx", {0x0F, 0x00, 0xE9}},
  };
  for (const OracleCase& c : cases) {
    const bool lsl = c.code[c.code.size() - 2] == 0x03;
    CHECK(oracle.compare(c, lsl ? no_cpunode : every, report) == 0);
  }
  INFO(report);
  CHECK(report.empty());
  CHECK(oracle.compared() == 5 * every.size() + 2 * no_cpunode.size());
}

TEST_CASE("lsl on the cpunode selector reads the host cpu's number (emu: cpu 0)", "[segment][descriptor][host]") {
  // Natively: limit = node << 12 | cpu. A migration between LSL and
  // sched_getcpu() is possible, so a few tries until both reads agree.
  bool agreed = false;
  for (int attempt = 0; attempt < 100 && !agreed; ++attempt) {
    const int before = sched_getcpu();
    const OracleResult r = run_native({0x48, 0x0F, 0x03, 0xC1}, selector_inputs({0x7b})[0], false);
    const int after = sched_getcpu();
    REQUIRE(r.signo == 0);
    if (before == after) {
      CHECK((r.state.r[0] & 0xfff) == uint64_t(before));
      agreed = true;
    }
  }
  CHECK(agreed);
}

TEST_CASE("segment loads agree with the host cpu on which selectors fault", "[segment][host]") {
  std::vector<uint16_t> selectors;
  for (unsigned s = 0; s < 0x400; ++s)
    if (!kernel_dependent(s)) selectors.push_back(uint16_t(s));
  for (unsigned s = 0x400; s < 0x10000; s += 0x1f1) selectors.push_back(uint16_t(s));
  const std::vector<OracleState> inputs = selector_inputs(selectors);
  Oracle oracle;
  std::string report;
  const OracleCase cases[] = {
      {"mov ds, cx; mov eax, ds", {0x8E, 0xD9, 0x8C, 0xD8}},
      {"mov es, cx; mov eax, es", {0x8E, 0xC1, 0x8C, 0xC0}},
      {"mov gs, cx; mov eax, gs", {0x8E, 0xE9, 0x8C, 0xE8}},
      {"mov ss, cx; mov eax, ss", {0x8E, 0xD1, 0x8C, 0xD0}},
  };
  for (const OracleCase& c : cases) {
    int bad = 0;
    for (const OracleState& in : inputs) {
      bad += oracle.compare(c, {in}, report);
      reset_host_data_segments();
    }
    CHECK(bad == 0);
  }
  INFO(report);
  CHECK(report.empty());
}
