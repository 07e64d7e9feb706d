#include "tests/emu/oracle_rng.h"

#include <cstring>

namespace emu::test {

namespace {
const uint32_t kF32[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,  // 0 -0 1 -1 1.5 2.5 -2.5
    0x3f000000, 0xbf000000, 0x3ec00000, 0x40400000, 0x3dcccccd, 0x4b000001, 0xcb7fffff,  // .5 -.5 .375 3 .1 2^23..
    0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001, 0x7fa00000, 0xffbfffff,  // inf, NaNs
    0x00000001, 0x807fffff, 0x00400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,  // denormals, limits
    0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff,  // 2^31, 2^63 edges
    0x501502f9, 0x0d000000, 0x72000000,                                                  // 1e10, tiny, huge
};
const uint64_t kF64[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,  // 0 -0 1 -1
    0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0x4004000000000000,  // .5 -.5 1.5 2.5
    0xc004000000000000, 0x3fb999999999999a, 0x4330000000000001, 0xc32fffffffffffff,  // -2.5 .1 2^52 edges
    0x4008000000000000,                                                              // 3
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000012345678,  // inf, qNaN
    0x7ff0000000000001, 0x7ff4000000000000,                                          // sNaN
    0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,  // denormal, limits
    0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffe00000, 0x41dfffffffffffff,  // 2^31, -2^31, 2^31-1, ..
    0xc1e0000000100000, 0xc1e0000000200000,                                          // -2^31-0.5, -2^31-1
    0x43e0000000000000, 0xc3e0000000000000, 0x43dfffffffffffff, 0xc3e0000000000001,  // 2^63 edges
    0x47efffffe0000000, 0x47f0000000000000, 0x3810000000000000, 0x37a0000000000000,  // FLT_MAX, above, FLT_MIN, tiny
    0x36a0000000000000, 0x7e37e43c8800759c, 0x01a56e1fc2f8f359,                      // flt-denormal, 1e300, 1e-300
};
}  // namespace

const std::span<const uint32_t> kEdgeF32{kF32};
const std::span<const uint64_t> kEdgeF64{kF64};

uint32_t RngCore::f32(std::span<const uint32_t> edges) {
  switch (below(4)) {
    case 0: return edges[below(unsigned(edges.size()))];
    case 1: {
      float f = float(int(below(2000)) - 1000) / float(1 + below(16));
      uint32_t u;
      std::memcpy(&u, &f, 4);
      return u;
    }
    case 2: return uint32_t(bits()) & 0x807fffff;
    default: return uint32_t(bits());
  }
}

uint64_t RngCore::f64(std::span<const uint64_t> edges, bool scale_some) {
  switch (below(4)) {
    case 0: return edges[below(unsigned(edges.size()))];
    case 1: {
      double d = double(int64_t(below(2000000)) - 1000000) / double(1 + below(64));
      if (scale_some && chance(4)) d *= 1e9;
      uint64_t u;
      std::memcpy(&u, &d, 8);
      return u;
    }
    case 2: return bits() & 0x800fffffffffffff;
    default: return bits();
  }
}

uint32_t RngCore::mxcsr() {
  uint32_t m = 0x1f80;                          // all exceptions masked
  m |= below(4) << 13;                          // rounding mode
  if (chance(4)) m |= 0x0040;                   // DAZ
  if (chance(4)) m |= 0x8000;                   // FTZ
  if (chance(3)) m |= uint32_t(bits()) & 0x3f;  // some sticky flags already set
  return m;
}


void RngCore::x87_ext(uint8_t* p) {
  uint64_t m = bits() | (1ull << 63);
  uint16_t e;
  const uint16_t s = below(2) ? 0x8000 : 0;
  switch (below(16)) {
    case 0: e = 0; m = 0; break;                                          // zero
    case 1: e = 0x7fff; m = 1ull << 63; break;                            // infinity
    case 2: e = 0x7fff; m |= 1ull << 62; break;                           // QNaN
    case 3: e = 0x7fff; m &= ~(1ull << 62); m |= 1; break;                // SNaN
    case 4: e = 0; m >>= 1 + below(62); break;                            // denormal
    case 5: e = uint16_t(below(0x7ffe) + 1); m >>= 1 + below(3); break;  // unnormal (rare)
    case 6: e = uint16_t(0x3fff + 63 + below(8)); break;                  // >= 2^63: FSIN/FPTAN range
    case 7: {                                                             // small integer
      const long double v = (long double)(int64_t(below(2000)) - 1000);
      std::memcpy(p, &v, 10);
      return;
    }
    case 8: e = uint16_t(below(0x7ffe) + 1); break;                       // anywhere
    default: e = uint16_t(0x3fff - 40 + below(80)); break;                // moderate
  }
  if (e == 0 && below(8) == 0) m |= 1ull << 63;                           // pseudo-denormal
  e |= s;
  std::memcpy(p, &m, 8);
  std::memcpy(p + 8, &e, 2);
}

}  // namespace emu::test
