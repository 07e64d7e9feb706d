/* rss_run RESULT_FILE PROGRAM [ARGS...]
 *
 * Runs PROGRAM and writes "STATUS MAX_RSS_KIB WALL_SECONDS\n" to RESULT_FILE
 * (STATUS is the exit code, or -N when killed by signal N).
 *
 * Why a separate tiny static program: Linux's ru_maxrss of a child includes
 * the high-water mark of the address space it had before execve, i.e. of the
 * process that forked it. Forked from Python that is ~15 MiB, which would
 * swamp the figures we measure; forked from this program it is a few pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rss_run RESULT_FILE PROGRAM [ARGS...]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = vfork();
  if (pid < 0) {
    perror("rss_run: vfork");
    return 2;
  }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("rss_run: wait4");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  FILE* out = fopen(argv[1], "w");
  if (!out) {
    perror("rss_run: result file");
    return 2;
  }
  fprintf(out, "%d %ld %.6f\n", code, ru.ru_maxrss, seconds);
  fclose(out);
  return 0;
}
