// Whether this is AddressSanitizer's build (tools/sanitize.sh).
//
// Two oracles execute random instruction bytes natively and cannot run
// under it: the decoder fuzz's host probe (host_insn_probe.h: its child makes
// its own image read-only and locks itself in with seccomp, while the
// sanitizer runtime writes shadow memory and makes system calls of its own)
// and the differential test (diff_test.cpp: ASan's shadow is 16 TiB of
// writable memory, so a wild store that faults natively lands in it instead).
// They then run only their emulator side, or nothing, and say so.
#pragma once

namespace emu::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace emu::test
