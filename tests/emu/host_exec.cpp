// See host_exec.h. Entry (emu_host_enter) saves the host's callee-saved
// registers, RSP and FPU state in this file's globals, loads the guest state
// and jumps to it; the exit stub (emu_host_exit) stores the guest state
// through the globals (it has no free register: every store is RIP-relative
// or relative to RSP after RSP was pointed at the output), restores the host
// and returns from emu_host_enter. A signal instead longjmps back to
// run_on_host, which restores the host FPU and RFLAGS itself.
#include "tests/emu/host_exec.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "emu/cpu.h"

namespace emu::test {

static_assert(offsetof(HostState, gpr) == 0);
static_assert(offsetof(HostState, rip) == 128);
static_assert(offsetof(HostState, rflags) == 136);
static_assert(offsetof(HostState, fx) == 144);

extern "C" {
void emu_host_enter(const HostState* in, HostState* out);
void emu_host_exit();
extern uint8_t emu_host_fx[512];
}

// clang-format off
asm(R"(
  .text
  .p2align 4
  .globl emu_host_enter
  .hidden emu_host_enter
  .type emu_host_enter,@function
emu_host_enter:
  push %rbp
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, emu_host_saved_rsp(%rip)
  mov %rsi, emu_host_out(%rip)
  fxsave64 emu_host_fx(%rip)
  fxrstor64 144(%rdi)
  mov 128(%rdi), %rax
  mov %rax, emu_host_target(%rip)
  pushq 136(%rdi)
  popfq
  mov 0(%rdi), %rax
  mov 8(%rdi), %rcx
  mov 16(%rdi), %rdx
  mov 24(%rdi), %rbx
  mov 32(%rdi), %rsp
  mov 40(%rdi), %rbp
  mov 48(%rdi), %rsi
  mov 64(%rdi), %r8
  mov 72(%rdi), %r9
  mov 80(%rdi), %r10
  mov 88(%rdi), %r11
  mov 96(%rdi), %r12
  mov 104(%rdi), %r13
  mov 112(%rdi), %r14
  mov 120(%rdi), %r15
  mov 56(%rdi), %rdi
  jmp *emu_host_target(%rip)
  .size emu_host_enter, .-emu_host_enter

  .p2align 4
  .globl emu_host_exit
  .hidden emu_host_exit
  .type emu_host_exit,@function
emu_host_exit:
  mov %rsp, emu_host_guest_rsp(%rip)
  mov emu_host_out(%rip), %rsp
  mov %rax, 0(%rsp)
  mov %rcx, 8(%rsp)
  mov %rdx, 16(%rsp)
  mov %rbx, 24(%rsp)
  mov %rbp, 40(%rsp)
  mov %rsi, 48(%rsp)
  mov %rdi, 56(%rsp)
  mov %r8, 64(%rsp)
  mov %r9, 72(%rsp)
  mov %r10, 80(%rsp)
  mov %r11, 88(%rsp)
  mov %r12, 96(%rsp)
  mov %r13, 104(%rsp)
  mov %r14, 112(%rsp)
  mov %r15, 120(%rsp)
  lea 144(%rsp), %rsp
  pushfq
  mov emu_host_out(%rip), %rax
  mov emu_host_guest_rsp(%rip), %rbx
  mov %rbx, 32(%rax)
  fxsave64 144(%rax)
  mov emu_host_saved_rsp(%rip), %rsp
  fxrstor64 emu_host_fx(%rip)
  pushq $0x202
  popfq
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %rbp
  ret
  .size emu_host_exit, .-emu_host_exit

  .bss
  .p2align 6
  .globl emu_host_fx
  .hidden emu_host_fx
emu_host_fx: .zero 512
emu_host_saved_rsp: .zero 8
emu_host_guest_rsp: .zero 8
emu_host_out: .zero 8
emu_host_target: .zero 8
  .text
)");
// clang-format on

namespace {

// The arena: one reservation, PROT_NONE except the three parts.
constexpr uintptr_t kArenaAddr = 0x3e000000;
constexpr size_t kArenaSize = 0x100000;
constexpr size_t kCodeOff = 0x10000, kCodeSize = 0x1000;
constexpr size_t kDataOff = 0x20000, kDataSize = 0x2000;
constexpr size_t kStackOff = 0x30000, kStackSize = 0x4000;

sigjmp_buf g_jump;
volatile sig_atomic_t g_active = 0;
HostOutcome* volatile g_outcome = nullptr;
uint64_t g_exit_addr = 0;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
constexpr int kSignalCount = sizeof kSignals / sizeof kSignals[0];
struct sigaction g_old_actions[kSignalCount];
stack_t g_old_altstack;
int g_scope_depth = 0;
alignas(64) uint8_t g_altstack[64 * 1024];

void on_signal(int sig, siginfo_t* si, void* ctx) {
  if (!g_active) {
    // Not ours: put the previous handler back and let the fault recur.
    for (int i = 0; i < kSignalCount; i++)
      if (kSignals[i] == sig) sigaction(sig, &g_old_actions[i], nullptr);
    return;
  }
  // The kernel leaves RFLAGS.AC as the guest had it (POPF may set it):
  // clear it before any unaligned access here faults again.
  asm volatile("sub $128, %%rsp\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq\n\tadd $128, %%rsp" ::: "cc", "memory");
  auto* uc = static_cast<ucontext_t*>(ctx);
  const greg_t* g = uc->uc_mcontext.gregs;
  HostOutcome& o = *g_outcome;
  o.signo = sig;
  o.code = si->si_code;
  o.addr = reinterpret_cast<uint64_t>(si->si_addr);
  uint64_t* r = o.state.gpr;
  r[RAX] = g[REG_RAX]; r[RCX] = g[REG_RCX]; r[RDX] = g[REG_RDX]; r[RBX] = g[REG_RBX];
  r[RSP] = g[REG_RSP]; r[RBP] = g[REG_RBP]; r[RSI] = g[REG_RSI]; r[RDI] = g[REG_RDI];
  r[R8] = g[REG_R8];   r[R9] = g[REG_R9];   r[R10] = g[REG_R10]; r[R11] = g[REG_R11];
  r[R12] = g[REG_R12]; r[R13] = g[REG_R13]; r[R14] = g[REG_R14]; r[R15] = g[REG_R15];
  o.state.rip = g[REG_RIP];
  o.state.rflags = g[REG_EFL];
  if (uc->uc_mcontext.fpregs) std::memcpy(o.state.fx, uc->uc_mcontext.fpregs, kFxSize);
  siglongjmp(g_jump, 1);
}

}  // namespace

const HostArena& host_arena() {
  static const HostArena arena = [] {
    void* p = mmap(reinterpret_cast<void*>(kArenaAddr), kArenaSize, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
    if (p != reinterpret_cast<void*>(kArenaAddr))
      throw std::runtime_error("host_exec: the arena at 0x3e000000 is taken");
    auto* base = static_cast<uint8_t*>(p);
    if (mprotect(base + kCodeOff, kCodeSize, PROT_READ | PROT_WRITE | PROT_EXEC) != 0 ||
        mprotect(base + kDataOff, kDataSize, PROT_READ | PROT_WRITE) != 0 ||
        mprotect(base + kStackOff, kStackSize, PROT_READ | PROT_WRITE) != 0)
      throw std::runtime_error("host_exec: mprotect");
    return HostArena{base, kArenaSize, base + kCodeOff, kCodeSize, base + kDataOff, kDataSize, base + kStackOff, kStackSize};
  }();
  return arena;
}

size_t write_host_exit(uint8_t* at) {
  const uint64_t slot = (reinterpret_cast<uint64_t>(at) + 6 + 7) & ~uint64_t{7};
  const int32_t disp = int32_t(slot - (reinterpret_cast<uint64_t>(at) + 6));
  at[0] = 0xFF;  // jmp [rip+disp]
  at[1] = 0x25;
  std::memcpy(at + 2, &disp, 4);
  const uint64_t stub = reinterpret_cast<uint64_t>(&emu_host_exit);
  std::memcpy(reinterpret_cast<uint8_t*>(slot), &stub, 8);
  g_exit_addr = reinterpret_cast<uint64_t>(at);
  return size_t(slot + 8 - reinterpret_cast<uint64_t>(at));
}

HostSignalScope::HostSignalScope() {
  if (g_scope_depth++ > 0) return;
  stack_t ss{};
  ss.ss_sp = g_altstack;
  ss.ss_size = sizeof g_altstack;
  sigaltstack(&ss, &g_old_altstack);
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;  // NODEFER: the longjmp leaves no signal blocked
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < kSignalCount; i++) sigaction(kSignals[i], &sa, &g_old_actions[i]);
}

HostSignalScope::~HostSignalScope() {
  if (--g_scope_depth > 0) return;
  for (int i = 0; i < kSignalCount; i++) sigaction(kSignals[i], &g_old_actions[i], nullptr);
  sigaltstack(&g_old_altstack, nullptr);
}

HostOutcome run_on_host(const HostState& in) {
  static HostOutcome out;  // static: written by the signal handler across the longjmp
  if (g_scope_depth == 0) throw std::logic_error("run_on_host without a HostSignalScope");
  out = HostOutcome{};
  g_outcome = &out;
  g_active = 1;
  if (sigsetjmp(g_jump, 0) == 0) {
    emu_host_enter(&in, &out.state);
    out.state.rip = g_exit_addr;
  } else {
    // The handler ran with the kernel's initial FPU state; the guest may
    // have left AC or DF set in RFLAGS.
    asm volatile("fxrstor64 %0" ::"m"(emu_host_fx));
    asm volatile("sub $128, %%rsp\n\tpushq $0x202\n\tpopfq\n\tadd $128, %%rsp" ::: "cc", "memory");  // skip the red zone
  }
  g_active = 0;
  return out;
}

void default_fx(uint8_t* fx, uint32_t mxcsr) {
  std::memset(fx, 0, kFxSize);
  const uint16_t fcw = 0x037f;
  std::memcpy(fx + kFxFcw, &fcw, 2);
  std::memcpy(fx + kFxMxcsr, &mxcsr, 4);
}

}  // namespace emu::test
