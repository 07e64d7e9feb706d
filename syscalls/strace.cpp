#include "syscalls/strace.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <csignal>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "syscalls/abi.h"
#include "syscalls/ioctls.h"
#include "syscalls/strace_names.h"

namespace emu::syscalls {

using namespace strace_names;

namespace {

// strace's default -s: buffers print at most this many bytes.
constexpr size_t kMaxStringBytes = 32;
// Array arguments (iovecs) print at most this many elements.
constexpr size_t kMaxArrayElements = 32;

}  // namespace

std::string format_signal_delivery(const abi::Siginfo& info) {
  const int sig = info.si_signo;
  int32_t i32[4];
  uint64_t u64;
  std::memcpy(i32, info.fields, sizeof i32);
  std::memcpy(&u64, info.fields, sizeof u64);
  std::string out = fmt::format("--- {} {{si_signo={}, si_code={}", signal_name(sig), signal_name(sig),
                                si_code_name(sig, info.si_code));
  const bool sent = info.si_code <= 0;
  if (sig == SIGCHLD && !sent) {
    out += fmt::format(", si_pid={}, si_uid={}, si_status={}", i32[0], i32[1], i32[2]);
  } else if (sent) {
    out += fmt::format(", si_pid={}, si_uid={}", i32[0], i32[1]);
  } else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) {
    out += fmt::format(", si_addr={}", u64 ? fmt::format("{:#x}", u64) : std::string("NULL"));
  }
  return out + "} ---";
}

std::string format_killed_by(int sig) { return fmt::format("+++ killed by {} +++", signal_name(sig)); }

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
  Printer(Process& p, const SyscallArgs& a, int64_t result, const EntryArgs* entry = nullptr)
      : p_(p), a_(a), result_(result), entry_(entry) {}

  // Arguments printed as they were on entry (see EntryArgs): the captured
  // text, or the current memory.
  static bool prints_on_entry(ArgKind kind) {
    return kind == ArgKind::OffsetIn || kind == ArgKind::OffsetInOut || kind == ArgKind::TimeoutTv ||
           kind == ArgKind::TimeoutTs || kind == ArgKind::FdSetIn;
  }
  std::string entry_text(ArgKind kind, int i) {
    if (entry_ && !entry_->text[i].empty()) return entry_->text[i];
    const uint64_t v = a_[size_t(i)];
    switch (kind) {
      case ArgKind::OffsetIn:
      case ArgKind::OffsetInOut: return boxed<int64_t>(v, false);
      case ArgKind::TimeoutTv: return timeval(v, false);
      case ArgKind::TimeoutTs: return timespec(v, false);
      case ArgKind::FdSetIn: return fd_set(v, a_[0]);
      default: return hex(v);
    }
  }

  // [0 3]: the descriptors set in the first `nfds` bits.
  std::string fd_set(uint64_t addr, uint64_t nfds) {
    const int64_t n = std::clamp<int64_t>(int32_t(nfds), 0, abi::kFdSetSize);
    if (addr == 0) return "NULL";
    std::vector<uint64_t> bits(size_t((n + 63) / 64));
    if (!bits.empty() && !p_.mem->copy_in(bits.data(), mm::GuestAddr{addr}, bits.size() * 8)) return ptr(addr);
    std::string fds = "[";
    for (int64_t fd = 0; fd < n; ++fd)
      if (bits[size_t(fd / 64)] >> (fd % 64) & 1) fds += fmt::format("{}{}", fds.size() > 1 ? " " : "", fd);
    return fds + "]";
  }

  bool ok() const { return result_ >= 0; }

  // A guest buffer of `len` bytes as strace shows it, or its address.
  std::string buffer(uint64_t addr, uint64_t len, bool all_hex = false) {
    const size_t shown = size_t(std::min<uint64_t>(len, kMaxStringBytes));
    std::string bytes(shown, '\0');
    if (shown > 0 && !p_.mem->copy_in(bytes.data(), mm::GuestAddr{addr}, shown)) return ptr(addr);
    return quote_string(bytes, len > shown, all_hex);
  }

  // strace's argv: ["ls", "-l"], at most kMaxArrayElements strings.
  std::string string_array(uint64_t addr) {
    if (addr == 0) return "NULL";
    std::string out = "[";
    for (size_t i = 0;; ++i) {
      uint64_t sp = 0;
      if (!read_guest(p_, addr + 8 * i, sp)) return ptr(addr);
      if (sp == 0) break;
      if (i == kMaxArrayElements) {
        out += ", ...";
        break;
      }
      auto s = p_.mem->read_cstring(mm::GuestAddr{sp}, kMaxStringBytes);
      out += (i ? ", " : "") + (s ? quote_string(*s, false) : ptr(sp));
    }
    return out + "]";
  }

  // strace's envp: the address and how many variables.
  std::string string_count(uint64_t addr) {
    size_t n = 0;
    for (uint64_t sp = 1; addr != 0 && sp != 0; ++n)
      if (!read_guest(p_, addr + 8 * n, sp)) return ptr(addr);
    return fmt::format("{} /* {} var{} */", ptr(addr), n ? n - 1 : 0, n == 2 ? "" : "s");
  }

  std::string wait_status(uint64_t addr) {
    int32_t st = 0;
    if (!ok() || result_ == 0 || addr == 0 || !read_guest(p_, addr, st)) return ptr(addr);
    if (WIFEXITED(st)) return fmt::format("[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}]", WEXITSTATUS(st));
    if (WIFSIGNALED(st))
      return fmt::format("[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}]", signal_name(WTERMSIG(st)),
                         WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
    if (WIFSTOPPED(st)) return fmt::format("[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}]", signal_name(WSTOPSIG(st)));
    return fmt::format("[{:#x}]", st);
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
    const uint32_t type = st.st_mode & 0170000;
    std::string mode = value_name(type, kFileTypes, true) + "|" + octal_mode(st.st_mode);
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

  // [N]: an int (or `T`) the call reads or wrote.
  template <class T = int32_t>
  std::string boxed(uint64_t addr, bool output) {
    T v{};
    if (addr == 0 || (output && !ok()) || !read_guest(p_, addr, v)) return ptr(addr);
    return fmt::format("[{}]", v);
  }

  // The third ioctl argument (nullopt: the request takes none). Values the
  // call writes show only when it succeeded, else the address.
  std::optional<std::string> ioctl_arg(uint32_t request, uint64_t addr) {
    const IoctlDesc* d = find_ioctl(request);
    if (d == nullptr) return hex(addr);
    const bool out = d->arg == IoctlArg::IntOut || d->arg == IoctlArg::Int64Out || d->arg == IoctlArg::TermiosOut ||
                     d->arg == IoctlArg::Termios2Out || d->arg == IoctlArg::WinsizeOut;
    if (out && !ok()) return ptr(addr);
    switch (d->arg) {
      case IoctlArg::None: return std::nullopt;
      case IoctlArg::Direct: return fmt::format("{}", int32_t(addr));
      case IoctlArg::DirectFlags: return hex(addr);
      case IoctlArg::IntIn:
      case IoctlArg::IntOut: return boxed(addr, false);
      case IoctlArg::Int64Out: return boxed<int64_t>(addr, false);
      case IoctlArg::CharIn: return buffer(addr, 1);
      case IoctlArg::TermiosIn:
      case IoctlArg::TermiosOut:
      case IoctlArg::Termios2In:
      case IoctlArg::Termios2Out: {
        abi::Termios t{};
        if (!read_guest(p_, addr, t)) return ptr(addr);
        return termios_text(t);  // termios2's speeds follow, unprinted ("...")
      }
      case IoctlArg::WinsizeIn:
      case IoctlArg::WinsizeOut: {
        abi::Winsize w{};
        if (!read_guest(p_, addr, w)) return ptr(addr);
        return fmt::format("{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}", w.ws_row, w.ws_col, w.ws_xpixel,
                           w.ws_ypixel);
      }
    }
    return hex(addr);
  }

  std::string flock(uint64_t addr, bool getlk) {
    abi::Flock f{};
    if ((getlk && !ok()) || !read_guest(p_, addr, f)) return ptr(addr);
    std::string out = fmt::format("{{l_type={}, l_whence={}, l_start={}, l_len={}", value_name(f.l_type, kLockTypes),
                                  value_name(f.l_whence, kWhence), f.l_start, f.l_len);
    if (getlk) out += fmt::format(", l_pid={}", f.l_pid);
    return out + "}";
  }

  std::string pollfds(uint64_t addr, uint64_t count, bool revents) {
    if (count > (1u << 20)) return ptr(addr);
    std::vector<abi::Pollfd> v(static_cast<size_t>(count));
    if (count > 0 && !p_.mem->copy_in(v.data(), mm::GuestAddr{addr}, v.size() * sizeof(abi::Pollfd))) return ptr(addr);
    std::string out = "[";
    size_t shown = 0;
    for (const abi::Pollfd& f : v) {
      const uint16_t bits = uint16_t(revents ? f.revents : f.events);
      if (revents && bits == 0) continue;
      if (shown > 0) out += ", ";
      if (shown++ == kMaxArrayElements) {
        out += "...";
        break;
      }
      out += fmt::format("{{fd={}, {}={}}}", f.fd, revents ? "revents" : "events", flag_names(bits, kPollEvents));
    }
    return out + "]";
  }

  std::string timeval(uint64_t addr, bool output) {
    abi::Timeval t{};
    if (addr == 0 || (output && !ok()) || !read_guest(p_, addr, t)) return ptr(addr);
    return fmt::format("{{tv_sec={}, tv_usec={}}}", t.tv_sec, t.tv_usec);
  }

  std::string sigset_pack(uint64_t addr) {
    abi::SigsetArg pack{};
    if (addr == 0 || !read_guest(p_, addr, pack)) return ptr(addr);
    return fmt::format("{{sigmask={}, sigsetsize={}}}", sigset(pack.ss, false), pack.ss_len);
  }

  std::string statx(uint64_t addr) {
    abi::Statx st{};
    if (!ok() || !read_guest(p_, addr, st)) return ptr(addr);
    return fmt::format("{{stx_mask={}, stx_attributes={}, stx_mode={}, stx_size={}, ...}}",
                       flag_names(st.stx_mask, kStatxMask), flag_names(st.stx_attributes, kStatxAttrs),
                       file_mode(st.stx_mode), st.stx_size);
  }

  // " ([{fd=0, revents=POLLIN}])", " (Timeout)", with the time left when
  // there is a timeout argument at `timeout_arg` (-1: none).
  std::string poll_suffix(int timeout_arg, bool timespec_left) {
    if (!ok()) return "";
    if (result_ == 0) return " (Timeout)";
    std::string out = " (" + pollfds(a_[0], a_[1], true);
    if (timeout_arg >= 0 && a_[size_t(timeout_arg)] != 0) {
      const uint64_t left = a_[size_t(timeout_arg)];
      out += ", left " + (timespec_left ? timespec(left, true) : timeval(left, true));
    }
    return out + ")";
  }

  // " (in [0 3], out [1], left {...})" from the sets the call left.
  std::string select_suffix(bool timespec_left) {
    if (!ok()) return "";
    if (result_ == 0) return " (Timeout)";
    const int64_t n = std::clamp<int64_t>(int32_t(a_[0]), 0, abi::kFdSetSize);
    static const char* const kNames[] = {"in", "out", "except"};
    std::string out;
    for (int i = 0; i < 3; ++i) {
      const uint64_t addr = a_[size_t(1 + i)];
      if (addr == 0 || n == 0) continue;
      const std::string fds = fd_set(addr, uint64_t(n));
      if (fds == "[]" || fds.front() != '[') continue;
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", kNames[i], fds);
    }
    if (a_[4] != 0) out += fmt::format("{}left {}", out.empty() ? "" : ", ",
                                       timespec_left ? timespec(a_[4], true) : timeval(a_[4], true));
    return " (" + out + ")";
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
      case ArgKind::IoctlReq: {
        const IoctlDesc* d = find_ioctl(uint32_t(v));
        return d ? std::string(d->name) : fmt::format("{:#x}", uint32_t(v));
      }
      case ArgKind::FcntlCmd: return value_name(int32_t(v), kFcntl);
      case ArgKind::FcntlArg:
        switch (int32_t(prev)) {
          case 1: case 3: case 9: case 1032: case 1034: return std::nullopt;  // F_GET*: no argument
          case 2: return uint32_t(v) == 1 ? std::string("FD_CLOEXEC") : fmt::format("{}", int32_t(v));
          case 4: return open_flags(v);
          case 5: case 36: return flock(v, true);                      // F_GETLK, F_OFD_GETLK
          case 6: case 7: case 37: case 38: return flock(v, false);
          case 15: case 16: return ptr(v);                              // F_GETOWN_EX, F_SETOWN_EX
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
      case ArgKind::Skip: return std::nullopt;
      case ArgKind::IoctlArg: return ioctl_arg(uint32_t(prev), v);
      case ArgKind::RwfFlags: return flag_names(uint32_t(v), kRwfFlags);
      case ArgKind::OffsetIn:
      case ArgKind::TimeoutTv:
      case ArgKind::TimeoutTs:
      case ArgKind::FdSetIn: return entry_text(kind, i);
      case ArgKind::OffsetInOut:  // strace: "[2] => [5]" once the call succeeded
        return entry_text(kind, i) + (ok() && v != 0 ? " => " + boxed<int64_t>(v, false) : "");
      case ArgKind::FallocMode: return flag_names(uint32_t(v), kFallocFlags);
      case ArgKind::FlockOp: return flag_names(uint32_t(v), kFlockOps);
      case ArgKind::RenameFlags: return flag_names(uint32_t(v), kRenameFlags);
      case ArgKind::CloneFlags: {
        const std::string sig = (v & 0xff) ? signal_name(int(v & 0xff)) : "";
        const std::string rest = (v & ~uint64_t{0xff}) ? flag_names(v & ~uint64_t{0xff}, kCloneFlags) : "";
        return rest.empty() ? (sig.empty() ? "0" : sig) : sig.empty() ? rest : rest + "|" + sig;
      }
      case ArgKind::Argv: return string_array(v);
      case ArgKind::Envp: return string_count(v);
      case ArgKind::WaitStatusOut: return wait_status(v);
      case ArgKind::WaitOptions: return flag_names(uint32_t(v), kWaitOptions);
      case ArgKind::IdType: return value_name(int32_t(v), kIdTypes);
      case ArgKind::PollFds: return pollfds(v, uint32_t(next), false);
      case ArgKind::SigsetPack: return sigset_pack(v);
      case ArgKind::StatxFlags: {
        static const char* const kSync[] = {"AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC", "AT_STATX_DONT_SYNC",
                                            "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC"};
        const uint32_t rest = uint32_t(v) & ~0x6000u;
        return std::string(kSync[(v >> 13) & 3]) + (rest ? "|" + flag_names(rest, kAtFlags) : "");
      }
      case ArgKind::StatxMask: return flag_names(uint32_t(v), kStatxMask);
      case ArgKind::StatxOut: return statx(v);
      case ArgKind::NodeMode: return file_mode(uint32_t(v));
      case ArgKind::NodeDev: {
        const uint32_t type = uint32_t(prev) & 0170000;
        if (type != 0020000 && type != 0060000) return std::nullopt;
        const uint32_t dev = uint32_t(v);  // the old 32-bit encoding: major 12 bits, minor 20
        return fmt::format("makedev({}, {})", hex((dev >> 8) & 0xfff), hex((dev & 0xff) | ((dev >> 12) & 0xfff00)));
      }
    }
    return hex(v);
  }

 private:
  Process& p_;
  const SyscallArgs& a_;
  int64_t result_;
  const EntryArgs* entry_;
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
  // Int, and Poll/Select (whose suffix format_syscall adds).
  return fmt::format("{}", result);
}

}  // namespace

std::optional<EntryArgs> capture_entry_args(Process& p, const SyscallDesc* desc, const SyscallArgs& args) {
  if (desc == nullptr || desc->handler == nullptr) return std::nullopt;
  std::optional<EntryArgs> entry;
  Printer printer(p, args, 0);
  for (int i = 0; i < desc->nargs(); ++i) {
    if (!Printer::prints_on_entry(desc->args[i])) continue;
    if (!entry) entry.emplace();
    entry->text[i] = printer.entry_text(desc->args[i], i);
  }
  return entry;
}

std::string format_syscall(Process& p, uint64_t nr, const SyscallDesc* desc, const SyscallArgs& args, int64_t result,
                           const EntryArgs* entry) {
  Printer printer(p, args, result, entry);
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
  if (desc->ret == RetKind::Poll) line += printer.poll_suffix(nr == 271 ? 2 : -1, true);  // ppoll's time left
  if (desc->ret == RetKind::Select) line += printer.select_suffix(nr == 270);               // pselect6: timespec
  return line;
}

void strace_line(const Process& p, const std::string& line) {
  if (!p.strace || !p.strace_out) return;
  if (p.forked_child)
    std::fprintf(p.strace_out, "[pid %5d] %s\n", int(::getpid()), line.c_str());
  else
    std::fprintf(p.strace_out, "%s\n", line.c_str());
}

}  // namespace emu::syscalls
