// Linux x86-64 signal frames on the guest stack (arch/x86/kernel/signal*.c):
// what a guest handler sees, and what rt_sigreturn restores.
#pragma once

#include <cstdint>

#include "syscalls/syscalls.h"

namespace emu::syscalls {

// Why a frame could not be built or read: the stack (or the frame an
// rt_sigreturn points at) is not writable/readable, or the action has no
// SA_RESTORER (x86-64 requires one). Linux then forces SIGSEGV.
enum class FrameResult { Ok, Fault };

// Where the fault came from, for sigcontext's trapno/err/cr2 (0 for
// asynchronous signals).
struct TrapInfo {
  uint64_t trapno = 0;
  uint64_t err = 0;
  uint64_t cr2 = 0;
};

// The alternate signal stack, as Linux keeps it: whether `sp` is on it
// (never, with SS_AUTODISARM: on_sig_stack), the ss_flags that describe it
// from `sp` (SS_DISABLE, SS_ONSTACK or 0: sas_ss_flags), and changing it
// (do_sigaltstack: 0, -EPERM, -EINVAL or -ENOMEM; `old` gets the state
// before, with the SS_AUTODISARM bit, when not null).
bool on_altstack(const SignalState& s, uint64_t sp);
int altstack_flags(const SignalState& s, uint64_t sp);
int change_altstack(SignalState& s, const abi::StackT* next, abi::StackT* old, uint64_t sp);

// Builds an rt_sigframe for `info.si_signo` under `act` and points the CPU at
// the handler: RDI = signal, RSI = &siginfo, RDX = &ucontext, RAX = 0, RSP =
// the frame (its first word is the return address, sa_restorer), DF and TF
// cleared, x87/SSE reset to their initial state (the old state is in the
// frame's fpstate). The frame goes on the alternate stack under SA_ONSTACK
// when one is set up and not in use, else 128 bytes (the red zone) below
// RSP. `saved_mask` is what uc_sigmask records (and rt_sigreturn restores).
FrameResult push_signal_frame(Process& p, const SignalAction& act, const abi::Siginfo& info,
                              uint64_t saved_mask, const TrapInfo& trap);

// rt_sigreturn: restores the registers, flags (the user-settable ones), FP
// state, blocked mask and alternate stack from the frame at RSP - 8. Returns
// the restored RAX, for the dispatcher to leave in place.
FrameResult pop_signal_frame(Process& p, uint64_t& rax);

}  // namespace emu::syscalls
