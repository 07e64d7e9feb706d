// mremap churn: a small table of slots, each a read-write anonymous mapping
// whose page contents the program knows. A "reserved" slot is followed by a
// PROT_NONE reservation up to kCap pages, so where mremap may and may not
// move it is deterministic despite ASLR:
//   grow in place   unmap the start of the reservation, mremap without flags
//                   (must return the same address; new pages read zero);
//   shrink          mremap without flags; the cut tail must be unmapped
//                   (mprotect: ENOMEM), then the reservation is restored;
//   MREMAP_MAYMOVE  grow a reserved slot: the reservation is in the way, so
//                   it must move (mm/mremap.c: vma_expandable fails, then
//                   move_vma); contents move with it;
//   MREMAP_FIXED    move (and resize) onto a new reservation's start.
// Every step verifies the slot: moved pages keep their contents, pages a
// grow added read zero.
//
// Live memory is bounded by the table (kSlots * kCap pages, 1.5 MiB),
// reached first.
//
// usage: mremap_churn N
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "churn.h"

enum { kSlots = 6, kCap = 64 };

struct slot {
  uint64_t* base;  // NULL: free
  long pages;      // read-write pages from base
  int reserved;    // [base + pages, base + kCap) is a PROT_NONE reservation
  uint64_t tag[kCap];  // page i holds tag_word(tag[i], w); 0 means reads zero
};

static struct slot slots[kSlots];
static struct rng rng = {0x6d72656d61702121ull};
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static void fail(const char* what, int slot) { churn_fail("mremap_churn", what, "step %ld, slot %d", step, slot); }

static size_t bytes(long pages) { return (size_t)pages * kPage; }
static volatile uint64_t* page_at(struct slot* s, long i) { return s->base + i * kWords; }

static void fill_page(struct slot* s, long i) {
  s->tag[i] = next_tag++;
  fill_tagged(page_at(s, i), s->tag[i]);
}

static void verify_slot(int si) {
  struct slot* s = &slots[si];
  for (long i = 0; i < s->pages; ++i) {
    if (!holds_tag(page_at(s, i), s->tag[i], 0)) fail("page contents differ", si);
    checksum += s->tag[i] * (uint64_t)(i + 1);
  }
}

// A kCap-page PROT_NONE reservation anywhere.
static uint64_t* reserve(int si) {
  void* m = mmap(NULL, bytes(kCap), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) fail("mmap a reservation", si);
  return m;
}

static void create_slot(int si, long pages) {
  struct slot* s = &slots[si];
  s->pages = pages;
  s->reserved = (int)rng_below(&rng, 2);
  if (s->reserved) {
    s->base = reserve(si);
    if (mprotect(s->base, bytes(s->pages), PROT_READ | PROT_WRITE) != 0) fail("mprotect the reservation's head", si);
  } else {
    s->base = mmap(NULL, bytes(s->pages), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->base == MAP_FAILED) fail("mmap", si);
  }
  memset(s->tag, 0, sizeof s->tag);
  for (long i = 0; i < s->pages; ++i)
    if (rng_below(&rng, 4) != 0) fill_page(s, i);
}

static void destroy_slot(int si) {
  struct slot* s = &slots[si];
  if (munmap(s->base, bytes(s->reserved ? kCap : s->pages)) != 0) fail("munmap", si);
  s->base = NULL;
}

// The slot now has `pages` pages; pages past the old count read zero.
static void resized(struct slot* s, long pages) {
  for (long i = s->pages; i < pages; ++i) s->tag[i] = 0;
  s->pages = pages;
}

static void grow_in_place(int si) {
  struct slot* s = &slots[si];
  long want = s->pages + 1 + rng_below(&rng, kCap - s->pages);
  if (munmap((void*)page_at(s, s->pages), bytes(want - s->pages)) != 0) fail("munmap part of the reservation", si);
  void* m = mremap(s->base, bytes(s->pages), bytes(want), 0);
  if (m != s->base) fail("mremap grow in place", si);
  resized(s, want);
}

static void grow_may_move(int si) {
  struct slot* s = &slots[si];
  long want = s->pages + 1 + rng_below(&rng, kCap - s->pages);
  uint64_t* old = s->base;
  void* m = mremap(s->base, bytes(s->pages), bytes(want), MREMAP_MAYMOVE);
  if (m == MAP_FAILED) fail("mremap MREMAP_MAYMOVE", si);
  if (s->reserved) {
    if (m == old) fail("mremap MREMAP_MAYMOVE grew over the reservation", si);
    if (munmap(old + s->pages * kWords, bytes(kCap - s->pages)) != 0) fail("munmap the old reservation", si);
    s->reserved = 0;
  }
  s->base = m;
  resized(s, want);
}

static void shrink(int si) {
  struct slot* s = &slots[si];
  long want = 1 + rng_below(&rng, s->pages - 1);
  void* m = mremap(s->base, bytes(s->pages), bytes(want), 0);
  if (m != s->base) fail("mremap shrink", si);
  // mprotect of a range with no mapping fails with ENOMEM (mm/mprotect.c).
  void* cut = (void*)page_at(s, want);
  if (mprotect(cut, bytes(s->pages - want), PROT_READ) != -1 || errno != ENOMEM) fail("the cut tail is still mapped", si);
  if (s->reserved &&
      mmap(cut, bytes(s->pages - want), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != cut)
    fail("mmap the reservation back", si);
  s->pages = want;
}

static void move_fixed(int si) {
  struct slot* s = &slots[si];
  long want = 1 + rng_below(&rng, kCap);
  uint64_t* target = reserve(si);
  uint64_t* old = s->base;
  void* m = mremap(s->base, bytes(s->pages), bytes(want), MREMAP_MAYMOVE | MREMAP_FIXED, target);
  if (m != target) fail("mremap MREMAP_FIXED", si);
  if (s->reserved && s->pages < kCap && munmap(old + s->pages * kWords, bytes(kCap - s->pages)) != 0)
    fail("munmap the old reservation", si);
  // The moved pages replaced the reservation's head; the rest is still reserved.
  s->base = target;
  s->reserved = 1;
  if (want < s->pages) s->pages = want;
  resized(s, want);
}

static void rewrite(int si) {
  struct slot* s = &slots[si];
  long first = rng_below(&rng, s->pages);
  long count = 1 + rng_below(&rng, s->pages - first);
  for (long i = first; i < first + count; ++i) fill_page(s, i);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  for (int i = 0; i < kSlots; ++i) {  // reach the live-memory bound first
    create_slot(i, kCap);
    for (long p = 0; p < kCap; ++p) fill_page(&slots[i], p);
  }
  for (step = 0; step < n; ++step) {
    int si = (int)rng_below(&rng, kSlots);
    struct slot* s = &slots[si];
    long op = rng_below(&rng, 7);
    if (!s->base) {
      create_slot(si, 1 + rng_below(&rng, kCap));
    } else if (op == 0) {
      verify_slot(si);
      destroy_slot(si);
      continue;
    } else if (op == 1 && s->reserved && s->pages < kCap) {
      grow_in_place(si);
    } else if (op == 2 && s->pages < kCap) {
      grow_may_move(si);
    } else if (op == 3 && s->pages > 1) {
      shrink(si);
    } else if (op == 4) {
      move_fixed(si);
    } else {
      rewrite(si);
    }
    verify_slot(si);
  }
  for (int i = 0; i < kSlots; ++i)
    if (slots[i].base) {
      verify_slot(i);
      destroy_slot(i);
    }
  printf("mremap_churn: %ld steps, checksum %llu\n", n, (unsigned long long)checksum);
  return 0;
}
