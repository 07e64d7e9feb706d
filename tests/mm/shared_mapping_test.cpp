// MAP_SHARED memory (frame-slot remap onto the host page cache), msync,
// MAP_POPULATE / MADV_POPULATE_*, and the --mem-limit commit check.
// Expected values are Linux's: the errno tables were taken from a native run
// on this machine (Linux 6.18), the coherence cases from page-cache semantics.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "mm/guest_fault.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;
using emu::mm::test::fault_of;
using emu::mm::test::kTestBrkStart;
using emu::mm::test::limit_of;
using emu::mm::test::load;
using emu::mm::test::pages_of;
using emu::mm::test::set_test_layout;
using emu::mm::test::store;

namespace {

constexpr uint64_t kA = 0x200000000;
constexpr uint64_t kB = 0x300000000;
constexpr int kAnon = MAP_PRIVATE | MAP_ANONYMOUS;

// What most cases start from: an address space with the test layout and a
// memory limit, and a Tlb attached for the interpreter's loads and stores.
struct Space {
  AddressSpace as;
  Tlb tlb;
  explicit Space(uint64_t mem_limit = 64 << 20) : as(limit_of(mem_limit)) {
    set_test_layout(as);
    as.attach(&tlb);
  }
  ~Space() { as.detach(&tlb); }

  // mmap(MAP_SHARED | MAP_FIXED) of fd at addr, which must succeed.
  void map_shared(uint64_t addr, uint64_t len, int prot, int fd, uint64_t offset = 0) {
    REQUIRE(as.mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, fd, offset) == int64_t(addr));
  }
};

// A Space whose memory limit is MemLimit bytes.
template <uint64_t MemLimit>
struct LimitedSpace : Space {
  LimitedSpace() : Space(MemLimit) {}
};

std::string pread_string(int fd, size_t n, off_t off) {
  std::string s(n, '\0');
  REQUIRE(pread(fd, s.data(), n, off) == ssize_t(n));
  return s;
}

std::string guest_string(AddressSpace& as, uint64_t addr, size_t n) {
  std::string s(n, '\0');
  REQUIRE(as.copy_in(s.data(), GuestAddr{addr}, n));
  return s;
}

// Lines of the HOST's /proc/self/maps that map the file with this inode.
int host_mappings_of(int fd) {
  struct stat st {};
  REQUIRE(fstat(fd, &st) == 0);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  const std::string inode = fmt::format(" {} ", st.st_ino);
  const std::string dev = fmt::format(" {:02x}:{:02x} ", major(st.st_dev), minor(st.st_dev));
  while (std::getline(maps, line)) {
    if (line.find(dev) != std::string::npos && line.find(inode) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

// ---- shared file mappings: coherence with the file and other mappings -------------

TEST_CASE_METHOD(Space, "a shared file mapping's writes reach the file and a second mapping of it", "[shared][file]") {
  TempFile file(std::string(8192, 'a'));
  map_shared(kA, 8192, PROT_READ | PROT_WRITE, file.fd());
  map_shared(kB, 4096, PROT_READ, file.fd(), 4096);
  CHECK(as.check_invariants() == "");
  CHECK(guest_string(as, kB, 4) == "aaaa");  // populated before the write: must still see it

  // Through the syscall gateway and through the interpreter's TLB path.
  REQUIRE(as.copy_out(GuestAddr{kA + 10}, "gateway", 7));
  store<uint32_t>(as, tlb, kA + 4096 + 8, 0x21425554);  // "TUB!"
  CHECK(as.check_invariants() == "");
  CHECK(pread_string(file.fd(), 7, 10) == "gateway");
  CHECK(pread_string(file.fd(), 4, 4096 + 8) == "TUB!");
  CHECK(guest_string(as, kB + 8, 4) == "TUB!");
  CHECK(as.stats().frames.in_use == 3);
}

TEST_CASE_METHOD(Space, "pwrite to the file is seen by guest reads through a shared mapping", "[shared][file]") {
  TempFile file(std::string(4096, 'x'));
  map_shared(kA, 4096, PROT_READ, file.fd());
  CHECK(load<uint8_t>(as, tlb, kA + 100) == 'x');  // populated, and now in the TLB
  REQUIRE(pwrite(file.fd(), "NEW", 3, 100) == 3);
  CHECK(load<uint8_t>(as, tlb, kA + 100) == 'N');
  CHECK(guest_string(as, kA + 100, 3) == "NEW");
}

TEST_CASE_METHOD(Space, "guest read(2) into a shared mapping lands in the file", "[shared][file]") {
  TempFile file(std::string(4096, '.'));
  map_shared(kA, 4096, PROT_READ | PROT_WRITE, file.fd());
  std::vector<iovec> iov;
  REQUIRE(as.host_iovecs(GuestAddr{kA + 1}, 5, Access::Write, iov));
  REQUIRE(iov.size() == 1);
  std::memcpy(iov[0].iov_base, "hello", 5);  // what the host read() does with the iovec
  CHECK(pread_string(file.fd(), 7, 0) == ".hello.");
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Space, "munmap of a shared file mapping keeps the data and leaves no host mapping of the file",
                 "[shared][file]") {
  TempFile file(std::string(3 * 4096, 'z'));
  const int before = host_mappings_of(file.fd());
  map_shared(kA, 3 * 4096, PROT_READ | PROT_WRITE, file.fd());
  for (uint64_t i = 0; i < 3; ++i) REQUIRE(as.copy_out(GuestAddr{kA + i * 4096}, "W", 1));
  CHECK(as.stats().frames.in_use == 3);
  CHECK(host_mappings_of(file.fd()) > before);
  REQUIRE(as.munmap(kA, 3 * 4096) == 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 0);
  CHECK(host_mappings_of(file.fd()) == before);
  for (uint64_t i = 0; i < 3; ++i) CHECK(pread_string(file.fd(), 2, off_t(i * 4096)) == "Wz");
}

TEST_CASE_METHOD(Space, "madvise(MADV_DONTNEED) on a shared mapping keeps the data, as the page cache does",
                 "[shared][file]") {
  TempFile file(std::string(4096, 'q'));
  map_shared(kA, 4096, PROT_READ | PROT_WRITE, file.fd());
  REQUIRE(as.copy_out(GuestAddr{kA}, "kept", 4));
  REQUIRE(as.madvise(kA, 4096, MADV_DONTNEED) == 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 0);
  CHECK(guest_string(as, kA, 4) == "kept");
  CHECK(as.check_invariants() == "");
}

TEST_CASE("a freed shared slot goes to the released list, never the hot one, and reads zero", "[shared][frames]") {
  TempFile file(std::string(4096, 'f'));
  FrameAllocator frames(FrameAllocatorOptions{.limit_bytes = 1 << 20});
  const std::optional<FrameNum> f = frames.allocate_slot();
  REQUIRE(f);
  REQUIRE(frames.map_host_shared(*f, file.fd(), 0, true) == 0);
  CHECK(frames.host(*f)[0] == 'f');
  const size_t hot = frames.hot_count();
  const size_t released = frames.released_count();
  frames.free_host_shared(*f);
  CHECK(frames.check_invariants() == "");
  CHECK(frames.hot_count() == hot);
  CHECK(frames.released_count() == released + 1);
  CHECK(frames.host(*f)[0] == 0);
  CHECK(pread_string(file.fd(), 1, 0) == "f");  // the re-anonymised slot no longer writes the file
  const std::optional<FrameNum> again = frames.allocate();
  REQUIRE(again);
  CHECK(*again == *f);
  frames.host(*again)[0] = 'X';
  CHECK(pread_string(file.fd(), 1, 0) == "f");
  frames.free(*again);
  CHECK(frames.check_invariants() == "");
}

TEST_CASE("a refused host mapping leaves the slot usable: freed to the released list", "[shared][frames]") {
  FrameAllocator frames(FrameAllocatorOptions{.limit_bytes = 1 << 20});
  const std::optional<FrameNum> f = frames.allocate_slot();
  REQUIRE(f);
  CHECK(frames.map_host_shared(*f, -1, 0, true) == EBADF);
  frames.free_host_shared(*f);
  CHECK(frames.check_invariants() == "");
  CHECK(frames.stats().in_use == 0);
  const std::optional<FrameNum> again = frames.allocate();
  REQUIRE(again);
  CHECK(frames.host(*again)[100] == 0);
  frames.host(*again)[100] = 1;  // writable anonymous memory again
  frames.free(*again);
  CHECK(frames.check_invariants() == "");
}

TEST_CASE_METHOD(Space, "a shared page wholly past EOF is SIGBUS; the partial last page reads zero past EOF",
                 "[shared][file]") {
  TempFile file(std::string(100, 'e'));
  map_shared(kA, 2 * 4096, PROT_READ | PROT_WRITE, file.fd());
  CHECK(load<uint8_t>(as, tlb, kA + 99) == 'e');
  CHECK(load<uint8_t>(as, tlb, kA + 100) == 0);
  const GuestFault g = fault_of([&] { load<uint8_t>(as, tlb, kA + 4096 + 5); });
  CHECK(g.signo == SIGBUS);
  CHECK(g.code == kBusAdrErr);
  CHECK(g.addr == kA + 4096 + 5);
  uint8_t b = 1;
  CHECK_FALSE(as.copy_out(GuestAddr{kA + 4096}, &b, 1));
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 1);
  // The file grows: the page exists now.
  REQUIRE(ftruncate(file.fd(), 8192) == 0);
  CHECK(load<uint8_t>(as, tlb, kA + 4096 + 5) == 0);
  store<uint8_t>(as, tlb, kA + 4096 + 5, 'g');
  CHECK(pread_string(file.fd(), 1, 4096 + 5) == "g");
}

TEST_CASE_METHOD(Space, "shared mappings of a read-only descriptor cannot become writable", "[shared][file][errno]") {
  TempFile file("read only");
  const int rdonly = open(file.path().c_str(), O_RDONLY);
  REQUIRE(rdonly >= 0);
  CHECK(as.mmap(kA, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, rdonly, 0) == -EACCES);
  map_shared(kA, 4096, PROT_READ, rdonly);
  CHECK(as.mprotect(kA, 4096, PROT_READ | PROT_WRITE) == -EACCES);
  CHECK(as.madvise(kA, 4096, MADV_POPULATE_WRITE) == -EINVAL);
  CHECK(guest_string(as, kA, 4) == "read");
  REQUIRE(pwrite(file.fd(), "READ", 4, 0) == 4);  // still the file's page, not a copy
  CHECK(guest_string(as, kA, 4) == "READ");
  CHECK(as.proc_maps().find("r--s") != std::string::npos);
  // A writable descriptor of the same file may map it writable, beside the read-only one.
  map_shared(kB, 4096, PROT_READ | PROT_WRITE, file.fd());
  REQUIRE(as.copy_out(GuestAddr{kB}, "both", 4));
  CHECK(guest_string(as, kA, 4) == "both");
  // Read-only shared mapping of a writable descriptor: mprotect may add write.
  REQUIRE(as.mprotect(kB, 4096, PROT_READ) == 0);
  CHECK(as.mprotect(kB, 4096, PROT_READ | PROT_WRITE) == 0);
  CHECK(as.check_invariants() == "");
  REQUIRE(as.munmap(kA, 4096) == 0);
  REQUIRE(as.munmap(kB, 4096) == 0);
  CHECK(as.check_invariants() == "");
  close(rdonly);
}

// ---- shared anonymous memory -------------------------------------------------------

TEST_CASE_METHOD(Space, "shared anonymous memory is zero filled, readable and writable, and freed by munmap",
                 "[shared][anon]") {
  const int64_t a = as.mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(a > 0);
  CHECK(as.check_invariants() == "");
  CHECK(load<uint64_t>(as, tlb, uint64_t(a) + 8) == 0);
  store<uint64_t>(as, tlb, uint64_t(a) + 4096, 0x1122334455667788);
  CHECK(load<uint64_t>(as, tlb, uint64_t(a) + 4096) == 0x1122334455667788);
  CHECK(as.check_invariants() == "");
  // MADV_DONTNEED only unmaps the pages: shmem keeps the data (Linux).
  REQUIRE(as.madvise(uint64_t(a), 3 * 4096, MADV_DONTNEED) == 0);
  CHECK(as.check_invariants() == "");
  CHECK(load<uint64_t>(as, tlb, uint64_t(a) + 4096) == 0x1122334455667788);
  CHECK(as.madvise(uint64_t(a), 4096, MADV_FREE) == -EINVAL);
  CHECK(as.stats().resident_pages[int(RegionKind::Anonymous)] == 1);  // page 1, read back
  REQUIRE(as.munmap(uint64_t(a), 3 * 4096) == 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 0);
}

TEST_CASE_METHOD(Space, "shared anonymous memory shows in the maps as Linux's shmem", "[shared][anon][maps]") {
  REQUIRE(as.mmap(kA, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          int64_t(kA));
  const int zero = open("/dev/zero", O_RDWR);
  REQUIRE(zero >= 0);
  map_shared(kB, 4096, PROT_READ, zero);
  close(zero);
  // Linux (native run): the middle page unmapped, the third keeps its shmem offset 0x2000.
  REQUIRE(as.munmap(kA + 4096, 4096) == 0);
  CHECK(as.check_invariants() == "");
  const std::string maps = as.proc_maps();
  INFO(maps);
  auto line_at = [&](uint64_t addr) {
    const size_t at = maps.find(fmt::format("{:08x}-", addr));
    REQUIRE(at != std::string::npos);
    return maps.substr(at, maps.find('\n', at) - at);
  };
  const std::string first = line_at(kA), third = line_at(kA + 2 * 4096), dev_zero = line_at(kB);
  CHECK(first.starts_with("200000000-200001000 rw-s 00000000 00:01 "));
  CHECK(third.starts_with("200002000-200003000 rw-s 00002000 00:01 "));
  CHECK(dev_zero.starts_with("300000000-300001000 r--s 00000000 00:01 "));
  for (const std::string& l : {first, third, dev_zero}) {
    CHECK(l.ends_with(" /dev/zero (deleted)"));
    CHECK(l.size() == 73 + std::string("/dev/zero (deleted)").size());
  }
  // One shmem object per mmap: the two mappings have different inodes.
  auto inode = [](const std::string& l) { return std::stoull(l.substr(l.find(" 00:01 ") + 7)); };
  CHECK(inode(first) == inode(third));
  CHECK(inode(first) != inode(dev_zero));
}

TEST_CASE_METHOD(Space, "mmap of shared anonymous memory rejects what Linux's anonymous branch rejects",
                 "[shared][anon][errno]") {
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0) == -EINVAL);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0) == -EINVAL);
  CHECK(as.check_invariants() == "");
}

// ---- msync --------------------------------------------------------------------------

TEST_CASE_METHOD(Space, "msync argument checks and holes follow Linux's order and errno", "[msync][errno]") {
  TempFile file(std::string(3 * 4096, 's'));
  map_shared(kA, 3 * 4096, PROT_READ | PROT_WRITE, file.fd());
  CHECK(as.msync(kA, 4096, 8) == -EINVAL);                        // unknown flag
  CHECK(as.msync(kA + 1, 4096, MS_SYNC) == -EINVAL);              // unaligned
  CHECK(as.msync(kA, 4096, MS_SYNC | MS_ASYNC) == -EINVAL);       // both
  CHECK(as.msync(kA + 1, 4096, 8) == -EINVAL);
  CHECK(as.msync(kA, 0, MS_SYNC) == 0);                           // empty
  CHECK(as.msync(kA, UINT64_MAX, MS_SYNC) == 0);                  // rounds (wrapping) to 0
  CHECK(as.msync(kA, uint64_t(-8192), MS_SYNC) == -ENOMEM);       // end wraps below start
  CHECK(as.msync(0x10000, 4096, MS_SYNC) == -ENOMEM);             // unmapped
  CHECK(as.msync(0x10000, 4096, MS_ASYNC) == -ENOMEM);
  CHECK(as.msync(0x10000, 4096, MS_ASYNC | MS_INVALIDATE) == -ENOMEM);
  CHECK(as.msync(0x7ffffffff000, 4096, 0) == -ENOMEM);
  CHECK(as.msync(0x800000000000, 4096, 0) == -ENOMEM);
  CHECK(as.msync(kA, 3 * 4096, MS_SYNC) == 0);
  CHECK(as.msync(kA, 3 * 4096, MS_ASYNC | MS_INVALIDATE) == 0);
  REQUIRE(as.munmap(kA + 4096, 4096) == 0);
  CHECK(as.msync(kA, 3 * 4096, MS_SYNC) == -ENOMEM);
  CHECK(as.msync(kA, 3 * 4096, MS_ASYNC) == -ENOMEM);
  CHECK(as.msync(kA, 3 * 4096, 0) == -ENOMEM);
  CHECK(as.msync(kA, 4096, 0) == 0);
  CHECK(as.msync(kA + 2 * 4096, 4096, MS_SYNC) == 0);
  // Private and anonymous memory can be msynced too (nothing to write).
  REQUIRE(as.mmap(kB, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == int64_t(kB));
  CHECK(as.msync(kB, 4096, MS_SYNC) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Space, "msync(MS_SYNC) leaves a shared mapping's data in the file", "[msync]") {
  TempFile file(std::string(4096, '-'));
  map_shared(kA, 4096, PROT_READ | PROT_WRITE, file.fd());
  REQUIRE(as.copy_out(GuestAddr{kA}, "synced", 6));
  CHECK(as.msync(kA, 4096, MS_SYNC) == 0);
  CHECK(pread_string(file.fd(), 6, 0) == "synced");
}

// ---- MAP_POPULATE and MADV_POPULATE_* -----------------------------------------------------

TEST_CASE_METHOD(Space, "MAP_POPULATE populates every page at mmap time", "[populate]") {
  const int64_t a = as.mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_POPULATE, -1, 0);
  REQUIRE(a > 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 8);
  TempFile file(std::string(2 * 4096 + 1, 'p'));
  // Three pages of a file of two pages and a byte: all three exist.
  REQUIRE(as.mmap(kA, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE, file.fd(), 0) ==
          int64_t(kA));
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 8 + 3);
  // PROT_NONE is not populated; MAP_NONBLOCK turns MAP_POPULATE off.
  REQUIRE(as.mmap(0, 4 * 4096, PROT_NONE, kAnon | MAP_POPULATE, -1, 0) > 0);
  REQUIRE(as.mmap(0, 4 * 4096, PROT_READ, kAnon | MAP_POPULATE | MAP_NONBLOCK, -1, 0) > 0);
  CHECK(as.stats().frames.in_use == 8 + 3);
  // Exec-only pages are (FOLL_FORCE).
  REQUIRE(as.mmap(0, 2 * 4096, PROT_EXEC, kAnon | MAP_POPULATE, -1, 0) > 0);
  CHECK(as.stats().frames.in_use == 8 + 3 + 2);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(LimitedSpace<16 * 4096>, "MAP_POPULATE is best effort: it stops quietly at the memory limit",
                 "[populate][limit]") {
  const int64_t a = as.mmap(0, 64 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_POPULATE | MAP_NORESERVE, -1, 0);
  REQUIRE(a > 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 16);
}

TEST_CASE_METHOD(Space, "MADV_POPULATE_READ/WRITE check permissions, holes and EOF as Linux", "[populate][errno]") {
  REQUIRE(as.mmap(kA, 4 * 4096, PROT_NONE, kAnon | MAP_FIXED, -1, 0) == int64_t(kA));
  CHECK(as.madvise(kA, 4096, MADV_POPULATE_READ) == -EINVAL);  // PROT_NONE
  REQUIRE(as.mprotect(kA, 4096, PROT_WRITE) == 0);
  CHECK(as.madvise(kA, 4096, MADV_POPULATE_READ) == -EINVAL);  // write-only has no VM_READ
  CHECK(as.madvise(kA, 4096, MADV_POPULATE_WRITE) == 0);
  REQUIRE(as.mprotect(kA + 4096, 4096, PROT_READ) == 0);
  CHECK(as.madvise(kA + 4096, 4096, MADV_POPULATE_READ) == 0);
  CHECK(as.madvise(kA + 4096, 4096, MADV_POPULATE_WRITE) == -EINVAL);
  REQUIRE(as.mprotect(kA + 2 * 4096, 4096, PROT_EXEC) == 0);
  CHECK(as.madvise(kA + 2 * 4096, 4096, MADV_POPULATE_READ) == -EINVAL);
  CHECK(as.stats().frames.in_use == 2);
  CHECK(as.check_invariants() == "");
  // A hole: the pages before it are populated, then ENOMEM.
  REQUIRE(as.munmap(kA + 3 * 4096, 4096) == 0);
  REQUIRE(as.mprotect(kA, 3 * 4096, PROT_READ | PROT_WRITE) == 0);
  CHECK(as.madvise(kA, 4 * 4096, MADV_POPULATE_WRITE) == -ENOMEM);
  CHECK(as.stats().frames.in_use == 3);
  CHECK(as.madvise(kA + 3 * 4096, 4096, MADV_POPULATE_READ) == -ENOMEM);
  CHECK(as.check_invariants() == "");
  // Past EOF is EFAULT (the access would be SIGBUS).
  TempFile file("hi");
  map_shared(kB, 3 * 4096, PROT_READ | PROT_WRITE, file.fd());
  CHECK(as.madvise(kB, 3 * 4096, MADV_POPULATE_READ) == -EFAULT);
  CHECK(as.madvise(kB, 4096, MADV_POPULATE_WRITE) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(LimitedSpace<4 * 4096>, "MADV_POPULATE_WRITE out of frames is ENOMEM", "[populate][limit]") {
  REQUIRE(as.mmap(kA, 8 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_FIXED | MAP_NORESERVE, -1, 0) == int64_t(kA));
  CHECK(as.madvise(kA, 8 * 4096, MADV_POPULATE_WRITE) == -ENOMEM);
  CHECK(as.stats().frames.in_use == 4);
  CHECK(as.check_invariants() == "");
}

// ---- --mem-limit commit accounting ------------------------------------------------------

TEST_CASE_METHOD(LimitedSpace<16 * 4096>, "an accountable mapping larger than the free memory under the limit is ENOMEM",
                 "[limit][errno]") {
  CHECK(as.mmap(0, 17 * 4096, PROT_READ | PROT_WRITE, kAnon, -1, 0) == -ENOMEM);
  CHECK(as.mmap(0, 17 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == -ENOMEM);
  // shmem is charged whatever its protection (shmem_acct_size).
  CHECK(as.mmap(0, 17 * 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == -ENOMEM);
  CHECK(as.check_invariants() == "");
  CHECK(as.regions().node_count() == 0);
  // Not accountable: MAP_NORESERVE, read-only private, shared file.
  CHECK(as.mmap(0, 17 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_NORESERVE, -1, 0) > 0);
  CHECK(as.mmap(0, 17 * 4096, PROT_READ, kAnon, -1, 0) > 0);
  TempFile file(std::string(4096, 'l'));
  CHECK(as.mmap(0, 17 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd(), 0) > 0);
  // Private writable file mappings are accountable.
  CHECK(as.mmap(0, 17 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd(), 0) == -ENOMEM);
  CHECK(as.check_invariants() == "");
  // What counts is what is free now: with 10 frames in use, 7 pages no longer fit.
  const int64_t a = as.mmap(0, 10 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_POPULATE, -1, 0);
  REQUIRE(a > 0);
  CHECK(as.stats().frames.in_use == 10);
  CHECK(as.mmap(0, 7 * 4096, PROT_READ | PROT_WRITE, kAnon, -1, 0) == -ENOMEM);
  CHECK(as.mmap(0, 6 * 4096, PROT_READ | PROT_WRITE, kAnon, -1, 0) > 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(LimitedSpace<16 * 4096>, "brk growth past the free memory under the limit is refused",
                 "[limit][brk]") {
  const uint64_t start = as.brk(0);
  CHECK(start == kTestBrkStart);
  CHECK(as.brk(start + 17 * 4096) == start);
  CHECK(as.check_invariants() == "");
  CHECK(as.brk(start + 16 * 4096) == start + 16 * 4096);
  CHECK(as.check_invariants() == "");
  // Judged against frames in use, not against earlier grants: nothing is touched yet.
  CHECK(as.brk(start + 17 * 4096) == start + 17 * 4096);
  REQUIRE(as.madvise(start, 16 * 4096, MADV_POPULATE_WRITE) == 0);
  CHECK(as.brk(start + 18 * 4096) == start + 17 * 4096);
  CHECK(as.check_invariants() == "");
}

// ---- private file mappings: page-cache views until the first write ---------------

TEST_CASE_METHOD(Space, "a private file page read before it is written follows the file; written, it is a private copy",
                 "[private][file][cow]") {
  TempFile file(std::string(8192, 'a'));
  REQUIRE(as.mmap(kA, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kA));
  CHECK(load<uint8_t>(as, tlb, kA) == 'a');            // both pages read: views of the page cache
  CHECK(load<uint8_t>(as, tlb, kA + 4096) == 'a');
  CHECK(as.check_invariants() == "");
  CHECK(host_mappings_of(file.fd()) >= 1);  // the host may merge the two views

  // Linux: the file's later changes show through pages not yet written.
  REQUIRE(pwrite(file.fd(), "b", 1, 1) == 1);
  CHECK(load<uint8_t>(as, tlb, kA + 1) == 'b');

  // The first write copies the page (the TLB read entry must not go stale).
  store<uint8_t>(as, tlb, kA + 2, 'W');
  CHECK(as.check_invariants() == "");
  CHECK(load<uint8_t>(as, tlb, kA + 1) == 'b');        // the copy kept the bytes
  CHECK(pread_string(file.fd(), 3, 0) == "aba");       // the file did not see the write
  REQUIRE(pwrite(file.fd(), "c", 1, 1) == 1);
  CHECK(load<uint8_t>(as, tlb, kA + 1) == 'b');        // nor does the copy see the file now
  CHECK(as.stats().frames.in_use == 2);

  // The gateway's writes break the view too.
  REQUIRE(as.copy_out(GuestAddr{kA + 4096}, "gw", 2));
  CHECK(pread_string(file.fd(), 2, 4096) == "aa");
  CHECK(as.check_invariants() == "");

  // MADV_DONTNEED drops the private copy: the page reads the file again.
  REQUIRE(as.madvise(kA, 4096, MADV_DONTNEED) == 0);
  CHECK(load<uint8_t>(as, tlb, kA + 1) == 'c');
  CHECK(load<uint8_t>(as, tlb, kA + 2) == 'a');
  CHECK(as.check_invariants() == "");

  REQUIRE(as.munmap(kA, 8192) == 0);
  CHECK(as.stats().frames.in_use == 0);
  CHECK(host_mappings_of(file.fd()) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Space, "the executable image's private pages are copies, not views", "[private][file][cow]") {
  TempFile file(std::string(4096, 'i'));
  REQUIRE(as.map_fixed(pages_of(kA, kA + 4096), Prot::Read | Prot::Exec, RegionKind::Image, file.fd(), 0) == 0);
  CHECK(guest_string(as, kA, 1) == "i");
  CHECK(host_mappings_of(file.fd()) == 0);
  CHECK(as.check_invariants() == "");
}
