// Signal frames: see signal_frame.h. Layout and rules follow Linux 6.x
// (arch/x86/kernel/signal.c get_sigframe, signal_64.c x64_setup_rt_frame and
// restore_sigcontext, fpu/signal.c).
#include "syscalls/signal_frame.h"

#include <cstddef>
#include <cstring>

#include "emu/cpu.h"
#include "emu/flags.h"
#include "emu/ops/sse_state.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_host.h"

namespace emu::syscalls {

namespace {

constexpr uint64_t kRedZone = 128;
constexpr uint16_t kUserCs = 0x33;
constexpr uint16_t kUserDs = 0x2b;
// FIX_EFLAGS in signal_64.c: what rt_sigreturn may change.
constexpr uint64_t kRestorableFlags = kCF | kPF | kAF | kZF | kSF | kTF | kDF | kOF | kAC | (1u << 16) /* RF */;

void save_registers(const Cpu& c, abi::Sigcontext& m) {
  m.r8 = c.gpr[R8], m.r9 = c.gpr[R9], m.r10 = c.gpr[R10], m.r11 = c.gpr[R11];
  m.r12 = c.gpr[R12], m.r13 = c.gpr[R13], m.r14 = c.gpr[R14], m.r15 = c.gpr[R15];
  m.rdi = c.gpr[RDI], m.rsi = c.gpr[RSI], m.rbp = c.gpr[RBP], m.rbx = c.gpr[RBX];
  m.rdx = c.gpr[RDX], m.rax = c.gpr[RAX], m.rcx = c.gpr[RCX], m.rsp = c.gpr[RSP];
  m.rip = c.rip;
  m.eflags = read_rflags(c);
  m.cs = kUserCs;
  m.ss = kUserDs;
}

void restore_registers(Cpu& c, const abi::Sigcontext& m) {
  c.gpr[R8] = m.r8, c.gpr[R9] = m.r9, c.gpr[R10] = m.r10, c.gpr[R11] = m.r11;
  c.gpr[R12] = m.r12, c.gpr[R13] = m.r13, c.gpr[R14] = m.r14, c.gpr[R15] = m.r15;
  c.gpr[RDI] = m.rdi, c.gpr[RSI] = m.rsi, c.gpr[RBP] = m.rbp, c.gpr[RBX] = m.rbx;
  c.gpr[RDX] = m.rdx, c.gpr[RAX] = m.rax, c.gpr[RCX] = m.rcx, c.gpr[RSP] = m.rsp;
  c.rip = m.rip;
  write_rflags(c, m.eflags, kRestorableFlags);
}

// The FPU state a handler starts with (fpu__clear_user_states: init_fpstate).
void reset_fp_state(Cpu& c) {
  for (auto& x : c.xmm) x = Xmm{};
  c.x87 = X87{};
  set_guest_mxcsr(c, 0x1f80);
}

}  // namespace

bool on_altstack(const SignalState& s, uint64_t sp) {
  if (s.altstack_flags & abi::kSsAutodisarm) return false;
  return sp > s.altstack_sp && sp - s.altstack_sp <= s.altstack_size;
}

int altstack_flags(const SignalState& s, uint64_t sp) {
  if (s.altstack_size == 0) return abi::kSsDisable;
  return on_altstack(s, sp) ? abi::kSsOnstack : 0;
}

int change_altstack(SignalState& s, const abi::StackT* next, abi::StackT* old, uint64_t sp) {
  if (old) {
    const uint32_t flags = uint32_t(altstack_flags(s, sp)) | (s.altstack_flags & abi::kSsAutodisarm);
    *old = abi::StackT{s.altstack_sp, int32_t(flags), 0, s.altstack_size};
  }
  if (!next) return 0;
  if (on_altstack(s, sp)) return -EPERM;
  const uint32_t flags = uint32_t(next->ss_flags);
  const uint32_t mode = flags & ~abi::kSsAutodisarm;
  if (mode != uint32_t(abi::kSsDisable) && mode != uint32_t(abi::kSsOnstack) && mode != 0) return -EINVAL;
  // No change asked for: 0 at once (even an "enabled" empty stack, the initial state).
  if (s.altstack_sp == next->ss_sp && s.altstack_size == next->ss_size && s.altstack_flags == flags) return 0;
  uint64_t stack = next->ss_sp, size = next->ss_size;
  if (mode == uint32_t(abi::kSsDisable)) {
    stack = size = 0;
  } else if (size < 2048) {  // MINSIGSTKSZ
    return -ENOMEM;
  }
  s.altstack_sp = stack;
  s.altstack_size = size;
  s.altstack_flags = flags;
  return 0;
}

FrameResult push_signal_frame(Process& p, const SignalAction& act, const abi::Siginfo& info,
                              uint64_t saved_mask, const TrapInfo& trap) {
  Cpu& c = *p.cpu;
  const SignalState& s = p.signals;
  if (!(act.flags & abi::kSaRestorer)) return FrameResult::Fault;

  const uint64_t old_sp = c.gpr[RSP];
  bool disarm = false;
  uint64_t sp = old_sp - kRedZone;
  if ((act.flags & abi::kSaOnstack) && altstack_flags(s, old_sp) == 0) sp = s.altstack_sp + s.altstack_size;
  // The FXSAVE image, 64-byte aligned, then the frame: 16-byte aligned
  // minus 8, as if a CALL had pushed the return address.
  sp = (sp - kFxAreaSize) & ~uint64_t{63};
  const uint64_t fpstate = sp;
  sp = ((sp - sizeof(abi::RtSigframe)) & ~uint64_t{15}) - 8;

  abi::RtSigframe frame{};
  frame.pretcode = act.restorer;
  frame.uc.uc_flags = abi::kUcSigcontextSs | abi::kUcStrictRestoreSs;
  // The flags as set (Linux 4.7+: not SS_ONSTACK; SS_AUTODISARM kept).
  frame.uc.uc_stack = abi::StackT{s.altstack_sp, int32_t(s.altstack_flags), 0, s.altstack_size};
  // SS_AUTODISARM: the handler runs with the stack disarmed; rt_sigreturn
  // puts uc_stack back (sas_ss_reset).
  if (s.altstack_flags & abi::kSsAutodisarm) disarm = true;
  save_registers(c, frame.uc.uc_mcontext);
  frame.uc.uc_mcontext.trapno = trap.trapno;
  frame.uc.uc_mcontext.err = trap.err;
  frame.uc.uc_mcontext.cr2 = trap.cr2;
  frame.uc.uc_mcontext.oldmask = saved_mask;
  frame.uc.uc_mcontext.fpstate = fpstate;
  frame.uc.uc_sigmask = saved_mask;
  frame.info = info;

  uint8_t fx[kFxAreaSize] = {};
  fx_save(c, fx);
  if (!p.mem->copy_out(mm::GuestAddr{fpstate}, fx, sizeof fx)) return FrameResult::Fault;
  if (!write_guest(p, sp, frame)) return FrameResult::Fault;

  if (disarm) {
    p.signals.altstack_sp = p.signals.altstack_size = 0;
    p.signals.altstack_flags = uint32_t(abi::kSsDisable);
  }
  c.gpr[RDI] = uint64_t(info.si_signo);
  c.gpr[RSI] = sp + offsetof(abi::RtSigframe, info);
  c.gpr[RDX] = sp + offsetof(abi::RtSigframe, uc);
  c.gpr[RAX] = 0;
  c.gpr[RSP] = sp;
  c.rip = act.handler;
  write_rflags(c, 0, kDF | kTF | (1u << 16));
  reset_fp_state(c);
  return FrameResult::Ok;
}

FrameResult pop_signal_frame(Process& p, uint64_t& rax) {
  Cpu& c = *p.cpu;
  const uint64_t frame_addr = c.gpr[RSP] - 8;
  abi::RtSigframe frame;
  if (!read_guest(p, frame_addr, frame)) return FrameResult::Fault;
  const abi::Sigcontext& m = frame.uc.uc_mcontext;
  if (m.fpstate != 0) {
    uint8_t fx[kFxAreaSize];
    if (!p.mem->copy_in(fx, mm::GuestAddr{m.fpstate}, sizeof fx)) return FrameResult::Fault;
    if (!fx_restore(c, fx)) return FrameResult::Fault;
  } else {
    reset_fp_state(c);
  }
  restore_registers(c, m);
  p.signals.blocked = frame.uc.uc_sigmask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
  mirror_mask(p);
  // restore_altstack(): as sigaltstack(&uc_stack, NULL) would, errors ignored.
  change_altstack(p.signals, &frame.uc.uc_stack, nullptr, c.gpr[RSP]);
  rax = m.rax;
  return FrameResult::Ok;
}

}  // namespace emu::syscalls
