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
//
// Slots remapped to host file pages (frame-slot remap, mm/shared_mapping.cpp):
// a MAP_SHARED guest page is a frame whose slot in the reservation has been
// replaced by mmap(MAP_SHARED|MAP_FIXED) of the file page, so the slot IS the
// host page-cache page and the TLB/page table need not know. Such a frame is
// freed with free_host_shared(): the slot is made anonymous again and goes to
// the released list (reads zero, not resident), never to the hot list, whose
// frames are memset on reuse -- that would write zeros into the file.
#pragma once

#include <atomic>
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
  // Hot frames kept resident after a release batch (at most 2x that between
  // batches). It cannot raise max RSS: a hot frame is one the guest held, and
  // allocation takes hot frames first, so in_use + hot never exceeds the
  // guest's peak in_use. Lowering it only adds release/refault cycles, which
  // cost ~25 us per frame on this VM (a 64-page mmap/touch/munmap loop: 0.02 s
  // at 128, 3.3 s at 32; max RSS equal). The seed loop never reaches it.
  uint32_t hot_watermark = 128;
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

  // A frame for map_host_shared(): like allocate(), but the contents are
  // unspecified (no memset: the slot is about to be mapped over).
  std::optional<FrameNum> allocate_slot();
  // Maps the page of `fd` at `offset` (page aligned) over the frame's slot with
  // host MAP_SHARED|MAP_FIXED, PROT_READ|PROT_WRITE if `writable` else PROT_READ.
  // 0, or the host errno (ENOMEM: e.g. vm.max_map_count reached). After a
  // failure the slot's state is unknown: free it with free_host_shared().
  int map_host_shared(FrameNum frame, int fd, uint64_t offset, bool writable);
  // Returns a frame whose slot map_host_shared() remapped (successfully or
  // not): re-anonymises the slot (MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS|
  // MAP_NORESERVE) and puts the frame on the released list. Should even that
  // mmap fail, the frame is set aside for good (stranded), never reused.
  void free_host_shared(FrameNum frame);

  uint8_t* host(FrameNum frame) const { return base_ + (uint64_t{frame.value} << kPageShift); }
  const FrameStats& stats() const { return stats_; }
  // stats().in_use for another thread (the --rss-log sampler, emu/rss_log.h)
  // while this one allocates. The owning thread is the counter's only writer
  // and stores it with a relaxed atomic (a plain mov on x86-64), so a relaxed
  // load here is race-free and never torn.
  uint64_t in_use_relaxed() const {
    return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(stats_.in_use)).load(std::memory_order_relaxed);
  }
  size_t hot_count() const { return hot_.size(); }
  size_t released_count() const { return released_.size(); }
  uint64_t limit_frames() const { return stats_.limit; }

  // Empty when the free lists are consistent (no duplicates, nothing both
  // free and counted in use, everything below the bump pointer); else why not.
  std::string check_invariants() const;

 private:
  void release_cold_hot_frames();
  void set_in_use(uint64_t n) { std::atomic_ref<uint64_t>(stats_.in_use).store(n, std::memory_order_relaxed); }

  uint8_t* base_ = nullptr;
  uint64_t reserved_bytes_ = 0;
  uint32_t hot_watermark_;
  uint32_t next_fresh_ = 0;           // frames [0, next_fresh_) have been handed out at least once
  std::vector<FrameNum> hot_;         // LIFO; back() is the most recently freed
  std::vector<FrameNum> released_;    // LIFO of frames given back to the host
  std::vector<FrameNum> batch_;       // scratch for one release batch
  std::vector<FrameNum> stranded_;    // slots that could not be re-anonymised
  FrameStats stats_;
};

// Host physical memory in bytes (the default guest memory limit).
uint64_t host_physical_memory();

}  // namespace emu::mm
