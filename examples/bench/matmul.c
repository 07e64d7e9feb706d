// Benchmark: scalar double-precision math. C = A x B for N x N matrices of
// doubles (the i-k-j loop order), ROUNDS times with B perturbed each round;
// prints the sum and a weighted sum of C, rounded to 9 significant digits.
// Built with the default -O2 (SSE2 scalar and packed doubles as GCC chooses).
//
// usage: matmul [ROUNDS [N]]   (defaults 45, 300)
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 45;
  const long n = argc > 2 ? strtol(argv[2], NULL, 10) : 300;
  double* a = malloc((size_t)(n * n) * sizeof *a);
  double* b = malloc((size_t)(n * n) * sizeof *b);
  double* c = malloc((size_t)(n * n) * sizeof *c);
  if (!a || !b || !c) return 1;
  for (long i = 0; i < n * n; ++i) {
    a[i] = (double)((i * 7919) % 1000) / 1000.0 - 0.5;
    b[i] = (double)((i * 104729) % 997) / 997.0 + 0.25;
  }
  double sum = 0, weighted = 0;
  for (long r = 0; r < rounds; ++r) {
    for (long i = 0; i < n * n; ++i) c[i] = 0;
    for (long i = 0; i < n; ++i)
      for (long k = 0; k < n; ++k) {
        const double aik = a[i * n + k];
        for (long j = 0; j < n; ++j) c[i * n + j] += aik * b[k * n + j];
      }
    sum = 0;
    weighted = 0;
    for (long i = 0; i < n * n; ++i) {
      sum += c[i];
      weighted += c[i] * (double)(i % 17);
    }
    for (long i = 0; i < n * n; i += n + 1) b[i] *= 1.0001;
  }
  printf("matmul: %ld x %ldx%ld, sum %.9g, weighted %.9g\n", rounds, n, n, sum, weighted);
  free(a);
  free(b);
  free(c);
  return 0;
}
