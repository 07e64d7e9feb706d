#include "emu/flags.h"

namespace emu {

namespace flags {

uint64_t arith(const FlagsState& f) {
  if (f.op == kFlagsExplicit) return f.rflags & kArithFlags;
  uint64_t r = 0;
  if (cf(f)) r |= kCF;
  if (parity_even(f.res)) r |= kPF;
  switch (f.op) {
    case kFlagsAdd:
    case kFlagsAdc:
    case kFlagsSub:
    case kFlagsSbb:
    case kFlagsInc:
    case kFlagsDec: r |= (f.src1 ^ f.src2 ^ f.res) & kAF; break;
    case kFlagsLogic: break;
    default: r |= f.rflags & kAF; break;
  }
  if (f.res == 0) r |= kZF;
  if (f.res & sign_bit(f)) r |= kSF;
  if (of(f)) r |= kOF;
  return r;
}

}  // namespace flags

uint64_t read_rflags(const Cpu& cpu) {
  const FlagsState& f = cpu.flags;
  return (f.rflags & ~kArithFlags) | flags::arith(f) | 0x2;
}

void write_rflags(Cpu& cpu, uint64_t value, uint64_t mask) {
  FlagsState& f = cpu.flags;
  flags::materialise(f);
  f.rflags = ((f.rflags & ~mask) | (value & mask)) | 0x2;
}

}  // namespace emu
