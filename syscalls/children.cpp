// Child processes: fork, vfork, clone and clone3 (without a shared address
// space), wait4 and waitid.
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

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "emu/cpu.h"
#include "mm/host_fd.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_host.h"

namespace emu::syscalls {

namespace {

constexpr uint64_t kCsignal = 0xff;
// Flags emu carries out itself, on the guest's CPU, memory and signal state.
constexpr uint64_t kGuestSideFlags = CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                     CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | abi::kCloneClearSighand;
// Flags the host's clone carries out for the child emulator: they concern
// what guest and emulator share (descriptors, cwd, namespaces, parent).
constexpr uint64_t kHostSideFlags = CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_PARENT | CLONE_IO |
                                    CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PIDFD |
                                    abi::kCloneIntoCgroup;
// Accepted and without effect here, as for a process that is not traced.
constexpr uint64_t kIgnoredFlags = CLONE_PTRACE | CLONE_UNTRACED | CLONE_DETACHED;

// What one clone or clone3 call asks for (Linux's struct kernel_clone_args).
struct CloneRequest {
  uint64_t flags = 0;  // without the exit signal (clone's CSIGNAL bits)
  uint64_t exit_signal = 0;
  uint64_t stack = 0;  // the child's stack pointer; 0: the parent's
  uint64_t parent_tid = 0, child_tid = 0, tls = 0;
  uint64_t pidfd = 0;  // where CLONE_PIDFD's descriptor goes
  uint64_t cgroup = 0;
  std::vector<pid_t> set_tid{};
};

// Forks the host process. The plain case goes through glibc's fork(), which
// also keeps glibc's own idea of the thread id right in the child; anything
// the host must do differently (shared descriptor table, namespaces, a
// pidfd, another exit signal) goes to the clone system call directly, and
// what only clone3 can say (a cgroup, a time namespace, chosen ids) to
// clone3.
int64_t host_fork(uint64_t host_flags, const CloneRequest& r, int* pidfd) {
  if (host_flags == 0 && r.exit_signal == SIGCHLD) return host_result(::fork());
  if (!(host_flags & (abi::kCloneIntoCgroup | abi::kCloneNewtime)) && r.set_tid.empty())
    return host_result(::syscall(SYS_clone, host_flags | r.exit_signal, nullptr, pidfd, nullptr, nullptr));
  abi::CloneArgs args{};
  args.flags = host_flags;
  args.pidfd = reinterpret_cast<uintptr_t>(pidfd);
  args.exit_signal = r.exit_signal;
  args.set_tid = r.set_tid.empty() ? 0 : reinterpret_cast<uintptr_t>(r.set_tid.data());
  args.set_tid_size = r.set_tid.size();
  args.cgroup = r.cgroup;
  return host_result(::syscall(SYS_clone3, &args, sizeof args));
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
void become_child(Process& p, const CloneRequest& r, const VforkPipe& vfork) {
  const uint64_t flags = r.flags;
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
  if (r.stack != 0) cpu.gpr[RSP] = r.stack;
  if (flags & CLONE_SETTLS) cpu.seg_base[kSegFs] = r.tls;
  if (flags & CLONE_CHILD_SETTID) write_guest(p, r.child_tid, int32_t(::gettid()));
  p.clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? r.child_tid : 0;
  p.robust_list = p.robust_list_len = 0;
  // CLONE_CLEAR_SIGHAND: handled signals go back to their default action;
  // ignored ones stay ignored (flush_signal_handlers).
  if (flags & abi::kCloneClearSighand) {
    for (int sig = 1; sig <= abi::kNsig; ++sig) {
      SignalAction& act = p.signals.actions[sig - 1];
      if (act.handler > 1) {
        act = SignalAction{};
        mirror_disposition(p, sig);
      }
    }
  }
}

int64_t spawn(Process& p, const CloneRequest& r) {
  const uint64_t flags = r.flags;
  // kernel_clone: CLONE_PIDFD's descriptor and CLONE_PARENT_SETTID's id
  // cannot go to one place (with clone() they always would).
  if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID) && r.pidfd == r.parent_tid) return -EINVAL;
  // copy_process' consistency rules.
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -EINVAL;
  if ((flags & CLONE_FS) && (flags & CLONE_NEWNS)) return -EINVAL;
  if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD))) return -EINVAL;
  // Threads share one address space; each emulator runs one guest thread.
  // vfork's sharing (CLONE_VM with CLONE_VFORK, as posix_spawn asks for) is
  // copy-on-write plus a write-back of the child's changes (VforkPipe).
  if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) return -ENOSYS;
  if (flags & ~(kGuestSideFlags | kHostSideFlags | kIgnoredFlags | abi::kCloneNewtime)) return -EINVAL;

  VforkPipe vfork;
  if (flags & CLONE_VFORK) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -errno;
    vfork.read_end = mm::move_fd_high(fds[0]);
    vfork.write_end = mm::move_fd_high(fds[1]);
  }
  int pidfd = -1;
  const int64_t pid = host_fork(flags & (kHostSideFlags | abi::kCloneNewtime), r, &pidfd);
  if (pid == 0) {
    become_child(p, r, vfork);
    return 0;
  }
  if (vfork.write_end >= 0) mm::close_own_fd(vfork.write_end);
  if (pid < 0) {
    if (vfork.read_end >= 0) mm::close_own_fd(vfork.read_end);
    return pid;
  }
  if (flags & CLONE_PIDFD) write_guest(p, r.pidfd, int32_t(pidfd));
  if (flags & CLONE_PARENT_SETTID) write_guest(p, r.parent_tid, int32_t(pid));
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

int64_t sys_fork(Process& p, const SyscallArgs&) { return spawn(p, CloneRequest{.exit_signal = SIGCHLD}); }
int64_t sys_vfork(Process& p, const SyscallArgs&) {
  return spawn(p, CloneRequest{.flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD});
}

// x86-64 argument order: flags, stack, parent_tid, child_tid, tls. Only the
// flags' low 32 bits count, the lowest 8 being the exit signal; CLONE_PIDFD's
// descriptor goes where parent_tid points.
int64_t sys_clone(Process& p, const SyscallArgs& a) {
  const uint64_t flags = a[0] & 0xffffffff;
  return spawn(p, CloneRequest{.flags = flags & ~kCsignal,
                               .exit_signal = flags & kCsignal,
                               .stack = a[1],
                               .parent_tid = a[2],
                               .child_tid = a[3],
                               .tls = a[4],
                               .pidfd = a[2]});
}

// clone3(args, size): copy_clone_args_from_user and clone3_args_valid in
// their order, then the same spawn as clone.
int64_t sys_clone3(Process& p, const SyscallArgs& a) {
  const uint64_t uargs = a[0], size = a[1];
  if (size > mm::kPageSize) return -E2BIG;
  if (size < abi::kCloneArgsSizeVer0) return -EINVAL;
  // copy_struct_from_user: what follows the struct emu knows must be zero.
  abi::CloneArgs args{};
  for (uint64_t at = sizeof args; at < size; ++at) {
    uint8_t byte = 0;
    if (!p.mem->copy_in(&byte, mm::GuestAddr{uargs + at}, 1)) return -EFAULT;
    if (byte != 0) return -E2BIG;
  }
  if (!p.mem->copy_in(&args, mm::GuestAddr{uargs}, std::min<uint64_t>(size, sizeof args))) return -EFAULT;
  if (args.set_tid_size > abi::kMaxPidNsLevel) return -EINVAL;
  if (!args.set_tid && args.set_tid_size > 0) return -EINVAL;
  if (args.set_tid && args.set_tid_size == 0) return -EINVAL;
  if ((args.exit_signal & ~kCsignal) || args.exit_signal > uint64_t(abi::kNsig)) return -EINVAL;
  if ((args.flags & abi::kCloneIntoCgroup) && (args.cgroup > INT32_MAX || size < abi::kCloneArgsSizeVer2))
    return -EINVAL;
  CloneRequest r{.flags = args.flags,
                 .exit_signal = args.exit_signal,
                 .stack = args.stack,
                 .parent_tid = args.parent_tid,
                 .child_tid = args.child_tid,
                 .tls = args.tls,
                 .pidfd = args.pidfd,
                 .cgroup = args.cgroup};
  r.set_tid.resize(args.set_tid_size);
  if (args.set_tid &&
      !p.mem->copy_in(r.set_tid.data(), mm::GuestAddr{args.set_tid}, args.set_tid_size * sizeof(pid_t)))
    return -EFAULT;
  // clone3_args_valid: the low 32 bits are clone's flags, without the exit
  // signal's byte (CLONE_NEWTIME excepted) or CLONE_DETACHED.
  if (r.flags & ~(uint64_t{0xffffffff} | abi::kCloneClearSighand | abi::kCloneIntoCgroup)) return -EINVAL;
  if (r.flags & (CLONE_DETACHED | (kCsignal & ~abi::kCloneNewtime))) return -EINVAL;
  if ((r.flags & CLONE_SIGHAND) && (r.flags & abi::kCloneClearSighand)) return -EINVAL;
  if ((r.flags & (CLONE_THREAD | CLONE_PARENT)) && r.exit_signal) return -EINVAL;
  // clone3_stack_valid: a stack is its lowest address and a size.
  if (args.stack == 0) {
    if (args.stack_size > 0) return -EINVAL;
  } else {
    if (args.stack_size == 0 || !mm::access_ok(args.stack, args.stack_size)) return -EINVAL;
    r.stack = args.stack + args.stack_size;
  }
  return spawn(p, r);
}

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
