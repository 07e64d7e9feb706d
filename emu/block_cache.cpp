#include "emu/block_cache.h"

#include <algorithm>
#include <cstring>

#include "emu/bind.h"
#include "emu/decoder.h"
#include "emu/flag_use.h"
#include "emu/flags.h"
#include "emu/ops/control.h"
#include "emu/ops/integer.h"
#include "emu/ops/sse_scalar_chain.h"
#include "emu/block_chain.h"
#include "emu/threaded.h"

namespace emu {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;
// Small at start (RSS of short runs); doubles at half load.
constexpr unsigned kInitialSlotsLog2 = 9;

void op_stale(Cpu&, const Insn&) { throw StaleBlock{}; }

}  // namespace

// Reached when a block's last handler was threaded: the block falls
// through, to the block after it (linked: straight into it).
void op_block_end(Cpu& c, const Insn&) {
  if (!c.block->falls_through) return;
  c.rip = c.block->rip() + c.block->size;
  return enter_next_block(c);
}

namespace {

// Decoded::map of the placeholder for undecodable bytes in the liveness pass.
constexpr uint8_t kNotAnInsn = 0xFF;

bool is_jcc(const Decoded& d) {
  return (d.map == 0 && d.opcode >= 0x70 && d.opcode <= 0x7F) || (d.map == 1 && d.opcode >= 0x80 && d.opcode <= 0x8F);
}

bool is_direct_jmp(const Decoded& d) { return d.map == 0 && (d.opcode == 0xE9 || d.opcode == 0xEB); }

// A block that ends in CMP/TEST + Jcc runs the pair through one handler
// (ops::fused_compare_branch); the Jcc's Insn stays for its target and count.
// `live_out`: the flags live after the block; `block_start`: its first
// instruction's address (a Jcc back to it closes a loop). Returns whether
// it fused them.
bool fuse_compare_branch(const Decoded& last, Insn& before_last, uint32_t live_out, uint64_t block_start) {
  if (!is_jcc(last)) return false;
  Handler fused = ops::fused_compare_branch(before_last.fn, last.opcode & 15, live_out == 0, last.imm == block_start);
  if (fused) before_last.fn = fused;
  return fused != nullptr;
}

// The Insns and the op_block_end one after them.
size_t block_bytes(unsigned capacity) { return sizeof(Block) + (capacity + 1) * sizeof(Insn); }

}  // namespace

Block kNoBlock{.start = kNoRip, .next = {&kNoBlock, &kNoBlock}};

BlockCache::BlockCache(mm::AddressSpace& mem) : mem_(mem) {
  slots_.resize(size_t{1} << kInitialSlotsLog2);
  mask_ = slots_.size() - 1;
  shift_ = 64 - kInitialSlotsLog2;
}

BlockCache::~BlockCache() = default;

// ---- hash ----------------------------------------------------------------------

void BlockCache::insert(Block* b) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  size_t i = home(b->start);
  while (slots_[i].block) i = (i + 1) & mask_;
  slots_[i] = Slot{b->start, b};
  ++used_;
}

void BlockCache::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  --shift_;
  used_ = 0;
  for (const Slot& s : old)
    if (s.block) insert(s.block);
}

// Linear-probing deletion by backward shift: no tombstones, so lookups stay
// short however many blocks come and go.
void BlockCache::erase(uint64_t rip) {
  size_t i = home(rip);
  while (slots_[i].block && slots_[i].key != rip) i = (i + 1) & mask_;
  if (!slots_[i].block) return;
  slots_[i] = Slot{};
  --used_;
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (!slots_[j].block) return;
    const size_t k = home(slots_[j].key);
    // Move slot j into the hole at i unless its home lies cyclically in (i, j].
    const bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      slots_[j] = Slot{};
      i = j;
    }
  }
}

// ---- storage --------------------------------------------------------------------

Block* BlockCache::allocate(unsigned capacity) {
  if (!free_[capacity].empty()) {
    Block* b = free_[capacity].back();
    free_[capacity].pop_back();
    return b;
  }
  const size_t bytes = block_bytes(capacity);
  if (size_t(chunk_end_ - chunk_cur_) < bytes) {
    // Uninitialised: a chunk's pages become resident only as blocks fill them.
    chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(kChunkBytes));
    chunk_cur_ = chunks_.back().get();
    chunk_end_ = chunk_cur_ + kChunkBytes;
  }
  Block* b = reinterpret_cast<Block*>(chunk_cur_);
  chunk_cur_ += bytes;
  return b;
}

void BlockCache::reclaim() {
  for (Block* b : pending_free_) free_[b->capacity].push_back(b);
  pending_free_.clear();
}

// ---- invalidation ---------------------------------------------------------------

void BlockCache::drop(Block* b) {
  if (!b->live) return;
  b->live = false;
  erase(b->start);
  b->start |= kNoRip;  // links to it no longer match any rip (rip() still gives it)
  for (uint64_t p : {b->page[0], b->page[1]}) {
    auto it = page_blocks_.find(p);
    if (it == page_blocks_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), b), v.end());
    if (v.empty()) page_blocks_.erase(it);
    if (b->page[1] == b->page[0]) break;
  }
  Insn* in = b->insns();
  for (unsigned i = 0; i < b->count; ++i) in[i].fn = op_stale;
  pending_free_.push_back(b);
  ++stats_.invalidated;
  --stats_.live;
}

void BlockCache::drop_page(uint64_t page) {
  auto it = page_blocks_.find(page);
  if (it == page_blocks_.end()) return;
  std::vector<Block*> blocks = std::move(it->second);
  page_blocks_.erase(it);
  for (Block* b : blocks) drop(b);
}

void BlockCache::code_changed(mm::PageRange pages) {
  if (pages.empty() || page_blocks_.empty()) return;
  if (pages.size() <= page_blocks_.size()) {
    for (mm::PageNum p = pages.start; p < pages.end; p = p + 1) drop_page(p.value);
    return;
  }
  std::vector<uint64_t> hit;
  for (const auto& [page, blocks] : page_blocks_)
    if (pages.contains(mm::PageNum(page))) hit.push_back(page);
  for (uint64_t p : hit) drop_page(p);
}

void BlockCache::flush_all() {
  std::vector<uint64_t> all;
  all.reserve(page_blocks_.size());
  for (const auto& [page, blocks] : page_blocks_) all.push_back(page);
  for (uint64_t p : all) drop_page(p);
}

// ---- building ---------------------------------------------------------------------

// The flags live after a block that ends with `last`, whose next
// instruction would be at `next`: those its successors may read before
// writing (flags_read_ahead), or all six when a successor is not known
// (indirect, call, return, system instructions) or lies off the block's own
// pages [first_page, last_page]. The look ahead stays on them so that a
// write that changes what it saw also drops this block.
uint32_t BlockCache::flags_live_after(const Decoded& last, bool falls_through, uint64_t next, uint64_t first_page,
                                      uint64_t last_page) {
  const auto read_at = [&](uint64_t addr) -> uint32_t {
    const uint64_t page = addr >> mm::kPageShift;
    if (page != first_page && page != last_page) return uint32_t(kArithFlags);
    uint8_t code[kFlagLookahead * kMaxInsnLen];
    const uint64_t page_end = (addr | mm::kPageMask) + 1;
    const size_t n = mem_.fetch_code(mm::GuestAddr(addr), code, std::min<uint64_t>(page_end - addr, sizeof code));
    return flags_read_ahead(code, n, addr);
  };
  if (last.map == kNotAnInsn) return uint32_t(kArithFlags);
  if (is_jcc(last)) return read_at(last.imm) | read_at(next);
  if (is_direct_jmp(last)) return read_at(last.imm);
  if (falls_through) return read_at(next);
  return uint32_t(kArithFlags);
}

// Flag liveness (emu/flag_use.h): walks the block backwards from its end,
// where the flags `live_out` are live, and rebinds each instruction none of
// whose flags is read before being overwritten to its no-flags handler.
void BlockCache::elide_dead_flags(Decoded* decoded, Insn* insns, unsigned count, uint32_t live_out) {
  uint32_t live = live_out;
  for (unsigned i = count; i-- > 0;) {
    Decoded& d = decoded[i];
    if (d.map == kNotAnInsn) {
      live = uint32_t(kArithFlags);
      continue;
    }
    const FlagUse use = flag_use(d);
    if (use.may_write && !(use.may_write & live)) {
      d.flags_dead = true;
      const uint16_t end = insns[i].end;
      const Handler with_flags = insns[i].fn;
      insns[i] = bind(d);
      insns[i].end = end;
      if (insns[i].fn != with_flags) ++stats_.flags_elided;
    }
    live = (live & ~use.writes) | use.reads;
  }
}

Block* BlockCache::build(uint64_t rip) {
  reclaim();

  // Fetch to the end of the page only; the next page is fetched (and marked
  // as holding code) only when an instruction actually runs onto it. At
  // most what kMaxBlockInsns instructions can span: fewer bytes copied.
  uint8_t buf[kMaxBlockInsns * kMaxInsnLen + kMaxInsnLen];
  const uint64_t page_end = (rip | mm::kPageMask) + 1;
  size_t avail = mem_.fetch_code(mm::GuestAddr(rip), buf, std::min<uint64_t>(page_end - rip, kMaxBlockInsns * kMaxInsnLen));
  if (avail == 0) mem_.raise_fetch_fault(mm::GuestAddr(rip));
  bool straddles = false;

  Insn* const insns = build_arrays_->insns;
  Decoded* const decoded = build_arrays_->decoded;
  unsigned count = 0;
  size_t off = 0;
  bool falls_through = true;
  bool cacheable = true;
  while (count < max_insns_) {
    Decoded d;
    DecodeStatus s = decode_insn(buf + off, avail - off, rip + off, d);
    if (s == DecodeStatus::Truncated && !straddles && rip + avail == page_end) {
      const size_t more = mem_.fetch_code(mm::GuestAddr(page_end), buf + avail, kMaxInsnLen);
      if (more) {
        avail += more;
        straddles = true;
        s = decode_insn(buf + off, avail - off, rip + off, d);
      }
    }
    if (s != DecodeStatus::Ok) {
      if (count > 0) break;  // the next block starts with it and reports it
      decoded[count] = Decoded{};
      decoded[count].map = kNotAnInsn;
      Insn& in = insns[count++];
      in = Insn{};
      in.len = 0;  // unknown: the handler's address is start + end - 0
      in.end = uint16_t(off);
      if (s == DecodeStatus::Truncated) {
        in.fn = op_fetch_fault;
        in.imm = rip + avail;  // the first byte that could not be fetched
        cacheable = false;
      } else {
        in.fn = s == DecodeStatus::TooLong ? op_gp : op_invalid;  // #GP: SIGSEGV; #UD: SIGILL
      }
      falls_through = false;
      break;
    }
    Insn in = bind(d);
    off += d.len;
    in.end = uint16_t(off);
    decoded[count] = d;
    insns[count++] = in;
    if (in.fn == op_invalid || ends_block(d)) {
      falls_through = false;
      break;
    }
    if (rip + off >= page_end) break;
  }

  // An uncacheable block runs once, straight into its fetch fault: it lives
  // in a scratch buffer that no link can reach, not in the arena.
  if (!cacheable && !scratch_) scratch_ = std::make_unique_for_overwrite<std::byte[]>(block_bytes(kMaxBlockInsns));
  const uint64_t first_page = rip >> mm::kPageShift;
  const uint64_t last_page = straddles && rip + off > page_end ? first_page + 1 : first_page;
  if (elide_flags_) {
    const uint32_t live_out = flags_live_after(decoded[count - 1], falls_through, rip + off, first_page, last_page);
    elide_dead_flags(decoded, insns, count, live_out);
    if (count >= 2 && fuse_compare_branch(decoded[count - 1], insns[count - 2], live_out, rip)) {
      ++stats_.fused;
      if (live_out == 0) ++stats_.flags_elided;
    }
    // Scalar SSE arithmetic chains run as one handler each.
    for (unsigned i = 0; i + 1 < count;) {
      const sse::FusedChain chain = sse::fuse_scalar_chain(&insns[i], count - i);
      if (chain.fn == nullptr) {
        ++i;
        continue;
      }
      insns[i].fn = chain.fn;
      ++stats_.fp_chains;
      i += chain.length;
    }
    // A Jcc back to the block's start (fused or not) goes round without the
    // links. Optimised blocks only: while tracing (precise flags, one
    // instruction per block) the run loop must see every block end.
    if (is_jcc(decoded[count - 1]) && decoded[count - 1].imm == rip)
      insns[count - 1].fn = jcc_back_to_block_start(decoded[count - 1].opcode & 15);
  }

  Block* b = cacheable ? allocate(count) : reinterpret_cast<Block*>(scratch_.get());
  b->start = rip;
  b->page[0] = first_page;
  b->page[1] = last_page;
  b->size = uint32_t(off);
  b->count = uint16_t(count);
  b->capacity = uint16_t(count);
  b->falls_through = falls_through;
  b->next[0] = b->next[1] = &kNoBlock;
  std::memcpy(static_cast<void*>(b->insns()), insns, count * sizeof(Insn));
  b->insns()[count] = Insn{.fn = op_block_end};
  ++stats_.decoded;

  if (!cacheable) {
    b->live = false;
    return b;
  }
  b->live = true;
  insert(b);
  page_blocks_[b->page[0]].push_back(b);
  if (b->page[1] != b->page[0]) page_blocks_[b->page[1]].push_back(b);
  ++stats_.live;
  return b;
}

}  // namespace emu
