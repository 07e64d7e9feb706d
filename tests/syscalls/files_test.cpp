// Descriptor and file-system calls driven through dispatch(): data moves
// between host descriptors and guest memory, and bad pointers are EFAULT.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <vector>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;


TEST_CASE("write_to_a_pipe_from_guest_memory", "[syscalls]") {
  Guest g;
  const uint64_t fds_addr = g.scratch + 0x1000;
  REQUIRE(g.call(kPipe2, fds_addr, O_CLOEXEC) == 0);
  const auto fds = g.get_as<std::array<int32_t, 2>>(fds_addr);
  CHECK((::fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
  const uint64_t buf = g.put_str("hello, pipe");
  CHECK(g.call(kWrite, uint64_t(fds[1]), buf, 11) == 11);
  char got[32] = {};
  CHECK(::read(fds[0], got, sizeof got) == 11);
  CHECK(std::string(got) == "hello, pipe");
  CHECK(g.call(kClose, uint64_t(fds[0])) == 0);
  CHECK(g.call(kClose, uint64_t(fds[1])) == 0);
  CHECK(g.call(kClose, uint64_t(fds[1])) == -EBADF);
}

TEST_CASE("read_from_a_pipe_into_guest_memory", "[syscalls]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "data for the guest", 18) == 18);
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), g.scratch + 100, 4096) == 18);
  CHECK(g.get(g.scratch + 100, 18) == "data for the guest");
}

TEST_CASE("a_transfer_spanning_many_pages_moves_every_byte", "[syscalls]") {
  Guest g;
  char path[] = "/tmp/emu-syscalls-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  std::vector<uint8_t> data(40000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  g.put(data.data(), data.size(), 123);
  CHECK(g.call(kWrite, uint64_t(fd), g.scratch + 123, data.size()) == int64_t(data.size()));
  CHECK(g.call(kLseek, uint64_t(fd), 0, SEEK_SET) == 0);
  CHECK(g.call(kRead, uint64_t(fd), g.scratch + 20000, 40000) == 40000);
  CHECK(g.get(g.scratch + 20000, 40000) == std::string(data.begin(), data.end()));
  ::close(fd);
}

TEST_CASE("readv_and_writev_scatter_and_gather", "[syscalls]") {
  Guest g;
  HostPipe pipe;
  const uint64_t a = g.put_str("abc", 0), b = g.put_str("defgh", 16);
  const emu::syscalls::abi::Iovec out[2] = {{a, 3}, {b, 5}};
  const uint64_t iov = g.put(out, sizeof out, 64);
  CHECK(g.call(kWritev, uint64_t(pipe.fds[1]), iov, 2) == 8);
  const emu::syscalls::abi::Iovec in[2] = {{g.scratch + 200, 2}, {g.scratch + 300, 10}};
  const uint64_t iov_in = g.put(in, sizeof in, 128);
  CHECK(g.call(kReadv, uint64_t(pipe.fds[0]), iov_in, 2) == 8);
  CHECK(g.get(g.scratch + 200, 2) == "ab");
  CHECK(g.get(g.scratch + 300, 6) == "cdefgh");
  CHECK(g.call(kWritev, uint64_t(pipe.fds[1]), iov, 1025) == -EINVAL);
  CHECK(g.call(kWritev, uint64_t(pipe.fds[1]), 0x1000, 2) == -EFAULT);
}

TEST_CASE("bad_guest_pointers_are_efault", "[syscalls]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "xyz", 3) == 3);
  // Unmapped.
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), 0x1000, 5) == -EFAULT);
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), 0x1000, 5) == -EFAULT);
  // PROT_NONE.
  const int64_t none = g.call(kMmap, 0, 4096, kProtNone, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  REQUIRE(none > 0);
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), uint64_t(none), 5) == -EFAULT);
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), uint64_t(none), 5) == -EFAULT);
  // Read-only destination.
  const int64_t ro = g.call(kMmap, 0, 4096, kProtRead, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  REQUIRE(ro > 0);
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), uint64_t(ro), 3) == -EFAULT);
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), uint64_t(ro), 3) == 3);  // reading from it is fine
  // A buffer that runs off the end of the mapping.
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), g.scratch + 65536 - 2, 16) == -EFAULT);
  // The descriptor is checked before the buffer, as in Linux.
  CHECK(g.call(kWrite, uint64_t(-1), 0x1000, 5) == -EBADF);
  CHECK(g.call(kRead, 9999, 0x1000, 5) == -EBADF);
  // Structures written by the kernel.
  CHECK(g.call(kFstat, 0, 0x1000) == -EFAULT);
  CHECK(g.call(kPipe2, uint64_t(ro), 0) == -EFAULT);
  CHECK(g.call(kUname, uint64_t(ro)) == -EFAULT);
  CHECK(g.call(kClockGettime, 1, 0x1000) == -EFAULT);
  // Zero-length transfers touch no memory.
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), 0x1000, 0) == 0);
}

TEST_CASE("paths_are_read_like_getname", "[syscalls]") {
  Guest g;
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), 0x1000, O_RDONLY) == -EFAULT);
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), g.put_str("/nonexistent/x"), O_RDONLY) == -ENOENT);
  const std::string long_path(5000, 'a');
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), g.put_str(long_path), O_RDONLY) == -ENAMETOOLONG);
  // A path whose bytes run into unmapped memory before any NUL.
  std::string tail(10, 'b');
  g.put(tail.data(), tail.size(), 65536 - 10);
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), g.scratch + 65536 - 10, O_RDONLY) == -EFAULT);
}

TEST_CASE("open_fstat_read_close_a_real_file", "[syscalls]") {
  Guest g;
  const int64_t fd = g.call(kOpen, g.put_str("/bin/busybox"), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const uint64_t st_addr = g.scratch + 0x2000;
  CHECK(g.call(kFstat, uint64_t(fd), st_addr) == 0);
  struct ::stat host {};
  REQUIRE(::stat("/bin/busybox", &host) == 0);
  const auto st = g.get_as<emu::syscalls::abi::Stat>(st_addr);
  CHECK(st.st_size == host.st_size);
  CHECK(st.st_ino == host.st_ino);
  CHECK(st.st_mode == host.st_mode);
  CHECK(g.call(kRead, uint64_t(fd), g.scratch, 4) == 4);
  CHECK(g.get(g.scratch, 4) == "\x7f" "ELF");
  CHECK(g.call(kNewfstatat, uint64_t(fd), g.put_str(""), st_addr, 0x1000 /* AT_EMPTY_PATH */) == 0);
  CHECK(g.get_as<emu::syscalls::abi::Stat>(st_addr).st_size == host.st_size);
  CHECK(g.call(kClose, uint64_t(fd)) == 0);
}

TEST_CASE("ioctl_passes_only_known_requests", "[syscalls]") {
  Guest g;
  HostPipe pipe;
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), 0x5401 /* TCGETS */, g.scratch) == -ENOTTY);
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), 0x5413 /* TIOCGWINSZ */, g.scratch) == -ENOTTY);
  CHECK(g.call(kIoctl, 9999, 0x5401, g.scratch) == -EBADF);
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), 0xdeadbeef, g.scratch) == -ENOTTY);
  REQUIRE(::write(pipe.fds[1], "1234", 4) == 4);
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), 0x541b /* FIONREAD */, g.scratch) == 0);
  CHECK(g.get_as<int32_t>(g.scratch) == 4);
}

TEST_CASE("fcntl_flags_round_trip", "[syscalls]") {
  Guest g;
  HostPipe pipe;
  const uint64_t fd = uint64_t(pipe.fds[0]);
  CHECK(g.call(kFcntl, fd, F_SETFD, FD_CLOEXEC) == 0);
  CHECK(g.call(kFcntl, fd, F_GETFD) == FD_CLOEXEC);
  CHECK(g.call(kFcntl, fd, F_SETFL, O_NONBLOCK) == 0);
  CHECK((g.call(kFcntl, fd, F_GETFL) & O_NONBLOCK) != 0);
  const int64_t dup = g.call(kFcntl, fd, F_DUPFD_CLOEXEC, 100);
  CHECK(dup >= 100);
  CHECK(g.call(kClose, uint64_t(dup)) == 0);
  CHECK(g.call(kFcntl, fd, 12345) == -EINVAL);
  CHECK(g.call(kRead, fd, g.scratch, 10) == -EAGAIN);
}

TEST_CASE("proc_self_maps_comes_from_the_region_tree", "[syscalls]") {
  Guest g;
  const int64_t fd = g.call(kOpenat, uint64_t(kAtFdcwd), g.put_str("/proc/self/maps"), O_RDONLY);
  REQUIRE(fd >= 0);
  const std::string expected = g.as.proc_maps();
  REQUIRE(!expected.empty());
  const int64_t n = g.call(kRead, uint64_t(fd), g.scratch + 0x4000, 16384);
  CHECK(n == int64_t(expected.size()));
  CHECK(g.get(g.scratch + 0x4000, size_t(n)) == expected);
  // The host's own maps would list the emulator's libraries and heap.
  CHECK(expected.find("libc") == std::string::npos);
  CHECK(g.call(kWrite, uint64_t(fd), g.scratch, 1) == -EBADF);  // read-only
  CHECK(g.call(kClose, uint64_t(fd)) == 0);
  CHECK(g.call(kOpen, g.put_str("/proc/self/maps"), O_WRONLY) == -EACCES);
  const std::string pid_path = "/proc/" + std::to_string(::getpid()) + "/maps";
  const int64_t fd2 = g.call(kOpen, g.put_str(pid_path), O_RDONLY);
  REQUIRE(fd2 >= 0);
  CHECK(g.call(kRead, uint64_t(fd2), g.scratch + 0x4000, 16384) == int64_t(g.as.proc_maps().size()));
  g.call(kClose, uint64_t(fd2));
}

TEST_CASE("readlink_of_proc_self_exe_is_the_guest_program", "[syscalls]") {
  Guest g;
  g.process.exe_path = "/usr/local/bin/guest-program";
  const uint64_t path = g.put_str("/proc/self/exe");
  CHECK(g.call(kReadlink, path, g.scratch + 0x100, 4096) == 28);
  CHECK(g.get(g.scratch + 0x100, 28) == "/usr/local/bin/guest-program");
  CHECK(g.call(kReadlink, path, g.scratch + 0x100, 4) == 4);  // truncated, no NUL, like Linux
  CHECK(g.call(kReadlinkat, uint64_t(kAtFdcwd), path, g.scratch + 0x100, 4096) == 28);
  CHECK(g.call(kReadlink, path, g.scratch + 0x100, 0) == -EINVAL);
  CHECK(g.call(kReadlink, path, 0x1000, 100) == -EFAULT);
  // Other links are the host's.
  char tmpl[] = "/tmp/emu-link-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string link = std::string(tmpl) + "/l";
  REQUIRE(::symlink("target-of-link", link.c_str()) == 0);
  CHECK(g.call(kReadlink, g.put_str(link), g.scratch + 0x100, 4096) == 14);
  CHECK(g.get(g.scratch + 0x100, 14) == "target-of-link");
  ::unlink(link.c_str());
  ::rmdir(tmpl);
}

TEST_CASE("getcwd_copies_the_host_directory", "[syscalls]") {
  Guest g;
  char cwd[4096];
  REQUIRE(::getcwd(cwd, sizeof cwd));
  const int64_t n = g.call(kGetcwd, g.scratch, 4096);
  CHECK(n == int64_t(std::strlen(cwd) + 1));
  CHECK(g.get(g.scratch, size_t(n)) == std::string(cwd, size_t(n)));
  CHECK(g.call(kGetcwd, g.scratch, 1) == -ERANGE);
}
