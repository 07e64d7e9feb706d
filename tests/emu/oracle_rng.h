// The random-number core of the host-oracle tests' input generators (SSE,
// x87, the all-forms harness): edge-value tables and value classes that
// exercise floating point (NaNs, infinities, denormals, conversion limits).
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace emu::test {

// Floating-point edge values (the union of what the SSE oracle tests use):
// zeros, small integers and halves, infinities, quiet and signalling NaNs,
// denormals, limits, 2^23/2^31/2^52/2^63 conversion edges, tiny and huge.
extern const std::span<const uint32_t> kEdgeF32;
extern const std::span<const uint64_t> kEdgeF64;

// The random-number core of each test's input generator; each test adds its
// own lane() and gpr() distributions and edge-value tables.
struct RngCore {
  std::mt19937_64 g;
  explicit RngCore(uint64_t seed) : g(seed) {}
  uint64_t bits() { return g(); }
  unsigned below(unsigned n) { return unsigned(g() % n); }
  bool chance(unsigned one_in) { return below(one_in) == 0; }

  // An edge value from `edges`, a "nice" float (small exponent range, so
  // results are ordinary numbers), a denormal with random sign, or random bits.
  uint32_t f32(std::span<const uint32_t> edges);
  // As f32; `scale_some` multiplies a quarter of the nice values by 1e9.
  uint64_t f64(std::span<const uint64_t> edges, bool scale_some);
  // Four 16-bit words near 0 or near 0x7fff (saturation and compare edges).
  uint64_t small_words() {
    uint64_t v = 0;
    for (int i = 0; i < 4; i++) {
      const uint16_t w = below(3) == 0 ? uint16_t(0x7ff0 + below(32)) : uint16_t(int(below(600)) - 300);
      v |= uint64_t(w) << (16 * i);
    }
    return v;
  }
  // All exceptions masked, random rounding mode, DAZ, FTZ, some sticky flags.
  uint32_t mxcsr();
  // An 80-bit extended value at p: zeros, infinities, QNaN/SNaN, denormals,
  // pseudo-denormals, unnormals, >= 2^63 (integer and FSIN/FPTAN range),
  // small integers, anything, moderate magnitudes.
  void x87_ext(uint8_t* p);
};

}  // namespace emu::test
