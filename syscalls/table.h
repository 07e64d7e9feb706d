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
  Skip,        // not printed (preadv2's pos_h)
  IoctlArg,    // depends on the request before it: {B38400 opost ...}, [5], {ws_row=24, ...}
  RwfFlags,    // RWF_NOWAIT|RWF_HIPRI, or 0
  OffsetIn,    // NULL or [offset], as on entry (copy_file_range)
  OffsetInOut, // [2] => [5]: on entry, then as the call left it (sendfile)
  FallocMode,  // FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, or 0
  FlockOp,     // LOCK_EX|LOCK_NB
  PollFds,     // [{fd=0, events=POLLIN}]; count = the next argument
  TimeoutTv,   // select's timeval, as on entry (the call rewrites it)
  TimeoutTs,   // ppoll/pselect6's timespec, as on entry
  FdSetIn,     // select's fd sets as on entry: [0 3]; nfds = the first argument
  SigsetPack,  // pselect6: {sigmask=[INT], sigsetsize=8}
  StatxFlags,  // AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW
  StatxMask,   // STATX_BASIC_STATS|STATX_BTIME
  StatxOut,    // {stx_mask=..., stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=3, ...}
  NodeMode,    // S_IFIFO|0644
  NodeDev,     // makedev(0x1, 0x3), only for S_IFCHR/S_IFBLK modes before it
  RenameFlags, // RENAME_NOREPLACE|RENAME_EXCHANGE, or 0
  CloneFlags,  // CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
  Argv,        // ["ls", "-l"]
  Envp,        // 0x7ffd... /* 23 vars */
  WaitStatusOut, // [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]
  WaitOptions, // WNOHANG|WUNTRACED, or 0
  IdType,      // P_PID
};

// How the result is printed.
enum class RetKind : uint8_t {
  Int,       // decimal, or -1 ENAME (message)
  Hex,       // 0x..., or -1 ENAME (message) (mmap, brk)
  NoReturn,  // "= ?" (exit, exit_group)
  Poll,      // poll/ppoll: 1 ([{fd=0, revents=POLLIN}]), 0 (Timeout)
  Select,    // select/pselect6: 1 (in [0]), 0 (Timeout)
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
