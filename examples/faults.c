// Synchronous faults with no handler: the guest must die by the same signal
// under emu as natively. usage: faults segv|ill|fpe|trap|ok
#include <stdio.h>
#include <string.h>

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
  }
  return 3;
}
