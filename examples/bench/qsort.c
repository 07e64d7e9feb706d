// Benchmark: calls and branches. libc qsort of COUNT pseudo-random 32-bit
// keys through a comparison function, ROUNDS times (fresh keys each round);
// prints a checksum of the sorted arrays and fails if one is out of order.
//
// usage: qsort [ROUNDS [COUNT]]   (defaults 10, 500000)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void* a, const void* b) {
  const uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  const long count = argc > 2 ? strtol(argv[2], NULL, 10) : 500000;
  uint32_t* keys = malloc((size_t)count * sizeof *keys);
  if (!keys) return 1;
  uint64_t state = 0x9e3779b97f4a7c15ull, checksum = 0;
  for (long r = 0; r < rounds; ++r) {
    for (long i = 0; i < count; ++i) {  // splitmix64
      uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      keys[i] = (uint32_t)(z ^ (z >> 31));
    }
    qsort(keys, (size_t)count, sizeof *keys, compare);
    for (long i = 1; i < count; ++i)
      if (keys[i - 1] > keys[i]) {
        printf("qsort: out of order at %ld\n", i);
        return 1;
      }
    for (long i = 0; i < count; i += 97) checksum = checksum * 31 + keys[i];
  }
  printf("qsort: %ld x %ld keys, checksum %016llx\n", rounds, count, (unsigned long long)checksum);
  free(keys);
  return 0;
}
