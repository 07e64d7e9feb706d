// libFuzzer harness: random and mutated code executed as a guest.
//
// Input: a 17-byte header, then the code (at most Harness::kCodeSize - 2
// bytes; the harness puts a UD2 after it).
//   bytes 0..15  RAX..R15 (not RSP): b < 0x80 is the value b - 0x40 (small
//                integers, negatives included); b >= 0x80 points into the
//                data pages, at kDataAddr + (b & 0x7f) * 128
//   byte 16      bit 0: precise flags (no flag elision); bit 1: no block
//                chaining; bits 2-3: RFLAGS' CF and DF
// The guest runs for up to 20,000 instructions (SYSCALL answers -ENOSYS).
// It may end only by the limit or by a guest signal (fuzz_guest.h); an
// emulator crash, sanitizer report, assertion or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "emu/flags.h"
#include "tests/emu/harness.h"
#include "tests/fuzz/fuzz_guest.h"

namespace {

constexpr size_t kHeader = 17;
constexpr uint64_t kMaxInsns = 20'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using emu::test::Harness;
  if (size < kHeader || size - kHeader > Harness::kCodeSize - 2) return -1;  // not kept in the corpus
  Harness h(std::vector<uint8_t>(data + kHeader, data + size));
  for (int r = 0; r < 16; ++r) {
    if (r == emu::RSP) continue;
    const uint8_t b = data[r];
    h.cpu.gpr[r] = b < 0x80 ? uint64_t(int64_t(b) - 0x40) : Harness::kDataAddr + uint64_t(b & 0x7f) * 128;
  }
  const uint8_t mode = data[16];
  if (mode & 1) h.interp.set_precise_flags(true);
  if (mode & 2) h.interp.set_chain_stack_budget(0);
  h.set_rflags(0x202 | (mode & 4 ? 0x1 : 0) | (mode & 8 ? 0x400 : 0));
  emu::fuzz::run_bounded(h.cpu, h.interp, kMaxInsns);
  return 0;
}
