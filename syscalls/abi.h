// Guest (x86-64 Linux kernel) ABI structures and constants the system-call
// layer reads and writes in guest memory. Fixed-width fields, sizes and
// offsets pinned by static_assert, never borrowed from host headers: the
// kernel's layout is what the guest expects, whatever the host libc calls
// its own structs (glibc's struct termios, for one, differs from the kernel's).
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu::syscalls::abi {

struct Timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};
static_assert(sizeof(Timespec) == 16);

struct Timeval {
  int64_t tv_sec;
  int64_t tv_usec;
};
static_assert(sizeof(Timeval) == 16);

struct Timezone {
  int32_t tz_minuteswest;
  int32_t tz_dsttime;
};
static_assert(sizeof(Timezone) == 8);

// struct stat of x86-64 (arch/x86/include/uapi/asm/stat.h).
struct Stat {
  uint64_t st_dev;
  uint64_t st_ino;
  uint64_t st_nlink;
  uint32_t st_mode;
  uint32_t st_uid;
  uint32_t st_gid;
  uint32_t pad0;
  uint64_t st_rdev;
  int64_t st_size;
  int64_t st_blksize;
  int64_t st_blocks;
  uint64_t st_atime_sec;
  uint64_t st_atime_nsec;
  uint64_t st_mtime_sec;
  uint64_t st_mtime_nsec;
  uint64_t st_ctime_sec;
  uint64_t st_ctime_nsec;
  int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);
static_assert(offsetof(Stat, st_mode) == 24);
static_assert(offsetof(Stat, st_rdev) == 40);
static_assert(offsetof(Stat, st_size) == 48);
static_assert(offsetof(Stat, st_atime_sec) == 72);

// struct statfs of x86-64 (the generic 64-bit layout).
struct Statfs {
  int64_t f_type;
  int64_t f_bsize;
  uint64_t f_blocks;
  uint64_t f_bfree;
  uint64_t f_bavail;
  uint64_t f_files;
  uint64_t f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen;
  int64_t f_frsize;
  int64_t f_flags;
  int64_t f_spare[4];
};
static_assert(sizeof(Statfs) == 120);
static_assert(offsetof(Statfs, f_fsid) == 56);

struct Utsname {
  char sysname[65];
  char nodename[65];
  char release[65];
  char version[65];
  char machine[65];
  char domainname[65];
};
static_assert(sizeof(Utsname) == 390);

struct Rlimit {
  uint64_t rlim_cur;
  uint64_t rlim_max;
};
static_assert(sizeof(Rlimit) == 16);
inline constexpr uint64_t kRlimInfinity = ~uint64_t{0};
inline constexpr int kRlimitStack = 3;
inline constexpr int kRlimitNlimits = 16;

// clone3's struct clone_args (CLONE_ARGS_SIZE_VER2: with cgroup).
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
};
static_assert(sizeof(CloneArgs) == 88);
inline constexpr uint64_t kCloneArgsSizeVer0 = 64;
inline constexpr uint64_t kCloneArgsSizeVer2 = 88;
inline constexpr uint64_t kCloneClearSighand = uint64_t{1} << 32;
inline constexpr uint64_t kCloneIntoCgroup = uint64_t{1} << 33;
inline constexpr uint64_t kCloneNewtime = 0x80;
inline constexpr uint64_t kMaxPidNsLevel = 32;

struct Iovec {
  uint64_t iov_base;
  uint64_t iov_len;
};
static_assert(sizeof(Iovec) == 16);
inline constexpr uint64_t kIovMax = 1024;

struct Winsize {
  uint16_t ws_row;
  uint16_t ws_col;
  uint16_t ws_xpixel;
  uint16_t ws_ypixel;
};
static_assert(sizeof(Winsize) == 8);

// The kernel's struct termios (TCGETS/TCSETS), not glibc's larger one.
struct Termios {
  uint32_t c_iflag;
  uint32_t c_oflag;
  uint32_t c_cflag;
  uint32_t c_lflag;
  uint8_t c_line;
  uint8_t c_cc[19];
};
static_assert(sizeof(Termios) == 36);

// struct termios2 (TCGETS2/TCSETS2): termios plus the two speeds.
struct Termios2 {
  Termios t;
  uint32_t c_ispeed;
  uint32_t c_ospeed;
};
static_assert(sizeof(Termios2) == 44);

// The kernel's struct sigaction for rt_sigaction on x86-64.
struct Sigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
static_assert(sizeof(Sigaction) == 32);

struct StackT {
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad;
  uint64_t ss_size;
};
static_assert(sizeof(StackT) == 24);
static_assert(offsetof(StackT, ss_size) == 16);

// siginfo_t: 128 bytes; the first three ints are common, the union at 16
// depends on the signal (si_addr for faults; si_pid, si_uid for kill; and for
// SIGCHLD si_status at 24). The host's siginfo_t has the same layout, so a
// host-caught signal's info is copied as is.
struct Siginfo {
  int32_t si_signo;
  int32_t si_errno;
  int32_t si_code;
  int32_t pad;
  uint8_t fields[112];
};
static_assert(sizeof(Siginfo) == 128);

// struct sigcontext (arch/x86/include/uapi/asm/sigcontext.h, 64-bit).
struct Sigcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // guest address of the FXSAVE image, 0 if none
  uint64_t reserved1[8];
};
static_assert(sizeof(Sigcontext) == 256);
static_assert(offsetof(Sigcontext, rip) == 128);
static_assert(offsetof(Sigcontext, fpstate) == 184);

// The kernel's struct ucontext (uapi asm-generic/ucontext.h): what a handler's
// third argument points to. glibc's ucontext_t is longer, but only these
// fields are the kernel's.
struct Ucontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  StackT uc_stack;
  Sigcontext uc_mcontext;
  uint64_t uc_sigmask;
};
static_assert(sizeof(Ucontext) == 304);
static_assert(offsetof(Ucontext, uc_mcontext) == 40);

// struct rt_sigframe (arch/x86/include/asm/sigframe.h): at the handler's
// entry RSP points at pretcode, the return address (sa_restorer).
struct RtSigframe {
  uint64_t pretcode;
  Ucontext uc;
  Siginfo info;
};
static_assert(sizeof(RtSigframe) == 440);

inline constexpr uint64_t kUcFpXstate = 0x1;          // not set: FXSAVE-only fpstate
inline constexpr uint64_t kUcSigcontextSs = 0x2;
inline constexpr uint64_t kUcStrictRestoreSs = 0x4;
inline constexpr uint64_t kSaNocldstop = 0x1;
inline constexpr uint64_t kSaNocldwait = 0x2;
inline constexpr uint64_t kSaSiginfo = 0x4;
inline constexpr uint64_t kSaRestorer = 0x04000000;
inline constexpr uint64_t kSaOnstack = 0x08000000;
inline constexpr uint64_t kSaRestart = 0x10000000;
inline constexpr uint64_t kSaNodefer = 0x40000000;
inline constexpr uint64_t kSaResethand = 0x80000000;
inline constexpr int kSiUser = 0;
inline constexpr int kSiKernel = 0x80;
inline constexpr int kSiTkill = -6;

struct Sysinfo {
  int64_t uptime;
  uint64_t loads[3];
  uint64_t totalram;
  uint64_t freeram;
  uint64_t sharedram;
  uint64_t bufferram;
  uint64_t totalswap;
  uint64_t freeswap;
  uint16_t procs;
  uint16_t pad;
  uint32_t pad2;
  uint64_t totalhigh;
  uint64_t freehigh;
  uint32_t mem_unit;
  char f[4];  // padding to the kernel's 112 bytes on 64-bit
};
static_assert(sizeof(Sysinfo) == 112);
static_assert(offsetof(Sysinfo, procs) == 80);
static_assert(offsetof(Sysinfo, mem_unit) == 104);

// struct flock on x86-64 (F_GETLK/F_SETLK/F_SETLKW).
struct Flock {
  int16_t l_type;
  int16_t l_whence;
  int32_t pad;
  int64_t l_start;
  int64_t l_len;
  int32_t l_pid;
  int32_t pad2;
};
static_assert(sizeof(Flock) == 32);

// struct f_owner_ex (F_GETOWN_EX/F_SETOWN_EX).
struct FOwnerEx {
  int32_t type;
  int32_t pid;
};
static_assert(sizeof(FOwnerEx) == 8);

// struct statx (include/uapi/linux/stat.h): 256 bytes, the same on every arch.
struct StatxTimestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};
struct Statx {
  uint32_t stx_mask;
  uint32_t stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink;
  uint32_t stx_uid;
  uint32_t stx_gid;
  uint16_t stx_mode;
  uint16_t spare0;
  uint64_t stx_ino;
  uint64_t stx_size;
  uint64_t stx_blocks;
  uint64_t stx_attributes_mask;
  StatxTimestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor;
  uint32_t stx_dev_major, stx_dev_minor;
  uint64_t spare[14];  // stx_mnt_id, DIO alignment, ... : copied as the host fills them
};
static_assert(sizeof(Statx) == 256);
static_assert(offsetof(Statx, stx_mode) == 28);
static_assert(offsetof(Statx, stx_size) == 40);
static_assert(offsetof(Statx, stx_atime) == 64);
static_assert(offsetof(Statx, stx_mtime) == 112);
static_assert(offsetof(Statx, stx_rdev_major) == 128);

// struct pollfd.
struct Pollfd {
  int32_t fd;
  int16_t events;
  int16_t revents;
};
static_assert(sizeof(Pollfd) == 8);
inline constexpr uint64_t kNrOpenMax = 1u << 20;  // fs.nr_open's ceiling: poll's nfds bound is RLIMIT_NOFILE

// fd_set for select: FD_SETSIZE bits; pselect6's 6th argument.
inline constexpr int kFdSetSize = 1024;
struct SigsetArg {
  uint64_t ss;      // guest address of the sigset, or 0
  uint64_t ss_len;  // must be 8
};
static_assert(sizeof(SigsetArg) == 16);

// Constants the handlers interpret (x86-64 Linux values).
inline constexpr int kAtFdcwd = -100;
inline constexpr int kAtSymlinkNofollow = 0x100;
inline constexpr int kAtRemovedir = 0x200;
inline constexpr int kAtEmptyPath = 0x1000;
inline constexpr int kOAccmode = 03;
inline constexpr int kOWronly = 01;
inline constexpr int kORdwr = 02;
inline constexpr int kOCreat = 0100;
inline constexpr int kOTrunc = 01000;
inline constexpr int kODirectory = 0200000;
inline constexpr int kODirect = 040000;
inline constexpr int kONofollow = 0400000;
inline constexpr int kOPath = 010000000;
inline constexpr int kOCloexec = 02000000;
inline constexpr int kOTmpfile = 020000000 | kODirectory;
inline constexpr uint64_t kPathMax = 4096;
inline constexpr int kSsDisable = 2;
inline constexpr int kSsOnstack = 1;
inline constexpr uint32_t kSsAutodisarm = 1u << 31;
inline constexpr int kNsig = 64;

inline constexpr int kArchSetGs = 0x1001;
inline constexpr int kArchSetFs = 0x1002;
inline constexpr int kArchGetFs = 0x1003;
inline constexpr int kArchGetGs = 0x1004;
inline constexpr int kArchGetCpuid = 0x1011;
inline constexpr int kArchSetCpuid = 0x1012;
inline constexpr int kArchGetXcompSupp = 0x1021;
inline constexpr int kArchGetXcompPerm = 0x1022;
inline constexpr int kArchGetXcompGuestPerm = 0x1024;
// The XSAVE features emu's CPU has (CPUID shows no XSAVE): x87 and SSE state,
// which FXSAVE covers; what Linux reports on such a CPU (fpu_user_cfg).
inline constexpr uint64_t kXfeatureMaskFpSse = 0x3;

}  // namespace emu::syscalls::abi
