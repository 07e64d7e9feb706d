#include "loader/layout.h"

#include <algorithm>

namespace emu::loader {

namespace {
constexpr uint64_t kTaskSize = kStackTop;
constexpr uint64_t kMinGap = uint64_t{128} << 20;
constexpr uint64_t kMaxGap = kTaskSize / 6 * 5;
constexpr uint64_t page_align_up(uint64_t v) { return (v + mm::kPageMask) & ~mm::kPageMask; }
}  // namespace

mm::Layout default_layout(uint64_t stack_limit) {
  uint64_t gap = stack_limit;
  if (gap + kStackGuardGap > gap) gap += kStackGuardGap;  // as Linux: skip the pad on overflow
  gap = std::clamp(gap, kMinGap, kMaxGap);
  mm::Layout layout;
  layout.mmap_base = mm::GuestAddr{page_align_up(kTaskSize - gap)};
  layout.mmap_min = mm::GuestAddr{kMmapMinAddr};
  layout.stack_top = mm::GuestAddr{kStackTop};
  return layout;
}

uint64_t initial_stack_size(uint64_t argument_bytes, uint64_t stack_limit) {
  const uint64_t arg_pages = std::max(page_align_up(argument_bytes), mm::kPageSize);
  const uint64_t limit = stack_limit & ~mm::kPageMask;
  return std::max(arg_pages, std::min(arg_pages + kStackExpand, limit));
}

uint64_t max_stack_size(const mm::Layout& layout, uint64_t stack_limit) {
  const uint64_t room = layout.stack_top.value - layout.mmap_base.value - kStackGuardGap;
  uint64_t size = std::clamp<uint64_t>(stack_limit, uint64_t{128} << 10, room);
  return size & ~mm::kPageMask;
}

}  // namespace emu::loader
