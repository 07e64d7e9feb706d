// Synchronous faults with no handler: the guest must die by the same signal
// under emu as natively.
//   usage: faults segv|ill|fpe|trap|ok|segv-maperr|segv-accerr|segv-prot-none|bus
// The last four print "fault address 0x..." (a fixed address, the same in
// every run) before faulting, so a test can check that emu's report names
// it along with the si_code Linux would give (SEGV_MAPERR, SEGV_ACCERR,
// BUS_ADRERR).
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

// Free in every run: far from the executable, its heap and mmap's area.
static const uintptr_t kFaultArea = 0x200000000;
enum { kPage = 4096 };

static void* map_fixed(uintptr_t addr, size_t len, int prot, int flags, int fd) {
  void* m = mmap((void*)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
  if (m != (void*)addr) {
    printf("faults: mmap at 0x%lx failed\n", (unsigned long)addr);
    exit(1);
  }
  return m;
}

static void announce(uintptr_t addr) {
  printf("fault address 0x%lx\n", (unsigned long)addr);
  fflush(stdout);
}

// Reads a page that is not mapped: SIGSEGV, SEGV_MAPERR.
static void segv_maperr(void) {
  uintptr_t addr = kFaultArea + 0x1234;
  munmap((void*)(addr & ~(uintptr_t)(kPage - 1)), kPage);
  announce(addr);
  (void)*(volatile int*)addr;
}

// Writes to a PROT_READ mapping: SIGSEGV, SEGV_ACCERR.
static void segv_accerr(void) {
  char* p = map_fixed(kFaultArea, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  announce((uintptr_t)(p + 0x88));
  *(volatile char*)(p + 0x88) = 1;
}

// Reads a PROT_NONE mapping: SIGSEGV, SEGV_ACCERR.
static void segv_prot_none(void) {
  char* p = map_fixed(kFaultArea, kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  announce((uintptr_t)(p + 0x10));
  (void)*(volatile char*)(p + 0x10);
}

// Touches a page of a file mapping that lies wholly past the end of the
// file: SIGBUS, BUS_ADRERR (mm/filemap.c, filemap_fault).
static void bus(void) {
  char path[] = "/tmp/faults.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, "short file", 10) != 10) {
    printf("faults: cannot make a temporary file\n");
    exit(1);
  }
  unlink(path);
  char* p = map_fixed(kFaultArea, 2 * kPage, PROT_READ, MAP_PRIVATE, fd);
  if (p[0] != 's') printf("faults: the file's first page does not show the file\n");
  announce((uintptr_t)(p + kPage + 8));
  (void)*(volatile char*)(p + kPage + 8);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "ok";
  printf("faults: %s\n", mode);
  fflush(stdout);
  if (strcmp(mode, "segv") == 0) {
    int* volatile unmapped = (int*)16;
    *unmapped = 1;  // write to an unmapped page: SIGSEGV (SEGV_MAPERR)
  } else if (strcmp(mode, "ill") == 0) {
    __asm__ volatile("ud2");  // SIGILL
  } else if (strcmp(mode, "fpe") == 0) {
    volatile int zero = 0;
    volatile int x = 1 / zero;  // integer divide error: SIGFPE
    (void)x;
  } else if (strcmp(mode, "trap") == 0) {
    __asm__ volatile("int3");  // SIGTRAP
  } else if (strcmp(mode, "segv-maperr") == 0) {
    segv_maperr();
  } else if (strcmp(mode, "segv-accerr") == 0) {
    segv_accerr();
  } else if (strcmp(mode, "segv-prot-none") == 0) {
    segv_prot_none();
  } else if (strcmp(mode, "bus") == 0) {
    bus();
  }
  return 3;
}
