// Stack growth: deep recursion that uses about 4.5 MiB of the main stack,
// which starts at 132 KiB and grows on faults, then prints a checksum of
// every frame and how large [stack] became. usage: stack_growth [overflow]
//
// "overflow" lowers RLIMIT_STACK to 1 MiB (so the run is short whatever the
// caller's limit) and recurses without bound: the process must die by
// SIGSEGV, natively and under emu.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define FRAME_WORDS 128  // 1 KiB of locals per call

static uint64_t recurse(unsigned depth, uint64_t seed) {
  volatile uint64_t frame[FRAME_WORDS];
  for (int i = 0; i < FRAME_WORDS; ++i) frame[i] = seed + (uint64_t)i * 0x9e3779b97f4a7c15ull;
  uint64_t sum = depth == 0 ? seed : recurse(depth - 1, seed * 6364136223846793005ull + 1442695040888963407ull);
  // The frame is read after the call returns, so it stays live (and the
  // recursion stays a recursion) at -O2.
  for (int i = 0; i < FRAME_WORDS; ++i) sum = (sum ^ frame[i]) * 0x100000001b3ull;
  return sum;
}

// Size of the [stack] mapping in KiB, from /proc/self/maps; 0 if not found.
static unsigned long stack_kib(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return 0;
  char line[512];
  unsigned long kib = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long start, end;
    if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &start, &end) == 2) kib = (end - start) >> 10;
  }
  fclose(f);
  return kib;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
    struct rlimit limit;
    getrlimit(RLIMIT_STACK, &limit);
    limit.rlim_cur = 1 << 20;
    if (setrlimit(RLIMIT_STACK, &limit) != 0) return 2;
    printf("stack_growth: recursing without bound\n");
    fflush(stdout);
    return (int)recurse(~0u, 1);  // never returns: SIGSEGV
  }
  printf("stack_growth: initial stack under 1 MiB: %s\n", stack_kib() < 1024 ? "yes" : "no");
  const uint64_t sum = recurse(4200, 1);
  printf("checksum %016llx\n", (unsigned long long)sum);
  // About 4.5 MiB were touched: the stack is now at least that large.
  const unsigned long kib = stack_kib();
  printf("stack grew to at least 4 MiB: %s, below 8 MiB: %s\n", kib >= 4096 ? "yes" : "no", kib < 8192 ? "yes" : "no");
  return 0;
}
