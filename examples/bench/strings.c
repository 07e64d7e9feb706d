// Benchmark: the C library's string functions, which glibc implements with
// SIMD (SSE2/AVX2, chosen at start-up by CPUID) and musl in plain C: strlen,
// memcpy, strcmp and memchr over strings of 1 to 4096 bytes, ROUNDS times.
// Prints a checksum of their results.
//
// usage: strings [ROUNDS]   (default 150000)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kStrings = 64, kMaxLen = 4096 };

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 150000;
  static char text[kStrings][kMaxLen + 64], copy[kMaxLen + 64];
  size_t length[kStrings];
  uint32_t x = 2463534242u;
  for (int s = 0; s < kStrings; ++s) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    length[s] = 1 + x % kMaxLen;
    for (size_t i = 0; i < length[s]; ++i) text[s][i] = (char)('a' + (i * 7 + s) % 26);
    text[s][length[s]] = 0;
  }
  uint64_t checksum = 0;
  for (long r = 0; r < rounds; ++r)
    for (int s = 0; s < kStrings; ++s) {
      const char* str = text[s] + (r & 7);  // vary alignment
      const size_t n = strlen(str);
      memcpy(copy, str, n + 1);
      const int cmp = strcmp(copy, text[(s + 1) % kStrings]);
      const char* hit = memchr(str, 'a' + (int)((r + s) % 26), n);
      checksum = checksum * 31 + n + (uint64_t)(cmp > 0) * 2 + (hit ? (uint64_t)(hit - str) : 7);
    }
  printf("strings: %ld rounds, checksum %016llx\n", rounds, (unsigned long long)checksum);
  return 0;
}
