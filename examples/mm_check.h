// Helpers shared by the mm semantics examples (mm_errno, mm_maps, mm_mremap,
// mm_shared, mm_misc, mm_madvise), which are run natively and under emu with their stdout compared.
// So nothing printed may depend on where ASLR put things: results are
// errno names, booleans and /proc/self/maps lines of mappings the program
// placed at fixed addresses (kTestArea and up).
#pragma once

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum { kPage = 4096, kRW = PROT_READ | PROT_WRITE, kAnon = MAP_PRIVATE | MAP_ANONYMOUS };
// Far from where Linux puts a static executable (0x400000), its heap and
// mmap's top-down allocations: free in every run, so MAP_FIXED is safe.
#define kTestArea ((uintptr_t)0x200000000)
#define kTestAreaEnd ((uintptr_t)0x300000000)

static inline const char* errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ETXTBSY: return "ETXTBSY";
    case EFBIG: return "EFBIG";
    case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EINTR: return "EINTR";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTTY: return "ENOTTY";
    case ESPIPE: return "ESPIPE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EXDEV: return "EXDEV";
    case ELOOP: return "ELOOP";
    case EMFILE: return "EMFILE";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno %d", e);
      return buf;
    }
  }
}

// "what: 0" for a non-negative result, "what: EINVAL" for -1 with errno.
static inline void report(const char* what, long ret) {
  if (ret == -1) printf("%s: %s\n", what, errno_name(errno));
  else printf("%s: %ld\n", what, ret);
}

// For calls returning an address: "ok" (or "at the asked address" when
// `want` is given and honoured), never the address itself.
static inline void report_map(const char* what, void* ret, void* want) {
  if (ret == MAP_FAILED) printf("%s: %s\n", what, errno_name(errno));
  else if (want) printf("%s: ok, %s\n", what, ret == want ? "at the asked address" : "elsewhere");
  else printf("%s: ok\n", what);
}

static inline void yes_no(const char* what, int value) { printf("%s: %s\n", what, value ? "yes" : "no"); }

static inline void die(const char* what) {
  printf("FAIL: %s: %s\n", what, errno_name(errno));
  exit(1);
}

// Maps len bytes at addr exactly (MAP_FIXED_NOREPLACE), or exits.
static inline void* map_at(uintptr_t addr, size_t len, int prot, int flags, int fd, off_t offset) {
  void* m = mmap((void*)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, offset);
  if (m != (void*)addr) die("mmap at a fixed test address");
  return m;
}

// Prints the /proc/self/maps lines of mappings starting in [lo, hi), whole
// or, when `short_form`, only their range, permissions and offset.
static inline void print_maps_lines(const char* label, uintptr_t lo, uintptr_t hi, int short_form) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) die("open /proc/self/maps");
  printf("%s:\n", label);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    uintptr_t start = strtoull(line, NULL, 16);
    if (start < lo || start >= hi) continue;
    char range[64], perms[8], offset[32];
    if (!short_form) printf("  %s", line);
    else if (sscanf(line, "%63s %7s %31s", range, perms, offset) == 3) printf("  %s %s %s\n", range, perms, offset);
  }
  fclose(f);
}

static inline void print_maps(const char* label, uintptr_t lo, uintptr_t hi) { print_maps_lines(label, lo, hi, 0); }

// For mappings of a temporary file, whose inode differs from run to run.
static inline void print_maps_short(const char* label, uintptr_t lo, uintptr_t hi) { print_maps_lines(label, lo, hi, 1); }

// Page i of a run holds `seed + i` in its first and last byte.
static inline void fill(char* p, int pages, int seed) {
  for (int i = 0; i < pages; ++i) p[i * kPage] = p[i * kPage + kPage - 1] = (char)(seed + i);
}

static inline int holds(const char* p, int pages, int seed) {
  for (int i = 0; i < pages; ++i)
    if (p[i * kPage] != (char)(seed + i) || p[i * kPage + kPage - 1] != (char)(seed + i)) return 0;
  return 1;
}

// Probes whether the kernel (or emu's syscall gateway) can read or write
// the byte at p, without a signal: write(2) from p into a pipe needs p
// readable (else EFAULT), read(2) from the pipe into p needs p writable.
// The pipe is non-blocking so a probe never hangs.
static int probe_pipe[2] = {-1, -1};

static inline void probe_drain(void) {
  char sink[16];
  while (read(probe_pipe[0], sink, sizeof sink) > 0) {
  }
}

static inline int user_readable(const void* p) {
  if (probe_pipe[0] < 0 && pipe2(probe_pipe, O_NONBLOCK) != 0) die("pipe2");
  int ok = write(probe_pipe[1], p, 1) == 1;
  probe_drain();
  return ok;
}

// Writes back the byte already there, so the probe changes nothing.
static inline int user_writable(void* p) {
  char byte = user_readable(p) ? *(volatile char*)p : 0;
  if (write(probe_pipe[1], &byte, 1) != 1) die("write to the probe pipe");
  int ok = read(probe_pipe[0], p, 1) == 1;
  probe_drain();
  return ok;
}

// A temporary file of `len` bytes, each byte (offset * 7 + seed) & 0xff,
// already unlinked; returns its fd opened O_RDWR.
static inline int temp_file(size_t len, int seed) {
  char path[] = "/tmp/mm_check.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) die("mkstemp");
  unlink(path);
  char buf[kPage];
  for (size_t done = 0; done < len;) {
    size_t n = len - done < sizeof buf ? len - done : sizeof buf;
    for (size_t i = 0; i < n; ++i) buf[i] = (char)((done + i) * 7 + (size_t)seed);
    if (write(fd, buf, n) != (ssize_t)n) die("write the temporary file");
    done += n;
  }
  return fd;
}

static inline char temp_byte(size_t offset, int seed) { return (char)(offset * 7 + (size_t)seed); }
