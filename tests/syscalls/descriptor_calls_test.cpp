// Descriptor calls beyond read/write: creat, preadv/pwritev (and the *2
// forms), copy_file_range, sendfile, fcntl record locks and owners, flock,
// fallocate and the terminal ioctls, driven through dispatch(). Expected
// values are Linux's documented behaviour; where the order of two errors
// matters, the same call made natively by this test process is the oracle.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "syscall_test_util.h"
#include "syscalls/abi.h"

using namespace syscalls_test;
namespace abi = emu::syscalls::abi;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("creat_opens_write_only_and_truncates", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "old content");
  StraceCapture cap(g);
  const int64_t fd = g.call(SYS_creat, g.put_str(path), 0600);
  REQUIRE(fd >= 0);
  CHECK(cap.take() == fmt::format("creat(\"{}\", 0600) = {}\n", path, fd));
  CHECK((::fcntl(int(fd), F_GETFL) & O_ACCMODE) == O_WRONLY);
  CHECK(slurp(path).empty());
  CHECK(g.call(kWrite, uint64_t(fd), g.put_str("new"), 3) == 3);
  CHECK(g.call(kRead, uint64_t(fd), g.scratch, 3) == -EBADF);
  ::close(int(fd));
  CHECK(slurp(path) == "new");

  const mode_t old_umask = ::umask(022);
  const std::string fresh = dir.path + "/fresh";
  const int64_t fd2 = g.call(SYS_creat, g.put_str(fresh), 0666);
  REQUIRE(fd2 >= 0);
  struct ::stat st {};
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);  // the umask applies
  ::close(int(fd2));
  ::umask(old_umask);

  CHECK(g.call(SYS_creat, kBad, 0600) == -EFAULT);
  CHECK(g.call(SYS_creat, g.put_str(dir.path + "/missing/f"), 0600) == -ENOENT);
  CHECK(g.call(SYS_creat, g.put_str(dir.path), 0600) == -EISDIR);
}

TEST_CASE("preadv_and_pwritev_work_at_an_offset_and_keep_the_position", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "0123456789");
  const int fd = ::open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::lseek(fd, 2, SEEK_SET) == 2);

  const abi::Iovec out[2] = {{g.put_str("ab", 0), 2}, {g.put_str("cd", 16), 2}};
  const uint64_t out_vec = g.put(out, sizeof out, 64);
  CHECK(g.call(SYS_pwritev, uint64_t(fd), out_vec, 2, 5) == 4);
  CHECK(slurp(path) == "01234abcd9");
  CHECK(::lseek(fd, 0, SEEK_CUR) == 2);

  const abi::Iovec in[2] = {{g.scratch + 200, 3}, {g.scratch + 300, 3}};
  const uint64_t in_vec = g.put(in, sizeof in, 128);
  CHECK(g.call(SYS_preadv, uint64_t(fd), in_vec, 2, 1) == 6);
  CHECK(g.get(g.scratch + 200, 3) == "123");
  CHECK(g.get(g.scratch + 300, 3) == "4ab");
  CHECK(::lseek(fd, 0, SEEK_CUR) == 2);
  // Past the end: 0 bytes.
  CHECK(g.call(SYS_preadv, uint64_t(fd), in_vec, 2, 100) == 0);

  // preadv2/pwritev2 with offset -1 use and advance the file position.
  CHECK(g.call(SYS_preadv2, uint64_t(fd), in_vec, 1, uint64_t(-1), 0, 0) == 3);
  CHECK(g.get(g.scratch + 200, 3) == "234");
  CHECK(::lseek(fd, 0, SEEK_CUR) == 5);
  CHECK(g.call(SYS_pwritev2, uint64_t(fd), out_vec, 1, uint64_t(-1), 0, 0) == 2);
  CHECK(::lseek(fd, 0, SEEK_CUR) == 7);
  CHECK(slurp(path) == "01234abcd9");
  // RWF_ flags reach the host: RWF_DSYNC is accepted, an unknown bit is EOPNOTSUPP.
  CHECK(g.call(SYS_pwritev2, uint64_t(fd), out_vec, 1, 0, 0, 2 /* RWF_DSYNC */) == 2);
  CHECK(slurp(path) == "ab234abcd9");
  CHECK(g.call(SYS_preadv2, uint64_t(fd), in_vec, 1, 0, 0, 0x40000000) == -EOPNOTSUPP);
  ::close(fd);
}

TEST_CASE("vectored_calls_check_in_linux_order", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  HostPipe pipe;
  const std::string path = dir.file("f", "data");
  const int rw = ::open(path.c_str(), O_RDWR), wo = ::open(path.c_str(), O_WRONLY);
  REQUIRE(rw >= 0);
  REQUIRE(wo >= 0);
  const abi::Iovec one{g.scratch + 512, 4};
  const uint64_t vec = g.put(&one, sizeof one, 64);

  // A negative offset before the descriptor.
  CHECK(g.call(SYS_preadv, 9999, vec, 1, uint64_t(-5)) == -EINVAL);
  CHECK(g.call(SYS_preadv2, 9999, vec, 1, uint64_t(-2), 0, 0) == -EINVAL);
  CHECK(g.call(SYS_preadv, 9999, vec, 1, 0) == -EBADF);
  CHECK(g.call(SYS_preadv, uint64_t(pipe.fds[0]), vec, 1, 0) == -ESPIPE);
  CHECK(g.call(SYS_preadv, uint64_t(rw), vec, 1025, 0) == -EINVAL);
  CHECK(g.call(SYS_preadv, uint64_t(rw), kBad, 1, 0) == -EFAULT);
  const abi::Iovec negative{g.scratch + 512, uint64_t(-1)};
  CHECK(g.call(SYS_pwritev, uint64_t(rw), g.put(&negative, sizeof negative, 96), 1, 0) == -EINVAL);
  // Opened for writing only: EBADF, before the iovec array is read (since
  // Linux 6.8 the mode is checked first).
  CHECK(g.call(SYS_preadv, uint64_t(wo), vec, 1, 0) == -EBADF);
  CHECK(g.call(SYS_readv, uint64_t(wo), vec, 1) == -EBADF);
  CHECK(g.call(SYS_preadv, uint64_t(wo), kBad, 1, 0) == native(SYS_preadv, wo, long(kBad), 1, 0));
  CHECK(g.call(SYS_readv, uint64_t(wo), kBad, 1025) == native(SYS_readv, wo, long(kBad), 1025));
  // A bad buffer inside a good array.
  const abi::Iovec bad_buf{kBad, 4};
  CHECK(g.call(SYS_preadv, uint64_t(rw), g.put(&bad_buf, sizeof bad_buf, 96), 1, 0) == -EFAULT);
  // Zero bytes in total: 0, even on a directory (no read is attempted).
  const int dfd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY);
  const abi::Iovec empty{g.scratch, 0};
  const uint64_t empty_vec = g.put(&empty, sizeof empty, 96);
  CHECK(g.call(SYS_readv, uint64_t(dfd), empty_vec, 1) == 0);
  CHECK(g.call(SYS_readv, uint64_t(dfd), vec, 1) == -EISDIR);
  ::close(dfd);
  ::close(rw);
  ::close(wo);
}

TEST_CASE("copy_file_range_copies_and_advances_guest_offsets", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string src_path = dir.file("src", "hello world"), dst_path = dir.file("dst", "");
  const int src = ::open(src_path.c_str(), O_RDONLY), dst = ::open(dst_path.c_str(), O_WRONLY);
  REQUIRE(src >= 0);
  REQUIRE(dst >= 0);
  const int64_t six = 6;
  const uint64_t off_in = g.put(&six, sizeof six, 0);
  StraceCapture cap(g);
  CHECK(g.call(SYS_copy_file_range, uint64_t(src), off_in, uint64_t(dst), 0, 5, 0) == 5);
  // strace shows the offset as it was on entry.
  CHECK(cap.take() == fmt::format("copy_file_range({}, [6], {}, NULL, 5, 0) = 5\n", src, dst));
  CHECK(slurp(dst_path) == "world");
  CHECK(g.get_as<int64_t>(off_in) == 11);
  CHECK(::lseek(src, 0, SEEK_CUR) == 0);  // the given offset moved, not the file position
  CHECK(::lseek(dst, 0, SEEK_CUR) == 5);

  CHECK(g.call(SYS_copy_file_range, uint64_t(src), 0, uint64_t(dst), 0, 5, 1) == -EINVAL);
  CHECK(g.call(SYS_copy_file_range, 9999, 0, uint64_t(dst), 0, 5, 0) == -EBADF);
  CHECK(g.call(SYS_copy_file_range, uint64_t(src), kBad, uint64_t(dst), 0, 5, 0) == -EFAULT);
  CHECK(g.call(SYS_copy_file_range, uint64_t(src), kBad, 9999, 0, 5, 0) == -EBADF);  // descriptors first
  CHECK(g.call(SYS_copy_file_range, uint64_t(src), 0, uint64_t(dst), kBad, 5, 0) == -EFAULT);
  // The copy is done before the offset is written back: an offset in
  // read-only memory is EFAULT with the bytes already copied.
  const uint64_t ro = guest_page(g, kProtRead);
  CHECK(g.call(SYS_copy_file_range, uint64_t(src), ro, uint64_t(dst), 0, 2, 0) == -EFAULT);
  CHECK(slurp(dst_path) == "worldhe");
  ::close(src);
  ::close(dst);
}

TEST_CASE("sendfile_offset_is_read_first_and_always_written_back", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  HostPipe pipe;
  const std::string path = dir.file("f", "abcdef");
  const int src = ::open(path.c_str(), O_RDONLY);
  REQUIRE(src >= 0);
  const int64_t two = 2;
  const uint64_t off = g.put(&two, sizeof two, 0);
  StraceCapture cap(g);
  CHECK(g.call(SYS_sendfile, uint64_t(pipe.fds[1]), uint64_t(src), off, 3) == 3);
  CHECK(cap.take() == fmt::format("sendfile({}, {}, [2] => [5], 3) = 3\n", pipe.fds[1], src));
  char got[8] = {};
  CHECK(::read(pipe.fds[0], got, sizeof got) == 3);
  CHECK(std::string(got) == "cde");
  CHECK(g.get_as<int64_t>(off) == 5);
  CHECK(::lseek(src, 0, SEEK_CUR) == 0);
  // Without an offset the file position moves.
  CHECK(g.call(SYS_sendfile, uint64_t(pipe.fds[1]), uint64_t(src), 0, 4) == 4);
  CHECK(::lseek(src, 0, SEEK_CUR) == 4);

  // The offset is read before the descriptors are looked at.
  CHECK(g.call(SYS_sendfile, 9999, 9999, kBad, 1) == native(SYS_sendfile, 9999, 9999, long(kBad), 1));
  CHECK(g.call(SYS_sendfile, 9999, 9999, kBad, 1) == -EFAULT);
  CHECK(g.call(SYS_sendfile, 9999, uint64_t(src), off, 1) == -EBADF);
  // ... and written back even when the call failed: read-only memory is EFAULT.
  const uint64_t ro = guest_page(g, kProtRead);
  CHECK(g.call(SYS_sendfile, 9999, uint64_t(src), ro, 1) == -EFAULT);
  void* host_ro = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(native(SYS_sendfile, 9999, src, long(host_ro), 1) == -EFAULT);
  ::munmap(host_ro, 4096);
  ::close(src);
}

TEST_CASE("fcntl_record_locks_see_another_process", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", std::string(100, 'x'));
  const int fd = ::open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  // A child holds a write lock on bytes [10, 30) until told to go.
  HostPipe ready, go;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    struct ::flock lk {};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    lk.l_start = 10;
    lk.l_len = 20;
    const char ok = ::fcntl(fd, F_SETLK, &lk) == 0 ? 'y' : 'n';
    (void)!::write(ready.fds[1], &ok, 1);
    char c;
    (void)!::read(go.fds[0], &c, 1);
    ::_exit(0);
  }
  char ok = 0;
  REQUIRE(::read(ready.fds[0], &ok, 1) == 1);
  REQUIRE(ok == 'y');

  abi::Flock query{};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  query.l_start = 0;
  query.l_len = 0;
  const uint64_t lk = g.put(&query, sizeof query, 0);
  StraceCapture cap(g);
  CHECK(g.call(kFcntl, uint64_t(fd), F_GETLK, lk) == 0);
  CHECK(cap.take() == fmt::format("fcntl({}, F_GETLK, {{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=10, l_len=20, "
                                  "l_pid={}}}) = 0\n", fd, child));
  const auto holder = g.get_as<abi::Flock>(lk);
  CHECK(holder.l_type == F_WRLCK);
  CHECK(holder.l_start == 10);
  CHECK(holder.l_len == 20);
  CHECK(holder.l_pid == child);
  // Conflicting: EAGAIN; a range that does not overlap: granted.
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLK, g.put(&query, sizeof query, 0)) == -EAGAIN);
  abi::Flock mine{};
  mine.l_type = F_WRLCK;
  mine.l_start = 50;
  mine.l_len = 10;
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLK, g.put(&mine, sizeof mine, 0)) == 0);
  CHECK(cap.take().find("F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=50, l_len=10}) = 0") !=
        std::string::npos);

  const char c = 'g';
  REQUIRE(::write(go.fds[1], &c, 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  // The lock died with the child: F_SETLKW gets it at once.
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLKW, g.put(&query, sizeof query, 0)) == 0);
  ::close(fd);
}

TEST_CASE("fcntl_lock_arguments_are_checked_in_linux_order", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "x");
  const int fd = ::open(path.c_str(), O_RDWR), opath = ::open(path.c_str(), O_PATH);
  REQUIRE(fd >= 0);
  REQUIRE(opath >= 0);
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLK, kBad) == -EFAULT);
  CHECK(g.call(kFcntl, uint64_t(fd), F_GETLK, kBad) == -EFAULT);
  CHECK(g.call(kFcntl, 9999, F_SETLK, kBad) == -EBADF);
  CHECK(g.call(kFcntl, uint64_t(opath), F_GETLK, kBad) == -EBADF);  // O_PATH: EBADF before the argument
  CHECK(g.call(kFcntl, uint64_t(opath), F_GETLK, kBad) == native(SYS_fcntl, opath, F_GETLK, long(kBad)));
  // F_GETLK answers into read-only memory: EFAULT after the query.
  abi::Flock lk{};
  lk.l_type = F_RDLCK;
  const uint64_t ro = guest_page(g, kProtRead);
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLK, ro) == 0);  // reading the zeroed page: an F_RDLCK of everything
  CHECK(g.call(kFcntl, uint64_t(fd), F_GETLK, ro) == -EFAULT);
  // OFD locks need l_pid == 0, and two open file descriptions conflict
  // within one process (reported with l_pid -1). The POSIX lock goes first:
  // it would conflict with them too.
  lk.l_type = F_UNLCK;
  CHECK(g.call(kFcntl, uint64_t(fd), F_SETLK, g.put(&lk, sizeof lk, 0)) == 0);
  lk.l_type = F_WRLCK;
  lk.l_pid = 1;
  CHECK(g.call(kFcntl, uint64_t(fd), F_OFD_SETLK, g.put(&lk, sizeof lk, 0)) == -EINVAL);
  const int fd2 = ::open(path.c_str(), O_RDWR);
  lk.l_pid = 0;
  CHECK(g.call(kFcntl, uint64_t(fd2), F_OFD_SETLK, g.put(&lk, sizeof lk, 0)) == 0);
  const int fd3 = ::open(path.c_str(), O_RDWR);
  CHECK(g.call(kFcntl, uint64_t(fd3), F_OFD_GETLK, g.put(&lk, sizeof lk, 0)) == 0);
  CHECK(g.get_as<abi::Flock>(g.scratch).l_type == F_WRLCK);
  CHECK(g.get_as<abi::Flock>(g.scratch).l_pid == -1);
  CHECK(g.call(kFcntl, uint64_t(fd3), F_OFD_SETLK, g.put(&lk, sizeof lk, 0)) == -EAGAIN);
  ::close(fd);
  ::close(fd2);
  ::close(fd3);
  ::close(opath);
}

TEST_CASE("fcntl_owner_ex_round_trips", "[syscalls][files]") {
  Guest g;
  HostPipe pipe;
  const abi::FOwnerEx owner{1 /* F_OWNER_PID */, ::getpid()};
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_SETOWN_EX, g.put(&owner, sizeof owner, 0)) == 0);
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_GETOWN_EX, g.scratch + 64) == 0);
  CHECK(g.get_as<abi::FOwnerEx>(g.scratch + 64).pid == ::getpid());
  CHECK(g.get_as<abi::FOwnerEx>(g.scratch + 64).type == 1);
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_GETOWN) == ::getpid());
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_SETOWN_EX, kBad) == -EFAULT);
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_GETOWN_EX, kBad) == -EFAULT);
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_SETSIG, SIGUSR1) == 0);
  CHECK(g.call(kFcntl, uint64_t(pipe.fds[0]), F_GETSIG) == SIGUSR1);
}

TEST_CASE("flock_and_fallocate_reach_the_host", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const std::string path = dir.file("f", "");
  const int a = ::open(path.c_str(), O_RDWR), b = ::open(path.c_str(), O_RDWR);
  StraceCapture cap(g);
  CHECK(g.call(SYS_flock, uint64_t(a), LOCK_EX | LOCK_NB) == 0);
  CHECK(cap.take() == fmt::format("flock({}, LOCK_EX|LOCK_NB) = 0\n", a));
  CHECK(g.call(SYS_flock, uint64_t(b), LOCK_SH | LOCK_NB) == -EWOULDBLOCK);
  CHECK(g.call(SYS_flock, uint64_t(a), LOCK_UN) == 0);
  CHECK(g.call(SYS_flock, uint64_t(b), LOCK_SH | LOCK_NB) == 0);
  CHECK(g.call(SYS_flock, uint64_t(a), 0x40) == -EINVAL);
  CHECK(g.call(SYS_flock, 9999, LOCK_EX) == -EBADF);
  cap.take();
  CHECK(g.call(SYS_fallocate, uint64_t(a), 0, 0, 8192) == 0);
  CHECK(cap.take() == fmt::format("fallocate({}, 0, 0, 8192) = 0\n", a));
  struct ::stat st {};
  REQUIRE(::fstat(a, &st) == 0);
  CHECK(st.st_size == 8192);
  CHECK(g.call(SYS_fallocate, uint64_t(a), 1 /* FALLOC_FL_KEEP_SIZE */, 8192, 4096) == 0);
  REQUIRE(::fstat(a, &st) == 0);
  CHECK(st.st_size == 8192);
  CHECK(g.call(SYS_fallocate, uint64_t(a), 0, 0, 0) == -EINVAL);
  CHECK(g.call(SYS_fallocate, uint64_t(a), 0, uint64_t(-1), 10) == -EINVAL);
  CHECK(g.call(SYS_sync) == 0);
  CHECK(g.call(SYS_syncfs, uint64_t(a)) == 0);
  CHECK(g.call(SYS_syncfs, 9999) == -EBADF);
  ::close(a);
  ::close(b);
}

namespace {

// A pseudo-terminal pair (not our controlling terminal).
struct Pty {
  int master = -1, slave = -1;
  Pty() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
  }
  ~Pty() {
    ::close(slave);
    ::close(master);
  }
};

}  // namespace

TEST_CASE("terminal_ioctls_on_a_pseudo_terminal", "[syscalls][files]") {
  Guest g;
  Pty pty;
  const uint64_t tty = uint64_t(pty.slave);
  // TCGETS: the kernel's struct termios, field for field what tcgetattr sees,
  // printed as strace(1) 6.1 prints a fresh pseudo-terminal's.
  StraceCapture cap(g);
  REQUIRE(g.call(kIoctl, tty, TCGETS, g.scratch) == 0);
  CHECK(cap.take() == fmt::format("ioctl({}, TCGETS, {{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|"
                                  "ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|"
                                  "ECHOCTL|ECHOKE, ...}}) = 0\n", tty));
  struct ::termios host {};
  REQUIRE(::tcgetattr(pty.slave, &host) == 0);
  auto t = g.get_as<abi::Termios>(g.scratch);
  CHECK(t.c_iflag == host.c_iflag);
  CHECK(t.c_oflag == host.c_oflag);
  CHECK(t.c_cflag == host.c_cflag);
  CHECK(t.c_lflag == host.c_lflag);
  CHECK(t.c_line == host.c_line);
  CHECK(std::equal(t.c_cc, t.c_cc + 19, host.c_cc));
  // TCSETS/TCSETSW/TCSETSF change it.
  t.c_lflag &= ~uint32_t(ECHO);
  REQUIRE(g.call(kIoctl, tty, TCSETS, g.put(&t, sizeof t, 0x100)) == 0);
  REQUIRE(::tcgetattr(pty.slave, &host) == 0);
  CHECK((host.c_lflag & ECHO) == 0);
  t.c_lflag &= ~uint32_t(ICANON);
  REQUIRE(g.call(kIoctl, tty, TCSETSW, g.put(&t, sizeof t, 0x100)) == 0);
  REQUIRE(::tcgetattr(pty.slave, &host) == 0);
  CHECK((host.c_lflag & ICANON) == 0);
  t.c_lflag |= ICANON;
  REQUIRE(g.call(kIoctl, tty, TCSETSF, g.put(&t, sizeof t, 0x100)) == 0);
  REQUIRE(::tcgetattr(pty.slave, &host) == 0);
  CHECK((host.c_lflag & ICANON) != 0);

  // Window size.
  const abi::Winsize ws{24, 80, 640, 480};
  cap.take();
  REQUIRE(g.call(kIoctl, tty, TIOCSWINSZ, g.put(&ws, sizeof ws, 0x200)) == 0);
  CHECK(cap.take() == fmt::format("ioctl({}, TIOCSWINSZ, {{ws_row=24, ws_col=80, ws_xpixel=640, ws_ypixel=480}}) = 0\n",
                                  tty));
  struct ::winsize hws {};
  REQUIRE(::ioctl(pty.master, TIOCGWINSZ, &hws) == 0);
  CHECK(hws.ws_row == 24);
  CHECK(hws.ws_col == 80);
  REQUIRE(g.call(kIoctl, tty, TIOCGWINSZ, g.scratch + 0x300) == 0);
  CHECK(g.get_as<abi::Winsize>(g.scratch + 0x300).ws_col == 80);
  CHECK(g.get_as<abi::Winsize>(g.scratch + 0x300).ws_ypixel == 480);
  cap.take();

  // FIONREAD counts a complete canonical line.
  REQUIRE(::write(pty.master, "abc\n", 4) == 4);
  ::usleep(20000);  // the line discipline moves it to the slave side asynchronously
  REQUIRE(g.call(kIoctl, tty, FIONREAD, g.scratch + 0x400) == 0);
  CHECK(g.get_as<int32_t>(g.scratch + 0x400) == 4);
  CHECK(cap.take() == fmt::format("ioctl({}, FIONREAD, [4]) = 0\n", tty));
  // FIONBIO sets O_NONBLOCK.
  const int32_t one = 1;
  REQUIRE(g.call(kIoctl, tty, FIONBIO, g.put(&one, sizeof one, 0x500)) == 0);
  CHECK((::fcntl(pty.slave, F_GETFL) & O_NONBLOCK) != 0);
  // Not our controlling terminal: the process-group requests are ENOTTY
  // (TIOCSPGRP after reading its argument: a bad one is EFAULT, as natively).
  CHECK(g.call(kIoctl, tty, TIOCGPGRP, g.scratch) == -ENOTTY);
  const int32_t pgrp = ::getpgrp();
  CHECK(g.call(kIoctl, tty, TIOCSPGRP, g.put(&pgrp, sizeof pgrp, 0x600)) == -ENOTTY);
  CHECK(g.call(kIoctl, tty, TIOCSPGRP, kBad) == native(SYS_ioctl, pty.slave, TIOCSPGRP, long(kBad)));
  // Bad pointers.
  CHECK(g.call(kIoctl, tty, TCGETS, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, tty, TCSETS, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, tty, TIOCGWINSZ, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, tty, TIOCSWINSZ, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, tty, FIONREAD, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, tty, FIONBIO, kBad) == -EFAULT);
  CHECK(g.call(kIoctl, 9999, TCSETS, kBad) == -EBADF);
}

TEST_CASE("pseudo_terminal_master_ioctls", "[syscalls][files]") {
  Guest g;
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  StraceCapture cap(g);
  // What openpty(3) does: the pty number, unlock, open the peer.
  REQUIRE(g.call(kIoctl, uint64_t(master), TIOCGPTN, g.scratch) == 0);
  int host_number = -1;
  REQUIRE(::ioctl(master, TIOCGPTN, &host_number) == 0);
  CHECK(g.get_as<int32_t>(g.scratch) == host_number);
  CHECK(cap.take() == fmt::format("ioctl({}, TIOCGPTN, [{}]) = 0\n", master, host_number));
  const int32_t unlock = 0;
  CHECK(g.call(kIoctl, uint64_t(master), TIOCSPTLCK, g.put(&unlock, sizeof unlock, 0x100)) == 0);
  CHECK(cap.take() == fmt::format("ioctl({}, TIOCSPTLCK, [0]) = 0\n", master));
  const int64_t peer = g.call(kIoctl, uint64_t(master), TIOCGPTPEER, O_RDWR | O_NOCTTY);
  REQUIRE(peer >= 0);
  CHECK(cap.take() == fmt::format("ioctl({}, TIOCGPTPEER, 0x102) = {}\n", master, peer));
  CHECK(::isatty(int(peer)));
  // termios2 carries the speeds; TCFLSH and TCXONC take their argument directly.
  REQUIRE(g.call(kIoctl, uint64_t(peer), 0x802c542a /* TCGETS2 */, g.scratch + 0x200) == 0);
  CHECK(g.get_as<abi::Termios2>(g.scratch + 0x200).c_ospeed == 38400);
  CHECK(g.call(kIoctl, uint64_t(peer), TCFLSH, TCIOFLUSH) == 0);
  cap.take();
  CHECK(g.call(kIoctl, uint64_t(peer), TCXONC, TCOON) == 0);
  CHECK(cap.take() == fmt::format("ioctl({}, TCXONC, 1) = 0\n", peer));
  CHECK(g.call(kIoctl, uint64_t(peer), TIOCOUTQ, g.scratch) == 0);
  CHECK(g.get_as<int32_t>(g.scratch) == 0);
  CHECK(g.call(kIoctl, uint64_t(peer), TIOCGSID, g.scratch) == -ENOTTY);  // not our controlling terminal
  CHECK(g.call(kIoctl, uint64_t(peer), TIOCEXCL) == 0);
  CHECK(cap.take().ends_with(fmt::format("ioctl({}, TIOCEXCL) = 0\n", peer)));
  CHECK(g.call(kIoctl, uint64_t(peer), TIOCNXCL) == 0);
  ::close(int(peer));
  ::close(master);
}

TEST_CASE("preadv2_prints_like_strace", "[syscalls][files]") {
  Guest g;
  TempDir dir;
  const int fd = ::open(dir.file("f", "rw").c_str(), O_RDONLY);
  const abi::Iovec one{g.scratch + 256, 1};
  const uint64_t vec = g.put(&one, sizeof one);
  StraceCapture cap(g);
  CHECK(g.call(SYS_preadv2, uint64_t(fd), vec, 1, 0, 0, 8 /* RWF_NOWAIT */) == 1);
  CHECK(cap.take() == fmt::format("preadv2({}, [{{iov_base=\"r\", iov_len=1}}], 1, 0, RWF_NOWAIT) = 1\n", fd));
  CHECK(g.call(SYS_preadv, uint64_t(fd), vec, 1, 1) == 1);
  CHECK(cap.take() == fmt::format("preadv({}, [{{iov_base=\"w\", iov_len=1}}], 1, 1) = 1\n", fd));
  ::close(fd);
}

TEST_CASE("terminal_ioctls_on_other_files_are_enotty_first", "[syscalls][files]") {
  Guest g;
  HostPipe pipe;
  // A pipe has no termios: ENOTTY even with a bad argument (never read).
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), TCSETS, kBad) == -ENOTTY);
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), TIOCSWINSZ, kBad) == -ENOTTY);
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), TCSETS, kBad) == native(SYS_ioctl, pipe.fds[0], TCSETS, long(kBad)));
  // FIONBIO is generic: every file reads its argument.
  CHECK(g.call(kIoctl, uint64_t(pipe.fds[0]), FIONBIO, kBad) == -EFAULT);
  StraceCapture cap(g);
  g.call(kIoctl, uint64_t(pipe.fds[0]), TCGETS, g.scratch);
  CHECK(cap.take() == fmt::format("ioctl({}, TCGETS, {:#x}) = -1 ENOTTY (Inappropriate ioctl for device)\n",
                                  pipe.fds[0], g.scratch));
}
