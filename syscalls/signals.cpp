// Signal system calls. The guest's dispositions and mask live in
// Process::signals and are mirrored onto the host (signal_host.h); handlers
// run through signal_delivery.h.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

#include "emu/cpu.h"
#include "syscalls/abi.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_delivery.h"
#include "syscalls/signal_frame.h"
#include "syscalls/signal_host.h"
#include "syscalls/strace.h"

namespace emu::syscalls {

namespace {
constexpr uint64_t kSigsetSize = 8;
constexpr uint64_t kUnblockable = sig_bit(SIGKILL) | sig_bit(SIGSTOP);

bool valid_signal(int sig) { return sig >= 1 && sig <= abi::kNsig; }

// Sleeps until a signal for the guest is ready, with the guest's mask as it
// stands. Host signals are blocked while checking, and sigsuspend unblocks
// them atomically, so a signal caught in between can't be missed.
void wait_for_guest_signal(Process& p) {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  const sigset_t wait_mask = host_sigset(p.signals.blocked | p.signals.pending);
  while (!guest_signal_ready(p)) sigsuspend(&wait_mask);
  mirror_mask(p);
}

// A signal the guest sends itself. Mirrored signals go through the host
// kernel, which acts on the mirrored disposition exactly as natively;
// reserved ones (SIGSEGV, SIGABRT, ...) are emulated.
int64_t signal_self(Process& p, int sig, int code) {
  if (sig < 0 || sig > abi::kNsig) return -EINVAL;
  if (sig == 0) return 0;
  if (!host_reserved_signal(sig) || sig == SIGKILL || sig == SIGSTOP) {
    // The same call natively, so si_code is SI_USER or SI_TKILL as it should.
    if (code == abi::kSiTkill) return host_result(::syscall(SYS_tgkill, ::getpid(), ::gettid(), sig));
    return host_result(::kill(::getpid(), sig));
  }
  const SignalAction& act = p.signals.actions[sig - 1];
  const bool blocked = (p.signals.blocked & sig_bit(sig)) != 0;
  if (act.handler == 1) return 0;
  if (act.handler == 0 && !blocked) {
    strace_line(p, format_killed_by(sig));
    die_by_signal(sig);
  }
  abi::Siginfo info{};
  info.si_signo = sig;
  info.si_code = code;
  const int32_t ids[2] = {int32_t(::getpid()), int32_t(::getuid())};
  std::memcpy(info.fields, ids, sizeof ids);
  queue_guest_signal(p, info);
  return 0;
}

}  // namespace

// The sa_flags bits Linux keeps (UAPI_SA_FLAGS on x86-64): SA_NOCLDSTOP,
// SA_NOCLDWAIT, SA_SIGINFO, SA_EXPOSE_TAGBITS, SA_RESTORER, SA_ONSTACK,
// SA_RESTART, SA_NODEFER, SA_RESETHAND. It clears the others, so that a
// program can tell which flags the kernel knows.
constexpr uint64_t kUapiSaFlags =
    0x1 | 0x2 | 0x4 | 0x800 | 0x04000000 | 0x08000000 | 0x10000000 | 0x40000000 | 0x80000000;

// Linux's order: the set size, reading the new action (EFAULT), the signal
// (do_sigaction: EINVAL), the change, and only then writing the old action
// back, so an unwritable oact is EFAULT with the new action in force.
int64_t sys_rt_sigaction(Process& p, const SyscallArgs& a) {
  const int sig = a.i32(0);
  if (a[3] != kSigsetSize) return -EINVAL;
  abi::Sigaction act{};
  if (a[1] != 0 && !read_guest(p, a[1], act)) return -EFAULT;
  if (!valid_signal(sig) || (a[1] != 0 && (sig == SIGKILL || sig == SIGSTOP))) return -EINVAL;
  SignalAction& slot = p.signals.actions[sig - 1];
  const abi::Sigaction old{slot.handler, slot.flags, slot.restorer, slot.mask};
  if (a[1] != 0) {
    slot = SignalAction{act.handler, act.flags & kUapiSaFlags, act.restorer, act.mask & ~kUnblockable};
    // POSIX: setting a pending signal to be ignored discards it.
    if (act.handler == 1 || (act.handler == 0 && default_ignores(sig))) p.signals.pending &= ~sig_bit(sig);
    mirror_disposition(p, sig);
  }
  if (a[2] != 0 && !write_guest(p, a[2], old)) return -EFAULT;
  return 0;
}

// As rt_sigaction: the new mask is in force before the old one is written back.
int64_t sys_rt_sigprocmask(Process& p, const SyscallArgs& a) {
  const int how = a.i32(0);
  if (a[3] != kSigsetSize) return -EINVAL;
  const uint64_t old = p.signals.blocked;
  if (a[1] != 0) {
    uint64_t set = 0;
    if (!read_guest(p, a[1], set)) return -EFAULT;
    if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return -EINVAL;
    set &= ~kUnblockable;
    if (how == SIG_BLOCK) p.signals.blocked |= set;
    else if (how == SIG_UNBLOCK) p.signals.blocked &= ~set;
    else p.signals.blocked = set;
    mirror_mask(p);  // newly unblocked host-pending signals arrive now
    if (p.signals.pending & ~p.signals.blocked) raise_interrupt(*p.cpu);
  }
  if (a[2] != 0 && !write_guest(p, a[2], old)) return -EFAULT;
  return 0;
}

int64_t sys_rt_sigpending(Process& p, const SyscallArgs& a) {
  if (a[1] > kSigsetSize) return -EINVAL;
  sigset_t host;
  sigpending(&host);
  uint64_t bits = p.signals.pending;
  for (int sig = 1; sig <= abi::kNsig; ++sig)
    if (!host_reserved_signal(sig) && sigismember(&host, sig) == 1) bits |= sig_bit(sig);
  bits &= p.signals.blocked;
  if (!p.mem->copy_out(mm::GuestAddr{a[0]}, &bits, a[1])) return -EFAULT;
  return 0;
}

int64_t sys_rt_sigsuspend(Process& p, const SyscallArgs& a) {
  if (a[1] != kSigsetSize) return -EINVAL;
  uint64_t mask = 0;
  if (!read_guest(p, a[0], mask)) return -EFAULT;
  p.signals.saved_mask = p.signals.blocked;
  p.signals.restore_mask = true;
  p.signals.blocked = mask & ~kUnblockable;
  wait_for_guest_signal(p);
  return -EINTR;  // the handler's frame saves (and sigreturn restores) saved_mask
}

int64_t sys_pause(Process& p, const SyscallArgs&) {
  wait_for_guest_signal(p);
  return -EINTR;
}

int64_t sys_rt_sigtimedwait(Process& p, const SyscallArgs& a) {
  if (a[3] != kSigsetSize) return -EINVAL;
  uint64_t set = 0;
  if (!read_guest(p, a[0], set)) return -EFAULT;
  set &= ~kUnblockable;
  struct ::timespec timeout{};
  if (a[2] != 0) {
    abi::Timespec ts{};
    if (!read_guest(p, a[2], ts)) return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return -EINVAL;
    timeout = {ts.tv_sec, ts.tv_nsec};
  }
  abi::Siginfo info{};
  int sig = 0;
  collect_host_signals(p);
  if (const uint64_t ready = p.signals.pending & set) {
    sig = __builtin_ctzll(ready) + 1;
    info = p.signals.pending_info[sig - 1];
    p.signals.pending &= ~sig_bit(sig);
    mirror_mask(p);
  } else {
    const sigset_t wait = host_sigset(set);
    siginfo_t host{};
    // The raw call: glibc's sigtimedwait rewrites SI_TKILL as SI_USER.
    sig = int(::syscall(SYS_rt_sigtimedwait, &wait, &host, a[2] != 0 ? &timeout : nullptr, size_t(8)));
    if (sig < 0) return host_result(-1);  // EAGAIN (timeout) or EINTR (a handler's signal)
    std::memcpy(&info, &host, sizeof info);
  }
  if (a[1] != 0 && !write_guest(p, a[1], info)) return -EFAULT;
  return sig;
}

int64_t sys_rt_sigreturn(Process& p, const SyscallArgs&) {
  uint64_t rax = 0;
  if (pop_signal_frame(p, rax) != FrameResult::Ok) {
    strace_line(p, format_killed_by(SIGSEGV));
    die_by_signal(SIGSEGV);
  }
  if (p.signals.pending & ~p.signals.blocked) raise_interrupt(*p.cpu);
  return int64_t(rax);
}

// Linux's order: the new stack is read (EFAULT), then changed, then the old
// one written back (EFAULT, with the new one in force).
int64_t sys_sigaltstack(Process& p, const SyscallArgs& a) {
  abi::StackT next{}, old{};
  if (a[0] != 0 && !read_guest(p, a[0], next)) return -EFAULT;
  const int r = change_altstack(p.signals, a[0] != 0 ? &next : nullptr, &old, p.cpu->gpr[RSP]);
  if (r != 0) return r;
  if (a[1] != 0 && !write_guest(p, a[1], old)) return -EFAULT;
  return 0;
}

int64_t sys_kill(Process& p, const SyscallArgs& a) {
  const int64_t pid = a.i32(0);
  if (pid == ::getpid()) return signal_self(p, a.i32(1), abi::kSiUser);
  // Other processes and process groups are real host processes (a group
  // that includes emu gets the signal through the host mirror too). The
  // host checks the signal where Linux does: after finding a process
  // (ESRCH first).
  return host_result(::kill(pid_t(pid), a.i32(1)));
}

int64_t sys_tgkill(Process& p, const SyscallArgs& a) {
  if (a.i32(0) <= 0 || a.i32(1) <= 0) return -EINVAL;
  if (a.i32(0) == ::getpid() && a.i32(1) == ::gettid()) return signal_self(p, a.i32(2), abi::kSiTkill);
  return host_result(::syscall(SYS_tgkill, a.i32(0), a.i32(1), a.i32(2)));
}

int64_t sys_tkill(Process& p, const SyscallArgs& a) {
  if (a.i32(0) <= 0) return -EINVAL;
  if (a.i32(0) == ::gettid()) return signal_self(p, a.i32(1), abi::kSiTkill);
  return host_result(::syscall(SYS_tkill, a.i32(0), a.i32(1)));
}

// Timers that signal: the host's own, so SIGALRM/SIGVTALRM/SIGPROF arrive
// through the mirror. ITIMER_VIRTUAL/PROF count emu's CPU time, which is the
// guest's as seen from outside.
int64_t sys_alarm(Process&, const SyscallArgs& a) { return ::alarm(unsigned(a[0])); }

int64_t sys_setitimer(Process& p, const SyscallArgs& a) {
  struct ::itimerval next{}, old{};
  if (a[1] != 0 && !read_guest(p, a[1], next)) return -EFAULT;
  static_assert(sizeof(::itimerval) == 32);
  if (::setitimer(__itimer_which(a.i32(0)), a[1] != 0 ? &next : nullptr, &old) != 0) return host_result(-1);
  if (a[2] != 0 && !write_guest(p, a[2], old)) return -EFAULT;
  return 0;
}

int64_t sys_getitimer(Process& p, const SyscallArgs& a) {
  struct ::itimerval cur{};
  if (::getitimer(__itimer_which(a.i32(0)), &cur) != 0) return host_result(-1);
  if (!write_guest(p, a[1], cur)) return -EFAULT;
  return 0;
}

}  // namespace emu::syscalls
