// How mmap, munmap and mprotect split and merge mappings, seen through
// /proc/self/maps and through the contents, compared with a native run.
// Every mapping is placed at a fixed address, so its maps line (range,
// permissions, offset, device, inode, path) is printed as it is: a file
// mapping of the program itself has the same device, inode and path
// natively and under emu. Linux merges adjacent anonymous private mappings
// with equal flags (mm/vma.c, vma_merge_new_range / vma_modify) and splits
// them on partial munmap and mprotect.
//
// usage: mm_maps PROGRAM_PATH    (a file of 4+ pages to map, e.g. itself)
#include "mm_check.h"

static void mprotect_cases(void) {
  const uintptr_t lo = kTestArea, hi = lo + 0x1000000;
  char* a = map_at(lo, 8 * kPage, kRW, kAnon, -1, 0);
  fill(a, 8, 1);
  print_maps("8 pages read-write", lo, hi);
  report("mprotect pages 2-3 read-only", mprotect(a + 2 * kPage, 2 * kPage, PROT_READ));
  print_maps("split in three", lo, hi);
  yes_no("read-only pages are not writable", !user_writable(a + 2 * kPage) && !user_writable(a + 3 * kPage + 99));
  yes_no("their neighbours are", user_writable(a + kPage) && user_writable(a + 4 * kPage));
  report("mprotect pages 2-3 back to read-write", mprotect(a + 2 * kPage, 2 * kPage, kRW));
  print_maps("merged again", lo, hi);
  report("mprotect page 0 PROT_WRITE only", mprotect(a, kPage, PROT_WRITE));
  report("mprotect page 7 PROT_NONE", mprotect(a + 7 * kPage, kPage, PROT_NONE));
  report("mprotect page 6 PROT_EXEC only", mprotect(a + 6 * kPage, kPage, PROT_EXEC));
  print_maps("write-only, exec-only and PROT_NONE ends", lo, hi);
  yes_no("write-only page is readable (x86: write implies read)", user_readable(a));
  yes_no("PROT_NONE page is not readable", !user_readable(a + 7 * kPage));
  report("mprotect all 8 read-write", mprotect(a, 8 * kPage, kRW));
  print_maps("one mapping again", lo, hi);
  yes_no("contents survived every change", holds(a, 8, 1));
}

static void munmap_and_fixed_cases(void) {
  const uintptr_t lo = kTestArea + 0x1000000, hi = lo + 0x1000000;
  char* a = map_at(lo, 8 * kPage, kRW, kAnon, -1, 0);
  fill(a, 8, 20);
  report("munmap pages 3-4", munmap(a + 3 * kPage, 2 * kPage));
  print_maps("split by munmap", lo, hi);
  yes_no("pages on both sides keep their contents", holds(a, 3, 20) && holds(a + 5 * kPage, 3, 25));
  yes_no("the hole is unmapped", !user_readable(a + 3 * kPage) && !user_readable(a + 4 * kPage));
  report_map("mmap the hole again (MAP_FIXED_NOREPLACE)",
             mmap(a + 3 * kPage, 2 * kPage, kRW, kAnon | MAP_FIXED_NOREPLACE, -1, 0), a + 3 * kPage);
  print_maps("merged with both neighbours", lo, hi);
  yes_no("the refilled hole reads zero", a[3 * kPage] == 0 && a[5 * kPage - 1] == 0);
  report_map("MAP_FIXED read-only over pages 1-2",
             mmap(a + kPage, 2 * kPage, PROT_READ, kAnon | MAP_FIXED, -1, 0), a + kPage);
  print_maps("replaced in the middle", lo, hi);
  yes_no("replaced pages read zero", a[kPage] == 0 && a[3 * kPage - 1] == 0);
  yes_no("the rest keeps its contents", holds(a, 1, 20) && holds(a + 5 * kPage, 3, 25));
  report_map("mmap right after the last page", mmap(a + 8 * kPage, kPage, kRW, kAnon | MAP_FIXED_NOREPLACE, -1, 0), a + 8 * kPage);
  report_map("mmap right before the first page", mmap(a - kPage, kPage, kRW, kAnon | MAP_FIXED_NOREPLACE, -1, 0), a - kPage);
  print_maps("extended at both ends (merged)", lo - kPage, hi);
  report("munmap across several mappings", munmap(a, 9 * kPage));
  print_maps("only the page before remains", lo - kPage, hi);
}

static void file_cases(const char* path) {
  const uintptr_t lo = kTestArea + 0x2000000, hi = lo + 0x1000000;
  int fd = open(path, O_RDONLY);
  if (fd < 0) die("open the program file");
  char head[2], third;
  if (pread(fd, head, 2, kPage) != 2 || pread(fd, &third, 1, 3 * kPage) != 1) die("pread the program file");
  char* f = map_at(lo, 3 * kPage, PROT_READ, MAP_PRIVATE, fd, kPage);
  yes_no("file mapping shows the file", f[0] == head[0] && f[1] == head[1]);
  print_maps("private file mapping at offset 0x1000", lo, hi);
  // PROT_EXEC, not PROT_WRITE: making a private read-only mapping writable
  // sets VM_ACCOUNT on it for good (mm/mprotect.c, mprotect_fixup), and
  // Linux then never merges it back with its neighbours; emu does not
  // model that flag (its maps would show one line where Linux shows three).
  report("mprotect its middle page read-exec", mprotect(f + kPage, kPage, PROT_READ | PROT_EXEC));
  print_maps("split, offsets follow", lo, hi);
  report("mprotect it back", mprotect(f + kPage, kPage, PROT_READ));
  print_maps("merged again", lo, hi);
  report_map("map the next 2 file pages right after it", mmap(f + 3 * kPage, 2 * kPage, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 4 * kPage),
             f + 3 * kPage);
  report_map("map file pages that do not follow on", mmap(f + 5 * kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0),
             f + 5 * kPage);
  print_maps("contiguous offsets merge, others do not", lo, hi);
  report("munmap the first page", munmap(f, kPage));
  print_maps("offset of the rest moves up", lo, hi);
  close(fd);
  yes_no("mapping outlives its fd", f[2 * kPage] == third);
}

int main(int argc, char** argv) {
  mprotect_cases();
  munmap_and_fixed_cases();
  file_cases(argc > 1 ? argv[1] : argv[0]);
  return 0;
}
