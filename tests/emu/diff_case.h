// Random test cases for the all-forms differential harness: for one form
// (form_enum.h), an encoding with random operands (registers, addressing
// mode, immediates) and a random architectural state to run it from.
//
// Addresses are the host arena's (host_exec.h), which the emulated run maps
// at the same guest addresses, so one case serves both runs unchanged.
//  - The instruction sits at kInsnOffset in the code page; every other byte
//    of the page is INT3, so wherever the instruction continues, both runs
//    stop there (the host run's fall-through is its exit sequence instead).
//  - Memory operands point into the data page (or, based on RSP, the stack),
//    through any base register, SIB index, RIP-relative or absolute address,
//    with or without 67. Sometimes they straddle the end of the page (fault).
//  - Branch targets (relative, and planted in registers/memory/the stack for
//    indirect ones and RET) are INT3 bytes of the code page.
//  - GPRs hold edge values, small numbers, pointers into the arena and
//    random bits (never a canonical address in [2^40, 2^47), where the host
//    process lives); RFLAGS random arithmetic flags and DF; XMM FP edge values
//    (NaNs, infinities, denormals, -0, integer-conversion limits) and random
//    lanes; MXCSR random rounding/DAZ/FTZ with exceptions masked; x87 random
//    precision/rounding, TOP, empty registers and extended values (NaNs,
//    denormals, pseudo-denormals, unnormals, infinities).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "emu/insn.h"
#include "tests/emu/form_enum.h"
#include "tests/emu/host_exec.h"
#include "tests/emu/oracle_rng.h"

namespace emu::test {

inline constexpr size_t kInsnOffset = 0x800;  // in the code page
inline constexpr size_t kInsnWindow = 32;     // bytes rewritten per case from kInsnOffset

struct DiffCase {
  std::vector<uint8_t> bytes;   // the instruction
  Decoded d;                    // its decoding (at insn_addr)
  uint64_t insn_addr = 0;
  HostState in{};               // input: GPRs, rip = insn_addr, RFLAGS, FXSAVE image
  std::vector<uint8_t> data;    // initial contents of the arena's data page(s)
  std::vector<uint8_t> stack;   // ... and stack
  std::optional<uint64_t> ea;   // the memory operand's address

  // Writes `src` into the initial memory image at arena address `addr`
  // (false when part of [addr, addr+n) is outside the data and stack pages).
  bool poke(uint64_t addr, const void* src, size_t n);
};

struct FormRule;

class CaseGen : public RngCore {
 public:
  explicit CaseGen(uint64_t seed) : RngCore(seed) {}
  // A case of `f`; `rule` (diff_rules.h) may adjust it.
  DiffCase make(const Form& f, const FormRule* rule);

  // Value sources, also for the rules' fixups (with RngCore's bits(),
  // below(), mxcsr(), x87_ext()).
  uint64_t gpr_value();
  uint64_t lane();                 // one 64-bit XMM lane / memory qword
  uint64_t landing();              // an INT3 byte of the code page outside the window
  uint64_t data_pointer(size_t room);  // into the data page, `room` bytes left after it

  // Cases whose operands could not be varied (the representative encoding ran).
  uint64_t fallbacks = 0;

 private:
  bool encode(const Form& f, DiffCase& c);
};

}  // namespace emu::test
