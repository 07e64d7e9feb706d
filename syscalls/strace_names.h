// The names --strace prints for flag words and constants (strace's own
// spellings), shared by the argument printer (strace.cpp): the tables,
// flag_names/value_name over them, and the formatters of composite values.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "syscalls/abi.h"

namespace emu::syscalls::strace_names {

struct Flag {
  uint64_t bit;
  const char* name;
};

// "A|B|0x40", or `zero` when no bit is set.
template <size_t N>
std::string flag_names(uint64_t value, const Flag (&flags)[N], const char* zero = "0") {
  std::string out;
  for (const Flag& f : flags) {
    if (f.bit != 0 && (value & f.bit) == f.bit) {
      if (!out.empty()) out += '|';
      out += f.name;
      value &= ~f.bit;
    }
  }
  if (value != 0) {
    if (!out.empty()) out += '|';
    out += fmt::format("{:#x}", value);
  }
  return out.empty() ? zero : out;
}

struct Name {
  int64_t value;
  const char* name;
};

template <size_t N>
std::string value_name(int64_t value, const Name (&names)[N], bool hex_fallback = false) {
  for (const Name& n : names)
    if (n.value == value) return n.name;
  return hex_fallback ? fmt::format("{:#x}", uint64_t(value)) : fmt::format("{}", value);
}

std::string hex(uint64_t v);

std::string ptr(uint64_t v);

inline constexpr Flag kOpenFlags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},          {0400, "O_NOCTTY"},       {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},     {04010000, "O_SYNC"},     {010000, "O_DSYNC"},
    {020000, "O_ASYNC"},      {040000, "O_DIRECT"},      {0100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},   {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
};

std::string open_flags(uint64_t v);

std::string octal_mode(uint64_t v);

inline constexpr Flag kProt[] = {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}, {8, "PROT_SEM"},
                          {0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"}};

inline constexpr Flag kMmapFlags[] = {
    {0x10, "MAP_FIXED"},        {0x20, "MAP_ANONYMOUS"},  {0x40, "MAP_32BIT"},     {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},   {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"}, {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},   {0x10000, "MAP_NONBLOCK"}, {0x20000, "MAP_STACK"},  {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},      {0x100000, "MAP_FIXED_NOREPLACE"}, {0x4000000, "MAP_UNINITIALIZED"},
};

std::string mmap_flags(uint64_t v);

inline constexpr Flag kMremapFlags[] = {{1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};

inline constexpr Flag kAtFlags[] = {{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
                             {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"}};

inline constexpr Flag kCloneFlags[] = {
    {0x100, "CLONE_VM"},           {0x200, "CLONE_FS"},          {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},      {0x1000, "CLONE_PIDFD"},      {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},       {0x8000, "CLONE_PARENT"},     {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},      {0x40000, "CLONE_SYSVSEM"},   {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"}, {0x200000, "CLONE_CHILD_CLEARTID"}, {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},  {0x1000000, "CLONE_CHILD_SETTID"}, {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},   {0x8000000, "CLONE_NEWIPC"},  {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},  {0x40000000, "CLONE_NEWNET"}, {0x80000000, "CLONE_IO"}};

inline constexpr Flag kWaitOptions[] = {{1, "WNOHANG"},       {2, "WSTOPPED"},        {4, "WEXITED"},
                                 {8, "WCONTINUED"},    {0x1000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"},
                                 {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"}};

inline constexpr Name kIdTypes[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};

inline constexpr Flag kAccessMode[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};

inline constexpr Flag kGrndFlags[] = {{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};

inline constexpr Flag kSaFlags[] = {{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
                             {0x40000000, "SA_NODEFER"},  {0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"},
                             {2, "SA_NOCLDWAIT"},         {1, "SA_NOCLDSTOP"}};

inline constexpr Name kWhence[] = {{0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}};

inline constexpr Name kSigHow[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};

inline constexpr Name kArchPrctl[] = {{0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"},
                               {0x1004, "ARCH_GET_GS"}, {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"}};

inline constexpr Name kClocks[] = {{0, "CLOCK_REALTIME"},        {1, "CLOCK_MONOTONIC"},         {2, "CLOCK_PROCESS_CPUTIME_ID"},
                            {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"},  {5, "CLOCK_REALTIME_COARSE"},
                            {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},        {8, "CLOCK_REALTIME_ALARM"},
                            {9, "CLOCK_BOOTTIME_ALARM"},  {11, "CLOCK_TAI"}};

inline constexpr Name kFcntl[] = {{0, "F_DUPFD"},     {1, "F_GETFD"},     {2, "F_SETFD"},      {3, "F_GETFL"},
                           {4, "F_SETFL"},     {5, "F_GETLK"},     {6, "F_SETLK"},      {7, "F_SETLKW"},
                           {8, "F_SETOWN"},    {9, "F_GETOWN"},    {36, "F_OFD_GETLK"}, {37, "F_OFD_SETLK"},
                           {38, "F_OFD_SETLKW"}, {1030, "F_DUPFD_CLOEXEC"}, {1031, "F_SETPIPE_SZ"},
                           {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"}, {1034, "F_GET_SEALS"}};

inline constexpr Name kResources[] = {{0, "RLIMIT_CPU"},    {1, "RLIMIT_FSIZE"},   {2, "RLIMIT_DATA"},      {3, "RLIMIT_STACK"},
                               {4, "RLIMIT_CORE"},   {5, "RLIMIT_RSS"},     {6, "RLIMIT_NPROC"},     {7, "RLIMIT_NOFILE"},
                               {8, "RLIMIT_MEMLOCK"}, {9, "RLIMIT_AS"},     {10, "RLIMIT_LOCKS"},    {11, "RLIMIT_SIGPENDING"},
                               {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"},  {15, "RLIMIT_RTTIME"}};

inline constexpr Name kMadvice[] = {{0, "MADV_NORMAL"},      {1, "MADV_RANDOM"},     {2, "MADV_SEQUENTIAL"}, {3, "MADV_WILLNEED"},
                             {4, "MADV_DONTNEED"},    {8, "MADV_FREE"},       {9, "MADV_REMOVE"},     {10, "MADV_DONTFORK"},
                             {11, "MADV_DOFORK"},     {12, "MADV_MERGEABLE"}, {13, "MADV_UNMERGEABLE"}, {14, "MADV_HUGEPAGE"},
                             {15, "MADV_NOHUGEPAGE"}, {16, "MADV_DONTDUMP"},  {17, "MADV_DODUMP"},    {18, "MADV_WIPEONFORK"},
                             {19, "MADV_KEEPONFORK"}, {20, "MADV_COLD"},      {21, "MADV_PAGEOUT"},   {22, "MADV_POPULATE_READ"},
                             {23, "MADV_POPULATE_WRITE"}, {25, "MADV_COLLAPSE"}, {102, "MADV_GUARD_INSTALL"},
                             {103, "MADV_GUARD_REMOVE"}};

// "INT", "RTMIN", "RT_5": a signal's name without the SIG prefix.
std::string signal_short_name(int sig);

std::string signal_name(int64_t sig);

// [INT TERM], or ~[...] listing the signals NOT in the set when most are.
std::string sigset_text(uint64_t set);

// si_code as strace names it: the generic codes, then per-signal ones.
std::string si_code_name(int sig, int code);

std::string futex_op(uint64_t v);

inline constexpr Flag kRwfFlags[] = {{1, "RWF_HIPRI"},     {2, "RWF_DSYNC"},     {4, "RWF_SYNC"},
                               {8, "RWF_NOWAIT"},    {0x10, "RWF_APPEND"}, {0x20, "RWF_NOAPPEND"},
                               {0x40, "RWF_ATOMIC"}, {0x80, "RWF_DONTCACHE"}};

inline constexpr Flag kFallocFlags[] = {{1, "FALLOC_FL_KEEP_SIZE"},      {2, "FALLOC_FL_PUNCH_HOLE"},
                                 {4, "FALLOC_FL_NO_HIDE_STALE"},  {8, "FALLOC_FL_COLLAPSE_RANGE"},
                                 {0x10, "FALLOC_FL_ZERO_RANGE"},  {0x20, "FALLOC_FL_INSERT_RANGE"},
                                 {0x40, "FALLOC_FL_UNSHARE_RANGE"}};

inline constexpr Flag kRenameFlags[] = {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};

inline constexpr Flag kFlockOps[] = {{1, "LOCK_SH"}, {2, "LOCK_EX"}, {4, "LOCK_NB"}, {8, "LOCK_UN"}};

inline constexpr Flag kPollEvents[] = {{1, "POLLIN"},         {2, "POLLPRI"},        {4, "POLLOUT"},
                                {8, "POLLERR"},        {0x10, "POLLHUP"},     {0x20, "POLLNVAL"},
                                {0x40, "POLLRDNORM"},  {0x80, "POLLRDBAND"},  {0x100, "POLLWRNORM"},
                                {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},    {0x1000, "POLLREMOVE"},
                                {0x2000, "POLLRDHUP"}};

// Composite masks first: flag_names takes the first (widest) match.
inline constexpr Flag kStatxMask[] = {{0xfff, "STATX_ALL"},       {0x7ff, "STATX_BASIC_STATS"}, {1, "STATX_TYPE"},
                               {2, "STATX_MODE"},          {4, "STATX_NLINK"},         {8, "STATX_UID"},
                               {0x10, "STATX_GID"},        {0x20, "STATX_ATIME"},      {0x40, "STATX_MTIME"},
                               {0x80, "STATX_CTIME"},      {0x100, "STATX_INO"},       {0x200, "STATX_SIZE"},
                               {0x400, "STATX_BLOCKS"},    {0x800, "STATX_BTIME"},     {0x1000, "STATX_MNT_ID"},
                               {0x2000, "STATX_DIOALIGN"}, {0x4000, "STATX_MNT_ID_UNIQUE"}, {0x8000, "STATX_SUBVOL"},
                               {0x10000, "STATX_WRITE_ATOMIC"}, {0x20000, "STATX_DIO_READ_ALIGN"}};

inline constexpr Flag kStatxAttrs[] = {{0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"},
                                {0x20, "STATX_ATTR_APPEND"},     {0x40, "STATX_ATTR_NODUMP"},
                                {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"},
                                {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"},
                                {0x200000, "STATX_ATTR_DAX"}};

inline constexpr Name kFileTypes[] = {{0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
                               {0060000, "S_IFBLK"},  {0040000, "S_IFDIR"}, {0020000, "S_IFCHR"},
                               {0010000, "S_IFIFO"}};

inline constexpr Name kLockTypes[] = {{0, "F_RDLCK"}, {1, "F_WRLCK"}, {2, "F_UNLCK"}};

// "S_IFREG|0644"; a mode without a type is just the octal permissions.
std::string file_mode(uint32_t mode);

// "B38400": a termios speed (the CBAUD bits of c_cflag).
std::string baud_name(uint32_t cflag);

// struct termios flags in strace's order and form (its src/term.c):
// c_oflag leads with the delay fields, c_cflag with speed and size.
inline constexpr Flag kTermIflags[] = {{01, "IGNBRK"},   {02, "BRKINT"}, {04, "IGNPAR"},   {010, "PARMRK"},
                                {020, "INPCK"},   {040, "ISTRIP"}, {0100, "INLCR"},  {0200, "IGNCR"},
                                {0400, "ICRNL"},  {01000, "IUCLC"}, {02000, "IXON"}, {04000, "IXANY"},
                                {010000, "IXOFF"}, {020000, "IMAXBEL"}, {040000, "IUTF8"}};

inline constexpr Flag kTermOflags[] = {{01, "OPOST"},  {02, "OLCUC"},  {04, "ONLCR"},  {010, "OCRNL"},
                                {020, "ONOCR"}, {040, "ONLRET"}, {0100, "OFILL"}, {0200, "OFDEL"}};

inline constexpr Flag kTermCflags[] = {{0100, "CSTOPB"},  {0200, "CREAD"},          {0400, "PARENB"}, {01000, "PARODD"},
                                {02000, "HUPCL"},  {04000, "CLOCAL"},        {010000000000, "CMSPAR"},
                                {020000000000, "CRTSCTS"}};

inline constexpr Flag kTermLflags[] = {{01, "ISIG"},      {02, "ICANON"},   {04, "XCASE"},     {010, "ECHO"},
                                {020, "ECHOE"},    {040, "ECHOK"},   {0100, "ECHONL"},  {0200, "NOFLSH"},
                                {0100000, "IEXTEN"}, {01000, "ECHOCTL"}, {02000, "ECHOPRT"}, {04000, "ECHOKE"},
                                {010000, "FLUSHO"}, {040000, "PENDIN"}, {0400, "TOSTOP"},  {0200000, "EXTPROC"}};

std::string termios_oflag(uint32_t v);

std::string termios_cflag(uint32_t v);

// strace's abbreviated struct termios (without -v).
std::string termios_text(const abi::Termios& t);

std::string rlim_value(uint64_t v);

}  // namespace emu::syscalls::strace_names
