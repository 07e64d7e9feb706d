// mremap(2): shrink, grow in place, moves that keep the frames, MREMAP_FIXED,
// MREMAP_DONTUNMAP, file offsets, code pages, and every errno case. Expected
// values are Linux 6.18's (mm/mremap.c), checked against native runs on this
// machine's 6.18 kernel; the lines where Linux 6.1 answered differently say
// so.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "mm/address_space.h"
#include "mm/page_table.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::RecordingObserver;
using emu::mm::test::TempFile;
using emu::mm::test::pages_of;

namespace {

constexpr uint64_t P = 4096;
constexpr int kAnonFixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
constexpr int kRw = PROT_READ | PROT_WRITE;
constexpr uint64_t kA = 0x200000000;
constexpr uint64_t kB = 0x300000000;

struct Fixture {
  AddressSpace as{AddressSpaceConfig{.mem_limit = 64 << 20}};

  void map(uint64_t addr, uint64_t len, int prot = kRw) { REQUIRE(as.mmap(addr, len, prot, kAnonFixed, -1, 0) == int64_t(addr)); }
  // Writes `v` at the start of every page of [addr, addr + pages * P).
  void fill(uint64_t addr, uint64_t pages, uint64_t v) {
    for (uint64_t i = 0; i < pages; ++i) {
      const uint64_t x = v + i;
      REQUIRE(as.poke(GuestAddr{addr + i * P}, &x, 8));
    }
  }
  uint64_t word(uint64_t addr) {
    uint64_t x = ~uint64_t{0};
    REQUIRE(as.copy_in(&x, GuestAddr{addr}, 8));
    return x;
  }
  bool mapped(uint64_t addr) const { return as.regions().find(GuestAddr{addr}.page()) != nullptr; }
  const Region& region(uint64_t addr) const {
    const Region* r = as.regions().find(GuestAddr{addr}.page());
    REQUIRE(r != nullptr);
    return *r;
  }
  uint64_t frames() const { return as.stats().frames.in_use; }
  // Frames ever handed out: unchanged when nothing was allocated.
  uint64_t allocations() const { return as.stats().frames.fresh + as.stats().frames.recycled; }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "mremap_shrink_unmaps_the_tail_and_frees_its_frames", "[mremap]") {
  map(kA, 8 * P);
  fill(kA, 8, 100);
  REQUIRE(frames() == 8);
  CHECK(as.mremap(kA, 8 * P, 3 * P, 0, 0) == int64_t(kA));
  CHECK(as.check_invariants() == "");
  CHECK(frames() == 3);
  CHECK(region(kA).range == pages_of(kA, kA + 3 * P));
  CHECK(!mapped(kA + 3 * P));
  CHECK(word(kA + 2 * P) == 102);
  // A length that is not a page multiple rounds up: 2.5 pages keeps 3.
  CHECK(as.mremap(kA, 3 * P, 2 * P + 1, 0, 0) == int64_t(kA));
  CHECK(as.check_invariants() == "");
  CHECK(region(kA).range == pages_of(kA, kA + 3 * P));
}

TEST_CASE_METHOD(Fixture, "mremap_grow_in_place_keeps_contents_and_merges_into_one_region", "[mremap]") {
  map(kA, 4 * P);
  fill(kA, 4, 7);
  const uint64_t nodes = as.stats().region_nodes;
  CHECK(as.mremap(kA, 4 * P, 8 * P, 0, 0) == int64_t(kA));
  CHECK(as.check_invariants() == "");
  CHECK(region(kA).range == pages_of(kA, kA + 8 * P));
  CHECK(as.stats().region_nodes == nodes);
  CHECK(word(kA + 3 * P) == 10);
  CHECK(word(kA + 7 * P) == 0);  // the new pages are fresh zero memory
  CHECK(frames() == 5);          // populated only when touched
}

TEST_CASE_METHOD(Fixture, "mremap_grow_in_place_up_to_an_equal_region_merges_all_three", "[mremap]") {
  // Native: [a, +4P) rw, hole, [a+8P, +4P) rw; growing a to 8 pages leaves one
  // region a..a+12P in /proc/self/maps.
  map(kA, 4 * P);
  map(kA + 8 * P, 4 * P);
  CHECK(as.mremap(kA, 4 * P, 8 * P, 0, 0) == int64_t(kA));
  CHECK(as.check_invariants() == "");
  CHECK(region(kA).range == pages_of(kA, kA + 12 * P));
}

TEST_CASE_METHOD(Fixture, "mremap_maymove_moves_the_frames_without_copying", "[mremap]") {
  map(kA, 4 * P);
  map(kA + 4 * P, P, PROT_READ);  // blocks growth in place
  fill(kA, 4, 500);
  const uint64_t in_use = frames();
  const uint64_t handed_out = allocations();
  const int64_t moved = as.mremap(kA, 4 * P, 6 * P, MREMAP_MAYMOVE, 0);
  REQUIRE(moved > 0);
  const uint64_t to = uint64_t(moved);
  CHECK(to != kA);
  CHECK(as.check_invariants() == "");
  CHECK(frames() == in_use);
  CHECK(!mapped(kA));
  CHECK(!mapped(kA + 3 * P));
  CHECK(mapped(kA + 4 * P));
  CHECK(region(to).range == pages_of(to, to + 6 * P));
  for (uint64_t i = 0; i < 4; ++i) CHECK(word(to + i * P) == 500 + i);
  CHECK(allocations() == handed_out);  // reading the moved pages allocated nothing
  CHECK(word(to + 5 * P) == 0);
  // Placed like mmap: top down, below mmap_base.
  CHECK(to + 6 * P == 0x7ffff7fff000);
}

TEST_CASE_METHOD(Fixture, "mremap_fixed_onto_an_occupied_range_replaces_it", "[mremap]") {
  // Native: the target region keeps its pages outside [new, new + new_len).
  map(kA, 4 * P);
  fill(kA, 4, 40);
  map(kB, 8 * P, PROT_READ);
  fill(kB, 8, 900);
  REQUIRE(frames() == 12);
  CHECK(as.mremap(kA, 4 * P, 6 * P, MREMAP_MAYMOVE | MREMAP_FIXED, kB + P) == int64_t(kB + P));
  CHECK(as.check_invariants() == "");
  CHECK(frames() == 4 + 2);  // the 6 replaced target pages gave their frames back
  CHECK(!mapped(kA));
  CHECK(region(kB).range == pages_of(kB, kB + P));
  CHECK(word(kB) == 900);
  CHECK(region(kB + P).range == pages_of(kB + P, kB + 7 * P));
  CHECK(region(kB + P).attrs.prot == (Prot::Read | Prot::Write));
  CHECK(word(kB + P) == 40);
  CHECK(word(kB + 4 * P) == 43);
  CHECK(word(kB + 5 * P) == 0);
  CHECK(word(kB + 7 * P) == 907);
}

TEST_CASE_METHOD(Fixture, "mremap_fixed_may_also_shrink", "[mremap]") {
  map(kA, 8 * P);
  fill(kA, 8, 1);
  CHECK(as.mremap(kA + 4 * P, 4 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, kB) == int64_t(kB));
  CHECK(as.check_invariants() == "");
  CHECK(region(kA).range == pages_of(kA, kA + 4 * P));
  CHECK(region(kB).range == pages_of(kB, kB + 2 * P));
  CHECK(word(kB + P) == 6);
  CHECK(frames() == 6);
}

TEST_CASE_METHOD(Fixture, "mremap_fixed_same_size_moves_every_region_in_the_range_keeping_the_gaps", "[mremap]") {
  // Linux 6.17+ (remap_move; 6.1: EFAULT). Native on 6.18: the same layout
  // comes out at the target, holes included, and the source's head stays.
  map(kA, 4 * P);
  fill(kA, 4, 10);
  map(kA + 6 * P, 2 * P, PROT_READ);
  fill(kA + 6 * P, 2, 60);
  map(kB + 3 * P, P);  // in the target's hole: each part unmaps only its own target
  CHECK(as.mremap(kA + 2 * P, 6 * P, 6 * P, MREMAP_MAYMOVE | MREMAP_FIXED, kB) == int64_t(kB));
  CHECK(as.check_invariants() == "");
  CHECK(region(kA).range == pages_of(kA, kA + 2 * P));
  CHECK(!mapped(kA + 2 * P));
  CHECK(!mapped(kA + 6 * P));
  CHECK(region(kB).range == pages_of(kB, kB + 2 * P));
  CHECK(word(kB) == 12);
  CHECK(word(kB + P) == 13);
  CHECK(!mapped(kB + 2 * P));
  CHECK(region(kB + 3 * P).range == pages_of(kB + 3 * P, kB + 4 * P));
  CHECK(region(kB + 4 * P).range == pages_of(kB + 4 * P, kB + 6 * P));
  CHECK(region(kB + 4 * P).attrs.prot == Prot::Read);
  CHECK(word(kB + 5 * P) == 61);
  CHECK(frames() == 6);
}

TEST_CASE_METHOD(Fixture, "mremap_dontunmap_leaves_the_old_range_mapped_and_empty", "[mremap]") {
  map(kA, 4 * P);
  fill(kA, 4, 7);
  const uint64_t in_use = frames();
  const int64_t moved = as.mremap(kA, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
  REQUIRE(moved > 0);
  CHECK(as.check_invariants() == "");
  CHECK(frames() == in_use);
  CHECK(region(kA).range == pages_of(kA, kA + 4 * P));
  CHECK(word(uint64_t(moved)) == 7);
  CHECK(word(uint64_t(moved) + P) == 8);
  CHECK(word(kA) == 0);  // native: the old private anonymous range reads zero
  CHECK(word(kA + 2 * P) == 9);
  // With DONTUNMAP alone new_addr is a hint, honoured when free (native).
  CHECK(as.mremap(kA + 2 * P, P, P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, kB) == int64_t(kB));
  CHECK(as.check_invariants() == "");
  CHECK(word(kB) == 9);
}

TEST_CASE_METHOD(Fixture, "mremap_moves_file_backed_private_pages_with_their_offsets", "[mremap][file]") {
  std::string content;
  for (char c = 'a'; c < 'a' + 8; ++c) content += std::string(P, c);
  TempFile file(content);
  // File pages 2..5 ('c'..'f') at kA.
  REQUIRE(as.mmap(kA, 4 * P, kRw, MAP_PRIVATE | MAP_FIXED, file.fd(), 2 * P) == int64_t(kA));
  const char x = 'X';
  REQUIRE(as.copy_out(GuestAddr{kA + P}, &x, 1));  // private copy of file page 3
  // Move file pages 3..5 away, growing by one page (file page 6, 'g').
  REQUIRE(as.mmap(kA + 4 * P, P, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA + 4 * P));
  const int64_t moved = as.mremap(kA + P, 3 * P, 4 * P, MREMAP_MAYMOVE, 0);
  REQUIRE(moved > 0);
  const uint64_t to = uint64_t(moved);
  CHECK(as.check_invariants() == "");
  CHECK(region(to).attrs.file_offset == 3 * P);
  char got[4] = {};
  for (int i = 0; i < 4; ++i) REQUIRE(as.copy_in(&got[i], GuestAddr{to + uint64_t(i) * P + 1}, 1));
  CHECK(std::string(got, 4) == "defg");
  REQUIRE(as.copy_in(got, GuestAddr{to}, 1));
  CHECK(got[0] == 'X');  // the modified private page moved with its frame
  REQUIRE(as.copy_in(got, GuestAddr{kA}, 1));
  CHECK(got[0] == 'c');
  CHECK(region(kA).range == pages_of(kA, kA + P));
}

TEST_CASE_METHOD(Fixture, "mremap_dontunmap_of_a_file_mapping_reads_the_file_again", "[mremap][file]") {
  TempFile file(std::string(P, 'r'));
  REQUIRE(as.mmap(kA, P, kRw, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kA));
  const char x = 'X';
  REQUIRE(as.copy_out(GuestAddr{kA}, &x, 1));
  const int64_t moved = as.mremap(kA, P, P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
  REQUIRE(moved > 0);
  CHECK(as.check_invariants() == "");
  char c = 0;
  REQUIRE(as.copy_in(&c, GuestAddr{uint64_t(moved)}, 1));
  CHECK(c == 'X');
  REQUIRE(as.copy_in(&c, GuestAddr{kA}, 1));
  CHECK(c == 'r');
}

TEST_CASE_METHOD(Fixture, "mremap_old_len_zero_duplicates_a_shared_mapping", "[mremap][shared]") {
  // Native: the duplicate aliases the same memory (reads 42); without
  // MREMAP_MAYMOVE there is no room to grow in place: ENOMEM.
  REQUIRE(as.mmap(kA, 2 * P, kRw, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == int64_t(kA));
  const uint8_t v = 42;
  REQUIRE(as.copy_out(GuestAddr{kA}, &v, 1));
  CHECK(as.mremap(kA, 0, 2 * P, 0, 0) == -ENOMEM);
  const int64_t dup = as.mremap(kA, 0, 2 * P, MREMAP_MAYMOVE, 0);
  REQUIRE(dup > 0);
  CHECK(as.check_invariants() == "");
  uint8_t got = 0;
  REQUIRE(as.copy_in(&got, GuestAddr{uint64_t(dup)}, 1));
  CHECK(got == 42);
  const uint8_t w = 7;
  REQUIRE(as.copy_out(GuestAddr{uint64_t(dup) + P}, &w, 1));
  REQUIRE(as.copy_in(&got, GuestAddr{kA + P}, 1));
  CHECK(got == 7);
  CHECK(mapped(kA));
}

TEST_CASE_METHOD(Fixture, "mremap_of_code_pages_notifies_the_observer_and_flushes_the_tlb", "[mremap][code]") {
  RecordingObserver observer;
  Tlb tlb;
  as.set_code_observer(&observer);
  as.attach(&tlb);
  map(kA, 2 * P, PROT_READ | PROT_EXEC);
  map(kA + 2 * P, P, PROT_READ);
  const uint8_t code[2] = {0x90, 0xc3};
  REQUIRE(as.poke(GuestAddr{kA + P}, code, 2));
  uint8_t buf[2];
  REQUIRE(as.fetch_code(GuestAddr{kA + P}, buf, 2) == 2);
  uint8_t b;
  as.load_slow(tlb, kA, &b, 1);
  REQUIRE(tlb.read_ptr<1>(kA) != nullptr);
  const int64_t moved = as.mremap(kA, 2 * P, 3 * P, MREMAP_MAYMOVE, 0);
  REQUIRE(moved > 0);
  CHECK(as.check_invariants() == "");
  CHECK(tlb.read_ptr<1>(kA) == nullptr);
  REQUIRE(observer.notices.size() == 1);
  CHECK(observer.notices[0] == pages_of(kA + P, kA + 2 * P));
  CHECK(as.fetch_code(GuestAddr{uint64_t(moved) + P}, buf, 2) == 2);
  CHECK(buf[1] == 0xc3);
  as.detach(&tlb);
}

TEST_CASE_METHOD(Fixture, "mremap_growth_of_private_writable_memory_respects_the_commit_limit", "[mremap]") {
  AddressSpace small(AddressSpaceConfig{.mem_limit = 1 << 20});  // 256 frames
  REQUIRE(small.mmap(kA, P, kRw, kAnonFixed, -1, 0) == int64_t(kA));
  CHECK(small.mremap(kA, P, 512 * P, MREMAP_MAYMOVE, 0) == -ENOMEM);
  CHECK(small.mremap(kA, P, 200 * P, 0, 0) == int64_t(kA));
  CHECK(small.check_invariants() == "");
  // Read-only memory is not charged (Linux VM_ACCOUNT needs VM_WRITE).
  REQUIRE(small.mmap(kB, P, PROT_READ, kAnonFixed, -1, 0) == int64_t(kB));
  CHECK(small.mremap(kB, P, 512 * P, 0, 0) == int64_t(kB));
  CHECK(small.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "mremap_argument_errors_are_linux_errnos", "[mremap][errno]") {
  map(kA, 16 * P);
  map(kA + 16 * P, 4 * P, PROT_READ);  // a second region right after
  map(kB, 2 * P, PROT_READ);
  const int fixed = MREMAP_MAYMOVE | MREMAP_FIXED;
  const int dontunmap = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;

  CHECK(as.mremap(kA, P, P, 8, 0) == -EINVAL);                          // unknown flag
  CHECK(as.mremap(kA, P, P, MREMAP_FIXED, kB + 100 * P) == -EINVAL);    // FIXED without MAYMOVE
  CHECK(as.mremap(kA, P, P, MREMAP_DONTUNMAP, 0) == -EINVAL);           // DONTUNMAP without MAYMOVE
  CHECK(as.mremap(kA, P, 2 * P, dontunmap, 0) == -EINVAL);              // DONTUNMAP resizing
  CHECK(as.mremap(kA + 1, P, P, 0, 0) == -EINVAL);                      // old_addr unaligned
  CHECK(as.mremap(kA, P, 0, 0, 0) == -EINVAL);                          // new_len 0
  CHECK(as.mremap(kA, P, ~uint64_t{0}, MREMAP_MAYMOVE, 0) == -EINVAL);  // new_len rounds to 0
  CHECK(as.mremap(kA - 10 * P, P, 2 * P, MREMAP_MAYMOVE, 0) == -EFAULT);  // nothing mapped there
  CHECK(as.mremap(kA - 10 * P, 2 * P, P, 0, 0) == -EFAULT);
  CHECK(as.mremap(kA - 10 * P, P, P, 0, 0) == -EFAULT);
  CHECK(as.mremap(kA, P, P, fixed, kB + 100 * P + 1) == -EINVAL);       // new_addr unaligned
  CHECK(as.mremap(kA, 4 * P, 4 * P, fixed, kA + 2 * P) == -EINVAL);     // old and new overlap
  CHECK(as.mremap(kA, P, 2 * P, fixed, 0x7ffffffff000) == -EINVAL);     // past TASK_SIZE
  CHECK(as.mremap(kA, P, uint64_t{1} << 47, fixed, 0x10000) == -EINVAL);
  // Below vm.mmap_min_addr: EPERM for a process without CAP_SYS_RAWIO (as mmap).
  CHECK(as.mremap(kB, P, P, fixed, 0x1000) == -EPERM);
  CHECK(as.mremap(kA, 0, P, MREMAP_MAYMOVE, 0) == -EINVAL);             // duplicating private memory
  CHECK(as.mremap(kA, 0, P, fixed, kB + 100 * P) == -EINVAL);
  CHECK(as.mremap(kA, 0, P, 0, 0) == -EINVAL);
  CHECK(as.mremap(kA, ~uint64_t{0}, P, 0, 0) == -EINVAL);               // old_len rounds to 0
  CHECK(as.mremap(kA + 14 * P, 4 * P, 8 * P, MREMAP_MAYMOVE, 0) == -EFAULT);  // crosses a region end
  CHECK(as.mremap(kA - 2 * P, 4 * P, 4 * P, fixed, kB + 100 * P) == -EFAULT);  // a hole at the start
  // A silly new length or address, or an overlap, is EINVAL before the old
  // range is looked up (6.1: EFAULT first).
  CHECK(as.mremap(kA - 10 * P, P, uint64_t{1} << 47, MREMAP_MAYMOVE, 0) == -EINVAL);
  CHECK(as.mremap(kA - 10 * P, P, P, fixed, 0x7ffffffff000) == -EINVAL);
  CHECK(as.mremap(kA - 10 * P, 4 * P, 4 * P, fixed, kA - 8 * P) == -EINVAL);
  // MREMAP_DONTUNMAP compares the lengths after rounding them (6.1: before).
  CHECK(as.mremap(kA - 10 * P, 1, P, dontunmap, 0) == -EFAULT);
  CHECK(as.mremap(kA, 16 * P, 17 * P, 0, 0) == -ENOMEM);                // no room, may not move
  CHECK(as.mremap(kA, 8 * P, 9 * P, 0, 0) == -ENOMEM);                  // not at the region's end
  CHECK(as.mremap(kA + 2 * P, P, P, dontunmap, kA + 2 * P) == -EINVAL);  // hint overlaps
  CHECK(as.mremap(kA + 2 * P, P, P, dontunmap, kB + 100 * P + 5) == -EINVAL);
  CHECK(as.mremap(kA, uint64_t{1} << 47, P, 0, 0) == -EINVAL);          // tail past TASK_SIZE (munmap's EINVAL)
  CHECK(as.mremap(kA, P, uint64_t{1} << 47, MREMAP_MAYMOVE, 0) == -EINVAL);  // 6.1: ENOMEM (get_unmapped_area)
  CHECK(as.check_invariants() == "");
  // Nothing above changed the layout.
  CHECK(region(kA).range == pages_of(kA, kA + 16 * P));
  CHECK(region(kA + 16 * P).range == pages_of(kA + 16 * P, kA + 20 * P));
  CHECK(region(kB).range == pages_of(kB, kB + 2 * P));
}

TEST_CASE_METHOD(Fixture, "mremap_without_resize_or_with_a_shrink_ignores_region_bounds", "[mremap]") {
  // Native: same size returns the address whatever is there; a shrink unmaps
  // the tail across regions and holes.
  map(kA, 16 * P);
  map(kA + 16 * P, 4 * P, PROT_READ);
  CHECK(as.mremap(kA + 14 * P, 4 * P, 4 * P, 0, 0) == int64_t(kA + 14 * P));
  CHECK(as.mremap(kA + 14 * P, 40 * P, 40 * P, 0, 0) == int64_t(kA + 14 * P));
  CHECK(as.check_invariants() == "");
  CHECK(mapped(kA + 17 * P));
  CHECK(as.mremap(kA + 14 * P, 4 * P, P, 0, 0) == int64_t(kA + 14 * P));
  CHECK(as.check_invariants() == "");
  CHECK(mapped(kA + 14 * P));
  CHECK(!mapped(kA + 15 * P));
  CHECK(!mapped(kA + 17 * P));
  CHECK(mapped(kA + 18 * P));
}

TEST_CASE_METHOD(Fixture, "mremap_grow_in_place_stops_below_task_size", "[mremap]") {
  map(0x7fff00000000, P, PROT_READ);
  CHECK(as.mremap(0x7fff00000000, P, 0x100000000, 0, 0) == -ENOMEM);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("page_table_move_range_moves_present_entries_and_frees_emptied_tables", "[mremap][page_table]") {
  PageTable pt;
  const uint64_t tables_empty = pt.table_count();
  // Pages spread over two leaf tables, with holes.
  const PageNum from{0x200000};
  for (uint64_t i : {0, 1, 7, 511, 512, 900}) pt.insert(from + i, PageEntry::make(FrameNum{uint32_t(i + 1)}, Prot::Read));
  pt.find(from + 7)->set_code(true);
  const PageNum to{0x7ff00000};
  uint64_t seen = 0;
  pt.move_range(PageRange{from, from + 1024}, to, [&](PageNum p, PageEntry& e) {
    ++seen;
    CHECK(p.value - from.value + 1 == e.frame.value);
    e.set_code(false);
  });
  CHECK(seen == 6);
  CHECK(pt.present_count() == 6);
  for (uint64_t i : {0, 1, 7, 511, 512, 900}) {
    CHECK(pt.find(from + i) == nullptr);
    const PageEntry* e = pt.find(to + i);
    REQUIRE(e != nullptr);
    CHECK(e->frame.value == i + 1);
    CHECK(!e->is_code());
  }
  CHECK(pt.find(to + 2) == nullptr);
  pt.remove_range(PageRange{to, to + 1024}, [](PageNum, const PageEntry&) {});
  CHECK(pt.present_count() == 0);
  CHECK(pt.table_count() == tables_empty);
}
