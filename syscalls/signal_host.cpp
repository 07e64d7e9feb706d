// The host mirror of guest signal state: see signal_host.h.
#include "syscalls/signal_host.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "emu/cpu.h"

namespace emu::syscalls {

namespace {

// Written by the catcher (async-signal context), read by collect. A signal's
// slot is not rewritten before it is collected: the catcher leaves the signal
// blocked on return.
abi::Siginfo g_caught_info[abi::kNsig + 1];
std::atomic<uint64_t> g_caught{0};
Process* g_process = nullptr;

void record(int sig, const siginfo_t* info) {
  static_assert(sizeof(siginfo_t) == sizeof(abi::Siginfo));
  std::memcpy(&g_caught_info[sig], info, sizeof(abi::Siginfo));
  g_caught.fetch_or(sig_bit(sig), std::memory_order_release);
  if (g_process) raise_interrupt(*g_process->cpu);
}

void catcher(int sig, siginfo_t* info, void* uctx) {
  record(sig, info);
  sigaddset(&static_cast<ucontext_t*>(uctx)->uc_sigmask, sig);
}

bool is_terminating_default(int sig) { return !default_ignores(sig) && !default_stops(sig); }

}  // namespace

bool host_reserved_signal(int sig) {
  switch (sig) {
    case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT:
    case SIGKILL: case SIGSTOP:
      return true;
    default:
      // glibc keeps 32 and 33 for itself (sigaction refuses them).
      return sig == 32 || sig == 33;
  }
}

sigset_t host_sigset(uint64_t bits) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig = 1; sig <= abi::kNsig; ++sig)
    if ((bits & sig_bit(sig)) && !host_reserved_signal(sig)) sigaddset(&set, sig);
  return set;
}

bool default_ignores(int sig) { return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT; }
bool default_stops(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

void mirror_disposition(Process& p, int sig) {
  if (host_reserved_signal(sig)) return;
  const SignalAction& act = p.signals.actions[sig - 1];
  struct sigaction sa{};
  sigfillset(&sa.sa_mask);
  if (act.handler == 1) {
    sa.sa_handler = SIG_IGN;
  } else if (act.handler == 0 && !(p.catch_terminating && is_terminating_default(sig))) {
    sa.sa_handler = SIG_DFL;
  } else {
    sa.sa_sigaction = catcher;
    sa.sa_flags = SA_SIGINFO;
  }
  if (sig == SIGCHLD) sa.sa_flags |= int(act.flags & (abi::kSaNocldstop | abi::kSaNocldwait));
  sigaction(sig, &sa, nullptr);
}

void mirror_mask(const Process& p) {
  const sigset_t set = host_sigset(p.signals.blocked | p.signals.pending);
  sigprocmask(SIG_SETMASK, &set, nullptr);
}

void attach_host_signals(Process& p, bool catch_terminating) {
  g_process = &p;
  p.catch_terminating = catch_terminating;
  // What execve keeps, the guest starts with: ignored signals stay ignored
  // (nohup's SIGHUP, a background job's SIGINT and SIGQUIT) and the blocked
  // mask stays as it was. emu's own (reserved) signals are its own by now.
  sigset_t inherited;
  if (sigprocmask(SIG_BLOCK, nullptr, &inherited) == 0) {
    for (int sig = 1; sig <= abi::kNsig; ++sig)
      if (!host_reserved_signal(sig) && sigismember(&inherited, sig) == 1) p.signals.blocked |= sig_bit(sig);
  }
  for (int sig = 1; sig <= abi::kNsig; ++sig) {
    struct sigaction old{};
    if (!host_reserved_signal(sig) && sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN)
      p.signals.actions[sig - 1].handler = 1;
  }
  for (int sig = 1; sig <= abi::kNsig; ++sig) mirror_disposition(p, sig);
  mirror_mask(p);
}

void reset_signals_for_exec(Process& p) {
  for (int sig = 1; sig <= abi::kNsig; ++sig) {
    SignalAction& act = p.signals.actions[sig - 1];
    const bool ignored = act.handler == 1;
    act = SignalAction{};
    if (ignored) act.handler = 1;
    mirror_disposition(p, sig);
  }
  p.signals.altstack_sp = p.signals.altstack_size = 0;
  p.signals.altstack_flags = 0;
}

void reset_signals_for_fork_child(Process& p) {
  g_caught.store(0, std::memory_order_relaxed);
  p.signals.pending = 0;
  p.signals.syscall_interrupted = false;
  mirror_mask(p);
}

uint64_t collect_host_signals(Process& p) {
  uint64_t caught = g_caught.exchange(0, std::memory_order_acquire);
  for (int sig = 1; caught; ++sig, caught >>= 1) {
    if (!(caught & 1)) continue;
    p.signals.pending |= sig_bit(sig);
    p.signals.pending_info[sig - 1] = g_caught_info[sig];
  }
  return p.signals.pending & ~p.signals.blocked;
}

void forward_reserved_signal(int sig, siginfo_t* info, void*) {
  if (!g_process) die_by_signal(sig);
  const SignalAction& act = g_process->signals.actions[sig - 1];
  if (act.handler == 1) return;  // SIG_IGN
  if (act.handler == 0 && !(g_process->signals.blocked & sig_bit(sig))) die_by_signal(sig);
  record(sig, info);
}

void queue_guest_signal(Process& p, const abi::Siginfo& info) {
  const int sig = info.si_signo;
  if (p.signals.pending & sig_bit(sig)) return;  // standard signals do not queue
  p.signals.pending |= sig_bit(sig);
  p.signals.pending_info[sig - 1] = info;
  if (p.cpu) raise_interrupt(*p.cpu);
}

[[noreturn]] void die_by_signal(int signo) {
  std::fflush(stdout);
  std::fflush(stderr);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(signo, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  // Not raise(): after a raw clone (syscalls/children.cpp) glibc's cached
  // thread id is the parent's.
  syscall(SYS_tgkill, getpid(), gettid(), signo);
  _exit(128 + signo);
}

}  // namespace emu::syscalls
