// The /proc/self files whose host answer would describe the emulator instead
// of the guest: /proc/self/maps is generated from the guest's region tree,
// /proc/self/exe names the guest's executable, and /proc/self/fd lists the
// guest's descriptors without emu's own. The files that would reach an
// emulator's host memory (/proc/PID/mem, pagemap, map_files) are refused.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <climits>
#include <cstring>
#include <optional>
#include <string_view>

#include "mm/host_fd.h"
#include "syscalls/abi.h"
#include "syscalls/handlers.h"

namespace emu::syscalls {

namespace {

bool parse_id(std::string_view s, long& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

enum class Whose { Ours, Any };

// For "/proc/WHO/NAME" and "/proc/PID/task/TID/NAME": NAME, where WHO is
// self, thread-self or a PID. With Whose::Ours the PID and TID must be our
// own; with Whose::Any, any numbers. Otherwise nullopt.
std::optional<std::string_view> proc_pid_entry(std::string_view path, Whose whose) {
  constexpr std::string_view kProc = "/proc/";
  if (!path.starts_with(kProc)) return std::nullopt;
  path.remove_prefix(kProc.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view who = path.substr(0, slash);
  std::string_view rest = path.substr(slash + 1);
  long id = 0;
  if (who == "self" || who == "thread-self") return rest;
  if (!parse_id(who, id) || (whose == Whose::Ours && id != ::getpid())) return std::nullopt;
  if (rest.starts_with("task/")) {
    rest.remove_prefix(5);
    const size_t s2 = rest.find('/');
    if (s2 == std::string_view::npos || !parse_id(rest.substr(0, s2), id) || (whose == Whose::Ours && id != ::gettid()))
      return std::nullopt;
    rest.remove_prefix(s2 + 1);
  }
  return rest;
}

// For "/proc/self/NAME", "/proc/thread-self/NAME", "/proc/<our pid>/NAME" and
// "/proc/<our pid>/task/<our tid>/NAME": NAME. Otherwise nullopt.
std::optional<std::string_view> proc_self_entry(std::string_view path) { return proc_pid_entry(path, Whose::Ours); }

// What host descriptor `fd` names (its /proc/self/fd link), in `target`;
// empty when unreadable.
std::string_view fd_link(int fd, char (&target)[PATH_MAX]) {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, target, sizeof target - 1);
  return n > 0 ? std::string_view(target, size_t(n)) : std::string_view();
}

// A read-only descriptor whose contents are `text`: written to a memfd, then
// reopened read-only through /proc/self/fd so the guest can't write to it.
int64_t open_text_file(const std::string& text, int flags) {
  if ((flags & abi::kOAccmode) != 0) return -EACCES;  // the real file is 0444
  if (flags & abi::kODirectory) return -ENOTDIR;
  if (flags & abi::kODirect) return -EINVAL;  // procfs files cannot do direct I/O
  int mfd = ::memfd_create("emu-proc", MFD_CLOEXEC);
  if (mfd < 0) return host_result(-1);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = ::write(mfd, text.data() + done, text.size() - done);
    if (w <= 0) {
      ::close(mfd);
      return -EIO;
    }
    done += size_t(w);
  }
  const std::string self = "/proc/self/fd/" + std::to_string(mfd);
  int fd = ::open(self.c_str(), O_RDONLY | (flags & abi::kOCloexec));
  int64_t r = host_result(fd);
  ::close(mfd);
  return r;
}

}  // namespace

bool opens_host_memory(int fd) {
  char target[PATH_MAX];
  // Any PID: a guest's child runs in an emulator of its own, whose memory is
  // no more the guest's than ours is.
  auto entry = proc_pid_entry(fd_link(fd, target), Whose::Any);
  return entry && (*entry == "mem" || *entry == "pagemap" || *entry == "map_files" || entry->starts_with("map_files/"));
}

bool is_proc_self_exe(const std::string& path) {
  auto entry = proc_self_entry(path);
  return entry && *entry == "exe";
}

int64_t open_emulated_proc_file(Process& p, const std::string& path, int flags, bool& handled) {
  handled = false;
  auto entry = proc_self_entry(path);
  if (!entry) return 0;
  if (*entry == "maps") {
    handled = true;
    return open_text_file(p.mem->proc_maps(), flags);
  }
  if (*entry == "exe") {
    handled = true;
    // A symbolic link: not followed with O_NOFOLLOW (ELOOP; with O_PATH,
    // the link itself).
    if (flags & abi::kONofollow) {
      if (!(flags & abi::kOPath)) return -ELOOP;
      return host_result(::open("/proc/self/exe", flags & ~(abi::kOCreat), 0));
    }
    return host_result(::open(p.exe_path.c_str(), flags & ~(abi::kOCreat), 0));
  }
  return 0;
}

bool lists_own_descriptors(int dir_fd) {
  char target[PATH_MAX];
  auto entry = proc_self_entry(fd_link(dir_fd, target));
  return entry && *entry == "fd";
}

size_t drop_own_descriptor_entries(char* records, size_t bytes) {
  size_t kept = 0;
  for (size_t at = 0; at < bytes;) {
    const auto* d = reinterpret_cast<const struct dirent64*>(records + at);
    const uint16_t reclen = d->d_reclen;
    const char* name = d->d_name;
    long fd = -1;
    const bool own = parse_id(name, fd) && mm::is_own_fd(int(fd));
    if (!own) {
      if (kept != at) std::memmove(records + kept, records + at, reclen);
      kept += reclen;
    }
    at += reclen;
  }
  return kept;
}

}  // namespace emu::syscalls
