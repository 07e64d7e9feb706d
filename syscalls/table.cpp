// The system-call table: x86-64 Linux numbers (arch/x86/entry/syscalls/
// syscall_64.tbl). Rows without a handler are calls strace knows by name that
// the emulator does not provide yet: they return -ENOSYS.
#include "syscalls/table.h"

#include <array>

namespace emu::syscalls {

namespace {

using enum ArgKind;
constexpr ArgKind X = Hex;  // raw arguments of an unimplemented call

constexpr SyscallDesc kRows[] = {
    // ---- files: data and descriptors
    {0, "read", sys_read, {Fd, OutBuf, UInt}},
    {1, "write", sys_write, {Fd, InBuf, UInt}},
    {2, "open", sys_open, {Path, OpenFlags, OpenMode}},
    {3, "close", sys_close, {Fd}},
    {5, "fstat", sys_fstat, {Fd, StatOut}},
    {8, "lseek", sys_lseek, {Fd, Long, Whence}},
    {16, "ioctl", sys_ioctl, {Fd, IoctlReq, IoctlArg}},
    {17, "pread64", sys_pread64, {Fd, OutBuf, UInt, Long}},
    {18, "pwrite64", sys_pwrite64, {Fd, InBuf, UInt, Long}},
    {19, "readv", sys_readv, {Fd, OutIovec, Int}},
    {20, "writev", sys_writev, {Fd, InIovec, Int}},
    {22, "pipe", sys_pipe, {PipeOut}},
    {32, "dup", sys_dup, {Fd}},
    {33, "dup2", sys_dup2, {Fd, Fd}},
    {40, "sendfile", sys_sendfile, {Fd, Fd, OffsetInOut, UInt}},
    {72, "fcntl", sys_fcntl, {Fd, FcntlCmd, FcntlArg}},
    {74, "fsync", sys_fsync, {Fd}},
    {75, "fdatasync", sys_fdatasync, {Fd}},
    {77, "ftruncate", sys_ftruncate, {Fd, Long}},
    {217, "getdents64", sys_getdents64, {Fd, Ptr, UInt}},
    {221, "fadvise64", sys_fadvise64, {Fd, Long, UInt, Int}},
    {257, "openat", sys_openat, {DirFd, Path, OpenFlags, OpenMode}},
    {292, "dup3", sys_dup3, {Fd, Fd, FdFlags}},
    {293, "pipe2", sys_pipe2, {PipeOut, FdFlags}},
    {85, "creat", sys_creat, {Path, Mode}},
    {295, "preadv", sys_preadv, {Fd, OutIovec, UInt, Long}},
    {296, "pwritev", sys_pwritev, {Fd, InIovec, UInt, Long}},
    {327, "preadv2", sys_preadv2, {Fd, OutIovec, UInt, Long, Skip, RwfFlags}},
    {328, "pwritev2", sys_pwritev2, {Fd, InIovec, UInt, Long, Skip, RwfFlags}},
    {326, "copy_file_range", sys_copy_file_range, {Fd, OffsetIn, Fd, OffsetIn, UInt, UInt}},
    {285, "fallocate", sys_fallocate, {Fd, FallocMode, Long, Long}},
    {73, "flock", sys_flock, {Fd, FlockOp}},
    {162, "sync", sys_sync, {}},
    {306, "syncfs", sys_syncfs, {Fd}},
    {7, "poll", sys_poll, {PollFds, UInt, Int}, RetKind::Poll},
    {271, "ppoll", sys_ppoll, {PollFds, UInt, TimeoutTs, SigsetIn, UInt}, RetKind::Poll},
    {23, "select", sys_select, {Int, FdSetIn, FdSetIn, FdSetIn, TimeoutTv}, RetKind::Select},
    {270, "pselect6", sys_pselect6, {Int, FdSetIn, FdSetIn, FdSetIn, TimeoutTs, SigsetPack}, RetKind::Select},

    // ---- file system: paths
    {4, "stat", sys_stat, {Path, StatOut}},
    {6, "lstat", sys_lstat, {Path, StatOut}},
    {21, "access", sys_access, {Path, AccessMode}},
    {76, "truncate", sys_truncate, {Path, Long}},
    {79, "getcwd", sys_getcwd, {OutBuf, UInt}},
    {80, "chdir", sys_chdir, {Path}},
    {81, "fchdir", sys_fchdir, {Fd}},
    {82, "rename", sys_rename, {Path, Path}},
    {83, "mkdir", sys_mkdir, {Path, Mode}},
    {84, "rmdir", sys_rmdir, {Path}},
    {86, "link", sys_link, {Path, Path}},
    {87, "unlink", sys_unlink, {Path}},
    {88, "symlink", sys_symlink, {Path, Path}},
    {89, "readlink", sys_readlink, {Path, OutBuf, UInt}},
    {90, "chmod", sys_chmod, {Path, Mode}},
    {91, "fchmod", sys_fchmod, {Fd, Mode}},
    {92, "chown", sys_chown, {Path, Int, Int}},
    {93, "fchown", sys_fchown, {Fd, Int, Int}},
    {94, "lchown", sys_lchown, {Path, Int, Int}},
    {95, "umask", sys_umask, {Mode}},
    {137, "statfs", sys_statfs, {Path, Ptr}},
    {138, "fstatfs", sys_fstatfs, {Fd, Ptr}},
    {258, "mkdirat", sys_mkdirat, {DirFd, Path, Mode}},
    {260, "fchownat", sys_fchownat, {DirFd, Path, Int, Int, AtFlags}},
    {262, "newfstatat", sys_newfstatat, {DirFd, Path, StatOut, AtFlags}},
    {263, "unlinkat", sys_unlinkat, {DirFd, Path, AtFlags}},
    {264, "renameat", sys_renameat, {DirFd, Path, DirFd, Path}},
    {267, "readlinkat", sys_readlinkat, {DirFd, Path, OutBuf, UInt}},
    {269, "faccessat", sys_faccessat, {DirFd, Path, AccessMode}},
    {280, "utimensat", sys_utimensat, {DirFd, Path, Ptr, AtFlags}},
    {316, "renameat2", sys_renameat2, {DirFd, Path, DirFd, Path, RenameFlags}},
    {439, "faccessat2", sys_faccessat2, {DirFd, Path, AccessMode, AtFlags}},
    {332, "statx", sys_statx, {DirFd, Path, StatxFlags, StatxMask, StatxOut}},
    {265, "linkat", sys_linkat, {DirFd, Path, DirFd, Path, AtFlags}},
    {266, "symlinkat", sys_symlinkat, {Path, DirFd, Path}},
    {268, "fchmodat", sys_fchmodat, {DirFd, Path, Mode}},
    {452, "fchmodat2", sys_fchmodat2, {DirFd, Path, Mode, AtFlags}},
    {133, "mknod", sys_mknod, {Path, NodeMode, NodeDev}},
    {259, "mknodat", sys_mknodat, {DirFd, Path, NodeMode, NodeDev}},

    // ---- memory
    {9, "mmap", sys_mmap, {Ptr, UInt, Prot, MmapFlags, Fd, Hex}, RetKind::Hex},
    {10, "mprotect", sys_mprotect, {Ptr, UInt, Prot}},
    {11, "munmap", sys_munmap, {Ptr, UInt}},
    {12, "brk", sys_brk, {Ptr}, RetKind::Hex},
    {25, "mremap", sys_mremap, {Ptr, UInt, UInt, MremapFlags, MremapNewAddr}, RetKind::Hex},
    {26, "msync", sys_msync, {Ptr, UInt, Hex}},
    {27, "mincore", sys_mincore, {Ptr, UInt, Ptr}},
    {28, "madvise", sys_madvise, {Ptr, UInt, Madvice}},

    // ---- signals
    {13, "rt_sigaction", sys_rt_sigaction, {Signal, SigactionIn, Ptr, UInt}},
    {14, "rt_sigprocmask", sys_rt_sigprocmask, {SigHow, SigsetIn, SigsetOut, UInt}},
    {15, "rt_sigreturn", sys_rt_sigreturn, {}},
    {34, "pause", sys_pause, {}},
    {62, "kill", sys_kill, {Int, Signal}},
    {127, "rt_sigpending", sys_rt_sigpending, {SigsetOut, UInt}},
    {128, "rt_sigtimedwait", sys_rt_sigtimedwait, {SigsetIn, Ptr, Ptr, UInt}},
    {130, "rt_sigsuspend", sys_rt_sigsuspend, {SigsetIn, UInt}},
    {131, "sigaltstack", sys_sigaltstack, {Ptr, Ptr}},
    {36, "getitimer", sys_getitimer, {Int, Ptr}},
    {37, "alarm", sys_alarm, {UInt}},
    {38, "setitimer", sys_setitimer, {Int, Ptr, Ptr}},
    {200, "tkill", sys_tkill, {Int, Signal}},
    {234, "tgkill", sys_tgkill, {Int, Int, Signal}},

    // ---- processes and threads
    {24, "sched_yield", sys_sched_yield, {}},
    {39, "getpid", sys_getpid, {}},
    {56, "clone", sys_clone, {CloneFlags, Ptr, Ptr, Ptr, Ptr}},
    {57, "fork", sys_fork, {}},
    {58, "vfork", sys_vfork, {}},
    {59, "execve", sys_execve, {Path, Argv, Envp}},
    {322, "execveat", sys_execveat, {DirFd, Path, Argv, Envp, AtFlags}},
    {60, "exit", sys_exit, {Int}, RetKind::NoReturn},
    {61, "wait4", sys_wait4, {Int, WaitStatusOut, WaitOptions, Ptr}},
    {247, "waitid", sys_waitid, {IdType, Int, Ptr, WaitOptions, Ptr}},
    {98, "getrusage", sys_getrusage, {Int, Ptr}},
    {100, "times", sys_times, {Ptr}},
    {109, "setpgid", sys_setpgid, {Int, Int}},
    {112, "setsid", sys_setsid, {}},
    {140, "getpriority", sys_getpriority, {Int, Int}},
    {141, "setpriority", sys_setpriority, {Int, Int, Int}},
    {97, "getrlimit", sys_getrlimit, {Resource, RlimitOut}},
    {102, "getuid", sys_getuid, {}},
    {104, "getgid", sys_getgid, {}},
    {107, "geteuid", sys_geteuid, {}},
    {108, "getegid", sys_getegid, {}},
    {110, "getppid", sys_getppid, {}},
    {111, "getpgrp", sys_getpgrp, {}},
    {115, "getgroups", sys_getgroups, {Int, Ptr}},
    {121, "getpgid", sys_getpgid, {Int}},
    {124, "getsid", sys_getsid, {Int}},
    {157, "prctl", sys_prctl, {Int, Hex, Hex, Hex, Hex}},
    {158, "arch_prctl", sys_arch_prctl, {ArchPrctl, Hex}},
    {160, "setrlimit", sys_setrlimit, {Resource, RlimitIn}},
    {186, "gettid", sys_gettid, {}},
    {202, "futex", sys_futex, {Ptr, FutexOp, UInt, Ptr, Ptr, UInt}},
    {204, "sched_getaffinity", sys_sched_getaffinity, {Int, UInt, Ptr}},
    {218, "set_tid_address", sys_set_tid_address, {Ptr}},
    {231, "exit_group", sys_exit_group, {Int}, RetKind::NoReturn},
    {273, "set_robust_list", sys_set_robust_list, {Ptr, UInt}},
    {302, "prlimit64", sys_prlimit64, {Int, Resource, RlimitIn, RlimitOut}},
    {334, "rseq", sys_rseq, {Ptr, Hex, Hex, Hex}},
    {435, "clone3", sys_clone3, {Ptr, UInt}},

    // ---- system information
    {63, "uname", sys_uname, {UtsnameOut}},
    {99, "sysinfo", sys_sysinfo, {Ptr}},
    {318, "getrandom", sys_getrandom, {RandomOut, UInt, GrndFlags}},

    // ---- time
    {35, "nanosleep", sys_nanosleep, {TimespecIn, Ptr}},
    {96, "gettimeofday", sys_gettimeofday, {Ptr, Ptr}},
    {201, "time", sys_time, {Ptr}},
    {228, "clock_gettime", sys_clock_gettime, {ClockId, TimespecOut}},
    {229, "clock_getres", sys_clock_getres, {ClockId, TimespecOut}},
    {230, "clock_nanosleep", sys_clock_nanosleep, {ClockId, Int, TimespecIn, Ptr}},

    // ---- not provided yet (named for --strace)
    {41, "socket", nullptr, {X, X, X}},
    {42, "connect", nullptr, {X, X, X}},

    // ---- never provided: gone from Linux too, which answers ENOSYS
    {174, "create_module", nullptr, {X, X}},
};

constexpr size_t kTableSize = 512;

constexpr std::array<SyscallDesc, kTableSize> kByNumber = [] {
  std::array<SyscallDesc, kTableSize> table{};
  for (const SyscallDesc& row : kRows) table[row.nr] = row;
  return table;
}();

// Each number appears once.
constexpr bool numbers_unique() {
  for (size_t i = 0; i < std::size(kRows); ++i)
    for (size_t j = i + 1; j < std::size(kRows); ++j)
      if (kRows[i].nr == kRows[j].nr) return false;
  return true;
}
static_assert(numbers_unique(), "a syscall number appears twice in kRows");

}  // namespace

const SyscallDesc* find_syscall(uint64_t nr) {
  if (nr >= kTableSize || kByNumber[nr].name == nullptr) return nullptr;
  return &kByNumber[nr];
}

const char* syscall_name(uint64_t nr) {
  const SyscallDesc* d = find_syscall(nr);
  return d ? d->name : nullptr;
}

}  // namespace emu::syscalls
