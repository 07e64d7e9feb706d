// madvise(2) (mm/madvise.cpp): each advice's refusals, the order of errors
// over a range of several regions and holes, MADV_REMOVE's hole in the file,
// and guard pages. The errno cases are checked against the kernel itself:
// the same layout is mapped natively in this test process, at the same
// addresses, and every call is made on both.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "mm/address_space.h"
#include "mm/guest_fault.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;
using emu::mm::test::fault_of;
using emu::mm::test::limit_of;
using emu::mm::test::load;
using emu::mm::test::set_test_layout;
using emu::mm::test::store;

namespace {

constexpr int kMadvRemove = 9;
constexpr int kMadvWipeOnFork = 18;
constexpr int kMadvKeepOnFork = 19;
constexpr int kMadvCollapse = 25;
constexpr int kMadvGuardInstall = 102;
constexpr int kMadvGuardRemove = 103;
constexpr uint64_t kPage = 4096;

int64_t native_madvise(uint64_t addr, uint64_t len, int advice) {
  const long r = syscall(SYS_madvise, addr, len, advice);
  return r < 0 ? -errno : r;
}

// The native comparisons expect Linux 6.13 or later (guard pages; this
// machine runs 6.18): on an older kernel they are left out with a warning.
bool kernel_is_recent() {
  void* p = ::mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  const bool guards = native_madvise(uint64_t(p), kPage, kMadvGuardInstall) == 0;
  ::munmap(p, kPage);
  if (!guards) WARN("the kernel has no MADV_GUARD_INSTALL (Linux < 6.13): native comparison left out");
  return guards;
}

// One mapping of a layout: `first` and `pages` count pages from the base.
struct Part {
  uint64_t first, pages;
  int prot, flags;
  int fd;  // -1: anonymous
};

// An AddressSpace with a TLB attached for the test's loads and stores,
// detached however the test ends.
struct AttachedSpace {
  AddressSpace as{limit_of()};
  Tlb tlb;
  AttachedSpace() { as.attach(&tlb); }
  ~AttachedSpace() { as.detach(&tlb); }
};

// Where the native side of a Twin maps its layout: `bytes` far below
// where the kernel puts mappings without a hint (top-down from mmap_base)
// and away from the sanitizers' own fixed ranges (ASan's allocator is at
// 0x600000000000). The layout's holes stay unmapped while a test runs, and
// a hint-less mmap meanwhile (malloc's, the sanitizer runtime's) must not
// land in them: madvise there would then act on the test's own memory.
uint64_t reserve_span(uint64_t bytes) {
  for (uint64_t at = 0x500000000000; at < 0x500000000000 + 1024 * bytes; at += bytes) {
    void* p = ::mmap(reinterpret_cast<void*>(at), bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                     -1, 0);
    if (p == MAP_FAILED) continue;
    REQUIRE(::munmap(p, bytes) == 0);
    return at;
  }
  FAIL("no free span for the native layout");
  return 0;
}

// The same layout mapped in an emu AddressSpace and natively, at the same
// addresses (a host reservation the layout is mapped into): madvise on both
// must answer alike.
struct Twin : AttachedSpace {
  static constexpr uint64_t kSpan = 64;  // pages reserved
  uint64_t base = 0;

  explicit Twin(const std::vector<Part>& parts) {
    set_test_layout(as);
    base = reserve_span(kSpan * kPage);
    for (const Part& p : parts) {
      const uint64_t at = base + p.first * kPage;
      REQUIRE(::mmap(reinterpret_cast<void*>(at), p.pages * kPage, p.prot, p.flags | MAP_FIXED, p.fd, 0) ==
              reinterpret_cast<void*>(at));
      REQUIRE(as.mmap(at, p.pages * kPage, p.prot, p.flags | MAP_FIXED, p.fd, 0) == int64_t(at));
    }
  }
  ~Twin() {
    ::munmap(reinterpret_cast<void*>(base), kSpan * kPage);
  }

  // madvise(base + first pages, pages) on both; returns emu's answer after
  // checking it is the kernel's.
  int64_t both(uint64_t first, uint64_t pages, int advice) {
    const uint64_t addr = base + first * kPage;
    const int64_t natively = native_madvise(addr, pages * kPage, advice);
    const int64_t emulated = as.madvise(addr, pages * kPage, advice);
    INFO("madvise(base+" << first << " pages, " << pages << " pages, " << advice << ")");
    CHECK(emulated == natively);
    CHECK(as.check_invariants() == "");
    return emulated;
  }
};

// The [start, end) page ranges of the mappings natively in [lo, hi), from
// /proc/self/maps, and of emu's regions there.
std::vector<std::pair<uint64_t, uint64_t>> native_layout(uint64_t lo, uint64_t hi) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  FILE* f = ::fopen("/proc/self/maps", "r");
  REQUIRE(f);
  unsigned long start = 0, end = 0;
  char line[512];
  while (::fgets(line, sizeof line, f))
    if (::sscanf(line, "%lx-%lx", &start, &end) == 2 && end > lo && start < hi) out.emplace_back(start, end);
  ::fclose(f);
  return out;
}
std::vector<std::pair<uint64_t, uint64_t>> emu_layout(const AddressSpace& as, uint64_t lo, uint64_t hi) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  as.regions().for_each_in(PageRange{GuestAddr{lo}.page(), GuestAddr{hi}.page()}, [&](const Region& r) {
    out.emplace_back(r.range.start.addr().value, r.range.end.addr().value);
  });
  return out;
}

std::string file_bytes(int fd, size_t n, off_t offset) {
  std::string s(n, '\0');
  REQUIRE(::pread(fd, s.data(), n, offset) == ssize_t(n));
  return s;
}

}  // namespace

TEST_CASE("madvise_refusals_per_kind_of_memory_match_linux", "[madvise][native]") {
  if (!kernel_is_recent()) return;
  TempFile rw(std::string(8 * kPage, 'f'));
  const int ro = ::open(rw.path().c_str(), O_RDONLY);
  const int zero = ::open("/dev/zero", O_RDWR);
  REQUIRE(ro >= 0);
  REQUIRE(zero >= 0);
  const int kinds[] = {MADV_NORMAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, kMadvRemove, MADV_DONTFORK,
                       MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
                       MADV_DONTDUMP, MADV_DODUMP, kMadvWipeOnFork, kMadvKeepOnFork, MADV_COLD, MADV_PAGEOUT,
                       MADV_DONTNEED_LOCKED, kMadvCollapse, kMadvGuardInstall, kMadvGuardRemove};
  // One mapping of each kind of memory, 2 pages each, a page apart.
  Twin t({{0, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {3, 2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {6, 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1},
          {9, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, rw.fd()},
          {12, 2, PROT_READ | PROT_WRITE, MAP_SHARED, rw.fd()},
          {15, 2, PROT_READ, MAP_SHARED, rw.fd()},  // VM_MAYWRITE all the same
          {18, 2, PROT_READ, MAP_SHARED, ro},        // not VM_SHARED: EACCES for MADV_REMOVE
          {21, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero},
          {24, 2, PROT_READ | PROT_WRITE, MAP_SHARED, zero},
          {27, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1},
          {30, 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, rw.fd()}});
  for (uint64_t first = 0; first < 33; first += 3)
    for (int advice : kinds) t.both(first, 2, advice);
  ::close(ro);
  ::close(zero);
}

TEST_CASE("madvise_gives_a_refusal_before_an_earlier_hole_and_the_hole_after_the_walk", "[madvise][native]") {
  if (!kernel_is_recent()) return;
  TempFile file(std::string(8 * kPage, 'f'));
  Twin t({{0, 2, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd()},
          {3, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {6, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd()}});
  // Shared file, hole, private anonymous memory: EINVAL, not ENOMEM.
  CHECK(t.both(0, 5, kMadvRemove) == -EINVAL);
  // Anonymous memory, hole, a file: EINVAL for WIPEONFORK and FREE.
  CHECK(t.both(3, 5, kMadvWipeOnFork) == -EINVAL);
  CHECK(t.both(3, 5, MADV_FREE) == -EINVAL);
  // Hole first, then a refusing file mapping.
  CHECK(t.both(2, 3, kMadvRemove) == -EINVAL);
  // Nothing refuses: the hole is ENOMEM once the walk is done, and a range
  // running past the last mapping too.
  CHECK(t.both(0, 8, MADV_DONTNEED) == -ENOMEM);
  CHECK(t.both(3, 8, MADV_DONTNEED) == -ENOMEM);
  CHECK(t.both(0, 2, kMadvRemove) == 0);
}

TEST_CASE("madvise_applies_the_advice_to_the_regions_before_the_one_that_refuses", "[madvise]") {
  AttachedSpace space;
  AddressSpace& as = space.as;
  Tlb& tlb = space.tlb;
  constexpr uint64_t kA = 0x200000000;
  REQUIRE(as.mmap(kA, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          int64_t(kA));
  TempFile file(std::string(kPage, 'f'));
  REQUIRE(as.mmap(kA + 3 * kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kA + 3 * kPage));
  store<uint32_t>(as, tlb, kA, 7);
  // MADV_FREE drops the anonymous page, then the file mapping refuses.
  CHECK(as.madvise(kA, 4 * kPage, MADV_FREE) == -EINVAL);
  CHECK(as.stats().frames.in_use == 0);
  CHECK(load<uint32_t>(as, tlb, kA) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("madv_remove_punches_a_hole_that_every_mapping_and_read_see", "[madvise][shared]") {
  TempFile file(std::string(4 * kPage, 'f'));
  AttachedSpace space;
  AddressSpace& as = space.as;
  Tlb& tlb = space.tlb;
  constexpr uint64_t kA = 0x200000000, kB = 0x300000000;
  REQUIRE(as.mmap(kA, 4 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, file.fd(), 0) == int64_t(kA));
  REQUIRE(as.mmap(kB, 4 * kPage, PROT_READ, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kB));
  store<uint8_t>(as, tlb, kA + kPage, 'w');
  CHECK(load<uint8_t>(as, tlb, kB + kPage) == 'w');  // the private view follows the file
  REQUIRE(as.madvise(kA + kPage, 2 * kPage, kMadvRemove) == 0);
  CHECK(file_bytes(file.fd(), 4, off_t(kPage)) == std::string(4, '\0'));
  CHECK(file_bytes(file.fd(), 4, off_t(2 * kPage)) == std::string(4, '\0'));
  CHECK(file_bytes(file.fd(), 1, 0) == "f");
  CHECK(file_bytes(file.fd(), 1, off_t(3 * kPage)) == "f");
  CHECK(::lseek(file.fd(), 0, SEEK_END) == off_t(4 * kPage));  // FALLOC_FL_KEEP_SIZE
  CHECK(load<uint8_t>(as, tlb, kA + kPage) == 0);
  CHECK(load<uint8_t>(as, tlb, kB + kPage) == 0);
  CHECK(load<uint8_t>(as, tlb, kA) == 'f');
  CHECK(as.check_invariants() == "");
}

TEST_CASE("madv_remove_empties_shared_anonymous_memory", "[madvise][shared]") {
  AttachedSpace space;
  AddressSpace& as = space.as;
  Tlb& tlb = space.tlb;
  constexpr uint64_t kA = 0x200000000;
  REQUIRE(as.mmap(kA, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          int64_t(kA));
  store<uint32_t>(as, tlb, kA, 7);
  store<uint32_t>(as, tlb, kA + kPage, 8);
  REQUIRE(as.madvise(kA, kPage, kMadvRemove) == 0);
  CHECK(load<uint32_t>(as, tlb, kA) == 0);
  CHECK(load<uint32_t>(as, tlb, kA + kPage) == 8);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("madv_collapse_refuses_a_region_that_cannot_hold_an_aligned_huge_page", "[madvise]") {
  AddressSpace as{limit_of()};
  constexpr uint64_t kHuge = 2 << 20;
  constexpr uint64_t kA = 0x200000000;  // 2 MiB aligned
  const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  REQUIRE(as.mmap(kA, 16 * kPage, PROT_READ | PROT_WRITE, anon, -1, 0) == int64_t(kA));
  CHECK(as.madvise(kA, kPage, kMadvCollapse) == -EINVAL);
  // 2 MiB, but not aligned: no aligned block inside.
  REQUIRE(as.mmap(kA + kHuge + kPage, kHuge, PROT_READ | PROT_WRITE, anon, -1, 0) == int64_t(kA + kHuge + kPage));
  CHECK(as.madvise(kA + kHuge + kPage, kPage, kMadvCollapse) == -EINVAL);
  // 4 MiB from an aligned address holds one.
  REQUIRE(as.mmap(kA + 4 * kHuge, 2 * kHuge, PROT_READ | PROT_WRITE, anon, -1, 0) == int64_t(kA + 4 * kHuge));
  CHECK(as.madvise(kA + 4 * kHuge, kPage, kMadvCollapse) == 0);
  // A regular file is never collapsed.
  TempFile file(std::string(2 * kHuge, 'f'));
  REQUIRE(as.mmap(kA + 8 * kHuge, 2 * kHuge, PROT_READ, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) ==
          int64_t(kA + 8 * kHuge));
  CHECK(as.madvise(kA + 8 * kHuge, kPage, kMadvCollapse) == -EINVAL);
}

// ---- guard pages ------------------------------------------------------------------------

namespace {

constexpr uint64_t kG = 0x200000000;

struct GuardSpace : AttachedSpace {
  void map_anon(uint64_t addr, uint64_t pages, int prot = PROT_READ | PROT_WRITE) {
    REQUIRE(as.mmap(addr, pages * kPage, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == int64_t(addr));
  }
  GuestFault load_fault(uint64_t addr) {
    return fault_of([&] { load<uint8_t>(as, tlb, addr); });
  }
};

}  // namespace

TEST_CASE_METHOD(GuardSpace, "a_guard_page_faults_with_segv_maperr_and_stays_mapped", "[madvise][guard]") {
  map_anon(kG, 4);
  store<uint8_t>(as, tlb, kG + kPage, 5);
  store<uint8_t>(as, tlb, kG + 2 * kPage, 6);
  const std::string maps = as.proc_maps();
  REQUIRE(as.madvise(kG + kPage, kPage, kMadvGuardInstall) == 0);
  CHECK(as.check_invariants() == "");
  CHECK(as.stats().frames.in_use == 1);  // the guarded page's contents went
  const GuestFault f = load_fault(kG + kPage + 8);
  CHECK(f.signo == SIGSEGV);
  CHECK(f.code == kSegvMapErr);
  CHECK(f.addr == kG + kPage + 8);
  CHECK(fault_of([&] { store<uint8_t>(as, tlb, kG + kPage, 1); }).code == kSegvMapErr);
  CHECK(load<uint8_t>(as, tlb, kG + 2 * kPage) == 6);
  uint8_t b = 0;
  CHECK_FALSE(as.copy_in(&b, GuestAddr{kG + kPage}, 1));  // a system call gets EFAULT
  CHECK(as.madvise(kG, 4 * kPage, MADV_POPULATE_READ) == -EFAULT);
  CHECK(as.proc_maps() == maps);  // no split region: markers live in the page table
  // Removing the marker: the page demand-populates afresh (zero).
  REQUIRE(as.madvise(kG, 4 * kPage, kMadvGuardRemove) == 0);
  CHECK(load<uint8_t>(as, tlb, kG + kPage) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(GuardSpace, "guard_pages_survive_dontneed_and_mprotect_and_go_with_munmap", "[madvise][guard]") {
  map_anon(kG, 4);
  REQUIRE(as.madvise(kG, 2 * kPage, kMadvGuardInstall) == 0);
  REQUIRE(as.madvise(kG, 4 * kPage, MADV_DONTNEED) == 0);
  CHECK(load_fault(kG).code == kSegvMapErr);
  REQUIRE(as.mprotect(kG, 4 * kPage, PROT_READ) == 0);
  CHECK(load_fault(kG + kPage).code == kSegvMapErr);
  // A protection that forbids the access is checked first (SEGV_ACCERR).
  REQUIRE(as.mprotect(kG, 4 * kPage, PROT_NONE) == 0);
  CHECK(load_fault(kG).code == kSegvAccErr);
  REQUIRE(as.mprotect(kG, 4 * kPage, PROT_READ | PROT_WRITE) == 0);
  CHECK(load_fault(kG).code == kSegvMapErr);
  // munmap and a new mapping there: no marker left.
  REQUIRE(as.munmap(kG, kPage) == 0);
  CHECK(as.check_invariants() == "");
  map_anon(kG, 1);
  CHECK(load<uint8_t>(as, tlb, kG) == 0);
  // MAP_FIXED over a guarded page replaces it too.
  map_anon(kG + kPage, 1);
  CHECK(load<uint8_t>(as, tlb, kG + kPage) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(GuardSpace, "mremap_moves_guard_markers_with_the_pages", "[madvise][guard]") {
  map_anon(kG, 4);
  store<uint8_t>(as, tlb, kG, 9);
  REQUIRE(as.madvise(kG + kPage, kPage, kMadvGuardInstall) == 0);
  constexpr uint64_t kTo = 0x300000000;
  REQUIRE(as.mremap(kG, 4 * kPage, 8 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, kTo) == int64_t(kTo));
  CHECK(as.check_invariants() == "");
  CHECK(load<uint8_t>(as, tlb, kTo) == 9);
  CHECK(load_fault(kTo + kPage).code == kSegvMapErr);
  CHECK(load<uint8_t>(as, tlb, kTo + 2 * kPage) == 0);
  // Shrinking unmaps the tail, markers included.
  REQUIRE(as.mremap(kTo, 8 * kPage, kPage, 0, 0) == int64_t(kTo));
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(GuardSpace, "guard_pages_on_file_mappings_read_the_file_again_when_removed", "[madvise][guard]") {
  TempFile file(std::string(2 * kPage, 'f'));
  REQUIRE(as.mmap(kG, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kG));
  store<uint8_t>(as, tlb, kG, 'x');  // a private copy
  REQUIRE(as.madvise(kG, kPage, kMadvGuardInstall) == 0);
  CHECK(load_fault(kG).code == kSegvMapErr);
  REQUIRE(as.madvise(kG, kPage, kMadvGuardRemove) == 0);
  CHECK(load<uint8_t>(as, tlb, kG) == 'f');  // the copy went with the install
  // Shared: the file keeps the data.
  constexpr uint64_t kS = 0x300000000;
  REQUIRE(as.mmap(kS, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, file.fd(), 0) == int64_t(kS));
  store<uint8_t>(as, tlb, kS, 'y');
  REQUIRE(as.madvise(kS, kPage, kMadvGuardInstall) == 0);
  CHECK(load_fault(kS).code == kSegvMapErr);
  // MADV_REMOVE punches the hole and keeps the marker.
  REQUIRE(as.madvise(kS, 2 * kPage, kMadvRemove) == 0);
  CHECK(load_fault(kS).code == kSegvMapErr);
  REQUIRE(as.madvise(kS, kPage, kMadvGuardRemove) == 0);
  CHECK(load<uint8_t>(as, tlb, kS) == 0);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("guard_pages_behave_as_linux_natively", "[madvise][guard][native]") {
  if (!kernel_is_recent()) return;
  TempFile file(std::string(4 * kPage, 'f'));
  Twin t({{0, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {6, 4, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd()}});
  CHECK(t.both(0, 2, kMadvGuardInstall) == 0);
  CHECK(t.both(0, 4, MADV_POPULATE_WRITE) == -EFAULT);
  CHECK(t.both(2, 2, MADV_POPULATE_WRITE) == 0);
  CHECK(t.both(1, 8, kMadvGuardInstall) == -ENOMEM);  // the hole, after installing on both sides
  CHECK(t.both(6, 1, MADV_POPULATE_READ) == -EFAULT);
  CHECK(t.both(0, 10, kMadvGuardRemove) == -ENOMEM);
  CHECK(t.both(0, 4, MADV_POPULATE_WRITE) == 0);
}

// ---- advice flags ---------------------------------------------------------------------------

TEST_CASE("advice_flags_split_and_merge_regions_as_linux_splits_vmas", "[madvise][native]") {
  if (!kernel_is_recent()) return;
  TempFile file(std::string(8 * kPage, 'f'));
  Twin t({{0, 6, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {8, 6, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1},
          {16, 6, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd()}});
  const uint64_t lo = t.base, hi = t.base + 22 * kPage;
  const int set[] = {MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTFORK, kMadvWipeOnFork, MADV_DONTDUMP, MADV_MERGEABLE,
                     MADV_HUGEPAGE, MADV_NOHUGEPAGE};
  const int undo[] = {MADV_NORMAL, MADV_NORMAL, MADV_DOFORK, kMadvKeepOnFork, MADV_DODUMP, MADV_UNMERGEABLE,
                      MADV_NOHUGEPAGE, MADV_HUGEPAGE};
  for (size_t i = 0; i < std::size(set); ++i) {
    for (uint64_t first : {0, 8, 16}) {
      INFO("advice " << set[i] << " at page " << first);
      t.both(first + 2, 2, set[i]);
      CHECK(emu_layout(t.as, lo, hi) == native_layout(lo, hi));
      t.both(first, 6, undo[i]);
      CHECK(emu_layout(t.as, lo, hi) == native_layout(lo, hi));
      t.both(first, 6, MADV_NORMAL);
      t.both(first, 6, MADV_HUGEPAGE);  // HUGEPAGE and NOHUGEPAGE have no neutral state
      CHECK(emu_layout(t.as, lo, hi) == native_layout(lo, hi));
    }
  }
  // MADV_NOHUGEPAGE makes MADV_COLLAPSE EINVAL whatever the size.
  t.both(0, 6, MADV_NOHUGEPAGE);
  CHECK(t.both(0, 1, kMadvCollapse) == -EINVAL);
}

TEST_CASE("a_fork_child_lacks_dontfork_regions_and_finds_wipeonfork_ones_empty", "[madvise][fork]") {
  AttachedSpace space;
  AddressSpace& as = space.as;
  Tlb& tlb = space.tlb;
  constexpr uint64_t kA = 0x200000000;
  const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  REQUIRE(as.mmap(kA, 6 * kPage, PROT_READ | PROT_WRITE, anon, -1, 0) == int64_t(kA));
  for (uint64_t i = 0; i < 6; ++i) store<uint8_t>(as, tlb, kA + i * kPage, uint8_t(i + 1));
  REQUIRE(as.madvise(kA + kPage, kPage, MADV_DONTFORK) == 0);
  REQUIRE(as.madvise(kA + 3 * kPage, 2 * kPage, kMadvWipeOnFork) == 0);
  REQUIRE(as.madvise(kA + 4 * kPage, kPage, kMadvGuardInstall) == 0);
  as.after_fork();
  CHECK(as.check_invariants() == "");
  CHECK(load<uint8_t>(as, tlb, kA) == 1);
  CHECK(fault_of([&] { load<uint8_t>(as, tlb, kA + kPage); }).code == kSegvMapErr);
  CHECK(as.regions().find(GuestAddr{kA + kPage}.page()) == nullptr);
  CHECK(load<uint8_t>(as, tlb, kA + 2 * kPage) == 3);
  CHECK(load<uint8_t>(as, tlb, kA + 3 * kPage) == 0);
  CHECK(load<uint8_t>(as, tlb, kA + 4 * kPage) == 0);  // the guard was not copied either
  CHECK(load<uint8_t>(as, tlb, kA + 5 * kPage) == 6);
}

TEST_CASE("map_locked_populates_and_is_its_own_region_as_linux_vm_locked", "[madvise][native]") {
  if (!kernel_is_recent()) return;
  Twin t({{0, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
          {2, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1}});
  const uint64_t lo = t.base, hi = t.base + 4 * kPage;
  CHECK(emu_layout(t.as, lo, hi) == native_layout(lo, hi));
  CHECK(t.as.stats().frames.in_use == 2);  // the locked pages, faulted in at mmap
  CHECK(t.both(0, 4, MADV_DONTNEED) == -EINVAL);
  CHECK(t.as.stats().frames.in_use == 2);
  CHECK(t.both(2, 2, MADV_DONTNEED_LOCKED) == 0);
  CHECK(t.as.stats().frames.in_use == 0);
  // msync(MS_INVALIDATE) is EBUSY on locked memory.
  const int64_t natively = ::msync(reinterpret_cast<void*>(t.base), 4 * kPage, MS_INVALIDATE) ? -errno : 0;
  CHECK(natively == -EBUSY);
  CHECK(t.as.msync(t.base, 4 * kPage, MS_INVALIDATE) == natively);
  // Growing it faults the new pages in.
  REQUIRE(t.as.mremap(t.base + 2 * kPage, 2 * kPage, 4 * kPage, 0, 0) == int64_t(t.base + 2 * kPage));
  CHECK(t.as.stats().frames.in_use == 2);
  CHECK(t.as.check_invariants() == "");
  // A fork child's copy is not locked: it merges with its neighbour.
  t.as.after_fork();
  CHECK(t.as.regions().node_count() == 1);
  CHECK(t.as.madvise(t.base, 4 * kPage, MADV_DONTNEED) == 0);
}
