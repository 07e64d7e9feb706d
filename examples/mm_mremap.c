// mremap(2), compared with a native run: its argument checks (one line per
// case, errno names), then what it does to contents and to the address
// space: shrink, grow in place, MREMAP_MAYMOVE when growth is blocked,
// MREMAP_FIXED onto free space and over a mapping, MREMAP_DONTUNMAP, a
// move out of the middle of a mapping, and a file mapping moved with its
// offset. Mappings are placed at fixed addresses, so their /proc/self/maps
// lines are printed as they are (mm/mremap.c is the reference).
//
// usage: mm_mremap PROGRAM_PATH    (a file of 4+ pages to map, e.g. itself)
#include "mm_check.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static void errno_cases(void) {
  char* area = (char*)(kTestArea + 0x2000000);
  map_at((uintptr_t)area, 4 * kPage, kRW, kAnon, -1, 0);
  void* target = area + 0x100000;
  report_map("mremap unaligned address", mremap(area + 1, kPage, 2 * kPage, MREMAP_MAYMOVE), NULL);
  report_map("mremap new length 0", mremap(area, kPage, 0, MREMAP_MAYMOVE), NULL);
  report_map("mremap unknown flag", mremap(area, kPage, kPage, 0x40), NULL);
  report_map("mremap MREMAP_FIXED without MREMAP_MAYMOVE", mremap(area, kPage, kPage, MREMAP_FIXED, target), NULL);
  report_map("mremap MREMAP_FIXED unaligned target", mremap(area, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, (char*)target + 1), NULL);
  report_map("mremap MREMAP_FIXED onto the source", mremap(area, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, area + kPage), NULL);
  report_map("mremap old length 0 of a private mapping", mremap(area, 0, kPage, MREMAP_MAYMOVE), NULL);
  report_map("mremap unmapped source", mremap(area + 8 * kPage, kPage, 2 * kPage, MREMAP_MAYMOVE), NULL);
  report_map("mremap grow a source running past the mapping", mremap(area + 3 * kPage, 2 * kPage, 3 * kPage, MREMAP_MAYMOVE), NULL);
  // Linux's shrink path (old length >= new length, no MREMAP_FIXED) only
  // unmaps the tail and never looks the source up.
  report_map("mremap same size, source running past the mapping", mremap(area + 3 * kPage, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE), area + 3 * kPage);
  // A second mapping right after the first blocks growth in place.
  map_at((uintptr_t)area + 4 * kPage, kPage, PROT_READ, kAnon, -1, 0);
  report_map("mremap grow in place when blocked", mremap(area, 4 * kPage, 5 * kPage, 0), NULL);
  report_map("mremap MREMAP_DONTUNMAP without MREMAP_MAYMOVE", mremap(area, kPage, kPage, MREMAP_DONTUNMAP), NULL);
  report_map("mremap MREMAP_DONTUNMAP with a size change", mremap(area, kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), NULL);
  report_map("mremap same size, no flags", mremap(area, 4 * kPage, 4 * kPage, 0), area);
}

static int reads_zero(const char* p, int pages) {
  for (int i = 0; i < pages; ++i)
    if (p[i * kPage] != 0 || p[i * kPage + kPage - 1] != 0) return 0;
  return 1;
}

static int unmapped(const char* p, int pages) {
  for (int i = 0; i < pages; ++i)
    if (user_readable(p + i * kPage)) return 0;
  return 1;
}

static void resize_cases(void) {
  const uintptr_t lo = kTestArea + 0x3000000, hi = lo + 0x1000000;
  char* a = map_at(lo, 4 * kPage, kRW, kAnon, -1, 0);
  fill(a, 4, 10);
  report_map("shrink 4 -> 2 pages", mremap(a, 4 * kPage, 2 * kPage, 0), a);
  yes_no("  kept pages hold their contents", holds(a, 2, 10));
  yes_no("  cut pages are unmapped", unmapped(a + 2 * kPage, 2));
  print_maps("  maps after shrink", lo, hi);
  report_map("grow in place 2 -> 6 pages", mremap(a, 2 * kPage, 6 * kPage, 0), a);
  yes_no("  old pages hold their contents", holds(a, 2, 10));
  yes_no("  new pages read zero", reads_zero(a + 2 * kPage, 4));
  print_maps("  maps after grow", lo, hi);
  fill(a, 6, 20);
  map_at(lo + 6 * kPage, kPage, PROT_READ, kAnon, -1, 0);  // blocks growth in place
  char* moved = mremap(a, 6 * kPage, 8 * kPage, MREMAP_MAYMOVE);
  report_map("grow 6 -> 8 pages with MREMAP_MAYMOVE when blocked", moved, a);
  if (moved == MAP_FAILED) return;
  yes_no("  moved pages hold their contents", holds(moved, 6, 20));
  yes_no("  new pages read zero", reads_zero(moved + 6 * kPage, 2));
  yes_no("  old range is unmapped", unmapped(a, 6));
  char* b = (char*)(lo + 0x100000);
  report_map("MREMAP_FIXED onto free space, 8 -> 3 pages", mremap(moved, 8 * kPage, 3 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, b), b);
  yes_no("  moved pages hold their contents", holds(b, 3, 20));
  char* c = map_at(lo + 0x200000, 5 * kPage, PROT_READ | PROT_WRITE | PROT_EXEC, kAnon, -1, 0);
  fill(c, 5, 40);
  report_map("MREMAP_FIXED over part of a mapping, 3 -> 3 pages", mremap(b, 3 * kPage, 3 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, c + kPage), c + kPage);
  yes_no("  moved pages replaced the target's", holds(c + kPage, 3, 20));
  yes_no("  the target's other pages are intact", c[0] == 40 && c[4 * kPage] == 44);
  yes_no("  source range is unmapped", unmapped(b, 3));
  print_maps("  maps after the moves", lo, hi);
}

static void middle_and_dontunmap_cases(void) {
  const uintptr_t lo = kTestArea + 0x4000000, hi = lo + 0x1000000;
  char* h = map_at(lo, 6 * kPage, kRW, kAnon, -1, 0);
  fill(h, 6, 50);
  char* dst = (char*)(lo + 0x100000);
  report_map("move 2 pages out of the middle of a mapping", mremap(h + 2 * kPage, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, dst), dst);
  yes_no("  moved pages hold their contents", holds(dst, 2, 52));
  yes_no("  pages on both sides are intact", holds(h, 2, 50) && holds(h + 4 * kPage, 2, 54));
  yes_no("  the hole is unmapped", unmapped(h + 2 * kPage, 2));
  print_maps("  maps after the split", lo, hi);

  char* d = map_at(lo + 0x200000, 2 * kPage, kRW, kAnon, -1, 0);
  fill(d, 2, 60);
  char* e = (char*)(lo + 0x300000);
  report_map("MREMAP_DONTUNMAP to a fixed address", mremap(d, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, e), e);
  yes_no("  moved pages hold their contents", holds(e, 2, 60));
  yes_no("  the source stays mapped and reads zero", !unmapped(d, 2) && reads_zero(d, 2));
  print_maps("  maps after MREMAP_DONTUNMAP", lo + 0x200000, hi);
}

static void file_cases(const char* path) {
  const uintptr_t lo = kTestArea + 0x5000000, hi = lo + 0x1000000;
  int fd = open(path, O_RDONLY);
  if (fd < 0) die("open the program file");
  char* f = map_at(lo, 3 * kPage, PROT_READ, MAP_PRIVATE, fd, kPage);
  char first = f[0], last = f[3 * kPage - 1];
  char* g = (char*)(lo + 0x100000);
  report_map("move a file mapping", mremap(f, 3 * kPage, 3 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, g), g);
  yes_no("  contents are the file's", g[0] == first && g[3 * kPage - 1] == last);
  report_map("shrink it to its last page by moving that page", mremap(g + 2 * kPage, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, (char*)lo), (char*)lo);
  print_maps("  maps of the file (offsets follow the pages)", lo, hi);
  close(fd);
}

int main(int argc, char** argv) {
  errno_cases();
  resize_cases();
  middle_and_dontunmap_cases();
  file_cases(argc > 1 ? argv[1] : argv[0]);
  return 0;
}
