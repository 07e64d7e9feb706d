// Less common mmap behaviour, compared with a native run: residency as
// mincore(2) reports it (untouched anonymous pages are not resident, a read
// maps the zero page, MAP_POPULATE faults everything in, MADV_DONTNEED
// drops pages), MAP_GROWSDOWN mappings growing when touched below their
// start (mm/mmap.c, expand_downwards), PROT_NONE pages inaccessible to the
// kernel's copies until mprotect, the stack guard gap kept free below a
// grows-down mapping when placing others, MAP_32BIT placement, a large
// MAP_NORESERVE mapping, and private and shared mappings of /dev/zero.
//
// usage: mm_misc
#include "mm_check.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0x40
#endif

// "mincore what: 0110" (one digit per page), or the errno name.
static void residency(const char* what, void* p, size_t pages) {
  unsigned char vec[64];
  if (mincore(p, pages * kPage, vec) != 0) {
    printf("mincore %s: %s\n", what, errno_name(errno));
    return;
  }
  printf("mincore %s: ", what);
  for (size_t i = 0; i < pages; ++i) putchar(vec[i] & 1 ? '1' : '0');
  putchar('\n');
}

static void mincore_cases(void) {
  char* a = map_at(kTestArea, 4 * kPage, kRW, kAnon, -1, 0);
  residency("of 4 untouched anonymous pages", a, 4);
  a[kPage] = 1;
  (void)*(volatile char*)(a + 3 * kPage);
  residency("after writing page 1 and reading page 3", a, 4);
  char* p = mmap((void*)(kTestArea + 0x100000), 4 * kPage, kRW, kAnon | MAP_POPULATE | MAP_FIXED_NOREPLACE, -1, 0);
  report_map("mmap MAP_POPULATE", p, (void*)(kTestArea + 0x100000));
  if (p != MAP_FAILED) {
    residency("of 4 populated pages", p, 4);
    yes_no("populated pages read zero", p[0] == 0 && p[4 * kPage - 1] == 0);
    p[0] = 1;
    p[2 * kPage] = 2;
    report("MADV_DONTNEED page 2", madvise(p + 2 * kPage, kPage, MADV_DONTNEED));
    residency("after it", p, 4);
    yes_no("the dropped page reads zero, the others keep their contents", p[2 * kPage] == 0 && p[0] == 1);
  }
  char* n = map_at(kTestArea + 0x200000, 2 * kPage, PROT_NONE, kAnon, -1, 0);
  residency("of PROT_NONE pages", n, 2);
  residency("of an unmapped range", (void*)(kTestArea + 0x300000), 1);
  residency("of a range running into a hole", a, 8);
  residency("at an unaligned address", a + 1, 1);
}

static void growsdown_cases(void) {
  // Nothing is mapped within Linux's stack guard gap (1 MiB) below it.
  const uintptr_t lo = kTestArea + 0x1000000, hi = lo + 0x1000000;
  char* g = map_at(lo + 0x800000, 2 * kPage, kRW, kAnon | MAP_GROWSDOWN, -1, 0);
  g[0] = 'g';
  print_maps("MAP_GROWSDOWN mapping of 2 pages", lo, hi);
  volatile char* below = g - kPage;
  *below = 'h';
  print_maps("after a write one page below it", lo, hi);
  volatile char* further = g - 16 * kPage;
  yes_no("a read 16 pages below it returns zero", *further == 0);
  print_maps("after that read", lo, hi);
  yes_no("contents kept", g[0] == 'g' && *below == 'h');
}

// Linux keeps the stack guard gap (1 MiB) free below a grows-down mapping
// when it places new mappings (vm_start_gap): a hint ending inside it is not
// taken, and the free-area search passes over it.
static void guard_gap_cases(void) {
  const uintptr_t gap = 256 * kPage, at = kTestArea + 0x4000000;
  char* g = map_at(at, 4 * kPage, kRW, kAnon | MAP_GROWSDOWN, -1, 0);
  (void)g;
  char* a = mmap((void*)(at - 5 * kPage), 5 * kPage, kRW, kAnon, -1, 0);
  yes_no("hint ending at a grows-down mapping taken", a == (char*)(at - 5 * kPage));
  if (a != MAP_FAILED) munmap(a, 5 * kPage);
  char* b = mmap((void*)(at - gap - 5 * kPage), 5 * kPage, kRW, kAnon, -1, 0);
  yes_no("hint ending at its guard gap taken", b == (char*)(at - gap - 5 * kPage));
  if (b != MAP_FAILED) munmap(b, 5 * kPage);
  char* c = mmap((void*)(at - gap - 4 * kPage), 5 * kPage, kRW, kAnon, -1, 0);
  yes_no("hint ending a page into its guard gap taken", c == (char*)(at - gap - 4 * kPage));
  if (c != MAP_FAILED) munmap(c, 5 * kPage);
  munmap(g, 4 * kPage);
  // Where a hint-less mapping goes, then a grows-down one there: the next
  // hint-less mapping ends at least a whole guard gap below it.
  char* d = mmap(NULL, kPage, kRW, kAnon, -1, 0);
  munmap(d, kPage);
  char* h = mmap(d, 4 * kPage, kRW, kAnon | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
  char* e = mmap(NULL, kPage, kRW, kAnon, -1, 0);
  yes_no("the search leaves the guard gap below a grows-down mapping free", e + kPage <= h - gap);
  munmap(e, kPage);
  munmap(h, 4 * kPage);
}

static void prot_none_cases(void) {
  const uintptr_t lo = kTestArea + 0x2000000, hi = lo + 0x1000000;
  char* n = map_at(lo, 2 * kPage, PROT_NONE, kAnon, -1, 0);
  yes_no("PROT_NONE page readable by the kernel", user_readable(n));
  yes_no("PROT_NONE page writable by the kernel", user_writable(n));
  report("mprotect PROT_READ", mprotect(n, kPage, PROT_READ));
  yes_no("now readable", user_readable(n));
  yes_no("and reads zero", n[0] == 0 && n[kPage - 1] == 0);
  yes_no("but not writable", !user_writable(n));
  yes_no("the other page is still PROT_NONE", !user_readable(n + kPage));
  print_maps("half PROT_NONE", lo, hi);
}

static void placement_cases(void) {
  char* low = mmap(NULL, kPage, kRW, kAnon | MAP_32BIT, -1, 0);
  report_map("mmap MAP_32BIT", low, NULL);
  yes_no("  placed below 2 GiB", low != MAP_FAILED && (uintptr_t)low + kPage <= 0x80000000u);
  const size_t huge = (size_t)64 << 30;
  char* big = mmap(NULL, huge, kRW, kAnon | MAP_NORESERVE, -1, 0);
  report_map("mmap 64 GiB read-write MAP_NORESERVE", big, NULL);
  if (big != MAP_FAILED) {
    big[0] = 1;
    big[huge - 1] = 2;
    yes_no("  its first and last pages work", big[0] == 1 && big[huge - 1] == 2 && big[huge / 2] == 0);
    report("  munmap it", munmap(big, huge));
  }
}

static void dev_zero_cases(void) {
  const uintptr_t lo = kTestArea + 0x3000000, hi = lo + 0x1000000;
  int fd = open("/dev/zero", O_RDWR);
  if (fd < 0) die("open /dev/zero");
  char* z = map_at(lo, 2 * kPage, kRW, MAP_PRIVATE, fd, 0);
  yes_no("private /dev/zero mapping reads zero", z[0] == 0 && z[2 * kPage - 1] == 0);
  z[5] = 'z';
  yes_no("and takes writes", z[5] == 'z');
  print_maps("private /dev/zero mapping", lo, hi);
  close(fd);
}

int main(void) {
  mincore_cases();
  growsdown_cases();
  guard_gap_cases();
  prot_none_cases();
  placement_cases();
  dev_zero_cases();
  return 0;
}
