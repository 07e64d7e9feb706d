// Capstone 4.0.2 (Debian's) as the decoder's reference, shared by
// decoder_capstone_test.cpp (lengths and operands over real binaries and
// random bytes) and decoder_fuzz_test.cpp (validity and lengths against the
// host CPU).
//
// Where emu and Capstone disagree, the difference is either our CPU model by
// design (no VEX/EVEX, no AMD extensions) or Capstone's error; each such case
// is a NAMED exception below, with its evidence (Intel SDM, and where the
// host CPU can show it, what decoder_fuzz_test.cpp measured). Anything else
// is a test failure.
#pragma once

#include <capstone/capstone.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "emu/insn.h"

namespace emu::test {

class Capstone {
 public:
  // With `detail`, instruction groups are available (slower).
  explicit Capstone(bool detail = false);
  ~Capstone();
  Capstone(const Capstone&) = delete;
  Capstone& operator=(const Capstone&) = delete;

  // Decodes one instruction; false if Capstone can't.
  bool decode(const uint8_t* p, size_t n, uint64_t addr);
  // Of the last successful decode:
  size_t size() const { return insn_->size; }
  std::string text() const { return std::string(insn_->mnemonic) + " " + insn_->op_str; }
  const char* op_str() const { return insn_->op_str; }
  const char* mnemonic() const { return insn_->mnemonic; }
  bool in_group(int group) const;  // needs `detail`

 private:
  csh handle_ = 0;
  cs_insn* insn_ = nullptr;
};

std::string hex(const uint8_t* p, size_t n);

// The offset of the opcode: after the legacy prefixes and REX bytes.
size_t opcode_offset(const uint8_t* p, size_t n);

// ---- named exceptions: each returns its name, or nullptr ---------------------------

// Capstone decodes it; our CPU model does not have it, by design.
const char* unsupported_by_design(const uint8_t* p, size_t n);
// Valid (Intel SDM Vol. 2), rejected by Capstone.
const char* capstone_rejects_valid(const Decoded& d);
// Capstone decodes it, but it is #UD (SDM Vol. 2).
const char* capstone_accepts_invalid(const uint8_t* p, size_t n);
// Both decode it, and Capstone's length is the wrong one.
const char* capstone_length_wrong(const Decoded& d);

}  // namespace emu::test
