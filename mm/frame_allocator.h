// FrameAllocator: the guest's physical memory (DESIGN.md "mm/", the gem5
// lesson: freed frames are reused first).
//
// One host reservation, mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|
// MAP_NORESERVE), sized by the memory limit; frames are 4 KiB and named by
// number. Every frame handed out reads as zero. Allocation order:
//   1. hot frames (freed recently, still resident; LIFO, so cache-warm):
//      zeroed with memset before they are handed out;
//   2. released frames (given back to the host earlier; the host refills
//      them with zeros on touch, so no memset);
//   3. fresh frames (bump pointer over never-used memory; already zero).
// free() pushes onto the hot list. When the hot list grows past twice the
// watermark, its oldest frames beyond the watermark go back to the host with
// madvise(MADV_DONTNEED), sorted and coalesced into contiguous runs: one
// syscall per run per batch, never one per free. So the emulator's RSS follows
// what the guest holds plus at most 2 x watermark frames.
//
// Exhausting the limit is an ordinary result (nullopt), never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mm/address_space.h"  // FrameStats
#include "mm/types.h"

namespace emu::mm {

struct FrameAllocatorOptions {
  uint64_t limit_bytes = 0;     // 0: host physical RAM (sysconf)
  uint32_t hot_watermark = 128; // hot frames kept resident after a release batch
};

class FrameAllocator {
 public:
  explicit FrameAllocator(const FrameAllocatorOptions& options = {});
  ~FrameAllocator();
  FrameAllocator(const FrameAllocator&) = delete;
  FrameAllocator& operator=(const FrameAllocator&) = delete;

  // A zero-filled frame, or nullopt when the limit is reached.
  std::optional<FrameNum> allocate();
  // Returns a frame obtained from allocate(). Its contents are garbage from now on.
  void free(FrameNum frame);

  uint8_t* host(FrameNum frame) const { return base_ + (uint64_t{frame.value} << kPageShift); }
  const FrameStats& stats() const { return stats_; }
  size_t hot_count() const { return hot_.size(); }
  uint64_t limit_frames() const { return stats_.limit; }

  // Empty when the free lists are consistent (no duplicates, nothing both
  // free and counted in use, everything below the bump pointer); else why not.
  std::string check_invariants() const;

 private:
  void release_cold_hot_frames();

  uint8_t* base_ = nullptr;
  uint64_t reserved_bytes_ = 0;
  uint32_t hot_watermark_;
  uint32_t next_fresh_ = 0;           // frames [0, next_fresh_) have been handed out at least once
  std::vector<FrameNum> hot_;         // LIFO; back() is the most recently freed
  std::vector<FrameNum> released_;    // LIFO of frames given back to the host
  std::vector<FrameNum> batch_;       // scratch for one release batch
  FrameStats stats_;
};

// Host physical memory in bytes (the default guest memory limit).
uint64_t host_physical_memory();

}  // namespace emu::mm
