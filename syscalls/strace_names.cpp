#include "syscalls/strace_names.h"

#include <csignal>

namespace emu::syscalls::strace_names {
namespace {

const char* const kSignalNames[] = {nullptr, "HUP",  "INT",  "QUIT", "ILL",  "TRAP", "ABRT",   "BUS",
                                    "FPE",   "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",   "TERM",
                                    "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",  "URG",
                                    "XCPU",  "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",   "SYS"};

}  // namespace

std::string hex(uint64_t v) { return v == 0 ? "0" : fmt::format("{:#x}", v); }

std::string ptr(uint64_t v) { return v == 0 ? "NULL" : fmt::format("{:#x}", v); }

std::string open_flags(uint64_t v) {
  static const char* const kAccess[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
  std::string out = kAccess[v & 3];
  const uint64_t rest = v & ~uint64_t{3} & 0xffffffff;
  if (rest) out += "|" + flag_names(rest, kOpenFlags);
  return out;
}

std::string octal_mode(uint64_t v) { return fmt::format("0{:02o}", v & 07777); }

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

std::string si_code_name(int sig, int code) {
  switch (code) {
    case 0: return "SI_USER";
    case 0x80: return "SI_KERNEL";
    case -1: return "SI_QUEUE";
    case -2: return "SI_TIMER";
    case -3: return "SI_MESGQ";
    case -4: return "SI_ASYNCIO";
    case -5: return "SI_SIGIO";
    case -6: return "SI_TKILL";
    default: break;
  }
  static const char* const kSegv[] = {nullptr, "SEGV_MAPERR", "SEGV_ACCERR"};
  static const char* const kBus[] = {nullptr, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"};
  static const char* const kIll[] = {nullptr, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
                                     "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"};
  static const char* const kFpe[] = {nullptr, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
                                     "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"};
  static const char* const kTrap[] = {nullptr, "TRAP_BRKPT", "TRAP_TRACE"};
  static const char* const kChld[] = {nullptr, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
                                      "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
  auto pick = [&](const auto& names) -> std::string {
    if (code > 0 && size_t(code) < std::size(names)) return names[code];
    return fmt::format("{}", code);
  };
  switch (sig) {
    case SIGSEGV: return pick(kSegv);
    case SIGBUS: return pick(kBus);
    case SIGILL: return pick(kIll);
    case SIGFPE: return pick(kFpe);
    case SIGTRAP: return pick(kTrap);
    case SIGCHLD: return pick(kChld);
    default: return fmt::format("{}", code);
  }
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

std::string file_mode(uint32_t mode) {
  const uint32_t type = mode & 0170000;
  if (type == 0) return octal_mode(mode);
  return value_name(type, kFileTypes, true) + "|" + octal_mode(mode);
}

std::string baud_name(uint32_t cflag) {
  static const char* const kLow[] = {"B0",   "B50",  "B75",  "B110",  "B134",  "B150",  "B200",   "B300",
                                     "B600", "B1200", "B1800", "B2400", "B4800", "B9600", "B19200", "B38400"};
  static const char* const kHigh[] = {"BOTHER",   "B57600",   "B115200",  "B230400",  "B460800",  "B500000",
                                      "B576000",  "B921600",  "B1000000", "B1152000", "B1500000", "B2000000",
                                      "B2500000", "B3000000", "B3500000", "B4000000"};
  const uint32_t cbaud = cflag & 010017;
  return (cbaud & 010000) ? kHigh[cbaud & 017] : kLow[cbaud & 017];
}

std::string termios_oflag(uint32_t v) {
  const std::string delays =
      fmt::format("NL{}|CR{}|TAB{}|BS{}|VT{}|FF{}", (v >> 8) & 1, (v >> 9) & 3, (v >> 11) & 3, (v >> 13) & 1,
                  (v >> 14) & 1, (v >> 15) & 1);
  return delays + "|" + flag_names(v & ~uint32_t{0177400}, kTermOflags);
}

std::string termios_cflag(uint32_t v) {
  constexpr uint32_t kCbaud = 010017, kCibaud = kCbaud << 16, kCsize = 060;
  std::string out = baud_name(v) + "|";
  if (v & kCibaud) out += "(" + baud_name((v & kCibaud) >> 16) + "<<IBSHIFT)|";
  out += fmt::format("CS{}|", 5 + ((v & kCsize) >> 4));
  return out + flag_names(v & ~(kCbaud | kCibaud | kCsize), kTermCflags);
}

std::string termios_text(const abi::Termios& t) {
  return fmt::format("{{c_iflag={}, c_oflag={}, c_cflag={}, c_lflag={}, ...}}", flag_names(t.c_iflag, kTermIflags),
                     termios_oflag(t.c_oflag), termios_cflag(t.c_cflag), flag_names(t.c_lflag, kTermLflags));
}

std::string rlim_value(uint64_t v) {
  if (v == abi::kRlimInfinity) return "RLIM64_INFINITY";
  if (v > 0 && v % 1024 == 0) return fmt::format("{}*1024", v / 1024);
  return fmt::format("{}", v);
}

}  // namespace emu::syscalls::strace_names
