// MAP_SHARED semantics, compared with a native run: writes through a shared
// file mapping reach the file (pread sees them at once: they share the page
// cache; msync(MS_SYNC) is then a writeback), pwrite reaches the mapping,
// two shared mappings of a page are one page, a private mapping sees the
// file until it writes a page, the last partial page reads zero past EOF
// and writes there do not grow the file, pages past EOF are not accessible
// (kernel copies get EFAULT) until ftruncate grows the file, MADV_DONTNEED
// keeps shared contents, and shared anonymous memory keeps its contents
// across MADV_DONTNEED and can be aliased with mremap(old_size = 0).
// References: mm/filemap.c (filemap_fault: SIGBUS past EOF), mm/msync.c,
// mm/madvise.c, mm/mremap.c (old_len == 0 duplicates a shared mapping).
//
// usage: mm_shared PROGRAM_PATH    (a file of 1+ page to map shared read-only)
#include "mm_check.h"  // first: it defines _GNU_SOURCE

#include <sys/stat.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static char file_byte(int fd, off_t offset) {
  char c = 0;
  if (pread(fd, &c, 1, offset) != 1) return (char)0xee;
  return c;
}

static off_t file_size(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) die("fstat");
  return st.st_size;
}

static void shared_file_cases(void) {
  const uintptr_t lo = kTestArea, hi = lo + 0x1000000;
  int fd = temp_file(2 * kPage, 3);
  char* s = map_at(lo, 2 * kPage, kRW, MAP_SHARED, fd, 0);
  yes_no("shared mapping shows the file", s[0] == temp_byte(0, 3) && s[2 * kPage - 1] == temp_byte(2 * kPage - 1, 3));
  s[10] = 'A';
  s[kPage + 20] = 'B';
  yes_no("a write through the mapping is in the file at once (pread)", file_byte(fd, 10) == 'A' && file_byte(fd, kPage + 20) == 'B');
  report("msync MS_SYNC", msync(s, 2 * kPage, MS_SYNC));
  report("msync MS_ASYNC of one page", msync(s + kPage, kPage, MS_ASYNC));
  report("msync MS_INVALIDATE", msync(s, 2 * kPage, MS_INVALIDATE));
  yes_no("the file still holds the writes", file_byte(fd, 10) == 'A' && file_byte(fd, kPage + 20) == 'B');
  if (pwrite(fd, "C", 1, 30) != 1) die("pwrite");
  yes_no("a pwrite is visible through the mapping", s[30] == 'C');

  char* t = map_at(lo + 0x100000, kPage, kRW, MAP_SHARED, fd, kPage);
  t[40] = 'D';
  yes_no("a second shared mapping of a page is the same page", s[kPage + 40] == 'D' && t[20] == 'B');

  char* p = map_at(lo + 0x200000, 2 * kPage, kRW, MAP_PRIVATE, fd, 0);
  yes_no("a private mapping sees the shared writes", p[10] == 'A' && p[kPage + 40] == 'D');
  p[50] = 'E';
  if (pwrite(fd, "FG", 2, 60) != 2 || pwrite(fd, "H", 1, kPage + 60) != 1) die("pwrite");
  yes_no("its written page is a private copy (no E in the file, no F seen)", file_byte(fd, 50) != 'E' && p[60] != 'F' && s[50] != 'E');
  yes_no("its untouched page still follows the file", p[kPage + 60] == 'H');
  report("MADV_DONTNEED on the private mapping", madvise(p, 2 * kPage, MADV_DONTNEED));
  yes_no("the private copy is dropped: the file shows again", p[50] == temp_byte(50, 3) && p[60] == 'F');
  report("MADV_DONTNEED on the shared mapping", madvise(s, 2 * kPage, MADV_DONTNEED));
  yes_no("shared contents survive it", s[10] == 'A' && s[kPage + 40] == 'D');
  print_maps_short("shared, shared and private mappings of a temporary file", lo, hi);

  report("munmap the shared mappings", munmap(s, 2 * kPage) | munmap(t, kPage));
  yes_no("the file keeps what was written through them", file_byte(fd, 10) == 'A' && file_byte(fd, kPage + 40) == 'D');
  munmap(p, 2 * kPage);
  close(fd);
}

static void eof_cases(void) {
  const uintptr_t lo = kTestArea + 0x1000000, hi = lo + 0x1000000;
  const off_t size = kPage + kPage / 2;
  int fd = temp_file((size_t)size, 5);
  char* s = map_at(lo, 3 * kPage, kRW, MAP_SHARED, fd, 0);
  yes_no("the last partial page reads zero past EOF", s[size - 1] == temp_byte((size_t)size - 1, 5) && s[size] == 0 && s[2 * kPage - 1] == 0);
  s[size + 10] = 'X';
  yes_no("a write past EOF in that page does not grow the file", file_size(fd) == size);
  yes_no("a page wholly past EOF is not accessible (EFAULT)", !user_readable(s + 2 * kPage));
  report("ftruncate the file to 3 pages", ftruncate(fd, 3 * kPage));
  yes_no("now that page reads zero", user_readable(s + 2 * kPage) && s[2 * kPage] == 0);
  s[2 * kPage + 5] = 'Y';
  yes_no("and writes to it reach the file", file_byte(fd, 2 * kPage + 5) == 'Y');
  yes_no("the byte written past the old EOF is in the file now", file_byte(fd, size + 10) == 'X');
  report("ftruncate the file to 1 page", ftruncate(fd, kPage));
  yes_no("its second page is not accessible any more", !user_readable(s + kPage));
  yes_no("its first page still is", user_readable(s + kPage - 1));
  print_maps_short("shared mapping longer than its file", lo, hi);
  munmap(s, 3 * kPage);
  close(fd);
}

static void protection_cases(const char* ro_path) {
  const uintptr_t lo = kTestArea + 0x2000000, hi = lo + 0x1000000;
  int ro = open(ro_path, O_RDONLY);
  if (ro < 0) die("open the program file");
  char* r = map_at(lo, kPage, PROT_READ, MAP_SHARED, ro, 0);
  yes_no("read-only shared mapping of an O_RDONLY file shows it", r[1] == 'E' && r[2] == 'L' && r[3] == 'F');
  report("mprotect it PROT_WRITE", mprotect(r, kPage, kRW));
  report("mprotect it PROT_EXEC", mprotect(r, kPage, PROT_READ | PROT_EXEC));
  print_maps("shared read-only mapping of the program file", lo, hi);
  report_map("MAP_SHARED_VALIDATE of the same file", mmap((void*)(lo + 0x100000), kPage, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, ro, 0),
             (void*)(lo + 0x100000));
  close(ro);
}

static void shared_anonymous_cases(void) {
  const uintptr_t lo = kTestArea + 0x3000000, hi = lo + 0x1000000;
  char* a = map_at(lo, 2 * kPage, kRW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  yes_no("shared anonymous memory reads zero", a[0] == 0 && a[2 * kPage - 1] == 0);
  a[0] = 'S';
  a[kPage] = 'T';
  report("MADV_DONTNEED on it", madvise(a, 2 * kPage, MADV_DONTNEED));
  yes_no("its contents survive (they live in shmem)", a[0] == 'S' && a[kPage] == 'T');
  char* alias = mremap(a, 0, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)(lo + 0x100000));
  report_map("mremap old_size 0: a second mapping of the same pages", alias, (void*)(lo + 0x100000));
  if (alias != MAP_FAILED) {
    alias[1] = 'U';
    yes_no("the alias shows the pages and writes go both ways", alias[0] == 'S' && alias[kPage] == 'T' && a[1] == 'U');
    yes_no("the original is still mapped", user_readable(a));
  }
  print_maps_short("shared anonymous mappings", lo, hi);
}

int main(int argc, char** argv) {
  shared_file_cases();
  eof_cases();
  protection_cases(argc > 1 ? argv[1] : argv[0]);
  shared_anonymous_cases();
  return 0;
}
