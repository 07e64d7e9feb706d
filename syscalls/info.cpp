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
  constexpr unsigned kKnownFlags = GRND_NONBLOCK | GRND_RANDOM | 0x4 /* GRND_INSECURE */;
  const unsigned flags = unsigned(a[2]);
  if (flags & ~kKnownFlags) return -EINVAL;
  const size_t len = size_t(std::min<uint64_t>(a[1], 1u << 25));
  if (len == 0) return 0;
  std::vector<iovec> iov;
  if (!p.mem->host_iovecs(mm::GuestAddr{a[0]}, len, mm::Access::Write, iov)) return -EFAULT;
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
