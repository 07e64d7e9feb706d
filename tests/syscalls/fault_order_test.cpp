// Bad guest pointers among the other errors: data moves up to the first byte
// that faults (a short count, EFAULT only when nothing moved), whatever the
// descriptor answers first still comes first, and calls that change state
// and then write an old value back change it even when the write-back
// faults. Where the answer is the kernel's, the same call made natively by
// this test process, with a host buffer laid out as the guest's, is the
// oracle.
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;
namespace abi = emu::syscalls::abi;

namespace {

constexpr uint64_t kKernelHalf = 0xffff800000001000ull;

// `n` bytes of host memory that end where an inaccessible page begins.
struct HostTail {
  char* base = nullptr;
  char* tail = nullptr;
  explicit HostTail(size_t n) {
    base = static_cast<char*>(::mmap(nullptr, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    REQUIRE(base != MAP_FAILED);
    REQUIRE(::mprotect(base + 4096, 4096, PROT_NONE) == 0);
    tail = base + 4096 - n;
  }
  ~HostTail() { ::munmap(base, 2 * 4096); }
};

// The last `n` bytes of the guest's 64 KiB scratch buffer, which an
// unmapped page follows.
uint64_t guest_tail(Guest& g, size_t n) {
  REQUIRE(g.call(kMmap, g.scratch + 65536, 4096, kProtNone, kMapPrivate | kMapAnonymous | kMapFixed, uint64_t(-1),
                 0) == int64_t(g.scratch + 65536));
  return g.scratch + 65536 - n;
}

}  // namespace

TEST_CASE("a_read_moves_data_up_to_the_first_byte_that_faults", "[syscalls][faults]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", std::string(100, 'x'));
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  HostTail host(8);
  const int64_t natively = native(SYS_read, fd, long(host.tail), 16);
  CHECK(natively == 8);
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  CHECK(g.call(kRead, uint64_t(fd), guest_tail(g, 8), 16) == natively);
  CHECK(::lseek(fd, 0, SEEK_CUR) == 8);  // the file position moved by what was read
  CHECK(g.get(g.scratch + 65536 - 8, 8) == "xxxxxxxx");
  // A write stops at the fault the same way.
  const int out = ::open(dir.file("g", "").c_str(), O_WRONLY);
  REQUIRE(out >= 0);
  CHECK(g.call(kWrite, uint64_t(out), g.scratch + 65536 - 8, 16) == native(SYS_write, out, long(host.tail), 16));
  ::close(out);
  ::close(fd);
}

TEST_CASE("a_bad_buffer_comes_after_what_the_descriptor_answers", "[syscalls][faults]") {
  Guest g;
  TempDir dir;
  HostPipe pipe;
  REQUIRE(::fcntl(pipe.fds[0], F_SETFL, O_NONBLOCK) == 0);
  // An empty non-blocking pipe: EAGAIN, the buffer never looked at.
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), kBad, 16) == -EAGAIN);
  CHECK(g.call(kRead, uint64_t(pipe.fds[0]), kBad, 16) == native(SYS_read, pipe.fds[0], long(kBad), 16));
  // A directory: EISDIR; at an offset too, and with no bytes asked for.
  CHECK(g.call(kRead, uint64_t(dir.fd), kBad, 16) == -EISDIR);
  CHECK(g.call(17 /* pread64 */, uint64_t(dir.fd), g.scratch, 0, 0) == -EISDIR);
  CHECK(g.call(17, uint64_t(dir.fd), g.scratch, 0, 0) == native(SYS_pread64, dir.fd, long(kBad), 0, 0));
  // A pipe at an offset: ESPIPE before the bad buffer.
  CHECK(g.call(18 /* pwrite64 */, uint64_t(pipe.fds[1]), kBad, 4, 0) == -ESPIPE);
  // A buffer that is not user space is EFAULT even for no bytes (access_ok).
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), kKernelHalf, 0) == -EFAULT);
  CHECK(g.call(kWrite, uint64_t(pipe.fds[1]), kKernelHalf, 0) == native(SYS_write, pipe.fds[1], long(kKernelHalf), 0));
  CHECK(g.call(kWrite, 9999, kKernelHalf, 0) == -EBADF);
}

TEST_CASE("readv_reads_its_array_entry_by_entry_as_linux_does", "[syscalls][faults]") {
  Guest g;
  HostPipe pipe;
  REQUIRE(::write(pipe.fds[1], "abcdef", 6) == 6);
  // The second entry has a negative length: EINVAL, though the first
  // entry's buffer is unmapped (the array is checked before any data moves).
  const abi::Iovec bad_then_negative[2] = {{kBad, 4}, {g.scratch, ~uint64_t{0}}};
  CHECK(g.call(kReadv, uint64_t(pipe.fds[0]), g.put(bad_then_negative, sizeof bad_then_negative, 1024), 2) ==
        -EINVAL);
  // The count is 32 bits wide: 2^32 + 1 entries is one.
  const abi::Iovec one{g.scratch + 512, 2};
  CHECK(g.call(kReadv, uint64_t(pipe.fds[0]), g.put(&one, sizeof one, 1024), (uint64_t{1} << 32) | 1) == 2);
  // A good entry, then one whose buffer faults: from a file, the good one's
  // bytes; from a pipe, EFAULT (its buffer is copied whole or not at all).
  TempDir dir;
  const int file = ::open(dir.file("f", "cdef").c_str(), O_RDONLY);
  REQUIRE(file >= 0);
  const abi::Iovec good_then_bad[2] = {{g.scratch + 512, 2}, {kBad, 2}};
  const uint64_t vec = g.put(good_then_bad, sizeof good_then_bad, 1024);
  CHECK(g.call(kReadv, uint64_t(file), vec, 2) == 2);
  CHECK(g.get(g.scratch + 512, 2) == "cd");
  char host[2];
  const struct iovec native_vec[2] = {{host, 2}, {reinterpret_cast<void*>(kBad), 2}};
  CHECK(g.call(kReadv, uint64_t(pipe.fds[0]), vec, 2) == native(SYS_readv, pipe.fds[0], long(native_vec), 2));
  ::close(file);
}

TEST_CASE("getdents64_returns_the_records_that_fit_before_the_fault", "[syscalls][faults]") {
  Guest g;
  TempDir dir;
  for (int i = 0; i < 20; ++i) dir.file("entry" + std::to_string(i), "");
  HostTail host(100);
  const int64_t natively = native(SYS_getdents64, dir.fd, long(host.tail), 4096);
  REQUIRE(natively > 0);
  CHECK(natively <= 100);
  REQUIRE(::lseek(dir.fd, 0, SEEK_SET) == 0);
  CHECK(g.call(217 /* getdents64 */, uint64_t(dir.fd), guest_tail(g, 100), 4096) == natively);
  // The records not returned are not consumed: the rest of the directory follows.
  int64_t more = 0, total = 0;
  while ((more = g.call(217, uint64_t(dir.fd), g.scratch, 4096)) > 0) total += more;
  CHECK(more == 0);
  CHECK(total > 0);
  // Nothing writable at all: the first record faults.
  REQUIRE(::lseek(dir.fd, 0, SEEK_SET) == 0);
  CHECK(g.call(217, uint64_t(dir.fd), kBad, 4096) == -EFAULT);
}

TEST_CASE("futex_wake_op_changes_the_second_word_and_pi_locks_take_the_owner", "[syscalls][futex]") {
  Guest g;
  const uint32_t words[2] = {0, 5};
  const uint64_t w1 = g.put(words, sizeof words), w2 = w1 + 4;
  const uint32_t add3_if_eq5 = uint32_t(FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5));
  CHECK(g.call(kFutex, w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, w2, add3_if_eq5) == 0);  // no waiters to wake
  CHECK(g.get_as<uint32_t>(w2) == 8);
  const uint64_t tid = uint64_t(::gettid());
  CHECK(g.call(kFutex, w1, FUTEX_LOCK_PI_PRIVATE) == 0);
  CHECK(g.get_as<uint32_t>(w1) == tid);
  CHECK(g.call(kFutex, w1, FUTEX_LOCK_PI_PRIVATE) == -EDEADLK);
  CHECK(g.call(kFutex, w1, FUTEX_UNLOCK_PI_PRIVATE) == 0);
  CHECK(g.get_as<uint32_t>(w1) == 0);
  CHECK(g.call(kFutex, w1, FUTEX_UNLOCK_PI_PRIVATE) == -EPERM);
  // Unaligned: EINVAL before anything; the second word's address is its own.
  CHECK(g.call(kFutex, w1 + 1, FUTEX_WAKE_PRIVATE, 1) == -EINVAL);
  CHECK(g.call(kFutex, kBad, FUTEX_WAKE_PRIVATE, 1) == 0);  // a private wake never touches the word
  CHECK(g.call(kFutex, kBad, FUTEX_WAKE, 1) == -EFAULT);    // a shared one looks it up
}

TEST_CASE("futex_words_in_read_only_memory_fail_where_linux_writes", "[syscalls][futex]") {
  Guest g;
  const uint64_t ro = guest_page(g, kProtRead);
  // Read-only zeroes: a private WAIT reads them (EAGAIN), a PI lock would
  // write its owner (EFAULT), a shared futex there is refused (EFAULT).
  CHECK(g.call(kFutex, ro, FUTEX_WAIT_PRIVATE, 1) == -EAGAIN);
  CHECK(g.call(kFutex, ro, FUTEX_LOCK_PI_PRIVATE) == -EFAULT);
  CHECK(g.call(kFutex, ro, FUTEX_UNLOCK_PI_PRIVATE) == -EPERM);  // read, not ours: nothing to write
  CHECK(g.call(kFutex, ro, FUTEX_WAKE, 1) == -EFAULT);
  const uint32_t word = 5;
  const uint64_t w = g.put(&word, 4);
  CHECK(g.call(kFutex, w, FUTEX_WAKE_OP_PRIVATE, 1, 1, ro, uint32_t(FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0))) ==
        -EFAULT);
  CHECK(g.get_as<uint32_t>(ro) == 0);
  // The same word as both: still written, still EFAULT (found by syscall_fuzz).
  CHECK(g.call(kFutex, ro, FUTEX_WAKE_OP_PRIVATE, 1, 2, ro, 0) == -EFAULT);
  CHECK(g.get_as<uint32_t>(ro) == 0);
}

TEST_CASE("signal_calls_apply_the_new_value_before_an_unwritable_old_one_faults", "[syscalls][signals]") {
  Guest g;
  const uint64_t ro = guest_page(g, kProtRead);
  const abi::Sigaction act{0x401000, 0x04000000 | 0x400 /* SA_UNSUPPORTED: dropped */, 0x402000, 0};
  CHECK(g.call(kRtSigaction, 10 /* SIGUSR1 */, g.put(&act, sizeof act), ro, 8) == -EFAULT);
  CHECK(g.process.signals.actions[9].handler == 0x401000);
  CHECK(g.call(kRtSigaction, 10, 0, g.scratch + 256, 8) == 0);
  CHECK(g.get_as<abi::Sigaction>(g.scratch + 256).flags == 0x04000000);
  // The action is read before the signal is checked.
  CHECK(g.call(kRtSigaction, 9 /* SIGKILL */, kBad, 0, 8) == -EFAULT);
  const uint64_t usr2 = uint64_t{1} << 11;
  CHECK(g.call(kRtSigprocmask, 0 /* SIG_BLOCK */, g.put(&usr2, 8, 512), ro, 8) == -EFAULT);
  CHECK(g.process.signals.blocked == usr2);
}

TEST_CASE("o_path_descriptors_are_ebadf_for_ioctl_and_most_fcntl_commands", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "x");
  const int opath = ::open(path.c_str(), O_PATH), fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(opath >= 0);
  REQUIRE(fd >= 0);
  CHECK(g.call(kIoctl, uint64_t(opath), 0x5499, g.scratch) == -EBADF);
  CHECK(g.call(kIoctl, uint64_t(opath), 0x5499, g.scratch) == native(SYS_ioctl, opath, 0x5499, 0));
  CHECK(g.call(kIoctl, uint64_t(fd), 0x5499, g.scratch) == -ENOTTY);
  CHECK(g.call(kFcntl, uint64_t(opath), 99) == -EBADF);
  CHECK(g.call(kFcntl, uint64_t(opath), 99) == native(SYS_fcntl, opath, 99));
  CHECK(g.call(kFcntl, uint64_t(fd), 99) == -EINVAL);
  CHECK(g.call(kFcntl, uint64_t(opath), F_GETFL) == native(SYS_fcntl, opath, F_GETFL));
  ::close(opath);
  ::close(fd);
}

TEST_CASE("rlimit_calls_check_in_linux_order", "[syscalls][faults]") {
  Guest g;
  CHECK(g.call(97 /* getrlimit */, 99, 0) == -EINVAL);  // the resource before the pointer
  CHECK(g.call(97, 99, 0) == native(SYS_getrlimit, 99, 0));
  CHECK(g.call(160 /* setrlimit */, 99, kBad) == -EFAULT);  // the pointer before the resource
  CHECK(g.call(160, 99, kBad) == native(SYS_setrlimit, 99, long(kBad)));
  // Another process: looked up first (ESRCH), before the resource.
  CHECK(g.call(kPrlimit64, 0x3fffffff, 99, 0, 0) == -ESRCH);
  CHECK(g.call(kPrlimit64, 0x3fffffff, 99, 0, 0) == native(SYS_prlimit64, 0x3fffffff, 99, 0, 0));
  // An unwritable old limit: EFAULT after the new one is set.
  struct ::rlimit now {};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &now) == 0);
  const abi::Rlimit lower{now.rlim_cur - 1, now.rlim_max};
  const uint64_t ro = guest_page(g, kProtRead);
  CHECK(g.call(kPrlimit64, 0, RLIMIT_NOFILE, g.put(&lower, sizeof lower), ro) == -EFAULT);
  struct ::rlimit after {};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &after) == 0);
  CHECK(after.rlim_cur == now.rlim_cur - 1);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &now) == 0);
}

TEST_CASE("waitid_writes_its_siginfo_even_after_a_failure", "[syscalls][faults]") {
  Guest g;
  constexpr long kPAll = 0, kWexitedNohang = 4 | 1;
  // No children: ECHILD, but the zeroed siginfo is still written, so a bad one is EFAULT.
  CHECK(g.call(247 /* waitid */, kPAll, 0, kBad, kWexitedNohang, 0) == -EFAULT);
  CHECK(g.call(247, kPAll, 0, kBad, kWexitedNohang, 0) == native(SYS_waitid, kPAll, 0, long(kBad), kWexitedNohang, 0));
  const int32_t garbage = -1;
  const uint64_t info = g.put(&garbage, sizeof garbage);
  CHECK(g.call(247, kPAll, 0, info, kWexitedNohang, 0) == -ECHILD);
  CHECK(g.get_as<int32_t>(info) == 0);  // si_signo, zeroed
}

TEST_CASE("clock_nanosleep_checks_the_clock_before_the_time", "[syscalls][faults]") {
  Guest g;
  constexpr long kClockNanosleep = 230;
  CHECK(g.call(kClockNanosleep, 3 /* CLOCK_THREAD_CPUTIME_ID */, 0, kBad, 0) == -EOPNOTSUPP);
  CHECK(g.call(kClockNanosleep, 3, 0, kBad, 0) == native(SYS_clock_nanosleep, 3, 0, long(kBad), 0));
  CHECK(g.call(kClockNanosleep, 100, 0, kBad, 0) == -EINVAL);
  CHECK(g.call(kClockNanosleep, 1 /* CLOCK_MONOTONIC */, 0, kBad, 0) == -EFAULT);
  const abi::Timespec bad_nsec{0, 1000000000};
  CHECK(g.call(kClockNanosleep, 1, 0, g.put(&bad_nsec, sizeof bad_nsec), 0) == -EINVAL);
}

TEST_CASE("execveat_and_proc_self_files_check_in_linux_order", "[syscalls][faults]") {
  Guest g;
  constexpr long kExecveat = 322;
  constexpr int kAtEmptyPath = 0x1000;
  CHECK(g.call(kExecveat, uint64_t(kAtFdcwd), kBad, 0, 0, 0xffff) == -EFAULT);  // the name before the flags
  CHECK(g.call(kExecveat, uint64_t(kAtFdcwd), g.put_str("/bin/true"), 0, 0, 0xffff) == -EINVAL);
  CHECK(g.call(kExecveat, uint64_t(kAtFdcwd), g.put_str(""), 0, 0, kAtEmptyPath) == -EACCES);  // the working directory
  CHECK(g.call(kOpen, g.put_str("/proc/self/exe"), O_RDONLY | O_NOFOLLOW) == -ELOOP);
  CHECK(g.call(kOpen, g.put_str("/proc/self/maps"), O_RDONLY | O_DIRECT) == -EINVAL);
  CHECK(g.call(kOpen, g.put_str("/proc/self/maps"), O_RDONLY | O_DIRECT) ==
        native(SYS_open, long("/proc/self/maps"), O_RDONLY | O_DIRECT));
}
