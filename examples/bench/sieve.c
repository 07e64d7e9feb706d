// Benchmark: integer and memory work. The sieve of Eratosthenes over
// [0, LIMIT) as a byte array, ROUNDS times; prints the prime count and a
// checksum of the primes' positions so a wrong run is visible.
//
// usage: sieve [ROUNDS [LIMIT]]   (defaults 20, 8000000)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
  const long limit = argc > 2 ? strtol(argv[2], NULL, 10) : 8000000;
  unsigned char* composite = malloc((size_t)limit);
  if (!composite) return 1;
  long count = 0;
  uint64_t checksum = 0;
  for (long r = 0; r < rounds; ++r) {
    for (long i = 0; i < limit; ++i) composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (long i = 2; i * i < limit; ++i)
      if (!composite[i])
        for (long j = i * i; j < limit; j += i) composite[j] = 1;
    count = 0;
    checksum = 0;
    for (long i = 0; i < limit; ++i)
      if (!composite[i]) {
        ++count;
        checksum = checksum * 31 + (uint64_t)i;
      }
  }
  printf("sieve: %ld primes below %ld, checksum %016llx\n", count, limit, (unsigned long long)checksum);
  free(composite);
  return 0;
}
