// malloc/free churn of mixed sizes through the libc allocator: a bounded
// live set of small blocks (16..512 bytes) and large ones (~200 KiB, above
// the 128 KiB mmap threshold, so each is mapped and unmapped), with realloc
// of small blocks. Every block holds a pattern derived from its tag,
// verified before it is freed or after it is reallocated.
//
// Live memory is bounded by the table (kSmall * 512 B + kLarge * 216 KiB,
// ~1.9 MiB), reached first.
//
// usage: malloc_churn N
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "churn.h"

enum { kSmall = 512, kLarge = 8, kSmallMin = 16, kSmallMax = 512, kLargeMin = 184 << 10, kLargeMax = 216 << 10 };
enum { kStride = 256 };  // large blocks hold a word every kStride bytes: each page is touched

struct block {
  unsigned char* p;  // NULL: free
  size_t size;
  uint64_t tag;
};

static struct block small[kSmall], large[kLarge];
static struct rng rng = {0x6d616c6c6f632121ull};
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static void fail(const char* what, size_t size) { churn_fail("malloc_churn", what, "step %ld, size %zu", step, size); }

static unsigned char byte_at(uint64_t tag, size_t i) { return (unsigned char)(tag * 131 + i * 7 + (i >> 8)); }

// Small blocks are filled whole, bytewise; large ones get a word every
// kStride bytes (tag_word of its offset: tags start at 1) and their last byte.
static void fill(struct block* b, int is_large) {
  b->tag = next_tag++;
  if (!is_large) {
    for (size_t i = 0; i < b->size; ++i) b->p[i] = byte_at(b->tag, i);
    return;
  }
  for (size_t i = 0; i + 8 < b->size; i += kStride) memcpy(b->p + i, &(uint64_t){tag_word(b->tag, (long)i)}, 8);
  b->p[b->size - 1] = byte_at(b->tag, b->size - 1);
}

// Checks the first `size` bytes of the block's pattern.
static void verify(const struct block* b, size_t size, int is_large) {
  if (!is_large) {
    for (size_t i = 0; i < size; ++i)
      if (b->p[i] != byte_at(b->tag, i)) fail("small block contents differ", b->size);
  } else {
    for (size_t i = 0; i + 8 < size; i += kStride) {
      uint64_t w;
      memcpy(&w, b->p + i, 8);
      if (w != tag_word(b->tag, (long)i)) fail("large block contents differ", b->size);
    }
    if (b->p[size - 1] != byte_at(b->tag, size - 1)) fail("large block's last byte differs", b->size);
  }
  checksum += b->tag * size;
}

static void allocate(struct block* b, size_t size, int is_large) {
  b->p = malloc(size);
  if (!b->p) fail("malloc", size);
  b->size = size;
  fill(b, is_large);
}

static void release(struct block* b, int is_large) {
  verify(b, b->size, is_large);
  free(b->p);
  b->p = NULL;
}

// realloc keeps the common prefix; the block is refilled for its new size.
static void reallocate(struct block* b) {
  size_t size = (size_t)rng_range(&rng, kSmallMin, kSmallMax);
  unsigned char* p = realloc(b->p, size);
  if (!p) fail("realloc", size);
  b->p = p;
  verify(b, size < b->size ? size : b->size, 0);
  b->size = size;
  fill(b, 0);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
#ifdef __GLIBC__
  // Pin glibc's mmap threshold at its initial 128 KiB (musl's is fixed).
  // Left dynamic, glibc raises it on the first free of a mapped block and
  // serves the large blocks from the heap, where they fragment it: native
  // max RSS then grows with N (measured 2.6 MiB at N = 2e4, 5.7 MiB at
  // 1.3e6), which would hide whether emu's own memory is constant.
  if (mallopt(M_MMAP_THRESHOLD, 128 << 10) != 1) fail("mallopt", 0);
#endif
  // Reach the live-memory bound first, in a mixed order as the churn will.
  for (int i = 0; i < kSmall; ++i) {
    allocate(&small[i], kSmallMax, 0);
    if (i % (kSmall / kLarge) == 0) allocate(&large[i / (kSmall / kLarge)], kLargeMax, 1);
  }
  for (step = 0; step < n; ++step) {
    if (rng_range(&rng, 0, 15) == 0) {
      struct block* b = &large[rng_range(&rng, 0, kLarge - 1)];
      if (b->p) release(b, 1);
      else allocate(b, (size_t)rng_range(&rng, kLargeMin, kLargeMax), 1);
    } else {
      struct block* b = &small[rng_range(&rng, 0, kSmall - 1)];
      if (!b->p) allocate(b, (size_t)rng_range(&rng, kSmallMin, kSmallMax), 0);
      else if (rng_range(&rng, 0, 3) == 0) reallocate(b);
      else release(b, 0);
    }
  }
  for (int i = 0; i < kSmall; ++i)
    if (small[i].p) release(&small[i], 0);
  for (int i = 0; i < kLarge; ++i)
    if (large[i].p) release(&large[i], 1);
  printf("malloc_churn: %ld steps, checksum %llu\n", n, (unsigned long long)checksum);
  return 0;
}
