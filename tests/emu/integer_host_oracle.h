// Host-CPU oracle for the integer instruction tests: runs the same
// instruction bytes natively (this host is x86-64) and in the emulator
// (tests/emu/harness.h) from the same registers and flags, and compares
// registers, the arithmetic flags and an 8-byte memory operand at [RBX].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace emu::test {

// Registers the oracle sets and compares: RAX RCX RDX RBX RSI RDI R8 R9.
inline constexpr int kOracleRegs = 8;

struct OracleState {
  uint64_t r[kOracleRegs] = {};
  uint64_t rflags = 0x202;
  uint64_t mem[2] = {};  // 16 bytes at [RBX] when the case uses memory
};

struct OracleResult {
  OracleState state;
  int signo = 0;  // a fault's signal (SIGFPE for #DE), 0 if none
};

// Runs `code` natively on `in`. With `use_mem`, RBX points at a host copy of
// in.mem (and RBX is not meaningful in the result).
OracleResult run_native(const std::vector<uint8_t>& code, const OracleState& in, bool use_mem);

// Compares native and emulated runs of `code` over `inputs`; returns the
// number of mismatches and describes the first few in `report`.
// `flag_mask`: the RFLAGS bits compared (defined flags, or the ones matched
// to the host's undefined behaviour).
struct OracleCase {
  std::string name;
  std::vector<uint8_t> code;
  bool use_mem = false;
  uint64_t flag_mask = 0x8d5;
};

class Oracle {
 public:
  Oracle();
  ~Oracle();
  // Returns the count of mismatches; appends descriptions to `report`.
  int compare(const OracleCase& c, const std::vector<OracleState>& inputs, std::string& report);
  uint64_t compared() const { return compared_; }

 private:
  uint64_t compared_ = 0;
};

// Input generators.
std::vector<uint64_t> edge_values();
std::vector<OracleState> make_inputs(int random_count, uint64_t seed, bool vary_rcx_as_count = false);

}  // namespace emu::test
