// Storage for the lazily evaluated arithmetic flags. The representation is
// private to emu/flags.h and the integer handlers; everyone else goes
// through read_rflags / write_rflags / eval_cond.
#pragma once

#include <cstdint>

namespace emu {

struct FlagsState {
  uint64_t res = 0;        // result of the last flag-setting operation
  uint64_t src1 = 0;       // its first operand
  uint64_t src2 = 0;       // its second operand
  uint64_t rflags = 0x202; // materialised bits (DF, IF, reserved bit 1, and
                           // arithmetic bits when op says they are explicit)
  uint8_t op = 0;          // which operation produced res (0: flags explicit in rflags)
  uint8_t size = 0;        // its operand size in bytes
};

}  // namespace emu
