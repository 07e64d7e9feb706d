// A guest process without an interpreter: a Cpu, an AddressSpace and a
// Process, with system calls issued by filling the registers and calling
// dispatch() exactly as the run loop does.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "emu/cpu.h"
#include "mm/address_space.h"
#include "syscalls/syscalls.h"

namespace syscalls_test {

using namespace emu;

// x86-64 syscall numbers used by the tests.
enum : uint64_t {
  kRead = 0, kWrite = 1, kOpen = 2, kClose = 3, kFstat = 5, kLseek = 8, kMmap = 9, kMprotect = 10,
  kMunmap = 11, kBrk = 12, kRtSigaction = 13, kRtSigprocmask = 14, kIoctl = 16, kReadv = 19, kWritev = 20,
  kPipe = 22, kMadvise = 28, kGetpid = 39, kExit = 60, kUname = 63, kFcntl = 72, kGetcwd = 79,
  kReadlink = 89, kArchPrctl = 158, kGettid = 186, kFutex = 202, kClockGettime = 228, kExitGroup = 231,
  kOpenat = 257, kNewfstatat = 262, kReadlinkat = 267, kPipe2 = 293, kPrlimit64 = 302, kGetrandom = 318,
};

constexpr int kProtNone = 0, kProtRead = 1, kProtWrite = 2;
constexpr int kMapPrivate = 2, kMapAnonymous = 0x20, kMapFixed = 0x10;
constexpr int64_t kAtFdcwd = -100;

struct Guest {
  mm::AddressSpace as;
  Cpu cpu;
  syscalls::Process process;
  uint64_t scratch = 0;  // a 64 KiB read-write buffer
  static constexpr uint64_t kBrkStart = 0x600000;

  Guest() {
    mm::Layout layout;
    layout.mmap_base = mm::GuestAddr{0x7ffff7fff000};
    layout.mmap_min = mm::GuestAddr{0x10000};
    layout.brk_start = mm::GuestAddr{kBrkStart};
    layout.stack_top = mm::GuestAddr{0x7ffffffff000};
    as.set_layout(layout);
    cpu.mem = &as;
    process.cpu = &cpu;
    process.mem = &as;
    process.exe_path = "/bin/busybox";
    scratch = uint64_t(call(kMmap, 0, 65536, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, uint64_t(-1), 0));
    REQUIRE(int64_t(scratch) > 0);
  }

  int64_t call(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
               uint64_t a5 = 0) {
    cpu.gpr[RAX] = nr;
    cpu.gpr[RDI] = a0;
    cpu.gpr[RSI] = a1;
    cpu.gpr[RDX] = a2;
    cpu.gpr[R10] = a3;
    cpu.gpr[R8] = a4;
    cpu.gpr[R9] = a5;
    syscalls::dispatch(process);
    return int64_t(cpu.gpr[RAX]);
  }

  // Places bytes (e.g. a string with its NUL) in guest memory; returns the address.
  uint64_t put(const void* data, size_t n, uint64_t offset = 0) {
    REQUIRE(as.copy_out(mm::GuestAddr{scratch + offset}, data, n));
    return scratch + offset;
  }
  uint64_t put_str(const std::string& s, uint64_t offset = 0) { return put(s.c_str(), s.size() + 1, offset); }

  std::string get(uint64_t addr, size_t n) {
    std::string s(n, '\0');
    REQUIRE(as.copy_in(s.data(), mm::GuestAddr{addr}, n));
    return s;
  }
  template <class T>
  T get_as(uint64_t addr) {
    T v{};
    REQUIRE(as.copy_in(&v, mm::GuestAddr{addr}, sizeof v));
    return v;
  }
};

// Collects --strace lines in memory.
class StraceCapture {
 public:
  explicit StraceCapture(Guest& g) : guest_(g) {
    file_ = ::open_memstream(&buf_, &len_);
    g.process.strace = true;
    g.process.strace_out = file_;
  }
  ~StraceCapture() {
    guest_.process.strace = false;
    guest_.process.strace_out = stderr;
    std::fclose(file_);
    std::free(buf_);
  }
  // The text written since the last call.
  std::string take() {
    std::fflush(file_);
    std::string all(buf_, len_);
    std::string fresh = all.substr(consumed_);
    consumed_ = all.size();
    return fresh;
  }

 private:
  Guest& guest_;
  std::FILE* file_ = nullptr;
  char* buf_ = nullptr;
  size_t len_ = 0;
  size_t consumed_ = 0;
};

// A host pipe closed at scope exit.
struct HostPipe {
  int fds[2];
  HostPipe() { REQUIRE(::pipe(fds) == 0); }
  ~HostPipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

// An address unmapped in the guest and (page 1) in this process.
constexpr uint64_t kBad = 0x1000;

// A fresh directory under /tmp, removed with all it holds; `fd` is open on it.
struct TempDir {
  std::string path;
  int fd = -1;
  TempDir() {
    char tmpl[] = "/tmp/emu-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  }
  ~TempDir() {
    ::close(fd);
    std::filesystem::remove_all(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name, const std::string& content, mode_t mode = 0644) const {
    const std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), mode);
    return p;
  }
};

// The result of the same system call made natively by the test process, as
// the handlers report theirs: the value or -errno. The oracle where the
// order of two errors matters.
inline int64_t native(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0) {
  const long r = ::syscall(nr, a0, a1, a2, a3, a4, a5);
  return r < 0 ? -errno : r;
}

// A fresh guest page with protection `prot`.
inline uint64_t guest_page(Guest& g, int prot) {
  const int64_t addr = g.call(kMmap, 0, 4096, uint64_t(prot), kMapPrivate | kMapAnonymous, uint64_t(-1), 0);
  REQUIRE(addr > 0);
  return uint64_t(addr);
}

}  // namespace syscalls_test
