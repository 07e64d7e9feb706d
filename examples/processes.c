/* Processes as a program sees them: fork + pipe + exec + wait, exit
 * statuses and deaths by signal, execve's errors (ENOENT, EACCES, ENOEXEC,
 * EFAULT, ELOOP), #! scripts, close-on-exec descriptors, what exec keeps
 * and resets of signal state, vfork, posix_spawn, waitid, process groups and
 * sessions, getrusage/times/getpriority.
 *
 * The program execs itself (through /proc/self/exe) in helper modes:
 *   processes                 all cases, exit 0
 *   processes args... A B     prints its argv (argv[0]'s basename); argv[1]
 *                             is anything starting with "args"
 *   processes fds N M         says which of descriptors N and M are open
 *   processes sigs            prints the dispositions and mask it inherited
 *   processes exit N          exits with status N
 * Prints one line per case; the test compares them with the native run.
 * Nothing printed depends on process ids or timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static char self[PATH_MAX];  /* this program's path, for execs and #! lines */
static char tmpdir[] = "/tmp/emu-processes-XXXXXX";

static const char* base(const char* path) {
  const char* s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static void describe(const char* what, int status) {
  if (WIFEXITED(status))
    printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    printf("%s: killed by %s\n", what, strsignal(WTERMSIG(status)));
  else
    printf("%s: status %#x\n", what, status);
}

/* ---- helper modes (run in exec'd children) ---- */

static int mode_args(int argc, char** argv) {
  printf("  argv[0]=%s", base(argv[0]));
  for (int i = 1; i < argc; ++i) printf(" [%s]", strchr(argv[i], '/') ? base(argv[i]) : argv[i]);
  printf("\n");
  return 0;
}

static int mode_fds(char** argv) {
  for (int i = 2; i <= 3; ++i) {
    int fd = atoi(argv[i]);
    printf("  fd %s: %s\n", i == 2 ? "plain" : "cloexec", fcntl(fd, F_GETFD) >= 0 ? "open" : strerror(errno));
  }
  return 0;
}

static const char* disposition(int sig) {
  struct sigaction sa;
  sigaction(sig, NULL, &sa);
  if (sa.sa_handler == SIG_DFL) return "SIG_DFL";
  if (sa.sa_handler == SIG_IGN) return "SIG_IGN";
  return "handler";
}

static int mode_sigs(void) {
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  printf("  SIGUSR1 %s, SIGUSR2 %s, SIGINT blocked %d, SIGTERM blocked %d\n", disposition(SIGUSR1),
         disposition(SIGUSR2), sigismember(&mask, SIGINT), sigismember(&mask, SIGTERM));
  stack_t ss;
  sigaltstack(NULL, &ss);
  printf("  altstack %s\n", (ss.ss_flags & SS_DISABLE) ? "disabled" : "enabled");
  sigset_t pending;
  sigpending(&pending);
  printf("  SIGINT pending %d\n", sigismember(&pending, SIGINT));
  return 0;
}

/* ---- cases ---- */

/* Runs `argv` (self modes) in a forked child with stdout to a pipe; the
 * parent prints what came through the pipe, then how the child ended. */
static void run_through_pipe(const char* what, char* const argv[]) {
  int p[2];
  if (pipe(p) != 0) return perror("pipe");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execv(self, argv);
    _exit(127);
  }
  close(p[1]);
  char buf[4096];
  ssize_t n, total = 0;
  while ((n = read(p[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0) total += n;
  buf[total] = '\0';
  close(p[0]);
  int status = 0;
  pid_t w = waitpid(pid, &status, 0);
  printf("%s (waited for the child: %d)\n%s", what, w == pid, buf);
  describe(what, status);
}

static void case_fork_exit_statuses(void) {
  for (int code = 0; code < 3; ++code) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(code * 50);
    int status = 0;
    waitpid(pid, &status, 0);
    char what[32];
    snprintf(what, sizeof what, "fork+_exit(%d)", code * 50);
    describe(what, status);
  }
  /* Memory is copied: the child's writes stay in the child. */
  static int shared_counter = 1;
  pid_t pid = fork();
  if (pid == 0) {
    shared_counter = 99;
    _exit(shared_counter);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("child wrote 99 and exited %d; parent still sees %d\n", WEXITSTATUS(status), shared_counter);
}

static void case_deaths_by_signal(void) {
  const int sigs[] = {SIGTERM, SIGKILL, SIGSEGV, SIGUSR1};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; ++i) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      if (sigs[i] == SIGSEGV) *(volatile int*)(uintptr_t)getppid() = 1;  /* an unmapped low address */
      raise(sigs[i]);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    describe(strsignal(sigs[i]), status & 0x7f ? (status & 0x7f) : status);  /* no core-dump bit */
  }
  /* The parent kills a child blocked in pause(). */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  describe("kill(child, SIGINT)", status);
}

static void case_pipe_exec(void) {
  char* args[] = {self, "args", "one", "two words", NULL};
  run_through_pipe("fork+pipe+exec", args);
  char* code[] = {self, "exit", "42", NULL};
  run_through_pipe("exec then exit 42", code);
}

static void write_file(const char* path, const char* text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return perror(path);
  if (write(fd, text, strlen(text)) < 0) perror("write");
  close(fd);
  chmod(path, mode);
}

static void try_exec(const char* what, const char* path, char* const argv[]) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execve(path, argv, environ);
    printf("%s: execve failed: %s\n", what, strerror(errno));
    fflush(stdout);
    _exit(100);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  describe(what, status);
}

static void case_exec_errors_and_scripts(void) {
  char path[PATH_MAX], script[PATH_MAX], line[PATH_MAX + 64];
  char* argv[] = {"prog", "x", NULL};
  try_exec("missing file", "/nonexistent/prog", argv);
  snprintf(path, sizeof path, "%s/plain.txt", tmpdir);
  write_file(path, "not a program\n", 0644);
  try_exec("no execute permission", path, argv);
  try_exec("a directory", tmpdir, argv);
  snprintf(path, sizeof path, "%s/garbage", tmpdir);
  write_file(path, "not a program\n", 0755);
  try_exec("neither ELF nor #!", path, argv);
  snprintf(path, sizeof path, "%s/empty", tmpdir);
  write_file(path, "", 0755);
  try_exec("empty file", path, argv);

  /* #! scripts: interpreter with one argument, then the script, then argv[1..]. */
  snprintf(script, sizeof script, "%s/script", tmpdir);
  snprintf(line, sizeof line, "#!%s args  with spaces  \n", self);
  write_file(script, line, 0755);
  char* sargv[] = {"script-name", "first", "second", NULL};
  fflush(stdout);
  try_exec("#! script", script, sargv);
  snprintf(line, sizeof line, "#! \t%s\n", self);  /* no argument: self runs with argv[1] = script */
  write_file(script, line, 0755);
  char* nargv[] = {"script-name", "args", NULL};
  try_exec("#! script without argument", script, nargv);
  /* A script whose interpreter is a script (one level of nesting). */
  char outer[PATH_MAX];
  snprintf(line, sizeof line, "#!%s args\n", self);
  write_file(script, line, 0755);
  snprintf(outer, sizeof outer, "%s/outer", tmpdir);
  snprintf(line, sizeof line, "#!%s nested\n", script);
  write_file(outer, line, 0755);
  try_exec("#! script run by a #! script", outer, sargv);
  snprintf(line, sizeof line, "#!%s/no-such-interpreter\n", tmpdir);
  write_file(script, line, 0755);
  try_exec("#! missing interpreter", script, sargv);
  snprintf(line, sizeof line, "#!%s\n", script);  /* its own interpreter */
  write_file(script, line, 0755);
  try_exec("#! script interpreting itself", script, sargv);
  write_file(script, "#!\n", 0755);
  try_exec("#! without interpreter", script, sargv);

  /* Bad argument arrays. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    long r = syscall(SYS_execve, self, (char**)8, environ);
    printf("argv at a bad address: %s\n", r < 0 ? strerror(errno) : "ok");
    char* bad[] = {"x", (char*)8, NULL};
    r = syscall(SYS_execve, self, bad, environ);
    printf("argv[1] at a bad address: %s\n", r < 0 ? strerror(errno) : "ok");
    r = syscall(SYS_execve, (char*)8, bad, environ);
    printf("path at a bad address: %s\n", r < 0 ? strerror(errno) : "ok");
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
}

static void case_cloexec(void) {
  int plain = open("/dev/null", O_RDONLY);
  int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
  char a[16], b[16];
  snprintf(a, sizeof a, "%d", plain);
  snprintf(b, sizeof b, "%d", cloexec);
  char* args[] = {self, "fds", a, b, NULL};
  run_through_pipe("descriptors across exec", args);
  close(plain);
  close(cloexec);
}

static void on_usr1(int sig) { (void)sig; }

static void case_signals_across_exec(void) {
  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, SIG_IGN);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, &old);
  static char altstack[65536];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    raise(SIGINT);  /* stays pending, blocked, across exec */
    printf("before exec: SIGUSR1 %s\n", disposition(SIGUSR1));
    fflush(stdout);
    execl(self, self, "sigs", (char*)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  describe("signal state across exec", status);
  sigprocmask(SIG_SETMASK, &old, NULL);
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
}

static void case_vfork_and_spawn(void) {
  fflush(stdout);
  pid_t pid = vfork();
  if (pid == 0) {
    execl(self, self, "exit", "7", (char*)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  describe("vfork+exec", status);
  pid = vfork();
  if (pid == 0) _exit(9);
  waitpid(pid, &status, 0);
  describe("vfork+_exit", status);

  char* args[] = {self, "exit", "5", NULL};
  int rc = posix_spawn(&pid, self, NULL, NULL, args, environ);
  printf("posix_spawn: %s\n", rc ? strerror(rc) : "ok");
  if (rc == 0) {
    waitpid(pid, &status, 0);
    describe("posix_spawned child", status);
  }
  /* exec's error reaches the parent through memory the vfork child shares
   * (glibc) or through a pipe (musl). */
  char* none[] = {"none", NULL};
  rc = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, none, environ);
  printf("posix_spawn of a missing program: %s\n", rc ? strerror(rc) : "ok");
  if (rc == 0) waitpid(pid, NULL, 0);
  /* A vfork child's writes are its parent's. */
  static volatile int written_by_child;
  pid = vfork();
  if (pid == 0) {
    written_by_child = 1234;
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("vfork child wrote %d\n", written_by_child);
  /* File actions run in the child before the exec. */
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  char* quiet[] = {self, "args", "hidden", NULL};
  fflush(stdout);
  rc = posix_spawn(&pid, self, &fa, NULL, quiet, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc == 0) {
    waitpid(pid, &status, 0);
    describe("posix_spawn with stdout to /dev/null", status);
  }
}

/* clone3 through syscall(2): fork-like calls, CLONE_PIDFD with
 * CLONE_PARENT_SETTID (separate places in clone3), CLONE_CLEAR_SIGHAND, and
 * the argument checks of copy_clone_args_from_user and clone3_args_valid. */
struct clone_args_v2 {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
static long clone3_call(struct clone_args_v2* args, size_t size) { return syscall(435, args, size); }
static void on_usr1_noop(int sig) { (void)sig; }
static void report_clone3(const char* what, struct clone_args_v2* args, size_t size) {
  errno = 0;
  long r = clone3_call(args, size);
  if (r == 0) _exit(0);  /* a call expected to fail made a child: leave quietly */
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  printf("clone3 %s: %s\n", what, r < 0 ? strerror(errno) : "child");
}
static void case_clone3(void) {
  struct clone_args_v2 a;
  int status = 0;
  memset(&a, 0, sizeof a);
  a.exit_signal = SIGCHLD;
  fflush(stdout);
  long pid = clone3_call(&a, sizeof a);
  if (pid == 0) _exit(42);
  waitpid((pid_t)pid, &status, 0);
  describe("clone3 fork", status);

  int pidfd = -1;
  pid_t parent_tid = 0;
  memset(&a, 0, sizeof a);
  a.flags = 0x1000 /* CLONE_PIDFD */ | 0x100000 /* CLONE_PARENT_SETTID */;
  a.pidfd = (uintptr_t)&pidfd;
  a.parent_tid = (uintptr_t)&parent_tid;
  a.exit_signal = SIGCHLD;
  pid = clone3_call(&a, 64);
  if (pid == 0) _exit(3);
  waitpid((pid_t)pid, &status, 0);
  printf("clone3 pidfd %s, parent_tid %s\n", pidfd >= 0 ? "set" : "unset", parent_tid == pid ? "is the pid" : "wrong");
  if (pidfd >= 0) close(pidfd);

  signal(SIGUSR2, SIG_IGN);
  struct sigaction handled;
  memset(&handled, 0, sizeof handled);
  handled.sa_handler = on_usr1_noop;
  sigaction(SIGUSR1, &handled, NULL);
  memset(&a, 0, sizeof a);
  a.flags = 1ULL << 32; /* CLONE_CLEAR_SIGHAND */
  a.exit_signal = SIGCHLD;
  pid = clone3_call(&a, sizeof a);
  if (pid == 0) {
    struct sigaction usr1, usr2;
    sigaction(SIGUSR1, NULL, &usr1);
    sigaction(SIGUSR2, NULL, &usr2);
    _exit((usr1.sa_handler == SIG_DFL) * 10 + (usr2.sa_handler == SIG_IGN));
  }
  waitpid((pid_t)pid, &status, 0);
  printf("clone3 CLONE_CLEAR_SIGHAND: handler reset %s, ignored kept %s\n", WEXITSTATUS(status) / 10 ? "yes" : "no",
         WEXITSTATUS(status) % 10 ? "yes" : "no");
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);

  struct {
    struct clone_args_v2 args;
    uint64_t extra;
  } bigger;
  memset(&bigger, 0, sizeof bigger);
  bigger.extra = 1;
  report_clone3("with a nonzero byte past the struct", &bigger.args, sizeof bigger);
  report_clone3("of 63 bytes", &a, 63);
  report_clone3("of 4097 bytes", &bigger.args, 4097);
  report_clone3("at an unmapped address", (struct clone_args_v2*)8, 64);
  static const struct {
    const char* what;
    uint64_t flags, stack, exit_signal, set_tid_size;
  } refused[] = {
      {"CLONE_SIGHAND with CLONE_CLEAR_SIGHAND", 0x800 /* CLONE_SIGHAND */ | 0x100 /* CLONE_VM */ | (1ULL << 32)},
      {"with a stack of size 0", 0, 0x10000},
      {"exit signal 65", 0, 0, 65},
      {"with a signal in the flags", 0x11},
      {"set_tid_size without set_tid", 0, 0, 0, 1},
      {"CLONE_THREAD without CLONE_SIGHAND", 0x10000 /* CLONE_THREAD */},
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
    memset(&a, 0, sizeof a);
    a.flags = refused[i].flags;
    a.stack = refused[i].stack;
    a.exit_signal = refused[i].exit_signal;
    a.set_tid_size = refused[i].set_tid_size;
    report_clone3(refused[i].what, &a, sizeof a);
  }
}

static void case_waitid_and_nohang(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    usleep(20000);
    _exit(3);
  }
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  printf("WNOHANG before the child exits: %d\n", r);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc = waitid(P_PID, (id_t)pid, &si, WEXITED);
  printf("waitid: rc=%d signo=%s code=%s status=%d pid_ok=%d\n", rc, si.si_signo == SIGCHLD ? "SIGCHLD" : "?",
         si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status, si.si_pid == pid);
  r = waitpid(-1, &status, WNOHANG);
  printf("no children left: %d %s\n", r, r < 0 ? strerror(errno) : "");
  r = waitpid(-1, &status, 0x4000);  /* an invalid option */
  printf("bad option: %d %s\n", r, r < 0 ? strerror(errno) : "");
}

static volatile sig_atomic_t sigchld_seen;
static void on_sigchld(int sig) { (void)sig; sigchld_seen = 1; }

static void case_sigchld(void) {
  struct sigaction sa = {.sa_handler = on_sigchld};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  sigset_t wait_for = old;
  sigdelset(&wait_for, SIGCHLD);
  while (!sigchld_seen) sigsuspend(&wait_for);
  sigprocmask(SIG_SETMASK, &old, NULL);
  waitpid(pid, NULL, 0);
  printf("SIGCHLD handler ran: %d\n", (int)sigchld_seen);
  signal(SIGCHLD, SIG_DFL);
}

static void case_groups_and_sessions(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int ok1 = setpgid(0, 0) == 0 && getpgrp() == getpid() && getpgid(0) == getpid();
    pid_t sid = setsid();
    printf("child: own group %d; setsid %s (already a group leader)\n", ok1, sid < 0 ? strerror(errno) : "ok");
    fflush(stdout);
    pid_t grandchild = fork();
    if (grandchild == 0) {
      int ok2 = setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
      printf("grandchild: new session %d\n", ok2);
      fflush(stdout);
      _exit(0);
    }
    waitpid(grandchild, NULL, 0);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("setpgid on a non-child: %s\n", setpgid(1, 1) < 0 ? strerror(errno) : "ok");
}

static void case_usage(void) {
  struct rusage ru;
  int r1 = getrusage(RUSAGE_SELF, &ru);
  int r2 = getrusage(RUSAGE_CHILDREN, &ru);
  int r3 = getrusage(42, &ru);
  int e3 = errno;
  struct tms t;
  clock_t c = times(&t);
  printf("getrusage: %d %d %d (%s); times: %s\n", r1, r2, r3, strerror(e3), c == (clock_t)-1 ? "failed" : "ok");
  errno = 0;
  int before = getpriority(PRIO_PROCESS, 0);
  int rs = setpriority(PRIO_PROCESS, 0, before + 1);
  int after = getpriority(PRIO_PROCESS, 0);
  printf("nice: raised by %d (rc %d)\n", after - before, rs);
}

int main(int argc, char** argv) {
  if (argc >= 2 && (strncmp(argv[1], "args", 4) == 0 || strstr(argv[1], "/script"))) return mode_args(argc, argv);
  if (argc >= 4 && strcmp(argv[1], "fds") == 0) return mode_fds(argv);
  if (argc >= 2 && strcmp(argv[1], "sigs") == 0) return mode_sigs();
  if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);

  /* A helper mode that fell through here must not start the cases again
   * (each forks several children). */
  if (getenv("EMU_PROCESSES_RUNNING")) {
    fprintf(stderr, "processes: unknown helper mode %s\n", argc > 1 ? argv[1] : "(none)");
    return 2;
  }
  setenv("EMU_PROCESSES_RUNNING", "1", 1);
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return perror("readlink /proc/self/exe"), 1;
  self[n] = '\0';
  if (!mkdtemp(tmpdir)) return perror("mkdtemp"), 1;
  setvbuf(stdout, NULL, _IOLBF, 0);

  case_fork_exit_statuses();
  case_deaths_by_signal();
  case_pipe_exec();
  case_exec_errors_and_scripts();
  case_cloexec();
  case_signals_across_exec();
  case_vfork_and_spawn();
  case_clone3();
  case_waitid_and_nohang();
  case_sigchld();
  case_groups_and_sessions();
  case_usage();

  const char* names[] = {"plain.txt", "garbage", "empty", "script", "outer"};
  char path[PATH_MAX];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
    unlink(path);
  }
  rmdir(tmpdir);
  return 0;
}
