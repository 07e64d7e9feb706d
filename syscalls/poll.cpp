// poll, ppoll, select and pselect6: the guest's descriptor lists are copied
// to host memory, the host call waits, and the results (revents, the fd sets,
// the time left) are copied back, with the kernel's order of checks (timeout,
// signal mask, count, lists) so the same error wins.
//
// ppoll/pselect6 with a signal mask wait with the guest's blocked mask
// replaced, atomically, as Linux does: the host wait gets the host mask
// that mirrors the new guest mask. If a signal for a guest handler ends the
// wait, the temporary mask stays in force and the old one comes back when
// the handler returns (SignalState::restore_mask, as for rt_sigsuspend).
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <vector>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_delivery.h"
#include "syscalls/signal_host.h"

namespace emu::syscalls {

namespace {

constexpr uint64_t kUnblockable = sig_bit(SIGKILL) | sig_bit(SIGSTOP);

bool timespec_valid(const abi::Timespec& t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000; }

// A guest signal mask for the duration of one wait (ppoll, pselect6).
class TemporaryMask {
 public:
  TemporaryMask(Process& p, uint64_t mask) : p_(p), saved_(p.signals.blocked) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    p.signals.blocked = mask & ~kUnblockable;
    // mirror_mask computes the host mask and installs it; read it back with
    // everything blocked again. A signal caught in between is pending now
    // and makes ready() true: the wait must not start.
    mirror_mask(p);
    sigprocmask(SIG_SETMASK, &all, &host_mask_);
  }
  const sigset_t* host_mask() const { return &host_mask_; }
  bool ready() { return guest_signal_ready(p_); }
  // After the wait: keep the mask for the handler about to run (and restore
  // the old one after it), or put the old one back.
  void finish(int64_t result) {
    if (result == -EINTR && guest_signal_ready(p_)) {
      p_.signals.restore_mask = true;
      p_.signals.saved_mask = saved_;
    } else {
      p_.signals.blocked = saved_;
    }
    mirror_mask(p_);
  }

 private:
  Process& p_;
  uint64_t saved_;
  sigset_t host_mask_;
};

// The guest sigset at `addr` of `size` bytes (set_user_sigmask): 0, -EINVAL
// or -EFAULT.
int64_t read_sigmask(Process& p, uint64_t addr, uint64_t size, uint64_t& out) {
  if (size != sizeof(uint64_t)) return -EINVAL;
  return read_guest(p, addr, out) ? 0 : -EFAULT;
}

uint64_t nofile_limit() {
  struct rlimit r {};
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

// poll and ppoll after their timeout and mask checks: `host_ts` is the
// host's copy of the timeout (nullptr: none), `mask` the temporary mask.
int64_t do_poll(Process& p, uint64_t ufds, uint64_t nfds, abi::Timespec* host_ts, TemporaryMask* mask) {
  if (nfds > nofile_limit()) return -EINVAL;
  std::vector<abi::Pollfd> fds(static_cast<size_t>(nfds));
  if (nfds > 0 && !p.mem->copy_in(fds.data(), mm::GuestAddr{ufds}, fds.size() * sizeof(abi::Pollfd)))
    return -EFAULT;
  for (auto& f : fds) f.fd = f.fd < 0 ? f.fd : host_fd(f.fd);
  if (mask && mask->ready()) return -EINTR;
  const int64_t r = host_result(::syscall(SYS_ppoll, fds.data(), nfds, host_ts, mask ? mask->host_mask() : nullptr,
                                          sizeof(uint64_t)));
  // After the wait, whatever it gave, Linux opens the array for writing
  // back (user_write_access_begin): an array that is not user space is
  // EFAULT even with nfds 0, which copied nothing in.
  if (!mm::access_ok(ufds, nfds * sizeof(abi::Pollfd))) return -EFAULT;
  if (r < 0) return r;
  // Only revents is written back (struct pollfd's last field), as the kernel does.
  for (size_t i = 0; i < fds.size(); ++i) {
    const uint64_t at = ufds + i * sizeof(abi::Pollfd) + offsetof(abi::Pollfd, revents);
    if (!write_guest(p, at, fds[i].revents)) return -EFAULT;
  }
  return r;
}

// The three fd sets of select/pselect6, read for `n` descriptors.
struct FdSets {
  uint64_t addr[3];
  std::vector<uint64_t> bits[3];
  size_t words = 0;

  int64_t read(Process& p, int64_t n, uint64_t in, uint64_t out, uint64_t ex) {
    if (n < 0) return -EINVAL;
    n = std::min<int64_t>(n, int64_t(abi::kNrOpenMax));
    words = size_t((n + 63) / 64);
    addr[0] = in, addr[1] = out, addr[2] = ex;
    for (int i = 0; i < 3; ++i) {
      if (addr[i] == 0) continue;
      bits[i].assign(words, 0);
      if (words > 0 && !p.mem->copy_in(bits[i].data(), mm::GuestAddr{addr[i]}, words * 8)) return -EFAULT;
    }
    return 0;
  }
  void* host(int i) { return addr[i] ? bits[i].data() : nullptr; }
  // Whether a set names one of emu's own descriptors: select is then EBADF,
  // as for a descriptor that is not open (handlers.h, host_fd).
  bool names_emu_descriptor(int64_t n) const {
    for (int i = 0; i < 3; ++i)
      for (size_t w = 0; w < bits[i].size(); ++w)
        for (uint64_t b = bits[i][w]; b; b &= b - 1) {
          const int64_t fd = int64_t(w * 64) + __builtin_ctzll(b);
          if (fd < n && host_fd(int(fd)) == kNotGuestFd) return true;
        }
    return false;
  }
  int64_t write_back(Process& p) {
    for (int i = 0; i < 3; ++i)
      if (addr[i] && words > 0 && !p.mem->copy_out(mm::GuestAddr{addr[i]}, bits[i].data(), words * 8)) return -EFAULT;
    return 0;
  }
};

int64_t do_select(Process& p, int64_t n_arg, FdSets& sets, void* host_timeout, bool timespec, TemporaryMask* mask) {
  if (mask && mask->ready()) return -EINTR;
  const int64_t n = std::min<int64_t>(n_arg, int64_t(abi::kNrOpenMax));  // the size of sets' buffers
  if (sets.names_emu_descriptor(n)) return -EBADF;
  int64_t r;
  if (timespec) {
    struct {
      const sigset_t* set;
      size_t size;
    } pack{mask ? mask->host_mask() : nullptr, sizeof(uint64_t)};
    r = host_result(::syscall(SYS_pselect6, n, sets.host(0), sets.host(1), sets.host(2), host_timeout, &pack));
  } else {
    r = host_result(::syscall(SYS_select, n, sets.host(0), sets.host(1), sets.host(2), host_timeout));
  }
  if (r < 0) return r;
  if (int64_t w = sets.write_back(p); w < 0) return w;
  return r;
}

}  // namespace

int64_t sys_poll(Process& p, const SyscallArgs& a) {
  const int timeout_ms = a.i32(2);
  abi::Timespec ts{timeout_ms / 1000, int64_t(timeout_ms % 1000) * 1000000};
  return do_poll(p, a[0], uint32_t(a[1]), timeout_ms < 0 ? nullptr : &ts, nullptr);
}

int64_t sys_ppoll(Process& p, const SyscallArgs& a) {
  abi::Timespec ts{};
  if (a[2] != 0) {
    if (!read_guest(p, a[2], ts)) return -EFAULT;
    if (!timespec_valid(ts)) return -EINVAL;
  }
  uint64_t guest_mask = 0;
  if (a[3] != 0) {
    if (int64_t r = read_sigmask(p, a[3], a[4], guest_mask); r < 0) return r;
  }
  std::optional<TemporaryMask> mask;
  if (a[3] != 0) mask.emplace(p, guest_mask);
  const int64_t r = do_poll(p, a[0], uint32_t(a[1]), a[2] ? &ts : nullptr, mask ? &*mask : nullptr);
  if (mask) mask->finish(r);
  // The time left goes back to the guest; a read-only timeout is not an error.
  if (a[2] != 0) write_guest(p, a[2], ts);
  return r;
}

int64_t sys_select(Process& p, const SyscallArgs& a) {
  abi::Timeval tv{};
  if (a[4] != 0) {
    if (!read_guest(p, a[4], tv)) return -EFAULT;
    const int64_t sec = tv.tv_sec + tv.tv_usec / 1000000, nsec = (tv.tv_usec % 1000000) * 1000;
    if (!timespec_valid({sec, nsec})) return -EINVAL;
  }
  FdSets sets;
  if (int64_t r = sets.read(p, a.i32(0), a[1], a[2], a[3]); r < 0) return r;
  const int64_t r = do_select(p, a.i32(0), sets, a[4] ? &tv : nullptr, false, nullptr);
  if (a[4] != 0) write_guest(p, a[4], tv);
  return r;
}

int64_t sys_pselect6(Process& p, const SyscallArgs& a) {
  abi::SigsetArg pack{};
  if (a[5] != 0 && !read_guest(p, a[5], pack)) return -EFAULT;
  abi::Timespec ts{};
  if (a[4] != 0) {
    if (!read_guest(p, a[4], ts)) return -EFAULT;
    if (!timespec_valid(ts)) return -EINVAL;
  }
  uint64_t guest_mask = 0;
  if (pack.ss != 0) {
    if (int64_t r = read_sigmask(p, pack.ss, pack.ss_len, guest_mask); r < 0) return r;
  }
  FdSets sets;
  if (int64_t r = sets.read(p, a.i32(0), a[1], a[2], a[3]); r < 0) return r;
  std::optional<TemporaryMask> mask;
  if (pack.ss != 0) mask.emplace(p, guest_mask);
  const int64_t r = do_select(p, a.i32(0), sets, a[4] ? &ts : nullptr, true, mask ? &*mask : nullptr);
  if (mask) mask->finish(r);
  if (a[4] != 0) write_guest(p, a[4], ts);
  return r;
}

}  // namespace emu::syscalls
