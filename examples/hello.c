// The smallest real guest: libc start-up, stdio, exit status.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello from %s with %d argument(s)\n", argc > 0 ? "a static guest" : "nowhere", argc - 1);
  for (int i = 1; i < argc; ++i) printf("  argv[%d] = %s\n", i, argv[i]);
  return 0;
}
