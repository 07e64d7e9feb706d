// Internal to syscalls/: the handler signature, helpers every handler uses,
// and the handlers themselves, grouped by the file that defines them.
//
// Handler contract: return the result, or -errno (Linux numbering), exactly
// as the kernel would for these arguments. Guest memory is touched only
// through the AddressSpace gateway (helpers below); a bad pointer is -EFAULT.
//
// Guest file descriptors ARE host file descriptors for now (a 1:1
// passthrough): with one guest process per emulator there is nothing to
// multiplex, and the host kernel already gives the exact semantics (lowest
// free number, CLOEXEC, EBADF, ...). The price: the guest can see and close
// the few descriptors the emulator itself holds open. A translation table is
// the place to fix that when it matters (fork/threads/sandboxing).
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>

#include "mm/address_space.h"
#include "mm/host_fd.h"
#include "syscalls/errno.h"
#include "syscalls/syscalls.h"

namespace emu::syscalls {

struct SyscallArgs {
  uint64_t v[6] = {};
  uint64_t operator[](size_t i) const { return v[i]; }
  // The low 32 bits as a C int (fds, flags, modes: the kernel truncates too).
  int32_t i32(size_t i) const { return int32_t(uint32_t(v[i])); }
};

using Handler = int64_t (*)(Process&, const SyscallArgs&);

template <class T>
bool read_guest(Process& p, uint64_t addr, T& out) {
  return p.mem->copy_in(&out, mm::GuestAddr{addr}, sizeof(T));
}
template <class T>
bool write_guest(Process& p, uint64_t addr, const T& value) {
  return p.mem->copy_out(mm::GuestAddr{addr}, &value, sizeof(T));
}

// Reads a path argument like the kernel's getname(): 0 and the path, or
// -EFAULT (unreadable before its NUL) or -ENAMETOOLONG (no NUL in PATH_MAX).
int64_t read_path(Process& p, uint64_t addr, std::string& out);
// The same for any string of at most `limit` bytes with its NUL: 0, -EFAULT,
// or -too_long (execve's arguments: E2BIG past MAX_ARG_STRLEN).
int64_t read_guest_string(Process& p, uint64_t addr, size_t limit, int too_long, std::string& out);

// A guest path argument for the host call that does the guest's. The kernel
// reads names early but reports a bad one only where it uses it, after
// checking flags, descriptors and earlier names; so an unreadable path is
// not an error here: host() is then a stand-in that fails the same way at the
// same point (an unmapped address for EFAULT, PATH_MAX bytes without a NUL
// for ENAMETOOLONG), and the host kernel reports it in Linux's order. A NULL
// pointer stays NULL (the host judges it: EFAULT, or "no path" for the calls
// that allow one).
class GuestPath {
 public:
  GuestPath(Process& p, uint64_t addr);
  GuestPath(const GuestPath&) = delete;
  GuestPath& operator=(const GuestPath&) = delete;

  bool read() const { return error_ == 0 && !null_; }  // text() is the guest's path
  const std::string& text() const { return text_; }
  const char* host() const;
  // host(), except that /proc/self/exe names the guest's executable.
  const char* host_following_exe(const Process& p) const;

 private:
  std::string text_;
  int64_t error_ = 0;
  bool null_ = false;
};

// A host address that is never mapped (page 0, below vm.mmap_min_addr) and
// is not NULL: passed to a host call in place of a bad guest pointer, it makes
// the host kernel fail with EFAULT at exactly the point Linux would, after
// every check that comes first.
inline void* const kHostBadPointer = reinterpret_cast<void*>(8);

// What a guest descriptor that names one of emu's own (mm/host_fd.h)
// becomes: a number above any RLIMIT_NOFILE, so every host call refuses it
// with EBADF (POLLNVAL in poll), as Linux does a descriptor that is not open.
// emu's backing files and logs are not the guest's to read, write, close,
// dup over or map.
inline constexpr int kNotGuestFd = 0x7fffffff;

// The host descriptor behind a guest descriptor: the same number (see
// above), except emu's own, which become kNotGuestFd.
inline int host_fd(int guest_fd) { return mm::is_own_fd(guest_fd) ? kNotGuestFd : guest_fd; }

// Copies a host struct stat out as the guest's struct stat: 0 or -EFAULT.
int64_t put_stat(Process& p, uint64_t addr, const struct ::stat& st);

// Largest byte count one read/write moves (Linux MAX_RW_COUNT).
inline constexpr uint64_t kMaxRwCount = 0x7ffff000;

// A host address in the kernel half: a host call given it for a buffer
// fails access_ok with EFAULT, after every check that comes first, as
// Linux's fails a guest buffer that is not user space (mm::access_ok).
inline void* const kHostKernelPointer = reinterpret_cast<void*>(0xffff800000000000ull);

// Appends the host iovecs through which a host call moves `move` bytes
// (<= len: MAX_RW_COUNT clamps) between a descriptor and the guest buffer
// [addr, addr + len), so that the host kernel does what Linux would with
// the guest's: the part before the first byte that faults, then one iovec
// at kHostBadPointer, where the host kernel stops as Linux stops at the
// fault (a short count; EFAULT only when nothing moved, and only after
// whatever comes first: EBADF, EISDIR, EAGAIN, the end of the file...). A
// buffer that is not user space becomes kHostKernelPointer. Returns false
// when the iovecs end in one that faults.
bool append_guest_buffer(Process& p, uint64_t addr, uint64_t len, uint64_t move, mm::Access access,
                         std::vector<iovec>& iov);

// ---- memory.cpp -------------------------------------------------------------
int64_t sys_brk(Process&, const SyscallArgs&);
int64_t sys_mmap(Process&, const SyscallArgs&);
int64_t sys_munmap(Process&, const SyscallArgs&);
int64_t sys_mprotect(Process&, const SyscallArgs&);
int64_t sys_madvise(Process&, const SyscallArgs&);
int64_t sys_mremap(Process&, const SyscallArgs&);
int64_t sys_msync(Process&, const SyscallArgs&);
int64_t sys_mincore(Process&, const SyscallArgs&);

// ---- files.cpp: data and descriptors ------------------------------------------
int64_t sys_read(Process&, const SyscallArgs&);
int64_t sys_write(Process&, const SyscallArgs&);
int64_t sys_readv(Process&, const SyscallArgs&);
int64_t sys_writev(Process&, const SyscallArgs&);
int64_t sys_pread64(Process&, const SyscallArgs&);
int64_t sys_pwrite64(Process&, const SyscallArgs&);
int64_t sys_open(Process&, const SyscallArgs&);
int64_t sys_openat(Process&, const SyscallArgs&);
int64_t sys_close(Process&, const SyscallArgs&);
int64_t sys_lseek(Process&, const SyscallArgs&);
int64_t sys_ioctl(Process&, const SyscallArgs&);
int64_t sys_fcntl(Process&, const SyscallArgs&);
int64_t sys_dup(Process&, const SyscallArgs&);
int64_t sys_dup2(Process&, const SyscallArgs&);
int64_t sys_dup3(Process&, const SyscallArgs&);
int64_t sys_pipe(Process&, const SyscallArgs&);
int64_t sys_pipe2(Process&, const SyscallArgs&);
int64_t sys_sendfile(Process&, const SyscallArgs&);
int64_t sys_getdents64(Process&, const SyscallArgs&);
int64_t sys_fstat(Process&, const SyscallArgs&);
int64_t sys_ftruncate(Process&, const SyscallArgs&);
int64_t sys_fsync(Process&, const SyscallArgs&);
int64_t sys_fdatasync(Process&, const SyscallArgs&);
int64_t sys_fadvise64(Process&, const SyscallArgs&);
int64_t sys_creat(Process&, const SyscallArgs&);
int64_t sys_preadv(Process&, const SyscallArgs&);
int64_t sys_pwritev(Process&, const SyscallArgs&);
int64_t sys_preadv2(Process&, const SyscallArgs&);
int64_t sys_pwritev2(Process&, const SyscallArgs&);
int64_t sys_copy_file_range(Process&, const SyscallArgs&);
int64_t sys_fallocate(Process&, const SyscallArgs&);
int64_t sys_flock(Process&, const SyscallArgs&);
int64_t sys_sync(Process&, const SyscallArgs&);
int64_t sys_syncfs(Process&, const SyscallArgs&);

// ---- poll.cpp: waiting on descriptors -----------------------------------------------
int64_t sys_poll(Process&, const SyscallArgs&);
int64_t sys_ppoll(Process&, const SyscallArgs&);
int64_t sys_select(Process&, const SyscallArgs&);
int64_t sys_pselect6(Process&, const SyscallArgs&);

// ---- fs.cpp: paths and the file system ----------------------------------------
int64_t sys_stat(Process&, const SyscallArgs&);
int64_t sys_lstat(Process&, const SyscallArgs&);
int64_t sys_newfstatat(Process&, const SyscallArgs&);
int64_t sys_access(Process&, const SyscallArgs&);
int64_t sys_faccessat(Process&, const SyscallArgs&);
int64_t sys_faccessat2(Process&, const SyscallArgs&);
int64_t sys_readlink(Process&, const SyscallArgs&);
int64_t sys_readlinkat(Process&, const SyscallArgs&);
int64_t sys_getcwd(Process&, const SyscallArgs&);
int64_t sys_chdir(Process&, const SyscallArgs&);
int64_t sys_fchdir(Process&, const SyscallArgs&);
int64_t sys_unlink(Process&, const SyscallArgs&);
int64_t sys_unlinkat(Process&, const SyscallArgs&);
int64_t sys_mkdir(Process&, const SyscallArgs&);
int64_t sys_mkdirat(Process&, const SyscallArgs&);
int64_t sys_rmdir(Process&, const SyscallArgs&);
int64_t sys_rename(Process&, const SyscallArgs&);
int64_t sys_renameat(Process&, const SyscallArgs&);
int64_t sys_renameat2(Process&, const SyscallArgs&);
int64_t sys_symlink(Process&, const SyscallArgs&);
int64_t sys_link(Process&, const SyscallArgs&);
int64_t sys_chmod(Process&, const SyscallArgs&);
int64_t sys_fchmod(Process&, const SyscallArgs&);
int64_t sys_truncate(Process&, const SyscallArgs&);
int64_t sys_statfs(Process&, const SyscallArgs&);
int64_t sys_fstatfs(Process&, const SyscallArgs&);
int64_t sys_umask(Process&, const SyscallArgs&);
int64_t sys_utimensat(Process&, const SyscallArgs&);
int64_t sys_chown(Process&, const SyscallArgs&);
int64_t sys_fchown(Process&, const SyscallArgs&);
int64_t sys_lchown(Process&, const SyscallArgs&);
int64_t sys_fchownat(Process&, const SyscallArgs&);
int64_t sys_statx(Process&, const SyscallArgs&);
int64_t sys_linkat(Process&, const SyscallArgs&);
int64_t sys_symlinkat(Process&, const SyscallArgs&);
int64_t sys_fchmodat(Process&, const SyscallArgs&);
int64_t sys_fchmodat2(Process&, const SyscallArgs&);
int64_t sys_mknod(Process&, const SyscallArgs&);
int64_t sys_mknodat(Process&, const SyscallArgs&);

// ---- procfs.cpp: the few /proc/self files the emulator must answer itself -----
// If `path` names one of them, opens it (returns fd or -errno) and sets
// `handled`; otherwise leaves `handled` false.
int64_t open_emulated_proc_file(Process& p, const std::string& path, int flags, bool& handled);
// Whether `fd` (just opened by the host) is a process's memory as /proc
// shows it (/proc/PID/mem, pagemap, map_files): for a guest, emulator host
// memory, which it must not reach; the open is then EACCES.
bool opens_host_memory(int fd);
// /proc/self/exe (and /proc/<our pid>/exe): the guest's executable, not ours.
bool is_proc_self_exe(const std::string& path);
// `dir_fd` is open on /proc/self/fd (or our pid's, or our thread's).
bool lists_own_descriptors(int dir_fd);
// Removes the entries naming emu's own descriptors (mm/host_fd.h) from a
// getdents64 result in place; returns the bytes left.
size_t drop_own_descriptor_entries(char* records, size_t bytes);

// ---- process.cpp -----------------------------------------------------------------
int64_t sys_exit(Process&, const SyscallArgs&);
int64_t sys_exit_group(Process&, const SyscallArgs&);
int64_t sys_getpid(Process&, const SyscallArgs&);
int64_t sys_getppid(Process&, const SyscallArgs&);
int64_t sys_gettid(Process&, const SyscallArgs&);
int64_t sys_getuid(Process&, const SyscallArgs&);
int64_t sys_geteuid(Process&, const SyscallArgs&);
int64_t sys_getgid(Process&, const SyscallArgs&);
int64_t sys_getegid(Process&, const SyscallArgs&);
int64_t sys_getpgrp(Process&, const SyscallArgs&);
int64_t sys_getpgid(Process&, const SyscallArgs&);
int64_t sys_getsid(Process&, const SyscallArgs&);
int64_t sys_getgroups(Process&, const SyscallArgs&);
int64_t sys_setpgid(Process&, const SyscallArgs&);
int64_t sys_setsid(Process&, const SyscallArgs&);
int64_t sys_getrusage(Process&, const SyscallArgs&);
int64_t sys_times(Process&, const SyscallArgs&);
int64_t sys_getpriority(Process&, const SyscallArgs&);
int64_t sys_setpriority(Process&, const SyscallArgs&);

// ---- children.cpp: fork, vfork, clone, wait4, waitid ------------------------------
int64_t sys_fork(Process&, const SyscallArgs&);
int64_t sys_vfork(Process&, const SyscallArgs&);
int64_t sys_clone(Process&, const SyscallArgs&);
int64_t sys_clone3(Process&, const SyscallArgs&);
int64_t sys_wait4(Process&, const SyscallArgs&);
int64_t sys_waitid(Process&, const SyscallArgs&);
// A vfork child that execs (or exits) lets its parent run again.
void release_vfork_parent(Process& p);

// ---- exec.cpp (the switch to the new image: exec.h) --------------------------------
int64_t sys_execve(Process&, const SyscallArgs&);
int64_t sys_execveat(Process&, const SyscallArgs&);
int64_t sys_set_tid_address(Process&, const SyscallArgs&);
int64_t sys_set_robust_list(Process&, const SyscallArgs&);
int64_t sys_rseq(Process&, const SyscallArgs&);
int64_t sys_arch_prctl(Process&, const SyscallArgs&);
int64_t sys_prlimit64(Process&, const SyscallArgs&);
int64_t sys_getrlimit(Process&, const SyscallArgs&);
int64_t sys_setrlimit(Process&, const SyscallArgs&);
int64_t sys_sched_getaffinity(Process&, const SyscallArgs&);
int64_t sys_sched_yield(Process&, const SyscallArgs&);
int64_t sys_prctl(Process&, const SyscallArgs&);
int64_t sys_futex(Process&, const SyscallArgs&);

// ---- signals.cpp (delivery: signal_delivery.h) ------------------------------------
int64_t sys_rt_sigaction(Process&, const SyscallArgs&);
int64_t sys_rt_sigprocmask(Process&, const SyscallArgs&);
int64_t sys_rt_sigpending(Process&, const SyscallArgs&);
int64_t sys_rt_sigsuspend(Process&, const SyscallArgs&);
int64_t sys_rt_sigtimedwait(Process&, const SyscallArgs&);
int64_t sys_rt_sigreturn(Process&, const SyscallArgs&);
int64_t sys_pause(Process&, const SyscallArgs&);
int64_t sys_sigaltstack(Process&, const SyscallArgs&);
int64_t sys_kill(Process&, const SyscallArgs&);
int64_t sys_tgkill(Process&, const SyscallArgs&);
int64_t sys_tkill(Process&, const SyscallArgs&);
int64_t sys_alarm(Process&, const SyscallArgs&);
int64_t sys_setitimer(Process&, const SyscallArgs&);
int64_t sys_getitimer(Process&, const SyscallArgs&);

// ---- info.cpp -------------------------------------------------------------------------
int64_t sys_uname(Process&, const SyscallArgs&);
int64_t sys_sysinfo(Process&, const SyscallArgs&);
int64_t sys_getrandom(Process&, const SyscallArgs&);

// ---- time.cpp -----------------------------------------------------------------------
int64_t sys_clock_gettime(Process&, const SyscallArgs&);
int64_t sys_clock_getres(Process&, const SyscallArgs&);
int64_t sys_gettimeofday(Process&, const SyscallArgs&);
int64_t sys_time(Process&, const SyscallArgs&);
int64_t sys_nanosleep(Process&, const SyscallArgs&);
int64_t sys_clock_nanosleep(Process&, const SyscallArgs&);

}  // namespace emu::syscalls
