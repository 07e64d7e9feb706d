// PageTable: lookups, range walks and removal over the 4-level radix tree.
#include <catch2/catch.hpp>

#include <vector>

#include "mm/page_table.h"

using namespace emu::mm;

TEST_CASE("an empty page table finds nothing, anywhere", "[page_table]") {
  PageTable pt;
  CHECK(pt.find(PageNum{0}) == nullptr);
  CHECK(pt.find(PageNum{kUserTopPage - 1}) == nullptr);
  CHECK(pt.find(PageNum{kUserTopPage}) == nullptr);
  CHECK(pt.find(PageNum{~uint64_t{0}}) == nullptr);
  CHECK(pt.present_count() == 0);
  CHECK(pt.table_count() == 1);
}

TEST_CASE("insert makes a page present with its frame, prot and flags", "[page_table]") {
  PageTable pt;
  pt.insert(PageNum{0}, PageEntry::make(FrameNum{7}, Prot::Read));
  PageEntry& top = pt.insert(PageNum{kUserTopPage - 1}, PageEntry::make(FrameNum{8}, Prot::Read | Prot::Write));
  top.set_code(true);
  REQUIRE(pt.find(PageNum{0}));
  CHECK(pt.find(PageNum{0})->frame == FrameNum{7});
  CHECK(pt.find(PageNum{1}) == nullptr);
  REQUIRE(pt.find(PageNum{kUserTopPage - 1}));
  CHECK(pt.find(PageNum{kUserTopPage - 1})->is_code());
  CHECK(pt.find(PageNum{kUserTopPage - 1})->prot == (Prot::Read | Prot::Write));
  CHECK(pt.present_count() == 2);
  CHECK(pt.table_count() == 7);  // root + 3 levels for each end of the address space
}

TEST_CASE("for_each_present visits only present pages in the range, in order", "[page_table]") {
  PageTable pt;
  const std::vector<uint64_t> pages = {5, 511, 512, 513, 1u << 18, (1u << 27) + 3, kUserTopPage - 2};
  for (uint64_t p : pages) pt.insert(PageNum{p}, PageEntry::make(FrameNum{uint32_t(p)}, Prot::Read));
  std::vector<uint64_t> seen;
  pt.for_each_present(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [&](PageNum p, PageEntry& e) {
    seen.push_back(p.value);
    CHECK(e.frame.value == uint32_t(p.value));
  });
  CHECK(seen == pages);
  seen.clear();
  pt.for_each_present(PageRange{PageNum{511}, PageNum{513}}, [&](PageNum p, PageEntry&) { seen.push_back(p.value); });
  CHECK(seen == std::vector<uint64_t>{511, 512});
  seen.clear();
  // Ranges running past user space are clamped.
  pt.for_each_present(PageRange{PageNum{kUserTopPage - 2}, PageNum{~uint64_t{0}}}, [&](PageNum p, PageEntry&) { seen.push_back(p.value); });
  CHECK(seen == std::vector<uint64_t>{kUserTopPage - 2});
}

TEST_CASE("remove_range hands back each entry and frees emptied tables", "[page_table]") {
  PageTable pt;
  for (uint64_t p = 1000; p < 3000; ++p) pt.insert(PageNum{p}, PageEntry::make(FrameNum{uint32_t(p)}, Prot::Read));
  const uint64_t tables = pt.table_count();
  uint64_t removed = 0;
  pt.remove_range(PageRange{PageNum{1500}, PageNum{2500}}, [&](PageNum p, const PageEntry& e) {
    CHECK(e.frame.value == uint32_t(p.value));
    ++removed;
  });
  CHECK(removed == 1000);
  CHECK(pt.present_count() == 1000);
  CHECK(pt.find(PageNum{1499}) != nullptr);
  CHECK(pt.find(PageNum{1500}) == nullptr);
  CHECK(pt.find(PageNum{2499}) == nullptr);
  CHECK(pt.find(PageNum{2500}) != nullptr);
  CHECK(pt.table_count() == tables - 1);  // the leaf [1536, 2048) is empty now
  pt.remove_range(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [](PageNum, const PageEntry&) {});
  CHECK(pt.present_count() == 0);
  CHECK(pt.table_count() == 1);
}

TEST_CASE("a huge sparse range costs what is populated", "[page_table]") {
  PageTable pt;
  pt.insert(PageNum{kUserTopPage / 2}, PageEntry::make(FrameNum{1}, Prot::Read));
  int visits = 0;
  // 2^35 pages: only works in reasonable time because absent tables are skipped.
  for (int i = 0; i < 1000; ++i)
    pt.for_each_present(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [&](PageNum, PageEntry&) { ++visits; });
  CHECK(visits == 1000);
}

TEST_CASE("re-inserting after removal reuses spare tables", "[page_table]") {
  PageTable pt;
  for (int i = 0; i < 1000; ++i) {
    pt.insert(PageNum{0x7f0000000 + uint64_t(i % 3)}, PageEntry::make(FrameNum{1}, Prot::Read));
    pt.remove_range(PageRange{PageNum{0x7f0000000}, PageNum{0x7f0000003}}, [](PageNum, const PageEntry&) {});
  }
  CHECK(pt.table_count() == 1);
  CHECK(pt.present_count() == 0);
}

TEST_CASE("guard markers are entries that are not present, kept apart from present pages", "[page_table][guard]") {
  PageTable pt;
  pt.insert(PageNum{10}, PageEntry::make(FrameNum{1}, Prot::Read));
  pt.set_guards(PageRange{PageNum{11}, PageNum{14}});
  CHECK(pt.guard_count() == 3);
  CHECK(pt.present_count() == 1);
  CHECK(pt.find(PageNum{12}) == nullptr);  // a marker is not a present page
  CHECK(pt.guarded(PageNum{11}));
  CHECK_FALSE(pt.guarded(PageNum{10}));
  CHECK_FALSE(pt.guarded(PageNum{14}));
  // Removing present pages leaves the markers (MADV_DONTNEED).
  pt.remove_range(PageRange{PageNum{0}, PageNum{20}}, [](PageNum, const PageEntry&) {});
  CHECK(pt.guard_count() == 3);
  CHECK(pt.table_count() == 4);  // still holding the markers
  pt.clear_guards(PageRange{PageNum{12}, PageNum{13}});
  std::vector<uint64_t> seen;
  pt.for_each_guard(PageRange{PageNum{0}, PageNum{20}}, [&](PageNum p) { seen.push_back(p.value); });
  CHECK(seen == std::vector<uint64_t>{11, 13});
  pt.clear_guards(PageRange{PageNum{0}, PageNum{kUserTopPage}});
  CHECK(pt.guard_count() == 0);
  CHECK(pt.table_count() == 1);  // emptied tables are freed
}

TEST_CASE("move_range moves guard markers with the present pages", "[page_table][guard]") {
  PageTable pt;
  pt.insert(PageNum{600}, PageEntry::make(FrameNum{1}, Prot::Read));
  pt.set_guards(PageRange{PageNum{601}, PageNum{602}});
  pt.move_range(PageRange{PageNum{600}, PageNum{604}}, PageNum{5000}, [](PageNum, PageEntry&) {});
  CHECK(pt.find(PageNum{5000}) != nullptr);
  CHECK(pt.guarded(PageNum{5001}));
  CHECK_FALSE(pt.guarded(PageNum{601}));
  CHECK(pt.guard_count() == 1);
  CHECK(pt.present_count() == 1);
}
