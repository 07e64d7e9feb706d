// Results and errors of the file, directory, polling and terminal system
// calls, one line per case, to be compared with a native run: creat,
// preadv/pwritev(2), copy_file_range, sendfile, fcntl locks, flock,
// fallocate, statx, linkat, symlinkat, fchmodat(2), renameat2, mknodat,
// poll/ppoll/select/pselect6 and the terminal ioctls on a pseudo-terminal.
// Calls go through syscall(2), so both C libraries make the same ones. Bad
// pointers are an unmapped address and a read-only page. Nothing printed
// depends on the run: no paths, inode numbers or descriptor numbers.
#include "mm_check.h"  // first: it defines _GNU_SOURCE

#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

// struct statx as the kernel writes it (musl's headers may lack it).
struct kstatx {
  uint32_t mask, blksize;
  uint64_t attributes;
  uint32_t nlink, uid, gid;
  uint16_t mode, pad;
  uint64_t ino, size, blocks, attributes_mask;
  uint8_t rest[256 - 64];
};
enum { kStatxSize = 0x200, kStatxBasicStats = 0x7ff };

// syscall(2) is variadic: 64-bit arguments must be passed as long, or a
// negative int arrives with garbage (or zero) upper bits.
#define L(x) ((long)(x))

static void* const kBad = (void*)0x1000;
static char* ro_page;  // PROT_READ

// "what: fd" for a descriptor (their numbers may differ), else as report().
static void report_fd(const char* what, long ret) {
  if (ret >= 0) {
    printf("%s: fd\n", what);
    close((int)ret);
  } else {
    report(what, ret);
  }
}

static int open_file(const char* name, const char* content, int flags) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) die("create a file");
  close(fd);
  fd = open(name, flags);
  if (fd < 0) die("open a file");
  return fd;
}

static void creat_cases(void) {
  open_file("c", "old", O_RDONLY);
  long fd = syscall(SYS_creat, "c", 0600);
  struct stat st;
  fstat((int)fd, &st);
  printf("creat existing: size %lld, write-only %s\n", (long long)st.st_size,
         (fcntl((int)fd, F_GETFL) & O_ACCMODE) == O_WRONLY ? "yes" : "no");
  close((int)fd);
  report_fd("creat bad path", syscall(SYS_creat, kBad, 0600));
  report_fd("creat missing directory", syscall(SYS_creat, "missing/c", 0600));
  report_fd("creat directory", syscall(SYS_creat, ".", 0600));
}

static void vector_cases(void) {
  int fd = open_file("v", "0123456789", O_RDWR);
  int wo = open("v", O_WRONLY);
  int p[2];
  if (pipe(p) != 0) die("pipe");
  char a[4] = "ab", b[4] = "cd", in1[4] = {0}, in2[4] = {0};
  struct iovec out[2] = {{a, 2}, {b, 2}}, in[2] = {{in1, 3}, {in2, 3}};
  lseek(fd, 2, SEEK_SET);
  report("pwritev at 5", syscall(SYS_pwritev, fd, out, 2, 5, 0));
  report("position after pwritev", lseek(fd, 0, SEEK_CUR));
  report("preadv at 1", syscall(SYS_preadv, fd, in, 2, 1, 0));
  printf("preadv data: %.3s %.3s\n", in1, in2);
  report("preadv2 at -1", syscall(SYS_preadv2, fd, in, 1, L(-1), 0, 0));
  report("position after preadv2", lseek(fd, 0, SEEK_CUR));
  report("preadv2 unknown flag", syscall(SYS_preadv2, fd, in, 1, 0, 0, 0x40000000));
  report("pwritev2 RWF_DSYNC", syscall(SYS_pwritev2, fd, out, 1, 0, 0, 2));
  report("preadv negative offset, bad fd", syscall(SYS_preadv, 999, in, 1, L(-5), 0));
  report("preadv bad fd", syscall(SYS_preadv, 999, in, 1, 0, 0));
  report("preadv pipe", syscall(SYS_preadv, p[0], in, 1, 0, 0));
  report("preadv 1025 vectors", syscall(SYS_preadv, fd, in, 1025, 0, 0));
  report("preadv bad vector array", syscall(SYS_preadv, fd, kBad, 1, 0, 0));
  report("preadv write-only, bad array", syscall(SYS_preadv, wo, kBad, 1, 0, 0));
  report("readv write-only", syscall(SYS_readv, wo, in, 1));
  struct iovec bad_buf = {kBad, 4}, ro_buf = {ro_page, 4}, negative = {a, (size_t)-1};
  report("preadv bad buffer", syscall(SYS_preadv, fd, &bad_buf, 1, 0, 0));
  report("preadv read-only buffer", syscall(SYS_preadv, fd, &ro_buf, 1, 0, 0));
  report("pwritev read-only buffer", syscall(SYS_pwritev, fd, &ro_buf, 1, 20, 0));
  report("pwritev negative length", syscall(SYS_pwritev, fd, &negative, 1, 0, 0));
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  struct iovec empty = {a, 0};
  report("readv directory, zero bytes", syscall(SYS_readv, dir, &empty, 1));
  report("readv directory", syscall(SYS_readv, dir, in, 1));
  close(dir);
  close(fd);
  close(wo);
  close(p[0]);
  close(p[1]);
}

// write(2) from a mapping of the file written: Linux copies a chunk at a
// time and, when a copy faults, extends the file to the write position and
// faults the source in again, so pages past the end of the file when the
// call began can be read once the write has grown the file.
static void self_mapping_cases(int flags, const char* kind) {
  static const long at[] = {4096 + 100, 8192, 20480};
  static const int src_page[] = {0, 2, 2};
  static const long len[] = {3 * 4096, 100, 100};
  for (int i = 0; i < 3; ++i) {
    int fd = open_file("m", "", O_RDWR);
    if (ftruncate(fd, 4096 + 100) != 0) die("ftruncate");
    char* m = mmap(NULL, 6 * kPage, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (m == MAP_FAILED) die("mmap");
    char what[96];
    snprintf(what, sizeof what, "%s: write at %ld from page %d, %ld bytes", kind, at[i], src_page[i], len[i]);
    report(what, syscall(SYS_pwrite64, fd, m + src_page[i] * kPage + 8, len[i], at[i]));
    struct stat st;
    fstat(fd, &st);
    printf("  file size after: %lld\n", (long long)st.st_size);
    munmap(m, 6 * kPage);
    close(fd);
  }
}

// writev to a pipe where a later buffer faults: the pipe keeps whole pages
// only, after merging `total % PAGE_SIZE` bytes (the length of every
// buffer counted) into its last, partly filled one.
static void pipe_fault_cases(void) {
  int p[2];
  if (pipe(p) != 0) die("pipe");
  static char big[3 * 4096];
  memset(big, 'x', sizeof big);
  report("pipe: first write", write(p[1], "0123456789", 10));
  struct iovec v[4] = {{big, 8192}, {kBad, 100}, {big, 100}, {big, 1}};
  report("pipe: writev, second buffer faults", syscall(SYS_writev, p[1], v, 4));
  report("pipe: writev, first buffer faults", syscall(SYS_writev, p[1], v + 1, 3));
  close(p[0]);
  close(p[1]);
}

static void copy_cases(void) {
  int src = open_file("src", "hello world", O_RDONLY);
  int dst = open_file("dst", "", O_WRONLY);
  int p[2];
  if (pipe(p) != 0) die("pipe");
  loff_t off = 6;
  report("copy_file_range", syscall(SYS_copy_file_range, src, &off, dst, NULL, 5, 0));
  printf("copy_file_range offset after: %lld, dst position %lld\n", (long long)off, (long long)lseek(dst, 0, SEEK_CUR));
  report("copy_file_range flags", syscall(SYS_copy_file_range, src, NULL, dst, NULL, 5, 1));
  report("copy_file_range bad fd", syscall(SYS_copy_file_range, 999, NULL, dst, NULL, 5, 0));
  report("copy_file_range bad offset", syscall(SYS_copy_file_range, src, kBad, dst, NULL, 5, 0));
  report("copy_file_range bad offset, bad fd", syscall(SYS_copy_file_range, src, kBad, 999, NULL, 5, 0));
  report("copy_file_range read-only offset", syscall(SYS_copy_file_range, src, ro_page, dst, NULL, 2, 0));
  off = 2;
  report("sendfile with offset", syscall(SYS_sendfile, p[1], src, &off, 3));
  printf("sendfile offset after: %lld, src position %lld\n", (long long)off, (long long)lseek(src, 0, SEEK_CUR));
  report("sendfile bad offset, bad fds", syscall(SYS_sendfile, 999, 999, kBad, 1));
  report("sendfile read-only offset, bad fd", syscall(SYS_sendfile, 999, src, ro_page, 1));
  report("sendfile bad out fd", syscall(SYS_sendfile, 999, src, NULL, 1));
  close(src);
  close(dst);
  close(p[0]);
  close(p[1]);
}

static void lock_cases(void) {
  int a = open_file("l", "lock me", O_RDWR), b = open("l", O_RDWR), opath = open("l", O_PATH);
  struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  report("F_SETLK", syscall(SYS_fcntl, a, F_SETLK, &lk));
  lk.l_type = F_WRLCK;
  report("F_GETLK own lock", syscall(SYS_fcntl, b, F_GETLK, &lk));
  printf("F_GETLK type: %s\n", lk.l_type == F_UNLCK ? "F_UNLCK" : "locked");
  lk.l_type = F_WRLCK;
  report("F_OFD_SETLK over a POSIX lock", syscall(SYS_fcntl, b, F_OFD_SETLK, &lk));
  lk.l_type = F_UNLCK;
  report("F_SETLK unlock", syscall(SYS_fcntl, a, F_SETLK, &lk));
  lk.l_type = F_WRLCK;
  report("F_OFD_SETLK", syscall(SYS_fcntl, a, F_OFD_SETLK, &lk));
  report("F_OFD_GETLK other description", syscall(SYS_fcntl, b, F_OFD_GETLK, &lk));
  printf("F_OFD_GETLK: type %s, pid %d\n", lk.l_type == F_WRLCK ? "F_WRLCK" : "other", lk.l_pid);
  lk.l_type = F_WRLCK;
  lk.l_pid = 0;
  report("F_OFD_SETLK conflicting", syscall(SYS_fcntl, b, F_OFD_SETLK, &lk));
  lk.l_pid = 1;
  report("F_OFD_SETLK with l_pid", syscall(SYS_fcntl, b, F_OFD_SETLK, &lk));
  report("F_SETLK bad pointer", syscall(SYS_fcntl, a, F_SETLK, kBad));
  report("F_SETLK bad pointer, bad fd", syscall(SYS_fcntl, 999, F_SETLK, kBad));
  report("F_GETLK bad pointer, O_PATH fd", syscall(SYS_fcntl, opath, F_GETLK, kBad));
  report("F_GETLK read-only struct", syscall(SYS_fcntl, a, F_GETLK, ro_page));
  report("flock exclusive", syscall(SYS_flock, a, LOCK_EX | LOCK_NB));
  report("flock other description", syscall(SYS_flock, b, LOCK_SH | LOCK_NB));
  report("flock bad operation", syscall(SYS_flock, a, 0x40));
  report("fallocate 8192", syscall(SYS_fallocate, a, 0, 0, 8192));
  struct stat st;
  fstat(a, &st);
  printf("size after fallocate: %lld\n", (long long)st.st_size);
  report("fallocate zero length", syscall(SYS_fallocate, a, 0, 0, 0));
  report("fallocate negative offset", syscall(SYS_fallocate, a, 0, L(-1), 10));
  report("fallocate read-only fd", syscall(SYS_fallocate, opath, 0, 0, 10));
  close(a);
  close(b);
  close(opath);
}

static void path_cases(void) {
  close(open_file("p", "path data", O_RDONLY));
  struct kstatx stx;
  report("statx", syscall(SYS_statx, AT_FDCWD, "p", 0, kStatxBasicStats, &stx));
  printf("statx: mode %o, size %llu, nlink %u, basic stats %s\n", stx.mode, (unsigned long long)stx.size,
         stx.nlink, (stx.mask & kStatxBasicStats) == kStatxBasicStats ? "yes" : "no");
  report("symlinkat", syscall(SYS_symlinkat, "p", AT_FDCWD, "s"));
  report("statx nofollow", syscall(SYS_statx, AT_FDCWD, "s", AT_SYMLINK_NOFOLLOW, kStatxBasicStats, &stx));
  printf("statx nofollow: symlink %s\n", S_ISLNK(stx.mode) ? "yes" : "no");
  int fd = open("p", O_RDONLY);
  report("statx AT_EMPTY_PATH", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, kStatxSize, &stx));
  close(fd);
  report("statx bad path", syscall(SYS_statx, AT_FDCWD, kBad, 0, kStatxBasicStats, &stx));
  report("statx bad buffer", syscall(SYS_statx, AT_FDCWD, "p", 0, kStatxBasicStats, kBad));
  report("statx both sync kinds", syscall(SYS_statx, AT_FDCWD, "p", 0x6000, kStatxBasicStats, &stx));
  report("statx both sync kinds, bad path", syscall(SYS_statx, AT_FDCWD, kBad, 0x6000, kStatxBasicStats, &stx));
  report("statx reserved mask", syscall(SYS_statx, AT_FDCWD, "p", 0, 0x80000000u, &stx));
  report("linkat", syscall(SYS_linkat, AT_FDCWD, "p", AT_FDCWD, "h", 0));
  report("linkat exists", syscall(SYS_linkat, AT_FDCWD, "p", AT_FDCWD, "h", 0));
  report("linkat follow", syscall(SYS_linkat, AT_FDCWD, "s", AT_FDCWD, "h2", AT_SYMLINK_FOLLOW));
  report("linkat bad flags, bad names", syscall(SYS_linkat, AT_FDCWD, kBad, AT_FDCWD, kBad, 8));
  report("link missing, bad new name", syscall(SYS_link, "missing/x", kBad));
  report("link, bad new name", syscall(SYS_link, "p", kBad));
  report("symlinkat bad target", syscall(SYS_symlinkat, kBad, AT_FDCWD, "s2"));
  report("fchmodat", syscall(SYS_fchmodat, AT_FDCWD, "p", 0600));
  report("fchmodat2", syscall(SYS_fchmodat2, AT_FDCWD, "p", 0640, 0));
  report("fchmodat2 symlink nofollow", syscall(SYS_fchmodat2, AT_FDCWD, "s", 0600, AT_SYMLINK_NOFOLLOW));
  report("fchmodat2 bad flags", syscall(SYS_fchmodat2, AT_FDCWD, "p", 0600, 8));
  struct stat st;
  stat("p", &st);
  printf("mode now: %o\n", st.st_mode & 07777);
  close(open_file("q", "Q", O_RDONLY));
  report("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE));
  report("renameat2 EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "p", AT_FDCWD, "q", RENAME_EXCHANGE));
  report("renameat2 NOREPLACE|EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "p", AT_FDCWD, "q", 3));
  report("renameat2 bad flags, bad names", syscall(SYS_renameat2, AT_FDCWD, kBad, AT_FDCWD, kBad, 8));
  report("rename missing parent, bad new name", syscall(SYS_rename, "missing/x", kBad));
  report("mknodat fifo", syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0600, 0));
  report("mknodat directory", syscall(SYS_mknodat, AT_FDCWD, "d", S_IFDIR | 0700, 0));
  report("mknod exists", syscall(SYS_mknod, "fifo", S_IFIFO | 0600, 0));
  report("unlinkat bad flags, bad name", syscall(SYS_unlinkat, AT_FDCWD, kBad, 1));
  report("openat O_TMPFILE read-only, bad name", syscall(SYS_openat, AT_FDCWD, kBad, O_TMPFILE | O_RDONLY));
  report("access bad mode, bad name", syscall(SYS_access, kBad, 0x10));
  report("readlink size 0, bad name", syscall(SYS_readlink, kBad, ro_page, 0));
  report("utimensat bad flags, bad name", syscall(SYS_utimensat, AT_FDCWD, kBad, NULL, 8));
  char* long_name = malloc(5000);
  memset(long_name, 'n', 4999);
  long_name[4999] = 0;
  report("rename long new name", syscall(SYS_rename, "q", long_name));
  free(long_name);
}

static void poll_cases(void) {
  int ready[2], idle[2];
  if (pipe(ready) != 0 || pipe(idle) != 0) die("pipe");
  if (write(ready[1], "x", 1) != 1) die("write");
  struct pollfd fds[4] = {{ready[0], POLLIN, 0}, {ready[1], POLLOUT, 0}, {-1, POLLIN, 7}, {999, POLLIN, 0}};
  report("poll", syscall(SYS_poll, fds, 4, 0));
  printf("revents: %x %x %x %x\n", fds[0].revents, fds[1].revents, fds[2].revents, fds[3].revents);
  struct pollfd none = {idle[0], POLLIN, 0};
  report("poll timeout", syscall(SYS_poll, &none, 1, 10));
  report("poll bad array", syscall(SYS_poll, kBad, 1, 0));
  report("poll read-only array", syscall(SYS_poll, ro_page, 1, 0));
  report("poll too many", syscall(SYS_poll, kBad, L(1 << 30), 0));
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  struct timespec zero = {0, 0}, bad_ns = {0, 1000000000};
  report("ppoll", syscall(SYS_ppoll, fds, 1, &zero, &usr1, 8));
  report("ppoll bad timeout", syscall(SYS_ppoll, fds, 1, kBad, &usr1, 8));
  report("ppoll invalid timeout, bad mask", syscall(SYS_ppoll, fds, 1, &bad_ns, kBad, 8));
  report("ppoll sigsetsize 4", syscall(SYS_ppoll, fds, 1, &zero, &usr1, 4));
  report("ppoll bad mask", syscall(SYS_ppoll, fds, 1, &zero, kBad, 8));
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("SIGUSR1 blocked after ppoll: %s\n", sigismember(&now, SIGUSR1) ? "yes" : "no");
  fd_set in, out;
  FD_ZERO(&in);
  FD_ZERO(&out);
  FD_SET(ready[0], &in);
  FD_SET(idle[0], &in);
  FD_SET(ready[1], &out);
  int n = (ready[0] > idle[0] ? ready[0] : idle[0]) + 1;
  if (ready[1] + 1 > n) n = ready[1] + 1;
  report("select", syscall(SYS_select, n, &in, &out, NULL, NULL));
  printf("select sets: ready %d, idle %d, out %d\n", FD_ISSET(ready[0], &in), FD_ISSET(idle[0], &in),
         FD_ISSET(ready[1], &out));
  struct timeval tv0 = {0, 0}, tv_bad = {0, -1};
  FD_ZERO(&in);
  FD_SET(idle[0], &in);
  report("select timeout", syscall(SYS_select, n, &in, NULL, NULL, &tv0));
  report("select negative n", syscall(SYS_select, L(-1), kBad, NULL, NULL, NULL));
  report("select invalid timeout, bad set", syscall(SYS_select, n, kBad, NULL, NULL, &tv_bad));
  report("select bad set", syscall(SYS_select, n, kBad, NULL, NULL, NULL));
  fd_set closed;
  FD_ZERO(&closed);
  FD_SET(60, &closed);
  report("select closed fd", syscall(SYS_select, 61, &closed, NULL, NULL, NULL));
  struct {
    const sigset_t* set;
    size_t size;
  } pack = {&usr1, 8}, short_pack = {&usr1, 4};
  FD_ZERO(&in);
  FD_SET(idle[0], &in);
  report("pselect6", syscall(SYS_pselect6, n, &in, NULL, NULL, &zero, &pack));
  report("pselect6 bad pack", syscall(SYS_pselect6, n, &in, NULL, NULL, &zero, kBad));
  report("pselect6 short sigset", syscall(SYS_pselect6, n, &in, NULL, NULL, &zero, &short_pack));
  report("pselect6 invalid timeout", syscall(SYS_pselect6, n, &in, NULL, NULL, &bad_ns, &pack));
}

static void terminal_cases(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) die("posix_openpt");
  int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (tty < 0) die("open the pty");
  struct termios t;  // the C library's struct: TCGETS fills its kernel-sized prefix
  report("TCGETS", syscall(SYS_ioctl, tty, TCGETS, &t));
  printf("termios: iflag %o oflag %o cflag %o lflag %o vmin %d\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag,
         t.c_cc[VMIN]);
  t.c_lflag &= ~(ECHO | ICANON);
  report("TCSETS", syscall(SYS_ioctl, tty, TCSETS, &t));
  report("TCSETSW", syscall(SYS_ioctl, tty, TCSETSW, &t));
  t.c_lflag |= ICANON;
  report("TCSETSF", syscall(SYS_ioctl, tty, TCSETSF, &t));
  struct termios back;
  syscall(SYS_ioctl, tty, TCGETS, &back);
  printf("lflag now: %o\n", back.c_lflag);
  struct winsize ws = {24, 80, 640, 480}, got = {0, 0, 0, 0};
  report("TIOCSWINSZ", syscall(SYS_ioctl, tty, TIOCSWINSZ, &ws));
  report("TIOCGWINSZ", syscall(SYS_ioctl, master, TIOCGWINSZ, &got));
  printf("winsize: %d %d %d %d\n", got.ws_row, got.ws_col, got.ws_xpixel, got.ws_ypixel);
  if (write(master, "abc\n", 4) != 4) die("write to the pty");
  usleep(20000);
  int n = -1;
  report("FIONREAD", syscall(SYS_ioctl, tty, FIONREAD, &n));
  printf("FIONREAD: %d\n", n);
  int one = 1;
  report("FIONBIO", syscall(SYS_ioctl, tty, FIONBIO, &one));
  printf("O_NONBLOCK: %s\n", (fcntl(tty, F_GETFL) & O_NONBLOCK) ? "yes" : "no");
  pid_t pgrp = getpgrp();
  report("TIOCGPGRP not controlling", syscall(SYS_ioctl, tty, TIOCGPGRP, &pgrp));
  report("TIOCSPGRP not controlling", syscall(SYS_ioctl, tty, TIOCSPGRP, &pgrp));
  report("TIOCSPGRP bad pointer", syscall(SYS_ioctl, tty, TIOCSPGRP, kBad));
  report("TIOCGSID not controlling", syscall(SYS_ioctl, tty, TIOCGSID, &pgrp));
  report("TIOCOUTQ", syscall(SYS_ioctl, tty, TIOCOUTQ, &n));
  report("TCFLSH", syscall(SYS_ioctl, tty, TCFLSH, TCIOFLUSH));
  report("TCGETS bad pointer", syscall(SYS_ioctl, tty, TCGETS, kBad));
  report("TCSETS bad pointer", syscall(SYS_ioctl, tty, TCSETS, kBad));
  report("TIOCGWINSZ read-only", syscall(SYS_ioctl, tty, TIOCGWINSZ, ro_page));
  report("FIONBIO bad pointer", syscall(SYS_ioctl, tty, FIONBIO, kBad));
  report("TIOCGPTN", syscall(SYS_ioctl, master, TIOCGPTN, &n));
  report_fd("TIOCGPTPEER", syscall(SYS_ioctl, master, TIOCGPTPEER, O_RDWR | O_NOCTTY));
  int p[2];
  if (pipe(p) != 0) die("pipe");
  report("TCGETS pipe", syscall(SYS_ioctl, p[0], TCGETS, &t));
  report("TCSETS pipe, bad pointer", syscall(SYS_ioctl, p[0], TCSETS, kBad));
  report("TIOCSWINSZ pipe, bad pointer", syscall(SYS_ioctl, p[0], TIOCSWINSZ, kBad));
  report("FIONBIO pipe, bad pointer", syscall(SYS_ioctl, p[0], FIONBIO, kBad));
  report("unknown request", syscall(SYS_ioctl, p[0], 0xdeadbeef, 0));
  report("unknown request, bad fd", syscall(SYS_ioctl, 999, 0xdeadbeef, 0));
  close(tty);
  close(master);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  ro_page = mmap(NULL, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char dir[] = "/tmp/file_errno.XXXXXX";
  if (ro_page == MAP_FAILED || !mkdtemp(dir) || chdir(dir) != 0) die("set up");
  creat_cases();
  vector_cases();
  self_mapping_cases(MAP_SHARED, "shared");
  self_mapping_cases(MAP_PRIVATE, "private");
  pipe_fault_cases();
  copy_cases();
  lock_cases();
  path_cases();
  poll_cases();
  terminal_cases();
  const char* names[] = {"c", "v", "m", "src", "dst", "l", "p", "s", "h", "h2", "q", "fifo", NULL};
  for (int i = 0; names[i]; ++i) unlink(names[i]);
  if (chdir("/") != 0 || rmdir(dir) != 0) die("clean up");
  return 0;
}
