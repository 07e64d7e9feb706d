#include "mm/unmapped_area.h"

#include <algorithm>
#include <optional>

#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

constexpr uint64_t kGuardPages = kStackGuardGap >> kPageShift;

// Linux vm_start_gap(): how high a mapping below `r` may end: its start,
// less the stack guard gap under a grows-down region.
PageNum start_gap(const Region& r) {
  if (!r.attrs.grows_down) return r.range.start;
  return PageNum{r.range.start.value > kGuardPages ? r.range.start.value - kGuardPages : 0};
}

// The highest run of `pages` free pages in `window` whose free area does not
// reach into the guard gap below a grows-down region above it
// (unmapped_area_topdown: such a gap is searched again below the guard).
std::optional<PageNum> find_free_top_down(const RegionTree& regions, uint64_t pages, PageRange window) {
  for (;;) {
    const std::optional<PageNum> found = regions.find_free(pages, window);
    if (!found) return std::nullopt;
    const Region* above = regions.find_next(*found + pages);
    if (!above || !above->attrs.grows_down) return found;
    const PageNum gap_end = std::min(above->range.start, window.end);
    const PageNum limit = start_gap(*above);
    if (limit >= gap_end) return found;
    if (limit <= window.start) return std::nullopt;
    window.end = limit;
  }
}

// The lowest such run (unmapped_area: a run reaching into the guard gap
// below a grows-down region is searched again above that region).
std::optional<PageNum> find_free_bottom_up(const RegionTree& regions, uint64_t pages, PageRange window) {
  for (;;) {
    const std::optional<PageNum> found = regions.find_free_bottom_up(pages, window);
    if (!found) return std::nullopt;
    const Region* above = regions.find_next(*found + pages);
    if (!above || !above->attrs.grows_down || *found + pages <= start_gap(*above)) return found;
    if (above->range.end >= window.end) return std::nullopt;
    window.start = above->range.end;
  }
}

// The search without MAP_FIXED: a hint, else the free-area search. nullopt
// is ENOMEM.
std::optional<uint64_t> find_unmapped_area(const RegionTree& regions, const Layout& layout, uint64_t mmap_base,
                                           uint64_t hint, uint64_t len, int flags, uint64_t align) {
  // A hint is taken where the search would look: below 2 GiB for MAP_32BIT
  // (arch_get_unmapped_area's `end - len >= addr`), else below TASK_SIZE
  // (mmap_address_hint_valid); and only below the guard gap of a grows-down
  // region after it.
  if (hint != 0) hint = align_up(hint, align);
  const uint64_t hint_end = (flags & kMap32Bit) ? kMap32BitEnd : kTaskSize;
  if (hint != 0 && len <= hint_end && hint <= hint_end - len) {
    const Region* next = regions.find_next(GuestAddr{hint}.page());
    if (!next || GuestAddr{hint + len}.page() <= start_gap(*next)) return hint;
  }
  // An aligned mapping is looked for in a run longer by the alignment, and
  // placed at its highest (top-down) or lowest (bottom-up) aligned start.
  const uint64_t pages = len >> kPageShift, align_pages = align >> kPageShift;
  const uint64_t run = pages + align_pages - 1;
  if (flags & kMap32Bit) {
    // arch_get_unmapped_area, bottom-up in [1 GiB, 2 GiB) (Linux randomises
    // the start by up to 32 MiB where ASLR is on).
    const std::optional<PageNum> found =
        find_free_bottom_up(regions, run, PageRange{GuestAddr{kMap32BitStart}.page(), GuestAddr{kMap32BitEnd}.page()});
    if (!found) return std::nullopt;
    return align_up(found->addr().value, align);
  }
  // arch_get_unmapped_area_topdown below mmap_base; then, where Linux falls
  // back to its bottom-up search from TASK_UNMAPPED_BASE, anywhere.
  const PageNum floor = GuestAddr{std::max<uint64_t>(layout.mmap_min.value, kPageSize)}.page();
  std::optional<PageNum> found = find_free_top_down(regions, run, PageRange{floor, GuestAddr{mmap_base}.page()});
  if (!found) found = find_free_top_down(regions, run, PageRange{floor, GuestAddr{kTaskSize}.page()});
  if (!found) return std::nullopt;
  return (found->addr().value + ((align_pages - 1) << kPageShift)) & ~(align - 1);
}

}  // namespace

int64_t get_unmapped_area(const RegionTree& regions, const Layout& layout, uint64_t mmap_base, uint64_t addr,
                          uint64_t len, int flags, uint64_t align) {
  if (len > kTaskSize) return -kENoMem;
  if (flags & kMapFixed) {
    // hugetlb_get_unmapped_area: a fixed address must be huge page aligned.
    if (align > kPageSize && (addr & (align - 1))) return -kEInval;
    if (addr >= uint64_t(-kMaxErrno)) return int64_t(addr);
  } else {
    const std::optional<uint64_t> found = find_unmapped_area(regions, layout, mmap_base, addr, len, flags, align);
    if (!found) return -kENoMem;
    addr = *found;
  }
  if (addr > kTaskSize - len) return -kENoMem;
  if (addr & kPageMask) return -kEInval;
  if (layout.refuses_mmap_addr(addr)) return -kEPerm;
  return int64_t(addr);
}

}  // namespace emu::mm
