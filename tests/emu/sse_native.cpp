// See sse_native.h. The trampoline loads the whole state, calls the code
// (copied into an executable page, followed by RET), and stores the state.
#include "tests/emu/sse_native.h"

#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace emu::test {

static_assert(offsetof(NativeState, xmm) == 0);
static_assert(offsetof(NativeState, gpr) == 256);
static_assert(offsetof(NativeState, rflags) == 384);
static_assert(offsetof(NativeState, mxcsr) == 392);

extern "C" void emu_test_native_exec(NativeState* s, const void* code);

// clang-format off
asm(R"(
  .text
  .p2align 4
  .type emu_test_native_exec,@function
emu_test_native_exec:
  push %rbp
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  sub $24, %rsp
  mov %rdi, 0(%rsp)
  stmxcsr 8(%rsp)
  mov %rsi, 16(%rsp)
  ldmxcsr 392(%rdi)
  movdqu 0(%rdi), %xmm0
  movdqu 16(%rdi), %xmm1
  movdqu 32(%rdi), %xmm2
  movdqu 48(%rdi), %xmm3
  movdqu 64(%rdi), %xmm4
  movdqu 80(%rdi), %xmm5
  movdqu 96(%rdi), %xmm6
  movdqu 112(%rdi), %xmm7
  movdqu 128(%rdi), %xmm8
  movdqu 144(%rdi), %xmm9
  movdqu 160(%rdi), %xmm10
  movdqu 176(%rdi), %xmm11
  movdqu 192(%rdi), %xmm12
  movdqu 208(%rdi), %xmm13
  movdqu 224(%rdi), %xmm14
  movdqu 240(%rdi), %xmm15
  pushq 384(%rdi)
  popfq
  mov 256(%rdi), %rax
  mov 264(%rdi), %rcx
  mov 272(%rdi), %rdx
  mov 280(%rdi), %rbx
  mov 296(%rdi), %rbp
  mov 304(%rdi), %rsi
  mov 320(%rdi), %r8
  mov 328(%rdi), %r9
  mov 336(%rdi), %r10
  mov 344(%rdi), %r11
  mov 352(%rdi), %r12
  mov 360(%rdi), %r13
  mov 368(%rdi), %r14
  mov 376(%rdi), %r15
  mov 312(%rdi), %rdi
  call *16(%rsp)
  push %rdi
  mov 8(%rsp), %rdi
  popq 312(%rdi)
  pushfq
  popq 384(%rdi)
  mov %rax, 256(%rdi)
  mov %rcx, 264(%rdi)
  mov %rdx, 272(%rdi)
  mov %rbx, 280(%rdi)
  mov %rbp, 296(%rdi)
  mov %rsi, 304(%rdi)
  mov %r8, 320(%rdi)
  mov %r9, 328(%rdi)
  mov %r10, 336(%rdi)
  mov %r11, 344(%rdi)
  mov %r12, 352(%rdi)
  mov %r13, 360(%rdi)
  mov %r14, 368(%rdi)
  mov %r15, 376(%rdi)
  movdqu %xmm0, 0(%rdi)
  movdqu %xmm1, 16(%rdi)
  movdqu %xmm2, 32(%rdi)
  movdqu %xmm3, 48(%rdi)
  movdqu %xmm4, 64(%rdi)
  movdqu %xmm5, 80(%rdi)
  movdqu %xmm6, 96(%rdi)
  movdqu %xmm7, 112(%rdi)
  movdqu %xmm8, 128(%rdi)
  movdqu %xmm9, 144(%rdi)
  movdqu %xmm10, 160(%rdi)
  movdqu %xmm11, 176(%rdi)
  movdqu %xmm12, 192(%rdi)
  movdqu %xmm13, 208(%rdi)
  movdqu %xmm14, 224(%rdi)
  movdqu %xmm15, 240(%rdi)
  stmxcsr 392(%rdi)
  ldmxcsr 8(%rsp)
  add $24, %rsp
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %rbp
  ret
  .size emu_test_native_exec, .-emu_test_native_exec
)");
// clang-format on

void run_native(NativeState& s, const std::vector<uint8_t>& code) {
  static uint8_t* page = [] {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("run_native: mmap");
    return static_cast<uint8_t*>(p);
  }();
  if (code.size() + 1 > 4096) throw std::runtime_error("run_native: code too large");
  std::memcpy(page, code.data(), code.size());
  page[code.size()] = 0xc3;  // ret
  emu_test_native_exec(&s, page);
}

namespace {
sigjmp_buf g_jump;
volatile sig_atomic_t g_signal = 0;
void on_signal(int sig) {
  g_signal = sig;
  siglongjmp(g_jump, 1);
}
}  // namespace

int run_native_signal(NativeState& s, const std::vector<uint8_t>& code) {
  const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
  struct sigaction sa = {}, old[4];
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; i++) sigaction(sigs[i], &sa, &old[i]);
  const unsigned mxcsr = _mm_getcsr();
  g_signal = 0;
  if (sigsetjmp(g_jump, 1) == 0) run_native(s, code);
  _mm_setcsr(mxcsr);  // the trampoline didn't get to restore it
  for (int i = 0; i < 4; i++) sigaction(sigs[i], &old[i], nullptr);
  return g_signal;
}

}  // namespace emu::test
