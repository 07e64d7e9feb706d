// The named classes of disagreement between emu and the host CPU found by
// the decoder fuzzer (decoder_fuzz_test.cpp), each with its evidence:
// instructions outside the ISA emu advertises (by Capstone's groups, or by
// encoding where Capstone 4.0.2 does not know them), what this AMD host does
// differently from the Intel SDM that emu follows, and what this host's
// kernel does with a few INT vectors. A disagreement in none of them fails.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "emu/decoder.h"
#include "tests/emu/capstone_oracle.h"
#include "tests/emu/host_insn_probe.h"

namespace emu::test {

inline constexpr size_t kFuzzLen = 15;
using FuzzBytes = std::array<uint8_t, kFuzzLen>;

// emu's view of the first instruction of a string (decoded at Harness::kCodeAddr).
struct EmuView {
  DecodeStatus status = DecodeStatus::Invalid;
  Decoded d;
  bool executes = false;  // not SIGILL: bound to a handler that is not #UD, or TooLong (#GP)
};
EmuView emu_view(const FuzzBytes& b);

// Why the host executes what emu refuses (SIGILL): a named class (not
// advertised), or failure = true: a gap inside the advertised ISA.
struct RefusalClass {
  std::string name;
  bool failure = false;
};
RefusalClass refusal_class(const FuzzBytes& b, const EmuView& e, const HostProbeResult& h, Capstone& cs);

// This host's own behaviour where it departs from the SDM (emu follows the
// SDM) or its kernel claims an INT vector; nullptr otherwise.
const char* host_quirk(const FuzzBytes& b, const EmuView& e);

// Where this AMD host's instruction length differs from the Intel SDM's.
const char* amd_length_difference(const EmuView& e);

}  // namespace emu::test
