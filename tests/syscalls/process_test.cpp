// Memory, process, signal, time and information calls through dispatch().
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;
namespace abi = emu::syscalls::abi;

TEST_CASE("unknown_syscalls_are_enosys", "[syscalls]") {
  Guest g;
  CHECK(g.call(0x1f4) == -ENOSYS);
  CHECK(g.call(100000) == -ENOSYS);
  CHECK(g.call(~uint64_t{0}) == -ENOSYS);
  CHECK(g.call(174 /* create_module: named, not provided */) == -ENOSYS);
  CHECK(emu::syscalls::syscall_name(1) == std::string("write"));
  CHECK(emu::syscalls::syscall_name(0x1f4) == nullptr);
  CHECK(g.cpu.event == Event::None);
}

TEST_CASE("mmap_munmap_and_mprotect_go_to_the_address_space", "[syscalls]") {
  Guest g;
  const int64_t a = g.call(kMmap, 0, 8192, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  REQUIRE(a > 0);
  CHECK(uint64_t(a) < 0x7ffff7fff000);
  CHECK(uint64_t(a) % 4096 == 0);
  CHECK(g.as.copy_out(emu::mm::GuestAddr{uint64_t(a)}, "x", 1));
  CHECK(g.call(kMprotect, uint64_t(a), 4096, kProtRead) == 0);
  CHECK(!g.as.copy_out(emu::mm::GuestAddr{uint64_t(a)}, "x", 1));
  CHECK(g.call(kMunmap, uint64_t(a), 8192) == 0);
  CHECK(!g.as.copy_out(emu::mm::GuestAddr{uint64_t(a) + 4096}, "x", 1));
  CHECK(g.call(kMmap, 0, 0, kProtRead, kMapPrivate | kMapAnonymous, uint64_t(-1), 0) == -EINVAL);
  CHECK(g.call(kMunmap, 0x1001, 4096) == -EINVAL);
  CHECK(g.call(kMmap, 0, 4096, kProtRead, kMapPrivate, 9999, 0) == -EBADF);
}

TEST_CASE("mmap_of_a_file_maps_its_contents", "[syscalls]") {
  Guest g;
  const int64_t fd = g.call(kOpen, g.put_str("/bin/busybox"), 0);
  REQUIRE(fd >= 0);
  const int64_t a = g.call(kMmap, 0, 4096, kProtRead, kMapPrivate, uint64_t(fd), 0);
  REQUIRE(a > 0);
  CHECK(g.call(kClose, uint64_t(fd)) == 0);  // the mapping keeps its own reference
  CHECK(g.get(uint64_t(a), 4) == "\x7f" "ELF");
}

TEST_CASE("brk_grows_and_shrinks_the_heap", "[syscalls]") {
  Guest g;
  CHECK(g.call(kBrk, 0) == int64_t(Guest::kBrkStart));
  CHECK(g.call(kBrk, Guest::kBrkStart + 0x3000) == int64_t(Guest::kBrkStart + 0x3000));
  CHECK(g.as.copy_out(emu::mm::GuestAddr{Guest::kBrkStart + 0x2ff8}, "12345678", 8));
  CHECK(g.call(kBrk, Guest::kBrkStart + 0x1000) == int64_t(Guest::kBrkStart + 0x1000));
  CHECK(!g.as.copy_out(emu::mm::GuestAddr{Guest::kBrkStart + 0x2ff8}, "1", 1));
  CHECK(g.call(kBrk, 0x1000) == int64_t(Guest::kBrkStart + 0x1000));  // below the start: refused
}

TEST_CASE("madvise_dontneed_zeroes_anonymous_memory", "[syscalls]") {
  Guest g;
  const int64_t a = g.call(kMmap, 0, 3 * 4096, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  REQUIRE(a > 0);
  REQUIRE(g.as.copy_out(emu::mm::GuestAddr{uint64_t(a) + 4096}, "dirty", 5));
  CHECK(g.call(kMadvise, uint64_t(a) + 4096, 4096, 4 /* MADV_DONTNEED */) == 0);
  CHECK(g.get(uint64_t(a) + 4096, 5) == std::string(5, '\0'));
  CHECK(g.call(kMadvise, uint64_t(a), 4096, 0 /* MADV_NORMAL */) == 0);
  CHECK(g.call(kMadvise, uint64_t(a) + 1, 4096, 0) == -EINVAL);
  CHECK(g.call(kMadvise, uint64_t(a), 4096, 999) == -EINVAL);
  REQUIRE(g.call(kMunmap, uint64_t(a) + 2 * 4096, 4096) == 0);
  CHECK(g.call(kMadvise, uint64_t(a), 3 * 4096, 0) == -ENOMEM);  // runs into a hole
  REQUIRE(g.as.check_invariants() == "");
}

TEST_CASE("arch_prctl_sets_and_gets_the_fs_and_gs_bases", "[syscalls]") {
  Guest g;
  CHECK(g.call(kArchPrctl, abi::kArchSetFs, 0x4c93c0) == 0);
  CHECK(g.cpu.seg_base[kSegFs] == 0x4c93c0);
  CHECK(g.call(kArchPrctl, abi::kArchSetGs, 0x1234) == 0);
  CHECK(g.cpu.seg_base[kSegGs] == 0x1234);
  CHECK(g.call(kArchPrctl, abi::kArchGetFs, g.scratch) == 0);
  CHECK(g.get_as<uint64_t>(g.scratch) == 0x4c93c0);
  CHECK(g.call(kArchPrctl, abi::kArchGetGs, 0x1000) == -EFAULT);
  CHECK(g.call(kArchPrctl, 0x9999, 0) == -EINVAL);
  CHECK(g.call(kArchPrctl, abi::kArchSetFs, 0xffff800000000000) == -EPERM);
  CHECK(g.cpu.seg_base[kSegFs] == 0x4c93c0);
}

TEST_CASE("uname_reports_linux_x86_64_and_the_host_release", "[syscalls]") {
  Guest g;
  CHECK(g.call(kUname, g.scratch) == 0);
  const auto u = g.get_as<abi::Utsname>(g.scratch);
  struct ::utsname host {};
  REQUIRE(::uname(&host) == 0);
  CHECK(std::string(u.sysname) == "Linux");
  CHECK(std::string(u.machine) == "x86_64");
  CHECK(std::string(u.release) == host.release);
  CHECK(std::string(u.nodename) == host.nodename);
}

TEST_CASE("exit_group_sets_the_exit_event_and_status", "[syscalls]") {
  Guest g;
  g.call(kExitGroup, 42);
  CHECK(g.process.exited);
  CHECK(g.process.exit_status == 42);
  CHECK(g.cpu.event == Event::Exit);
  Guest h;
  h.call(kExit, 3);
  CHECK(h.process.exited);
  CHECK(h.process.exit_status == 3);
  CHECK(h.cpu.event == Event::Exit);
}

TEST_CASE("ids_are_the_hosts", "[syscalls]") {
  Guest g;
  CHECK(g.call(kGetpid) == ::getpid());
  CHECK(g.call(kGettid) == ::gettid());
  CHECK(g.call(218 /* set_tid_address */, g.scratch) == ::gettid());
  CHECK(g.call(273 /* set_robust_list */, g.scratch, 24) == 0);
  CHECK(g.call(273, g.scratch, 8) == -EINVAL);
  CHECK(g.call(334 /* rseq */, g.scratch, 32, 0, 0x53053053) == -ENOSYS);
}

TEST_CASE("rt_sigaction_records_and_returns_dispositions", "[syscalls]") {
  Guest g;
  const abi::Sigaction act{0x401000, 0x04000000, 0x402000, 0x2};
  const uint64_t act_addr = g.put(&act, sizeof act);
  CHECK(g.call(kRtSigaction, 2 /* SIGINT */, act_addr, 0, 8) == 0);
  CHECK(g.process.signals.actions[1].handler == 0x401000);
  CHECK(g.call(kRtSigaction, 2, 0, g.scratch + 64, 8) == 0);
  const auto old = g.get_as<abi::Sigaction>(g.scratch + 64);
  CHECK(old.handler == 0x401000);
  CHECK(old.restorer == 0x402000);
  CHECK(old.mask == 0x2);
  CHECK(g.call(kRtSigaction, 9 /* SIGKILL */, act_addr, 0, 8) == -EINVAL);
  CHECK(g.call(kRtSigaction, 65, act_addr, 0, 8) == -EINVAL);
  CHECK(g.call(kRtSigaction, 2, act_addr, 0, 4) == -EINVAL);
  CHECK(g.call(kRtSigaction, 2, 0x1000, 0, 8) == -EFAULT);
}

TEST_CASE("rt_sigprocmask_keeps_the_mask", "[syscalls]") {
  Guest g;
  const uint64_t set = (1u << 1) | (1u << 14) | (1u << 8);  // INT TERM KILL
  const uint64_t set_addr = g.put(&set, 8);
  CHECK(g.call(kRtSigprocmask, 0 /* SIG_BLOCK */, set_addr, 0, 8) == 0);
  CHECK(g.process.signals.blocked == ((1u << 1) | (1u << 14)));  // SIGKILL can't be blocked
  CHECK(g.call(kRtSigprocmask, 1 /* SIG_UNBLOCK */, set_addr, g.scratch + 64, 8) == 0);
  CHECK(g.get_as<uint64_t>(g.scratch + 64) == ((1u << 1) | (1u << 14)));
  CHECK(g.process.signals.blocked == 0);
  CHECK(g.call(kRtSigprocmask, 7, set_addr, 0, 8) == -EINVAL);
}

TEST_CASE("futex_on_a_single_thread", "[syscalls]") {
  Guest g;
  const uint32_t word = 5;
  const uint64_t addr = g.put(&word, 4);
  CHECK(g.call(kFutex, addr, 128 /* FUTEX_WAIT_PRIVATE */, 6) == -EAGAIN);
  CHECK(g.call(kFutex, addr, 129 /* FUTEX_WAKE_PRIVATE */, 1) == 0);
  const abi::Timespec t{0, 1000000};
  const uint64_t ts = g.put(&t, sizeof t, 64);
  CHECK(g.call(kFutex, addr, 128, 5, ts) == -ETIMEDOUT);
  CHECK(g.call(kFutex, 0x1000, 128, 5) == -EFAULT);
}

TEST_CASE("prlimit_stack_reports_the_loaders_limit", "[syscalls]") {
  Guest g;
  g.process.stack_limit = 8u << 20;
  CHECK(g.call(kPrlimit64, 0, abi::kRlimitStack, 0, g.scratch) == 0);
  CHECK(g.get_as<abi::Rlimit>(g.scratch).rlim_cur == (8u << 20));
  CHECK(g.call(97 /* getrlimit */, 7 /* RLIMIT_NOFILE */, g.scratch) == 0);
  CHECK(g.get_as<abi::Rlimit>(g.scratch).rlim_cur > 0);
  CHECK(g.call(kPrlimit64, 0, 99, 0, g.scratch) == -EINVAL);
}

TEST_CASE("setrlimit_stack_sets_the_limit_stack_growth_obeys", "[syscalls]") {
  Guest g;
  g.process.stack_limit = 8u << 20;
  REQUIRE(g.call(kPrlimit64, 0, abi::kRlimitStack, 0, g.scratch) == 0);
  abi::Rlimit limit = g.get_as<abi::Rlimit>(g.scratch);
  limit.rlim_cur = 1u << 20;
  const uint64_t in = g.put(&limit, sizeof limit, 64);
  CHECK(g.call(kPrlimit64, 0, abi::kRlimitStack, in, 0) == 0);
  CHECK(g.as.layout().stack_rlimit == (1u << 20));
  CHECK(g.call(kPrlimit64, 0, abi::kRlimitStack, 0, g.scratch) == 0);
  CHECK(g.get_as<abi::Rlimit>(g.scratch).rlim_cur == (1u << 20));
}

TEST_CASE("clock_gettime_and_getrandom_write_guest_memory", "[syscalls]") {
  Guest g;
  CHECK(g.call(kClockGettime, 1 /* CLOCK_MONOTONIC */, g.scratch) == 0);
  const auto t = g.get_as<abi::Timespec>(g.scratch);
  CHECK((t.tv_sec > 0 || t.tv_nsec > 0));
  CHECK(g.call(kClockGettime, 12345, g.scratch) == -EINVAL);
  CHECK(g.call(kGetrandom, g.scratch + 100, 64, 1 /* GRND_NONBLOCK */) == 64);
  CHECK(g.get(g.scratch + 100, 64) != std::string(64, '\0'));
  CHECK(g.call(kGetrandom, 0x1000, 8, 0) == -EFAULT);
  CHECK(g.call(kGetrandom, g.scratch, 8, 0x80) == -EINVAL);
}
