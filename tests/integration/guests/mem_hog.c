// Allocates up to MIB MiB through one allocation path, touching every page,
// 1 MiB at a time; prints how far it got. Run under `emu --mem-limit` by
// tests/integration/check_mem_limit.py: the limit must hold on every path.
//
//   mem_hog PATH MIB    PATH: mmap (private anonymous), noreserve (the same,
//                       MAP_NORESERVE: no commit charge), populate
//                       (MAP_POPULATE), shared (shared anonymous), file (private file mapping, written:
//                       copy-on-write), brk, mremap (one mapping grown),
//                       malloc, stack (recursion, 1 MiB frames; the
//                       caller raises RLIMIT_STACK)
// Exit 0 with "stopped by ENOMEM after N MiB" when a call refused, or
// "allocated N MiB" when all of it fit; killed (SIGKILL) when a touch found
// no memory, as the kernel's OOM killer would do.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static void touch(char* p, size_t n) {
  for (size_t i = 0; i < n; i += 4096) p[i] = (char)(i >> 12 | 1);
}

static int done(long mib, int refused) {
  if (refused) printf("stopped by %s after %ld MiB\n", strerrorname_np(errno), mib);
  else printf("allocated %ld MiB\n", mib);
  return 0;
}

static long stack_mib;
static long recurse(long left) {
  volatile char frame[MIB - 4096];
  touch((char*)frame, sizeof frame);
  ++stack_mib;
  if (left <= 1) return frame[100];
  return recurse(left - 1) + frame[200];
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const char* path = argv[1];
  const long want = atol(argv[2]);
  setvbuf(stdout, NULL, _IONBF, 0);
  if (!strcmp(path, "mmap") || !strcmp(path, "shared") || !strcmp(path, "noreserve") || !strcmp(path, "populate")) {
    int flags = (!strcmp(path, "shared") ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
    if (!strcmp(path, "noreserve")) flags |= MAP_NORESERVE;
    if (!strcmp(path, "populate")) flags |= MAP_POPULATE;
    for (long i = 0; i < want; ++i) {
      char* p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, flags, -1, 0);
      if (p == MAP_FAILED) return done(i, 1);
      touch(p, MIB);
    }
    return done(want, 0);
  }
  if (!strcmp(path, "file")) {
    char name[] = "/tmp/emu-mem-hog-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0 || ftruncate(fd, want * MIB) != 0) return 1;
    unlink(name);
    char* p = mmap(NULL, want * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return done(0, 1);
    for (long i = 0; i < want; ++i) touch(p + i * MIB, MIB);
    return done(want, 0);
  }
  if (!strcmp(path, "brk")) {
    for (long i = 0; i < want; ++i) {
      char* p = sbrk(MIB);
      if (p == (char*)-1) return done(i, 1);
      touch(p, MIB);
    }
    return done(want, 0);
  }
  if (!strcmp(path, "mremap")) {
    char* p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return done(0, 1);
    touch(p, MIB);
    for (long i = 1; i < want; ++i) {
      char* q = mremap(p, i * MIB, (i + 1) * MIB, MREMAP_MAYMOVE);
      if (q == MAP_FAILED) return done(i, 1);
      p = q;
      touch(p + i * MIB, MIB);
    }
    return done(want, 0);
  }
  if (!strcmp(path, "malloc")) {
    for (long i = 0; i < want; ++i) {
      char* p = malloc(MIB);
      if (!p) return done(i, 1);
      touch(p, MIB);
    }
    return done(want, 0);
  }
  if (!strcmp(path, "stack")) {
    recurse(want);
    return done(stack_mib, 0);
  }
  return 2;
}
