#include "mm/host_fd.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace emu::mm {

int move_fd_high(int fd) {
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

}  // namespace emu::mm
