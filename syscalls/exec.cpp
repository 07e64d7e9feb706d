// execve/execveat: see exec.h.
#include "syscalls/exec.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <vector>

#include "loader/executable.h"
#include "mm/host_fd.h"
#include "syscalls/handlers.h"
#include "syscalls/signal_host.h"

namespace emu::syscalls {

namespace {

// Linux's limits on execve arguments (include/uapi/linux/binfmts.h).
constexpr uint64_t kMaxArgStrlen = 32 * 4096;      // MAX_ARG_STRLEN, NUL included
constexpr uint64_t kMaxArgStrings = 0x7fffffff;    // MAX_ARG_STRINGS

// Counts a NULL-terminated guest array of string pointers (argv, envp) as
// the kernel's count() does: -EFAULT for an unreadable pointer, -E2BIG past
// MAX_ARG_STRINGS. A NULL array counts as empty.
int64_t count_strings(Process& p, uint64_t array, std::vector<uint64_t>& pointers) {
  if (array == 0) return 0;
  for (uint64_t i = 0;; ++i) {
    if (i >= kMaxArgStrings) return -E2BIG;
    uint64_t ptr = 0;
    if (!read_guest(p, array + 8 * i, ptr)) return -EFAULT;
    if (ptr == 0) return 0;
    pointers.push_back(ptr);
  }
}

// Copies the strings: -EFAULT for a bad one, -E2BIG for one longer than
// MAX_ARG_STRLEN (the kernel's copy_strings).
int64_t copy_strings(Process& p, const std::vector<uint64_t>& pointers, std::vector<std::string>& out) {
  for (uint64_t ptr : pointers) {
    std::string s;
    if (int64_t r = read_guest_string(p, ptr, kMaxArgStrlen, E2BIG, s); r < 0) return r;
    out.push_back(std::move(s));
  }
  return 0;
}

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The common part of execve and execveat. `host_path` is what the host
// opens; `name` is the name the guest gave (AT_EXECFN, the process name).
int64_t exec_program(Process& p, const std::string& host_path, const std::string& name, uint64_t argv_addr,
                     uint64_t envp_addr) {
  // Linux opens the file first (alloc_bprm), then counts and copies the
  // arguments, then looks at the contents.
  auto opened = loader::open_executable(host_path);
  if (auto* err = std::get_if<loader::LoadError>(&opened)) return -err->error;
  ::close(std::get<int>(opened));

  std::vector<uint64_t> argv_ptrs, envp_ptrs;
  if (int64_t r = count_strings(p, argv_addr, argv_ptrs); r < 0) return r;
  if (int64_t r = count_strings(p, envp_addr, envp_ptrs); r < 0) return r;
  loader::LoadOptions load;
  if (int64_t r = copy_strings(p, envp_ptrs, load.envp); r < 0) return r;
  if (int64_t r = copy_strings(p, argv_ptrs, load.argv); r < 0) return r;
  // Since Linux 5.18 an empty argv gets an empty argv[0].
  if (load.argv.empty()) load.argv.emplace_back();

  load.path = host_path;
  load.execfn = name;
  load.hwcap = p.hwcap;
  // The guest's RLIMIT_STACK (setrlimit changes it), which the driver set
  // from the host's at start.
  if (p.stack_limit != 0) load.stack_limit = p.stack_limit;

  mm::AddressSpaceConfig config;
  config.mem_limit = p.mem_limit;
  auto image = std::make_shared<ExecImage>();
  image->mem = std::make_unique<mm::AddressSpace>(config);
  auto loaded = loader::load_exec(*image->mem, load);
  if (auto* err = std::get_if<loader::LoadError>(&loaded)) {
    // The kernel would have run these; say why emu did not, as the loader
    // does for the program on emu's command line.
    if (err->native_would_run) std::fprintf(stderr, "emu: execve %s: %s\n", name.c_str(), err->reason.c_str());
    return -err->error;
  }
  image->program = std::get<loader::LoadedProgram>(loaded);
  image->exe_path = loader::resolved_exe_path(image->program.path);
  image->comm = basename_of(name).substr(0, 15);
  p.exec = std::move(image);
  // Past the point of no return, with the old memory still here: a vfork
  // parent gets the child's writes and runs again.
  release_vfork_parent(p);
  return 0;
}

}  // namespace

int64_t sys_execve(Process& p, const SyscallArgs& a) {
  std::string name;
  if (int64_t r = read_path(p, a[0], name); r < 0) return r;
  const std::string host_path = is_proc_self_exe(name) ? p.exe_path : name;
  return exec_program(p, host_path, name, a[1], a[2]);
}

// The file is dirfd + path, or dirfd itself with AT_EMPTY_PATH; the kernel
// names it "/dev/fd/N/path" (or "/dev/fd/N") unless the path is absolute
// or dirfd is AT_FDCWD, and so does AT_EXECFN here.
int64_t sys_execveat(Process& p, const SyscallArgs& a) {
  constexpr int kAtEmptyPath = 0x1000, kAtSymlinkNofollow = 0x100;
  const int dirfd = a.i32(0);
  const int flags = a.i32(4);
  // Linux's order: the name (EFAULT, ENAMETOOLONG; empty only with
  // AT_EMPTY_PATH), then the flags (EINVAL), then the file.
  std::string path;
  if (int64_t r = read_path(p, a[1], path); r < 0) return r;
  if (path.empty() && !(flags & kAtEmptyPath)) return -ENOENT;
  if (flags & ~(kAtEmptyPath | kAtSymlinkNofollow)) return -EINVAL;
  std::string name;
  std::string host_path;
  if (!path.empty() && (path[0] == '/' || dirfd == abi::kAtFdcwd)) {
    name = host_path = path;
  } else if (dirfd == abi::kAtFdcwd) {  // AT_EMPTY_PATH: the working directory itself (EACCES)
    name = host_path = ".";
  } else {
    if (::fcntl(dirfd, F_GETFD) < 0) return -EBADF;
    name = "/dev/fd/" + std::to_string(dirfd) + (path.empty() ? "" : "/" + path);
    host_path = "/proc/self/fd/" + std::to_string(dirfd) + (path.empty() ? "" : "/" + path);
  }
  if (flags & kAtSymlinkNofollow) {
    struct ::stat st {};
    if (::lstat(host_path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return -ELOOP;
  }
  if (is_proc_self_exe(host_path)) host_path = p.exe_path;
  return exec_program(p, host_path, name, a[2], a[3]);
}

void close_on_exec_descriptors() {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  std::vector<int> fds;
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      if (d->d_name[0] >= '0' && d->d_name[0] <= '9') fds.push_back(std::atoi(d->d_name));
      off += d->d_reclen;
    }
  }
  ::close(dir);
  for (int fd : fds) {
    if (fd == dir || mm::is_own_fd(fd)) continue;
    const int fl = ::fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC)) ::close(fd);
  }
}

void finish_exec(Process& p) {
  std::shared_ptr<ExecImage> image = std::move(p.exec);
  close_on_exec_descriptors();
  reset_signals_for_exec(p);
  p.clear_child_tid = 0;
  p.robust_list = p.robust_list_len = 0;
  p.exe_path = image->exe_path;
  set_process_name(image->comm);
}

void set_process_name(const std::string& path) {
  ::prctl(PR_SET_NAME, basename_of(path).substr(0, 15).c_str(), 0, 0, 0);
}

}  // namespace emu::syscalls
