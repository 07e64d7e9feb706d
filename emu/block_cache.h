// BlockCache: decoded blocks keyed by guest RIP.
//
// A block is the run of instructions from a start RIP up to and including
// the first control transfer / trap / invalid instruction, at most
// kMaxBlockInsns instructions, never crossing a page boundary except for an
// instruction that itself straddles two pages (the block is then recorded on
// both). Each Insn's `end` is the offset of the next instruction from the
// block start (see emu/interpreter.cpp for the execution contract).
//
// Storage: blocks live in an arena of large chunks; freed blocks go on a
// free list per capacity and are reused, so building a block allocates
// nothing in the common case and nothing ever allocates per instruction.
// Lookup: an open-addressing (linear probing) hash from RIP to block.
// Invalidation: a page -> blocks index; code_changed() (the AddressSpace's
// CodeObserver hook: a page written, unmapped or re-protected) drops every
// block on those pages.
//
// A dropped block may be the one executing (a store into its own code): its
// handlers are replaced by one that throws StaleBlock, which the run loop
// catches to resume at that instruction from freshly decoded code, and its
// memory is only reused after the run loop has left it (reclaim() runs at
// the next build).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "emu/insn.h"
#include "mm/address_space.h"

namespace emu {

inline constexpr unsigned kMaxBlockInsns = 64;

// Set in a dropped block's start: non-canonical, so never a guest rip.
inline constexpr uint64_t kNoRip = uint64_t{1} << 63;

struct Block {
  uint64_t start = 0;      // guest address of the first instruction
  uint64_t page[2] = {};   // guest page numbers it lies on (equal when one page)
  uint32_t size = 0;       // bytes covered: the block ends at start + size
  uint16_t count = 0;      // instructions
  uint16_t capacity = 0;   // Insn slots allocated
  bool falls_through = false;  // ends without a control transfer: next rip = start + size
  bool live = false;       // reachable from the hash (false once dropped)
  // Block chaining: the last two distinct blocks that ran after this one,
  // most recent first; never null (kNoBlock when unknown). The run loop
  // follows one whose start equals the new rip instead of hashing. A
  // dropped block's start gets kNoRip set, so a stale link never matches, and
  // a link to a block reused for another address matches only that address.
  Block* next[2];

  // The guest address of the first instruction, also once dropped (the run
  // loop still needs it for the instructions it is running).
  uint64_t rip() const { return start & ~kNoRip; }

  // `count` Insns, then one bound to op_block_end (emu/threaded.h).
  Insn* insns() { return reinterpret_cast<Insn*>(this + 1); }
  const Insn* insns() const { return reinterpret_cast<const Insn*>(this + 1); }
};
static_assert(sizeof(Block) % alignof(Insn) == 0);

// The successor of a block whose successors are not known yet.
extern Block kNoBlock;

// Thrown by the handlers of a dropped block (see above); never escapes run().
struct StaleBlock {};

struct BlockCacheStats {
  uint64_t decoded = 0;      // blocks built
  uint64_t invalidated = 0;  // blocks dropped by code_changed / flush
  uint64_t live = 0;         // blocks in the cache now
  uint64_t flags_elided = 0; // instructions bound without computing flags (emu/flag_use.h)
  uint64_t fused = 0;        // CMP/TEST + Jcc pairs bound as one handler
  uint64_t fp_chains = 0;    // scalar SSE chains bound as one handler (emu/ops/sse_scalar_chain.h)
};

class BlockCache final : public mm::CodeObserver {
 public:
  explicit BlockCache(mm::AddressSpace& mem);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The cached block starting at `rip`, or nullptr.
  Block* lookup(uint64_t rip) const {
    size_t i = home(rip);
    for (;;) {
      const Slot& s = slots_[i];
      if (s.key == rip && s.block) return s.block;
      if (!s.block) return nullptr;
      i = (i + 1) & mask_;
    }
  }

  // Decodes and caches the block at `rip`. Throws the GuestFault of an
  // instruction fetch when `rip` itself is not executable. A block whose
  // first instruction is invalid is cached (its handler raises SIGILL); one
  // whose first instruction runs onto an unfetchable page is returned but
  // not cached (the page may be mapped later).
  // Must not be called while a block executes.
  Block* build(uint64_t rip);

  // The block at `rip`, cached or built (see build for faults).
  Block* find(uint64_t rip) {
    Block* b = lookup(rip);
    return b ? b : build(rip);
  }

  void code_changed(mm::PageRange pages) override;
  void flush_all();

  BlockCacheStats stats() const { return stats_; }

  // Flag elision (emu/flag_use.h) and CMP/TEST + Jcc fusion, on by default.
  // Off, every instruction is bound alone and computes its flags, so a guest
  // fault in the middle of a block shows the exact flags in its signal frame
  // (--precise-flags, and --trace): the reference the optimised blocks are
  // tested against. Applies to blocks built from now on.
  void set_flag_elision(bool on) { elide_flags_ = on; }
  // At most `n` (1..kMaxBlockInsns) instructions per block built from now on.
  void set_max_block_insns(unsigned n) { max_insns_ = n; }

 private:
  struct Slot {
    uint64_t key = 0;
    Block* block = nullptr;  // nullptr: empty slot
  };

  size_t home(uint64_t rip) const { return size_t((rip * 0x9E3779B97F4A7C15ull) >> shift_); }
  void insert(Block* b);
  void erase(uint64_t rip);
  void grow();
  void drop(Block* b);
  void drop_page(uint64_t page);
  Block* allocate(unsigned capacity);
  void reclaim();
  uint32_t flags_live_after(const Decoded& last, bool falls_through, uint64_t next, uint64_t first_page,
                            uint64_t last_page);
  void elide_dead_flags(Decoded* decoded, Insn* insns, unsigned count, uint32_t live_out);

  mm::AddressSpace& mem_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 0;
  size_t used_ = 0;

  std::unordered_map<uint64_t, std::vector<Block*>> page_blocks_;

  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  std::byte* chunk_cur_ = nullptr;
  std::byte* chunk_end_ = nullptr;
  std::vector<Block*> free_[kMaxBlockInsns + 1];  // by capacity
  std::vector<Block*> pending_free_;              // dropped, maybe still executing
  std::unique_ptr<std::byte[]> scratch_;          // the uncacheable block (see build)
  // build()'s working arrays, allocated once: as locals they were
  // value-initialised (~8 KiB of stores) for every block built.
  struct BuildArrays {
    Insn insns[kMaxBlockInsns];
    Decoded decoded[kMaxBlockInsns];  // for the flag-liveness pass
  };
  std::unique_ptr<BuildArrays> build_arrays_ = std::make_unique<BuildArrays>();

  BlockCacheStats stats_;
  bool elide_flags_ = true;
  unsigned max_insns_ = kMaxBlockInsns;
};

}  // namespace emu
