// File-descriptor system calls: data transfer, descriptor management, and
// per-descriptor queries. Transfers go straight between the file and guest
// memory through host iovecs (no bounce buffer).
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {

// Host readv/writev take at most IOV_MAX entries; a guest buffer spread over
// many non-adjacent frames may need more, so transfers go in batches.
constexpr size_t kHostIovMax = 1024;

// The error a zero-byte transfer on `fd` gets (EBADF, EISDIR, EINVAL...), so a
// bad descriptor is reported before a bad buffer, as the kernel does.
int64_t zero_length_probe(int fd, mm::Access access) {
  if (access == mm::Access::Write) return host_result(::read(fd, nullptr, 0));
  return host_result(::write(fd, nullptr, 0));
}

// One transfer between `fd` and the host iovecs `iov`. `access` is what
// happens to guest memory: Write for read(2), Read for write(2). offset < 0:
// use and advance the file position. Reads make one host call (a short read is
// a complete answer); writes continue across batches until one comes up short.
int64_t transfer(int fd, std::vector<iovec>& iov, mm::Access access, int64_t offset) {
  if (iov.empty()) {
    if (offset < 0) return zero_length_probe(fd, access);
    return access == mm::Access::Write ? host_result(::pread(fd, nullptr, 0, offset))
                                       : host_result(::pwrite(fd, nullptr, 0, offset));
  }
  int64_t total = 0;
  for (size_t i = 0; i < iov.size(); i += kHostIovMax) {
    const int n = int(std::min(kHostIovMax, iov.size() - i));
    uint64_t want = 0;
    for (int k = 0; k < n; ++k) want += iov[i + k].iov_len;
    ssize_t r;
    if (access == mm::Access::Write)
      r = offset < 0 ? ::readv(fd, &iov[i], n) : ::preadv(fd, &iov[i], n, offset + total);
    else
      r = offset < 0 ? ::writev(fd, &iov[i], n) : ::pwritev(fd, &iov[i], n, offset + total);
    if (r < 0) return total > 0 ? total : host_result(r);
    total += r;
    if (access == mm::Access::Write || uint64_t(r) < want) break;
  }
  return total;
}

int64_t simple_rw(Process& p, const SyscallArgs& a, mm::Access access, bool positioned) {
  const int fd = host_fd(a.i32(0));
  const uint64_t count = std::min(a[2], kMaxRwCount);
  const int64_t offset = positioned ? int64_t(a[3]) : -1;
  if (positioned && offset < 0) return -EINVAL;
  std::vector<iovec> iov;
  if (count > 0 && !p.mem->host_iovecs(mm::GuestAddr{a[1]}, count, access, iov)) {
    int64_t probe = zero_length_probe(fd, access);
    return probe < 0 ? probe : -EFAULT;
  }
  return transfer(fd, iov, access, offset);
}

int64_t vector_rw(Process& p, const SyscallArgs& a, mm::Access access) {
  const int fd = host_fd(a.i32(0));
  const int64_t count = a.i32(2);
  if (count < 0 || uint64_t(count) > abi::kIovMax) return -EINVAL;
  std::vector<abi::Iovec> guest(static_cast<size_t>(count));
  if (count > 0 && !p.mem->copy_in(guest.data(), mm::GuestAddr{a[1]}, guest.size() * sizeof(abi::Iovec)))
    return -EFAULT;
  // Linux: a length that is negative as ssize_t is EINVAL; the total is
  // clamped to MAX_RW_COUNT (later buffers are shortened or dropped).
  uint64_t budget = kMaxRwCount;
  std::vector<iovec> iov;
  for (const abi::Iovec& v : guest) {
    if (int64_t(v.iov_len) < 0) return -EINVAL;
  }
  for (const abi::Iovec& v : guest) {
    const uint64_t len = std::min(v.iov_len, budget);
    budget -= len;
    if (len > 0 && !p.mem->host_iovecs(mm::GuestAddr{v.iov_base}, len, access, iov)) {
      int64_t probe = zero_length_probe(fd, access);
      return probe < 0 ? probe : -EFAULT;
    }
  }
  return transfer(fd, iov, access, -1);
}

}  // namespace

int64_t put_stat(Process& p, uint64_t addr, const struct ::stat& st) {
  abi::Stat g{};
  g.st_dev = st.st_dev;
  g.st_ino = st.st_ino;
  g.st_nlink = st.st_nlink;
  g.st_mode = st.st_mode;
  g.st_uid = st.st_uid;
  g.st_gid = st.st_gid;
  g.st_rdev = st.st_rdev;
  g.st_size = st.st_size;
  g.st_blksize = st.st_blksize;
  g.st_blocks = st.st_blocks;
  g.st_atime_sec = uint64_t(st.st_atim.tv_sec);
  g.st_atime_nsec = uint64_t(st.st_atim.tv_nsec);
  g.st_mtime_sec = uint64_t(st.st_mtim.tv_sec);
  g.st_mtime_nsec = uint64_t(st.st_mtim.tv_nsec);
  g.st_ctime_sec = uint64_t(st.st_ctim.tv_sec);
  g.st_ctime_nsec = uint64_t(st.st_ctim.tv_nsec);
  return write_guest(p, addr, g) ? 0 : -EFAULT;
}

int64_t sys_read(Process& p, const SyscallArgs& a) { return simple_rw(p, a, mm::Access::Write, false); }
int64_t sys_write(Process& p, const SyscallArgs& a) { return simple_rw(p, a, mm::Access::Read, false); }
int64_t sys_pread64(Process& p, const SyscallArgs& a) { return simple_rw(p, a, mm::Access::Write, true); }
int64_t sys_pwrite64(Process& p, const SyscallArgs& a) { return simple_rw(p, a, mm::Access::Read, true); }
int64_t sys_readv(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Write); }
int64_t sys_writev(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Read); }

int64_t sys_openat(Process& p, const SyscallArgs& a) {
  std::string path;
  if (int64_t r = read_path(p, a[1], path); r < 0) return r;
  const int flags = a.i32(2);
  bool handled = false;
  int64_t r = open_emulated_proc_file(p, path, flags, handled);
  if (handled) return r;
  return host_result(::syscall(SYS_openat, host_fd(a.i32(0)), path.c_str(), flags, mode_t(a.i32(3))));
}

int64_t sys_open(Process& p, const SyscallArgs& a) {
  SyscallArgs at;
  at.v[0] = uint64_t(int64_t(abi::kAtFdcwd));
  at.v[1] = a[0];
  at.v[2] = a[1];
  at.v[3] = a[2];
  return sys_openat(p, at);
}

int64_t sys_close(Process&, const SyscallArgs& a) { return host_result(::close(host_fd(a.i32(0)))); }

int64_t sys_lseek(Process&, const SyscallArgs& a) {
  return host_result(::lseek(host_fd(a.i32(0)), off_t(a[1]), a.i32(2)));
}

// Only requests whose argument layout is known are passed to the host; any
// other request is ENOTTY (what Linux answers for a request the file does not
// implement), after the descriptor itself is checked.
int64_t sys_ioctl(Process& p, const SyscallArgs& a) {
  const int fd = host_fd(a.i32(0));
  const uint32_t request = uint32_t(a[1]);
  const uint64_t arg = a[2];
  auto out = [&](auto value, unsigned long req) -> int64_t {
    int64_t r = host_result(::syscall(SYS_ioctl, fd, req, &value));
    if (r < 0) return r;
    return write_guest(p, arg, value) ? r : -EFAULT;
  };
  auto in = [&](auto value, unsigned long req) -> int64_t {
    if (::fcntl(fd, F_GETFD) < 0) return host_result(-1);
    if (!read_guest(p, arg, value)) return -EFAULT;
    return host_result(::syscall(SYS_ioctl, fd, req, &value));
  };
  switch (request) {
    case 0x5401: return out(abi::Termios{}, request);              // TCGETS
    case 0x5402: case 0x5403: case 0x5404:                         // TCSETS, TCSETSW, TCSETSF
      return in(abi::Termios{}, request);
    case 0x5413: return out(abi::Winsize{}, request);              // TIOCGWINSZ
    case 0x5414: return in(abi::Winsize{}, request);               // TIOCSWINSZ
    case 0x540f: return out(int32_t{}, request);                   // TIOCGPGRP
    case 0x5410: return in(int32_t{}, request);                    // TIOCSPGRP
    case 0x541b: return out(int32_t{}, request);                   // FIONREAD
    case 0x5421: return in(int32_t{}, request);                    // FIONBIO
    case 0x5450: case 0x5451:                                      // FIONCLEX, FIOCLEX
      return host_result(::syscall(SYS_ioctl, fd, request, 0));
    default:
      if (::fcntl(fd, F_GETFD) < 0) return host_result(-1);
      return -ENOTTY;
  }
}

int64_t sys_fcntl(Process& p, const SyscallArgs& a) {
  const int fd = host_fd(a.i32(0));
  const int cmd = a.i32(1);
  switch (cmd) {
    case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD: case F_GETFL: case F_SETFL:
    case F_GETOWN: case F_SETOWN: case F_GETPIPE_SZ: case F_SETPIPE_SZ: case F_ADD_SEALS: case F_GET_SEALS:
      return host_result(::syscall(SYS_fcntl, fd, cmd, a[2]));
    case F_GETLK: case F_SETLK: case F_SETLKW: case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW: {
      if (::fcntl(fd, F_GETFD) < 0) return host_result(-1);
      abi::Flock g{};
      if (!read_guest(p, a[2], g)) return -EFAULT;
      struct ::flock h{};
      h.l_type = g.l_type;
      h.l_whence = g.l_whence;
      h.l_start = g.l_start;
      h.l_len = g.l_len;
      h.l_pid = g.l_pid;
      int64_t r = host_result(::fcntl(fd, cmd, &h));
      if (r < 0) return r;
      if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        g.l_type = h.l_type;
        g.l_whence = h.l_whence;
        g.l_start = h.l_start;
        g.l_len = h.l_len;
        g.l_pid = h.l_pid;
        if (!write_guest(p, a[2], g)) return -EFAULT;
      }
      return r;
    }
    default:
      if (::fcntl(fd, F_GETFD) < 0) return host_result(-1);
      return -EINVAL;
  }
}

int64_t sys_dup(Process&, const SyscallArgs& a) { return host_result(::dup(host_fd(a.i32(0)))); }
int64_t sys_dup2(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_dup2, host_fd(a.i32(0)), host_fd(a.i32(1))));
}
int64_t sys_dup3(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_dup3, host_fd(a.i32(0)), host_fd(a.i32(1)), a.i32(2)));
}

int64_t sys_pipe2(Process& p, const SyscallArgs& a) {
  int fds[2];
  if (int64_t r = host_result(::pipe2(fds, a.i32(1))); r < 0) return r;
  if (!p.mem->copy_out(mm::GuestAddr{a[0]}, fds, sizeof fds)) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

int64_t sys_pipe(Process& p, const SyscallArgs& a) {
  SyscallArgs b;
  b.v[0] = a[0];
  return sys_pipe2(p, b);
}

int64_t sys_sendfile(Process& p, const SyscallArgs& a) {
  const int out_fd = host_fd(a.i32(0)), in_fd = host_fd(a.i32(1));
  const size_t count = size_t(std::min(a[3], kMaxRwCount));
  if (a[2] == 0) return host_result(::sendfile(out_fd, in_fd, nullptr, count));
  int64_t offset = 0;
  if (!read_guest(p, a[2], offset)) return -EFAULT;
  off_t off = offset;
  int64_t r = host_result(::sendfile(out_fd, in_fd, &off, count));
  if (r >= 0) {
    offset = off;
    if (!write_guest(p, a[2], offset)) return -EFAULT;
  }
  return r;
}

int64_t sys_getdents64(Process& p, const SyscallArgs& a) {
  const int fd = host_fd(a.i32(0));
  // Entries are read into a host buffer (the record format is the kernel's, so
  // it is copied verbatim); the guest buffer is checked first so that no
  // entries are consumed when it is bad.
  const size_t count = size_t(std::min<uint64_t>(a.i32(2) < 0 ? 0 : uint64_t(uint32_t(a.i32(2))), 1u << 16));
  std::vector<iovec> check;
  if (count > 0 && !p.mem->host_iovecs(mm::GuestAddr{a[1]}, count, mm::Access::Write, check)) {
    if (::fcntl(fd, F_GETFD) < 0) return host_result(-1);
    return -EFAULT;
  }
  std::vector<char> buf(std::max<size_t>(count, 1));
  int64_t r = host_result(::syscall(SYS_getdents64, fd, buf.data(), count));
  if (r > 0 && !p.mem->copy_out(mm::GuestAddr{a[1]}, buf.data(), size_t(r))) return -EFAULT;
  return r;
}

int64_t sys_fstat(Process& p, const SyscallArgs& a) {
  struct ::stat st {};
  if (int64_t r = host_result(::fstat(host_fd(a.i32(0)), &st)); r < 0) return r;
  return put_stat(p, a[1], st);
}

int64_t sys_ftruncate(Process&, const SyscallArgs& a) {
  return host_result(::ftruncate(host_fd(a.i32(0)), off_t(a[1])));
}
int64_t sys_fsync(Process&, const SyscallArgs& a) { return host_result(::fsync(host_fd(a.i32(0)))); }
int64_t sys_fdatasync(Process&, const SyscallArgs& a) { return host_result(::fdatasync(host_fd(a.i32(0)))); }
int64_t sys_fadvise64(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_fadvise64, host_fd(a.i32(0)), a[1], a[2], a.i32(3)));
}

}  // namespace emu::syscalls
