// PageTable: guest page -> frame + effective protection + flags, for the
// pages that have been touched (demand paging: a page gets its entry on first
// access, never at mmap time).
//
// A 4-level radix tree of 512-entry tables over the 35-bit page number of the
// 47-bit user space (like the x86-64 hardware walk). Tables are allocated on
// first use and freed when their last entry goes; up to kSpareTables empty
// (hence all-zero) tables are kept for reuse, so a steady mmap/touch/munmap
// loop allocates nothing.
//
// The PageTable only records; the AddressSpace decides what an entry means
// and keeps it consistent with the RegionTree (an entry's prot is always the
// effective access of its region's prot).
//
// Besides present pages it records guard markers (madvise MADV_GUARD_INSTALL,
// Linux's PTE markers): entries that are not present and make any access to
// the page fault. Like Linux's markers they live below the region level, so
// they survive what changes only pages or protection (MADV_DONTNEED,
// mprotect), move with mremap, and go with munmap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mm/types.h"

namespace emu::mm {

struct PageEntry {
  static constexpr uint8_t kPresent = 1;
  static constexpr uint8_t kCode = 2;  // decoded blocks were built from this page
  // The frame's slot is a host MAP_SHARED mapping of a file page (shared file
  // or shmem memory, mm/shared_mapping.cpp): freeing it must re-anonymise the
  // slot (FrameAllocator::free_host_shared), never put it on the hot list.
  static constexpr uint8_t kHostShared = 4;
  // With kHostShared, in a MAP_PRIVATE file region: a read-only view of the
  // page-cache page (mm/shared_mapping.cpp). The first write copies it into a
  // frame of its own (Linux's COW of a private file page), so until then the
  // guest sees later changes to the file, as on Linux.
  static constexpr uint8_t kCopyOnWrite = 8;
  // Alone (never with kPresent): a guard marker, the page faults on access.
  static constexpr uint8_t kGuard = 16;

  FrameNum frame;
  Prot prot = Prot::None;  // effective access allowed (see AddressSpace: W implies R)
  uint8_t flags = 0;

  bool present() const { return flags & kPresent; }
  bool guard() const { return flags & kGuard; }
  bool is_code() const { return flags & kCode; }
  void set_code(bool code) { flags = code ? uint8_t(flags | kCode) : uint8_t(flags & ~kCode); }
  bool host_shared() const { return flags & kHostShared; }
  bool copy_on_write() const { return flags & kCopyOnWrite; }
  // No TLB write entry may be filled for the page: writes must reach the
  // slow path (to invalidate decoded code, or to copy a page-cache view).
  bool write_traps() const { return flags & (kCode | kCopyOnWrite); }

  static PageEntry make(FrameNum frame, Prot prot) { return PageEntry{frame, prot, kPresent}; }
};
static_assert(sizeof(PageEntry) == 8);

class PageTable {
 public:
  static constexpr size_t kSpareTables = 64;

  PageTable();
  ~PageTable();
  PageTable(const PageTable&) = delete;
  PageTable& operator=(const PageTable&) = delete;

  // The entry of a present page, or null.
  PageEntry* find(PageNum page) {
    if (page.value >= kUserTopPage) return nullptr;
    Table* t = root_;
    for (unsigned shift = kTopShift; shift > 0; shift -= kBits) {
      t = t->child[(page.value >> shift) & kIndexMask];
      if (!t) return nullptr;
    }
    PageEntry& e = t->entry[page.value & kIndexMask];
    return e.present() ? &e : nullptr;
  }
  const PageEntry* find(PageNum page) const { return const_cast<PageTable*>(this)->find(page); }

  // Makes `page` (not present, not a guard, below kUserTopPage) present
  // with `entry`. May throw std::bad_alloc for a new table.
  PageEntry& insert(PageNum page, PageEntry entry);

  // Whether `page` holds a guard marker. Cheap when there are none.
  bool guarded(PageNum page) const {
    if (guards_ == 0 || page.value >= kUserTopPage) return false;
    const Table* t = root_;
    for (unsigned shift = kTopShift; shift > 0; shift -= kBits) {
      t = t->child[(page.value >> shift) & kIndexMask];
      if (!t) return false;
    }
    return t->entry[page.value & kIndexMask].guard();
  }
  // Puts a guard marker on every page of [range), none of which may be
  // present. May throw std::bad_alloc for a new table.
  void set_guards(PageRange range);
  // Removes the guard markers of [range) (present pages stay); frees tables
  // that become empty.
  void clear_guards(PageRange range) {
    auto ignore = [](PageNum, const PageEntry&) {};
    clamp(range);
    if (guards_ != 0 && !range.empty())
      walk<Mode::Remove, PageEntry::kGuard>(root_, kTopShift, 0, range.start.value, range.end.value, ignore);
  }
  // Calls f(PageNum) for every guard marker in [range), in order.
  template <class F>
  void for_each_guard(PageRange range, F&& f) const {
    auto visit = [&](PageNum p, PageEntry&) { f(p); };
    clamp(range);
    if (guards_ != 0 && !range.empty())
      const_cast<PageTable*>(this)->walk<Mode::Visit, PageEntry::kGuard>(root_, kTopShift, 0, range.start.value,
                                                                         range.end.value, visit);
  }

  // Calls f(PageNum, PageEntry&) for every present page in [range), in order;
  // f may change prot and flags (not presence or frame). Skips absent tables,
  // so a huge sparse range costs what is populated.
  template <class F>
  void for_each_present(PageRange range, F&& f) {
    clamp(range);
    if (!range.empty())
      walk<Mode::Visit, PageEntry::kPresent>(root_, kTopShift, 0, range.start.value, range.end.value, f);
  }

  // Removes every present page in [range), calling f(PageNum, const
  // PageEntry&) on each before it goes (to free its frame). Frees tables
  // that become empty.
  template <class F>
  void remove_range(PageRange range, F&& f) {
    clamp(range);
    if (!range.empty())
      walk<Mode::Remove, PageEntry::kPresent>(root_, kTopShift, 0, range.start.value, range.end.value, f);
  }

  // mremap's page move (Linux mm/mremap.c move_page_tables): every present
  // entry of [from) goes to the same offset in [to, to + from.size()), keeping
  // its frame, so the contents move without a copy; guard markers move too.
  // Calls f(PageNum old_page, PageEntry&) on each present entry before it
  // lands (to adjust its flags). The destination must hold no entry and not
  // overlap `from`. Costs what is populated in `from`, like remove_range; may
  // throw std::bad_alloc for a new table.
  template <class F>
  void move_range(PageRange from, PageNum to, F&& f) {
    const uint64_t shift = to.value - from.start.value;  // wraps for a move down
    std::vector<PageNum> guards;
    for_each_guard(from, [&](PageNum p) { guards.push_back(PageNum{p.value + shift}); });
    clear_guards(from);
    remove_range(from, [&](PageNum p, const PageEntry& e) {
      PageEntry moved = e;
      f(p, moved);
      insert(PageNum{p.value + shift}, moved);
    });
    for (PageNum p : guards) set_guards(PageRange{p, p + 1});
  }

  uint64_t present_count() const { return present_; }
  uint64_t guard_count() const { return guards_; }
  uint64_t table_count() const { return tables_; }

 private:
  static constexpr unsigned kBits = 9;
  static constexpr unsigned kTopShift = 3 * kBits;  // shift of the root index
  static constexpr uint64_t kFanout = uint64_t{1} << kBits;
  static constexpr uint64_t kIndexMask = kFanout - 1;
  static_assert(kTopShift + kBits >= 47 - kPageShift, "4 levels must cover the user page numbers");

  // One level of the radix tree. `used` counts non-empty slots. A table with
  // used == 0 is all zero bytes.
  struct Table {
    Table() : child{}, used(0) {}
    union {
      PageEntry entry[kFanout];  // last level
      Table* child[kFanout];     // other levels
    };
    uint32_t used;
  };
  enum class Mode { Visit, Remove };

  static void clamp(PageRange& range) {
    range.end = std::min(range.end, PageNum{kUserTopPage});
    if (range.start > range.end) range.start = range.end;
  }

  Table* new_table();
  // The last-level table holding `page`'s entry, made if missing.
  Table* leaf(PageNum page);
  void free_table(Table* t);
  void destroy(Table* t, unsigned shift);

  // Visits (or removes) the entries of [lo, hi) whose flags have a bit of
  // `kind` (kPresent or kGuard). An entry is empty (flags 0) or one kind.
  template <Mode M, uint8_t kind, class F>
  void walk(Table* t, unsigned shift, uint64_t base, uint64_t lo, uint64_t hi, F& f) {
    const uint64_t i0 = (lo - base) >> shift;
    const uint64_t i1 = (hi - 1 - base) >> shift;
    for (uint64_t i = i0; i <= i1; ++i) {
      if (shift == 0) {
        PageEntry& e = t->entry[i];
        if (!(e.flags & kind)) continue;
        f(PageNum{base + i}, e);
        if constexpr (M == Mode::Remove) {
          --(e.present() ? present_ : guards_);
          e = PageEntry{};
          --t->used;
        }
        continue;
      }
      Table* c = t->child[i];
      if (!c) continue;
      const uint64_t cbase = base + (i << shift);
      const uint64_t cend = cbase + (uint64_t{1} << shift);
      walk<M, kind>(c, shift - kBits, cbase, std::max(lo, cbase), std::min(hi, cend), f);
      if constexpr (M == Mode::Remove) {
        if (c->used == 0) {
          free_table(c);
          t->child[i] = nullptr;
          --t->used;
        }
      }
    }
  }

  Table* root_ = nullptr;
  uint64_t present_ = 0;
  uint64_t guards_ = 0;
  uint64_t tables_ = 0;
  std::vector<Table*> spare_;
};

}  // namespace emu::mm
