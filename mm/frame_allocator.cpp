#include "mm/frame_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace emu::mm {

uint64_t host_physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || size <= 0) return uint64_t{1} << 30;
  return uint64_t(pages) * uint64_t(size);
}

FrameAllocator::FrameAllocator(const FrameAllocatorOptions& options) : hot_watermark_(std::max(options.hot_watermark, 1u)) {
  uint64_t limit = options.limit_bytes ? options.limit_bytes : host_physical_memory();
  limit &= ~kPageMask;
  // Frame numbers are 32-bit.
  limit = std::min<uint64_t>(limit, uint64_t{UINT32_MAX} << kPageShift);
  // The reservation costs address space only; should the host refuse that
  // much (strict overcommit, small ulimit -v), settle for less.
  while (limit >= kPageSize) {
    void* p = ::mmap(nullptr, limit, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      base_ = static_cast<uint8_t*>(p);
      break;
    }
    limit = (limit / 2) & ~kPageMask;
  }
  reserved_bytes_ = base_ ? limit : 0;
  stats_.limit = reserved_bytes_ >> kPageShift;
  hot_.reserve(2 * size_t{hot_watermark_} + 1);
  batch_.reserve(hot_watermark_ + 1);
}

FrameAllocator::~FrameAllocator() {
  if (base_) ::munmap(base_, reserved_bytes_);
}

std::optional<FrameNum> FrameAllocator::allocate() {
  // Stranded slots are lost to the limit (free_host_shared).
  if (stats_.in_use + stranded_.size() >= stats_.limit) return std::nullopt;
  FrameNum f;
  if (!hot_.empty()) {
    f = hot_.back();
    hot_.pop_back();
    std::memset(host(f), 0, kPageSize);
    ++stats_.recycled;
  } else if (!released_.empty()) {
    f = released_.back();
    released_.pop_back();
    ++stats_.recycled;
  } else {
    f = FrameNum{next_fresh_++};
    ++stats_.fresh;
  }
  const uint64_t in_use = stats_.in_use + 1;
  set_in_use(in_use);
  stats_.peak = std::max(stats_.peak, in_use);
  return f;
}

void FrameAllocator::free(FrameNum frame) {
  set_in_use(stats_.in_use - 1);
  hot_.push_back(frame);
  if (hot_.size() >= 2 * size_t{hot_watermark_}) release_cold_hot_frames();
}

std::optional<FrameNum> FrameAllocator::allocate_slot() {
  if (stats_.in_use + stranded_.size() >= stats_.limit) return std::nullopt;
  // Released frames first: mapping over a hot one would drop a resident
  // frame the next allocate() could have used warm.
  FrameNum f;
  if (!released_.empty()) {
    f = released_.back();
    released_.pop_back();
    ++stats_.recycled;
  } else if (next_fresh_ < stats_.limit) {
    f = FrameNum{next_fresh_++};
    ++stats_.fresh;
  } else {
    f = hot_.back();
    hot_.pop_back();
    ++stats_.recycled;
  }
  const uint64_t in_use = stats_.in_use + 1;
  set_in_use(in_use);
  stats_.peak = std::max(stats_.peak, in_use);
  return f;
}

int FrameAllocator::map_host_shared(FrameNum frame, int fd, uint64_t offset, bool writable) {
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  void* p = ::mmap(host(frame), kPageSize, prot, MAP_SHARED | MAP_FIXED, fd, off_t(offset));
  return p == MAP_FAILED ? errno : 0;
}

void FrameAllocator::free_host_shared(FrameNum frame) {
  set_in_use(stats_.in_use - 1);
  constexpr int kAnonFixed = MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  void* p = ::mmap(host(frame), kPageSize, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0);
  if (p == MAP_FAILED) {
    stranded_.push_back(frame);
    return;
  }
  released_.push_back(frame);
}

// Gives the oldest hot frames (the bottom of the LIFO) beyond the watermark
// back to the host, one madvise per contiguous run.
void FrameAllocator::release_cold_hot_frames() {
  const size_t excess = hot_.size() - hot_watermark_;
  batch_.assign(hot_.begin(), hot_.begin() + ptrdiff_t(excess));
  hot_.erase(hot_.begin(), hot_.begin() + ptrdiff_t(excess));
  std::sort(batch_.begin(), batch_.end());
  for (size_t i = 0; i < batch_.size();) {
    size_t j = i + 1;
    while (j < batch_.size() && batch_[j].value == batch_[j - 1].value + 1) ++j;
    ::madvise(host(batch_[i]), (j - i) << kPageShift, MADV_DONTNEED);
    i = j;
  }
  stats_.released += batch_.size();
  released_.insert(released_.end(), batch_.begin(), batch_.end());
  batch_.clear();
}

std::string FrameAllocator::check_invariants() const {
  std::vector<FrameNum> all(hot_);
  all.insert(all.end(), released_.begin(), released_.end());
  all.insert(all.end(), stranded_.begin(), stranded_.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].value >= next_fresh_) return fmt::format("free frame {} was never handed out", all[i].value);
    if (i > 0 && all[i] == all[i - 1]) return fmt::format("frame {} is free twice", all[i].value);
  }
  if (stats_.in_use + all.size() != next_fresh_)
    return fmt::format("{} in use + {} free != {} ever handed out", stats_.in_use, all.size(), next_fresh_);
  if (stats_.in_use > stats_.limit) return "more frames in use than the limit";
  return {};
}

}  // namespace emu::mm
