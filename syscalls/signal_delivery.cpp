// Signal delivery: see signal_delivery.h. Follows Linux's get_signal /
// handle_signal (kernel/signal.c, arch/x86/kernel/signal.c).
#include "syscalls/signal_delivery.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "emu/cpu.h"
#include "syscalls/signal_frame.h"
#include "syscalls/signal_host.h"
#include "syscalls/strace.h"

namespace emu::syscalls {

namespace {

constexpr uint64_t kSyncSignals =
    sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS);

// Linux dequeues synchronous signals first, then the lowest number.
int next_signal(uint64_t ready) {
  const uint64_t sync = ready & kSyncSignals;
  return __builtin_ctzll(sync ? sync : ready) + 1;
}

// System calls Linux never restarts once a handler has run, SA_RESTART or
// not (signal(7), "Interruption of system calls and library functions"):
// they return -ERESTARTNOHAND or -ERESTART_RESTARTBLOCK.
bool never_restarted_after_handler(uint64_t nr) {
  switch (nr) {
    case 7:    // poll
    case 23:   // select
    case 34:   // pause
    case 35:   // nanosleep
    case 130:  // rt_sigsuspend
    case 128:  // rt_sigtimedwait
    case 230:  // clock_nanosleep
    case 232:  // epoll_wait
    case 270:  // pselect6
    case 271:  // ppoll
    case 281:  // epoll_pwait
      return true;
    default:
      return false;
  }
}

// The SYSCALL instruction is 2 bytes: back to it, with the number in RAX.
void restart_syscall(Process& p) {
  p.cpu->rip -= 2;
  p.cpu->gpr[RAX] = p.signals.interrupted_nr;
}

[[noreturn]] void killed_by(Process& p, int sig) {
  strace_line(p, format_killed_by(sig));
  die_by_signal(sig);
}

// Sets up the handler for `sig` (the CPU then runs it). The mask the frame
// saves is the one before delivery, or rt_sigsuspend's caller's mask.
void run_handler(Process& p, int sig, const abi::Siginfo& info, const TrapInfo& trap) {
  SignalState& s = p.signals;
  SignalAction& act = s.actions[sig - 1];
  if (s.syscall_interrupted) {
    s.syscall_interrupted = false;
    if ((act.flags & abi::kSaRestart) && !never_restarted_after_handler(s.interrupted_nr)) restart_syscall(p);
    else p.cpu->gpr[RAX] = uint64_t(-int64_t(EINTR));
  }
  const uint64_t saved = s.restore_mask ? s.saved_mask : s.blocked;
  s.restore_mask = false;
  strace_line(p, format_signal_delivery(info));
  if (push_signal_frame(p, act, info, saved, trap) != FrameResult::Ok) killed_by(p, SIGSEGV);  // force_sigsegv
  s.blocked |= act.mask | ((act.flags & abi::kSaNodefer) ? 0 : sig_bit(sig));
  s.blocked &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
  if (act.flags & abi::kSaResethand) {
    act = SignalAction{};
    mirror_disposition(p, sig);
  }
}

abi::Siginfo fault_siginfo(const mm::GuestFault& fault) {
  abi::Siginfo info{};
  info.si_signo = fault.signo;
  info.si_code = fault.code;
  std::memcpy(info.fields, &fault.addr, sizeof fault.addr);
  return info;
}

}  // namespace

bool guest_signal_ready(Process& p) { return collect_host_signals(p) != 0; }

bool note_interrupted_syscall(Process& p, uint64_t nr) {
  if (!guest_signal_ready(p)) return true;
  p.signals.syscall_interrupted = true;
  p.signals.interrupted_nr = nr;
  return false;
}

void deliver_signals(Process& p) {
  SignalState& s = p.signals;
  clear_interrupt(*p.cpu);  // before collecting: a signal caught from here on raises it again
  uint64_t ready = collect_host_signals(p);
  bool ran_handler = false;
  while (ready) {
    const int sig = next_signal(ready);
    const abi::Siginfo info = s.pending_info[sig - 1];
    s.pending &= ~sig_bit(sig);
    const SignalAction& act = s.actions[sig - 1];
    if (act.handler == 1 || (act.handler == 0 && default_ignores(sig))) {
      // Ignored (the disposition changed after the host caught it).
    } else if (act.handler == 0 && default_stops(sig)) {
      mirror_mask(p);
      ::kill(::getpid(), SIGSTOP);
    } else if (act.handler == 0) {
      killed_by(p, sig);
    } else {
      run_handler(p, sig, info, TrapInfo{});
      ran_handler = true;
    }
    ready = s.pending & ~s.blocked;
  }
  if (!ran_handler && s.syscall_interrupted) {
    // Nothing for a handler after all: Linux restarts the call.
    s.syscall_interrupted = false;
    restart_syscall(p);
  }
  if (!ran_handler && s.restore_mask) {
    s.blocked = s.saved_mask;
    s.restore_mask = false;
  }
  mirror_mask(p);
}

void strace_fatal_fault(Process& p, const mm::GuestFault& fault) {
  if (fault.signo < 1 || fault.signo > abi::kNsig) return;
  strace_line(p, format_signal_delivery(fault_siginfo(fault)));
  strace_line(p, format_killed_by(fault.signo));
}

bool deliver_fault(Process& p, const mm::GuestFault& fault) {
  const int sig = fault.signo;
  if (sig < 1 || sig > abi::kNsig) return false;
  const SignalAction& act = p.signals.actions[sig - 1];
  if (act.handler <= 1 || (p.signals.blocked & sig_bit(sig))) return false;

  const abi::Siginfo info = fault_siginfo(fault);
  // sigcontext's trap number, error code and CR2 as the CPU reported them.
  TrapInfo trap;
  switch (sig) {
    case SIGSEGV:
    case SIGBUS:
      if (fault.code == mm::kSiKernel) {
        trap.trapno = fault.trap ? 4 : 13;  // INT 4 (#OF, reported after it), else #GP
      } else {
        trap.trapno = 14;  // #PF: user mode, present bit for a protection fault
        trap.err = 4 | (fault.code == mm::kSegvAccErr ? 1 : 0);
        trap.cr2 = fault.addr;
      }
      break;
    case SIGILL: trap.trapno = 6; break;
    case SIGTRAP: trap.trapno = fault.code == mm::kSiKernel ? 3 : 1; break;  // INT3 (#BP), INT1 (#DB)
    case SIGFPE: trap.trapno = fault.code <= mm::kFpeIntOvf ? 0 : 19; break;
    default: break;
  }
  run_handler(p, sig, info, trap);
  mirror_mask(p);
  return true;
}

}  // namespace emu::syscalls
