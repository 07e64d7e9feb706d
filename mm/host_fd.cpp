#include "mm/host_fd.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>

namespace emu::mm {

namespace {

// One bit per descriptor number; emu's own are normally below 1024, and a
// larger RLIMIT_NOFILE only matters when moving high failed.
constexpr int kTrackedFds = 1 << 16;
uint64_t own_fds[kTrackedFds / 64];

void mark_own(int fd, bool own) {
  if (fd < 0 || fd >= kTrackedFds) return;
  const uint64_t bit = uint64_t{1} << (fd % 64);
  own_fds[fd / 64] = own ? own_fds[fd / 64] | bit : own_fds[fd / 64] & ~bit;
}

int move_high(int fd) {
  rlimit limit{};
  long top = 1024;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1024) top = long(limit.rlim_cur);
  const long floor = top - 32;
  if (fd < 0 || fd >= floor || floor <= 2) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, int(floor));
  if (high < 0) return fd;
  ::close(fd);
  return high;
}

}  // namespace

int move_fd_high(int fd) {
  fd = move_high(fd);
  mark_own(fd, true);
  return fd;
}

bool is_own_fd(int fd) { return fd >= 0 && fd < kTrackedFds && (own_fds[fd / 64] >> (fd % 64)) & 1; }

void close_own_fd(int fd) {
  mark_own(fd, false);
  ::close(fd);
}

}  // namespace emu::mm
