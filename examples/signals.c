/* Signal handling as a program sees it: handlers with siginfo and ucontext,
 * a handler that changes the saved registers (RIP, RAX), SIGSEGV/SIGFPE
 * handlers that check si_code/si_addr, sigaltstack, masks and pending
 * signals, sigsuspend, sigtimedwait, alarm/setitimer + pause, SA_RESTART vs
 * EINTR, SA_NODEFER, SA_RESETHAND, and the FPU state around a handler.
 *
 * Prints one line per case; the test compares it with the native run.
 *   signals            all cases, exit 0
 *   signals term       ends by raise(SIGTERM) after the cases (status by signal)
 *   signals alarm      ends by an unhandled SIGALRM while spinning in user code
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, max_depth;
static volatile int last_code, last_pid_ok;
static volatile uintptr_t last_addr;

static void on_usr1(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  hits++;
  last_code = si->si_code;
  last_pid_ok = si->si_pid == getpid();
  (void)sig;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t*, void*), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL) != 0) perror("sigaction");
}

static void case_raise_siginfo(void) {
  hits = 0;
  set_handler(SIGUSR1, on_usr1, 0);
  raise(SIGUSR1);
  printf("raise: hits=%d si_code=%s pid_ok=%d\n", (int)hits, last_code == SI_TKILL ? "SI_TKILL" : "other",
         (int)last_pid_ok);
  kill(getpid(), SIGUSR1);
  printf("kill: hits=%d si_code=%s\n", (int)hits, last_code == SI_USER ? "SI_USER" : "other");
}

/* SIGSEGV: the handler checks si_addr and skips the 2-byte load, setting
 * the result register through the saved context. */
static void on_segv(int sig, siginfo_t* si, void* ucv) {
  ucontext_t* uc = ucv;
  (void)sig;
  last_code = si->si_code;
  last_addr = (uintptr_t)si->si_addr;
  uc->uc_mcontext.gregs[REG_RIP] += 2; /* mov (%rax),%eax is 8b 00 */
  uc->uc_mcontext.gregs[REG_RAX] = 42;
}

static void case_segv_modify_rip(void) {
  set_handler(SIGSEGV, on_segv, 0);
  long out;
  __asm__ volatile("mov $0x10, %%rax\n\t.byte 0x8b, 0x00\n\t" : "=a"(out) : : "memory");
  printf("segv: resumed rax=%ld si_code=%s si_addr=%#lx\n", out,
         last_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", (unsigned long)last_addr);
  signal(SIGSEGV, SIG_DFL);
}

/* SIGFPE from idiv by zero: si_addr is the instruction, which is skipped. */
static void on_fpe(int sig, siginfo_t* si, void* ucv) {
  ucontext_t* uc = ucv;
  (void)sig;
  last_code = si->si_code;
  last_addr = (uintptr_t)si->si_addr - (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  uc->uc_mcontext.gregs[REG_RIP] += 2; /* idiv %ecx is f7 f9 */
  uc->uc_mcontext.gregs[REG_RAX] = -7;
}

static void case_fpe(void) {
  set_handler(SIGFPE, on_fpe, 0);
  int q;
  __asm__ volatile("mov $100, %%eax\n\tcltd\n\txor %%ecx, %%ecx\n\t.byte 0xf7, 0xf9\n\t" : "=a"(q) : : "ecx", "edx");
  printf("fpe: resumed eax=%d si_code=%s si_addr==rip:%d\n", q, last_code == FPE_INTDIV ? "FPE_INTDIV" : "other",
         last_addr == 0);
  signal(SIGFPE, SIG_DFL);
}

static char altstack[65536];
static volatile int on_alt, alt_flags;
static void on_usr2_alt(int sig) {
  (void)sig;
  char here;
  on_alt = &here >= altstack && &here < altstack + sizeof altstack;
  stack_t cur;
  sigaltstack(NULL, &cur);
  alt_flags = cur.ss_flags;
}

static void case_altstack(void) {
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) perror("sigaltstack");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr2_alt;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  stack_t after;
  sigaltstack(NULL, &after);
  printf("altstack: handler on it=%d flags in handler=%s after=%d\n", (int)on_alt,
         alt_flags == SS_ONSTACK ? "SS_ONSTACK" : "other", after.ss_flags);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  signal(SIGUSR2, SIG_DFL);
}

// SS_AUTODISARM (Linux 4.7): the handler runs with the stack disarmed, and
// the frame's uc_stack holds the flags as set, which rt_sigreturn puts back.
// Also: the initial state, and setting it to itself, is not an error.
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
static volatile int frame_flags, handler_flags;
static volatile size_t frame_size, handler_size;
static void on_usr2_frame(int sig, siginfo_t* si, void* ucv) {
  (void)sig;
  (void)si;
  const ucontext_t* uc = ucv;
  frame_flags = uc->uc_stack.ss_flags;
  frame_size = uc->uc_stack.ss_size;
  stack_t cur;
  sigaltstack(NULL, &cur);
  handler_flags = cur.ss_flags;
  handler_size = cur.ss_size;
}

static void case_altstack_autodisarm(void) {
  stack_t st;
  sigaltstack(NULL, &st);
  stack_t none = {0};
  printf("altstack initial: flags=%#x size=%zu; set to {0}: %d\n", (unsigned)st.ss_flags, st.ss_size,
         sigaltstack(&none, NULL));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr2_frame;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGUSR2, &sa, NULL);
  const unsigned modes[] = {0, SS_AUTODISARM, SS_DISABLE};
  for (int i = 0; i < 3; ++i) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = (int)modes[i]};
    const int r = sigaltstack(&ss, NULL);
    raise(SIGUSR2);
    sigaltstack(NULL, &st);
    printf("altstack mode %#x: set %d, frame flags=%#x size=%zu, in handler flags=%#x size=%zu, after flags=%#x\n",
           modes[i], r, (unsigned)frame_flags, frame_size, (unsigned)handler_flags, handler_size,
           (unsigned)st.ss_flags);
  }
  // An unwritable old-stack pointer: EFAULT, with the new stack in force.
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  const int r = sigaltstack(&ss, (stack_t*)"read-only");
  sigaltstack(NULL, &st);
  printf("altstack with a read-only old pointer: %d, then flags=%#x size=%zu\n", r, (unsigned)st.ss_flags,
         st.ss_size);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  signal(SIGUSR2, SIG_DFL);
}

static void case_mask_pending(void) {
  hits = 0;
  set_handler(SIGUSR1, on_usr1, 0);
  sigset_t block, pending, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  raise(SIGUSR1);
  sigpending(&pending);
  printf("blocked: hits=%d pending=%d\n", (int)hits, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  sigpending(&pending);
  printf("unblocked: hits=%d pending=%d\n", (int)hits, sigismember(&pending, SIGUSR1));
}

static void case_sigsuspend(void) {
  hits = 0;
  set_handler(SIGUSR1, on_usr1, 0);
  sigset_t block, old, wait;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  raise(SIGUSR1);
  sigemptyset(&wait);
  int rc = sigsuspend(&wait);
  int e = errno;
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("sigsuspend: rc=%d errno=%s hits=%d mask restored=%d\n", rc, e == EINTR ? "EINTR" : "other", (int)hits,
         sigismember(&now, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static void case_sigtimedwait(void) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR2);
  siginfo_t si;
  struct timespec t = {0, 20 * 1000 * 1000};
  int sig = sigtimedwait(&set, &si, &t);
  printf("sigtimedwait: sig=%s si_code=%d\n", sig == SIGUSR2 ? "SIGUSR2" : "other", si.si_code);
  sig = sigtimedwait(&set, &si, &t);
  printf("sigtimedwait timeout: rc=%d errno=%s\n", sig, errno == EAGAIN ? "EAGAIN" : "other");
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile int alarms;
static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}

static void case_itimer_pause(void) {
  signal(SIGALRM, on_alarm);
  struct itimerval it = {{0, 0}, {0, 30 * 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
  int rc = pause();
  printf("pause: rc=%d errno=%s alarms=%d\n", rc, errno == EINTR ? "EINTR" : "other", alarms);
  alarm(1);
  unsigned left = alarm(0);
  printf("alarm: left=%u\n", left);
}

/* A blocking read interrupted by SIGALRM: EINTR without SA_RESTART; with it,
 * the read is restarted and gets what the handler wrote to the pipe. */
static int pipe_fds[2];
static void on_alarm_write(int sig) {
  (void)sig;
  alarms++;
  if (write(pipe_fds[1], "x", 1) != 1) _exit(3);
}

static void case_restart(void) {
  if (pipe(pipe_fds) != 0) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 0}, {0, 30 * 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
  char c;
  ssize_t n = read(pipe_fds[0], &c, 1);
  printf("read without SA_RESTART: n=%zd errno=%s\n", n, errno == EINTR ? "EINTR" : "other");

  sa.sa_handler = on_alarm_write;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  setitimer(ITIMER_REAL, &it, NULL);
  n = read(pipe_fds[0], &c, 1);
  printf("read with SA_RESTART: n=%zd c=%c\n", n, n == 1 ? c : '?');
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  signal(SIGALRM, SIG_DFL);
}

static volatile sig_atomic_t raised_again;
static void on_nested(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  if (!raised_again) {
    raised_again = 1;
    raise(sig); /* runs nested under SA_NODEFER, else right after we return */
  }
  depth--;
}

static void case_nodefer_resethand(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_nested;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("nodefer: max depth=%d\n", (int)max_depth);

  max_depth = depth = raised_again = 0;
  sa.sa_flags = 0;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("deferred: max depth=%d\n", (int)max_depth);
  raised_again = 1;

  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  printf("resethand: disposition now %s\n", now.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
}

/* The handler computes with the FPU; the interrupted code's values survive. */
static volatile double handler_result;
static void on_fp(int sig) {
  (void)sig;
  volatile double x = 3.0;
  handler_result = x * x + 0.5;
}

/* Traps: the trap number and si_code a handler sees for INT1 (#DB), INT3
 * (#BP) and INT 4 (#OF as a #GP-like SIGSEGV, reported after the INT). */
static void on_trap(int sig, siginfo_t* si, void* ucv) {
  ucontext_t* uc = ucv;
  printf("trap: %s si_code=%d trapno=%lld\n", sig == SIGTRAP ? "SIGTRAP" : "SIGSEGV", si->si_code,
         (long long)uc->uc_mcontext.gregs[REG_TRAPNO]);
}

static void case_trap_numbers(void) {
  set_handler(SIGTRAP, on_trap, 0);
  set_handler(SIGSEGV, on_trap, 0);
  __asm__ volatile(".byte 0xf1");  /* INT1 */
  __asm__ volatile("int3");
  __asm__ volatile("int $4");
  signal(SIGTRAP, SIG_DFL);
  signal(SIGSEGV, SIG_DFL);
}

static void case_fp_state(void) {
  signal(SIGUSR2, on_fp);
  double a = 1.25;
  long double b = 2.5L;
  __asm__ volatile("" : "+x"(a));
  raise(SIGUSR2);
  __asm__ volatile("" : "+x"(a));
  printf("fp: kept %.2f %.2Lf handler %.1f\n", a, b * 1.0L, handler_result);
  signal(SIGUSR2, SIG_DFL);
}

// `signals inherited`: the dispositions and mask the program started with
// (execve keeps ignored signals ignored and the mask as it was).
static int print_inherited(void) {
  sigset_t mask;
  sigprocmask(SIG_BLOCK, NULL, &mask);
  for (int sig = 1; sig < 32; ++sig) {
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) printf("signal %d ignored\n", sig);
    if (sigismember(&mask, sig) == 1) printf("signal %d blocked\n", sig);
  }
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "inherited") == 0) return print_inherited();
  case_raise_siginfo();
  case_segv_modify_rip();
  case_fpe();
  case_altstack();
  case_altstack_autodisarm();
  case_mask_pending();
  case_sigsuspend();
  case_sigtimedwait();
  case_itimer_pause();
  case_restart();
  case_nodefer_resethand();
  case_fp_state();
  case_trap_numbers();
  if (argc > 1 && strcmp(argv[1], "term") == 0) {
    printf("raising SIGTERM\n");
    raise(SIGTERM);
    printf("not reached\n");
  }
  if (argc > 1 && strcmp(argv[1], "alarm") == 0) {
    printf("spinning until SIGALRM\n");
    alarm(1);
    for (volatile unsigned long i = 0;; i++) {
    }
  }
  return 0;
}
