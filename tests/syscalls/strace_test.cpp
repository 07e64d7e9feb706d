// --strace lines, compared as exact strings against what strace(1) prints for
// the same calls.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "syscall_test_util.h"
#include "syscalls/abi.h"
#include "syscalls/strace.h"

using namespace syscalls_test;


TEST_CASE("strace_prints_openat_with_errno", "[strace]") {
  Guest g;
  StraceCapture cap(g);
  g.call(kOpenat, uint64_t(kAtFdcwd), g.put_str("/nonexistent/passwd"), O_RDONLY | O_CLOEXEC);
  CHECK(cap.take() ==
        "openat(AT_FDCWD, \"/nonexistent/passwd\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)\n");
}

TEST_CASE("strace_prints_openat_mode_only_with_o_creat", "[strace]") {
  Guest g;
  char dir[] = "/tmp/emu-strace-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string path = std::string(dir) + "/f";
  StraceCapture cap(g);
  const int64_t fd = g.call(kOpenat, uint64_t(kAtFdcwd), g.put_str(path), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  CHECK(cap.take() == fmt::format("openat(AT_FDCWD, \"{}\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = {}\n", path, fd));
  g.call(kFstat, uint64_t(fd), g.scratch + 0x1000);
  CHECK(cap.take() == fmt::format("fstat({}, {{st_mode=S_IFREG|0644, st_size=0, ...}}) = 0\n", fd));
  g.call(kClose, uint64_t(fd));
  CHECK(cap.take() == fmt::format("close({}) = 0\n", fd));
  ::unlink(path.c_str());
  ::rmdir(dir);
}

TEST_CASE("strace_prints_write_buffers_escaped_and_truncated", "[strace]") {
  Guest g;
  HostPipe pipe;
  const auto fd = uint64_t(pipe.fds[1]);
  StraceCapture cap(g);
  g.call(kWrite, fd, g.put_str("hello\n"), 6);
  CHECK(cap.take() == fmt::format("write({}, \"hello\\n\", 6) = 6\n", fd));

  const std::string weird("\x01\x1b" "7\0a\x7f\xff\t\"\\\n\r\v\f", 14);
  g.call(kWrite, fd, g.put(weird.data(), weird.size()), weird.size());
  CHECK(cap.take() == fmt::format("write({}, \"\\1\\0337\\0a\\177\\377\\t\\\"\\\\\\n\\r\\v\\f\", 14) = 14\n", fd));

  g.call(kWrite, fd, g.put_str("0123456789012345678901234567890123456789"), 40);
  CHECK(cap.take() == fmt::format("write({}, \"01234567890123456789012345678901\"..., 40) = 40\n", fd));

  g.call(kWrite, 1, 0x1000, 5);
  CHECK(cap.take() == "write(1, 0x1000, 5) = -1 EFAULT (Bad address)\n");
}

TEST_CASE("strace_prints_read_buffers_after_the_call", "[strace]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "abc", 3) == 3);
  StraceCapture cap(g);
  g.call(kRead, uint64_t(pipe.fds[0]), g.scratch, 100);
  CHECK(cap.take() == fmt::format("read({}, \"abc\", 100) = 3\n", pipe.fds[0]));
  g.call(kRead, 9999, g.scratch, 100);
  CHECK(cap.take() == fmt::format("read(9999, {:#x}, 100) = -1 EBADF (Bad file descriptor)\n", g.scratch));
}

TEST_CASE("strace_prints_memory_calls_in_hex", "[strace]") {
  Guest g;
  StraceCapture cap(g);
  const int64_t a = g.call(kMmap, 0, 4096, kProtRead, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  CHECK(cap.take() == fmt::format("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = {:#x}\n", a));
  g.call(kMprotect, uint64_t(a), 4096, kProtRead | kProtWrite);
  CHECK(cap.take() == fmt::format("mprotect({:#x}, 4096, PROT_READ|PROT_WRITE) = 0\n", a));
  g.call(kMunmap, uint64_t(a), 4096);
  CHECK(cap.take() == fmt::format("munmap({:#x}, 4096) = 0\n", a));
  g.call(kBrk, 0);
  CHECK(cap.take() == "brk(NULL) = 0x600000\n");
  g.call(kMmap, 0, 0, kProtNone, kMapPrivate | kMapAnonymous | kMapFixed, uint64_t(-1), 0x1000);
  CHECK(cap.take() ==
        "mmap(NULL, 0, PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0x1000) = -1 EINVAL (Invalid argument)\n");
}

TEST_CASE("strace_prints_mremap_with_new_address_only_when_fixed", "[strace]") {
  // strace prints new_address only with MREMAP_MAYMOVE|MREMAP_FIXED.
  Guest g;
  StraceCapture cap(g);
  const int64_t a = g.call(kMmap, 0, 8192, kProtRead, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  cap.take();
  g.call(25, uint64_t(a), 8192, 4096, 0, 0x1234000);
  CHECK(cap.take() == fmt::format("mremap({:#x}, 8192, 4096, 0) = {:#x}\n", a, a));
  const int64_t b = g.call(25, uint64_t(a), 4096, 4096, 3, 0x200000000);
  CHECK(b == 0x200000000);
  CHECK(cap.take() == fmt::format("mremap({:#x}, 4096, 4096, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000000) = 0x200000000\n", a));
  g.call(25, 0x200000000, 4096, 8192, 8, 0);
  CHECK(cap.take() == "mremap(0x200000000, 4096, 8192, 0x8 /* MREMAP_??? */) = -1 EINVAL (Invalid argument)\n");
}

TEST_CASE("strace_prints_process_calls", "[strace]") {
  Guest g;
  StraceCapture cap(g);
  g.call(kArchPrctl, emu::syscalls::abi::kArchSetFs, 0x4c93c0);
  CHECK(cap.take() == "arch_prctl(ARCH_SET_FS, 0x4c93c0) = 0\n");
  const uint64_t set = (1u << 1) | (1u << 14);
  g.call(kRtSigprocmask, 0, g.put(&set, 8), 0, 8);
  CHECK(cap.take() == "rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8) = 0\n");
  const uint64_t all = ~uint64_t{0} & ~(uint64_t{3} << 31);
  g.call(kRtSigprocmask, 0, g.put(&all, 8), g.scratch + 64, 8);
  CHECK(cap.take() == "rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], [INT TERM], 8) = 0\n");
  const emu::syscalls::abi::Sigaction act{1, 0x04000000, 0x408930, 0};
  g.call(kRtSigaction, 2, g.put(&act, sizeof act, 128), 0, 8);
  CHECK(cap.take() ==
        "rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x408930}, NULL, 8) = 0\n");
  g.process.stack_limit = 8u << 20;
  g.call(kPrlimit64, 0, 3, 0, g.scratch + 256);
  CHECK(cap.take().starts_with("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max="));
  g.call(0x1f4, 1, 2, 3, 4, 5, 6);
  CHECK(cap.take() == "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)\n");
  g.call(kExitGroup, 0);
  CHECK(cap.take() == "exit_group(0) = ?\n");
}

TEST_CASE("strace_prints_descriptor_calls", "[strace]") {
  Guest g;
  StraceCapture cap(g);
  g.call(kPipe2, g.scratch, O_CLOEXEC);
  const auto fds = g.get_as<std::array<int32_t, 2>>(g.scratch);
  CHECK(cap.take() == fmt::format("pipe2([{}, {}], O_CLOEXEC) = 0\n", fds[0], fds[1]));
  const emu::syscalls::abi::Iovec iov[2] = {{g.put_str("ab", 64), 2}, {g.put_str("cd\n", 80), 3}};
  g.call(kWritev, uint64_t(fds[1]), g.put(iov, sizeof iov, 128), 2);
  CHECK(cap.take() ==
        fmt::format("writev({}, [{{iov_base=\"ab\", iov_len=2}}, {{iov_base=\"cd\\n\", iov_len=3}}], 2) = 5\n", fds[1]));
  g.call(kFcntl, uint64_t(fds[0]), F_SETFD, FD_CLOEXEC);
  CHECK(cap.take() == fmt::format("fcntl({}, F_SETFD, FD_CLOEXEC) = 0\n", fds[0]));
  g.call(kFcntl, uint64_t(fds[0]), F_SETFL, O_NONBLOCK);
  CHECK(cap.take() == fmt::format("fcntl({}, F_SETFL, O_RDONLY|O_NONBLOCK) = 0\n", fds[0]));
  g.call(kLseek, uint64_t(fds[0]), 0, SEEK_END);
  CHECK(cap.take() == fmt::format("lseek({}, 0, SEEK_END) = -1 ESPIPE (Illegal seek)\n", fds[0]));
  g.call(kIoctl, uint64_t(fds[0]), 0x5401, g.scratch);
  CHECK(cap.take() == fmt::format("ioctl({}, TCGETS, {:#x}) = -1 ENOTTY (Inappropriate ioctl for device)\n", fds[0],
                                  g.scratch));
  g.call(21 /* access */, g.put_str("/nonexistent"), 5);
  CHECK(cap.take() == "access(\"/nonexistent\", R_OK|X_OK) = -1 ENOENT (No such file or directory)\n");
  g.call(kClose, uint64_t(fds[0]));
  g.call(kClose, uint64_t(fds[1]));
}

TEST_CASE("quote_string_matches_strace_escaping", "[strace]") {
  using emu::syscalls::quote_string;
  CHECK(quote_string("plain", false) == "\"plain\"");
  CHECK(quote_string(std::string_view("\0" "1", 2), false) == "\"\\0001\"");
  CHECK(quote_string(std::string_view("\0" "9", 2), false) == "\"\\09\"");
  CHECK(quote_string("x", true) == "\"x\"...");
  CHECK(quote_string("\x5e\x0f", false, true) == "\"\\x5e\\x0f\"");
}
