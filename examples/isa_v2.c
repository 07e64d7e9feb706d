// x86-64-v2 guest: built with -O3 -march=x86-64-v2 (SSE3, SSSE3, SSE4.1,
// SSE4.2, POPCNT, CMPXCHG16B), so the compiler vectorises the loops below
// with those instructions, and glibc/musl pick their string routines from
// CPUID. Exercises vectorised integer and float loops, string functions,
// libm, long double (x87) and __int128; prints results that must be
// bit-identical natively and under emu (floats printed as hex bit patterns
// as well as decimal).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kN = 1000 };

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {  // xorshift64*
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t bits_of(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static uint32_t bits_of_float(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static int32_t a[kN], b[kN], c[kN];
static uint8_t bytes[kN];
static float fa[kN], fb[kN];
static double da[kN];

__attribute__((noinline)) static void integer_loops(void) {
  int64_t sum = 0;
  int32_t mn = INT32_MAX, mx = INT32_MIN;
  for (int i = 0; i < kN; i++) c[i] = a[i] * b[i] + (a[i] >> 3);  // pmulld
  for (int i = 0; i < kN; i++) {
    sum += c[i];
    mn = c[i] < mn ? c[i] : mn;  // pminsd
    mx = c[i] > mx ? c[i] : mx;  // pmaxsd
  }
  uint32_t pop = 0;
  for (int i = 0; i < kN; i++) pop += (uint32_t)__builtin_popcount((unsigned)c[i]);
  unsigned bsum = 0;
  for (int i = 0; i < kN; i++) bsum += bytes[i] > 100 ? bytes[i] - 100 : 0;  // pmaxub/psubusb
  int64_t widen = 0;
  for (int i = 0; i < kN; i++) widen += (int64_t)a[i] * b[i];  // pmuldq / pmovsx
  printf("int: sum %lld min %d max %d popcount %u bytes %u widened %lld\n", (long long)sum, mn, mx, pop, bsum,
         (long long)widen);
}

__attribute__((noinline)) static void float_loops(void) {
  float dot = 0;
  for (int i = 0; i < kN; i++) dot += fa[i] * fb[i];
  double dsum = 0;
  for (int i = 0; i < kN; i++) dsum += da[i] * da[i];
  float fl = 0;
  for (int i = 0; i < kN; i++) fl += floorf(fa[i]) + ceilf(fb[i]);  // roundps
  double rd = 0;
  for (int i = 0; i < kN; i++) rd += nearbyint(da[i] * 3.5);  // roundsd
  printf("float: dot %.9g (%08x) sumsq %.17g (%016llx) floor+ceil %.9g round %.17g\n", dot,
         bits_of_float(dot), dsum, (unsigned long long)bits_of(dsum), fl, rd);
}

__attribute__((noinline)) static void strings(void) {
  static char text[4096];
  for (int i = 0; i < (int)sizeof text - 1; i++) text[i] = (char)('a' + next() % 26);
  text[sizeof text - 1] = 0;
  size_t lens = 0;
  for (int off = 0; off < 64; off++) lens += strlen(text + off);
  const char* z = strchr(text, 'z');
  const char* q = memchr(text, 'q', sizeof text);
  char copy[4096];
  memcpy(copy, text, sizeof copy);
  copy[3000] = 'A';
  int cmp = strcmp(text, copy) > 0 ? 1 : -1;
  int ncmp = memcmp(text, copy, 3000);
  size_t span = strspn(text, "abcdefghijklm");
  size_t cspan = strcspn(text, "xyz");
  const char* sub = strstr(text, "abc");
  printf("strings: lens %zu z@%td q@%td cmp %d ncmp %d span %zu cspan %zu abc@%td\n", lens, z ? z - text : -1,
         q ? q - text : -1, cmp, ncmp, span, cspan, sub ? sub - text : -1);
}

__attribute__((noinline)) static void math(void) {
  double acc = 0;
  uint64_t h = 0;
  for (int i = 1; i <= 200; i++) {
    double x = i * 0.0371;
    double r = sin(x) + cos(x) * exp(-x) + log(x) + pow(x, 1.7) + sqrt(x) + atan2(x, 1.3) + tanh(x);
    acc += r;
    h = h * 31 + bits_of(r);
  }
  printf("libm: sum %.17g hash %016llx\n", acc, (unsigned long long)h);
}

__attribute__((noinline)) static void long_double_and_int128(void) {
  long double x = 1;
  for (int i = 1; i <= 30; i++) x = x * 1.1L + 1.0L / i;
  long double s = sqrtl(x);
  unsigned __int128 big = 1;
  for (int i = 0; i < 100; i++) big = big * 6364136223846793005ull + 1442695040888963407ull;
  unsigned __int128 q = big / 0x1234567890abcdefull;
  unsigned long long r = (unsigned long long)(big % 0xfedcba987ull);
  printf("long double: %.21Lg sqrt %.21Lg\n", x, s);
  printf("int128: %016llx%016llx / -> %016llx%016llx %% -> %llx\n", (unsigned long long)(big >> 64),
         (unsigned long long)big, (unsigned long long)(q >> 64), (unsigned long long)q, r);
}

int main(void) {
  for (int i = 0; i < kN; i++) {
    a[i] = (int32_t)next();
    b[i] = (int32_t)(next() >> 40);
    bytes[i] = (uint8_t)next();
    fa[i] = (float)((int64_t)(next() >> 20) - (1ll << 43)) / 1e9f;
    fb[i] = (float)(next() >> 40) / 1e4f;
    da[i] = (double)(int64_t)next() / 1e18;
  }
  integer_loops();
  float_loops();
  strings();
  math();
  long_double_and_int128();
  return 0;
}
