// Benchmark: allocator churn. malloc/free of mixed sizes (16 bytes to 8 KiB,
// below any mmap threshold: this measures the allocator's own code, not the
// kernel) over a table of SLOTS live blocks, STEPS times; each block's first
// and last bytes are written and checked. Prints a checksum.
//
// usage: malloc [STEPS [SLOTS]]   (defaults 16000000, 4096)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const long steps = argc > 1 ? strtol(argv[1], NULL, 10) : 16000000;
  const long slots = argc > 2 ? strtol(argv[2], NULL, 10) : 4096;
  unsigned char** block = calloc((size_t)slots, sizeof *block);
  size_t* size = calloc((size_t)slots, sizeof *size);
  if (!block || !size) return 1;
  uint64_t x = 88172645463325252ull, checksum = 0;
  for (long i = 0; i < steps; ++i) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    const long s = (long)(x % (uint64_t)slots);
    if (block[s]) {
      if (block[s][0] != (unsigned char)size[s] || block[s][size[s] - 1] != (unsigned char)s) {
        printf("malloc: block %ld corrupted\n", s);
        return 1;
      }
      checksum += size[s];
      free(block[s]);
      block[s] = NULL;
    } else {
      // Mostly small sizes, sometimes up to 8 KiB.
      size[s] = (x >> 32) % 8 ? 16 + (x >> 40) % 240 : 256 + (x >> 40) % 7936;
      block[s] = malloc(size[s]);
      if (!block[s]) return 1;
      block[s][0] = (unsigned char)size[s];
      block[s][size[s] - 1] = (unsigned char)s;
    }
  }
  for (long s = 0; s < slots; ++s) free(block[s]);
  printf("malloc: %ld steps, checksum %llu\n", steps, (unsigned long long)checksum);
  free(block);
  free(size);
  return 0;
}
