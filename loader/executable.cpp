#include "loader/executable.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace emu::loader {

LoadError host_load_error(int err) { return LoadError{std::strerror(err), err == ENOENT ? 127 : 126, err}; }

std::variant<int, LoadError> open_executable(const std::string& path) {
  // O_NONBLOCK: a FIFO must not block the open (it is EACCES below, as
  // execve's is, without opening); O_NOCTTY: nor may a terminal become a
  // session leader's controlling terminal. Neither changes a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return host_load_error(errno);
  struct ::stat st {};
  LoadError error;
  bool failed = true;
  if (::fstat(fd, &st) != 0) {
    error = host_load_error(errno);
  } else if (S_ISDIR(st.st_mode)) {
    error = LoadError{std::strerror(EISDIR), 126, EACCES};
  } else if (!S_ISREG(st.st_mode)) {
    error = host_load_error(EACCES);
  } else if (::access(path.c_str(), X_OK) != 0) {
    error = host_load_error(errno);
  } else {
    failed = false;
  }
  if (!failed) return fd;
  ::close(fd);
  return error;
}

std::string resolved_exe_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

}  // namespace emu::loader
