// Anonymous mapping churn: a small table of live slots, each a run of
// mapped pages whose contents the program knows. Each step does one of:
// map a random-size slot or unmap one whole; munmap its head, tail or a
// middle range (the right part becomes a slot of its own); MAP_FIXED a fresh
// mapping over part of a slot (those pages read zero, the rest keep their
// contents); mprotect a sub-range read-only or back to read-write; rewrite
// the writable pages of a sub-range. After every step the touched slot is
// verified, so a split, a merge or a recycled frame that loses or mixes up
// pages shows up as a content mismatch.
//
// Live memory is bounded by the table (kSlots * kMaxPages pages, 2 MiB), and
// filled to the bound first, so max RSS does not grow with N.
//
// usage: mmap_churn N
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "churn.h"

enum { kSlots = 8, kMaxPages = 64 };

struct slot {
  uint64_t* base;  // NULL: free
  long pages;
  uint64_t tag[kMaxPages];    // page i holds tag_word(tag[i], w); 0 means reads zero
  unsigned char ro[kMaxPages];  // page i is PROT_READ
};

static struct slot slots[kSlots];
static struct rng rng = {0x6d6d61705f636875ull};
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static void fail(const char* what, int slot, long page) {
  churn_fail("mmap_churn", what, "step %ld, slot %d, page %ld", step, slot, page);
}

static volatile uint64_t* page_at(struct slot* s, long i) { return s->base + i * kWords; }

static void fill_page(struct slot* s, long i) {
  s->tag[i] = next_tag++;
  fill_tagged(page_at(s, i), s->tag[i]);
}

// Checks three words of each page (holds_tag), or all of them when `full`.
static void verify_slot(int si, int full) {
  struct slot* s = &slots[si];
  for (long i = 0; i < s->pages; ++i) {
    if (!holds_tag(page_at(s, i), s->tag[i], full)) fail("page contents differ", si, i);
    checksum += s->tag[i] * (uint64_t)(i + 1);
  }
}

static int free_slot_index(void) {
  for (int i = 0; i < kSlots; ++i)
    if (!slots[i].base) return i;
  return -1;
}

static void map_slot(int si, long pages) {
  struct slot* s = &slots[si];
  void* m = mmap(NULL, (size_t)pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) fail("mmap", si, 0);
  s->base = m;
  s->pages = pages;
  memset(s->ro, 0, sizeof s->ro);
  for (long i = 0; i < pages; ++i) {
    if (page_at(s, i)[0] != 0 || page_at(s, i)[kWords - 1] != 0) fail("fresh page does not read zero", si, i);
    fill_page(s, i);
  }
}

static void unmap_range(int si, long first, long count) {
  if (munmap((void*)page_at(&slots[si], first), (size_t)count * kPage) != 0) fail("munmap", si, first);
}

// Drops pages [first, first+count) from the slot's model (after munmap).
static void drop_pages(struct slot* s, long first, long count) {
  memmove(&s->tag[first], &s->tag[first + count], (size_t)(s->pages - first - count) * sizeof s->tag[0]);
  memmove(&s->ro[first], &s->ro[first + count], (size_t)(s->pages - first - count));
  s->pages -= count;
}

static void free_whole(int si) {
  verify_slot(si, 1);
  unmap_range(si, 0, slots[si].pages);
  slots[si].base = NULL;
}

static void unmap_head(int si) {
  struct slot* s = &slots[si];
  long k = 1 + rng_below(&rng, s->pages - 1);
  unmap_range(si, 0, k);
  s->base += k * kWords;
  drop_pages(s, 0, k);
}

static void unmap_tail(int si) {
  struct slot* s = &slots[si];
  long k = 1 + rng_below(&rng, s->pages - 1);
  unmap_range(si, s->pages - k, k);
  s->pages -= k;
}

// munmap [a, a+k) with pages on both sides: the right part becomes another
// slot if one is free, else it is unmapped as well.
static void unmap_middle(int si) {
  struct slot* s = &slots[si];
  long a = 1 + rng_below(&rng, s->pages - 2);
  long k = 1 + rng_below(&rng, s->pages - 1 - a);
  unmap_range(si, a, k);
  long right = a + k;
  int ri = free_slot_index();
  if (ri >= 0) {
    struct slot* r = &slots[ri];
    r->base = s->base + right * kWords;
    r->pages = s->pages - right;
    memcpy(r->tag, &s->tag[right], (size_t)r->pages * sizeof r->tag[0]);
    memcpy(r->ro, &s->ro[right], (size_t)r->pages);
    verify_slot(ri, 0);
  } else {
    unmap_range(si, right, s->pages - right);
  }
  s->pages = a;
}

static void pick_range(struct slot* s, long* first, long* count) {
  *first = rng_below(&rng, s->pages);
  *count = 1 + rng_below(&rng, s->pages - *first);
}

static void overlay_fixed(int si) {
  struct slot* s = &slots[si];
  long a, k;
  pick_range(s, &a, &k);
  void* want = (void*)page_at(s, a);
  void* m = mmap(want, (size_t)k * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (m != want) fail("MAP_FIXED overlay", si, a);
  for (long i = a; i < a + k; ++i) {
    s->tag[i] = 0;
    s->ro[i] = 0;
  }
  verify_slot(si, 0);  // the overlay reads zero, the rest is intact
  for (long i = a; i < a + k; i += 2) fill_page(s, i);
}

static void protect(int si, int read_only) {
  struct slot* s = &slots[si];
  long a, k;
  pick_range(s, &a, &k);
  int prot = read_only ? PROT_READ : PROT_READ | PROT_WRITE;
  if (mprotect((void*)page_at(s, a), (size_t)k * kPage, prot) != 0) fail("mprotect", si, a);
  memset(&s->ro[a], read_only, (size_t)k);
}

static void rewrite(int si) {
  struct slot* s = &slots[si];
  long a, k;
  pick_range(s, &a, &k);
  for (long i = a; i < a + k; ++i)
    if (!s->ro[i]) fill_page(s, i);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  for (int i = 0; i < kSlots; ++i) map_slot(i, kMaxPages);  // reach the live-memory bound first
  for (step = 0; step < n; ++step) {
    int si = (int)rng_below(&rng, kSlots);
    struct slot* s = &slots[si];
    long op = rng_below(&rng, 8);
    if (!s->base) {
      map_slot(si, 1 + rng_below(&rng, kMaxPages));
    } else if (op == 0 || (op <= 3 && s->pages < 3)) {
      free_whole(si);
      continue;
    } else if (op == 1) {
      unmap_head(si);
    } else if (op == 2) {
      unmap_tail(si);
    } else if (op == 3) {
      unmap_middle(si);
    } else if (op == 4) {
      overlay_fixed(si);
    } else if (op == 5 || op == 6) {
      protect(si, op == 5);
    } else {
      rewrite(si);
    }
    verify_slot(si, 0);
  }
  for (int i = 0; i < kSlots; ++i)
    if (slots[i].base) free_whole(i);
  printf("mmap_churn: %ld steps, checksum %llu\n", n, (unsigned long long)checksum);
  return 0;
}
