// mmap/munmap/mprotect/brk: Linux argument checks and results.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "mm/address_space.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;
using emu::mm::test::limit_of;
using emu::mm::test::set_test_layout;

namespace {

constexpr int kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr uint64_t kBase = emu::mm::test::kTestMmapBase;  // set_test_layout's mmap_base

}  // namespace

TEST_CASE("mmap without a hint places mappings top-down below mmap_base", "[mmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  int64_t a = as.mmap(0, 4096, PROT_READ, kAnon, -1, 0);
  int64_t b = as.mmap(0, 8192, PROT_READ | PROT_WRITE, kAnon, -1, 0);
  CHECK(a == int64_t(kBase - 4096));
  CHECK(b == int64_t(kBase - 4096 - 8192));
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mmap honours a free hint and ignores a taken one", "[mmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  CHECK(as.mmap(0x200000000, 4096, PROT_READ, kAnon, -1, 0) == 0x200000000);
  // Unaligned hint is rounded down.
  CHECK(as.mmap(0x300000123, 4096, PROT_READ, kAnon, -1, 0) == 0x300000000);
  // Taken: falls back to the top-down search.
  CHECK(as.mmap(0x200000000, 4096, PROT_READ, kAnon, -1, 0) == int64_t(kBase - 4096));
  // A hint below mmap_min_addr is raised to it.
  CHECK(as.mmap(0x1000, 4096, PROT_READ, kAnon, -1, 0) == 0x10000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_32BIT takes a hint only where its search looks, below 2 GiB", "[mmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  // Below 2 GiB (even under 1 GiB, where the search starts): honoured.
  CHECK(as.mmap(0x50000000, 4096, PROT_READ, kAnon | MAP_32BIT, -1, 0) == 0x50000000);
  CHECK(as.mmap(0x20000000, 4096, PROT_READ, kAnon | MAP_32BIT, -1, 0) == 0x20000000);
  // Ending past 2 GiB, or above it: ignored; the first free page from 1 GiB up.
  CHECK(as.mmap(0x7ffff000, 8192, PROT_READ, kAnon | MAP_32BIT, -1, 0) == 0x40000000);
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, kAnon | MAP_32BIT, -1, 0) == 0x40002000);
  // Without MAP_32BIT the same hint is honoured.
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, kAnon, -1, 0) == 0x300000000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_FIXED_NOREPLACE is never a hint: an unaligned address is EINVAL", "[mmap][errno]") {
  // As Linux 6.18 answers natively, whether the page is free or taken.
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 8192, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  CHECK(as.mmap(0x200000064, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == -EINVAL);
  CHECK(as.mmap(0x300000064, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == -EINVAL);
  CHECK(as.mmap(0x200001000, 8192, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == -EEXIST);
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == 0x300000000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mmap at a fixed address in the error range returns the address as the error", "[mmap][errno]") {
  // Linux's IS_ERR_VALUE: errno 1 at (void*)-1, 4095 at -4095 (checked natively).
  AddressSpace as(limit_of());
  set_test_layout(as);
  for (int fixed : {MAP_FIXED, MAP_FIXED_NOREPLACE}) {
    CHECK(as.mmap(uint64_t(-1), 4096, PROT_READ, kAnon | fixed, -1, 0) == -1);
    CHECK(as.mmap(uint64_t(-2), 4096, PROT_READ, kAnon | fixed, -1, 0) == -2);
    CHECK(as.mmap(uint64_t(-4095), 4096, PROT_READ, kAnon | fixed, -1, 0) == -4095);
    CHECK(as.mmap(uint64_t(-4096), 4096, PROT_READ, kAnon | fixed, -1, 0) == -ENOMEM);
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mmap argument errors match Linux", "[mmap][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  SECTION("length 0 is EINVAL") { CHECK(as.mmap(0, 0, PROT_READ, kAnon, -1, 0) == -EINVAL); }
  SECTION("unaligned offset is EINVAL") { CHECK(as.mmap(0, 4096, PROT_READ, kAnon, -1, 1) == -EINVAL); }
  SECTION("unaligned MAP_FIXED address is EINVAL") {
    CHECK(as.mmap(0x200000001, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == -EINVAL);
  }
  SECTION("no mapping type is EINVAL") { CHECK(as.mmap(0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == -EINVAL); }
  SECTION("anonymous memory takes MAP_SHARED or MAP_PRIVATE only: SHARED_VALIDATE (3) and 4 are EINVAL") {
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_ANONYMOUS | 0x03, -1, 0) == -EINVAL);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_ANONYMOUS | 0x04, -1, 0) == -EINVAL);
  }
  SECTION("a bad fd for a file mapping is EBADF") {
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, -1, 0) == -EBADF);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, 999999, 0) == -EBADF);
  }
  SECTION("a length that overflows when rounded is ENOMEM") {
    CHECK(as.mmap(0, UINT64_MAX - 10, PROT_READ, kAnon, -1, 0) == -ENOMEM);
  }
  SECTION("a length past user space is ENOMEM") {
    CHECK(as.mmap(0, uint64_t{1} << 47, PROT_READ, kAnon, -1, 0) == -ENOMEM);
  }
  SECTION("MAP_FIXED past the top of user space is ENOMEM") {
    CHECK(as.mmap(kUserTop - 4096, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == -ENOMEM);
    CHECK(as.mmap(kUserTop - 8192, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == int64_t(kUserTop - 8192));
  }
  SECTION("MAP_FIXED below mmap_min_addr is EPERM") {
    CHECK(as.mmap(0, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == -EPERM);
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_FIXED replaces what was there; MAP_FIXED_NOREPLACE refuses with EEXIST", "[mmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 3 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  uint32_t v = 0xdeadbeef;
  REQUIRE(as.copy_out(GuestAddr{0x200001000}, &v, 4));
  CHECK(as.mmap(0x200001000, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == -EEXIST);
  CHECK(as.mmap(0x200001000, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x200001000);
  uint32_t got = 1;
  REQUIRE(as.copy_in(&got, GuestAddr{0x200001000}, 4));
  CHECK(got == 0);  // a fresh zero page replaced the old data
  CHECK(as.regions().node_count() == 3);
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == 0x300000000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("munmap errors and unmapping holes match Linux", "[munmap][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  CHECK(as.munmap(0x200000000, 4096) == 0);  // nothing there: fine
  CHECK(as.munmap(0x200000001, 4096) == -EINVAL);
  CHECK(as.munmap(0x200000000, 0) == -EINVAL);
  CHECK(as.munmap(kUserTop, 4096) == -EINVAL);
  CHECK(as.munmap(0x200000000, UINT64_MAX) == -EINVAL);
}

TEST_CASE("munmap splits the middle of a region", "[munmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 3 * 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  CHECK(as.munmap(0x200001000, 4096) == 0);
  CHECK(as.regions().node_count() == 2);
  CHECK(as.regions().find(GuestAddr{0x200001000}.page()) == nullptr);
  CHECK(as.regions().find(GuestAddr{0x200002000}.page()) != nullptr);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mprotect errors match Linux", "[mprotect][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 2 * 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  CHECK(as.mprotect(0x200000001, 4096, PROT_READ) == -EINVAL);
  CHECK(as.mprotect(0x200000000, 0, PROT_READ) == 0);
  CHECK(as.mprotect(0x200000000, 4096, 0x10) == -EINVAL);
  CHECK(as.mprotect(0x200000000, 4096, PROT_GROWSDOWN | PROT_GROWSUP) == -EINVAL);
  CHECK(as.mprotect(0x300000000, 4096, PROT_READ) == -ENOMEM);  // unmapped
  CHECK(as.mprotect(0x200000000, UINT64_MAX - 100, PROT_READ) == -ENOMEM);  // overflow
  SECTION("a hole after the first region: the part before it changes, then ENOMEM") {
    CHECK(as.mprotect(0x200000000, 3 * 4096, PROT_READ | PROT_WRITE) == -ENOMEM);
    const Region* r = as.regions().find(GuestAddr{0x200000000}.page());
    REQUIRE(r);
    CHECK(r->attrs.prot == (Prot::Read | Prot::Write));
    CHECK(r->range.end.addr().value == 0x200002000);
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mprotect splits a region, and restoring the protection merges it again", "[mprotect]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 3 * 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  CHECK(as.mprotect(0x200001000, 4096, PROT_READ | PROT_WRITE) == 0);
  CHECK(as.regions().node_count() == 3);
  CHECK(as.mprotect(0x200001000, 4096, PROT_READ) == 0);
  CHECK(as.regions().node_count() == 1);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("PROT_WRITE alone maps readable memory but shows -w- in maps", "[mmap]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  REQUIRE(as.mmap(0x200000000, 4096, PROT_WRITE, kAnon | MAP_FIXED, -1, 0) == 0x200000000);
  uint8_t b = 7;
  CHECK(as.copy_out(GuestAddr{0x200000000}, &b, 1));
  CHECK(as.copy_in(&b, GuestAddr{0x200000000}, 1));
  CHECK(as.proc_maps() == "200000000-200001000 -w-p 00000000 00:00 0 \n");
  CHECK(as.check_invariants() == "");
}

TEST_CASE("mapping a large region populates nothing until touched", "[mmap][demand]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  // MAP_NORESERVE: 1 GiB is more than the 64 MiB limit could ever commit.
  int64_t a = as.mmap(0, uint64_t{1} << 30, PROT_READ | PROT_WRITE, kAnon | MAP_NORESERVE, -1, 0);
  REQUIRE(a > 0);
  CHECK(as.stats().frames.in_use == 0);
  uint64_t v = 42;
  REQUIRE(as.copy_out(GuestAddr{uint64_t(a) + (500 << 20)}, &v, 8));
  AddressSpaceStats s = as.stats();
  CHECK(s.frames.in_use == 1);
  CHECK(s.resident_pages[int(RegionKind::Anonymous)] == 1);
  CHECK(as.munmap(uint64_t(a), uint64_t{1} << 30) == 0);
  CHECK(as.stats().frames.in_use == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("file-backed private mappings read the file and zero past EOF", "[mmap][file]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  std::string content(4096 + 100, 'x');
  for (size_t i = 0; i < content.size(); ++i) content[i] = char('a' + i % 26);
  TempFile file(content);
  const int64_t a = as.mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd(), 0);
  REQUIRE(a > 0);
  std::string got(4096 + 100, '\0');
  REQUIRE(as.copy_in(got.data(), GuestAddr{uint64_t(a)}, got.size()));
  CHECK(got == content);
  uint8_t tail[4096 - 100];
  REQUIRE(as.copy_in(tail, GuestAddr{uint64_t(a) + 4096 + 100}, sizeof tail));
  CHECK(std::all_of(std::begin(tail), std::end(tail), [](uint8_t c) { return c == 0; }));
  SECTION("a page wholly past EOF cannot be read (SIGBUS on Linux, EFAULT here)") {
    uint8_t c;
    CHECK_FALSE(as.copy_in(&c, GuestAddr{uint64_t(a) + 2 * 4096}, 1));
  }
  SECTION("writes stay private: the file is unchanged") {
    const char w = 'Z';
    REQUIRE(as.copy_out(GuestAddr{uint64_t(a)}, &w, 1));
    char first;
    REQUIRE(pread(file.fd(), &first, 1, 0) == 1);
    CHECK(first == 'a');
  }
  SECTION("the offset selects the file page") {
    const int64_t b = as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, file.fd(), 4096);
    REQUIRE(b > 0);
    char c;
    REQUIRE(as.copy_in(&c, GuestAddr{uint64_t(b)}, 1));
    CHECK(c == content[4096]);
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("file mappings check the open mode and the file type", "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  int wronly = open(file.path().c_str(), O_WRONLY);
  int rdonly = open(file.path().c_str(), O_RDONLY);
  REQUIRE(wronly >= 0);
  REQUIRE(rdonly >= 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, wronly, 0) == -EACCES);
  CHECK(as.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0) == -EACCES);
  CHECK(as.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd(), 0) > 0);
  const int64_t ro = as.mmap(0, 4096, PROT_READ, MAP_SHARED, rdonly, 0);
  REQUIRE(ro > 0);
  CHECK(as.mprotect(uint64_t(ro), 4096, PROT_READ | PROT_WRITE) == -EACCES);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, fds[0], 0) == -ENODEV);
  close(fds[0]);
  close(fds[1]);
  close(wronly);
  close(rdonly);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("brk grows, shrinks, refuses overlap, and re-grown pages read zero", "[brk]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  const uint64_t start = 0x600000;
  CHECK(as.brk(0) == start);
  CHECK(as.brk(start - 1) == start);
  CHECK(as.brk(start + 10000) == start + 10000);
  const Region* heap = as.regions().find(GuestAddr{start}.page());
  REQUIRE(heap);
  CHECK(heap->attrs.kind == RegionKind::Heap);
  CHECK(heap->range.end.addr().value == start + 3 * 4096);
  uint64_t v = 0x1234;
  REQUIRE(as.copy_out(GuestAddr{start + 8192}, &v, 8));
  CHECK(as.stats().resident_pages[int(RegionKind::Heap)] == 1);
  CHECK(as.brk(start + 100) == start + 100);
  CHECK(as.stats().frames.in_use == 0);
  CHECK(as.brk(start + 10000) == start + 10000);
  REQUIRE(as.copy_in(&v, GuestAddr{start + 8192}, 8));
  CHECK(v == 0);
  // Something mapped just above: growing into it (or to within a page of it) fails.
  REQUIRE(as.mmap(start + 0x10000, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) > 0);
  CHECK(as.brk(start + 0x10000 + 1) == start + 10000);
  CHECK(as.brk(start + 0xf001) == start + 10000);  // Linux keeps a page of distance
  CHECK(as.brk(start + 0xe000) == start + 0xe000);
  CHECK(as.proc_maps().find("[heap]") != std::string::npos);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("proc_maps prints the kernel format", "[maps]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file(std::string(8192, 'q'));
  REQUIRE(as.map_fixed(PageRange{GuestAddr{0x400000}.page(), GuestAddr{0x402000}.page()}, Prot::Read | Prot::Exec,
                       RegionKind::Image, file.fd(), 4096) == 0);
  REQUIRE(as.map_fixed(PageRange{GuestAddr{0x7ffffffde000}.page(), GuestAddr{0x7ffffffff000}.page()},
                       Prot::Read | Prot::Write, RegionKind::Stack) == 0);
  REQUIRE(as.mmap(0x10000000, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) > 0);
  const std::string maps = as.proc_maps();
  struct stat st;
  REQUIRE(fstat(file.fd(), &st) == 0);
  std::string head = fmt::format("00400000-00402000 r-xp 00001000 {:02x}:{:02x} {}", major(st.st_dev),
                                 minor(st.st_dev), st.st_ino);
  std::string expected = head + std::string(73 - head.size(), ' ') + file.path() + "\n";
  // Shared anonymous memory is shmem: device 00:01 and its inode, as Linux prints.
  const std::string shm_head = "10000000-10001000 r--s 00000000 00:01 ";
  const size_t shm_at = expected.size();
  REQUIRE(maps.size() > shm_at + shm_head.size());
  CHECK(maps.substr(shm_at, shm_head.size()) == shm_head);
  const size_t shm_end = maps.find('\n', shm_at);
  const std::string shm_line = maps.substr(shm_at, shm_end - shm_at);
  CHECK(shm_line.size() == 73 + std::string("/dev/zero (deleted)").size());
  CHECK(shm_line.ends_with(" /dev/zero (deleted)"));
  CHECK(std::stoull(shm_line.substr(shm_head.size())) > 0);
  expected += shm_line + "\n";
  expected += "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0" + std::string(73 - 47, ' ') + "[stack]\n";
  CHECK(maps == expected);
}

TEST_CASE("mapping one file many times holds one host descriptor, closed with the last region", "[mmap][file]") {
  auto open_fds = [] {
    int n = 0;
    for (int fd = 0; fd < 4096; ++fd) n += fcntl(fd, F_GETFD) >= 0;
    return n;
  };
  TempFile file(std::string(4096, 'f'));
  const int before = open_fds();
  {
    AddressSpace as(limit_of());
    set_test_layout(as);
    for (int i = 0; i < 200; ++i) REQUIRE(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, file.fd(), 0) > 0);
    CHECK(open_fds() == before + 1);
    // Separate mmaps of one file: a region each (no contiguous offsets).
    CHECK(as.regions().node_count() == 200);
    for (int i = 0; i < 200; ++i) REQUIRE(as.munmap(kBase - uint64_t(i + 1) * 4096, 4096) == 0);
    CHECK(open_fds() == before);
  }
  CHECK(open_fds() == before);
}

TEST_CASE("mprotect with PROT_GROWSDOWN extends down a grows-down region only", "[mprotect][growsdown]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  constexpr uint64_t kArea = 0x200000000;
  REQUIRE(as.mmap(kArea, 4 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_FIXED, -1, 0) == int64_t(kArea));
  // Linux (do_mprotect_pkey): a region without VM_GROWSDOWN is EINVAL, and
  // x86 has no grows-up regions.
  CHECK(as.mprotect(kArea + 4096, 4096, PROT_READ | PROT_GROWSDOWN) == -EINVAL);
  CHECK(as.mprotect(kArea + 4096, 4096, PROT_READ | PROT_GROWSUP) == -EINVAL);
  CHECK(as.mprotect(kArea - 4096, 4096, PROT_READ | PROT_GROWSUP) == -ENOMEM);
  CHECK(as.mprotect(kArea + 4096, 4096, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP) == -EINVAL);
  CHECK(as.check_invariants() == "");

  constexpr uint64_t kStack = 0x300000000;
  REQUIRE(as.mmap(kStack, 4 * 4096, PROT_READ | PROT_WRITE, kAnon | MAP_FIXED | MAP_GROWSDOWN, -1, 0) ==
          int64_t(kStack));
  CHECK(as.mprotect(kStack + 2 * 4096, 4096, PROT_READ | PROT_GROWSDOWN) == 0);
  CHECK(as.check_invariants() == "");
  // The change reached down to the region's start; the top page kept rw.
  const Region* low = as.regions().find(GuestAddr{kStack}.page());
  REQUIRE(low != nullptr);
  CHECK(low->range == PageRange{GuestAddr{kStack}.page(), GuestAddr{kStack + 3 * 4096}.page()});
  CHECK(low->attrs.prot == Prot::Read);
  CHECK(as.regions().find(GuestAddr{kStack + 3 * 4096}.page())->attrs.prot == (Prot::Read | Prot::Write));
  // Nothing at or below the range: ENOMEM.
  CHECK(as.mprotect(0x400000000, 4096, PROT_READ | PROT_GROWSDOWN) == -ENOMEM);
}

TEST_CASE("a private /dev/zero mapping is zero-filled anonymous memory named after /dev/zero", "[mmap][devzero]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  const int fd = open("/dev/zero", O_RDWR);
  REQUIRE(fd >= 0);
  struct stat st {};
  REQUIRE(fstat(fd, &st) == 0);
  constexpr uint64_t kArea = 0x200000000;
  REQUIRE(as.mmap(kArea, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == int64_t(kArea));
  close(fd);  // the mapping keeps its own reference
  uint64_t word = ~0ull;
  REQUIRE(as.copy_in(&word, GuestAddr{kArea + 8}, 8));
  CHECK(word == 0);
  REQUIRE(as.copy_out(GuestAddr{kArea}, "x", 1));
  // Anonymous to Linux: MADV_FREE is allowed (EINVAL for file pages).
  CHECK(as.madvise(kArea, 4096, MADV_FREE) == 0);
  const std::string want = fmt::format("200000000-200002000 rw-p 00000000 {:02x}:{:02x} {}", major(st.st_dev),
                                       minor(st.st_dev), st.st_ino);
  const std::string maps = as.proc_maps();
  CHECK(maps.find(want) != std::string::npos);
  CHECK(maps.find("/dev/zero\n") != std::string::npos);
  CHECK(as.stats().resident_pages[int(RegionKind::Anonymous)] == 0);  // MADV_FREE dropped the page
  REQUIRE(as.copy_out(GuestAddr{kArea + 4096}, "y", 1));
  CHECK(as.stats().resident_pages[int(RegionKind::Anonymous)] == 1);
  CHECK(as.check_invariants() == "");
}

// The expected values below are what Linux 6.18 answers natively (measured
// with small C programs on the development host: x86-64, no huge page pool,
// /tmp on ext4, running as root).

namespace {

constexpr int kHuge = kAnon | MAP_HUGETLB;
constexpr uint64_t k2M = uint64_t{2} << 20;

// Whether the host's default (2 MiB) huge page pool is empty: then only
// MAP_NORESERVE huge page mappings succeed.
bool huge_pool_empty() {
  FILE* f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
  unsigned long n = 0;
  if (f) {
    if (fscanf(f, "%lu", &n) != 1) n = 0;
    fclose(f);
  }
  return n == 0;
}

}  // namespace

TEST_CASE("anonymous MAP_HUGETLB maps whole huge pages, aligned to one", "[mmap][hugetlb]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  const int64_t a = as.mmap(0, 4096, PROT_READ | PROT_WRITE, kHuge | MAP_NORESERVE, -1, 0);
  REQUIRE(a > 0);
  CHECK(uint64_t(a) % k2M == 0);
  // The whole huge page is mapped: a normal mapping right after 4 KiB fits only past it.
  CHECK(as.mmap(uint64_t(a) + 4096, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == -EEXIST);
  CHECK(as.mmap(uint64_t(a) + k2M, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == int64_t(a + k2M));
  // MAP_HUGE_2MB and MAP_HUGE_1GB ask for those sizes.
  const int64_t g = as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE | (30 << MAP_HUGE_SHIFT), -1, 0);
  REQUIRE(g > 0);
  CHECK(uint64_t(g) % (uint64_t{1} << 30) == 0);
  // A hint is aligned up to a huge page; MAP_FIXED at an aligned address is taken.
  CHECK(as.mmap(0x200001000, 4096, PROT_READ, kHuge | MAP_NORESERVE, -1, 0) == 0x200200000);
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, kHuge | MAP_NORESERVE | MAP_FIXED, -1, 0) == 0x300000000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_HUGETLB argument errors match Linux", "[mmap][hugetlb][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  SECTION("on a file that is not hugetlbfs's: EINVAL, after the descriptor's EBADF") {
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, file.fd(), 0) == -EINVAL);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, file.fd(), uint64_t(-4096)) == -EINVAL);  // not EOVERFLOW
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, 999999, 0) == -EBADF);
  }
  SECTION("a huge page size the kernel has no pool for is EINVAL, before the length") {
    CHECK(as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE | (12 << MAP_HUGE_SHIFT), -1, 0) == -EINVAL);
    CHECK(as.mmap(0, 0, PROT_READ, kHuge | (13 << MAP_HUGE_SHIFT), -1, 0) == -EINVAL);
    CHECK(as.mmap(0, 4096, PROT_READ, -1, -1, 0) == -EINVAL);  // all flags: size bits 63
  }
  SECTION("a length that wraps when rounded to huge pages is EINVAL (0), one past user space ENOMEM") {
    CHECK(as.mmap(0, UINT64_MAX, PROT_READ, kHuge | MAP_NORESERVE, -1, 0) == -EINVAL);
    CHECK(as.mmap(0, uint64_t(-4096), PROT_READ, kHuge | MAP_NORESERVE, -1, 0) == -EINVAL);
    CHECK(as.mmap(0, uint64_t{1} << 63, PROT_READ, kHuge | MAP_NORESERVE, -1, 0) == -ENOMEM);
  }
  SECTION("MAP_FIXED at an address that is not huge page aligned is EINVAL, even in the error range") {
    CHECK(as.mmap(0x200001000, 4096, PROT_READ, kHuge | MAP_NORESERVE | MAP_FIXED, -1, 0) == -EINVAL);
    CHECK(as.mmap(uint64_t(-4096), 4096, PROT_READ, kHuge | MAP_NORESERVE | MAP_FIXED, -1, 0) == -EINVAL);
  }
  SECTION("the offset: last page overflowing is EOVERFLOW, not huge page aligned EINVAL") {
    CHECK(as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE, -1, uint64_t(-4096)) == -EOVERFLOW);
    CHECK(as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE, -1, 4096) == -EINVAL);
    CHECK(as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE, -1, k2M) > 0);
  }
  SECTION("it is a hugetlbfs file: MAP_SHARED_VALIDATE is accepted, but not MAP_SYNC or growing down") {
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0) > 0);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE | MAP_SYNC,
                  -1, 0) == -EOPNOTSUPP);
    CHECK(as.mmap(0, 4096, PROT_READ, kHuge | MAP_NORESERVE | MAP_GROWSDOWN, -1, 0) == -EINVAL);
  }
  SECTION("without MAP_NORESERVE the pool reserves the pages: ENOMEM from an empty pool") {
    if (huge_pool_empty()) {
      CHECK(as.mmap(0, 4096, PROT_READ | PROT_WRITE, kHuge, -1, 0) == -ENOMEM);
      CHECK(as.mmap(0, 4096, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0) == -ENOMEM);
    }
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("a file offset whose last page overflows is EOVERFLOW before the mapping type and mode", "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  int wronly = open(file.path().c_str(), O_WRONLY);
  REQUIRE(wronly >= 0);
  const uint64_t last = uint64_t(-4096);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, file.fd(), last) == -EOVERFLOW);
  CHECK(as.mmap(0, 4096, PROT_READ, 0, file.fd(), last) == -EOVERFLOW);  // no type
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, wronly, last) == -EOVERFLOW);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, file.fd(), last) == -EOVERFLOW);
  CHECK(as.mmap(0, 0, PROT_READ, MAP_PRIVATE, file.fd(), last) == -EINVAL);      // the length first
  CHECK(as.mmap(0, UINT64_MAX, PROT_READ, MAP_PRIVATE, file.fd(), last) == -ENOMEM);
  // A pipe's offsets reach ULONG_MAX, still one page short.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, fds[0], last) == -EOVERFLOW);
  // Anonymous memory ignores the offset.
  CHECK(as.mmap(0, 4096, PROT_READ, kAnon, -1, last) > 0);
  close(fds[0]);
  close(fds[1]);
  close(wronly);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_SYNC on an ext4 file is EOPNOTSUPP whatever the type; elsewhere only MAP_SHARED_VALIDATE refuses it",
          "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  struct statfs fs {};
  REQUIRE(fstatfs(file.fd(), &fs) == 0);
  if (fs.f_type == 0xef53) {
    // ext4 has FOP_MMAP_SYNC; its ->mmap then refuses VM_SYNC without DAX.
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_SYNC, file.fd(), 0) == -EOPNOTSUPP);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED | MAP_SYNC, file.fd(), 0) == -EOPNOTSUPP);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, file.fd(), 0) == -EOPNOTSUPP);
    // ... after the mode checks and the commit charge.
    int wronly = open(file.path().c_str(), O_WRONLY);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, wronly, 0) == -EACCES);
    close(wronly);
    CHECK(as.mmap(0, 4096, PROT_READ, MAP_SYNC, file.fd(), 0) == -EINVAL);
  }
  // /dev/zero (no FOP_MMAP_SYNC): MAP_SHARED_VALIDATE refuses it, the others ignore it.
  int zero = open("/dev/zero", O_RDWR);
  REQUIRE(zero >= 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, zero, 0) == -EOPNOTSUPP);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_SYNC, zero, 0) > 0);
  CHECK(as.mmap(0, 4096, PROT_READ, kAnon | MAP_SYNC, -1, 0) > 0);
  close(zero);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_SHARED_VALIDATE accepts the legacy flags, MAP_32BIT and MAP_LOCKED too", "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_32BIT, file.fd(), 0) > 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_LOCKED, file.fd(), 0) > 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x80, file.fd(), 0) > 0);  // MAP_ABOVE4G
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | (21 << MAP_HUGE_SHIFT), file.fd(), 0) > 0);
  // The mask is bits: 13 << MAP_HUGE_SHIFT lies within MAP_HUGE_2MB | MAP_HUGE_1GB.
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | (13 << MAP_HUGE_SHIFT), file.fd(), 0) > 0);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, file.fd(), 0) == -EOPNOTSUPP);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_SHARED_VALIDATE's unknown flags are EOPNOTSUPP before the open mode's EACCES", "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  TempFile file("hello");
  int wronly = open(file.path().c_str(), O_WRONLY);
  int rdonly = open(file.path().c_str(), O_RDONLY);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, wronly, 0) == -EOPNOTSUPP);
  CHECK(as.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | 0x200000, rdonly, 0) == -EOPNOTSUPP);
  CHECK(as.mmap(0x300000000, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, wronly, 0) == -EOPNOTSUPP);
  close(wronly);
  close(rdonly);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("PROT_EXEC from a noexec file system is EPERM, after EACCES and before ENODEV", "[mmap][file][errno]") {
  AddressSpace as(limit_of());
  set_test_layout(as);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  CHECK(as.mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fds[0], 0) == -EPERM);
  CHECK(as.mmap(0, 4096, PROT_EXEC, MAP_SHARED, fds[0], 0) == -EPERM);
  CHECK(as.mmap(0, 4096, PROT_READ, MAP_PRIVATE, fds[0], 0) == -ENODEV);
  CHECK(as.mmap(0, 4096, PROT_EXEC, MAP_PRIVATE, fds[1], 0) == -EACCES);  // not open for reading
  CHECK(as.mmap(0, 4096, PROT_EXEC, MAP_SHARED_VALIDATE | MAP_SYNC, fds[0], 0) == -EOPNOTSUPP);
  close(fds[0]);
  close(fds[1]);
  // A terminal (devpts) is not noexec: ENODEV.
  int pty = posix_openpt(O_RDWR | O_NOCTTY);
  if (pty >= 0) {
    CHECK(as.mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, pty, 0) == -ENODEV);
    close(pty);
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("MAP_FIXED below the sysctl mmap_min_addr needs CAP_SYS_RAWIO; a hint is raised to mmap_min regardless",
          "[mmap]") {
  AddressSpace as(limit_of());
  Layout l;
  l.mmap_base = GuestAddr{emu::mm::test::kTestMmapBase};
  l.cap_sys_rawio = true;
  as.set_layout(l);
  CHECK(as.layout().refuses_mmap_addr(0) == false);
  CHECK(as.mmap(0x1000, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x1000);
  CHECK(as.mmap(0, 4096, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, -1, 0) == 0);
  CHECK(as.mmap(0x2000, 4096, PROT_READ, kAnon, -1, 0) == 0x10000);
  l.cap_sys_rawio = false;
  as.set_layout(l);
  CHECK(as.layout().refuses_mmap_addr(0xf000));
  CHECK_FALSE(as.layout().refuses_mmap_addr(0x10000));
  CHECK(as.mmap(0x3000, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == -EPERM);
  // Without the capability, what counts is the sysctl (this host: 4096),
  // while hints stay above mmap_min (64 KiB, CONFIG_LSM_MMAP_MIN_ADDR):
  // measured as uid 65534, MAP_FIXED at 0 is EPERM and at 0x1000 maps.
  l.dac_mmap_min = GuestAddr{0x1000};
  as.set_layout(l);
  CHECK(as.mmap(0x4000, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == 0x4000);
  CHECK(as.mmap(0, 4096, PROT_READ, kAnon | MAP_FIXED, -1, 0) == -EPERM);
  REQUIRE(as.munmap(0x10000, 4096) == 0);
  CHECK(as.mmap(0x5000, 4096, PROT_READ, kAnon, -1, 0) == 0x10000);
  CHECK(as.check_invariants() == "");
}
