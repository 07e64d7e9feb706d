#include "emu/cpuid.h"

#include <cstring>

namespace emu::cpuid {
namespace {

// The vendor string is "GenuineIntel" because glibc's start-up code takes
// cache sizes (memcpy/memset thresholds) from the Intel leaves 2 and 4 only
// for known vendors; the brand string (leaves 0x80000002-4) says what this
// really is. Family 6 model 0x1A is Nehalem, the first Intel core of the
// x86-64-v2 level emu implements (and no more: no AVX); glibc's
// tuning for it prefers unaligned 16-byte loads and copies to SSSE3's
// PALIGNR loops, which suits an interpreter, where an unaligned load costs
// what an aligned one does (examples/bench/strings.c ran 1.24x more guest
// instructions, and 1.24x more emu instructions, with the model-0 choices).
constexpr char kVendor[13] = "GenuineIntel";
constexpr char kBrand[49] = "emu x86-64 user-mode interpreter";
constexpr uint32_t kMaxBasicLeaf = 7;
constexpr uint32_t kMaxExtLeaf = 0x80000008;
constexpr uint32_t kSignature = 0x000106A0;  // family 6, model 0x1A (extended model 1), stepping 0

uint32_t chars(const char* s, int i) {
  uint32_t v;
  std::memcpy(&v, s + 4 * i, 4);
  return v;
}

// Deterministic cache parameters (leaf 4): L1d 32 KiB, L1i 32 KiB,
// L2 1 MiB, L3 8 MiB, 64-byte lines, one thread per cache.
Result cache_leaf(uint32_t subleaf) {
  struct Cache { uint32_t type, level, ways, sets; };
  constexpr Cache kCaches[] = {{1, 1, 8, 64}, {2, 1, 8, 64}, {3, 2, 16, 1024}, {3, 3, 16, 8192}};
  if (subleaf >= 4) return {};
  const Cache& c = kCaches[subleaf];
  Result r;
  r.eax = c.type | (c.level << 5) | (1u << 8);  // self-initialising
  r.ebx = (c.ways - 1) << 22 | (1 - 1) << 12 | (64 - 1);
  r.ecx = c.sets - 1;
  r.edx = 0;
  return r;
}

FeatureTable g_selected = kFeatures;

}  // namespace

void select_level(Level level) { g_selected = features_at(level); }
const FeatureTable& selected() { return g_selected; }

Result query(uint32_t leaf, uint32_t subleaf) {
  const FeatureTable& f = g_selected;  // the selected model, not the table's maximum
  Result r;
  switch (leaf) {
    case 0:
      r.eax = kMaxBasicLeaf;
      r.ebx = chars(kVendor, 0);
      r.edx = chars(kVendor, 1);
      r.ecx = chars(kVendor, 2);
      return r;
    case 1:
      r.eax = kSignature;
      // CLFLUSH line size 8*8 bytes, 1 logical processor, APIC id 0.
      r.ebx = (f.leaf1_edx & kClfsh ? 8u << 8 : 0) | (1u << 16);
      r.ecx = f.leaf1_ecx;
      r.edx = f.leaf1_edx;
      return r;
    case 2:
      // One iteration; descriptor 0xFF: "use leaf 4".
      r.eax = 0x0000FF01;
      return r;
    case 4:
      return cache_leaf(subleaf);
    case 7:
      if (subleaf == 0) {
        r.eax = 0;  // max subleaf
        r.ebx = f.leaf7_ebx;
        r.ecx = f.leaf7_ecx;
        r.edx = f.leaf7_edx;
      }
      return r;
    case 0x80000000:
      r.eax = kMaxExtLeaf;
      return r;
    case 0x80000001:
      r.ecx = f.ext1_ecx;
      r.edx = f.ext1_edx;
      return r;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const int base = int(leaf - 0x80000002) * 4;
      r.eax = chars(kBrand, base + 0);
      r.ebx = chars(kBrand, base + 1);
      r.ecx = chars(kBrand, base + 2);
      r.edx = chars(kBrand, base + 3);
      return r;
    }
    case 0x80000006:
      // L2: 1 MiB, 16-way (encoding 8), 64-byte lines.
      r.ecx = (1024u << 16) | (8u << 12) | 64u;
      return r;
    case 0x80000008:
      r.eax = (48u << 8) | 39u;  // 48-bit virtual, 39-bit physical addresses
      return r;
    default:
      // Intel: a leaf above the maximum returns the highest basic leaf's
      // data; reserved leaves in range return zeros. We return zeros for
      // both: no guest relies on the former, and zeros are "no feature".
      return r;
  }
}

}  // namespace emu::cpuid
