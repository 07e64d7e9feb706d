// The seed's loop (gem5 SE mode never recycled the frames this frees):
// map one anonymous page, read it, unmap it; ITERATIONS times (default 1e5).
// Run natively and under emu, its max RSS must not grow with the count.
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
  long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  unsigned long sum = 0;
  for (long i = 0; i < iterations; ++i) {
    char* map = mmap(NULL, 0x1000, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (map == MAP_FAILED) err(1, "mmap");
    volatile char c = *map;
    sum += (unsigned char)c;
    if (munmap(map, 0x1000) < 0) err(1, "munmap");
  }
  printf("mmap_stress: %ld iterations, checksum %lu\n", iterations, sum);
  return 0;
}
