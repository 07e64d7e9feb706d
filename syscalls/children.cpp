// Child processes: fork, vfork, clone (without a shared address space),
// wait4 and waitid.
//
// A guest child is a host child: emu forks itself, so the child emulator has
// a copy-on-write copy of guest memory (frames are private anonymous host
// memory), shares MAP_SHARED mappings (host shared files), and inherits the
// descriptors, signal mirror and mask as the kernel's fork would. Waiting,
// exit statuses and SIGCHLD are then the host kernel's own.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "emu/cpu.h"
#include "mm/host_fd.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_host.h"

namespace emu::syscalls {

namespace {

constexpr uint64_t kCsignal = 0xff;
// Flags emu carries out itself, on the guest's CPU and memory.
constexpr uint64_t kGuestSideFlags = CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                     CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
// Flags the host's clone carries out for the child emulator: they concern
// what guest and emulator share (descriptors, cwd, namespaces, parent).
constexpr uint64_t kHostSideFlags = CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_PARENT | CLONE_IO |
                                    CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PIDFD;
// Accepted and without effect here, as for a process that is not traced.
constexpr uint64_t kIgnoredFlags = CLONE_PTRACE | CLONE_UNTRACED | CLONE_DETACHED;

// Forks the host process. The plain case goes through glibc's fork(), which
// also keeps glibc's own idea of the thread id right in the child; anything
// the host must do differently (shared descriptor table, namespaces, a
// pidfd, another exit signal) goes to the clone system call directly.
int64_t host_fork(uint64_t host_flags, int* pidfd) {
  if (host_flags == SIGCHLD) return host_result(::fork());
  return host_result(::syscall(SYS_clone, host_flags, nullptr, pidfd, nullptr, nullptr));
}

// The vfork parent sleeps until its child execs or exits: both close the
// pipe's write end, which only the child holds (emu's own, high, CLOEXEC).
//
// With CLONE_VM the child also writes memory its parent reads afterwards
// (glibc's posix_spawn reports exec's errno that way, busybox's spawn too).
// The child runs in a copy-on-write copy, so before it lets go it sends the
// parent every page it changed, as records (guest address, 4096 bytes) on
// that same pipe; the parent writes them into its own memory. The changed
// pages are the ones the host's copy-on-write made the child's own: the
// "exclusively mapped" bit of /proc/self/pagemap.
struct VforkPipe {
  int read_end = -1, write_end = -1;
};

constexpr size_t kPageBytes = mm::kPageSize;
struct PageRecord {
  uint64_t addr;
  uint8_t bytes[kPageBytes];
};

// The page at host address `host` was written by this process since the
// fork (or can't be told: then it is sent anyway).
bool changed_since_fork(int pagemap_fd, const uint8_t* host) {
  constexpr uint64_t kPresent = uint64_t{1} << 63, kExclusive = uint64_t{1} << 56;
  uint64_t entry = 0;
  const off_t at = off_t(reinterpret_cast<uintptr_t>(host) / kPageBytes * 8);
  if (pagemap_fd < 0 || ::pread(pagemap_fd, &entry, 8, at) != 8) return true;
  return (entry & kPresent) && (entry & kExclusive);
}

// Moves exactly n bytes through the pipe, retrying after signals and short
// transfers; false at EOF or on error (a partial record is dropped).
template <class Transfer, class Byte>
bool transfer_all(Transfer transfer, int fd, Byte* data, size_t n) {
  while (n > 0) {
    const ssize_t done = transfer(fd, data, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    data += done;
    n -= size_t(done);
  }
  return true;
}

void send_changed_pages(Process& p, int fd) {
  const int pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  auto record = std::make_unique<PageRecord>();
  bool ok = true;
  p.mem->for_each_private_page([&](mm::GuestAddr page, const uint8_t* host) {
    if (!ok || !changed_since_fork(pagemap, host)) return;
    record->addr = page.value;
    std::memcpy(record->bytes, host, kPageBytes);
    ok = transfer_all(::write, fd, reinterpret_cast<const uint8_t*>(record.get()), sizeof *record);
  });
  if (pagemap >= 0) ::close(pagemap);
}

// The parent's side: applies the child's pages until it execs or exits (the
// pipe's EOF). Only a kill ends the wait early, as in the kernel's.
void wait_for_vfork_child(Process& p, int fd) {
  auto record = std::make_unique<PageRecord>();
  while (transfer_all(::read, fd, reinterpret_cast<uint8_t*>(record.get()), sizeof *record)) p.mem->poke(mm::GuestAddr{record->addr}, record->bytes, kPageBytes);
}

// In the new child (host fork already done): the guest's side of clone.
void become_child(Process& p, uint64_t flags, uint64_t child_stack, uint64_t child_tid, uint64_t tls,
                  const VforkPipe& vfork) {
  p.forked_child = true;
  p.fork_pending = true;
  reset_signals_for_fork_child(p);
  // A vfork parent up the chain waits for this process's parent only.
  if (p.vfork_done_fd >= 0) mm::close_own_fd(p.vfork_done_fd);
  p.vfork_done_fd = -1;
  if (vfork.write_end >= 0) {
    mm::close_own_fd(vfork.read_end);
    p.vfork_done_fd = vfork.write_end;
  }
  p.vfork_shares_memory = (flags & CLONE_VM) != 0;
  if (!p.vfork_shares_memory) p.mem->after_fork();
  Cpu& cpu = *p.cpu;
  if (child_stack != 0) cpu.gpr[RSP] = child_stack;
  if (flags & CLONE_SETTLS) cpu.seg_base[kSegFs] = tls;
  if (flags & CLONE_CHILD_SETTID) write_guest(p, child_tid, int32_t(::gettid()));
  p.clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : 0;
  p.robust_list = p.robust_list_len = 0;
}

int64_t spawn(Process& p, uint64_t flags, uint64_t child_stack, uint64_t parent_tid, uint64_t child_tid,
              uint64_t tls) {
  // The kernel's own consistency rules first (copy_process).
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -EINVAL;
  if ((flags & CLONE_FS) && (flags & CLONE_NEWNS)) return -EINVAL;
  // CLONE_PIDFD: no CLONE_DETACHED or CLONE_THREAD (copy_process), and in
  // clone() the descriptor goes where parent_tid points, so not with
  // CLONE_PARENT_SETTID either (kernel_clone).
  if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD | CLONE_PARENT_SETTID))) return -EINVAL;
  // Threads share one address space; each emulator runs one guest thread.
  // vfork's sharing (CLONE_VM with CLONE_VFORK, as posix_spawn asks for) is
  // copy-on-write plus a write-back of the child's changes (VforkPipe).
  if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) return -ENOSYS;
  if (flags & ~(kCsignal | kGuestSideFlags | kHostSideFlags | kIgnoredFlags)) return -EINVAL;

  VforkPipe vfork;
  if (flags & CLONE_VFORK) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -errno;
    vfork.read_end = mm::move_fd_high(fds[0]);
    vfork.write_end = mm::move_fd_high(fds[1]);
  }
  int pidfd = -1;
  const int64_t pid = host_fork((flags & kCsignal) | (flags & kHostSideFlags), &pidfd);
  if (pid == 0) {
    become_child(p, flags, child_stack, child_tid, tls, vfork);
    return 0;
  }
  if (vfork.write_end >= 0) mm::close_own_fd(vfork.write_end);
  if (pid < 0) {
    if (vfork.read_end >= 0) mm::close_own_fd(vfork.read_end);
    return pid;
  }
  // CLONE_PIDFD puts the descriptor where parent_tid points (the two can't
  // be combined: the kernel refuses that with EINVAL, and so does the host).
  if (flags & CLONE_PIDFD) write_guest(p, parent_tid, int32_t(pidfd));
  if (flags & CLONE_PARENT_SETTID) write_guest(p, parent_tid, int32_t(pid));
  if (vfork.read_end >= 0) {
    wait_for_vfork_child(p, vfork.read_end);
    mm::close_own_fd(vfork.read_end);
  }
  return pid;
}

}  // namespace

void release_vfork_parent(Process& p) {
  if (p.vfork_done_fd < 0) return;
  if (p.vfork_shares_memory) send_changed_pages(p, p.vfork_done_fd);
  mm::close_own_fd(p.vfork_done_fd);
  p.vfork_done_fd = -1;
}

int64_t sys_fork(Process& p, const SyscallArgs&) { return spawn(p, SIGCHLD, 0, 0, 0, 0); }
int64_t sys_vfork(Process& p, const SyscallArgs&) { return spawn(p, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0); }

// x86-64 argument order: flags, stack, parent_tid, child_tid, tls.
int64_t sys_clone(Process& p, const SyscallArgs& a) { return spawn(p, a[0], a[1], a[2], a[3], a[4]); }

// clone3 takes a struct; glibc and musl fall back to clone when it is ENOSYS.
int64_t sys_clone3(Process&, const SyscallArgs&) { return -ENOSYS; }

int64_t sys_wait4(Process& p, const SyscallArgs& a) {
  int status = 0;
  struct ::rusage ru {};
  const int64_t pid = host_result(::syscall(SYS_wait4, a.i32(0), a[1] ? &status : nullptr, a.i32(2), a[3] ? &ru : nullptr));
  if (pid <= 0) return pid;
  // The child is reaped by now: a bad pointer loses its status, as in Linux.
  static_assert(sizeof(ru) == 144, "struct rusage is the same on host and guest (both x86-64)");
  if (a[1] && !write_guest(p, a[1], int32_t(status))) return -EFAULT;
  if (a[3] && !p.mem->copy_out(mm::GuestAddr{a[3]}, &ru, sizeof ru)) return -EFAULT;
  return pid;
}

// Linux's order: the wait; the rusage when a child was reported (EFAULT);
// then the siginfo, written whatever the wait gave (zeroes after a failure
// or when WNOHANG found nothing), so a bad one is EFAULT even then. The
// kernel writes si_signo, si_errno, si_code, then si_pid, si_uid and
// si_status; the bytes between and after stay as the guest left them.
int64_t sys_waitid(Process& p, const SyscallArgs& a) {
  siginfo_t info{};
  struct ::rusage ru {};
  const int64_t r = host_result(::syscall(SYS_waitid, a.i32(0), a.i32(1), &info, a.i32(3), a[4] ? &ru : nullptr));
  if (r == 0 && info.si_signo == SIGCHLD && a[4] && !p.mem->copy_out(mm::GuestAddr{a[4]}, &ru, sizeof ru))
    return -EFAULT;
  if (a[2] == 0) return r;
  const auto* bytes = reinterpret_cast<const uint8_t*>(&info);
  if (!mm::access_ok(a[2], sizeof(siginfo_t)) || !p.mem->copy_out(mm::GuestAddr{a[2]}, bytes, 12) ||
      !p.mem->copy_out(mm::GuestAddr{a[2] + 16}, bytes + 16, 12))
    return -EFAULT;
  return r;
}

}  // namespace emu::syscalls
