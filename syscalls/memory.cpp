// Memory system calls: thin adapters onto the AddressSpace, which implements
// Linux's semantics (argument checks, errno) itself.
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {
constexpr int kMapAnonymous = 0x20;
}  // namespace

int64_t sys_brk(Process& p, const SyscallArgs& a) { return int64_t(p.mem->brk(a[0])); }

int64_t sys_mmap(Process& p, const SyscallArgs& a) {
  const int flags = a.i32(3);
  const int fd = (flags & kMapAnonymous) ? -1 : host_fd(a.i32(4));
  return p.mem->mmap(a[0], a[1], a.i32(2), flags, fd, a[5]);
}

int64_t sys_munmap(Process& p, const SyscallArgs& a) { return p.mem->munmap(a[0], a[1]); }

int64_t sys_mprotect(Process& p, const SyscallArgs& a) { return p.mem->mprotect(a[0], a[1], a.i32(2)); }

// madvise(2): argument checks, holes (ENOMEM) and MADV_DONTNEED/MADV_FREE
// zero-filling are the AddressSpace's (mm/mmap_syscalls.cpp).
int64_t sys_madvise(Process& p, const SyscallArgs& a) { return p.mem->madvise(a[0], a[1], a.i32(2)); }

// mremap(2): checks, resizing and moves are the AddressSpace's
// (mm/mremap.cpp). Linux takes the flags as an unsigned long: bits above
// the int are unknown flags (EINVAL, its first check), not truncated away.
int64_t sys_mremap(Process& p, const SyscallArgs& a) {
  if (a[3] > uint64_t(INT32_MAX)) return -EINVAL;  // unknown flag bits
  return p.mem->mremap(a[0], a[1], a[2], int(a[3]), a[4]);
}

// msync(2): checks, holes and MS_SYNC's fdatasync are the AddressSpace's
// (mm/shared_mapping.cpp).
int64_t sys_msync(Process& p, const SyscallArgs& a) { return p.mem->msync(a[0], a[1], a.i32(2)); }

// mincore(2): checks and residency are the AddressSpace's (mm/mincore.cpp).
int64_t sys_mincore(Process& p, const SyscallArgs& a) { return p.mem->mincore(a[0], a[1], a[2]); }

}  // namespace emu::syscalls
