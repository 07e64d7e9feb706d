// MADV_DONTNEED churn over two long-lived private mappings: an anonymous
// one, whose dropped pages must read zero again, and a private mapping of a
// temporary file, whose dropped pages must show the file's contents again
// (the private copies are discarded: mm/madvise.c, madvise_dontneed_free ->
// zap_page_range). Each step writes a random range, or drops one and checks
// it whole, then checks samples of the rest, which must be intact.
//
// Live memory is bounded by the two mappings (kAnonPages + kFilePages pages,
// 1.25 MiB), touched whole first.
//
// usage: madvise_churn N
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "churn.h"

enum { kAnonPages = 256, kFilePages = 64 };

// A mapping and what each page holds: tag 0 means "as after a drop"
// (zero for anonymous pages, the file's contents for file pages).
struct area {
  const char* name;
  uint64_t* base;
  long pages;
  int file_backed;
  uint64_t tag[kAnonPages];
};

static struct area anon = {"anonymous", NULL, kAnonPages, 0, {0}};
static struct area file = {"file", NULL, kFilePages, 1, {0}};
static struct rng rng = {0x6d61647669736521ull};
static uint64_t next_tag = 1;
static uint64_t checksum;
static long step;

static void fail(const char* what, struct area* a, long page) {
  churn_fail("madvise_churn", what, "step %ld, %s page %ld", step, a ? a->name : "-", page);
}

// The file's own contents: page i, word w.
static uint64_t file_word(long page, long word) { return 0xf11e000000000000ull | (uint64_t)page << 16 | (uint64_t)word; }

static uint64_t expected(struct area* a, long page, long word) {
  uint64_t t = a->tag[page];
  if (t) return tag_word(t, word);
  return a->file_backed ? file_word(page, word) : 0;
}

static volatile uint64_t* page_at(struct area* a, long i) { return a->base + i * kWords; }

static void fill_page(struct area* a, long i) {
  a->tag[i] = next_tag++;
  fill_tagged(page_at(a, i), a->tag[i]);
}

// holds_tag's check against expected(): a dropped file page (tag 0) must
// show the file again, which no tag's words describe.
static void verify_page(struct area* a, long i, int full) {
  volatile uint64_t* p = page_at(a, i);
  if (full) {
    for (long w = 0; w < kWords; ++w)
      if (p[w] != expected(a, i, w)) fail("page contents differ", a, i);
  } else {
    long mid = sample_word(a->tag[i]);
    if (p[0] != expected(a, i, 0) || p[mid] != expected(a, i, mid) || p[kWords - 1] != expected(a, i, kWords - 1))
      fail("page contents differ", a, i);
  }
  checksum += (a->tag[i] + 1) * (uint64_t)(i + 1);
}

static uint64_t* map_file(void) {
  char path[] = "/tmp/madvise_churn.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) fail("mkstemp", NULL, 0);
  unlink(path);
  uint64_t buf[kWords];
  for (long i = 0; i < kFilePages; ++i) {
    for (long w = 0; w < kWords; ++w) buf[w] = file_word(i, w);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) fail("write the file", NULL, i);
  }
  void* m = mmap(NULL, (size_t)kFilePages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) fail("mmap the file", NULL, 0);
  close(fd);
  return m;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  anon.base = mmap(NULL, (size_t)kAnonPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (anon.base == MAP_FAILED) fail("mmap", &anon, 0);
  file.base = map_file();
  for (long i = 0; i < file.pages; ++i) verify_page(&file, i, 1);  // the file shows through before any write
  for (long i = 0; i < anon.pages; ++i) fill_page(&anon, i);       // reach the live-memory bound first
  for (long i = 0; i < file.pages; ++i) fill_page(&file, i);
  for (step = 0; step < n; ++step) {
    struct area* a = rng_below(&rng, 4) == 0 ? &file : &anon;
    long first = rng_below(&rng, a->pages);
    long count = 1 + rng_below(&rng, a->pages - first < 32 ? a->pages - first : 32);
    if (rng_below(&rng, 2) == 0) {
      for (long i = first; i < first + count; ++i) fill_page(a, i);
    } else {
      if (madvise((void*)page_at(a, first), (size_t)count * kPage, MADV_DONTNEED) != 0) fail("madvise", a, first);
      for (long i = first; i < first + count; ++i) {
        a->tag[i] = 0;
        verify_page(a, i, 1);
      }
    }
    for (int k = 0; k < 8; ++k) verify_page(a, rng_below(&rng, a->pages), 0);
  }
  for (long i = 0; i < anon.pages; ++i) verify_page(&anon, i, 1);
  for (long i = 0; i < file.pages; ++i) verify_page(&file, i, 1);
  printf("madvise_churn: %ld steps, checksum %llu\n", n, (unsigned long long)checksum);
  return 0;
}
