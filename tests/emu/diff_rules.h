// The differential harness's one table of per-form exceptions
// (diff_rules.cpp): forms that cannot run natively in-process (excluded,
// with the reason, and counted as not covered), results that are not
// meaningful to compare (undefined flags, CPU identity, time), and input
// fix-ups that make random states exercise a form (valid MXCSR images,
// pointers for string instructions, ...). A form no rule matches is run
// with the generic random state and compared in full.
#pragma once

#include <cstdint>
#include <span>

#include "emu/insn.h"

namespace emu::test {

struct DiffCase;
class CaseGen;

struct FormRule {
  const char* what;                       // the forms, for the report
  bool (*match)(const Decoded& d);
  bool exclude = false;                   // not run (not covered)
  const char* reason = "";                // why excluded / what is not compared / what is fixed
  uint64_t arith_flags = 0x8d5;           // arithmetic RFLAGS bits compared (CF PF AF ZF SF OF)
  uint16_t ignored_gprs = 0;              // bit per Reg: register not compared
  void (*fixup)(DiffCase& c, CaseGen& g) = nullptr;  // adjusts the random input
  struct Range { uint16_t lo = 0, hi = 0; };
  Range mem_skip[2] = {};                 // memory bytes [ea+lo, ea+hi) not compared
};

std::span<const FormRule> form_rules();
// The first rule matching `d`, or nullptr.
const FormRule* rule_for(const Decoded& d);

}  // namespace emu::test
