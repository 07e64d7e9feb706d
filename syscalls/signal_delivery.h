// Delivering signals to the guest: its handlers run on its stack with a
// Linux frame (signal_frame.h); default actions and ignoring are the host
// kernel's (signal_host.h) except where emu must act itself.
#pragma once

#include "mm/guest_fault.h"
#include "syscalls/syscalls.h"

namespace emu::syscalls {

// Called by the driver whenever the interpreter stops (after a system call,
// or because cpu.interrupt was raised): collects what the host caught, and
// for each pending signal the guest does not block, sets up its handler
// (frames nest, the last set up runs first, as on Linux) or applies its
// default action. Decides the fate of a system call interrupted for a
// handler (restarted under SA_RESTART where Linux restarts, else -EINTR).
void deliver_signals(Process& p);

// True when a signal the guest would act on is pending (collects first).
// Blocking system calls use it to tell an EINTR meant for the guest from one
// the guest must not see (a stop/continue, or a signal it blocks).
bool guest_signal_ready(Process& p);

// A synchronous fault (cpu.rip at the faulting instruction, or after an
// int3). Returns true when a guest handler will run; false when the fault is
// fatal (no handler, or the signal is blocked or ignored: Linux then resets
// it to the default action), and the caller reports it and dies by it.
bool deliver_fault(Process& p, const mm::GuestFault& fault);

// --strace's lines for a fault that kills the guest ("--- SIGSEGV {...} ---",
// "+++ killed by SIGSEGV +++"); nothing without --strace.
void strace_fatal_fault(Process& p, const mm::GuestFault& fault);

// Called by dispatch when a call returns -EINTR: if a signal for a guest
// handler is ready, records the call for deliver_signals and returns false;
// otherwise (nothing for the guest) returns true: the call must be re-issued.
bool note_interrupted_syscall(Process& p, uint64_t nr);

}  // namespace emu::syscalls
