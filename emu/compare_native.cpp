#include "emu/compare_native.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emu/driver.h"
#include "emu/peak_rss.h"
#include "syscalls/signal_host.h"

extern char** environ;

namespace emu {
namespace {

// One finished run.
struct Measured {
  int wait_status = 0;
  double seconds = 0;
  long max_rss_kib = 0;  // VmHWM at its exit (emu/peak_rss.h)
};

// Written by the emulated child into a MAP_SHARED page; read by the parent
// after wait4 (the child's exit orders the writes before the read).
struct SharedReport {
  uint64_t valid;
  uint64_t frames_peak;
};

void report_to_parent(void* ctx, const GuestEndReport& report) {
  auto* shared = static_cast<volatile SharedReport*>(ctx);
  shared->frames_peak = report.frames_peak;
  shared->valid = 1;
}

// How both runs get the same standard input (compare_native.h).
struct StdinPlan {
  int captured_fd = -1;  // memfd holding all of a piped stdin
  off_t rewind_to = -1;  // offset of a regular-file stdin
};

// Copies everything from fd 0 into `out`: splice (no user buffer) while fd 0
// is a pipe, read/write otherwise (sockets). False on error.
bool copy_stdin(int out) {
  for (;;) {
    const ssize_t n = splice(0, nullptr, out, nullptr, 1 << 20, SPLICE_F_MOVE);
    if (n == 0) return true;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EINVAL) return false;
    break;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(out, buf + done, size_t(n - done));
      if (w < 0) return false;
      done += w;
    }
  }
}

StdinPlan plan_stdin() {
  StdinPlan plan;
  struct stat st {};
  if (fstat(0, &st) != 0) return plan;  // closed: both runs see it closed
  if (S_ISREG(st.st_mode)) {
    plan.rewind_to = lseek(0, 0, SEEK_CUR);
  } else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    const int fd = memfd_create("emu-compare-native-stdin", MFD_CLOEXEC);
    if (fd >= 0 && copy_stdin(fd)) {
      plan.captured_fd = fd;
    } else {
      std::fprintf(stderr, "emu: --compare-native: could not capture stdin (%s); the native run reads it first\n",
                   std::strerror(errno));
      if (fd >= 0) close(fd);
    }
  }
  return plan;
}

// Sets up stdin for the next run: in the parent before fork (offsets), and
// in the child after it (descriptor 0).
void rewind_stdin(const StdinPlan& plan) {
  if (plan.captured_fd >= 0) lseek(plan.captured_fd, 0, SEEK_SET);
  if (plan.rewind_to >= 0) lseek(0, plan.rewind_to, SEEK_SET);
}
void install_stdin_in_child(const StdinPlan& plan) {
  if (plan.captured_fd < 0) return;
  dup2(plan.captured_fd, 0);
  close(plan.captured_fd);
}

double now_seconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// Forks, runs `child` (which must not return) in the child, and waits,
// measuring its peak RSS. Returns false when fork or waiting fails.
template <typename Child>
bool run_measured(Measured& m, Child&& child) {
  std::fflush(nullptr);
  const double start = now_seconds();
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    peak_rss_child_begin();  // untraced if refused: peak_rss_wait falls back to ru_maxrss
    child();
  }
  peak_rss_result result;
  if (peak_rss_wait(pid, &result) != 0) return false;
  m.seconds = now_seconds() - start;
  m.wait_status = result.wait_status;
  m.max_rss_kib = result.peak_rss_kib;
  return true;
}

std::string describe_status(int wait_status) {
  if (WIFEXITED(wait_status)) return fmt::format("exit {}", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(wait_status));
    return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", WTERMSIG(wait_status));
  }
  return "?";
}

std::string ratio(double emulated, double native) {
  if (native <= 0) return "-";
  return fmt::format("{:.2f}x", emulated / native);
}

void print_table(const std::string& program, const Measured& native, const Measured& emulated, bool have_peak,
                 uint64_t frames_peak) {
  const uint64_t guest_kib = frames_peak * 4;
  std::string out = fmt::format("emu: --compare-native {}\n", program);
  out += fmt::format("  {:<10} {:<9} {:>12} {:>12} {:>18}\n", "run", "ended", "wall time", "max RSS", "guest peak RSS");
  out += fmt::format("  {:<10} {:<9} {:>10.4f} s {:>8} KiB {:>14} KiB\n", "native", describe_status(native.wait_status),
                     native.seconds, native.max_rss_kib, native.max_rss_kib);
  out += fmt::format("  {:<10} {:<9} {:>10.4f} s {:>8} KiB {:>18}\n", "emu", describe_status(emulated.wait_status),
                     emulated.seconds, emulated.max_rss_kib,
                     have_peak ? fmt::format("{} KiB", guest_kib) : std::string("-"));
  out += fmt::format("  {:<20} {:>12} {:>12} {:>18}\n", "emu/native", ratio(emulated.seconds, native.seconds),
                     ratio(double(emulated.max_rss_kib), double(native.max_rss_kib)),
                     have_peak ? ratio(double(guest_kib), double(native.max_rss_kib)) : "-");
  out +=
      "  max RSS: each run's VmHWM at its exit. guest peak RSS: natively the same figure;\n"
      "  under emu, the guest's frames peak x 4 KiB (emu's own memory is roughly the\n"
      "  difference).\n";
  std::fputs(out.c_str(), stderr);
}

}  // namespace

int run_compare_native(const Options& options) {
#if !(defined(__x86_64__) && defined(__linux__))
  std::fprintf(stderr, "emu: --compare-native runs PROGRAM natively, which needs an x86-64 Linux host\n");
  return 2;
#else
  const std::string path = resolve_program(options.program);
  // Built before fork: the children only exec or run.
  std::vector<char*> argv;
  for (const std::string& a : options.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Options emulated_options = options;
  emulated_options.compare_native = false;

  auto* shared = static_cast<SharedReport*>(
      mmap(nullptr, sizeof(SharedReport), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (shared == MAP_FAILED) {
    std::fprintf(stderr, "emu: --compare-native: mmap: %s\n", std::strerror(errno));
    return 1;
  }
  shared->valid = 0;
  const StdinPlan stdin_plan = plan_stdin();

  Measured native, emulated;
  rewind_stdin(stdin_plan);
  bool forked = run_measured(native, [&] {
    install_stdin_in_child(stdin_plan);
    execve(path.c_str(), argv.data(), environ);
    const int e = errno;
    std::fprintf(stderr, "emu: %s: native run: %s\n", options.program.c_str(), std::strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  });
  rewind_stdin(stdin_plan);
  forked = forked && run_measured(emulated, [&] {
    install_stdin_in_child(stdin_plan);
    RunHooks hooks;
    hooks.guest_ended = report_to_parent;
    hooks.ctx = shared;
    std::exit(run_program(emulated_options, hooks));
  });
  if (!forked) {
    std::fprintf(stderr, "emu: --compare-native: fork or wait: %s\n", std::strerror(errno));
    return 1;
  }

  print_table(options.program, native, emulated, shared->valid != 0, shared->frames_peak);
  if (WIFSIGNALED(emulated.wait_status)) syscalls::die_by_signal(WTERMSIG(emulated.wait_status));
  return WIFEXITED(emulated.wait_status) ? WEXITSTATUS(emulated.wait_status) : 1;
#endif
}

}  // namespace emu
