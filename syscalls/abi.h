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

// Constants the handlers interpret (x86-64 Linux values).
inline constexpr int kAtFdcwd = -100;
inline constexpr int kAtSymlinkNofollow = 0x100;
inline constexpr int kAtRemovedir = 0x200;
inline constexpr int kAtEmptyPath = 0x1000;
inline constexpr int kOAccmode = 03;
inline constexpr int kOWronly = 01;
inline constexpr int kORdwr = 02;
inline constexpr int kOCreat = 0100;
inline constexpr int kODirectory = 0200000;
inline constexpr int kOCloexec = 02000000;
inline constexpr int kOTmpfile = 020000000 | kODirectory;
inline constexpr uint64_t kPathMax = 4096;
inline constexpr int kSsDisable = 2;
inline constexpr int kSsOnstack = 1;
inline constexpr int kNsig = 64;

inline constexpr int kArchSetGs = 0x1001;
inline constexpr int kArchSetFs = 0x1002;
inline constexpr int kArchGetFs = 0x1003;
inline constexpr int kArchGetGs = 0x1004;

}  // namespace emu::syscalls::abi
