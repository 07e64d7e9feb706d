// emu/peak_rss: the peak-RSS measurement behind rss_run, --compare-native
// and --stats. Children here touch known amounts of memory; the figures must
// bracket them, and tracing must not change how the child ends.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <catch2/catch.hpp>

#include "emu/peak_rss.h"

namespace {

constexpr long kMiB = 1024;  // in KiB

// Forks a traced child that runs `body` and exits with its result.
template <typename Body>
peak_rss_result run_child(Body body) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    peak_rss_child_begin();
    _exit(body());
  }
  peak_rss_result r{};
  REQUIRE(peak_rss_wait(pid, &r) == 0);
  return r;
}

int touch_and_keep(long kib) {
  auto* p = static_cast<char*>(mmap(nullptr, size_t(kib) * 1024, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (p == MAP_FAILED) return 99;
  std::memset(p, 1, size_t(kib) * 1024);
  return 7;
}

}  // namespace

TEST_CASE("peak_rss_counts_memory_held_until_exit_exactly_enough", "[peak_rss]") {
  const long before = proc_status_kib(0, "VmRSS");
  REQUIRE(before > 0);
  const auto r = run_child([] { return touch_and_keep(16 * kMiB); });
  REQUIRE(WIFEXITED(r.wait_status));
  CHECK(WEXITSTATUS(r.wait_status) == 7);
  // The child is a fork of this test (its RSS counts) plus 16 MiB touched.
  CHECK(r.peak_rss_kib >= 16 * kMiB);
  CHECK(r.peak_rss_kib <= 16 * kMiB + before + 2 * kMiB);
}

TEST_CASE("peak_rss_keeps_a_peak_that_was_unmapped_before_exit", "[peak_rss]") {
  const auto r = run_child([] {
    const size_t len = size_t(32 * kMiB) * 1024;
    auto* p = static_cast<char*>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) return 99;
    std::memset(p, 1, len);
    munmap(p, len);
    return 0;
  });
  REQUIRE(WIFEXITED(r.wait_status));
  // A mid-run peak is recorded from per-CPU counters that may lag by a batch
  // per CPU (peak_rss.h): allow 1 MiB.
  CHECK(r.peak_rss_kib >= 31 * kMiB);
}

TEST_CASE("peak_rss_passes_signals_on_and_reports_death_by_signal", "[peak_rss]") {
  // A handled signal reaches the child (the tracer must pass it on).
  const auto handled = run_child([] {
    static volatile sig_atomic_t got = 0;
    signal(SIGUSR1, [](int) { got = 1; });
    raise(SIGUSR1);
    return got ? 5 : 6;
  });
  REQUIRE(WIFEXITED(handled.wait_status));
  CHECK(WEXITSTATUS(handled.wait_status) == 5);

  const auto killed = run_child([] {
    signal(SIGTERM, SIG_DFL);  // Catch's fatal-signal handler came with the fork
    raise(SIGTERM);
    return 0;
  });
  REQUIRE(WIFSIGNALED(killed.wait_status));
  CHECK(WTERMSIG(killed.wait_status) == SIGTERM);
  CHECK(killed.peak_rss_kib > 0);
}

TEST_CASE("proc_status_kib_reads_a_field_and_rejects_unknown_ones", "[peak_rss]") {
  CHECK(proc_status_kib(0, "VmRSS") > 0);
  CHECK(proc_status_kib(0, "VmNoSuchField") == -1);
  CHECK(proc_status_kib(0, "VmRS") == -1);  // a prefix of a field is not the field
}
