// The instruction forms emu knows: a systematic walk of the encoding space
// through the decoder and the binder (emu/decoder.h, emu/bind.h).
//
// Walked: every opcode of the one-byte, 0F, 0F 38 and 0F 3A maps; prefixes
// none/66/F3/F2/66+F3/66+F2 (mandatory prefixes and operand size), with and
// without 67 and LOCK; no REX, REX (40) and REX.W (48); every ModRM.reg and,
// for register operands, every ModRM.rm, plus a memory operand; immediates
// 0 and 3. Each encoding that decodes is bound; those bound to a handler
// (fn != op_invalid) are grouped into FORMS by FormKey:
//
//   map, opcode, the handler and its op/op2 (bound with the immediates set
//   to 0, so an imm8 that picks a specialised handler, e.g. ROUNDPS, stays
//   one form), register vs memory operand, LOCK, and for byte-register
//   operands whether a REX prefix is present (AH..BH vs SPL..DIL).
//
// So ModRM.reg is part of a form where it selects the operation (groups),
// ModRM.rm where it does for register operands (0F 01 F9, D9 E0-FF), the
// prefixes where they change the handler (operand size, mandatory prefix,
// 67 on string instructions), and nothing else: register numbers and
// immediates are operands, chosen per test case (diff_case.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "emu/insn.h"

namespace emu::test {

struct FormKey {
  Handler fn = nullptr;
  uint8_t map = 0, opcode = 0, op = 0, op2 = 0;
  bool mem = false, lock = false, byte_rex = false;
  auto fields() const {
    return std::tuple(map, opcode, op, op2, mem, lock, byte_rex, reinterpret_cast<uintptr_t>(fn));
  }
  bool operator==(const FormKey& o) const { return fields() == o.fields(); }
  bool operator<(const FormKey& o) const { return fields() < o.fields(); }
};

// Decodes and binds `bytes`; nullopt when they do not decode or bind to
// op_invalid. `d` (optional) receives the decoded form.
std::optional<FormKey> form_key(const uint8_t* bytes, size_t n, Decoded* d = nullptr);

// How a form's encoding is built (diff_case.cpp varies the free parts).
struct Form {
  FormKey key;
  std::vector<uint8_t> legacy;  // legacy prefixes in order (66, F2/F3, 67, F0)
  uint8_t rex = 0;              // 0, 0x40 or 0x48
  uint8_t map = 0, opcode = 0;
  bool has_modrm = false;
  uint8_t reg = 0, rm = 0;      // ModRM fields of the representative (3 bits each)
  bool reg_free = false;        // any ModRM.reg gives the same form
  bool rm_free = false;         // (register forms) any ModRM.rm gives the same form
  bool rex_r = false, rex_x = false, rex_b = false;  // REX bits that keep the form
  uint8_t imm_size = 0;         // first immediate's size as encoded
  bool has_imm2 = false;        // ENTER's second immediate
  bool rel = false;             // the immediate is a branch displacement
  bool moffs = false;           // A0-A3: an absolute address follows (8 bytes, 4 with 67)
  bool ends_block = false;      // control transfer or trap (emu/decoder.h)
  std::vector<uint8_t> bytes;   // the representative encoding
  std::string text;             // its Capstone disassembly
};

struct FormCensus {
  std::vector<Form> forms;        // in walk order
  uint64_t encodings_walked = 0;  // byte strings tried
  uint64_t encodings_bound = 0;   // of those, decoded and bound to a handler
};

FormCensus enumerate_forms();

}  // namespace emu::test
