/* rss_run RESULT_FILE PROGRAM [ARGS...]
 *
 * Runs PROGRAM and writes "STATUS MAX_RSS_KIB WALL_SECONDS\n" to RESULT_FILE
 * (STATUS is the exit code, or -N when killed by signal N).
 *
 * MAX_RSS_KIB is PROGRAM's VmHWM read at its exit (emu/peak_rss.h says why
 * not wait4's ru_maxrss: on current kernels that is approximate, and it
 * keeps the high-water mark of the image before execve).
 *
 * Why a separate tiny static program: measured from Python, the child would
 * be forked from a ~15 MiB process; from this one it is a few pages, and it
 * waits for one child only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emu/peak_rss.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rss_run RESULT_FILE PROGRAM [ARGS...]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    perror("rss_run: fork");
    return 2;
  }
  if (pid == 0) {
    if (peak_rss_child_begin() != 0) perror("rss_run: ptrace (max RSS falls back to ru_maxrss)");
    execv(argv[2], argv + 2);
    _exit(127);
  }
  struct peak_rss_result result;
  if (peak_rss_wait(pid, &result) != 0) {
    perror("rss_run: wait4");
    return 2;
  }
  const int status = result.wait_status;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  FILE* out = fopen(argv[1], "w");
  if (!out) {
    perror("rss_run: result file");
    return 2;
  }
  fprintf(out, "%d %ld %.6f\n", code, result.peak_rss_kib, seconds);
  fclose(out);
  return 0;
}
