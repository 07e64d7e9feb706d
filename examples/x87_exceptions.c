// Unmasked x87 exceptions: the program unmasks one exception in the x87
// control word, makes an instruction raise it, and the next waiting
// instruction (FWAIT, an x87 instruction, or an MMX instruction) takes the
// deferred #MF, which Linux delivers as SIGFPE.
//   usage: x87_exceptions MODE [report]
//   MODE: div (ZE), inv (IE), ovf (OE), und (UE), res (PE), den (DE),
//         stack (IE with a stack fault), mmx (delivered by an MMX instruction),
//         masked (nothing unmasked: FWAIT and an MMX instruction run on)
// Without `report` the program dies by SIGFPE; with it, a handler prints
// si_code and whether si_addr is the waiting instruction, then exits 0.
// The same under emu as natively.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The label on each mode's waiting instruction (defined in the asm below).
extern const char wait_div[], wait_inv[], wait_ovf[], wait_und[], wait_res[], wait_den[], wait_stack[],
    wait_mmx[], wait_masked[];
static const char* expected;

static void on_fpe(int sig, siginfo_t* si, void* uc) {
  (void)sig, (void)uc;
  printf("SIGFPE si_code %d at the waiting instruction: %s\n", si->si_code,
         si->si_addr == (const void*)expected ? "yes" : "no");
  fflush(stdout);
  _exit(0);
}

// Control word: 64-bit precision, round to nearest, all masked but `unmask`.
static void set_cw(unsigned short unmask) {
  unsigned short cw = (unsigned short)(0x037f & ~unmask);
  __asm__ volatile("fldcw %0" : : "m"(cw));
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "masked";
  printf("x87_exceptions: %s\n", mode);
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "report") == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);
  }
  static const long double big = 1e4000L, small = 1e-4000L;
  static const double three = 3.0, neg = -1.0;
  static const float denormal = 1e-40f;
  static const unsigned short cw_ie = 0x037e;
  long double out = 0;
  // 0xDE 0xF9 is FDIVP ST(1), ST(0): ST(1) = ST(1) / ST(0), here 1 / 0.
  if (strcmp(mode, "div") == 0) {
    expected = wait_div;
    set_cw(0x04);
    __asm__ volatile("fld1\n\tfldz\n\t.byte 0xde, 0xf9\n"
                     "wait_div: fwait\n\t"
                     "fstpt %0" : "=m"(out));
  } else if (strcmp(mode, "inv") == 0) {
    expected = wait_inv;
    set_cw(0x01);
    __asm__ volatile("fldl %1\n\tfsqrt\n"  // sqrt(-1)
                     "wait_inv: fwait\n\t"
                     "fstpt %0" : "=m"(out) : "m"(neg));
  } else if (strcmp(mode, "ovf") == 0) {
    expected = wait_ovf;
    set_cw(0x08);
    __asm__ volatile("fldt %1\n\tfld %%st(0)\n\tfmulp\n"  // 1e8000
                     "wait_ovf: fwait\n\t"
                     "fstpt %0" : "=m"(out) : "m"(big));
  } else if (strcmp(mode, "und") == 0) {
    expected = wait_und;
    set_cw(0x10);
    __asm__ volatile("fldt %1\n\tfld %%st(0)\n\tfmulp\n"  // 1e-8000
                     "wait_und: fwait\n\t"
                     "fstpt %0" : "=m"(out) : "m"(small));
  } else if (strcmp(mode, "res") == 0) {
    expected = wait_res;
    set_cw(0x20);
    __asm__ volatile("fld1\n\tfdivl %1\n"  // 1/3
                     "wait_res: fwait\n\t"
                     "fstpt %0" : "=m"(out) : "m"(three));
  } else if (strcmp(mode, "den") == 0) {
    expected = wait_den;
    set_cw(0x02);
    __asm__ volatile("fld1\n\tfadds %1\n"  // a denormal operand
                     "wait_den: fwait\n\t"
                     "fstpt %0" : "=m"(out) : "m"(denormal));
  } else if (strcmp(mode, "stack") == 0) {
    expected = wait_stack;
    __asm__ volatile("fninit\n\tfldcw %1\n\t"
                     "fstp %%st(0)\n"  // pops an empty stack: stack underflow, IE unmasked
                     "wait_stack: fld1\n\t"
                     "fstpt %0" : "=m"(out) : "m"(cw_ie));
  } else if (strcmp(mode, "mmx") == 0) {
    expected = wait_mmx;
    set_cw(0x04);
    __asm__ volatile("fld1\n\tfldz\n\t.byte 0xde, 0xf9\n"
                     "wait_mmx: paddb %%mm1, %%mm0\n\t"
                     "emms\n\tfstpt %0" : "=m"(out));
  } else {
    expected = wait_masked;
    __asm__ volatile("fld1\n\tfldz\n\t.byte 0xde, 0xf9\n"
                     "wait_masked: fwait\n\t"
                     "fstpt %0\n\t"
                     "pcmpeqb %%mm1, %%mm1\n\t"  // an MMX instruction doesn't deliver it either
                     "emms" : "=m"(out));
  }
  unsigned short sw;
  __asm__ volatile("fnstsw %0" : "=m"(sw));
  printf("no SIGFPE: status word %#06x, result %Lg\n", sw, out);
  return 0;
}
