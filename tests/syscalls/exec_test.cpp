// execve, fork and wait4 through dispatch(): execve's errors in Linux's
// order with nothing changed, a loaded image on success; a forked child
// exiting with a status its parent collects.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mm/host_fd.h"
#include <fmt/format.h>

#include "syscall_test_util.h"
#include "syscalls/exec.h"

using namespace syscalls_test;

namespace {

constexpr uint64_t kFork = 57, kExecve = 59, kWait4 = 61;

// Guest argv: pointers at `offset`, strings after them.
uint64_t put_argv(Guest& g, const std::vector<std::string>& args, uint64_t offset) {
  std::vector<uint64_t> ptrs;
  uint64_t at = offset + 8 * (args.size() + 1);
  for (const auto& a : args) {
    ptrs.push_back(g.put_str(a, at));
    at += a.size() + 1;
  }
  ptrs.push_back(0);
  return g.put(ptrs.data(), ptrs.size() * 8, offset);
}

struct TempFile {
  std::string path;
  TempFile(const std::string& text, mode_t mode) {
    char tmpl[] = "/tmp/emu-exec-test-XXXXXX";
    int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == ssize_t(text.size()));
    ::close(fd);
    ::chmod(tmpl, mode);
    path = tmpl;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

}  // namespace

TEST_CASE("execve reports path, open, argument and format errors in Linux's order, changing nothing") {
  Guest g;
  const uint64_t argv = put_argv(g, {"prog"}, 4096);
  const uint64_t bad = 8;
  CHECK(g.call(kExecve, bad, argv, 0) == -EFAULT);                               // the path itself
  CHECK(g.call(kExecve, g.put_str("/nonexistent/x"), bad, 0) == -ENOENT);       // open before argv
  TempFile text("just text\n", 0644);
  CHECK(g.call(kExecve, g.put_str(text.path), argv, 0) == -EACCES);             // no execute permission
  CHECK(g.call(kExecve, g.put_str("/tmp"), argv, 0) == -EACCES);                // a directory
  TempFile garbage("just text\n", 0755);
  CHECK(g.call(kExecve, g.put_str(garbage.path), bad, 0) == -EFAULT);           // argv before the format
  CHECK(g.call(kExecve, g.put_str(garbage.path), argv, bad) == -EFAULT);        // envp too
  CHECK(g.call(kExecve, g.put_str(garbage.path), argv, 0) == -ENOEXEC);
  const uint64_t bad_string = g.put(std::vector<uint64_t>{g.put_str("ok", 8192), bad, 0}.data(), 24, 12288);
  CHECK(g.call(kExecve, g.put_str(garbage.path), bad_string, 0) == -EFAULT);
  TempFile loop("#!" + std::string("/tmp/emu-exec-loop-x") + "\n", 0755);
  TempFile self_script("", 0755);
  {
    int fd = ::open(self_script.path.c_str(), O_WRONLY | O_TRUNC);
    std::string line = "#!" + self_script.path + "\n";
    REQUIRE(::write(fd, line.data(), line.size()) == ssize_t(line.size()));
    ::close(fd);
  }
  CHECK(g.call(kExecve, g.put_str(self_script.path), argv, 0) == -ELOOP);
  CHECK(g.call(kExecve, g.put_str(loop.path), argv, 0) == -ENOENT);             // missing interpreter
  TempFile bare("#!", 0755);
  CHECK(g.call(kExecve, g.put_str(bare.path), argv, 0) == -EACCES);             // the empty interpreter
  CHECK_FALSE(g.process.exec);
}

TEST_CASE("a successful execve leaves the loaded program for the driver, argv on its stack") {
  Guest g;
  const uint64_t argv = put_argv(g, {"busybox", "echo", "hi"}, 4096);
  const uint64_t envp = put_argv(g, {"A=1"}, 8192);
  g.process.stack_limit = 8 << 20;
  REQUIRE(g.call(kExecve, g.put_str("/bin/busybox"), argv, envp) == 0);
  REQUIRE(g.process.exec);
  const auto& image = *g.process.exec;
  char real[4096];
  REQUIRE(::realpath("/bin/busybox", real));
  CHECK(image.exe_path == real);  // /proc/self/exe resolves links: /usr/bin/busybox on merged-/usr systems
  CHECK(image.comm == "busybox");
  uint64_t argc = 0;
  REQUIRE(image.mem->copy_in(&argc, mm::GuestAddr{image.program.stack_pointer}, 8));
  CHECK(argc == 3);
  uint64_t argv1 = 0;
  REQUIRE(image.mem->copy_in(&argv1, mm::GuestAddr{image.program.stack_pointer + 16}, 8));
  CHECK(image.mem->read_cstring(mm::GuestAddr{argv1}, 16) == std::optional<std::string>("echo"));
  // The caller's memory is untouched until the driver switches.
  CHECK(g.get(g.scratch + 4096 + 32, 8).substr(0, 7) == "busybox");
}

TEST_CASE("a #! script execs its interpreter with the script's path as an argument") {
  Guest g;
  TempFile script("#!/bin/busybox sh -x\necho\n", 0755);
  REQUIRE(g.call(kExecve, g.put_str(script.path), put_argv(g, {"name", "arg1"}, 4096), 0) == 0);
  const auto& image = *g.process.exec;
  CHECK(image.program.path == "/bin/busybox");
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    uint64_t p = 0;
    REQUIRE(image.mem->copy_in(&p, mm::GuestAddr{image.program.stack_pointer + 8 + 8 * i}, 8));
    seen.push_back(p ? *image.mem->read_cstring(mm::GuestAddr{p}, 4096) : "NULL");
  }
  CHECK(seen == std::vector<std::string>{"/bin/busybox", "sh -x", script.path, "arg1", "NULL"});
}

TEST_CASE("the close-on-exec sweep closes the guest's marked descriptors and keeps emu's own") {
  const int plain = ::open("/dev/null", O_RDONLY);
  const int marked = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int own = mm::move_fd_high(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  REQUIRE(mm::is_own_fd(own));
  syscalls::close_on_exec_descriptors();
  CHECK(::fcntl(plain, F_GETFD) >= 0);
  CHECK(::fcntl(marked, F_GETFD) < 0);
  CHECK(::fcntl(own, F_GETFD) >= 0);
  ::close(plain);
  mm::close_own_fd(own);
  CHECK_FALSE(mm::is_own_fd(own));
}

TEST_CASE("fork returns the child's pid to the parent and 0 to the child, whose exit status wait4 collects") {
  Guest g;
  std::fflush(nullptr);
  const int64_t pid = g.call(kFork);
  if (pid == 0) {
    // The child: the guest would exit with 42; a copy of guest memory is its own.
    ::_exit(g.process.forked_child && g.process.fork_pending ? 42 : 1);
  }
  REQUIRE(pid > 0);
  CHECK_FALSE(g.process.forked_child);
  const uint64_t status_at = g.scratch + 100;
  CHECK(g.call(kWait4, uint64_t(pid), status_at, 0, 0) == pid);
  const int status = g.get_as<int32_t>(status_at);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
  CHECK(g.call(kWait4, uint64_t(-1), status_at, 0, 0) == -ECHILD);
}

TEST_CASE("strace prints execve's argv and environment count, clone's flags and wait4's status") {
  Guest g;
  StraceCapture cap(g);
  const uint64_t argv = put_argv(g, {"prog", "two words"}, 4096);
  const uint64_t envp = put_argv(g, {"A=1", "B=2"}, 8192);
  const uint64_t path = g.put_str("/nonexistent/prog", 12288);
  g.call(kExecve, path, argv, envp);
  CHECK(cap.take() == fmt::format("execve(\"/nonexistent/prog\", [\"prog\", \"two words\"], {:#x} /* 2 vars */) = -1 "
                                  "ENOENT (No such file or directory)\n",
                                  envp));
  constexpr uint64_t kClone = 56;
  g.call(kClone, 0x10000 | 0x800 | 17, 0, 0, 0, 0);  // CLONE_THREAD|CLONE_SIGHAND without CLONE_VM
  CHECK(cap.take() == "clone(CLONE_SIGHAND|CLONE_THREAD|SIGCHLD, NULL, NULL, NULL, NULL) = -1 EINVAL (Invalid argument)\n");
  std::fflush(nullptr);
  const int64_t pid = g.call(kFork);
  if (pid == 0) ::_exit(3);
  cap.take();
  g.call(kWait4, uint64_t(pid), g.scratch + 64, 0, 0);
  CHECK(cap.take() == fmt::format("wait4({}, [{{WIFEXITED(s) && WEXITSTATUS(s) == 3}}], 0, NULL) = {}\n", pid, pid));
}
