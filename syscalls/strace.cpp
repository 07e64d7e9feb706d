#include "syscalls/strace.h"

#include <bit>
#include <cinttypes>
#include <vector>

#include <fmt/format.h>

#include "syscalls/abi.h"

namespace emu::syscalls {

namespace {

// strace's default -s: buffers print at most this many bytes.
constexpr size_t kMaxStringBytes = 32;
// Array arguments (iovecs) print at most this many elements.
constexpr size_t kMaxArrayElements = 32;

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

std::string hex(uint64_t v) { return v == 0 ? "0" : fmt::format("{:#x}", v); }
std::string ptr(uint64_t v) { return v == 0 ? "NULL" : fmt::format("{:#x}", v); }

constexpr Flag kOpenFlags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},          {0400, "O_NOCTTY"},       {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},     {04010000, "O_SYNC"},     {010000, "O_DSYNC"},
    {020000, "O_ASYNC"},      {040000, "O_DIRECT"},      {0100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},   {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
};

std::string open_flags(uint64_t v) {
  static const char* const kAccess[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
  std::string out = kAccess[v & 3];
  const uint64_t rest = v & ~uint64_t{3} & 0xffffffff;
  if (rest) out += "|" + flag_names(rest, kOpenFlags);
  return out;
}

std::string octal_mode(uint64_t v) { return fmt::format("0{:02o}", v & 07777); }

constexpr Flag kProt[] = {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}, {8, "PROT_SEM"},
                          {0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"}};

constexpr Flag kMmapFlags[] = {
    {0x10, "MAP_FIXED"},        {0x20, "MAP_ANONYMOUS"},  {0x40, "MAP_32BIT"},     {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},   {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"}, {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},   {0x10000, "MAP_NONBLOCK"}, {0x20000, "MAP_STACK"},  {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},      {0x100000, "MAP_FIXED_NOREPLACE"}, {0x4000000, "MAP_UNINITIALIZED"},
};

std::string mmap_flags(uint64_t v) {
  static const char* const kType[] = {nullptr, "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
  std::string out;
  const uint64_t type = v & 0xf;
  if (type >= 1 && type <= 3) out = kType[type];
  else if (type) out = fmt::format("{:#x}", type);
  const uint64_t rest = v & ~uint64_t{0xf} & 0xffffffff;
  if (rest) out += (out.empty() ? "" : "|") + flag_names(rest, kMmapFlags);
  return out.empty() ? "0" : out;
}

constexpr Flag kMremapFlags[] = {{1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};

constexpr Flag kAtFlags[] = {{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
                             {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"}};
constexpr Flag kAccessMode[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
constexpr Flag kGrndFlags[] = {{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
constexpr Flag kSaFlags[] = {{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
                             {0x40000000, "SA_NODEFER"},  {0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"},
                             {2, "SA_NOCLDWAIT"},         {1, "SA_NOCLDSTOP"}};

constexpr Name kWhence[] = {{0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}};
constexpr Name kSigHow[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};
constexpr Name kArchPrctl[] = {{0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"},
                               {0x1004, "ARCH_GET_GS"}, {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"}};
constexpr Name kClocks[] = {{0, "CLOCK_REALTIME"},        {1, "CLOCK_MONOTONIC"},         {2, "CLOCK_PROCESS_CPUTIME_ID"},
                            {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"},  {5, "CLOCK_REALTIME_COARSE"},
                            {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},        {8, "CLOCK_REALTIME_ALARM"},
                            {9, "CLOCK_BOOTTIME_ALARM"},  {11, "CLOCK_TAI"}};
constexpr Name kIoctls[] = {{0x5401, "TCGETS"},    {0x5402, "TCSETS"},     {0x5403, "TCSETSW"},   {0x5404, "TCSETSF"},
                            {0x540f, "TIOCGPGRP"}, {0x5410, "TIOCSPGRP"},  {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"},
                            {0x541b, "FIONREAD"},  {0x5421, "FIONBIO"},    {0x5450, "FIONCLEX"},  {0x5451, "FIOCLEX"}};
constexpr Name kFcntl[] = {{0, "F_DUPFD"},     {1, "F_GETFD"},     {2, "F_SETFD"},      {3, "F_GETFL"},
                           {4, "F_SETFL"},     {5, "F_GETLK"},     {6, "F_SETLK"},      {7, "F_SETLKW"},
                           {8, "F_SETOWN"},    {9, "F_GETOWN"},    {36, "F_OFD_GETLK"}, {37, "F_OFD_SETLK"},
                           {38, "F_OFD_SETLKW"}, {1030, "F_DUPFD_CLOEXEC"}, {1031, "F_SETPIPE_SZ"},
                           {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"}, {1034, "F_GET_SEALS"}};
constexpr Name kResources[] = {{0, "RLIMIT_CPU"},    {1, "RLIMIT_FSIZE"},   {2, "RLIMIT_DATA"},      {3, "RLIMIT_STACK"},
                               {4, "RLIMIT_CORE"},   {5, "RLIMIT_RSS"},     {6, "RLIMIT_NPROC"},     {7, "RLIMIT_NOFILE"},
                               {8, "RLIMIT_MEMLOCK"}, {9, "RLIMIT_AS"},     {10, "RLIMIT_LOCKS"},    {11, "RLIMIT_SIGPENDING"},
                               {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"},  {15, "RLIMIT_RTTIME"}};
constexpr Name kMadvice[] = {{0, "MADV_NORMAL"},      {1, "MADV_RANDOM"},     {2, "MADV_SEQUENTIAL"}, {3, "MADV_WILLNEED"},
                             {4, "MADV_DONTNEED"},    {8, "MADV_FREE"},       {9, "MADV_REMOVE"},     {10, "MADV_DONTFORK"},
                             {11, "MADV_DOFORK"},     {12, "MADV_MERGEABLE"}, {13, "MADV_UNMERGEABLE"}, {14, "MADV_HUGEPAGE"},
                             {15, "MADV_NOHUGEPAGE"}, {16, "MADV_DONTDUMP"},  {17, "MADV_DODUMP"},    {18, "MADV_WIPEONFORK"},
                             {19, "MADV_KEEPONFORK"}, {20, "MADV_COLD"},      {21, "MADV_PAGEOUT"},   {22, "MADV_POPULATE_READ"},
                             {23, "MADV_POPULATE_WRITE"}};

const char* const kSignalNames[] = {nullptr, "HUP",  "INT",  "QUIT", "ILL",  "TRAP", "ABRT",   "BUS",
                                    "FPE",   "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",   "TERM",
                                    "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",  "URG",
                                    "XCPU",  "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",   "SYS"};

// "INT", "RTMIN", "RT_5": a signal's name without the SIG prefix.
std::string signal_short_name(int sig) {
  if (sig >= 1 && sig < 32) return kSignalNames[sig];
  if (sig == 32) return "RTMIN";
  if (sig > 32 && sig <= 64) return fmt::format("RT_{}", sig - 32);
  return fmt::format("{}", sig);
}

std::string signal_name(int64_t sig) {
  if (sig >= 1 && sig <= 64) return "SIG" + signal_short_name(int(sig));
  return fmt::format("{}", sig);
}

// [INT TERM], or ~[...] listing the signals NOT in the set when most are.
std::string sigset_text(uint64_t set) {
  std::string out;
  const bool inverted = std::popcount(set) > 32;
  if (inverted) set = ~set;
  out = inverted ? "~[" : "[";
  bool first = true;
  for (int sig = 1; sig <= 64; ++sig) {
    if (!(set & (uint64_t{1} << (sig - 1)))) continue;
    if (!first) out += ' ';
    out += signal_short_name(sig);
    first = false;
  }
  return out + "]";
}

std::string futex_op(uint64_t v) {
  static const char* const kOps[] = {"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
                                     "FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
                                     "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
                                     "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"};
  const uint64_t cmd = v & 127;
  std::string out = cmd < std::size(kOps) ? kOps[cmd] : fmt::format("{:#x}", cmd);
  if (v & 128) out += "_PRIVATE";
  if (v & 256) out += "|FUTEX_CLOCK_REALTIME";
  return out;
}

std::string rlim_value(uint64_t v) {
  if (v == abi::kRlimInfinity) return "RLIM64_INFINITY";
  if (v > 0 && v % 1024 == 0) return fmt::format("{}*1024", v / 1024);
  return fmt::format("{}", v);
}

}  // namespace

std::string quote_string(std::string_view bytes, bool truncated, bool all_hex) {
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (all_hex) {
      out += fmt::format("\\x{:02x}", c);
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\t': out += "\\t"; continue;
      case '\n': out += "\\n"; continue;
      case '\v': out += "\\v"; continue;
      case '\f': out += "\\f"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
      continue;
    }
    // Octal, as short as possible unless an octal digit follows.
    const bool digit_follows = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
    out += digit_follows ? fmt::format("\\{:03o}", c) : fmt::format("\\{:o}", c);
  }
  out += '"';
  if (truncated) out += "...";
  return out;
}

namespace {

class Printer {
 public:
  Printer(Process& p, const SyscallArgs& a, int64_t result) : p_(p), a_(a), result_(result) {}

  bool ok() const { return result_ >= 0; }

  // A guest buffer of `len` bytes as strace shows it, or its address.
  std::string buffer(uint64_t addr, uint64_t len, bool all_hex = false) {
    const size_t shown = size_t(std::min<uint64_t>(len, kMaxStringBytes));
    std::string bytes(shown, '\0');
    if (shown > 0 && !p_.mem->copy_in(bytes.data(), mm::GuestAddr{addr}, shown)) return ptr(addr);
    return quote_string(bytes, len > shown, all_hex);
  }

  std::string path(uint64_t addr) {
    auto s = p_.mem->read_cstring(mm::GuestAddr{addr}, abi::kPathMax);
    return s ? quote_string(*s, false) : ptr(addr);
  }

  // iovecs; `total` limits the bytes shown for an output array (the result).
  std::string iovecs(uint64_t addr, uint64_t count, bool output) {
    if (count > abi::kIovMax) return ptr(addr);
    std::vector<abi::Iovec> v(static_cast<size_t>(count));
    if (count > 0 && !p_.mem->copy_in(v.data(), mm::GuestAddr{addr}, v.size() * sizeof(abi::Iovec))) return ptr(addr);
    uint64_t remaining = output ? uint64_t(result_) : ~uint64_t{0};
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      if (i == kMaxArrayElements) {
        out += "...";
        break;
      }
      const uint64_t shown = std::min(v[i].iov_len, remaining);
      remaining -= shown;
      out += fmt::format("{{iov_base={}, iov_len={}}}", buffer(v[i].iov_base, shown), v[i].iov_len);
    }
    return out + "]";
  }

  std::string stat(uint64_t addr) {
    abi::Stat st{};
    if (!ok() || !read_guest(p_, addr, st)) return ptr(addr);
    static const Name kTypes[] = {{0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
                                  {0060000, "S_IFBLK"},  {0040000, "S_IFDIR"}, {0020000, "S_IFCHR"},
                                  {0010000, "S_IFIFO"}};
    const uint32_t type = st.st_mode & 0170000;
    std::string mode = value_name(type, kTypes, true) + "|" + octal_mode(st.st_mode);
    if (type == 0020000 || type == 0060000) {
      const uint64_t major = ((st.st_rdev >> 8) & 0xfff) | ((st.st_rdev >> 32) & ~uint64_t{0xfff});
      const uint64_t minor = (st.st_rdev & 0xff) | ((st.st_rdev >> 12) & ~uint64_t{0xff});
      return fmt::format("{{st_mode={}, st_rdev=makedev({}, {}), ...}}", mode, hex(major), hex(minor));
    }
    return fmt::format("{{st_mode={}, st_size={}, ...}}", mode, st.st_size);
  }

  std::string sigaction(uint64_t addr) {
    abi::Sigaction sa{};
    if (addr == 0 || !read_guest(p_, addr, sa)) return ptr(addr);
    std::string handler = sa.handler == 0 ? "SIG_DFL" : sa.handler == 1 ? "SIG_IGN" : hex(sa.handler);
    std::string out = fmt::format("{{sa_handler={}, sa_mask={}, sa_flags={}", handler, sigset_text(sa.mask),
                                  flag_names(sa.flags, kSaFlags));
    if (sa.flags & 0x04000000) out += fmt::format(", sa_restorer={}", hex(sa.restorer));
    return out + "}";
  }

  std::string sigset(uint64_t addr, bool output) {
    uint64_t set = 0;
    if (addr == 0 || (output && !ok()) || !read_guest(p_, addr, set)) return ptr(addr);
    return sigset_text(set);
  }

  std::string rlimit(uint64_t addr, bool output) {
    abi::Rlimit r{};
    if (addr == 0 || (output && !ok()) || !read_guest(p_, addr, r)) return ptr(addr);
    return fmt::format("{{rlim_cur={}, rlim_max={}}}", rlim_value(r.rlim_cur), rlim_value(r.rlim_max));
  }

  std::string timespec(uint64_t addr, bool output) {
    abi::Timespec t{};
    if (addr == 0 || (output && !ok()) || !read_guest(p_, addr, t)) return ptr(addr);
    return fmt::format("{{tv_sec={}, tv_nsec={}}}", t.tv_sec, t.tv_nsec);
  }

  std::string pipe(uint64_t addr) {
    int32_t fds[2];
    if (!ok() || !p_.mem->copy_in(fds, mm::GuestAddr{addr}, sizeof fds)) return ptr(addr);
    return fmt::format("[{}, {}]", fds[0], fds[1]);
  }

  std::string utsname(uint64_t addr) {
    abi::Utsname u{};
    if (!ok() || !read_guest(p_, addr, u)) return ptr(addr);
    auto field = [](const char* s, size_t n) { return quote_string(std::string_view(s, strnlen(s, n)), false); };
    return fmt::format("{{sysname={}, nodename={}, ...}}", field(u.sysname, 65), field(u.nodename, 65));
  }

  // The text of argument `i` of kind `kind`, or nullopt to leave it out.
  std::optional<std::string> arg(ArgKind kind, int i) {
    const uint64_t v = a_[size_t(i)];
    const uint64_t next = i < 5 ? a_[size_t(i + 1)] : 0;
    const uint64_t prev = i > 0 ? a_[size_t(i - 1)] : 0;
    switch (kind) {
      case ArgKind::None: return std::nullopt;
      case ArgKind::Int:
      case ArgKind::Fd: return fmt::format("{}", int32_t(v));
      case ArgKind::Long: return fmt::format("{}", int64_t(v));
      case ArgKind::UInt: return fmt::format("{}", v);
      case ArgKind::Hex: return hex(v);
      case ArgKind::Ptr: return ptr(v);
      case ArgKind::DirFd: return int32_t(v) == abi::kAtFdcwd ? std::string("AT_FDCWD") : fmt::format("{}", int32_t(v));
      case ArgKind::Path: return path(v);
      case ArgKind::InBuf: return buffer(v, next);
      case ArgKind::OutBuf: return ok() ? buffer(v, uint64_t(result_)) : ptr(v);
      case ArgKind::RandomOut: return ok() ? buffer(v, uint64_t(result_), true) : ptr(v);
      case ArgKind::InIovec: return iovecs(v, next, false);
      case ArgKind::OutIovec: return ok() ? iovecs(v, next, true) : ptr(v);
      case ArgKind::OpenFlags: return open_flags(v);
      case ArgKind::FdFlags: return flag_names(uint32_t(v), kOpenFlags);
      case ArgKind::OpenMode:
        if (!(prev & abi::kOCreat) && (prev & abi::kOTmpfile) != uint64_t(abi::kOTmpfile)) return std::nullopt;
        return octal_mode(v);
      case ArgKind::Mode: return octal_mode(v);
      case ArgKind::Prot: return flag_names(v, kProt, "PROT_NONE");
      case ArgKind::MmapFlags: return mmap_flags(v);
      case ArgKind::Whence: return value_name(int64_t(int32_t(v)), kWhence);
      case ArgKind::AtFlags: return flag_names(uint32_t(v), kAtFlags);
      case ArgKind::AccessMode: return flag_names(uint32_t(v), kAccessMode, "F_OK");
      case ArgKind::Signal: return signal_name(int32_t(v));
      case ArgKind::SigHow: return value_name(int32_t(v), kSigHow);
      case ArgKind::SigsetIn: return sigset(v, false);
      case ArgKind::SigsetOut: return sigset(v, true);
      case ArgKind::SigactionIn: return sigaction(v);
      case ArgKind::ArchPrctl: return value_name(int32_t(v), kArchPrctl, true);
      case ArgKind::FutexOp: return futex_op(uint32_t(v));
      case ArgKind::ClockId: return value_name(int32_t(v), kClocks);
      case ArgKind::IoctlReq: return value_name(uint32_t(v), kIoctls, true);
      case ArgKind::FcntlCmd: return value_name(int32_t(v), kFcntl);
      case ArgKind::FcntlArg:
        switch (int32_t(prev)) {
          case 1: case 3: case 9: case 1032: case 1034: return std::nullopt;  // F_GET*: no argument
          case 2: return uint32_t(v) == 1 ? std::string("FD_CLOEXEC") : fmt::format("{}", int32_t(v));
          case 4: return open_flags(v);
          case 5: case 6: case 7: case 36: case 37: case 38: return ptr(v);
          default: return fmt::format("{}", int32_t(v));
        }
      case ArgKind::Resource: return value_name(int32_t(v), kResources);
      case ArgKind::RlimitIn: return rlimit(v, false);
      case ArgKind::RlimitOut: return rlimit(v, true);
      case ArgKind::Madvice: return value_name(int32_t(v), kMadvice);
      case ArgKind::MremapFlags:  // strace's printflags64: unknown bits alone get a comment
        if (v != 0 && (v & 7) == 0) return fmt::format("{:#x} /* MREMAP_??? */", v);
        return flag_names(v, kMremapFlags);
      case ArgKind::MremapNewAddr:
        if ((prev & 3) != 3) return std::nullopt;  // strace: MREMAP_MAYMOVE|MREMAP_FIXED
        return ptr(v);
      case ArgKind::GrndFlags: return flag_names(uint32_t(v), kGrndFlags);
      case ArgKind::StatOut: return stat(v);
      case ArgKind::PipeOut: return pipe(v);
      case ArgKind::UtsnameOut: return utsname(v);
      case ArgKind::TimespecIn: return timespec(v, false);
      case ArgKind::TimespecOut: return timespec(v, true);
    }
    return hex(v);
  }

 private:
  Process& p_;
  const SyscallArgs& a_;
  int64_t result_;
};

std::string result_text(int64_t result, RetKind kind) {
  if (kind == RetKind::NoReturn) return "?";
  if (result < 0 && result >= -4095) {
    const int e = int(-result);
    const char* name = errno_name(e);
    const char* message = errno_message(e);
    if (!name) return fmt::format("-1 E{} (errno {})", e, e);
    return fmt::format("-1 {} ({})", name, message);
  }
  if (kind == RetKind::Hex) return fmt::format("{:#x}", uint64_t(result));
  return fmt::format("{}", result);
}

}  // namespace

std::string format_syscall(Process& p, uint64_t nr, const SyscallDesc* desc, const SyscallArgs& args, int64_t result) {
  Printer printer(p, args, result);
  std::string line;
  if (desc == nullptr || desc->handler == nullptr) {
    // Unknown or unimplemented: the raw arguments, as strace does for a number
    // it doesn't know.
    line = desc ? std::string(desc->name) : fmt::format("syscall_{:#x}", nr);
    line += fmt::format("({}, {}, {}, {}, {}, {})", hex(args[0]), hex(args[1]), hex(args[2]), hex(args[3]),
                        hex(args[4]), hex(args[5]));
    return line + " = " + result_text(result, RetKind::Int);
  }
  line = desc->name;
  line += '(';
  bool first = true;
  for (int i = 0; i < desc->nargs(); ++i) {
    auto text = printer.arg(desc->args[i], i);
    if (!text) continue;
    if (!first) line += ", ";
    line += *text;
    first = false;
  }
  line += ") = ";
  line += result_text(result, desc->ret);
  return line;
}

}  // namespace emu::syscalls
