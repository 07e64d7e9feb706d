// madvise(2) semantics compared with a native run (Linux 6.18, mm/madvise.c):
// the error of each advice on each kind of memory, a refusal winning over an
// earlier hole, MADV_REMOVE's hole in a shared file, guard pages (faults,
// system calls, what keeps and what clears them), advice that splits the
// mapping as /proc/self/maps shows, and what a fork child gets of
// MADV_DONTFORK and MADV_WIPEONFORK memory and MAP_LOCKED mappings.
//
// usage: mm_madvise
#include "mm_check.h"  // first: it defines _GNU_SOURCE

#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define GUARD_INSTALL 102
#define GUARD_REMOVE 103

static sigjmp_buf fault_jump;
static int fault_code;
static void* fault_addr;
static void on_segv(int sig, siginfo_t* si, void* uc) {
  (void)sig;
  (void)uc;
  fault_code = si->si_code;
  fault_addr = si->si_addr;
  siglongjmp(fault_jump, 1);
}

// "what: 7" for the byte read, or "what: SIGSEGV code 1 at the byte".
static void read_byte(const char* what, volatile char* p) {
  if (sigsetjmp(fault_jump, 1)) {
    printf("%s: SIGSEGV code %d%s\n", what, fault_code, fault_addr == (void*)p ? " at the byte" : " elsewhere");
    return;
  }
  int v = *p;
  printf("%s: %d\n", what, v);
}

static void refusal_table(int fd) {
  int zero = open("/dev/zero", O_RDWR);
  if (zero < 0) die("open /dev/zero");
  static const struct {
    const char* name;
    int prot, flags, file;
  } kinds[] = {
      {"private anonymous", kRW, kAnon, 0},
      {"PROT_NONE anonymous", PROT_NONE, kAnon, 0},
      {"shared anonymous", kRW, MAP_SHARED | MAP_ANONYMOUS, 0},
      {"private file", kRW, MAP_PRIVATE, 1},
      {"shared file", kRW, MAP_SHARED, 1},
      {"shared file read-only", PROT_READ, MAP_SHARED, 1},
      {"private /dev/zero", kRW, MAP_PRIVATE, 2},
      {"locked anonymous", kRW, kAnon | MAP_LOCKED, 0},
  };
  static const int advice[] = {MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_WIPEONFORK,
                               MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_COLLAPSE, GUARD_INSTALL,
                               GUARD_REMOVE, MADV_MERGEABLE, MADV_HUGEPAGE, MADV_DONTDUMP};
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; ++k) {
    printf("%s:", kinds[k].name);
    for (size_t a = 0; a < sizeof advice / sizeof *advice; ++a) {
      int file = kinds[k].file == 1 ? fd : kinds[k].file == 2 ? zero : -1;
      char* p = map_at(kTestArea, 2 * kPage, kinds[k].prot, kinds[k].flags, file, 0);
      int r = madvise(p, 2 * kPage, advice[a]);
      printf(" %d=%s", advice[a], r == 0 ? "0" : errno_name(errno));
      munmap(p, 2 * kPage);
    }
    printf("\n");
  }
  close(zero);
}

static void order_cases(int fd) {
  char* a = map_at(kTestArea, 2 * kPage, kRW, MAP_SHARED, fd, 0);
  map_at(kTestArea + 3 * kPage, 2 * kPage, kRW, kAnon, -1, 0);
  report("MADV_REMOVE over shared file, hole, private anonymous", madvise(a, 5 * kPage, MADV_REMOVE));
  report("MADV_WIPEONFORK over anonymous, hole past the end", madvise(a + 3 * kPage, 4 * kPage, MADV_WIPEONFORK));
  report("MADV_WIPEONFORK over shared file, hole, anonymous", madvise(a, 5 * kPage, MADV_WIPEONFORK));
  report("MADV_DONTNEED over the lot", madvise(a, 5 * kPage, MADV_DONTNEED));
  munmap(a, 5 * kPage);
}

static void remove_cases(int fd) {
  char* a = map_at(kTestArea, 4 * kPage, kRW, MAP_SHARED, fd, 0);
  char* b = map_at(kTestArea + 8 * kPage, 4 * kPage, PROT_READ, MAP_PRIVATE, fd, 0);
  a[kPage] = 'w';
  yes_no("private mapping sees the shared write", b[kPage] == 'w');
  report("MADV_REMOVE of pages 1-2", madvise(a + kPage, 2 * kPage, MADV_REMOVE));
  char byte = 1;
  if (pread(fd, &byte, 1, kPage) != 1) die("pread");
  yes_no("the file reads zero there", byte == 0);
  yes_no("both mappings read zero there", a[kPage] == 0 && b[2 * kPage] == 0);
  yes_no("page 3 keeps the file's bytes", a[3 * kPage] == temp_byte(3 * kPage, 3));
  yes_no("the file keeps its size", lseek(fd, 0, SEEK_END) == 16 * kPage);
  munmap(a, 4 * kPage);
  munmap(b, 4 * kPage);
}

static void guard_cases(int fd) {
  char* a = map_at(kTestArea, 4 * kPage, kRW, kAnon, -1, 0);
  fill(a, 4, 10);
  report("MADV_GUARD_INSTALL page 1", madvise(a + kPage, kPage, GUARD_INSTALL));
  read_byte("read the guard page", a + kPage + 5);
  read_byte("read page 2", a + 2 * kPage);
  yes_no("write(2) from the guard page works", user_readable(a + kPage));
  report("MADV_POPULATE_READ over it", madvise(a, 4 * kPage, MADV_POPULATE_READ));
  print_maps("maps with a guard page", kTestArea, kTestArea + 4 * kPage);
  report("MADV_DONTNEED", madvise(a, 4 * kPage, MADV_DONTNEED));
  read_byte("read the guard page after MADV_DONTNEED", a + kPage);
  report("mprotect PROT_READ", mprotect(a, 4 * kPage, PROT_READ));
  read_byte("read the guard page after mprotect", a + kPage);
  mprotect(a, 4 * kPage, kRW);
  char* moved = mremap(a, 4 * kPage, 8 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)(kTestArea + 16 * kPage));
  report_map("mremap", moved, (void*)(kTestArea + 16 * kPage));
  read_byte("read the moved guard page", moved + kPage);
  report("MADV_GUARD_REMOVE", madvise(moved, 8 * kPage, GUARD_REMOVE));
  read_byte("read it after the remove", moved + kPage);
  munmap(moved, 8 * kPage);
  // Shared file: the data stays behind the guard; private file: the copy goes.
  char* s = map_at(kTestArea, 2 * kPage, kRW, MAP_SHARED, fd, 0);
  s[0] = 's';
  report("MADV_GUARD_INSTALL on a shared file", madvise(s, kPage, GUARD_INSTALL));
  read_byte("read it", s);
  madvise(s, kPage, GUARD_REMOVE);
  read_byte("read it after the remove", s);
  munmap(s, 2 * kPage);
  char* p = map_at(kTestArea, 2 * kPage, kRW, MAP_PRIVATE, fd, 0);
  p[0] = 'p';
  madvise(p, kPage, GUARD_INSTALL);
  madvise(p, kPage, GUARD_REMOVE);
  yes_no("a private file page reads the file again", p[0] == 's');
  munmap(p, 2 * kPage);
}

static void split_cases(void) {
  char* a = map_at(kTestArea, 6 * kPage, kRW, kAnon, -1, 0);
  report("MADV_DONTFORK pages 1-2", madvise(a + kPage, 2 * kPage, MADV_DONTFORK));
  report("MADV_RANDOM pages 2-3", madvise(a + 2 * kPage, 2 * kPage, MADV_RANDOM));
  print_maps("maps after DONTFORK and RANDOM", kTestArea, kTestArea + 6 * kPage);
  // Growing must start inside one mapping and cover it to its end.
  report_map("mremap growing across the split", mremap(a + kPage, 3 * kPage, 4 * kPage, 0), NULL);
  report_map("mremap growing the DONTFORK part alone", mremap(a + kPage, kPage, 2 * kPage, 0), NULL);
  report("MADV_DOFORK and MADV_NORMAL", madvise(a, 6 * kPage, MADV_DOFORK) | madvise(a, 6 * kPage, MADV_NORMAL));
  print_maps("maps after undoing them", kTestArea, kTestArea + 6 * kPage);
  munmap(a, 6 * kPage);
}

static void fork_cases(void) {
  char* a = map_at(kTestArea, 6 * kPage, kRW, kAnon, -1, 0);
  fill(a, 6, 20);
  madvise(a + kPage, kPage, MADV_DONTFORK);
  madvise(a + 3 * kPage, 2 * kPage, MADV_WIPEONFORK);
  madvise(a + 4 * kPage, kPage, GUARD_INSTALL);
  char* l = map_at(kTestArea + 8 * kPage, 2 * kPage, kRW, kAnon | MAP_LOCKED, -1, 0);
  map_at(kTestArea + 10 * kPage, 2 * kPage, kRW, kAnon, -1, 0);
  print_maps("maps before fork", kTestArea, kTestArea + 12 * kPage);
  fflush(stdout);
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    read_byte("child: page 0", a);
    read_byte("child: DONTFORK page", a + kPage);
    read_byte("child: page 2", a + 2 * kPage);
    read_byte("child: WIPEONFORK page", a + 3 * kPage + 1);
    read_byte("child: WIPEONFORK guard page", a + 4 * kPage);
    read_byte("child: page 5", a + 5 * kPage);
    // (Not the locked mapping's: Linux keeps the child's unlocked copy apart
    // from its neighbour, emu's region tree merges them.)
    print_maps("child: maps", kTestArea, kTestArea + 8 * kPage);
    report("child: MADV_DONTNEED on the unlocked copy", madvise(l, 4 * kPage, MADV_DONTNEED));
    fflush(stdout);
    _exit(0);
  }
  int status;
  if (waitpid(child, &status, 0) != child) die("waitpid");
  read_byte("parent: WIPEONFORK page", a + 3 * kPage + 1);
  report("parent: MADV_DONTNEED on the locked mapping", madvise(l, 4 * kPage, MADV_DONTNEED));
  munmap(a, 12 * kPage);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  int fd = temp_file(16 * kPage, 3);
  refusal_table(fd);
  order_cases(fd);
  remove_cases(fd);
  guard_cases(fd);
  split_cases();
  fork_cases();
  close(fd);
  return 0;
}
