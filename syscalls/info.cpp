// System information: uname, sysinfo, getrandom.
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {
template <size_t N>
void set_field(char (&dst)[N], const char* src) {
  std::memset(dst, 0, N);
  std::memcpy(dst, src, strnlen(src, N - 1));
}
}  // namespace

// The host's names and release (the guest runs on this kernel's system calls),
// with sysname and machine fixed to what the guest was built for.
int64_t sys_uname(Process& p, const SyscallArgs& a) {
  struct ::utsname host {};
  if (int64_t r = host_result(::uname(&host)); r < 0) return r;
  abi::Utsname u{};
  set_field(u.sysname, "Linux");
  set_field(u.nodename, host.nodename);
  set_field(u.release, host.release);
  set_field(u.version, host.version);
  set_field(u.machine, "x86_64");
  set_field(u.domainname, host.domainname);
  return write_guest(p, a[0], u) ? 0 : -EFAULT;
}

int64_t sys_sysinfo(Process& p, const SyscallArgs& a) {
  struct ::sysinfo h {};
  if (int64_t r = host_result(::sysinfo(&h)); r < 0) return r;
  abi::Sysinfo g{};
  g.uptime = h.uptime;
  for (int i = 0; i < 3; ++i) g.loads[i] = h.loads[i];
  g.totalram = h.totalram;
  g.freeram = h.freeram;
  g.sharedram = h.sharedram;
  g.bufferram = h.bufferram;
  g.totalswap = h.totalswap;
  g.freeswap = h.freeswap;
  g.procs = h.procs;
  g.totalhigh = h.totalhigh;
  g.freehigh = h.freehigh;
  g.mem_unit = h.mem_unit;
  return write_guest(p, a[0], g) ? 0 : -EFAULT;
}

int64_t sys_getrandom(Process& p, const SyscallArgs& a) {
  constexpr unsigned kRandom = GRND_RANDOM, kInsecure = 0x4 /* GRND_INSECURE */;
  const unsigned flags = unsigned(a[2]);
  if (flags & ~(GRND_NONBLOCK | kRandom | kInsecure)) return -EINVAL;
  if ((flags & (kRandom | kInsecure)) == (kRandom | kInsecure)) return -EINVAL;
  // Linux clamps the length to MAX_RW_COUNT and checks it with access_ok;
  // here at most 32 MiB go per call (a short count, as for a signal), up to
  // the first byte that faults (append_guest_buffer).
  const uint64_t len = std::min(a[1], kMaxRwCount);
  std::vector<iovec> iov;
  append_guest_buffer(p, a[0], len, std::min<uint64_t>(len, 1u << 25), mm::Access::Write, iov);
  if (iov.empty()) return host_result(::getrandom(kHostBadPointer, 0, flags));
  int64_t total = 0;
  for (const iovec& v : iov) {
    int64_t r = host_result(::getrandom(v.iov_base, v.iov_len, flags));
    if (r < 0) return total > 0 ? total : r;
    total += r;
    if (size_t(r) < v.iov_len) break;
  }
  return total;
}

}  // namespace emu::syscalls
