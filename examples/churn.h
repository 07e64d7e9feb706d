// Helpers shared by the memory stress programs (page_loop.c, *_churn.c): a
// seeded PRNG, the words of a tagged page, and the FAIL line. Each program
// keeps its own seed, tags and checksum (its output is its own) and is run
// natively and under emu with the stdout compared, so nothing here may
// depend on addresses.
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kPage = 4096, kWords = kPage / 8 };

// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", 2014): the caller seeds `state`; the same seed gives the same
// sequence under every libc.
struct rng {
  uint64_t state;
};

static inline uint64_t rng_next(struct rng* r) {
  uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// In [0, n), n > 0 (modulo bias is irrelevant here).
static inline long rng_below(struct rng* r, long n) { return (long)(rng_next(r) % (uint64_t)n); }

// In [lo, hi], lo <= hi.
static inline long rng_range(struct rng* r, long lo, long hi) { return lo + rng_below(r, hi - lo + 1); }

// Word `word` of a page that holds `tag`; tag 0 is a page that reads zero.
static inline uint64_t tag_word(uint64_t tag, long word) { return tag ? tag * 0x9e3779b97f4a7c15ull ^ (uint64_t)word : 0; }

// The one word besides both ends that holds_tag samples: it moves with the
// tag, so over a run every offset is checked.
static inline long sample_word(uint64_t tag) { return 1 + (long)(tag % (kWords - 2)); }

static inline void fill_tagged(volatile uint64_t* page, uint64_t tag) {
  for (long w = 0; w < kWords; ++w) page[w] = tag_word(tag, w);
}

// Whether the page holds `tag`'s words: all of them when `full`, else both
// ends and sample_word(tag).
static inline int holds_tag(const volatile uint64_t* page, uint64_t tag, int full) {
  if (full) {
    for (long w = 0; w < kWords; ++w)
      if (page[w] != tag_word(tag, w)) return 0;
    return 1;
  }
  long mid = sample_word(tag);
  return page[0] == tag_word(tag, 0) && page[mid] == tag_word(tag, mid) && page[kWords - 1] == tag_word(tag, kWords - 1);
}

// Prints "PROGRAM: FAIL WHAT (WHERE, errno E)" and exits 1. WHERE is
// formatted from `where` and the remaining arguments; E is errno as it was
// at the call.
__attribute__((noreturn, format(printf, 3, 4))) static inline void churn_fail(const char* program, const char* what,
                                                                             const char* where, ...) {
  int e = errno;
  printf("%s: FAIL %s (", program, what);
  va_list ap;
  va_start(ap, where);
  vprintf(where, ap);
  va_end(ap);
  printf(", errno %d)\n", e);
  exit(1);
}
