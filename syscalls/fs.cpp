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

int64_t read_path(Process& p, uint64_t addr, std::string& out) {
  if (auto s = p.mem->read_cstring(mm::GuestAddr{addr}, abi::kPathMax - 1)) {
    out = std::move(*s);
    return 0;
  }
  // Failed: either a fault before the NUL, or PATH_MAX readable bytes without
  // one (the kernel's strncpy_from_user tells the two apart the same way).
  std::vector<char> probe(abi::kPathMax);
  if (p.mem->copy_in(probe.data(), mm::GuestAddr{addr}, probe.size())) return -ENAMETOOLONG;
  return -EFAULT;
}

namespace {

// The host path to use for a guest path: /proc/self/exe means the guest's
// executable.
const char* host_path(Process& p, const std::string& path) {
  return is_proc_self_exe(path) ? p.exe_path.c_str() : path.c_str();
}

int64_t stat_at(Process& p, int dirfd, uint64_t path_addr, uint64_t buf, int flags) {
  std::string path;
  if (int64_t r = read_path(p, path_addr, path); r < 0) return r;
  const char* hp = (flags & abi::kAtSymlinkNofollow) ? path.c_str() : host_path(p, path);
  struct ::stat st {};
  if (int64_t r = host_result(::fstatat(dirfd, hp, &st, flags)); r < 0) return r;
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

// Runs `f(path...)` with up to two paths read from guest memory.
template <class F>
int64_t with_path(Process& p, uint64_t addr, F&& f) {
  std::string path;
  if (int64_t r = read_path(p, addr, path); r < 0) return r;
  return host_result(f(path.c_str()));
}
template <class F>
int64_t with_paths(Process& p, uint64_t addr1, uint64_t addr2, F&& f) {
  std::string a, b;
  if (int64_t r = read_path(p, addr1, a); r < 0) return r;
  if (int64_t r = read_path(p, addr2, b); r < 0) return r;
  return host_result(f(a.c_str(), b.c_str()));
}

int64_t readlink_at(Process& p, int dirfd, uint64_t path_addr, uint64_t buf, int64_t bufsiz) {
  std::string path;
  if (int64_t r = read_path(p, path_addr, path); r < 0) return r;
  if (bufsiz <= 0) return -EINVAL;
  std::string target;
  if (is_proc_self_exe(path)) {
    target = p.exe_path;
  } else {
    std::vector<char> host(size_t(std::min<int64_t>(bufsiz, abi::kPathMax * 4)));
    int64_t r = host_result(::readlinkat(dirfd, path.c_str(), host.data(), host.size()));
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

int64_t sys_access(Process& p, const SyscallArgs& a) {
  std::string path;
  if (int64_t r = read_path(p, a[0], path); r < 0) return r;
  return host_result(::syscall(SYS_faccessat, AT_FDCWD, host_path(p, path), a.i32(1)));
}
int64_t sys_faccessat(Process& p, const SyscallArgs& a) {
  std::string path;
  if (int64_t r = read_path(p, a[1], path); r < 0) return r;
  return host_result(::syscall(SYS_faccessat, host_fd(a.i32(0)), host_path(p, path), a.i32(2)));
}
int64_t sys_faccessat2(Process& p, const SyscallArgs& a) {
  std::string path;
  if (int64_t r = read_path(p, a[1], path); r < 0) return r;
  return host_result(::syscall(SYS_faccessat2, host_fd(a.i32(0)), host_path(p, path), a.i32(2), a.i32(3)));
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
int64_t sys_renameat2(Process& p, const SyscallArgs& a) {
  return with_paths(p, a[1], a[3], [&](const char* x, const char* y) {
    return int(::syscall(SYS_renameat2, host_fd(a.i32(0)), x, host_fd(a.i32(2)), y, uint32_t(a[4])));
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
int64_t sys_fchmod(Process&, const SyscallArgs& a) {
  return host_result(::fchmod(host_fd(a.i32(0)), mode_t(a.i32(1))));
}
int64_t sys_truncate(Process& p, const SyscallArgs& a) {
  return with_path(p, a[0], [&](const char* s) { return ::truncate(s, off_t(a[1])); });
}

int64_t sys_statfs(Process& p, const SyscallArgs& a) {
  std::string path;
  if (int64_t r = read_path(p, a[0], path); r < 0) return r;
  struct ::statfs s {};
  if (int64_t r = host_result(::statfs(path.c_str(), &s)); r < 0) return r;
  return put_statfs(p, a[1], s);
}
int64_t sys_fstatfs(Process& p, const SyscallArgs& a) {
  struct ::statfs s {};
  if (int64_t r = host_result(::fstatfs(host_fd(a.i32(0)), &s)); r < 0) return r;
  return put_statfs(p, a[1], s);
}

// utimensat(2), including futimens' form (NULL path with a descriptor).
int64_t sys_utimensat(Process& p, const SyscallArgs& a) {
  std::string path;
  const char* host = nullptr;
  if (a[1] != 0) {
    if (int64_t r = read_path(p, a[1], path); r < 0) return r;
    host = path.c_str();
  }
  struct ::timespec times[2];
  const struct ::timespec* tp = nullptr;
  if (a[2] != 0) {
    abi::Timespec g[2];
    if (!p.mem->copy_in(g, mm::GuestAddr{a[2]}, sizeof g)) return -EFAULT;
    for (int i = 0; i < 2; ++i) times[i] = {g[i].tv_sec, g[i].tv_nsec};
    tp = times;
  }
  return host_result(::syscall(SYS_utimensat, host_fd(a.i32(0)), host, tp, a.i32(3)));
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
