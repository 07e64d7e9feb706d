// Signal frames and delivery decisions (syscalls/signal_frame.h,
// signal_delivery.h) on a Cpu + AddressSpace, without the interpreter: what
// a handler is entered with, what rt_sigreturn gives back, where frames go,
// and when an interrupted call is restarted.
#include <signal.h>

#include "emu/flags.h"
#include "syscalls/abi.h"
#include "syscalls/signal_delivery.h"
#include "syscalls/signal_frame.h"
#include "syscalls/signal_host.h"
#include "syscall_test_util.h"

using namespace syscalls_test;
using emu::syscalls::FrameResult;
using emu::syscalls::SignalAction;
namespace abi = emu::syscalls::abi;

namespace {

constexpr uint64_t kRtSigreturn = 15, kSigaltstack = 131, kNanosleep = 35;
constexpr uint64_t kHandler = 0x401000, kRestorer = 0x402000;

struct SignalGuest : Guest {
  uint64_t stack = 0;  // 64 KiB; RSP starts near its top
  SignalGuest() {
    stack = uint64_t(call(kMmap, 0, 65536, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, uint64_t(-1), 0));
    REQUIRE(int64_t(stack) > 0);
    cpu.gpr[RSP] = stack + 65536 - 256 - 8;
  }
  abi::Siginfo info(int sig, int code = abi::kSiUser) {
    abi::Siginfo si{};
    si.si_signo = sig;
    si.si_code = code;
    return si;
  }
  template <class T>
  T read(uint64_t addr) {
    T v;
    REQUIRE(as.copy_in(&v, mm::GuestAddr{addr}, sizeof v));
    return v;
  }
};

SignalAction action(uint64_t flags = abi::kSaRestorer | abi::kSaSiginfo, uint64_t mask = 0) {
  return SignalAction{kHandler, flags, kRestorer, mask};
}

}  // namespace

TEST_CASE("handler_entry_state_and_sigreturn_round_trip", "[signals]") {
  SignalGuest g;
  for (int r = 0; r < 16; ++r) g.cpu.gpr[r] = 0x1111 * uint64_t(r + 1);
  g.cpu.gpr[RSP] = g.stack + 65536 - 1000;  // deliberately not 16-byte aligned
  const uint64_t old_rsp = g.cpu.gpr[RSP];
  g.cpu.rip = 0x400123;
  write_rflags(g.cpu, kCF | kZF | kDF, kArithFlags | kDF);
  g.cpu.xmm[3].q[0] = 0x0123456789abcdefULL;
  g.process.signals.blocked = emu::syscalls::sig_bit(SIGUSR2);

  REQUIRE(push_signal_frame(g.process, action(), g.info(SIGUSR1), g.process.signals.blocked, {}) == FrameResult::Ok);
  // Entered like a called function: (RSP + 8) % 16 == 0, return address = restorer.
  CHECK(g.cpu.rip == kHandler);
  CHECK((g.cpu.gpr[RSP] + 8) % 16 == 0);
  CHECK(g.cpu.gpr[RSP] < old_rsp - 128);  // below the red zone
  CHECK(g.read<uint64_t>(g.cpu.gpr[RSP]) == kRestorer);
  CHECK(g.cpu.gpr[RDI] == SIGUSR1);
  CHECK(g.read<abi::Siginfo>(g.cpu.gpr[RSI]).si_signo == SIGUSR1);
  const uint64_t uc = g.cpu.gpr[RDX];
  const auto saved = g.read<abi::Ucontext>(uc);
  CHECK(saved.uc_mcontext.rip == 0x400123);
  CHECK(saved.uc_mcontext.rsp == old_rsp);
  CHECK(saved.uc_mcontext.rbx == 0x1111 * uint64_t(RBX + 1));
  CHECK((saved.uc_mcontext.eflags & (kCF | kZF | kDF)) == (kCF | kZF | kDF));
  CHECK(saved.uc_sigmask == emu::syscalls::sig_bit(SIGUSR2));
  CHECK(saved.uc_mcontext.fpstate % 64 == 0);
  // The handler runs with DF clear and the initial FPU state.
  CHECK((read_rflags(g.cpu) & kDF) == 0);
  CHECK(g.cpu.xmm[3].q[0] == 0);

  // The handler changes the saved RAX and RIP, then returns through the
  // restorer (RET popped the return address) into rt_sigreturn.
  abi::Ucontext changed = saved;
  changed.uc_mcontext.rax = 42;
  changed.uc_mcontext.rip = 0x400200;
  REQUIRE(g.as.copy_out(mm::GuestAddr{uc}, &changed, sizeof changed));
  g.cpu.gpr[RSP] += 8;
  g.process.signals.blocked = ~uint64_t{0};
  CHECK(g.call(kRtSigreturn) == 42);
  CHECK(g.cpu.rip == 0x400200);
  CHECK(g.cpu.gpr[RSP] == old_rsp);
  CHECK(g.cpu.gpr[RBX] == 0x1111 * uint64_t(RBX + 1));
  CHECK(g.cpu.xmm[3].q[0] == 0x0123456789abcdefULL);
  CHECK((read_rflags(g.cpu) & (kCF | kZF | kDF)) == (kCF | kZF | kDF));
  CHECK(g.process.signals.blocked == emu::syscalls::sig_bit(SIGUSR2));
  g.process.signals.blocked = 0;
  emu::syscalls::mirror_mask(g.process);
}

TEST_CASE("frame_needs_a_restorer_and_a_writable_stack", "[signals]") {
  SignalGuest g;
  CHECK(push_signal_frame(g.process, action(abi::kSaSiginfo), g.info(SIGUSR1), 0, {}) == FrameResult::Fault);
  g.cpu.gpr[RSP] = 0x1000;  // nothing mapped below
  CHECK(push_signal_frame(g.process, action(), g.info(SIGUSR1), 0, {}) == FrameResult::Fault);
}

TEST_CASE("sa_onstack_uses_the_alternate_stack_once", "[signals]") {
  SignalGuest g;
  const uint64_t alt = g.scratch;  // 64 KiB
  abi::StackT ss{alt, 0, 0, 65536};
  const uint64_t ss_addr = g.put(&ss, sizeof ss, 0);
  // Moves the descriptor out of the way of the frames built at the top.
  REQUIRE(g.call(kSigaltstack, ss_addr, 0) == 0);
  REQUIRE(push_signal_frame(g.process, action(abi::kSaRestorer | abi::kSaOnstack), g.info(SIGUSR1), 0, {}) ==
          FrameResult::Ok);
  const uint64_t first = g.cpu.gpr[RSP];
  CHECK(first > alt);
  CHECK(first < alt + 65536);
  // Already on it: changing it is EPERM, and a nested frame goes below.
  CHECK(g.call(kSigaltstack, ss_addr, 0) == -EPERM);
  REQUIRE(push_signal_frame(g.process, action(abi::kSaRestorer | abi::kSaOnstack), g.info(SIGUSR2), 0, {}) ==
          FrameResult::Ok);
  CHECK(g.cpu.gpr[RSP] < first - 128);
  // Without SA_ONSTACK the frame stays on the current stack.
  SignalGuest h;
  const uint64_t sp = h.cpu.gpr[RSP];
  REQUIRE(push_signal_frame(h.process, action(), h.info(SIGUSR1), 0, {}) == FrameResult::Ok);
  CHECK(h.cpu.gpr[RSP] < sp);
  CHECK(h.cpu.gpr[RSP] > h.stack);
}

TEST_CASE("sigaltstack_rejects_bad_flags_and_small_stacks", "[signals]") {
  SignalGuest g;
  abi::StackT bad_flags{g.scratch, 7, 0, 65536};
  CHECK(g.call(kSigaltstack, g.put(&bad_flags, sizeof bad_flags), 0) == -EINVAL);
  abi::StackT small{g.scratch, 0, 0, 1024};
  CHECK(g.call(kSigaltstack, g.put(&small, sizeof small), 0) == -ENOMEM);
  CHECK(g.call(kSigaltstack, 0x10, 0) == -EFAULT);
  abi::StackT old{};
  const uint64_t out = g.scratch + 512;
  REQUIRE(g.call(kSigaltstack, 0, out) == 0);
  old = g.read<abi::StackT>(out);
  CHECK(old.ss_flags == abi::kSsDisable);
}

TEST_CASE("interrupted_call_restarts_only_under_sa_restart", "[signals]") {
  using emu::syscalls::deliver_signals;
  const uint64_t syscall_end = 0x400502;  // rip after a SYSCALL at 0x400500
  for (const bool sa_restart : {false, true}) {
    SignalGuest g;
    g.process.signals.actions[SIGUSR1 - 1] =
        action(abi::kSaRestorer | (sa_restart ? abi::kSaRestart : 0));
    g.cpu.rip = syscall_end;
    g.cpu.gpr[RAX] = uint64_t(-EINTR);
    g.process.signals.syscall_interrupted = true;
    g.process.signals.interrupted_nr = kRead;
    emu::syscalls::queue_guest_signal(g.process, g.info(SIGUSR1));
    deliver_signals(g.process);
    const auto saved = g.read<abi::Ucontext>(g.cpu.gpr[RDX]);
    if (sa_restart) {
      CHECK(saved.uc_mcontext.rip == syscall_end - 2);  // back to the SYSCALL
      CHECK(saved.uc_mcontext.rax == kRead);
    } else {
      CHECK(saved.uc_mcontext.rip == syscall_end);
      CHECK(int64_t(saved.uc_mcontext.rax) == -EINTR);
    }
    // The handler runs with the signal blocked.
    CHECK((g.process.signals.blocked & emu::syscalls::sig_bit(SIGUSR1)) != 0);
    g.process.signals.blocked = 0;
    emu::syscalls::mirror_mask(g.process);
  }
  // nanosleep is never restarted after a handler, SA_RESTART or not.
  SignalGuest g;
  g.process.signals.actions[SIGUSR1 - 1] = action(abi::kSaRestorer | abi::kSaRestart);
  g.cpu.rip = syscall_end;
  g.cpu.gpr[RAX] = uint64_t(-EINTR);
  g.process.signals.syscall_interrupted = true;
  g.process.signals.interrupted_nr = kNanosleep;
  emu::syscalls::queue_guest_signal(g.process, g.info(SIGUSR1));
  deliver_signals(g.process);
  CHECK(int64_t(g.read<abi::Ucontext>(g.cpu.gpr[RDX]).uc_mcontext.rax) == -EINTR);
  g.process.signals.blocked = 0;
  emu::syscalls::mirror_mask(g.process);
}

TEST_CASE("handler_mask_adds_sa_mask_and_the_signal_unless_nodefer", "[signals]") {
  using emu::syscalls::sig_bit;
  SignalGuest g;
  g.process.signals.actions[SIGUSR1 - 1] = action(abi::kSaRestorer | abi::kSaNodefer, sig_bit(SIGTERM));
  emu::syscalls::queue_guest_signal(g.process, g.info(SIGUSR1));
  emu::syscalls::deliver_signals(g.process);
  CHECK(g.process.signals.blocked == sig_bit(SIGTERM));
  CHECK(g.process.signals.pending == 0);
  g.process.signals.blocked = 0;
  emu::syscalls::mirror_mask(g.process);
}

TEST_CASE("a_fault_with_no_handler_or_blocked_is_fatal", "[signals]") {
  SignalGuest g;
  const mm::GuestFault segv{SIGSEGV, mm::kSegvMapErr, 0x10};
  CHECK_FALSE(emu::syscalls::deliver_fault(g.process, segv));
  g.process.signals.actions[SIGSEGV - 1] = action();
  g.process.signals.blocked = emu::syscalls::sig_bit(SIGSEGV);
  CHECK_FALSE(emu::syscalls::deliver_fault(g.process, segv));
  g.process.signals.blocked = 0;
  g.cpu.rip = 0x400777;
  REQUIRE(emu::syscalls::deliver_fault(g.process, segv));
  const auto info = g.read<abi::Siginfo>(g.cpu.gpr[RSI]);
  uint64_t addr;
  std::memcpy(&addr, info.fields, sizeof addr);
  CHECK(info.si_code == mm::kSegvMapErr);
  CHECK(addr == 0x10);
  const auto uc = g.read<abi::Ucontext>(g.cpu.gpr[RDX]);
  CHECK(uc.uc_mcontext.rip == 0x400777);
  CHECK(uc.uc_mcontext.trapno == 14);
  CHECK(uc.uc_mcontext.cr2 == 0x10);
  g.process.signals.blocked = 0;
  emu::syscalls::mirror_mask(g.process);
}
