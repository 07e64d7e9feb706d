// Path calls: statx, linkat, symlinkat, fchmodat/fchmodat2, renameat2,
// mknod/mknodat, and the order in which a bad name is reported among the
// other errors. Expected values are Linux's documented behaviour; where the
// order of two errors matters, the same call made natively is the oracle.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;
namespace abi = emu::syscalls::abi;

namespace {

constexpr uint32_t kStatxBasicStats = 0x7ff, kStatxBtime = 0x800;
constexpr int kAtEmptyPath = 0x1000, kAtSymlinkFollow = 0x400;
constexpr uint32_t kRenameNoreplace = 1, kRenameExchange = 2;

mode_t mode_of(const std::string& path) {
  struct ::stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

}  // namespace

TEST_CASE("statx_fills_the_kernel_struct", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "hello", 0640);
  REQUIRE(::symlink("f", (dir.path + "/link").c_str()) == 0);
  struct ::stat host {};
  REQUIRE(::stat(path.c_str(), &host) == 0);
  const uint64_t buf = g.scratch + 0x1000;

  StraceCapture cap(g);
  REQUIRE(g.call(SYS_statx, uint64_t(kAtFdcwd), g.put_str(path), 0, kStatxBasicStats | kStatxBtime, buf) == 0);
  std::string line = cap.take();
  INFO(line);
  CHECK(line.starts_with(fmt::format("statx(AT_FDCWD, \"{}\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {{stx_mask=", path)));
  CHECK(line.ends_with(", stx_mode=S_IFREG|0640, stx_size=5, ...}) = 0\n"));
  REQUIRE(g.call(SYS_statx, uint64_t(kAtFdcwd), g.put_str(path), 0, kStatxBasicStats, buf) == 0);
  line = cap.take();
  CHECK(line.starts_with(fmt::format("statx(AT_FDCWD, \"{}\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {{stx_mask=",
                                     path)));
  CHECK(line.ends_with(", stx_mode=S_IFREG|0640, stx_size=5, ...}) = 0\n"));
  auto stx = g.get_as<abi::Statx>(buf);
  CHECK((stx.stx_mask & kStatxBasicStats) == kStatxBasicStats);
  CHECK(stx.stx_mode == (S_IFREG | 0640));
  CHECK(stx.stx_size == 5);
  CHECK(stx.stx_ino == host.st_ino);
  CHECK(stx.stx_nlink == 1);
  CHECK(stx.stx_uid == host.st_uid);
  CHECK(stx.stx_mtime.tv_sec == host.st_mtim.tv_sec);
  CHECK(stx.stx_mtime.tv_nsec == uint32_t(host.st_mtim.tv_nsec));
  CHECK(stx.stx_dev_major == major(host.st_dev));
  CHECK(stx.stx_dev_minor == minor(host.st_dev));

  // A symlink, followed or not; a descriptor with an empty path.
  const uint64_t link = g.put_str(dir.path + "/link");
  REQUIRE(g.call(SYS_statx, uint64_t(kAtFdcwd), link, AT_SYMLINK_NOFOLLOW, kStatxBasicStats, buf) == 0);
  CHECK((g.get_as<abi::Statx>(buf).stx_mode & S_IFMT) == S_IFLNK);
  CHECK(cap.take().starts_with(
      fmt::format("statx(AT_FDCWD, \"{}/link\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, ", dir.path)));
  REQUIRE(g.call(SYS_statx, uint64_t(kAtFdcwd), link, 0, kStatxBasicStats, buf) == 0);
  CHECK(g.get_as<abi::Statx>(buf).stx_ino == host.st_ino);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(g.call(SYS_statx, uint64_t(fd), g.put_str(""), kAtEmptyPath, kStatxBasicStats, buf) == 0);
  CHECK(g.get_as<abi::Statx>(buf).stx_ino == host.st_ino);
  ::close(fd);
  // /proc/self/exe is the guest's program.
  struct ::stat exe {};
  REQUIRE(::stat(g.process.exe_path.c_str(), &exe) == 0);
  REQUIRE(g.call(SYS_statx, uint64_t(kAtFdcwd), g.put_str("/proc/self/exe"), 0, kStatxBasicStats, buf) == 0);
  CHECK(g.get_as<abi::Statx>(buf).stx_ino == exe.st_ino);
}

TEST_CASE("statx_errors_come_in_linux_order", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "x");
  const uint64_t p = g.put_str(path), buf = g.scratch + 0x1000;
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), kBad, 0, kStatxBasicStats, buf) == -EFAULT);
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), p, 0, kStatxBasicStats, kBad) == -EFAULT);
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), p, 0x6000, kStatxBasicStats, buf) == -EINVAL);  // both sync kinds
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), p, 0, 0x80000000u, buf) == -EINVAL);           // STATX__RESERVED
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), g.put_str(dir.path + "/none"), 0, kStatxBasicStats, buf) == -ENOENT);
  CHECK(g.call(SYS_statx, 9999, g.put_str("relative"), 0, kStatxBasicStats, buf) == -EBADF);
  // A bad name and bad flags: whichever the kernel checks first.
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), kBad, 0x6000, kStatxBasicStats, buf) ==
        native(SYS_statx, AT_FDCWD, long(kBad), 0x6000, kStatxBasicStats, long(buf)));
  const std::string too_long(5000, 'a');
  CHECK(g.call(SYS_statx, uint64_t(kAtFdcwd), g.put_str(too_long), 0, kStatxBasicStats, buf) == -ENAMETOOLONG);
}

TEST_CASE("linkat_and_symlinkat_make_links", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string a = dir.file("a", "content");
  StraceCapture cap(g);
  CHECK(g.call(SYS_linkat, uint64_t(kAtFdcwd), g.put_str(a), uint64_t(dir.fd), g.put_str("b", 512), 0) == 0);
  CHECK(cap.take() == fmt::format("linkat(AT_FDCWD, \"{}\", {}, \"b\", 0) = 0\n", a, dir.fd));
  struct ::stat st {};
  REQUIRE(::stat(a.c_str(), &st) == 0);
  CHECK(st.st_nlink == 2);
  CHECK(g.call(SYS_symlinkat, g.put_str("a"), uint64_t(dir.fd), g.put_str("s", 512)) == 0);
  CHECK(cap.take() == fmt::format("symlinkat(\"a\", {}, \"s\") = 0\n", dir.fd));
  CHECK(std::filesystem::read_symlink(dir.path + "/s") == "a");
  // A hard link to the symlink itself, or (AT_SYMLINK_FOLLOW) to its target.
  CHECK(g.call(SYS_linkat, uint64_t(dir.fd), g.put_str("s"), uint64_t(dir.fd), g.put_str("s2", 512), 0) == 0);
  CHECK(S_ISLNK(mode_of(dir.path + "/s2")));
  CHECK(g.call(SYS_linkat, uint64_t(dir.fd), g.put_str("s"), uint64_t(dir.fd), g.put_str("t", 512), kAtSymlinkFollow) ==
        0);
  CHECK(S_ISREG(mode_of(dir.path + "/t")));

  CHECK(g.call(SYS_linkat, uint64_t(dir.fd), g.put_str("a"), uint64_t(dir.fd), g.put_str("b", 512), 0) == -EEXIST);
  CHECK(g.call(SYS_symlinkat, g.put_str("x"), uint64_t(dir.fd), g.put_str("a", 512)) == -EEXIST);
  CHECK(g.call(SYS_symlinkat, kBad, uint64_t(dir.fd), g.put_str("new", 512)) == -EFAULT);
  CHECK(g.call(SYS_symlinkat, g.put_str("x"), 9999, g.put_str("new", 512)) == -EBADF);
  CHECK(g.call(SYS_linkat, uint64_t(dir.fd), g.put_str("a"), uint64_t(dir.fd), g.put_str("c", 512), 0x8) == -EINVAL);
  // Bad flags come before a bad name.
  CHECK(g.call(SYS_linkat, uint64_t(dir.fd), kBad, uint64_t(dir.fd), kBad, 0x8) == -EINVAL);
  CHECK(native(SYS_linkat, dir.fd, long(kBad), dir.fd, long(kBad), 0x8) == -EINVAL);
}

TEST_CASE("a_bad_second_name_is_reported_after_the_first_is_resolved", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string a = dir.file("a", "x");
  const std::string missing = dir.path + "/missing/x";
  // link: the old path is looked up first.
  CHECK(g.call(SYS_link, g.put_str(missing), kBad) == native(SYS_link, long(missing.c_str()), long(kBad)));
  CHECK(g.call(SYS_link, g.put_str(missing), kBad) == -ENOENT);
  CHECK(g.call(SYS_link, g.put_str(a), kBad) == -EFAULT);
  // rename: the old path's parent is.
  CHECK(g.call(SYS_rename, g.put_str(missing), kBad) == native(SYS_rename, long(missing.c_str()), long(kBad)));
  CHECK(g.call(SYS_rename, g.put_str(a), kBad) == -EFAULT);
  // symlink: the target is only text, so the new name's fault shows.
  CHECK(g.call(SYS_symlink, g.put_str(missing), kBad) == -EFAULT);
  // unlinkat: bad flags before the name.
  CHECK(g.call(SYS_unlinkat, uint64_t(kAtFdcwd), kBad, 0x1) == -EINVAL);
  CHECK(native(SYS_unlinkat, AT_FDCWD, long(kBad), 0x1) == -EINVAL);
  // A second name without a NUL in PATH_MAX bytes.
  const std::string too_long(5000, 'n');
  CHECK(g.call(SYS_rename, g.put_str(a), g.put_str(too_long, 1024)) == -ENAMETOOLONG);
}

TEST_CASE("fchmodat_and_fchmodat2_change_modes", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string f = dir.file("f", "x");
  REQUIRE(::symlink("f", (dir.path + "/l").c_str()) == 0);
  StraceCapture cap(g);
  CHECK(g.call(SYS_fchmodat, uint64_t(dir.fd), g.put_str("f"), 0600) == 0);
  CHECK(cap.take() == fmt::format("fchmodat({}, \"f\", 0600) = 0\n", dir.fd));
  CHECK((mode_of(f) & 07777) == 0600);
  // Through the symlink (fchmodat always follows).
  CHECK(g.call(SYS_fchmodat, uint64_t(dir.fd), g.put_str("l"), 0640) == 0);
  CHECK((mode_of(f) & 07777) == 0640);
  CHECK(g.call(SYS_fchmodat, uint64_t(dir.fd), g.put_str("none"), 0640) == -ENOENT);
  CHECK(g.call(SYS_fchmodat, uint64_t(dir.fd), kBad, 0640) == -EFAULT);
  CHECK(g.call(SYS_fchmodat, 9999, g.put_str("f"), 0640) == -EBADF);

  constexpr long kFchmodat2 = 452;
  cap.take();
  CHECK(g.call(kFchmodat2, uint64_t(dir.fd), g.put_str("f"), 0604, 0) == 0);
  CHECK(cap.take() == fmt::format("fchmodat2({}, \"f\", 0604, 0) = 0\n", dir.fd));
  CHECK((mode_of(f) & 07777) == 0604);
  // A symlink's own mode cannot change: whatever the host kernel says
  // (EOPNOTSUPP since 6.6), emu says.
  CHECK(g.call(kFchmodat2, uint64_t(dir.fd), g.put_str("l"), 0600, AT_SYMLINK_NOFOLLOW) ==
        native(kFchmodat2, dir.fd, long("l"), 0600, AT_SYMLINK_NOFOLLOW));
  CHECK(g.call(kFchmodat2, uint64_t(dir.fd), g.put_str("f"), 0600, 0x8) ==
        native(kFchmodat2, dir.fd, long("f"), 0600, 0x8));
}

TEST_CASE("renameat2_flags", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  const std::string a = dir.file("a", "A"), b = dir.file("b", "B");
  const uint64_t pa = g.put_str("a", 0), pb = g.put_str("b", 64);
  const uint64_t fd = uint64_t(dir.fd);
  StraceCapture cap(g);
  CHECK(g.call(SYS_renameat2, fd, pa, fd, pb, kRenameNoreplace) == -EEXIST);
  CHECK(cap.take() == fmt::format("renameat2({0}, \"a\", {0}, \"b\", RENAME_NOREPLACE) = -1 EEXIST (File exists)\n",
                                  dir.fd));
  CHECK(g.call(SYS_renameat2, fd, pa, fd, pb, kRenameExchange) == 0);
  CHECK(std::ifstream(a).get() == 'B');
  CHECK(std::ifstream(b).get() == 'A');
  CHECK(g.call(SYS_renameat2, fd, pa, fd, g.put_str("c", 128), kRenameNoreplace) == 0);
  CHECK(!std::filesystem::exists(a));
  CHECK(g.call(SYS_renameat2, fd, pb, fd, g.put_str("c", 128), kRenameNoreplace | kRenameExchange) == -EINVAL);
  CHECK(g.call(SYS_renameat2, fd, pb, fd, g.put_str("c", 128), 0x8) == -EINVAL);
  // Flags are judged before names.
  CHECK(g.call(SYS_renameat2, fd, kBad, fd, kBad, 0x8) == -EINVAL);
  CHECK(native(SYS_renameat2, dir.fd, long(kBad), dir.fd, long(kBad), 0x8) == -EINVAL);
  CHECK(g.call(SYS_renameat2, fd, kBad, fd, pb, 0) == -EFAULT);
}

TEST_CASE("mknod_and_mknodat_make_fifos_and_files", "[syscalls][paths]") {
  Guest g;
  TempDir dir;
  StraceCapture cap(g);
  CHECK(g.call(SYS_mknodat, uint64_t(dir.fd), g.put_str("fifo"), S_IFIFO | 0640, 0) == 0);
  CHECK(cap.take() == fmt::format("mknodat({}, \"fifo\", S_IFIFO|0640) = 0\n", dir.fd));
  CHECK(S_ISFIFO(mode_of(dir.path + "/fifo")));
  const std::string reg = dir.path + "/reg";
  CHECK(g.call(SYS_mknod, g.put_str(reg), S_IFREG | 0600, 0) == 0);
  CHECK(cap.take() == fmt::format("mknod(\"{}\", S_IFREG|0600) = 0\n", reg));
  CHECK(S_ISREG(mode_of(reg)));
  CHECK(g.call(SYS_mknod, g.put_str(reg), S_IFIFO | 0600, 0) == -EEXIST);
  CHECK(g.call(SYS_mknod, kBad, S_IFIFO | 0600, 0) == -EFAULT);
  CHECK(g.call(SYS_mknodat, 9999, g.put_str("x"), S_IFIFO | 0600, 0) == -EBADF);
  CHECK(g.call(SYS_mknodat, uint64_t(dir.fd), g.put_str("d"), S_IFDIR | 0700, 0) == -EPERM);
  cap.take();
  // A device node: created as root, EPERM otherwise; either way the same as natively.
  const int64_t r = g.call(SYS_mknodat, uint64_t(dir.fd), g.put_str("null"), S_IFCHR | 0600, makedev(1, 3));
  CHECK(cap.take().starts_with(fmt::format("mknodat({}, \"null\", S_IFCHR|0600, makedev(0x1, 0x3)) = ", dir.fd)));
  CHECK(r == native(SYS_mknodat, dir.fd, long("null2"), S_IFCHR | 0600, long(makedev(1, 3))));
}

TEST_CASE("flags_and_sizes_are_checked_before_a_bad_name", "[syscalls][paths]") {
  Guest g;
  constexpr int kOTmpfile = 020200000;
  // Each as natively: the same bad address is unmapped here too.
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), kBad, kOTmpfile | O_RDONLY) ==
        native(SYS_openat, AT_FDCWD, long(kBad), kOTmpfile | O_RDONLY));
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), kBad, kOTmpfile | O_RDONLY) == -EINVAL);
  CHECK(g.call(kOpenat, uint64_t(kAtFdcwd), kBad, O_RDONLY) == -EFAULT);
  CHECK(g.call(SYS_access, kBad, 0x10) == -EINVAL);                      // mode bits
  CHECK(g.call(SYS_faccessat2, uint64_t(kAtFdcwd), kBad, 0, 0x8) == -EINVAL);  // flags
  CHECK(g.call(SYS_faccessat2, uint64_t(kAtFdcwd), kBad, 0, 0x8) ==
        native(SYS_faccessat2, AT_FDCWD, long(kBad), 0, 0x8));
  CHECK(g.call(kReadlink, kBad, g.scratch, 0) == -EINVAL);               // size
  CHECK(g.call(kReadlink, kBad, g.scratch, 10) == -EFAULT);
  CHECK(g.call(SYS_utimensat, uint64_t(kAtFdcwd), kBad, 0, 0x8) == -EINVAL);
  CHECK(g.call(SYS_utimensat, uint64_t(kAtFdcwd), kBad, 0, 0x8) == native(SYS_utimensat, AT_FDCWD, long(kBad), 0, 0x8));
  // A NULL name is the host's to judge: EFAULT for stat, "the descriptor
  // itself" for newfstatat with AT_EMPTY_PATH (Linux 6.11+).
  CHECK(g.call(SYS_stat, 0, g.scratch) == -EFAULT);
  const int fd = ::open("/", O_RDONLY);
  struct ::stat st {};
  CHECK(g.call(kNewfstatat, uint64_t(fd), 0, g.scratch, kAtEmptyPath) ==
        native(SYS_newfstatat, fd, 0, long(&st), kAtEmptyPath));
  ::close(fd);
}
