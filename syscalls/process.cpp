// Process and thread identity, exit, limits, arch_prctl and futex. The guest
// is one thread in one process; ids are the host's (the emulator IS that
// process).
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "emu/cpu.h"
#include "mm/linux_abi.h"
#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {

int64_t finish(Process& p, int status) {
  release_vfork_parent(p);
  p.exited = true;
  p.exit_status = status;
  p.cpu->event = Event::Exit;
  return 0;
}

bool is_own_pid(int64_t pid) { return pid == 0 || pid == ::getpid(); }

}  // namespace

// Single-threaded: exit ends the process like exit_group.
int64_t sys_exit(Process& p, const SyscallArgs& a) { return finish(p, a.i32(0)); }
int64_t sys_exit_group(Process& p, const SyscallArgs& a) { return finish(p, a.i32(0)); }

int64_t sys_getpid(Process&, const SyscallArgs&) { return ::getpid(); }
int64_t sys_getppid(Process&, const SyscallArgs&) { return ::getppid(); }
int64_t sys_gettid(Process&, const SyscallArgs&) { return ::gettid(); }
int64_t sys_getuid(Process&, const SyscallArgs&) { return ::getuid(); }
int64_t sys_geteuid(Process&, const SyscallArgs&) { return ::geteuid(); }
int64_t sys_getgid(Process&, const SyscallArgs&) { return ::getgid(); }
int64_t sys_getegid(Process&, const SyscallArgs&) { return ::getegid(); }
int64_t sys_getpgrp(Process&, const SyscallArgs&) { return ::getpgrp(); }
int64_t sys_getpgid(Process&, const SyscallArgs& a) { return host_result(::getpgid(pid_t(a.i32(0)))); }
int64_t sys_getsid(Process&, const SyscallArgs& a) { return host_result(::getsid(pid_t(a.i32(0)))); }

int64_t sys_setpgid(Process&, const SyscallArgs& a) { return host_result(::setpgid(pid_t(a.i32(0)), pid_t(a.i32(1)))); }
int64_t sys_setsid(Process&, const SyscallArgs&) { return host_result(::setsid()); }

// The emulator's own usage is the guest's as seen from outside (its CPU
// time includes emulation). Same struct layout: both are x86-64.
int64_t sys_getrusage(Process& p, const SyscallArgs& a) {
  struct ::rusage ru {};
  if (int64_t r = host_result(::syscall(SYS_getrusage, a.i32(0), &ru)); r < 0) return r;
  return p.mem->copy_out(mm::GuestAddr{a[1]}, &ru, sizeof ru) ? 0 : -EFAULT;
}

int64_t sys_times(Process& p, const SyscallArgs& a) {
  struct ::tms t {};
  const int64_t ticks = ::syscall(SYS_times, &t);
  if (a[0] != 0 && !p.mem->copy_out(mm::GuestAddr{a[0]}, &t, sizeof t)) return -EFAULT;
  return ticks;
}

// The raw calls: getpriority's result is 20 - nice (never negative), which
// the libc wrapper would turn back into a nice value.
int64_t sys_getpriority(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_getpriority, a.i32(0), a.i32(1)));
}
int64_t sys_setpriority(Process&, const SyscallArgs& a) {
  return host_result(::syscall(SYS_setpriority, a.i32(0), a.i32(1), a.i32(2)));
}

int64_t sys_getgroups(Process& p, const SyscallArgs& a) {
  const int size = a.i32(0);
  if (size < 0) return -EINVAL;
  std::vector<gid_t> groups(size_t(std::min(size, 65536)));
  int64_t n = host_result(::getgroups(int(groups.size()), groups.data()));
  if (n <= 0 || size == 0) return n;
  std::vector<uint32_t> out(groups.begin(), groups.begin() + n);
  return p.mem->copy_out(mm::GuestAddr{a[1]}, out.data(), out.size() * 4) ? n : -EFAULT;
}

int64_t sys_set_tid_address(Process& p, const SyscallArgs& a) {
  p.clear_child_tid = a[0];
  return ::gettid();
}

int64_t sys_set_robust_list(Process& p, const SyscallArgs& a) {
  if (a[1] != 24) return -EINVAL;  // sizeof(struct robust_list_head)
  p.robust_list = a[0];
  p.robust_list_len = a[1];
  return 0;
}

// Restartable sequences need the kernel to fix up the guest's IP on
// preemption; not provided. glibc and musl fall back when this fails.
int64_t sys_rseq(Process&, const SyscallArgs&) { return -ENOSYS; }

int64_t sys_arch_prctl(Process& p, const SyscallArgs& a) {
  switch (a.i32(0)) {
    case abi::kArchSetFs:
    case abi::kArchSetGs:
      // Linux refuses a base at or above TASK_SIZE_MAX (the last user page too).
      if (a[1] >= mm::linux_abi::kTaskSize) return -EPERM;
      p.cpu->seg_base[a.i32(0) == abi::kArchSetFs ? kSegFs : kSegGs] = a[1];
      // Linux loads a null selector along with the new base.
      p.cpu->selector[a.i32(0) == abi::kArchSetFs ? kFs : kGs] = 0;
      return 0;
    case abi::kArchGetFs:
    case abi::kArchGetGs: {
      const uint64_t base = p.cpu->seg_base[a.i32(0) == abi::kArchGetFs ? kSegFs : kSegGs];
      return write_guest(p, a[1], base) ? 0 : -EFAULT;
    }
    // CPUID always executes (no CPUID faulting on emu's CPU: setting it is
    // ENODEV, as on hardware without it).
    case abi::kArchGetCpuid: return 1;
    case abi::kArchSetCpuid: return -ENODEV;
    // fpu_xstate_prctl: the supported and permitted XSAVE features.
    case abi::kArchGetXcompSupp:
    case abi::kArchGetXcompPerm:
    case abi::kArchGetXcompGuestPerm:
      return write_guest(p, a[1], abi::kXfeatureMaskFpSse) ? 0 : -EFAULT;
    default:
      return -EINVAL;
  }
}

// Linux's order: the new limit is read (EFAULT), the process looked up
// (ESRCH: the host's, for another process), then the resource and the
// limits are checked (EINVAL), the new limit set, and the old one written
// back (EFAULT, with the new one in force).
int64_t sys_prlimit64(Process& p, const SyscallArgs& a) {
  const int64_t pid = a.i32(0);
  const int resource = a.i32(1);
  abi::Rlimit new_limit{};
  if (a[2] != 0 && !read_guest(p, a[2], new_limit)) return -EFAULT;
  if (!is_own_pid(pid)) {  // another (host) process
    struct ::rlimit in{new_limit.rlim_cur, new_limit.rlim_max}, out{};
    int64_t r = host_result(::syscall(SYS_prlimit64, pid_t(pid), resource, a[2] ? &in : nullptr, &out));
    if (r < 0) return r;
    abi::Rlimit old{out.rlim_cur, out.rlim_max};
    if (a[3] != 0 && !write_guest(p, a[3], old)) return -EFAULT;
    return 0;
  }
  if (resource < 0 || resource >= abi::kRlimitNlimits) return -EINVAL;
  if (a[2] != 0 && new_limit.rlim_cur > new_limit.rlim_max) return -EINVAL;
  struct ::rlimit host {};
  if (int64_t r = host_result(::getrlimit(__rlimit_resource(resource), &host)); r < 0) return r;
  abi::Rlimit old{host.rlim_cur, host.rlim_max};
  if (resource == abi::kRlimitStack && p.stack_limit != 0) old.rlim_cur = std::min(p.stack_limit, old.rlim_max);
  if (a[2] != 0) {
    // New limits go to the host (where they constrain what the emulator does
    // on the guest's behalf: files, CPU time, ...). The stack's is the
    // guest's own: it bounds how far the stack grows on faults from now on
    // (mm/stack_growth.cpp), as RLIMIT_STACK does in Linux.
    if (resource == abi::kRlimitStack) {
      if (new_limit.rlim_max > host.rlim_max && ::geteuid() != 0) return -EPERM;
      p.stack_limit = new_limit.rlim_cur;
      mm::Layout layout = p.mem->layout();
      layout.stack_rlimit = new_limit.rlim_cur;
      p.mem->set_layout(layout);
    } else {
      struct ::rlimit h{new_limit.rlim_cur, new_limit.rlim_max};
      if (int64_t r = host_result(::setrlimit(__rlimit_resource(resource), &h)); r < 0) return r;
    }
  }
  if (a[3] != 0 && !write_guest(p, a[3], old)) return -EFAULT;
  return 0;
}

// The resource first (EINVAL), then the limit written back (EFAULT).
int64_t sys_getrlimit(Process& p, const SyscallArgs& a) {
  SyscallArgs b;
  b.v[1] = a[0];
  b.v[3] = a[1];
  if (uint32_t(a[0]) >= uint32_t(abi::kRlimitNlimits)) return -EINVAL;
  if (a[1] == 0) return -EFAULT;
  return sys_prlimit64(p, b);
}

// The new limit is read first (EFAULT, NULL too), then the resource checked.
int64_t sys_setrlimit(Process& p, const SyscallArgs& a) {
  SyscallArgs b;
  b.v[1] = a[0];
  b.v[2] = a[1];
  if (a[1] == 0) return -EFAULT;
  return sys_prlimit64(p, b);
}

// The length is an unsigned int, checked by the host (a multiple of 8, at
// least the CPU mask's size); the host writes at most the CPU mask's size,
// a few hundred bytes, never 64 KiB.
int64_t sys_sched_getaffinity(Process& p, const SyscallArgs& a) {
  const uint32_t len = uint32_t(a[1]);
  std::vector<uint8_t> mask(std::min<size_t>(len, 1u << 16));
  int64_t r = host_result(::syscall(SYS_sched_getaffinity, pid_t(a.i32(0)), len, mask.data()));
  if (r < 0) return r;
  if (!p.mem->copy_out(mm::GuestAddr{a[2]}, mask.data(), size_t(r))) return -EFAULT;
  return r;
}

int64_t sys_sched_yield(Process&, const SyscallArgs&) { return 0; }

// prctl(2): the options that concern the process as a whole pass to the host
// (the emulator IS the guest's process: its name shows in ps); the rest are
// EINVAL, Linux's answer for an option it doesn't know.
// The guest is this process, so what prctl reads or sets about the process
// or thread is the host's: those options go to the host, with the guest's
// pointers translated. Not passed on: what would act on emu rather than the
// guest program (PR_SET_SECCOMP filters, PR_SET_MM, PR_SET_TSC: emu's RDTSC),
// which stay EINVAL as options Linux does not know.
int64_t sys_prctl(Process& p, const SyscallArgs& a) {
  constexpr int kSetPdeathsig = 1, kGetPdeathsig = 2, kGetDumpable = 3, kSetDumpable = 4, kGetKeepcaps = 7,
                kSetKeepcaps = 8, kSetName = 15, kGetName = 16, kGetSeccomp = 21, kCapbsetRead = 23, kGetTsc = 25,
                kSetTimerslack = 29, kGetTimerslack = 30, kSetChildSubreaper = 36, kGetChildSubreaper = 37,
                kSetNoNewPrivs = 38, kGetNoNewPrivs = 39, kSetThpDisable = 41, kGetThpDisable = 42;
  char name[16] = {};
  switch (a.i32(0)) {
    case kSetName:
      if (!p.mem->copy_in(name, mm::GuestAddr{a[1]}, 15)) {
        auto s = p.mem->read_cstring(mm::GuestAddr{a[1]}, 15);
        if (!s) return -EFAULT;
        std::memcpy(name, s->c_str(), s->size());
      }
      return host_result(::prctl(kSetName, name, 0, 0, 0));
    case kGetName:
      if (int64_t r = host_result(::prctl(kGetName, name, 0, 0, 0)); r < 0) return r;
      return p.mem->copy_out(mm::GuestAddr{a[1]}, name, sizeof name) ? 0 : -EFAULT;
    case kGetPdeathsig: {
      int sig = 0;
      if (int64_t r = host_result(::prctl(kGetPdeathsig, &sig, 0, 0, 0)); r < 0) return r;
      return write_guest(p, a[1], int32_t(sig)) ? 0 : -EFAULT;
    }
    case kGetTsc:
    case kGetChildSubreaper: {  // put_user of an int
      int value = 0;
      if (int64_t r = host_result(::prctl(a.i32(0), &value, 0, 0, 0)); r < 0) return r;
      return write_guest(p, a[1], int32_t(value)) ? 0 : -EFAULT;
    }
    case kSetPdeathsig: case kGetDumpable: case kSetDumpable: case kSetNoNewPrivs: case kGetNoNewPrivs:
    case kGetKeepcaps: case kSetKeepcaps: case kGetSeccomp: case kCapbsetRead: case kSetTimerslack:
    case kGetTimerslack: case kSetChildSubreaper: case kSetThpDisable: case kGetThpDisable:
      return host_result(::prctl(a.i32(0), a[1], a[2], a[3], a[4]));
    default:
      return -EINVAL;
  }
}

namespace {

// The host addresses a host futex call is given for the guest's futex words
// (guest memory is host memory). A word keeps its offset in its page, so
// alignment is judged alike (EINVAL first), and the host kernel meets what
// Linux would at the guest's address:
//  - a word it may write (the PI operations' owner word, WAKE_OP's second,
//    any shared futex's: get_futex_key) that the guest may write: the word;
//  - one the guest may only read: a read-only host copy of its page, so
//    the host reads the value and then fails to write, or refuses a shared
//    futex in read-only anonymous memory, as Linux does;
//  - one the guest may not read: an address in the first pages, never
//    mapped (EFAULT once touched; a private WAKE does not touch it);
//  - one that is not user space: an address in the kernel half (access_ok).
// Never a host address that is not the guest's own.
class FutexWords {
 public:
  explicit FutexWords(Process& p) : p_(p) {}
  ~FutexWords() {
    for (void* page : copies_)
      if (page) ::munmap(page, mm::kPageSize);
  }
  FutexWords(const FutexWords&) = delete;
  FutexWords& operator=(const FutexWords&) = delete;

  // `slot` (0 or 1) keeps two unreadable words at distinct host addresses.
  void* word(uint64_t addr, bool written, int slot) {
    const uint64_t offset = addr & mm::kPageMask;
    if (!mm::access_ok(addr, sizeof(uint32_t))) return static_cast<char*>(kHostKernelPointer) + offset;
    std::vector<iovec> at;
    const auto host = [&](mm::Access access) -> void* {
      at.clear();
      if (p_.mem->host_iovecs_prefix(mm::GuestAddr{addr}, sizeof(uint32_t), access, at) != sizeof(uint32_t) ||
          at.size() != 1)
        return nullptr;
      return at[0].iov_base;
    };
    if (written)
      if (void* w = host(mm::Access::Write)) return w;
    void* const r = host(mm::Access::Read);
    if (r == nullptr) return reinterpret_cast<void*>(slot * mm::kPageSize + offset);
    if (!written) return r;
    void* page = ::mmap(nullptr, mm::kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return reinterpret_cast<void*>(slot * mm::kPageSize + offset);
    copies_[slot] = page;
    std::memcpy(static_cast<char*>(page) + offset, r, sizeof(uint32_t));
    ::mprotect(page, mm::kPageSize, PROT_READ);
    return static_cast<char*>(page) + offset;
  }

 private:
  Process& p_;
  void* copies_[2] = {};
};

}  // namespace

// futex(2) by the host's futex on the guest's words (guest memory is host
// memory, the guest's thread is emu's): the host kernel checks, waits,
// wakes, requeues and runs WAKE_OP and the priority-inheritance protocol
// (whose owner TIDs are the host's) exactly as Linux does for the guest.
// Only the pointers are translated (FutexWords); the timeout, which Linux
// reads first, is read here first.
int64_t sys_futex(Process& p, const SyscallArgs& a) {
  enum : int { kWait = 0, kRequeue = 3, kCmpRequeue = 4, kWakeOp = 5, kLockPi = 6, kUnlockPi = 7, kTrylockPi = 8,
               kWaitBitset = 9, kWaitRequeuePi = 11, kCmpRequeuePi = 12, kLockPi2 = 13 };
  const int op = a.i32(1);
  const int cmd = op & 127;  // without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
  const bool has_timeout =
      cmd == kWait || cmd == kLockPi || cmd == kWaitBitset || cmd == kWaitRequeuePi || cmd == kLockPi2;
  struct ::timespec timeout {};
  void* arg4 = reinterpret_cast<void*>(a[3]);  // val2 for the others
  if (has_timeout && a[3] != 0) {
    abi::Timespec ts{};
    if (!read_guest(p, a[3], ts)) return -EFAULT;
    timeout = {ts.tv_sec, ts.tv_nsec};
    arg4 = &timeout;
  }
  const bool shared = !(op & 128);
  const bool owner_word = cmd == kLockPi || cmd == kUnlockPi || cmd == kTrylockPi || cmd == kLockPi2;
  const bool second_word =
      cmd == kRequeue || cmd == kCmpRequeue || cmd == kWakeOp || cmd == kWaitRequeuePi || cmd == kCmpRequeuePi;
  const bool second_written = cmd == kWakeOp || cmd == kWaitRequeuePi || cmd == kCmpRequeuePi;
  // One word named twice is translated once, for the stronger use (WAKE_OP
  // on a word the guest may only read is EFAULT even when uaddr2 == uaddr).
  const bool same = second_word && a[4] == a[0];
  FutexWords words(p);
  void* const word = words.word(a[0], owner_word || shared || (same && second_written), 0);
  void* word2 = nullptr;
  if (second_word) word2 = same ? word : words.word(a[4], second_written || shared, 1);
  return host_result(::syscall(SYS_futex, word, op, uint32_t(a[2]), arg4, word2, uint32_t(a[5])));
}

}  // namespace emu::syscalls
