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

enum { kPage = 4096, kWords = kPage / 8, kSlots = 6, kCap = 64 };

struct slot {
  uint64_t* base;  // NULL: free
  long pages;      // read-write pages from base
  int reserved;    // [base + pages, base + kCap) is a PROT_NONE reservation
  uint64_t tag[kCap];  // page i holds words derived from tag[i]; 0 means reads zero
};

static struct slot slots[kSlots];
static uint64_t rng_state = 0x6d72656d61702121ull;
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static uint64_t rng_next(void) {  // splitmix64
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static long rng_below(long n) { return (long)(rng_next() % (uint64_t)n); }

static void fail(const char* what, int slot) {
  printf("mremap_churn: FAIL %s (step %ld, slot %d, errno %d)\n", what, step, slot, errno);
  exit(1);
}

static uint64_t pattern(uint64_t tag, long word) { return tag ? tag * 0x9e3779b97f4a7c15ull ^ (uint64_t)word : 0; }
static size_t bytes(long pages) { return (size_t)pages * kPage; }
static volatile uint64_t* page_at(struct slot* s, long i) { return s->base + i * kWords; }

static void fill_page(struct slot* s, long i) {
  uint64_t tag = next_tag++;
  volatile uint64_t* p = page_at(s, i);
  for (long w = 0; w < kWords; ++w) p[w] = pattern(tag, w);
  s->tag[i] = tag;
}

static void verify_slot(int si) {
  struct slot* s = &slots[si];
  for (long i = 0; i < s->pages; ++i) {
    volatile uint64_t* p = page_at(s, i);
    uint64_t tag = s->tag[i];
    long mid = 1 + (long)(tag % (kWords - 2));
    if (p[0] != pattern(tag, 0) || p[mid] != pattern(tag, mid) || p[kWords - 1] != pattern(tag, kWords - 1))
      fail("page contents differ", si);
    checksum += tag * (uint64_t)(i + 1);
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
  s->reserved = (int)rng_below(2);
  if (s->reserved) {
    s->base = reserve(si);
    if (mprotect(s->base, bytes(s->pages), PROT_READ | PROT_WRITE) != 0) fail("mprotect the reservation's head", si);
  } else {
    s->base = mmap(NULL, bytes(s->pages), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->base == MAP_FAILED) fail("mmap", si);
  }
  memset(s->tag, 0, sizeof s->tag);
  for (long i = 0; i < s->pages; ++i)
    if (rng_below(4) != 0) fill_page(s, i);
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
  long want = s->pages + 1 + rng_below(kCap - s->pages);
  if (munmap((void*)page_at(s, s->pages), bytes(want - s->pages)) != 0) fail("munmap part of the reservation", si);
  void* m = mremap(s->base, bytes(s->pages), bytes(want), 0);
  if (m != s->base) fail("mremap grow in place", si);
  resized(s, want);
}

static void grow_may_move(int si) {
  struct slot* s = &slots[si];
  long want = s->pages + 1 + rng_below(kCap - s->pages);
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
  long want = 1 + rng_below(s->pages - 1);
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
  long want = 1 + rng_below(kCap);
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
  long first = rng_below(s->pages);
  long count = 1 + rng_below(s->pages - first);
  for (long i = first; i < first + count; ++i) fill_page(s, i);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  for (int i = 0; i < kSlots; ++i) {  // reach the live-memory bound first
    create_slot(i, kCap);
    for (long p = 0; p < kCap; ++p) fill_page(&slots[i], p);
  }
  for (step = 0; step < n; ++step) {
    int si = (int)rng_below(kSlots);
    struct slot* s = &slots[si];
    long op = rng_below(7);
    if (!s->base) {
      create_slot(si, 1 + rng_below(kCap));
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
