// The host side of guest signals.
//
// emu mirrors the guest's signal dispositions and blocked mask onto its own
// (host) process, so the host kernel does what it does natively:
//  - SIG_DFL is the host's SIG_DFL: a terminating signal kills emu with the
//    native status, a stop signal stops it, an ignored one is dropped;
//  - SIG_IGN is the host's SIG_IGN (SIGCHLD's included, so children are
//    reaped the native way);
//  - a blocked signal stays pending in the host kernel (RT signals queue
//    there), and is delivered when the guest unblocks it;
//  - only a signal with a guest handler is caught, by a catcher that records
//    its siginfo, keeps that signal blocked until collected (so a second
//    instance waits in the kernel instead of overwriting the first) and
//    raises cpu.interrupt, which stops the interpreter at the next block.
// Blocking host calls made for the guest are not restarted (no SA_RESTART):
// they return EINTR, and the dispatcher decides as Linux would (restart,
// SA_RESTART, or -EINTR to the guest).
//
// Exceptions: SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT stay emu's own
// (its crash report); their guest dispositions exist only in emulation, and
// an asynchronous one sent by another process is forwarded to the guest by
// the crash handler. Under --strace every terminating signal is caught, so
// that "+++ killed by SIGx +++" can be printed before emu dies by it.
#pragma once

#include <csignal>
#include <cstdint>

#include "syscalls/syscalls.h"

namespace emu::syscalls {

constexpr uint64_t sig_bit(int sig) { return uint64_t{1} << (sig - 1); }

// Signals only emulated, never mirrored (see above), plus SIGKILL/SIGSTOP.
bool host_reserved_signal(int sig);

// Installs the mirror for `p` (once, before the guest runs): first takes in
// what execve would keep from the host process (ignored dispositions, the
// blocked mask), then sets every disposition and the mask as p.signals says. The catcher raises p.cpu's
// interrupt (emu/cpu.h). Under `catch_terminating` (--strace)
// default-terminating signals are caught too.
void attach_host_signals(Process& p, bool catch_terminating);

// The host sigset_t of guest signal bits, without the reserved signals.
sigset_t host_sigset(uint64_t bits);

// Mirrors one guest disposition, and the guest's blocked mask (plus signals
// caught but not yet delivered), onto the host.
void mirror_disposition(Process& p, int sig);
void mirror_mask(const Process& p);

// execve: handled signals go back to SIG_DFL and every action loses its
// flags and mask (ignored ones stay ignored); the alternate stack is gone;
// the mask and pending signals stay (Linux's flush_signal_handlers).
void reset_signals_for_exec(Process& p);

// In the child of a fork: no signal is pending (those caught for the parent
// stay the parent's); the rest is inherited as it is.
void reset_signals_for_fork_child(Process& p);

// Moves signals the catcher recorded into p.signals.pending. Returns the
// signals now pending and not blocked (what delivery would act on).
uint64_t collect_host_signals(Process& p);

// For the crash handler (emu/crash_report.h): a reserved signal sent by
// another process (si_code <= 0) goes to the guest: ignored, default
// (emu dies by it) or recorded for the guest's handler. Async-signal-safe.
void forward_reserved_signal(int sig, siginfo_t* info, void* uctx);

// Queues a signal for the guest without the host kernel (reserved signals
// sent to itself; faults go through deliver_fault instead).
void queue_guest_signal(Process& p, const abi::Siginfo& info);

// Ends emu the way a process killed by `signo` ends: by that signal with its
// default action (no core file: it would describe emu, not the guest).
[[noreturn]] void die_by_signal(int signo);

// The default action of `sig` is to ignore it (SIGCHLD, SIGURG, SIGWINCH,
// SIGCONT) or to stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU).
bool default_ignores(int sig);
bool default_stops(int sig);

}  // namespace emu::syscalls
