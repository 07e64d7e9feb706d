// x87 arithmetic through C's long double (x86-64: the 80-bit x87 format),
// printed with printf: the output must be the same natively and under emu.
// Exercises loads/stores of every width, the four operations, integer
// conversions, compares, the libm functions built on x87 instructions
// (fsqrt, fsin, fcos, fpatan, fyl2x, f2xm1, fscale, fprem, frndint) and
// rounding-mode changes via fesetround (FLDCW).
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile long double vl[] = {1.0L, -2.5L, 3.141592653589793238462643383279L, 1e-4000L, 1e4000L, 0.1L};

int main(int argc, char** argv) {
  long double sum = 0, prod = 1;
  for (int i = 0; i < 200; i++) {
    long double x = (long double)(i + 1) / 7.0L;
    sum += x * x - 1.0L / x;
    prod *= (i % 2) ? x : 1.0L / x;
  }
  printf("sum %.18Lg prod %.18Lg\n", sum, prod);
  for (unsigned i = 0; i < sizeof vl / sizeof vl[0]; i++) {
    long double v = vl[i];
    printf("v %La %.10Le as double %.17g as float %.9g\n", v, v, (double)v, (double)(float)v);
  }
  printf("pi %.20Lf e %.20Lf\n", 4 * atanl(1.0L), expl(1.0L));
  printf("sqrt2 %.20Lf sin1 %.20Lf cos1 %.20Lf tan1 %.20Lf\n", sqrtl(2.0L), sinl(1.0L), cosl(1.0L), tanl(1.0L));
  printf("log2(10) %.20Lf log(3) %.20Lf pow(2,0.3) %.20Lf\n", log2l(10.0L), logl(3.0L), powl(2.0L, 0.3L));
  printf("fmod %.20Lf remainder %.20Lf ldexp %.20Le\n", fmodl(100.0L, 3.3L), remainderl(100.0L, 3.3L), ldexpl(1.5L, -70));
  const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  for (int m = 0; m < 4; m++) {
    fesetround(modes[m]);
    volatile long double a = 1.0L, b = 3.0L;
    long double q = a / b;
    long long n = llrintl(2.5L + vl[0]);
    printf("mode %d: 1/3 %La rint(3.5) %lld neg %La\n", m, q, n, -a / b);
  }
  fesetround(FE_TONEAREST);
  long double big = vl[4];
  printf("cmp %d %d %d %d isnan %d isinf %d\n", vl[0] < vl[1], vl[0] > vl[1], vl[0] == 1.0L, big > DBL_MAX,
         isnan(big - big), isinf(big * big));
  printf("int conv %lld %d %u\n", (long long)(vl[2] * 1e15L), (int)(vl[1] * 1000), (unsigned)(vl[2] * 1e9L));
  double d = atof(argc > 1 ? argv[1] : "2.718281828459045");
  printf("double %f %e %g %.3f\n", d, d * 1e10, d / 1e10, d);
  return 0;
}
