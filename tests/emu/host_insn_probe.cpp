#include "tests/emu/host_insn_probe.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace emu::test {
namespace {

// Fixed addresses far from everything the kernel places (image: low 4 GiB,
// non-PIE; libraries, heap mmaps and stacks: near 0x7f...), so that
// displacements from the registers or RIP (+-2 GiB) reach only these pages.
constexpr uint64_t kPage = 4096;
constexpr uint64_t kCodeVa = 0x300000000000;       // RX page, then an inaccessible one
constexpr uint64_t kBoundary = kCodeVa + kPage;    // the bytes end here
constexpr uint64_t kScratchVa = 0x200000000000;
constexpr uint64_t kScratchSize = 0x20000;
constexpr uint64_t kScratchMid = kScratchVa + kScratchSize / 2;
constexpr size_t kAltStackSize = 0x10000;
constexpr size_t kBatch = 4096;

constexpr uint64_t kPfInstructionFetch = 0x10;  // page-fault error code bit 4 (I/D)
constexpr uint8_t kVectorUd = 6;
constexpr uint8_t kVectorPf = 14;

// Shared between the parent and the child that runs a batch. The child's
// handler keeps all its state here (its own image is read-only, see above).
struct Shared {
  uint32_t count = 0;     // jobs in the batch
  uint32_t next = 0;      // the job in progress (the parent resumes after it if the child dies)
  uint32_t started = 0;   // 0 until the child's first signal (its launch)
  uint8_t phase = 0;      // 0: the first run (m = the guess, or n); 1: again with all n bytes; 2: the length search
  uint8_t m = 0;          // bytes placed before the boundary in the current run
  uint8_t lo = 0, hi = 0; // length search: the length is in [lo, hi]
  uint8_t next_guess = 0; // the next probe to try before bisecting, 0: none
  uint64_t csgsfs = 0;    // the child's CS/GS/FS/SS context word, for every run
  uint64_t runs = 0;
  HostProbeJob jobs[kBatch];
  HostProbeResult results[kBatch];
};

Shared* g_shared = nullptr;
uint8_t* g_code_rw = nullptr;  // writable alias of the code page
void* g_alt_stack = nullptr;

// ---- the child: everything below runs without TLS or library calls ---------------

[[gnu::always_inline]] inline long raw_syscall(long nr, long a = 0, long b = 0, long c = 0, long d = 0) {
  long ret;
  register long r10 asm("r10") = d;
  asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
}

[[noreturn, gnu::always_inline]] inline void raw_exit(int status) {
  for (;;) raw_syscall(SYS_exit_group, status);
}

// A fault while the CPU was fetching the instruction's bytes past the boundary:
// m was shorter than the instruction.
[[gnu::always_inline]] inline bool fetch_fault(const HostRun& r) {
  return r.signo == SIGSEGV && r.trapno == kVectorPf && r.rip == 0 && r.addr == kBoundary &&
         (r.err & kPfInstructionFetch);
}

// Consumes the outcome of the run that just ended; true when the job is finished.
[[gnu::always_inline]] inline bool record(Shared& s, const HostRun& r) {
  HostProbeResult& res = s.results[s.next];
  const HostProbeJob& job = s.jobs[s.next];
  ++res.runs;
  ++s.runs;
  if (s.phase <= 1) {
    if (fetch_fault(r)) {
      if (s.m == job.n) return true;  // longer than the n bytes given: length unknown
      s.phase = 1;                    // the guess was short: run it whole
      return false;
    }
    res.full = r;
    if (r.signo == SIGILL && r.trapno == kVectorUd && r.rip == 0) {
      res.undefined = true;
      return true;
    }
    s.phase = 2;
    s.lo = 1;
    s.hi = s.m;
    s.next_guess = uint8_t(s.m - 1);
  } else if (fetch_fault(r)) {
    s.lo = uint8_t(s.m + 1);
  } else {
    s.hi = s.m;
  }
  if (s.lo >= s.hi) {
    res.length = s.hi;
    return true;
  }
  return false;
}

// Sets up the interrupted context `uc` to run the current job's next probe.
[[gnu::always_inline]] inline void prepare(Shared& s, ucontext_t* uc) {
  const HostProbeJob& job = s.jobs[s.next];
  if (s.phase == 0) {
    s.m = job.guess >= 1 && job.guess <= job.n ? job.guess : job.n;
  } else if (s.phase == 1) {
    s.m = job.n;
  } else if (s.next_guess >= s.lo && s.next_guess < s.hi) {
    s.m = s.next_guess;
    s.next_guess = 0;
  } else {
    s.m = uint8_t((s.lo + s.hi) / 2);
  }
  for (unsigned i = 0; i < s.m; ++i) g_code_rw[kPage - s.m + i] = job.bytes[i];
  greg_t* g = uc->uc_mcontext.gregs;
  for (int reg : {REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RDI, REG_RSI,
                  REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP})
    g[reg] = greg_t(kScratchMid);
  g[REG_RIP] = greg_t(kBoundary - s.m);
  g[REG_EFL] = 0x302;  // IF | TF | the reserved 1
  g[REG_CSGSFS] = greg_t(s.csgsfs);
  if (fpregset_t fp = uc->uc_mcontext.fpregs) {
    fp->cwd = 0x037f;
    fp->swd = 0;
    fp->ftw = 0;
    fp->mxcsr = 0x1f80;
  }
}

// Every signal of the child comes here: the launch (UD2 in child_main), then
// the end of each run. It records the run and starts the next one by
// returning into a rewritten context; after the last job it exits.
[[gnu::no_stack_protector]] void on_signal(int sig, siginfo_t* si, void* ctx) {
  // The kernel keeps EFLAGS.AC for the handler: a POPF that set it would make
  // our own unaligned accesses #AC (SIGBUS while blocked: the child dies).
  asm volatile("pushfq; andq $~0x40000, (%%rsp); popfq" ::: "memory", "cc");
  Shared& s = *g_shared;
  auto* uc = static_cast<ucontext_t*>(ctx);
  greg_t* g = uc->uc_mcontext.gregs;
  if (!s.started) {
    s.started = 1;
    s.csgsfs = uint64_t(g[REG_CSGSFS]);
    s.phase = 0;
  } else {
    HostRun r;
    r.signo = sig;
    r.si_code = si->si_code;
    r.trapno = uint8_t(g[REG_TRAPNO]);
    r.err = uint64_t(g[REG_ERR]);
    r.rip = int64_t(uint64_t(g[REG_RIP]) - (kBoundary - s.m));
    r.addr = reinterpret_cast<uint64_t>(si->si_addr);
    // Should a trapped system call leave a second signal pending (the
    // single-step trap), consume it: it belongs to this run.
    uint64_t pending = 0;
    if (sig == SIGSYS) raw_syscall(SYS_rt_sigpending, reinterpret_cast<long>(&pending), 8);
    if (pending) {
      struct timespec zero = {0, 0};
      while (raw_syscall(SYS_rt_sigtimedwait, reinterpret_cast<long>(&pending), 0, reinterpret_cast<long>(&zero), 8) > 0) {
      }
    }
    if (record(s, r)) {
      ++s.next;
      s.phase = 0;
    }
  }
  if (s.next >= s.count) raw_exit(0);
  prepare(s, uc);
}

// Makes every mapping below 4 GiB read-only (keeping execute), so that a test
// instruction's 32-bit or disp32 address can't corrupt this (non-PIE) image or
// heap. Reads /proc/self/maps without allocating.
bool protect_low_mappings() {
  const int fd = int(raw_syscall(SYS_open, reinterpret_cast<long>("/proc/self/maps"), O_RDONLY));
  if (fd < 0) return false;
  static char buf[1 << 16];
  size_t len = 0;
  for (;;) {
    const long n = raw_syscall(SYS_read, fd, reinterpret_cast<long>(buf + len), long(sizeof buf - 1 - len));
    if (n <= 0) break;
    len += size_t(n);
    if (len == sizeof buf - 1) break;
  }
  raw_syscall(SYS_close, fd);
  buf[len] = 0;
  struct Range {
    uint64_t lo, hi;
    int prot;
  };
  Range ranges[64];
  int count = 0;
  for (char* line = buf; *line && count < 64;) {
    char* p = line;
    const uint64_t lo = std::strtoull(p, &p, 16);
    const uint64_t hi = std::strtoull(p + 1, &p, 16);
    const bool r = p[1] == 'r', x = p[3] == 'x';
    if (hi <= (uint64_t{1} << 32) && r) ranges[count++] = Range{lo, hi, PROT_READ | (x ? PROT_EXEC : 0)};
    char* nl = std::strchr(line, '\n');
    if (!nl) break;
    line = nl + 1;
  }
  // Only after parsing: buf itself is in the image's .bss.
  for (int i = 0; i < count; ++i)
    if (raw_syscall(SYS_mprotect, long(ranges[i].lo), long(ranges[i].hi - ranges[i].lo), ranges[i].prot) != 0)
      return false;
  return true;
}

// Any system call from the code page's 4 GiB window, or of a non-x86-64 ABI,
// is SIGSYS and not executed; the child's own calls are allowed.
bool install_seccomp() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, instruction_pointer) + 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, uint32_t(kCodeVa >> 32), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(&prog)) == 0;
}

// Exit statuses of a child that could not start.
constexpr int kSetupFailed = 3;

[[noreturn]] void child_main() {
  stack_t ss{};
  ss.ss_sp = g_alt_stack;
  ss.ss_size = kAltStackSize;
  if (sigaltstack(&ss, nullptr) != 0) raw_exit(kSetupFailed);
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&sa.sa_mask);
  for (int sig : {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP, SIGSYS})
    if (sigaction(sig, &sa, nullptr) != 0) raw_exit(kSetupFailed);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int sig : {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP, SIGSYS}) sigaddset(&unblock, sig);
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  if (!install_seccomp()) raw_exit(kSetupFailed);
  if (!protect_low_mappings()) raw_exit(kSetupFailed);
  asm volatile("ud2");  // the launch: on_signal runs the batch and exits
  raw_exit(kSetupFailed);
}

void* map_or_throw(void* addr, size_t len, int prot, int flags, int fd, const char* what) {
  void* p = mmap(addr, len, prot, flags, fd, 0);
  if (p == MAP_FAILED || (addr && p != addr))
    throw std::runtime_error(std::string("HostInsnProbe: mmap ") + what + ": " + std::strerror(errno));
  return p;
}

}  // namespace

uint64_t HostInsnProbe::scratch_pointer() { return kScratchMid; }

HostInsnProbe::HostInsnProbe() {
  const int fd = int(syscall(SYS_memfd_create, "emu-host-probe", 0));
  if (fd < 0 || ftruncate(fd, kPage) != 0) throw std::runtime_error("HostInsnProbe: memfd");
  map_or_throw(reinterpret_cast<void*>(kCodeVa), kPage, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
               "code page");
  map_or_throw(reinterpret_cast<void*>(kBoundary), kPage, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, "guard page");
  g_code_rw = static_cast<uint8_t*>(map_or_throw(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, "code alias"));
  close(fd);
  map_or_throw(reinterpret_cast<void*>(kScratchVa), kScratchSize, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, "scratch");
  g_shared = static_cast<Shared*>(
      map_or_throw(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, "shared"));
  g_alt_stack = map_or_throw(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                             "signal stack");
}

HostInsnProbe::~HostInsnProbe() {
  munmap(reinterpret_cast<void*>(kCodeVa), 2 * kPage);
  munmap(g_code_rw, kPage);
  munmap(reinterpret_cast<void*>(kScratchVa), kScratchSize);
  munmap(g_shared, sizeof(Shared));
  munmap(g_alt_stack, kAltStackSize);
  g_shared = nullptr;
  g_code_rw = nullptr;
  g_alt_stack = nullptr;
}

void HostInsnProbe::run(const std::vector<HostProbeJob>& jobs, std::vector<HostProbeResult>& out) {
  out.assign(jobs.size(), HostProbeResult{});
  for (size_t i = 0; i < jobs.size(); i += kBatch) run_batch(&jobs[i], std::min(kBatch, jobs.size() - i), &out[i]);
}

void HostInsnProbe::run_batch(const HostProbeJob* jobs, size_t count, HostProbeResult* out) {
  Shared& s = *g_shared;
  std::copy(jobs, jobs + count, s.jobs);
  std::fill(s.results, s.results + count, HostProbeResult{});
  s.count = uint32_t(count);
  s.next = 0;
  s.runs = 0;
  while (s.next < s.count) {
    s.started = 0;
    s.phase = 0;
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("HostInsnProbe: fork");
    if (pid == 0) child_main();
    ++children_;
    // A run is a few microseconds; a child that takes this long is stuck.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int status = 0;
    bool timed_out = false;
    for (;;) {
      const pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (w < 0 && errno != EINTR) throw std::runtime_error("HostInsnProbe: waitpid");
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == kSetupFailed)
      throw std::runtime_error("HostInsnProbe: the child could not set up (seccomp, sigaltstack, mprotect)");
    if (s.next < s.count && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      s.results[s.next].status = timed_out ? HostProbeResult::Timeout : HostProbeResult::ChildDied;
      ++s.next;
    }
  }
  native_runs_ += s.runs;
  std::copy(s.results, s.results + count, out);
}

}  // namespace emu::test
