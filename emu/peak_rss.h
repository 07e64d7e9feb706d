/* Peak resident memory of a process, measured the same way for a native
 * program, for emu, and for emu's own --stats.
 *
 * Why not wait4's ru_maxrss alone: since Linux 6.2 the per-mm RSS counters
 * are per-CPU (percpu_counter), and the high-water mark behind ru_maxrss is
 * taken from their approximate sum: each CPU may hold up to a batch (32
 * pages on small machines) that the sum does not see. A small static musl
 * program reads as 0 KiB, a 2052 KiB one as 1920 KiB (measured on 6.18).
 * /proc/PID/status reads the counters exactly (Linux 6.16+) and reports
 * VmHWM = max(recorded high-water mark, exact current RSS). So the child is
 * traced (PTRACE_TRACEME, stopping only at exec and exit) and VmHWM is read
 * at its exit stop, while its memory is still mapped. VmHWM also starts
 * afresh at execve, unlike ru_maxrss, which keeps the pre-exec image's mark.
 * A peak in the middle of a run is still recorded by the kernel from the
 * approximate sum (at munmap time), so it can read up to ~32 pages per CPU
 * low; a peak that lasts to the end is exact.
 *
 * Plain C: shared by build/tools/rss_run (musl, static) and emu (C++). */
#ifndef EMU_PEAK_RSS_H
#define EMU_PEAK_RSS_H

#include <sys/resource.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct peak_rss_result {
  int wait_status;    /* as from waitpid */
  long peak_rss_kib;  /* VmHWM at the exit stop; ru_maxrss if that could not be read */
  struct rusage usage; /* wait4's, for anything else the caller wants */
};

/* In the child, before execve or the work to be measured: asks to be traced
 * by the parent and stops until peak_rss_wait() takes over. Returns 0, or -1
 * (errno set) if tracing is not allowed; the child then runs unmeasured and
 * peak_rss_wait() falls back to ru_maxrss. With EMU_PEAK_RSS_NO_TRACE set
 * in the environment it does not ask (and returns 0): the sanitizer build's
 * tests (tools/sanitize.sh) need it, as LeakSanitizer cannot run in a
 * traced process. */
int peak_rss_child_begin(void);

/* In the parent: follows child `pid` (started with peak_rss_child_begin())
 * to its end, passing on every signal it receives, and fills `out`.
 * Returns 0, or -1 with errno from waitpid/wait4. */
int peak_rss_wait(pid_t pid, struct peak_rss_result* out);

/* A "Vm*:" or other kB field of /proc/<pid>/status (pid 0: self), in KiB;
 * -1 if absent or unreadable. */
long proc_status_kib(pid_t pid, const char* field);

#ifdef __cplusplus
}
#endif

#endif
