/* See peak_rss.h for why VmHWM at a ptrace exit stop, not ru_maxrss. */
#define _GNU_SOURCE
#include "emu/peak_rss.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int peak_rss_child_begin(void) {
  if (getenv("EMU_PEAK_RSS_NO_TRACE")) return 0; /* see peak_rss.h */
  if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) return -1;
  /* The parent sets the trace options during this stop, before anything
   * that should be measured (or execve) happens. */
  raise(SIGSTOP);
  return 0;
}

long proc_status_kib(pid_t pid, const char* field) {
  char path[64];
  if (pid == 0)
    snprintf(path, sizeof path, "/proc/self/status");
  else
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  /* read(2), not stdio: this runs in a process that may be about to exit
   * and in a static musl tool; status is a few KiB. */
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[8192];
  size_t len = 0;
  for (;;) {
    const ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len == sizeof buf - 1) break;
  }
  close(fd);
  buf[len] = '\0';
  const size_t flen = strlen(field);
  for (const char* line = buf; line && *line;) {
    if (strncmp(line, field, flen) == 0 && line[flen] == ':') return strtol(line + flen + 1, NULL, 10);
    line = strchr(line, '\n');
    if (line) ++line;
  }
  return -1;
}

/* A stop that is not ours to swallow: a signal-delivery stop is passed on;
 * a group stop (job control; PTRACE_GETSIGINFO fails with EINVAL) is resumed
 * at once, so a measured program can't be suspended with ^Z. */
static int signal_to_pass_on(pid_t pid, int sig) {
  siginfo_t info;
  if (ptrace(PTRACE_GETSIGINFO, pid, 0, &info) != 0 && errno == EINVAL) return 0;
  return sig;
}

int peak_rss_wait(pid_t pid, struct peak_rss_result* out) {
  memset(out, 0, sizeof *out);
  long hwm = -1;
  int tracing = 0;
  for (;;) {
    int status = 0;
    if (wait4(pid, &status, 0, &out->usage) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      out->wait_status = status;
      break;
    }
    if (!WIFSTOPPED(status)) continue;
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    int pass_on = 0;
    if (!tracing && sig == SIGSTOP && event == 0) {
      /* The stop of peak_rss_child_begin(). EXITKILL: a tracee must not
       * outlive a killed measurer, stopped forever at its exit. */
      ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
      tracing = 1;
    } else if (event == PTRACE_EVENT_EXIT) {
      hwm = proc_status_kib(pid, "VmHWM");
    } else if (event == 0) {
      pass_on = signal_to_pass_on(pid, sig);
    }
    ptrace(PTRACE_CONT, pid, 0, pass_on);
  }
  out->peak_rss_kib = hwm >= 0 ? hwm : out->usage.ru_maxrss;
  return 0;
}
