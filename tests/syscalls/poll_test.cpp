// poll, ppoll, select and pselect6 through dispatch(): readiness, revents
// and fd sets written back, the time left, the signal mask for the wait,
// and the kernel's order of argument checks.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include <fmt/format.h>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;
namespace abi = emu::syscalls::abi;

namespace {

uint64_t fd_bits(std::initializer_list<int> fds) {
  uint64_t bits = 0;
  for (int fd : fds) bits |= uint64_t{1} << fd;
  return bits;
}

}  // namespace

TEST_CASE("poll_reports_ready_descriptors", "[syscalls][poll]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "x", 1) == 1);
  const abi::Pollfd fds[4] = {{pipe.fds[0], POLLIN, 0x55}, {pipe.fds[1], POLLOUT, 0}, {-1, POLLIN, 7},
                              {9999, POLLIN, 0}};
  const uint64_t addr = g.put(fds, sizeof fds);
  StraceCapture cap(g);
  CHECK(g.call(SYS_poll, addr, 4, 0) == 3);
  CHECK(cap.take() == fmt::format("poll([{{fd={0}, events=POLLIN}}, {{fd={1}, events=POLLOUT}}, "
                                  "{{fd=-1, events=POLLIN}}, {{fd=9999, events=POLLIN}}], 4, 0) = 3 "
                                  "([{{fd={0}, revents=POLLIN}}, "
                                  "{{fd={1}, revents=POLLOUT}}, {{fd=9999, revents=POLLNVAL}}])\n",
                                  pipe.fds[0], pipe.fds[1]));
  const auto out = g.get_as<std::array<abi::Pollfd, 4>>(addr);
  CHECK(out[0].revents == POLLIN);
  CHECK(out[0].events == POLLIN);  // only revents is written
  CHECK(out[1].revents == POLLOUT);
  CHECK(out[2].revents == 0);      // a negative fd is skipped and its revents cleared
  CHECK(out[3].revents == POLLNVAL);

  // Nothing ready: the timeout runs out.
  char c;
  REQUIRE(::read(pipe.fds[0], &c, 1) == 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK(g.call(SYS_poll, addr, 1, 30) == 0);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(25));
  CHECK(cap.take().ends_with(", 1, 30) = 0 (Timeout)\n"));
}

TEST_CASE("poll_checks_count_then_array", "[syscalls][poll]") {
  Guest g;
  HostPipe pipe;
  struct rlimit nofile {};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &nofile) == 0);
  CHECK(g.call(SYS_poll, kBad, nofile.rlim_cur + 1, 0) == -EINVAL);
  CHECK(g.call(SYS_poll, kBad, 1, 0) == -EFAULT);
  CHECK(g.call(SYS_poll, kBad, 0, 0) == 0);  // nothing to read
  // revents cannot be written back: EFAULT after the poll.
  const uint64_t ro = guest_page(g, kProtRead);
  CHECK(g.call(SYS_poll, ro, 1, 0) == -EFAULT);
}

TEST_CASE("ppoll_writes_back_the_time_left_and_restores_the_mask", "[syscalls][poll]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "x", 1) == 1);
  const abi::Pollfd fd{pipe.fds[0], POLLIN, 0};
  const uint64_t fds = g.put(&fd, sizeof fd, 0);
  const abi::Timespec second{1, 0};
  const uint64_t ts = g.put(&second, sizeof second, 64);
  const uint64_t usr1 = uint64_t{1} << (SIGUSR1 - 1);
  const uint64_t mask = g.put(&usr1, sizeof usr1, 128);
  g.process.signals.blocked = 0;
  StraceCapture cap(g);
  CHECK(g.call(SYS_ppoll, fds, 1, ts, mask, 8) == 1);
  const auto left = g.get_as<abi::Timespec>(ts);
  // strace: the timeout as on entry, the time left after.
  CHECK(cap.take() == fmt::format("ppoll([{{fd={}, events=POLLIN}}], 1, {{tv_sec=1, tv_nsec=0}}, [USR1], 8) = 1 "
                                  "([{{fd={}, revents=POLLIN}}], left {{tv_sec={}, tv_nsec={}}})\n",
                                  pipe.fds[0], pipe.fds[0], left.tv_sec, left.tv_nsec));
  CHECK(left.tv_sec * 1000000000 + left.tv_nsec < 1000000000);
  CHECK(left.tv_sec * 1000000000 + left.tv_nsec > 500000000);
  CHECK(g.process.signals.blocked == 0);  // the call's mask was only for the wait
  sigset_t host_mask;
  REQUIRE(::sigprocmask(SIG_SETMASK, nullptr, &host_mask) == 0);
  CHECK(!sigismember(&host_mask, SIGUSR1));

  char c;
  REQUIRE(::read(pipe.fds[0], &c, 1) == 1);
  const abi::Timespec zero{0, 0};
  g.put(&zero, sizeof zero, 64);
  CHECK(g.call(SYS_ppoll, fds, 1, ts, mask, 8) == 0);
  CHECK(cap.take() == fmt::format("ppoll([{{fd={}, events=POLLIN}}], 1, {{tv_sec=0, tv_nsec=0}}, [USR1], 8) = 0 "
                                  "(Timeout)\n", pipe.fds[0]));
  // A NULL timeout and mask: a plain poll.
  REQUIRE(::write(pipe.fds[1], "x", 1) == 1);
  CHECK(g.call(SYS_ppoll, fds, 1, 0, 0, 0) == 1);
}

TEST_CASE("ppoll_checks_timeout_then_mask_then_descriptors", "[syscalls][poll]") {
  Guest g;
  const abi::Timespec bad_ns{0, 1000000000}, negative{-1, 0}, zero{0, 0};
  const uint64_t ts_bad = g.put(&bad_ns, sizeof bad_ns, 0), ts_neg = g.put(&negative, sizeof negative, 32);
  const uint64_t ts_zero = g.put(&zero, sizeof zero, 64);
  const uint64_t empty_set = 0;
  const uint64_t set = g.put(&empty_set, sizeof empty_set, 128);
  CHECK(g.call(SYS_ppoll, kBad, 1, kBad, kBad, 8) == -EFAULT);  // the timeout is read first
  CHECK(g.call(SYS_ppoll, kBad, 1, ts_bad, kBad, 8) == -EINVAL);
  CHECK(g.call(SYS_ppoll, kBad, 1, ts_neg, kBad, 8) == -EINVAL);
  CHECK(g.call(SYS_ppoll, kBad, 1, ts_zero, set, 4) == -EINVAL);  // sigsetsize
  CHECK(g.call(SYS_ppoll, kBad, 1, ts_zero, kBad, 8) == -EFAULT);
  CHECK(g.call(SYS_ppoll, kBad, 1, ts_zero, set, 8) == -EFAULT);  // then the descriptors
}

TEST_CASE("select_rewrites_the_sets", "[syscalls][poll]") {
  Guest g;
  HostPipe ready, idle;
  REQUIRE(::write(ready.fds[1], "x", 1) == 1);
  const int n = std::max({ready.fds[0], ready.fds[1], idle.fds[0]}) + 1;
  REQUIRE(n <= 64);
  const uint64_t in = g.scratch, out = g.scratch + 64;
  const uint64_t in_bits = fd_bits({ready.fds[0], idle.fds[0]}), out_bits = fd_bits({ready.fds[1]});
  g.put(&in_bits, 8, 0);
  g.put(&out_bits, 8, 64);
  StraceCapture cap(g);
  CHECK(g.call(SYS_select, uint64_t(n), in, out, 0, 0) == 2);
  // strace shows the sets as they were on entry, and what is ready after.
  CHECK(cap.take() == fmt::format("select({}, [{} {}], [{}], NULL, NULL) = 2 (in [{}], out [{}])\n", n,
                                  std::min(ready.fds[0], idle.fds[0]), std::max(ready.fds[0], idle.fds[0]),
                                  ready.fds[1], ready.fds[0], ready.fds[1]));
  CHECK(g.get_as<uint64_t>(in) == fd_bits({ready.fds[0]}));
  CHECK(g.get_as<uint64_t>(out) == fd_bits({ready.fds[1]}));

  // The timeout left is written back.
  g.put(&in_bits, 8, 0);
  const abi::Timeval second{1, 0};
  const uint64_t tv = g.put(&second, sizeof second, 128);
  CHECK(g.call(SYS_select, uint64_t(n), in, 0, 0, tv) == 1);
  const auto left = g.get_as<abi::Timeval>(tv);
  CHECK(left.tv_sec * 1000000 + left.tv_usec < 1000000);
  CHECK(left.tv_sec * 1000000 + left.tv_usec > 500000);
  // Nothing ready within a zero timeout.
  const uint64_t idle_bits = fd_bits({idle.fds[0]});
  g.put(&idle_bits, 8, 0);
  const abi::Timeval zero{0, 0};
  g.put(&zero, sizeof zero, 128);
  cap.take();
  CHECK(g.call(SYS_select, uint64_t(n), in, 0, 0, tv) == 0);
  CHECK(cap.take().ends_with("= 0 (Timeout)\n"));
  CHECK(g.get_as<uint64_t>(in) == 0);
}

TEST_CASE("select_checks_in_linux_order", "[syscalls][poll]") {
  Guest g;
  const abi::Timeval bad_usec{0, -1};
  const uint64_t tv_bad = g.put(&bad_usec, sizeof bad_usec, 0);
  CHECK(g.call(SYS_select, uint64_t(-1), 0, 0, 0, kBad) == -EFAULT);   // the timeout first
  CHECK(g.call(SYS_select, uint64_t(-1), kBad, 0, 0, tv_bad) == -EINVAL);
  CHECK(g.call(SYS_select, uint64_t(-1), kBad, 0, 0, 0) == -EINVAL);   // n < 0 before the sets
  CHECK(g.call(SYS_select, 8, kBad, 0, 0, 0) == -EFAULT);
  const uint64_t closed = fd_bits({60});
  CHECK(g.call(SYS_select, 61, g.put(&closed, 8, 64), 0, 0, 0) == -EBADF);
}

TEST_CASE("pselect6_takes_a_sigset_pack", "[syscalls][poll]") {
  Guest g;
  HostPipe idle;
  const int n = idle.fds[0] + 1;
  const uint64_t bits = fd_bits({idle.fds[0]});
  const uint64_t in = g.put(&bits, 8, 0);
  const uint64_t usr2 = uint64_t{1} << (SIGUSR2 - 1);
  const uint64_t set = g.put(&usr2, 8, 64);
  const abi::SigsetArg pack{set, 8}, short_pack{set, 4};
  const uint64_t pk = g.put(&pack, sizeof pack, 128), pk_short = g.put(&short_pack, sizeof short_pack, 160);
  const abi::Timespec zero{0, 0}, bad{0, -5};
  const uint64_t ts = g.put(&zero, sizeof zero, 192), ts_bad = g.put(&bad, sizeof bad, 224);
  g.process.signals.blocked = 0;
  StraceCapture cap(g);
  CHECK(g.call(SYS_pselect6, uint64_t(n), in, 0, 0, ts, pk) == 0);
  CHECK(cap.take() == fmt::format("pselect6({}, [{}], NULL, NULL, {{tv_sec=0, tv_nsec=0}}, {{sigmask=[USR2], "
                                  "sigsetsize=8}}) = 0 (Timeout)\n", n, idle.fds[0]));
  CHECK(g.process.signals.blocked == 0);
  CHECK(g.call(SYS_pselect6, uint64_t(n), in, 0, 0, ts, kBad) == -EFAULT);       // the pack is read first
  CHECK(g.call(SYS_pselect6, uint64_t(n), in, 0, 0, ts_bad, pk) == -EINVAL);     // then the timeout
  CHECK(g.call(SYS_pselect6, uint64_t(n), in, 0, 0, ts, pk_short) == -EINVAL);   // then the mask size
  CHECK(g.call(SYS_pselect6, uint64_t(n), kBad, 0, 0, ts, pk) == -EFAULT);       // then the sets
  const abi::SigsetArg no_mask{0, 0};
  CHECK(g.call(SYS_pselect6, uint64_t(n), in, 0, 0, ts, g.put(&no_mask, sizeof no_mask, 256)) == 0);
}
