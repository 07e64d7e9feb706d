// What CPUID reports: exactly the features the emulator implements.
//
// The feature bits live in ONE table below. Whoever implements an instruction
// set turns its bit on here in the same change (the SSE owner: SSE3, SSSE3...;
// the integer owner: CX16, POPCNT, LAHF...), and never before: glibc and musl
// pick their string/memory routines from these bits, so a bit set for an
// unimplemented extension turns into SIGILL in memcpy.
#pragma once

#include <cstdint>

namespace emu::cpuid {

// Leaf 1 EDX.
inline constexpr uint32_t kFpu = 1u << 0;
inline constexpr uint32_t kTsc = 1u << 4;
inline constexpr uint32_t kCx8 = 1u << 8;
inline constexpr uint32_t kCmov = 1u << 15;
inline constexpr uint32_t kClfsh = 1u << 19;
inline constexpr uint32_t kMmx = 1u << 23;
inline constexpr uint32_t kFxsr = 1u << 24;
inline constexpr uint32_t kSse = 1u << 25;
inline constexpr uint32_t kSse2 = 1u << 26;
// Leaf 1 ECX.
inline constexpr uint32_t kSse3 = 1u << 0;
inline constexpr uint32_t kPclmul = 1u << 1;
inline constexpr uint32_t kSsse3 = 1u << 9;
inline constexpr uint32_t kCx16 = 1u << 13;
inline constexpr uint32_t kSse41 = 1u << 19;
inline constexpr uint32_t kSse42 = 1u << 20;
inline constexpr uint32_t kMovbe = 1u << 22;
inline constexpr uint32_t kPopcnt = 1u << 23;
// Leaf 7 (subleaf 0) EBX.
inline constexpr uint32_t kErms = 1u << 9;
// Leaf 0x80000001 ECX / EDX.
inline constexpr uint32_t kLahfLm = 1u << 0;
inline constexpr uint32_t kLzcnt = 1u << 5;
inline constexpr uint32_t kSyscall = 1u << 11;
inline constexpr uint32_t kNx = 1u << 20;
inline constexpr uint32_t kRdtscp = 1u << 27;
inline constexpr uint32_t kLm = 1u << 29;

struct FeatureTable {
  uint32_t leaf1_edx;
  uint32_t leaf1_ecx;
  uint32_t leaf7_ebx;   // subleaf 0
  uint32_t leaf7_ecx;
  uint32_t leaf7_edx;
  uint32_t ext1_ecx;    // leaf 0x80000001
  uint32_t ext1_edx;
};

// THE table. Keep each bit's justification next to it.
inline constexpr FeatureTable kFeatures = {
    .leaf1_edx = kFpu       // x87: emu/ops/x87_*.cpp (80-bit, on the host's x87)
                 | kTsc     // rdtsc: emu/ops/control.cpp
                 | kCmov    // cmovcc: integer (baseline x86-64; compilers emit it unconditionally)
                 | kCx8     // cmpxchg8b: integer
                 | kClfsh   // clflush (a checked no-op): emu/ops/control.cpp
                 | kFxsr    // fxsave/fxrstor: SSE
                 | kMmx     // emu/ops/mmx_*.cpp (baseline x86-64: every level)
                 | kSse | kSse2,
    .leaf1_ecx = kCx16      // cmpxchg16b: integer (emu/ops/datamov.cpp)
                 | kPopcnt  // popcnt: integer (emu/ops/bitops.cpp)
                 | kSse3    // emu/ops/sse3.cpp (+ FISTTP in x87_load.cpp)
                 | kSsse3   // emu/ops/ssse3.cpp, mmx_ssse3.cpp (MMX forms)
                 | kSse41   // emu/ops/sse41.cpp
                 | kSse42,  // emu/ops/sse42.cpp (PCMPxSTRx, PCMPGTQ, CRC32)
    .leaf7_ebx = kErms,     // "enhanced REP MOVSB/STOSB": a hint, no new instruction. emu's
                            // REP MOVSB/STOSB copy/fill page-sized runs at a time
                            // (emu/ops/string.cpp), so glibc's memcpy/memset use them for
                            // large sizes (its *_erms variants) instead of 16-byte loops
    .leaf7_ecx = 0,
    .leaf7_edx = 0,
    .ext1_ecx = kLahfLm,    // lahf/sahf in 64-bit mode: integer (emu/ops/datamov.cpp)
    .ext1_edx = kSyscall | kNx | kRdtscp | kLm,
};

struct Result {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// The microarchitecture level `--cpu=` selects. kFeatures is the highest
// level implemented; a lower level clears the bits it adds (x86-64 psABI:
// x86-64-v2 = baseline + CMPXCHG16B, LAHF/SAHF, POPCNT, SSE3, SSSE3, SSE4.1,
// SSE4.2), so guests pick their baseline code paths.
enum class Level : uint8_t { kX86_64, kX86_64_v2 };
inline constexpr uint32_t kV2Leaf1Ecx = kSse3 | kSsse3 | kSse41 | kSse42 | kPopcnt | kCx16;
inline constexpr uint32_t kV2Ext1Ecx = kLahfLm;

constexpr FeatureTable features_at(Level level) {
  FeatureTable t = kFeatures;
  if (level == Level::kX86_64) {
    t.leaf1_ecx &= ~kV2Leaf1Ecx;
    t.ext1_ecx &= ~kV2Ext1Ecx;
  }
  return t;
}

// The CPU model of this process: set once by the driver before the guest
// runs (--cpu), read by every CPUID. Process-wide like the machine it models.
void select_level(Level level);
const FeatureTable& selected();

// CPUID for leaf EAX, subleaf ECX on the selected model. Leaves above the
// maximum report zeros (as Intel CPUs report for reserved leaves within
// range; see cpuid.cpp).
Result query(uint32_t leaf, uint32_t subleaf);

}  // namespace emu::cpuid
