// The seed loop widened to multi-page mappings: map PAGES anonymous pages,
// check each reads zero, write and read back every page, unmap; N times.
// A recycled frame that was not zeroed, or a page mapped to the wrong frame,
// shows up as a content mismatch.
//
// usage: page_loop N PAGES    (e.g. PAGES = 1, 3, 17)
// Prints one summary line with a checksum; a mismatch prints FAIL, exits 1.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "churn.h"

static void fail(const char* what, long iteration, long page) {
  churn_fail("page_loop", what, "iteration %ld, page %ld", iteration, page);
}

// Three words per page: both ends and one that moves with the iteration, so
// over a run every word offset is checked for zero at least once.
static uint64_t word_index(long iteration) { return 1 + (uint64_t)iteration % (kWords - 2); }

static uint64_t page_tag(long iteration, long page) {
  return ((uint64_t)iteration << 16 | (uint64_t)page) * 0x9e3779b97f4a7c15ull + 1;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  long pages = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
  if (n < 0 || pages < 1 || pages > 4096) {
    printf("usage: page_loop N PAGES (1..4096)\n");
    return 2;
  }
  size_t len = (size_t)pages * kPage;
  uint64_t sum = 0;
  for (long i = 0; i < n; ++i) {
    uint64_t* map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) fail("mmap", i, 0);
    uint64_t w = word_index(i);
    for (long p = 0; p < pages; ++p) {
      volatile uint64_t* page = map + p * kWords;
      if (page[0] != 0 || page[w] != 0 || page[kWords - 1] != 0) fail("fresh page does not read zero", i, p);
      uint64_t tag = page_tag(i, p);
      page[0] = tag;
      page[w] = tag ^ 0x5555555555555555ull;
      page[kWords - 1] = ~tag;
    }
    for (long p = 0; p < pages; ++p) {
      volatile uint64_t* page = map + p * kWords;
      uint64_t tag = page_tag(i, p);
      if (page[0] != tag || page[w] != (tag ^ 0x5555555555555555ull) || page[kWords - 1] != ~tag) fail("page contents changed", i, p);
      sum += tag >> 32;
    }
    if (munmap(map, len) != 0) fail("munmap", i, 0);
  }
  printf("page_loop: %ld iterations of %ld pages, checksum %llu\n", n, pages, (unsigned long long)sum);
  return 0;
}
