// Program break churn through the raw brk system call (not sbrk or malloc,
// whose caches would hide what the kernel does): grow and shrink the break
// by random, often unaligned amounts, write pages below it, and check that
// Linux's rules hold (mm/mmap.c, brk): the break moves exactly where asked;
// pages wholly above a lower break are freed, so they read zero when the
// break grows over them again; the page holding an unaligned break keeps its
// contents; pages below the break keep theirs.
//
// The churn stays above the break the program started with (rounded up to a
// page), so libc's own use of the heap is untouched, and restores it at the
// end, before the first printf (glibc's stdio allocates with malloc).
// Live memory is bounded by kMaxPages (2 MiB), reached first.
//
// usage: brk_churn N
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "churn.h"

enum { kMaxPages = 512 };

static uintptr_t base;            // page-aligned start of the churned area
static uintptr_t cur;             // bytes above base currently below the break
static uint64_t tag[kMaxPages];   // page i holds tag_word(tag[i], w); 0 means reads zero
static struct rng rng = {0x62726b5f6368726eull};
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static void fail(const char* what, long page) { churn_fail("brk_churn", what, "step %ld, page %ld", step, page); }

static uintptr_t raw_brk(uintptr_t addr) { return (uintptr_t)syscall(SYS_brk, addr); }

static volatile uint64_t* page_at(long i) { return (volatile uint64_t*)(base + (uintptr_t)i * kPage); }
static long pages_touching(uintptr_t bytes) { return (long)((bytes + kPage - 1) / kPage); }

static void set_break(uintptr_t bytes) {
  if (raw_brk(base + bytes) != base + bytes) fail("brk did not move the break", (long)(bytes / kPage));
  // Pages wholly above the new break are unmapped: they read zero when mapped again.
  for (long i = pages_touching(bytes); i < pages_touching(cur); ++i) tag[i] = 0;
  cur = bytes;
}

static void fill_page(long i) {
  tag[i] = next_tag++;
  fill_tagged(page_at(i), tag[i]);
}

static void verify_page(long i, int full) {
  uint64_t t = tag[i];
  if (!holds_tag(page_at(i), t, full)) fail(t ? "page contents differ" : "page does not read zero", i);
  checksum += t * (uint64_t)(i + 1);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  uintptr_t start = raw_brk(0);
  base = (start + kPage - 1) & ~(uintptr_t)(kPage - 1);
  if (raw_brk(base) != base) fail("brk to the page-aligned start", 0);
  set_break((uintptr_t)kMaxPages * kPage);  // reach the live-memory bound first
  for (long i = 0; i < kMaxPages; ++i) fill_page(i);
  for (step = 0; step < n; ++step) {
    uintptr_t old = cur;
    uintptr_t want;
    if (rng_below(&rng, 16) == 0) {
      want = (uintptr_t)rng_below(&rng, (long)kMaxPages * kPage + 1);
    } else {  // a small move, up or down, often not page-aligned
      long delta = rng_below(&rng, 32 * kPage) - 16 * kPage;
      long w = (long)old + delta;
      want = (uintptr_t)(w < 0 ? 0 : w > (long)kMaxPages * kPage ? (long)kMaxPages * kPage : w);
    }
    set_break(want);
    long mapped = pages_touching(cur);
    // Pages the break grew over were unmapped before: they read zero (one of
    // them is checked whole).
    long grown = mapped - pages_touching(old);
    for (long i = pages_touching(old); i < mapped; ++i) verify_page(i, 0);
    if (grown > 0) verify_page(pages_touching(old) + rng_below(&rng, grown), 1);
    // Write some pages wholly below the break, and check a few anywhere below it.
    long whole = (long)(cur / kPage);
    for (int k = 0; k < 4 && whole > 0; ++k) fill_page(rng_below(&rng, whole));
    for (int k = 0; k < 8 && mapped > 0; ++k) verify_page(rng_below(&rng, mapped), 0);
    if (raw_brk(0) != base + cur) fail("brk(0) does not return the break", 0);
  }
  for (long i = 0; i < pages_touching(cur); ++i) verify_page(i, 1);
  set_break(0);
  if (raw_brk(base) != base) fail("brk back to the start", 0);
  printf("brk_churn: %ld steps, checksum %llu\n", n, (unsigned long long)checksum);
  return 0;
}
