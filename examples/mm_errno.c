// Argument checks and error results of the memory system calls (mmap,
// munmap, mprotect, madvise, msync, brk; mremap's are in mm_mremap.c), one
// line per case, to be compared with a native run. The cases name the check
// they target (mm/mmap.c do_mmap, mm/mprotect.c, mm/madvise.c, mm/msync.c,
// mm/mmap.c brk).
//
// usage: mm_errno PROGRAM_PATH    (any readable file, for the O_RDONLY cases)
#include "mm_check.h"  // first: it defines _GNU_SOURCE

#include <sys/syscall.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static void mmap_cases(const char* ro_path) {
  char* area = map_at(kTestArea, 4 * kPage, kRW, kAnon, -1, 0);
  int ro = open(ro_path, O_RDONLY);
  int wo = temp_file(kPage, 1);
  close(wo);
  char wo_path[] = "/tmp/mm_errno.XXXXXX";
  wo = mkstemp(wo_path);
  if (ro < 0 || wo < 0) die("open");
  if (write(wo, area, kPage) != kPage) die("write");
  close(wo);
  wo = open(wo_path, O_WRONLY);
  unlink(wo_path);
  int dir = open("/tmp", O_RDONLY | O_DIRECTORY);

  report_map("mmap length 0", mmap(NULL, 0, kRW, kAnon, -1, 0), NULL);
  report_map("mmap MAP_FIXED unaligned address", mmap((void*)(kTestArea + 0x100000 + 1), kPage, kRW, kAnon | MAP_FIXED, -1, 0), NULL);
  report_map("mmap unaligned offset", mmap(NULL, kPage, PROT_READ, MAP_PRIVATE, ro, 100), NULL);
  report_map("mmap bad fd", mmap(NULL, kPage, PROT_READ, MAP_PRIVATE, 999, 0), NULL);
  report_map("mmap neither private nor shared", mmap(NULL, kPage, kRW, MAP_ANONYMOUS, -1, 0), NULL);
  report_map("mmap MAP_SHARED_VALIDATE unknown flag", mmap(NULL, kPage, kRW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1, 0), NULL);
  report_map("mmap length past user space", mmap(NULL, (size_t)1 << 48, kRW, kAnon, -1, 0), NULL);
  report_map("mmap length wraps when rounded up", mmap(NULL, (size_t)-100, kRW, kAnon, -1, 0), NULL);
  report_map("mmap MAP_SHARED PROT_WRITE of O_RDONLY fd", mmap(NULL, kPage, kRW, MAP_SHARED, ro, 0), NULL);
  report_map("mmap MAP_PRIVATE PROT_WRITE of O_RDONLY fd", mmap(NULL, kPage, kRW, MAP_PRIVATE, ro, 0), NULL);
  report_map("mmap MAP_SHARED PROT_READ of O_RDONLY fd", mmap(NULL, kPage, PROT_READ, MAP_SHARED, ro, 0), NULL);
  report_map("mmap PROT_READ of O_WRONLY fd", mmap(NULL, kPage, PROT_READ, MAP_PRIVATE, wo, 0), NULL);
  report_map("mmap a directory", mmap(NULL, kPage, PROT_READ, MAP_PRIVATE, dir, 0), NULL);
  report_map("mmap MAP_FIXED_NOREPLACE over a mapping", mmap(area + kPage, kPage, kRW, kAnon | MAP_FIXED_NOREPLACE, -1, 0), NULL);
  report_map("mmap MAP_FIXED_NOREPLACE overlapping the end", mmap(area + 3 * kPage, 2 * kPage, kRW, kAnon | MAP_FIXED_NOREPLACE, -1, 0), NULL);

  void* hint = (void*)(kTestArea + 0x200000);
  void* at_hint = mmap(hint, kPage, kRW, kAnon, -1, 0);
  report_map("mmap free hint", at_hint, hint);
  report_map("mmap used hint", mmap(area, kPage, kRW, kAnon, -1, 0), area);
  report_map("mmap unaligned free hint", mmap((char*)hint + 0x10000 + 5, kPage, kRW, kAnon, -1, 0), (char*)hint + 0x10000);
  close(ro);
  close(wo);
  close(dir);
}

static void munmap_mprotect_cases(void) {
  char* area = (char*)(kTestArea + 0x1000000);
  map_at((uintptr_t)area, 4 * kPage, kRW, kAnon, -1, 0);
  report("munmap length 0", munmap(area, 0));
  report("munmap unaligned address", munmap(area + 1, kPage));
  report("munmap unaligned length (rounded up)", munmap(area + 3 * kPage, 100));
  report("munmap unmapped range", munmap(area + 3 * kPage, kPage));
  report("munmap past user space", munmap((void*)0x7ffffffff000, 0x2000));
  report("munmap of a range wrapping around", munmap((void*)-(uintptr_t)kPage, 2 * kPage));

  report("mprotect length 0", mprotect(area, 0, PROT_READ));
  report("mprotect unaligned address", mprotect(area + 1, kPage, PROT_READ));
  report("mprotect unknown prot bit", mprotect(area, kPage, PROT_READ | 0x10));
  report("mprotect PROT_GROWSDOWN on a normal mapping", mprotect(area, kPage, PROT_READ | PROT_GROWSDOWN));
  report("mprotect an unmapped range", mprotect(area + 3 * kPage, kPage, PROT_READ));
  // Linux applies the change up to the hole, then fails: page 2 is now read-only.
  report("mprotect a range running into a hole", mprotect(area + 2 * kPage, 2 * kPage, PROT_READ));
  yes_no("page before the hole became read-only", !user_writable(area + 2 * kPage));
  report("mprotect unaligned length (rounded up)", mprotect(area, kPage + 1, PROT_READ));
  yes_no("second page became read-only", !user_writable(area + kPage));
}

static void madvise_msync_cases(void) {
  char* area = (char*)(kTestArea + 0x3000000);
  map_at((uintptr_t)area, 2 * kPage, kRW, kAnon, -1, 0);
  report("madvise length 0", madvise(area, 0, MADV_DONTNEED));
  report("madvise unaligned address", madvise(area + 1, kPage, MADV_DONTNEED));
  report("madvise unknown advice", madvise(area, kPage, 12345));
  report("madvise unmapped range", madvise(area + 4 * kPage, kPage, MADV_DONTNEED));
  report("madvise range with a hole", madvise(area, 4 * kPage, MADV_DONTNEED));
  report("madvise MADV_NORMAL", madvise(area, 2 * kPage, MADV_NORMAL));
  report("madvise MADV_WILLNEED", madvise(area, 2 * kPage, MADV_WILLNEED));

  report("msync unaligned address", msync(area + 1, kPage, MS_ASYNC));
  report("msync MS_SYNC|MS_ASYNC", msync(area, kPage, MS_SYNC | MS_ASYNC));
  report("msync unknown flag", msync(area, kPage, 0x100));
  report("msync anonymous mapping", msync(area, 2 * kPage, MS_SYNC));
  report("msync unmapped range", msync(area + 4 * kPage, kPage, MS_SYNC));
  report("msync length 0", msync(area, 0, MS_SYNC));
}

// brk cases run before anything is printed, and their results are printed
// after the break is back where it was: glibc's stdio allocates its buffer
// with malloc, which would move the break under them.
static struct {
  const char* what;
  int value;
} brk_results[16];
static int brk_count;

static void note(const char* what, int value) {
  brk_results[brk_count].what = what;
  brk_results[brk_count++].value = value;
}

static uintptr_t raw_brk(uintptr_t addr) { return (uintptr_t)syscall(SYS_brk, addr); }

static void brk_cases(void) {
  uintptr_t start = raw_brk(0);
  note("brk(0) returns the break again", raw_brk(0) == start);
  note("brk below the data segment fails (returns the old break)", raw_brk(4096) == start);
  note("brk far past user space fails", raw_brk((uintptr_t)1 << 47) == start);
  uintptr_t base = (start + kPage - 1) & ~(uintptr_t)(kPage - 1);
  note("brk grows by 3 pages", raw_brk(base + 3 * kPage) == base + 3 * kPage);
  volatile char* heap = (volatile char*)base;
  heap[0] = 1;
  heap[kPage + 200] = 3;
  heap[2 * kPage] = 2;
  note("brk shrinks to an unaligned break", raw_brk(base + kPage + 10) == base + kPage + 10);
  note("page above the break is gone", !user_readable((const void*)(base + 2 * kPage)));
  note("page holding the break is still there", user_readable((const void*)(base + kPage + 100)));
  note("brk regrows", raw_brk(base + 3 * kPage) == base + 3 * kPage);
  note("regrown page reads zero", heap[2 * kPage] == 0);
  note("page holding the old break kept its contents past it", heap[kPage + 200] == 3);
  note("page below the break kept its contents", heap[0] == 1);
  // A mapping in the way stops growth.
  void* block = mmap((void*)(base + 4 * kPage), kPage, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0);
  note("mapping placed right after the heap", block == (void*)(base + 4 * kPage));
  note("brk into a mapping fails", raw_brk(base + 5 * kPage) == base + 3 * kPage);
  if (block != MAP_FAILED) munmap(block, kPage);
  note("brk back to the start", raw_brk(start) == start);
}

int main(int argc, char** argv) {
  const char* ro_path = argc > 1 ? argv[1] : argv[0];
  brk_cases();  // first: before stdio's first malloc can move the break
  mmap_cases(ro_path);
  munmap_mprotect_cases();
  madvise_msync_cases();
  for (int i = 0; i < brk_count; ++i) yes_no(brk_results[i].what, brk_results[i].value);
  return 0;
}
