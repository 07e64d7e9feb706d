// File-descriptor system calls: data transfer, descriptor management, and
// per-descriptor queries. Transfers go straight between the file and guest
// memory through host iovecs (no bounce buffer).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <span>
#include <vector>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"
#include "syscalls/ioctls.h"

namespace emu::syscalls {

namespace {

// Host readv/writev take at most IOV_MAX entries; a guest buffer spread over
// many non-adjacent frames may need more, so transfers go in batches.
constexpr size_t kHostIovMax = 1024;

// Linux's fdget(): EBADF for a descriptor that is not open, or that is
// O_PATH (only a few calls take one: fdget_raw); else 0.
int64_t fdget_error(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return host_result(-1);
  return (flags & O_PATH) ? -EBADF : 0;
}

// One host vector transfer: readv/writev at the file position (offset < 0),
// preadv/pwritev at `offset`, or preadv2/pwritev2 when there are RWF_ flags.
ssize_t host_vector_call(int fd, const iovec* iov, int n, mm::Access access, int64_t offset, int flags) {
  if (flags != 0)
    return access == mm::Access::Write ? ::preadv2(fd, iov, n, offset < 0 ? -1 : offset, flags)
                                       : ::pwritev2(fd, iov, n, offset < 0 ? -1 : offset, flags);
  if (access == mm::Access::Write) return offset < 0 ? ::readv(fd, iov, n) : ::preadv(fd, iov, n, offset);
  return offset < 0 ? ::writev(fd, iov, n) : ::pwritev(fd, iov, n, offset);
}

// One transfer between `fd` and the host iovecs `iov` (not empty). `access`
// is what happens to guest memory: Write for read(2), Read for write(2).
// offset < 0: use and advance the file position. Reads make one host call (a
// short read is a complete answer); writes continue across batches until one
// comes up short.
int64_t transfer(int fd, std::vector<iovec>& iov, mm::Access access, int64_t offset, int flags = 0) {
  int64_t total = 0;
  for (size_t i = 0; i < iov.size(); i += kHostIovMax) {
    const int n = int(std::min(kHostIovMax, iov.size() - i));
    uint64_t want = 0;
    for (int k = 0; k < n; ++k) want += iov[i + k].iov_len;
    const ssize_t r = host_vector_call(fd, &iov[i], n, access, offset < 0 ? offset : offset + total, flags);
    if (r < 0) return total > 0 ? total : host_result(r);
    total += r;
    if (access == mm::Access::Write || uint64_t(r) < want) break;
  }
  return total;
}

// A guest buffer a transfer moves: access_ok covers [addr, addr + len); the
// first `move` bytes move (MAX_RW_COUNT clamps).
struct GuestSpan {
  uint64_t addr, len, move;
};

// What host_iovecs translated: the bytes that reach guest memory, and
// whether that is all of them.
struct Translated {
  uint64_t reach = 0;
  bool whole = true;
};

// The host iovecs for `spans` (append_guest_buffer), up to and including
// the fault marker where the translation stops. The marker also counts the
// bytes of the spans after it, so that the host sees the transfer's whole
// length, as Linux does (a pipe write that faults keeps whole pages only,
// after merging `length % PAGE_SIZE` bytes into its last buffer).
Translated host_iovecs(Process& p, std::span<const GuestSpan> spans, mm::Access access, std::vector<iovec>& iov) {
  Translated t;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (append_guest_buffer(p, spans[i].addr, spans[i].len, spans[i].move, access, iov)) {
      t.reach += spans[i].move;
      continue;
    }
    t.reach += spans[i].move - iov.back().iov_len;
    for (size_t later = i + 1; later < spans.size(); ++later) iov.back().iov_len += spans[later].move;
    t.whole = false;
    break;
  }
  return t;
}

// `spans` without their first `done` bytes.
std::vector<GuestSpan> drop_front(std::span<const GuestSpan> spans, uint64_t done) {
  std::vector<GuestSpan> rest;
  for (const GuestSpan& s : spans) {
    const uint64_t skip = std::min(done, s.move);
    done -= skip;
    if (skip < s.move || !rest.empty()) rest.push_back(GuestSpan{s.addr + skip, s.len - skip, s.move - skip});
  }
  return rest;
}

// The data phase of write(2) and its kin, from guest `spans`:
// `host_call(iov, done)` writes the host iovecs (`done` bytes already
// written, for a positioned call's offset) and returns the bytes or -errno.
// Its first call sees the buffer as the guest left it, a fault marker where
// the translation stopped, so that the host answers in Linux's order.
//
// Linux's generic_perform_write copies a chunk at a time, and when a copy
// faults it first extends the file to the write position (write_end with
// nothing copied), then faults the source in again: a page of the file's own
// mapping that lay past its end may be there now (a write that extends a
// file from its own mapping completes). So when the host took everything
// that translated (or faulted at once), the rest is translated again and
// the write goes on while that gets further.
template <class HostCall>
int64_t write_from_guest(Process& p, std::span<const GuestSpan> spans, HostCall host_call) {
  int64_t total = 0;
  bool looked_again = false;
  std::span<const GuestSpan> rest = spans;
  std::vector<GuestSpan> remaining;  // what `rest` views once the write goes on (rare)
  for (;;) {
    std::vector<iovec> iov;
    const Translated t = host_iovecs(p, rest, mm::Access::Read, iov);
    if (looked_again && t.reach == 0) return total > 0 ? total : -EFAULT;
    const int64_t r = host_call(iov, total);
    if (r < 0) {
      if (r != -EFAULT || t.whole || t.reach > 0 || looked_again) return total > 0 ? total : r;
    } else {
      total += r;
      if (t.whole || uint64_t(r) < t.reach) return total;
    }
    remaining = drop_front(rest, r > 0 ? uint64_t(r) : 0);
    rest = remaining;
    looked_again = true;
  }
}

// The data phase of every read and write call: `host_call(iov, done)` as
// write_from_guest describes it. A write goes on as write_from_guest says;
// a read makes one call over what translates (a short read is an answer).
template <class HostCall>
int64_t transfer_guest(Process& p, std::span<const GuestSpan> spans, mm::Access access, HostCall host_call) {
  if (access == mm::Access::Read) return write_from_guest(p, spans, host_call);
  std::vector<iovec> iov;
  host_iovecs(p, spans, access, iov);
  return host_call(iov, 0);
}

// read/write/pread64/pwrite64: one host call of the same kind over the
// guest buffer's one host piece (or its iovecs when it has several), so the
// host kernel checks the descriptor, the offset and the buffer in Linux's
// order and moves what Linux would (append_guest_buffer; a write goes on as
// write_from_guest says).
int64_t simple_rw(Process& p, const SyscallArgs& a, mm::Access access, bool positioned) {
  const int fd = host_fd(a.i32(0));
  const int64_t offset = positioned ? int64_t(a[3]) : -1;
  if (positioned && offset < 0) return -EINVAL;
  const auto one_call = [&](std::vector<iovec>& iov, int64_t done) -> int64_t {
    const int64_t at = positioned ? offset + done : -1;
    if (iov.size() > 1) return transfer(fd, iov, access, at);
    void* const buf = iov.empty() ? kHostBadPointer : iov[0].iov_base;  // count 0: never touched
    const size_t n = iov.empty() ? 0 : iov[0].iov_len;
    if (access == mm::Access::Write) return host_result(positioned ? ::pread(fd, buf, n, at) : ::read(fd, buf, n));
    return host_result(positioned ? ::pwrite(fd, buf, n, at) : ::write(fd, buf, n));
  };
  const GuestSpan buffer{a[1], a[2], std::min(a[2], kMaxRwCount)};
  return transfer_guest(p, std::span(&buffer, 1), access, one_call);
}

// readv/writev (offset < 0, flags 0), preadv/pwritev, preadv2/pwritev2, in
// the kernel's order of checks: first everything about the descriptor (a
// negative offset, -1 being "the file position" for the *2 calls; the
// descriptor; seekability; opened for this direction, checked before the
// iovecs since Linux 6.8), which a zero-vector host call of the same kind
// answers; then the iovec array entry by entry as Linux reads it (the count
// as 32 bits; an entry it cannot read is EFAULT, a negative length EINVAL,
// a buffer that is not user space EFAULT); then the data, up to the first
// fault (append_guest_buffer).
int64_t vector_rw(Process& p, int fd, uint64_t vec, uint64_t vlen, mm::Access access, int64_t offset,
                  bool positioned, int flags) {
  if (positioned && offset < 0) return -EINVAL;
  const bool at_offset = positioned && offset >= 0;
  if (int64_t r = host_result(host_vector_call(fd, nullptr, 0, access, at_offset ? offset : -1, flags)); r < 0)
    return r;
  const uint32_t count = uint32_t(vlen);  // import_iovec's nr_segs
  if (count > abi::kIovMax) return -EINVAL;
  std::vector<abi::Iovec> guest(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!p.mem->copy_in(&guest[i], mm::GuestAddr{vec + i * sizeof(abi::Iovec)}, sizeof(abi::Iovec))) return -EFAULT;
    if (int64_t(guest[i].iov_len) < 0) return -EINVAL;
  }
  for (const abi::Iovec& v : guest)
    if (!mm::access_ok(v.iov_base, v.iov_len)) return -EFAULT;
  // The total is clamped to MAX_RW_COUNT (later buffers are shortened or
  // dropped); the host stops at the first iovec that faults.
  uint64_t budget = kMaxRwCount;
  std::vector<GuestSpan> spans;
  for (const abi::Iovec& v : guest) {
    const uint64_t len = std::min(v.iov_len, budget);
    budget -= len;
    spans.push_back(GuestSpan{v.iov_base, v.iov_len, len});
  }
  const auto one_call = [&](std::vector<iovec>& iov, int64_t done) -> int64_t {
    if (iov.empty()) return 0;
    return transfer(fd, iov, access, at_offset ? offset + done : -1, flags);
  };
  return transfer_guest(p, spans, access, one_call);
}

int64_t vector_rw(Process& p, const SyscallArgs& a, mm::Access access, bool positioned, int flags = 0) {
  // The count is an unsigned long (UIO_MAXIOV bounds it); a positioned call's
  // offset is the (pos_l, pos_h) pair, which on 64-bit is pos_l.
  return vector_rw(p, host_fd(a.i32(0)), a[1], a[2], access, positioned ? int64_t(a[3]) : -1, positioned, flags);
}

}  // namespace

bool append_guest_buffer(Process& p, uint64_t addr, uint64_t len, uint64_t move, mm::Access access,
                         std::vector<iovec>& iov) {
  if (!mm::access_ok(addr, len)) {
    iov.push_back(iovec{kHostKernelPointer, size_t(move)});
    return false;
  }
  const size_t reached = p.mem->host_iovecs_prefix(mm::GuestAddr{addr}, size_t(move), access, iov);
  if (reached == move) return true;
  iov.push_back(iovec{kHostBadPointer, size_t(move - reached)});
  return false;
}

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
int64_t sys_readv(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Write, false); }
int64_t sys_writev(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Read, false); }
int64_t sys_preadv(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Write, true); }
int64_t sys_pwritev(Process& p, const SyscallArgs& a) { return vector_rw(p, a, mm::Access::Read, true); }
// The *2 forms: offset -1 is the file position (readv/writev), else as above.
int64_t sys_preadv2(Process& p, const SyscallArgs& a) {
  return vector_rw(p, a, mm::Access::Write, int64_t(a[3]) != -1, a.i32(5));
}
int64_t sys_pwritev2(Process& p, const SyscallArgs& a) {
  return vector_rw(p, a, mm::Access::Read, int64_t(a[3]) != -1, a.i32(5));
}

// openat: an unreadable name goes to the host as a stand-in (GuestPath), so
// that invalid flags (O_TMPFILE without O_DIRECTORY...) still come first.
int64_t sys_openat(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[1]);
  const int flags = a.i32(2);
  if (path.read()) {
    bool handled = false;
    int64_t r = open_emulated_proc_file(p, path.text(), flags, handled);
    if (handled) return r;
  }
  const int64_t fd = host_result(::syscall(SYS_openat, host_fd(a.i32(0)), path.host(), flags, mode_t(a.i32(3))));
  if (fd >= 0 && opens_host_memory(int(fd))) {
    ::close(int(fd));
    return -EACCES;
  }
  return fd;
}

int64_t sys_open(Process& p, const SyscallArgs& a) {
  SyscallArgs at;
  at.v[0] = uint64_t(int64_t(abi::kAtFdcwd));
  at.v[1] = a[0];
  at.v[2] = a[1];
  at.v[3] = a[2];
  return sys_openat(p, at);
}

// creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode).
int64_t sys_creat(Process& p, const SyscallArgs& a) {
  SyscallArgs at;
  at.v[0] = uint64_t(int64_t(abi::kAtFdcwd));
  at.v[1] = a[0];
  at.v[2] = uint64_t(abi::kOCreat | abi::kOWronly | abi::kOTrunc);
  at.v[3] = a[1];
  return sys_openat(p, at);
}

int64_t sys_close(Process&, const SyscallArgs& a) { return host_result(::close(host_fd(a.i32(0)))); }

int64_t sys_lseek(Process&, const SyscallArgs& a) {
  return host_result(::lseek(host_fd(a.i32(0)), off_t(a[1]), a.i32(2)));
}

// Only requests whose argument layout is known (ioctls.h) are passed to the
// host; any other request is ENOTTY (what Linux answers for a request the
// file does not implement), after the descriptor itself is checked.
int64_t sys_ioctl(Process& p, const SyscallArgs& a) {
  const int fd = host_fd(a.i32(0));
  const uint32_t request = uint32_t(a[1]);
  const uint64_t arg = a[2];
  auto out = [&](auto value) -> int64_t {
    int64_t r = host_result(::syscall(SYS_ioctl, fd, request, &value));
    if (r < 0) return r;
    return write_guest(p, arg, value) ? r : -EFAULT;
  };
  // An unreadable argument goes to the host as an unmapped host pointer: a
  // descriptor that is not a terminal (or not our controlling one) is ENOTTY
  // before the argument is read, as on Linux.
  auto in = [&](auto value) -> int64_t {
    if (!read_guest(p, arg, value)) return host_result(::syscall(SYS_ioctl, fd, request, kHostBadPointer));
    return host_result(::syscall(SYS_ioctl, fd, request, &value));
  };
  const IoctlDesc* d = find_ioctl(request);
  if (d == nullptr) {
    if (int64_t e = fdget_error(fd)) return e;
    return -ENOTTY;
  }
  switch (d->arg) {
    case IoctlArg::None:
    case IoctlArg::Direct:
    case IoctlArg::DirectFlags: return host_result(::syscall(SYS_ioctl, fd, request, arg));
    case IoctlArg::IntIn: return in(int32_t{});
    case IoctlArg::IntOut: return out(int32_t{});
    case IoctlArg::Int64Out: return out(int64_t{});
    case IoctlArg::CharIn: return in(uint8_t{});
    case IoctlArg::TermiosIn: return in(abi::Termios{});
    case IoctlArg::TermiosOut: return out(abi::Termios{});
    case IoctlArg::Termios2In: return in(abi::Termios2{});
    case IoctlArg::Termios2Out: return out(abi::Termios2{});
    case IoctlArg::WinsizeIn: return in(abi::Winsize{});
    case IoctlArg::WinsizeOut: return out(abi::Winsize{});
  }
  return -ENOTTY;
}

int64_t sys_fcntl(Process& p, const SyscallArgs& a) {
  // Newer than Debian 12's headers (Linux 6.10, 6.12; the hints since 4.13).
  constexpr int kFDupfdQuery = 1027, kFCreatedQuery = 1028, kFGetRwHint = 1035, kFSetRwHint = 1036,
                kFGetFileRwHint = 1037;
  const int fd = host_fd(a.i32(0));
  const int cmd = a.i32(1);
  switch (cmd) {
    case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD: case F_GETFL: case F_SETFL:
    case F_GETOWN: case F_SETOWN: case F_GETPIPE_SZ: case F_SETPIPE_SZ: case F_ADD_SEALS: case F_GET_SEALS:
    case F_SETSIG: case F_GETSIG: case F_SETLEASE: case F_GETLEASE: case F_NOTIFY:
      return host_result(::syscall(SYS_fcntl, fd, cmd, a[2]));
    case F_GETOWN_EX: case F_SETOWN_EX: {
      // An unreadable argument: the host answers with its own bad pointer,
      // so EBADF (closed or O_PATH) still comes before EFAULT.
      abi::FOwnerEx owner{};
      if (cmd == F_SETOWN_EX && !read_guest(p, a[2], owner))
        return host_result(::syscall(SYS_fcntl, fd, cmd, kHostBadPointer));
      int64_t r = host_result(::syscall(SYS_fcntl, fd, cmd, &owner));
      if (r < 0 || cmd == F_SETOWN_EX) return r;
      return write_guest(p, a[2], owner) ? r : -EFAULT;
    }
    case F_GETLK: case F_SETLK: case F_SETLKW: case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW: {
      abi::Flock g{};
      if (!read_guest(p, a[2], g)) return host_result(::syscall(SYS_fcntl, fd, cmd, kHostBadPointer));
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
    case kFDupfdQuery:  // is a[2] the same open file? (emu's own descriptors are not the guest's)
      return host_result(::syscall(SYS_fcntl, fd, cmd, host_fd(a.i32(2))));
    case kFCreatedQuery: return host_result(::syscall(SYS_fcntl, fd, cmd, 0));
    case kFGetRwHint: case kFGetFileRwHint: {  // put_user of a u64
      uint64_t hint = 0;
      int64_t r = host_result(::syscall(SYS_fcntl, fd, cmd, &hint));
      if (r < 0) return r;
      return write_guest(p, a[2], hint) ? r : -EFAULT;
    }
    case kFSetRwHint: {  // get_user of a u64, after the descriptor
      uint64_t hint = 0;
      if (!read_guest(p, a[2], hint)) return host_result(::syscall(SYS_fcntl, fd, cmd, kHostBadPointer));
      return host_result(::syscall(SYS_fcntl, fd, cmd, &hint));
    }
    default:  // fdget_raw, then O_PATH takes only the commands above
      if (int64_t e = fdget_error(fd)) return e;
      return -EINVAL;
  }
}

int64_t sys_dup(Process&, const SyscallArgs& a) { return host_result(::dup(host_fd(a.i32(0)))); }
int64_t sys_dup2(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_dup2, host_fd(a.i32(0)), host_fd(a.i32(1))));
}
int64_t sys_dup3(Process&, const SyscallArgs& a) {
  // ksys_dup3's order: flags and equal numbers (EINVAL), then the
  // descriptors; emu's own are not the guest's (EBADF: two of them would
  // both be kNotGuestFd and look equal to the host).
  const int oldfd = a.i32(0), newfd = a.i32(1), flags = a.i32(2);
  if ((flags & ~O_CLOEXEC) || oldfd == newfd) return -EINVAL;
  if (host_fd(oldfd) == kNotGuestFd || host_fd(newfd) == kNotGuestFd) return -EBADF;
  return host_result(::syscall(SYS_dup3, oldfd, newfd, flags));
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

// sendfile64: the offset is read before anything else (EFAULT first) and
// written back whatever the outcome (an unwritable offset is EFAULT even
// when the call failed), as the kernel's put_user after do_sendfile.
int64_t sys_sendfile(Process& p, const SyscallArgs& a) {
  const int out_fd = host_fd(a.i32(0)), in_fd = host_fd(a.i32(1));
  const size_t count = size_t(a[3]);
  if (a[2] == 0) return host_result(::syscall(SYS_sendfile, out_fd, in_fd, nullptr, count));
  int64_t offset = 0;
  if (!read_guest(p, a[2], offset)) return -EFAULT;
  int64_t r = host_result(::syscall(SYS_sendfile, out_fd, in_fd, &offset, count));
  if (!write_guest(p, a[2], offset)) return -EFAULT;
  return r;
}

// copy_file_range: both descriptors, then the offsets (EFAULT), then the
// host does the rest (flags, modes, ranges). Offsets given are advanced
// through guest memory; the others are the files' own positions.
int64_t sys_copy_file_range(Process& p, const SyscallArgs& a) {
  const int in_fd = host_fd(a.i32(0)), out_fd = host_fd(a.i32(2));
  if (int64_t e = fdget_error(in_fd)) return e;
  if (int64_t e = fdget_error(out_fd)) return e;
  int64_t off_in = 0, off_out = 0;
  if (a[1] != 0 && !read_guest(p, a[1], off_in)) return -EFAULT;
  if (a[3] != 0 && !read_guest(p, a[3], off_out)) return -EFAULT;
  int64_t r = host_result(::syscall(SYS_copy_file_range, in_fd, a[1] ? &off_in : nullptr, out_fd,
                                    a[3] ? &off_out : nullptr, size_t(a[4]), uint32_t(a[5])));
  if (r > 0) {
    if (a[1] != 0 && !write_guest(p, a[1], off_in)) r = -EFAULT;
    if (a[3] != 0 && !write_guest(p, a[3], off_out)) r = -EFAULT;
  }
  return r;
}

namespace {

// A host buffer of n bytes directly followed by an inaccessible page: a
// host call that writes past n faults there, as Linux faults where a guest
// buffer stops being writable.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t n) : lead_((n + mm::kPageMask) & ~mm::kPageMask) {
    void* m = ::mmap(nullptr, lead_ + mm::kPageSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    base_ = static_cast<char*>(m);
    if (lead_ > 0 && ::mprotect(base_, lead_, PROT_READ | PROT_WRITE) != 0) return;
    data_ = base_ + lead_ - n;
  }
  ~GuardedBuffer() {
    if (base_) ::munmap(base_, lead_ + mm::kPageSize);
  }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  char* data() const { return data_; }  // nullptr when the host had no memory for it

 private:
  size_t lead_;
  char* base_ = nullptr;
  char* data_ = nullptr;
};

}  // namespace

int64_t sys_getdents64(Process& p, const SyscallArgs& a) {
  const int fd = host_fd(a.i32(0));
  const uint32_t count = uint32_t(a[2]);
  // Linux writes the records straight into the guest buffer, one by one, and
  // stops at the first that does not fit in `count` or faults (EFAULT when
  // it is the first). The host call writes them into a host buffer as long
  // as the guest buffer's writable start (at most 64 KiB: fewer records per
  // call) followed by a page that faults, with the guest's count: it stops
  // at the same record, and consumes no record it does not return.
  std::vector<iovec> reach;
  const size_t n = p.mem->host_iovecs_prefix(mm::GuestAddr{a[1]}, std::min<size_t>(count, 1u << 16),
                                             mm::Access::Write, reach);
  if (n == 0) {
    void* const bad = mm::access_ok(a[1], count) ? kHostBadPointer : kHostKernelPointer;
    return host_result(::syscall(SYS_getdents64, fd, bad, count));
  }
  GuardedBuffer buf(n);
  if (!buf.data()) return -ENOMEM;
  // /proc/self/fd: emu's own descriptors are left out; a batch of nothing
  // but those is skipped, not taken for the end of the directory.
  const bool filter = lists_own_descriptors(fd);
  int64_t r;
  for (;;) {
    r = host_result(::syscall(SYS_getdents64, fd, buf.data(), count));
    if (!filter || r <= 0) break;
    r = int64_t(drop_own_descriptor_entries(buf.data(), size_t(r)));
    if (r > 0) break;
  }
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
int64_t sys_fallocate(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_fallocate, host_fd(a.i32(0)), a.i32(1), int64_t(a[2]), int64_t(a[3])));
}
int64_t sys_flock(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_flock, host_fd(a.i32(0)), uint32_t(a[1])));
}
int64_t sys_sync(Process&, const SyscallArgs&) {
  ::sync();
  return 0;
}
int64_t sys_syncfs(Process&, const SyscallArgs& a) { return host_result(::syncfs(host_fd(a.i32(0)))); }
int64_t sys_fadvise64(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_fadvise64, host_fd(a.i32(0)), a[1], a[2], a.i32(3)));
}

}  // namespace emu::syscalls
