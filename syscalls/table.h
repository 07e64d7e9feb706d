// The declarative system-call table: one row per system call with its number,
// name, handler, and how --strace prints its arguments and result. Dispatch
// and the strace printer both read this one description.
#pragma once

#include <cstdint>

#include "syscalls/handlers.h"

namespace emu::syscalls {

// How an argument is printed (strace's conventions).
enum class ArgKind : uint8_t {
  None,        // end of the argument list
  Int,         // signed 32-bit decimal
  Long,        // signed 64-bit decimal (offsets)
  UInt,        // unsigned decimal (sizes, counts)
  Hex,         // 0x... (0 as "0")
  Ptr,         // NULL or 0x...
  Fd,          // descriptor (signed decimal)
  DirFd,       // AT_FDCWD or a descriptor
  Path,        // quoted C string, printed in full
  InBuf,       // quoted bytes the call reads; length = the next argument
  OutBuf,      // quoted bytes the call wrote; length = the result
  RandomOut,   // like OutBuf, every byte as \xNN (getrandom)
  InIovec,     // iovec array the call reads; count = the next argument
  OutIovec,    // iovec array the call filled; total = the result
  OpenFlags,   // O_RDONLY|O_CLOEXEC
  FdFlags,     // O_CLOEXEC|O_NONBLOCK, no access mode (pipe2, dup3), or 0
  OpenMode,    // octal mode, only when the flags before it have O_CREAT/O_TMPFILE
  Mode,        // octal mode: 0644
  Prot,        // PROT_READ|PROT_WRITE
  MmapFlags,   // MAP_PRIVATE|MAP_ANONYMOUS
  Whence,      // SEEK_SET
  AtFlags,     // AT_EMPTY_PATH, or 0
  AccessMode,  // F_OK or R_OK|W_OK
  Signal,      // SIGINT
  SigHow,      // SIG_BLOCK
  SigsetIn,    // [INT TERM]
  SigsetOut,   // the same, written by the call
  SigactionIn, // {sa_handler=..., sa_mask=[...], sa_flags=..., sa_restorer=...}
  ArchPrctl,   // ARCH_SET_FS
  FutexOp,     // FUTEX_WAIT_PRIVATE
  ClockId,     // CLOCK_MONOTONIC
  IoctlReq,    // TCGETS
  FcntlCmd,    // F_SETFD
  FcntlArg,    // depends on the command before it (omitted for F_GETFD...)
  Resource,    // RLIMIT_STACK
  RlimitIn,    // {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}
  RlimitOut,
  Madvice,     // MADV_DONTNEED
  MremapFlags, // MREMAP_MAYMOVE|MREMAP_FIXED, or 0
  MremapNewAddr, // new_address, only when the flags before it have MREMAP_MAYMOVE|MREMAP_FIXED
  GrndFlags,   // GRND_NONBLOCK
  StatOut,     // {st_mode=S_IFREG|0644, st_size=3, ...}
  PipeOut,     // [3, 4]
  UtsnameOut,  // {sysname="Linux", nodename="...", ...}
  TimespecIn,  // {tv_sec=1, tv_nsec=0}
  TimespecOut,
};

// How the result is printed.
enum class RetKind : uint8_t {
  Int,       // decimal, or -1 ENAME (message)
  Hex,       // 0x..., or -1 ENAME (message) (mmap, brk)
  NoReturn,  // "= ?" (exit, exit_group)
};

struct SyscallDesc {
  uint16_t nr = 0;
  const char* name = nullptr;   // nullptr: no entry
  Handler handler = nullptr;    // nullptr: known to strace, not implemented (-ENOSYS)
  ArgKind args[6] = {};
  RetKind ret = RetKind::Int;

  int nargs() const {
    int n = 0;
    while (n < 6 && args[n] != ArgKind::None) ++n;
    return n;
  }
};

// The row for `nr`, or nullptr.
const SyscallDesc* find_syscall(uint64_t nr);

}  // namespace emu::syscalls
