#include "tests/emu/integer_host_oracle.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstring>
#include <random>
#include <stdexcept>

#include "tests/emu/harness.h"

// native_exec(OracleState* s, void* code): loads the 8 registers and RFLAGS
// from *s, calls `code` (the instruction bytes followed by RET), stores them
// back. R14/R15 hold the pointers, so tested instructions must not use them.
asm(R"(
  .text
  .globl emu_test_native_exec
  .type emu_test_native_exec, @function
emu_test_native_exec:
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rdi, %r15
  mov %rsi, %r14
  mov 0(%r15), %rax
  mov 8(%r15), %rcx
  mov 16(%r15), %rdx
  mov 24(%r15), %rbx
  mov 32(%r15), %rsi
  mov 40(%r15), %rdi
  mov 48(%r15), %r8
  mov 56(%r15), %r9
  pushq 64(%r15)
  popfq
  call *%r14
  pushfq
  popq 64(%r15)
  cld
  mov %rax, 0(%r15)
  mov %rcx, 8(%r15)
  mov %rdx, 16(%r15)
  mov %rbx, 24(%r15)
  mov %rsi, 32(%r15)
  mov %rdi, 40(%r15)
  mov %r8, 48(%r15)
  mov %r9, 56(%r15)
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbp
  pop %rbx
  ret
  .size emu_test_native_exec, .-emu_test_native_exec
)");

extern "C" void emu_test_native_exec(void* state, void* code);

namespace emu::test {
namespace {

sigjmp_buf g_fault_jmp;
volatile sig_atomic_t g_fault_sig = 0;

void on_fault(int sig) {
  g_fault_sig = sig;
  siglongjmp(g_fault_jmp, 1);
}

uint8_t* code_page() {
  static uint8_t* page = [] {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap rwx");
    return static_cast<uint8_t*>(p);
  }();
  return page;
}

}  // namespace

OracleResult run_native(const std::vector<uint8_t>& code, const OracleState& in, bool use_mem) {
  uint8_t* page = code_page();
  std::memcpy(page, code.data(), code.size());
  page[code.size()] = 0xC3;  // ret
  alignas(16) uint64_t mem[2] = {in.mem[0], in.mem[1]};
  OracleResult res;
  res.state = in;
  res.state.rflags = (in.rflags & 0x8d5) | 0x202;
  if (use_mem) res.state.r[3] = reinterpret_cast<uint64_t>(mem);
  struct sigaction sa {}, old_fpe{};
  sa.sa_handler = on_fault;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGFPE, &sa, &old_fpe);
  g_fault_sig = 0;
  if (sigsetjmp(g_fault_jmp, 1) == 0) {
    emu_test_native_exec(&res.state, page);
  } else {
    res.signo = g_fault_sig;
    res.state = in;
  }
  sigaction(SIGFPE, &old_fpe, nullptr);
  res.state.mem[0] = mem[0];
  res.state.mem[1] = mem[1];
  return res;
}

Oracle::Oracle() = default;
Oracle::~Oracle() = default;

namespace {

const char* const kRegNames[kOracleRegs] = {"rax", "rcx", "rdx", "rbx", "rsi", "rdi", "r8", "r9"};
const Reg kRegIds[kOracleRegs] = {RAX, RCX, RDX, RBX, RSI, RDI, R8, R9};

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

std::string describe(const OracleState& s) {
  std::string out;
  for (int i = 0; i < kOracleRegs; ++i) out += std::string(kRegNames[i]) + "=" + hex(s.r[i]) + " ";
  out += "fl=" + hex(s.rflags & 0x8d5) + " mem=" + hex(s.mem[0]) + "," + hex(s.mem[1]);
  return out;
}

}  // namespace

int Oracle::compare(const OracleCase& c, const std::vector<OracleState>& inputs, std::string& report) {
  Harness h(c.code);
  int bad = 0;
  for (const OracleState& in : inputs) {
    const OracleResult native = run_native(c.code, in, c.use_mem);

    h.cpu.rip = Harness::kCodeAddr;
    for (int i = 0; i < kOracleRegs; ++i) h.cpu.gpr[kRegIds[i]] = in.r[i];
    if (c.use_mem) {
      h.cpu.gpr[RBX] = Harness::kDataAddr;
      h.write(Harness::kDataAddr, in.mem, sizeof in.mem);
    }
    h.set_rflags((in.rflags & 0x8d5) | 0x202);
    const std::optional<mm::GuestFault> fault = h.run_fault();
    OracleState emu;
    for (int i = 0; i < kOracleRegs; ++i) emu.r[i] = h.cpu.gpr[kRegIds[i]];
    emu.rflags = h.rflags();
    if (c.use_mem) h.read(Harness::kDataAddr, emu.mem, sizeof emu.mem);
    else std::memcpy(emu.mem, native.state.mem, sizeof emu.mem);
    ++compared_;

    bool ok = (fault ? fault->signo : 0) == native.signo;
    if (ok && native.signo == 0) {
      for (int i = 0; i < kOracleRegs; ++i)
        if (!(c.use_mem && i == 3) && emu.r[i] != native.state.r[i]) ok = false;
      if ((emu.rflags ^ native.state.rflags) & c.flag_mask) ok = false;
      if (emu.mem[0] != native.state.mem[0] || emu.mem[1] != native.state.mem[1]) ok = false;
    }
    if (!ok) {
      if (++bad <= 5) {
        report += c.name + "\n  in:     " + describe(in) + "\n  native: " +
                  (native.signo ? "signal " + std::to_string(native.signo) : describe(native.state)) +
                  "\n  emu:    " + (fault ? "signal " + std::to_string(fault->signo) : describe(emu)) + "\n";
      }
    }
  }
  return bad;
}

std::vector<uint64_t> edge_values() {
  return {0,
          1,
          2,
          ~uint64_t{0},
          0x7f,
          0x80,
          0xff,
          0x100,
          0x7fff,
          0x8000,
          0xffff,
          0x10000,
          0x7fffffff,
          0x80000000,
          0xffffffff,
          0x100000000,
          0x7fffffffffffffff,
          0x8000000000000000,
          0x0f0f0f0f0f0f0f0f,
          0xfffffffffffffffe,
          0xffffffff80000000,
          0xffffffffffff8000,
          0xffffffffffffff80};
}

std::vector<OracleState> make_inputs(int random_count, uint64_t seed, bool vary_rcx_as_count) {
  std::mt19937_64 rng(seed);
  std::vector<OracleState> out;
  const std::vector<uint64_t> edges = edge_values();
  auto fill_rest = [&](OracleState& s) {
    for (int i = 2; i < kOracleRegs; ++i) s.r[i] = rng();
    s.mem[0] = rng();
    s.mem[1] = rng();
  };
  const uint64_t counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};
  for (uint64_t fl : {uint64_t{0x202}, uint64_t{0x202 | 0x8d5}}) {
    for (uint64_t a : edges) {
      for (uint64_t b : edges) {
        OracleState s;
        fill_rest(s);
        s.r[0] = a;
        s.r[1] = b;
        s.r[2] = b;  // RDX: second operand for some encodings / the high half
        s.r[3] = b;
        s.mem[0] = b;
        s.rflags = fl;
        if (vary_rcx_as_count) s.r[1] = counts[(a * 7 + b) % (sizeof counts / sizeof counts[0])];
        out.push_back(s);
      }
      if (vary_rcx_as_count) {
        for (uint64_t cnt : counts) {
          OracleState s;
          fill_rest(s);
          s.r[0] = a;
          s.r[1] = cnt;
          s.rflags = fl;
          out.push_back(s);
        }
      }
    }
  }
  for (int i = 0; i < random_count; ++i) {
    OracleState s;
    fill_rest(s);
    // mix of full-width randoms and small values
    s.r[0] = (i & 3) == 0 ? rng() & 0xff : rng();
    s.r[1] = vary_rcx_as_count ? rng() & 0xff : ((i & 3) == 1 ? rng() & 0xffff : rng());
    s.r[2] = (i & 7) == 2 ? 0 : rng();
    s.r[3] = rng();
    s.mem[0] = rng();
    s.rflags = 0x202 | (rng() & 0x8d5);
    out.push_back(s);
  }
  return out;
}

}  // namespace emu::test
