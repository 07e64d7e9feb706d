// Storage for the lazily evaluated arithmetic flags. The representation is
// private to emu/flags.h and the integer handlers; everyone else goes
// through read_rflags / write_rflags / eval_cond.
//
// Representation (see emu/flags.h for how each flag is derived):
//  - `op` names the kind of the last flag-producing operation (FlagOp).
//  - `res`, `src1`, `src2` are its result and operands, zero-extended from
//    the operand size `size` (1, 2, 4 or 8 bytes): every flag of the six is
//    a function of these (plus, for some kinds, bits kept in `rflags`).
//  - `rflags` always holds the non-arithmetic bits (DF, IF, bit 1, AC, ID...)
//    and those arithmetic bits the current `op` does not derive (e.g. CF for
//    INC/DEC, CF/OF/AF for shifts, all six for Explicit).
#pragma once

#include <cstdint>

namespace emu {

enum FlagOp : uint8_t {
  kFlagsExplicit = 0,  // all six arithmetic flags are in rflags
  kFlagsAdd,           // res = src1 + src2
  kFlagsAdc,           // res = src1 + src2 + carry-in (carry-in is recomputed from the three)
  kFlagsSub,           // res = src1 - src2 (SUB, CMP, NEG as 0 - x)
  kFlagsSbb,           // res = src1 - src2 - borrow-in
  kFlagsLogic,         // AND/OR/XOR/TEST: CF = OF = AF = 0
  kFlagsInc,           // res = src1 + 1; CF kept in rflags
  kFlagsDec,           // res = src1 - 1; CF kept in rflags
  kFlagsResult,        // ZF/SF/PF from res; CF/OF/AF kept in rflags (shifts)
};

struct FlagsState {
  uint64_t res = 0;        // result of the last flag-setting operation
  uint64_t src1 = 0;       // its first operand
  uint64_t src2 = 0;       // its second operand
  uint64_t rflags = 0x202; // materialised bits (DF, IF, reserved bit 1, and
                           // arithmetic bits when op says they are explicit)
  uint8_t op = 0;          // FlagOp: which operation produced res
  uint8_t size = 1;        // its operand size in bytes
};

}  // namespace emu
