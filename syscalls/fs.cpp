// Path-based file-system calls. Everything passes through to the host (guest
// paths are host paths), except the /proc/self entries that must describe
// the guest rather than the emulator (procfs.cpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

int64_t read_guest_string(Process& p, uint64_t addr, size_t limit, int too_long, std::string& out) {
  if (auto s = p.mem->read_cstring(mm::GuestAddr{addr}, limit - 1)) {
    out = std::move(*s);
    return 0;
  }
  // Failed: either a fault before the NUL, or `limit` readable bytes without
  // one (the kernel's strncpy_from_user tells the two apart the same way).
  std::vector<char> probe(limit);
  if (p.mem->copy_in(probe.data(), mm::GuestAddr{addr}, probe.size())) return -too_long;
  return -EFAULT;
}

int64_t read_path(Process& p, uint64_t addr, std::string& out) {
  return read_guest_string(p, addr, abi::kPathMax, ENAMETOOLONG, out);
}

GuestPath::GuestPath(Process& p, uint64_t addr) {
  null_ = addr == 0;
  if (!null_) error_ = read_path(p, addr, text_);
}

const char* GuestPath::host() const {
  static const std::string kTooLong(abi::kPathMax, 'x');
  if (null_) return nullptr;
  if (error_ == 0) return text_.c_str();
  return error_ == -ENAMETOOLONG ? kTooLong.c_str() : static_cast<const char*>(kHostBadPointer);
}

const char* GuestPath::host_following_exe(const Process& p) const {
  return read() && is_proc_self_exe(text_) ? p.exe_path.c_str() : host();
}

namespace {

int64_t stat_at(Process& p, int dirfd, uint64_t path_addr, uint64_t buf, int flags) {
  GuestPath path(p, path_addr);
  const char* hp = (flags & abi::kAtSymlinkNofollow) ? path.host() : path.host_following_exe(p);
  struct ::stat st {};
  if (int64_t r = host_result(::syscall(SYS_newfstatat, dirfd, hp, &st, flags)); r < 0) return r;
  return put_stat(p, buf, st);
}

int64_t put_statfs(Process& p, uint64_t addr, const struct ::statfs& s) {
  abi::Statfs g{};
  g.f_type = s.f_type;
  g.f_bsize = s.f_bsize;
  g.f_blocks = s.f_blocks;
  g.f_bfree = s.f_bfree;
  g.f_bavail = s.f_bavail;
  g.f_files = s.f_files;
  g.f_ffree = s.f_ffree;
  std::memcpy(g.f_fsid, &s.f_fsid, sizeof g.f_fsid);
  g.f_namelen = s.f_namelen;
  g.f_frsize = s.f_frsize;
  g.f_flags = s.f_flags;
  return write_guest(p, addr, g) ? 0 : -EFAULT;
}

// For the libc wrappers below (chdir, link, lchown...), which glibc declares
// nonnull: a NULL guest path becomes kHostBadPointer, EFAULT all the same
// (passing NULL was undefined behaviour: UBSan, under syscall_fuzz).
const char* non_null(const char* host_path) {
  return host_path ? host_path : static_cast<const char*>(kHostBadPointer);
}

// Runs `f(path...)` with one or two guest paths (see GuestPath).
template <class F>
int64_t with_path(Process& p, uint64_t addr, F&& f) {
  GuestPath path(p, addr);
  return host_result(f(non_null(path.host())));
}
template <class F>
int64_t with_paths(Process& p, uint64_t addr1, uint64_t addr2, F&& f) {
  GuestPath a(p, addr1), b(p, addr2);
  return host_result(f(non_null(a.host()), non_null(b.host())));
}

// readlink(at): the size is checked before the name is read.
int64_t readlink_at(Process& p, int dirfd, uint64_t path_addr, uint64_t buf, int64_t bufsiz) {
  if (bufsiz <= 0) return -EINVAL;
  GuestPath path(p, path_addr);
  std::string target;
  if (path.read() && is_proc_self_exe(path.text())) {
    target = p.exe_path;
  } else {
    std::vector<char> host(size_t(std::min<int64_t>(bufsiz, abi::kPathMax * 4)));
    int64_t r = host_result(::syscall(SYS_readlinkat, dirfd, path.host(), host.data(), host.size()));
    if (r < 0) return r;
    target.assign(host.data(), size_t(r));
  }
  const size_t n = std::min<size_t>(target.size(), size_t(bufsiz));
  if (n > 0 && !p.mem->copy_out(mm::GuestAddr{buf}, target.data(), n)) return -EFAULT;
  return int64_t(n);
}

}  // namespace

int64_t sys_stat(Process& p, const SyscallArgs& a) { return stat_at(p, AT_FDCWD, a[0], a[1], 0); }
int64_t sys_lstat(Process& p, const SyscallArgs& a) {
  return stat_at(p, AT_FDCWD, a[0], a[1], abi::kAtSymlinkNofollow);
}
int64_t sys_newfstatat(Process& p, const SyscallArgs& a) {
  return stat_at(p, host_fd(a.i32(0)), a[1], a[2], a.i32(3));
}

// statx: the host validates path, flags and mask (a NULL path is the host's
// to judge: since Linux 6.11 it means AT_EMPTY_PATH) and fills the kernel's
// struct statx, which is copied out as is.
int64_t sys_statx(Process& p, const SyscallArgs& a) {
  const int flags = a.i32(2);
  GuestPath path(p, a[1]);
  const char* hp = (flags & abi::kAtSymlinkNofollow) ? path.host() : path.host_following_exe(p);
  abi::Statx stx{};
  if (int64_t r = host_result(::syscall(SYS_statx, host_fd(a.i32(0)), hp, flags, uint32_t(a[3]), &stx)); r < 0)
    return r;
  return write_guest(p, a[4], stx) ? 0 : -EFAULT;
}

// access family: the mode and flags are checked before the name.
int64_t sys_access(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[0]);
  return host_result(::syscall(SYS_faccessat, AT_FDCWD, path.host_following_exe(p), a.i32(1)));
}
int64_t sys_faccessat(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[1]);
  return host_result(::syscall(SYS_faccessat, host_fd(a.i32(0)), path.host_following_exe(p), a.i32(2)));
}
int64_t sys_faccessat2(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[1]);
  return host_result(
      ::syscall(SYS_faccessat2, host_fd(a.i32(0)), path.host_following_exe(p), a.i32(2), a.i32(3)));
}

int64_t sys_readlink(Process& p, const SyscallArgs& a) {
  return readlink_at(p, AT_FDCWD, a[0], a[1], a.i32(2));
}
int64_t sys_readlinkat(Process& p, const SyscallArgs& a) {
  return readlink_at(p, host_fd(a.i32(0)), a[1], a[2], a.i32(3));
}

int64_t sys_getcwd(Process& p, const SyscallArgs& a) {
  std::vector<char> buf(size_t(std::min<uint64_t>(a[1], 1u << 16)) + 1);
  int64_t r = host_result(::syscall(SYS_getcwd, buf.data(), size_t(std::min<uint64_t>(a[1], 1u << 16))));
  if (r > 0 && !p.mem->copy_out(mm::GuestAddr{a[0]}, buf.data(), size_t(r))) return -EFAULT;
  return r;
}

int64_t sys_chdir(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [](const char* s) { return ::chdir(s); });
}
int64_t sys_fchdir(Process&, const SyscallArgs& a) { return host_result(::fchdir(host_fd(a.i32(0)))); }
int64_t sys_unlink(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [](const char* s) { return ::unlink(s); });
}
int64_t sys_unlinkat(Process& p, const SyscallArgs& a) {
  return with_path(p, a[1], [&](const char* s) { return ::unlinkat(host_fd(a.i32(0)), s, a.i32(2)); });
}
int64_t sys_mkdir(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::mkdir(s, mode_t(a.i32(1))); });
}
int64_t sys_mkdirat(Process& p, const SyscallArgs& a) {
  return with_path(p, a[1], [&](const char* s) { return ::mkdirat(host_fd(a.i32(0)), s, mode_t(a.i32(2))); });
}
int64_t sys_rmdir(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [](const char* s) { return ::rmdir(s); });
}
int64_t sys_rename(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[0], a[1], [](const char* x, const char* y) { return ::rename(x, y); });
}
int64_t sys_renameat(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[1], a[3], [&](const char* x, const char* y) {
    return ::renameat(host_fd(a.i32(0)), x, host_fd(a.i32(2)), y);
  });
}
// renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT are the host's.
int64_t sys_renameat2(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[1], a[3], [&](const char* x, const char* y) {
    return int(::syscall(SYS_renameat2, host_fd(a.i32(0)), x, host_fd(a.i32(2)), y, uint32_t(a[4])));
  });
}
int64_t sys_symlinkat(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[0], a[2], [&](const char* x, const char* y) { return ::symlinkat(x, host_fd(a.i32(1)), y); });
}
int64_t sys_linkat(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[1], a[3], [&](const char* x, const char* y) {
    return ::linkat(host_fd(a.i32(0)), x, host_fd(a.i32(2)), y, a.i32(4));
  });
}
int64_t sys_mknod(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) {
    return int(::syscall(SYS_mknodat, AT_FDCWD, s, mode_t(a.i32(1)), uint32_t(a[2])));
  });
}
int64_t sys_mknodat(Process& p, const SyscallArgs& a) {
  return with_path(p, a[1], [&](const char* s) {
    return int(::syscall(SYS_mknodat, host_fd(a.i32(0)), s, mode_t(a.i32(2)), uint32_t(a[3])));
  });
}
int64_t sys_symlink(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[0], a[1], [](const char* x, const char* y) { return ::symlink(x, y); });
}
int64_t sys_link(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[0], a[1], [](const char* x, const char* y) { return ::link(x, y); });
}
int64_t sys_chmod(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::chmod(s, mode_t(a.i32(1))); });
}
// fchmodat has no flags argument (the C library's flags need fchmodat2).
int64_t sys_fchmodat(Process& p, const SyscallArgs& a) {
  return with_path(p, a[1], [&](const char* s) {
    return int(::syscall(SYS_fchmodat, host_fd(a.i32(0)), s, mode_t(a.i32(2))));
  });
}
int64_t sys_fchmodat2(Process& p, const SyscallArgs& a) {
  constexpr long kSysFchmodat2 = 452;  // Linux 6.6; older hosts answer ENOSYS, as would their kernel
  return with_path(p, a[1], [&](const char* s) {
    return int(::syscall(kSysFchmodat2, host_fd(a.i32(0)), s, mode_t(a.i32(2)), uint32_t(a[3])));
  });
}
int64_t sys_fchmod(Process&, const SyscallArgs& a) {
  return host_result(::fchmod(host_fd(a.i32(0)), mode_t(a.i32(1))));
}
int64_t sys_truncate(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::truncate(s, off_t(a[1])); });
}

int64_t sys_statfs(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[0]);
  struct ::statfs s {};
  if (int64_t r = host_result(::syscall(SYS_statfs, path.host(), &s)); r < 0) return r;
  return put_statfs(p, a[1], s);
}
int64_t sys_fstatfs(Process& p, const SyscallArgs& a) {
  struct ::statfs s {};
  if (int64_t r = host_result(::fstatfs(host_fd(a.i32(0)), &s)); r < 0) return r;
  return put_statfs(p, a[1], s);
}

// utimensat(2), including futimens' form (NULL path with a descriptor). The
// times are read and checked first, then flags and name (the host's).
int64_t sys_utimensat(Process& p, const SyscallArgs& a) {
  GuestPath path(p, a[1]);
  struct ::timespec times[2];
  const struct ::timespec* tp = nullptr;
  if (a[2] != 0) {
    abi::Timespec g[2];
    if (!p.mem->copy_in(g, mm::GuestAddr{a[2]}, sizeof g)) return -EFAULT;
    for (int i = 0; i < 2; ++i) times[i] = {g[i].tv_sec, g[i].tv_nsec};
    tp = times;
  }
  return host_result(::syscall(SYS_utimensat, host_fd(a.i32(0)), path.host(), tp, a.i32(3)));
}

int64_t sys_fchownat(Process& p, const SyscallArgs& a) {
  return with_path(p, a[1], [&](const char* s) {
    return ::fchownat(host_fd(a.i32(0)), s, uid_t(a.i32(2)), gid_t(a.i32(3)), a.i32(4));
  });
}
int64_t sys_chown(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::chown(s, uid_t(a.i32(1)), gid_t(a.i32(2))); });
}
int64_t sys_lchown(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::lchown(s, uid_t(a.i32(1)), gid_t(a.i32(2))); });
}
int64_t sys_fchown(Process&, const SyscallArgs& a) {
  return host_result(::fchown(host_fd(a.i32(0)), uid_t(a.i32(1)), gid_t(a.i32(2))));
}

int64_t sys_umask(Process&, const SyscallArgs& a) { return ::umask(mode_t(a.i32(0)) & 0777); }

}  // namespace emu::syscalls
