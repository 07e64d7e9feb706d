// Signal dispositions and masks: recorded in Process::signals so that the
// guest reads back what it set (glibc and musl check), and so that signal
// delivery, a later issue, finds the handlers. No host signal state changes.
#include <signal.h>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {
constexpr uint64_t kSigsetSize = 8;
constexpr uint64_t bit(int sig) { return uint64_t{1} << (sig - 1); }
constexpr uint64_t kUnblockable = bit(SIGKILL) | bit(SIGSTOP);
}  // namespace

int64_t sys_rt_sigaction(Process& p, const SyscallArgs& a) {
  const int sig = a.i32(0);
  if (a[3] != kSigsetSize) return -EINVAL;
  if (sig < 1 || sig > abi::kNsig) return -EINVAL;
  abi::Sigaction act{};
  if (a[1] != 0) {
    if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
    if (!read_guest(p, a[1], act)) return -EFAULT;
  }
  SignalAction& slot = p.signals.actions[sig - 1];
  const abi::Sigaction old{slot.handler, slot.flags, slot.restorer, slot.mask};
  if (a[2] != 0 && !write_guest(p, a[2], old)) return -EFAULT;
  if (a[1] != 0) slot = SignalAction{act.handler, act.flags, act.restorer, act.mask & ~kUnblockable};
  return 0;
}

int64_t sys_rt_sigprocmask(Process& p, const SyscallArgs& a) {
  const int how = a.i32(0);
  if (a[3] != kSigsetSize) return -EINVAL;
  uint64_t set = 0;
  if (a[1] != 0) {
    if (!read_guest(p, a[1], set)) return -EFAULT;
    if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return -EINVAL;
  }
  const uint64_t old = p.signals.blocked;
  if (a[2] != 0 && !write_guest(p, a[2], old)) return -EFAULT;
  if (a[1] != 0) {
    set &= ~kUnblockable;
    if (how == SIG_BLOCK) p.signals.blocked |= set;
    else if (how == SIG_UNBLOCK) p.signals.blocked &= ~set;
    else p.signals.blocked = set;
  }
  return 0;
}

int64_t sys_sigaltstack(Process& p, const SyscallArgs& a) {
  abi::StackT next{};
  if (a[0] != 0) {
    if (!read_guest(p, a[0], next)) return -EFAULT;
    if (next.ss_flags != 0 && next.ss_flags != abi::kSsDisable) return -EINVAL;
    if (next.ss_flags == 0 && next.ss_size < 2048) return -ENOMEM;  // MINSIGSTKSZ
  }
  abi::StackT old{p.signals.altstack_sp, p.signals.altstack_flags, 0, p.signals.altstack_size};
  if (a[1] != 0 && !write_guest(p, a[1], old)) return -EFAULT;
  if (a[0] != 0) {
    if (next.ss_flags == abi::kSsDisable) {
      p.signals.altstack_sp = 0;
      p.signals.altstack_size = 0;
      p.signals.altstack_flags = abi::kSsDisable;
    } else {
      p.signals.altstack_sp = next.ss_sp;
      p.signals.altstack_size = next.ss_size;
      p.signals.altstack_flags = 0;
    }
  }
  return 0;
}

}  // namespace emu::syscalls
