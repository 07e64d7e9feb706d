// Isolation probes: what a guest must not reach under emu (issue 7). Run by
// tests/integration/check_isolation.py, which knows what each mode must
// print under emu; "fds" is also compared with the native run.
//
//   isolation proc    opens of /proc files that would reach an emulator's
//                     host memory (ours and a child's), process_vm_readv/
//                     writev and ptrace: one line each, "refused ERRNO" or
//                     "OPEN" (a native run opens most of them)
//   isolation fds     emu's own descriptors (the backing of shared
//                     mappings) are invisible: none seen open in 3..1023,
//                     and closing or dup2-ing over every one of those
//                     numbers leaves the shared mappings working (the same
//                     output natively)
//   isolation probe   prints its own /proc/self/maps and "ready", then for
//                     each hex address read from stdin: whether a load
//                     from it faults and what write(2) from it returns
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_open(const char* what, int fd) {
  if (fd >= 0) {
    printf("%s: OPEN\n", what);
    close(fd);
  } else {
    printf("%s: refused %s\n", what, strerrorname_np(errno));
  }
}

static void report_call(const char* what, long r) {
  if (r >= 0) printf("%s: OK\n", what);
  else printf("%s: refused %s\n", what, strerrorname_np(errno));
}

static int proc_mode(void) {
  char path[128];
  const char* names[] = {"mem", "pagemap", "map_files"};
  for (int i = 0; i < 3; ++i) {
    snprintf(path, sizeof path, "/proc/self/%s", names[i]);
    report_open(path, open(path, O_RDONLY | (i == 2 ? O_DIRECTORY : 0)));
  }
  snprintf(path, sizeof path, "/proc/%d/mem", getpid());
  report_open("/proc/PID/mem", open(path, O_RDWR));
  snprintf(path, sizeof path, "/proc/self/task/%ld/mem", (long)syscall(SYS_gettid));
  report_open("/proc/self/task/TID/mem", open(path, O_RDONLY));
  report_open("/proc/thread-self/mem", open("/proc/thread-self/mem", O_RDONLY));
  int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
  report_open("openat(/proc/self, mem)", openat(dir, "mem", O_RDONLY));
  close(dir);
  report_open("/proc/self/fd/../mem", open("/proc/self/fd/../mem", O_RDONLY));
  report_open("/proc/self/cwd/../../proc/self/mem", open("/proc/self/cwd/../../proc/self/mem", O_RDONLY));

  static char secret[64] = "guest data";
  char buf[64];
  struct iovec local = {buf, sizeof buf}, remote = {secret, sizeof secret};
  report_call("process_vm_readv(self)", syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0));
  report_call("process_vm_writev(self)", syscall(SYS_process_vm_writev, getpid(), &local, 1, &remote, 1, 0));

  // A child: its memory (under emu, its emulator's) is out of reach too.
  int ready[2];
  if (pipe(ready) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    if (write(ready[1], "x", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c;
  close(ready[1]);
  if (read(ready[0], &c, 1) != 1) return 1;
  snprintf(path, sizeof path, "/proc/%d/mem", child);
  report_open("/proc/CHILD/mem", open(path, O_RDONLY));
  report_call("process_vm_readv(child)", syscall(SYS_process_vm_readv, child, &local, 1, &remote, 1, 0));
  report_call("ptrace(PTRACE_ATTACH, child)", syscall(SYS_ptrace, PTRACE_ATTACH, child, 0, 0));
  report_call("ptrace(PTRACE_PEEKDATA, child)", syscall(SYS_ptrace, PTRACE_PEEKDATA, child, secret, 0));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  report_call("ptrace(PTRACE_TRACEME)", syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
  return 0;
}

static int fds_mode(void) {
  // What the caller handed us (the test runs us with 0, 1 and 2 only, but
  // a shell may pass more): left alone, and not counted.
  static char inherited[1024];
  for (int fd = 3; fd < 1024; ++fd) inherited[fd] = fcntl(fd, F_GETFD) >= 0;

  // Shared memory the emulator backs with descriptors of its own.
  char* anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char name[] = "/tmp/emu-isolation-XXXXXX";
  int file = mkstemp(name);
  if (anon == MAP_FAILED || file < 0 || ftruncate(file, 4096) != 0) return 1;
  char* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
  if (shared == MAP_FAILED) return 1;
  close(file);
  strcpy(anon, "anonymous shared");
  strcpy(shared, "file shared");

  int seen = 0, closed = 0;
  for (int fd = 3; fd < 1024; ++fd)
    if (!inherited[fd] && fcntl(fd, F_GETFD) >= 0) ++seen;
  for (int fd = 3; fd < 1024; ++fd)
    if (!inherited[fd] && close(fd) == 0) ++closed;
  printf("descriptors the guest did not open, seen in 3..1023: %d; closed: %d\n", seen, closed);
  // Natively all of these succeed; under emu, not onto its own (EBADF).
  for (int fd = 900; fd < 1024; ++fd)
    if (!inherited[fd] && dup2(0, fd) == fd) close(fd);

  // The mappings still work, and the file mapping still writes through.
  pid_t child = fork();
  if (child == 0) {
    strcpy(anon + 4096, "from the child");
    _exit(0);
  }
  waitpid(child, NULL, 0);
  strcat(shared, " and written");
  msync(shared, 4096, MS_SYNC);
  char back[64] = {0};
  int again = open(name, O_RDONLY);
  if (again < 0 || pread(again, back, sizeof back - 1, 0) < 0) return 1;
  close(again);
  unlink(name);
  printf("after closing and dup2 over 900..1023: anonymous: %s; child wrote: %s; file reads back: %s\n", anon,
         anon + 4096, back);
  return 0;
}

static sigjmp_buf probe_jump;
static void on_fault(int sig) { siglongjmp(probe_jump, sig); }

static int probe_mode(void) {
  FILE* maps = fopen("/proc/self/maps", "r");
  char line[512];
  while (maps && fgets(line, sizeof line, maps)) fputs(line, stdout);
  if (maps) fclose(maps);
  printf("ready\n");
  fflush(stdout);
  struct sigaction sa = {0};
  sa.sa_handler = on_fault;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  int sink[2];
  if (pipe(sink) != 0) return 1;
  unsigned long long addr;
  while (scanf("%llx", &addr) == 1) {
    volatile const char* p = (const char*)(uintptr_t)addr;
    const char* load = "read";
    int sig = sigsetjmp(probe_jump, 1);
    if (sig == 0) (void)*p;
    else load = sig == SIGSEGV ? "SIGSEGV" : "SIGBUS";
    long w = write(sink[1], (const void*)(uintptr_t)addr, 1);
    char drain;
    if (w == 1 && read(sink[0], &drain, 1) != 1) return 1;
    printf("%llx load:%s write:%s\n", addr, load, w == 1 ? "ok" : strerrorname_np(errno));
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "proc") == 0) return proc_mode();
  if (strcmp(mode, "fds") == 0) return fds_mode();
  if (strcmp(mode, "probe") == 0) return probe_mode();
  fprintf(stderr, "usage: isolation proc|fds|probe\n");
  return 2;
}
