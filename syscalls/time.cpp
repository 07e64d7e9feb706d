// Clocks and sleeping: the host's clocks, read through the host's vDSO.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_delivery.h"

namespace emu::syscalls {

namespace {

int64_t put_timespec(Process& p, uint64_t addr, const struct ::timespec& t) {
  return write_guest(p, addr, abi::Timespec{t.tv_sec, t.tv_nsec}) ? 0 : -EFAULT;
}

// Reads a timespec argument, checking it as the kernel does.
int64_t get_timespec(Process& p, uint64_t addr, struct ::timespec& out) {
  abi::Timespec t{};
  if (!read_guest(p, addr, t)) return -EFAULT;
  if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000) return -EINVAL;
  out.tv_sec = t.tv_sec;
  out.tv_nsec = t.tv_nsec;
  return 0;
}

}  // namespace

int64_t sys_clock_gettime(Process& p, const SyscallArgs& a) {
  struct ::timespec t {};
  if (int64_t r = host_result(::clock_gettime(clockid_t(a.i32(0)), &t)); r < 0) return r;
  return put_timespec(p, a[1], t);
}

int64_t sys_clock_getres(Process& p, const SyscallArgs& a) {
  struct ::timespec t {};
  if (int64_t r = host_result(::clock_getres(clockid_t(a.i32(0)), &t)); r < 0) return r;
  return a[1] ? put_timespec(p, a[1], t) : 0;
}

int64_t sys_gettimeofday(Process& p, const SyscallArgs& a) {
  struct ::timeval tv {};
  ::gettimeofday(&tv, nullptr);
  if (a[0] && !write_guest(p, a[0], abi::Timeval{tv.tv_sec, tv.tv_usec})) return -EFAULT;
  if (a[1] && !write_guest(p, a[1], abi::Timezone{0, 0})) return -EFAULT;
  return 0;
}

int64_t sys_time(Process& p, const SyscallArgs& a) {
  const int64_t now = ::time(nullptr);
  if (a[0] && !write_guest(p, a[0], now)) return -EFAULT;
  return now;
}

// A sleep interrupted by a host signal the guest does not see (a stop and
// continue, or one it blocks) goes on for the time that remains, as Linux's
// restart block does; only a signal for a guest handler ends it with EINTR.
int64_t sys_nanosleep(Process& p, const SyscallArgs& a) {
  struct ::timespec req {}, rem {};
  if (int64_t r = get_timespec(p, a[0], req); r < 0) return r;
  while (::nanosleep(&req, &rem) != 0) {
    const int64_t err = host_result(-1);
    if (err != -EINTR) return err;
    if (guest_signal_ready(p)) {
      if (a[1]) put_timespec(p, a[1], rem);
      return err;
    }
    req = rem;
  }
  return 0;
}

// The host's clock_nanosleep system call (not the C library's, which
// answers for some clocks itself) checks the clock first (EINVAL;
// EOPNOTSUPP for a clock that cannot sleep), then the time (EFAULT through
// an address that faults, EINVAL), in Linux's order.
int64_t sys_clock_nanosleep(Process& p, const SyscallArgs& a) {
  abi::Timespec guest{};
  const bool readable = read_guest(p, a[2], guest);
  struct ::timespec req {guest.tv_sec, guest.tv_nsec}, rem {};
  const bool absolute = (a.i32(1) & TIMER_ABSTIME) != 0;
  for (;;) {
    const int64_t r =
        host_result(::syscall(SYS_clock_nanosleep, a.i32(0), a.i32(1), readable ? &req : kHostBadPointer, &rem));
    if (r != -EINTR) return r;
    if (guest_signal_ready(p)) {
      if (a[3] && !absolute) put_timespec(p, a[3], rem);
      return -EINTR;
    }
    if (!absolute) req = rem;
  }
}

}  // namespace emu::syscalls
