// mremap(2) with Linux semantics: the checks of mm/mremap.c as of Linux 6.18
// (do_mremap, check_mremap_params, check_prep_vma, remap_move, mremap_to,
// mremap_at, expand_vma, move_vma) in their order, returning the new address,
// or -errno where Linux would. Each step below names the Linux function it
// follows.
//
//  - shrink: the tail is unmapped (munmap semantics, frames freed);
//  - grow in place, when the range ends at its region's end and the pages
//    after it are free: the region is extended (RegionTree::map merges the
//    extension into it, and into an equal region right after);
//  - move (MREMAP_MAYMOVE when growing in place fails, MREMAP_FIXED,
//    MREMAP_DONTUNMAP): the page entries move to the new addresses keeping
//    their frames, so nothing is copied and frames in use do not change. The
//    old range is then unmapped, or with MREMAP_DONTUNMAP stays mapped and
//    empty: it reads zero again, or the file (MAP_SHARED memory: the same
//    shared pages), as on Linux;
//  - a same-size MREMAP_FIXED move may span several regions (Linux 6.17's
//    remap_move): each is moved in turn, keeping the gaps between them, and
//    the first failure ends the call with the moves before it done.
//
// Linux 6.1 differed in order (it checked the old mapping before a silly new
// length, address or an overlap, compared MREMAP_DONTUNMAP's lengths before
// rounding them, and unmapped a MREMAP_FIXED target before checking the old
// range); the syscall fuzzer draws those classes only on 6.17 and later.
// Deviations: MAP_NORESERVE is not recorded in a region, so growing private
// writable memory is always charged against the commit limit; there is no
// RLIMIT_AS, RLIMIT_MEMLOCK, mseal or vm.max_map_count.
#include <algorithm>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"
#include "mm/unmapped_area.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

// The pages of [addr, addr + len); both page aligned, inside user space.
constexpr PageRange pages_of(uint64_t addr, uint64_t len) {
  return PageRange{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()};
}

// Linux VM_ACCOUNT (mm/mmap.c accountable_mapping): private writable memory
// is charged against the commit limit when it grows. Shared memory is
// charged once, at mmap (shmem).
bool accountable(const RegionAttrs& a) { return a.sharing == Sharing::Private && has(a.prot, Prot::Write); }

// Linux enum mremap_type.
enum class RemapType { NoResize, Shrink, Expand };

// One mremap call: Linux's struct vma_remap_struct and the steps over it.
// Lengths are page aligned from the start (do_mremap). (Impl is deduced: it
// is AddressSpace's private type.)
template <class Impl>
struct Remap {
  AddressSpace& self;
  Impl& as;
  uint64_t addr;
  uint64_t old_len;
  uint64_t new_len;
  int flags;
  uint64_t new_addr;

  // Set by check_prep() for the region `addr` lies in.
  Region region;
  uint64_t delta = 0;  // |old_len - new_len|
  RemapType type = RemapType::NoResize;
  bool populate_expand = false;  // a locked region grows: fault its new pages in

  bool implies_new_addr() const { return flags & (kMremapFixed | kMremapDontUnmap); }
  bool dont_unmap() const { return flags & kMremapDontUnmap; }

  // vrm_overlaps.
  bool overlaps() const { return addr + old_len > new_addr && new_addr + new_len > addr; }

  // check_mremap_params: the arguments alone, before any mapping is looked at.
  int64_t check_params() const {
    if (flags & ~(kMremapFixed | kMremapMayMove | kMremapDontUnmap)) return -kEInval;
    if (addr & kPageMask) return -kEInval;
    // old_len 0 is the "duplicate a shared mapping" special case; new_len 0 is nonsense.
    if (new_len == 0) return -kEInval;
    if (new_len > kTaskSize) return -kEInval;
    if (!implies_new_addr()) return 0;
    if (new_addr > kTaskSize - new_len) return -kEInval;
    if (new_addr & kPageMask) return -kEInval;
    if (!(flags & kMremapMayMove)) return -kEInval;  // a new address implies a move
    if (dont_unmap() && old_len != new_len) return -kEInval;  // DONTUNMAP does not resize
    if (overlaps()) return -kEInval;
    return 0;
  }

  // Copies the region containing `addr` into `region`; false if none.
  bool lookup() {
    const Region* r = as.regions.find(GuestAddr{addr}.page());
    if (!r) return false;
    region = *r;
    return true;
  }

  // check_prep_vma, for the region `lookup()` found (`found` false: none).
  int64_t check_prep(bool found) {
    if (!found) return -kEFault;
    delta = old_len > new_len ? old_len - new_len : new_len - old_len;
    type = delta == 0 ? RemapType::NoResize : old_len > new_len ? RemapType::Shrink : RemapType::Expand;
    if (!implies_new_addr()) new_addr = addr;  // for the populate after growing in place
    // The rest matters only when new address space gets mapped.
    if (type != RemapType::Expand && !implies_new_addr()) return 0;
    // old_len 0 duplicates a shared mapping; a private one would be a fresh
    // mapping unrelated to the original, which Linux refuses.
    if (old_len == 0 && region.attrs.sharing != Sharing::Shared) return -kEInval;
    // The range moved must not cross the region's end; a shrink may unmap
    // across regions, and moves only what it keeps.
    const uint64_t moved = type == RemapType::Shrink ? new_len : old_len;
    if (moved > region.range.end.addr().value - addr) return -kEFault;
    if (new_len == moved) return 0;
    if (region.attrs.vm_flags & vm::kLocked) populate_expand = true;
    // A growing file mapping's page offset must not wrap.
    if (region.attrs.file) {
      const uint64_t pgoff = region.file_offset_of(GuestAddr{addr}.page()) >> kPageShift;
      if (pgoff + (new_len >> kPageShift) < pgoff) return -kEInval;
    }
    return 0;
  }

  // vrm_set_new_addr: get_unmapped_area() for the moved mapping
  // (mm/unmapped_area.h): with MREMAP_FIXED `new_addr` itself, with
  // MREMAP_DONTUNMAP `new_addr` as a hint, else (growing) no hint.
  int64_t unmapped_area() const {
    return get_unmapped_area(as.regions, as.layout, as.mmap_base(), implies_new_addr() ? new_addr : 0, new_len,
                             (flags & kMremapFixed) ? kMapFixed : 0);
  }

  // vma_expandable: the region can take `delta` more bytes at its end.
  bool expandable() const {
    const uint64_t start = region.range.start.addr().value;
    const uint64_t end = region.range.end.addr().value + delta;
    if (end < region.range.end.addr().value) return false;  // wrapped
    if (!as.regions.is_free(PageRange{region.range.end, GuestAddr{end}.page()})) return false;
    // get_unmapped_area(MAP_FIXED) for [start, end): under TASK_SIZE, and
    // security_mmap_addr's consent.
    return get_unmapped_area(as.regions, as.layout, as.mmap_base(), start, end - start, kMapFixed) >= 0;
  }

  // move_vma: moves [addr, +old_len) of `region` to [to, +new_len).
  int64_t move(uint64_t to) {
    // vrm_calc_charge: MREMAP_DONTUNMAP keeps the old range, so it charges
    // the whole new one; otherwise the difference in size (after a shrink
    // that is what was unmapped, as Linux charges it).
    const uint64_t charge = dont_unmap() ? new_len : delta;
    if (accountable(region.attrs) && as.exceeds_commit_limit(charge >> kPageShift)) return -kENoMem;
    const PageRange from = pages_of(addr, old_len);
    const PageRange dest = pages_of(to, new_len);
    const RegionAttrs attrs = region.attrs.advanced(from.start - region.range.start);
    as.move_pages(from, dest.start);
    as.regions.map(dest, attrs);
    if (!dont_unmap())
      as.regions.unmap(from);
    else if (attrs.vm_flags & vm::kLocked)
      // dontunmap_complete: the old region (all of it, as Linux clears the
      // VMA's flag) is no longer locked.
      as.regions.set_vm_flags(region.range, 0, vm::kLocked);
    new_addr = to;
    return int64_t(to);
  }

  // shrink_vma: unmaps the tail [addr + new_len, addr + old_len).
  int64_t shrink() { return self.munmap(addr + new_len, delta); }

  // mremap_to: MREMAP_FIXED or MREMAP_DONTUNMAP, always a move.
  int64_t remap_to() {
    if (flags & kMremapFixed) {
      // Whatever is at the target goes first, then the old region is looked
      // up again (the target may have split it).
      if (const int64_t r = self.munmap(new_addr, new_len); r < 0) return r;
      if (!lookup()) return -kEFault;
    }
    if (type == RemapType::Shrink) {
      if (const int64_t r = shrink(); r < 0) return r;
      if (!lookup()) return -kEFault;
      old_len = new_len;
    }
    const int64_t to = unmapped_area();
    if (to < 0) return to;
    return move(uint64_t(to));
  }

  // expand_vma: in place when the range ends at its region's end and the
  // pages after it are free; else a move, if allowed.
  int64_t expand() {
    if (old_len == region.range.end.addr().value - addr && expandable()) {
      if (accountable(region.attrs) && as.exceeds_commit_limit(delta >> kPageShift)) return -kENoMem;
      const PageRange tail{region.range.end, GuestAddr{addr + new_len}.page()};
      as.regions.map(tail, region.attrs.advanced(region.range.size()));
      return int64_t(addr);
    }
    if (!(flags & kMremapMayMove)) return -kENoMem;
    const int64_t to = unmapped_area();  // no hint: anywhere, top down
    if (to < 0) return to;
    return move(uint64_t(to));
  }

  // mremap_at: no MREMAP_FIXED or MREMAP_DONTUNMAP.
  int64_t remap_at() {
    switch (type) {
      case RemapType::NoResize: return int64_t(addr);
      case RemapType::Shrink: {
        const int64_t r = shrink();
        return r < 0 ? r : int64_t(addr);
      }
      case RemapType::Expand: return expand();
    }
    return -kEInval;
  }

  // remap_move: a same-size MREMAP_FIXED move of every region in
  // [addr, addr + old_len), each to the same offset from `new_addr`. A hole
  // at the start is EFAULT; a failure part way leaves the regions before it
  // moved. Returns where the first part went.
  int64_t remap_move() {
    const uint64_t start = addr, end = addr + old_len, target = new_addr;
    if (end < start || start >= kUserTop) return -kEFault;  // the tree holds nothing there
    int64_t first = -kEFault;
    for (uint64_t cursor = start; cursor < end;) {
      const Region* r = as.regions.find_next(GuestAddr{cursor}.page());
      if (!r || r->range.start.addr().value >= end) break;
      if (cursor == start && start < r->range.start.addr().value) return -kEFault;
      const uint64_t part = std::max(r->range.start.addr().value, start);
      const uint64_t part_end = std::min(end, r->range.end.addr().value);
      region = *r;
      addr = part;
      old_len = new_len = part_end - part;
      new_addr = target + (part - start);
      populate_expand = false;
      int64_t res = check_prep(true);
      if (res == 0) res = remap_to();
      if (res < 0) return res;
      if (cursor == start) first = res;
      cursor = part_end;
    }
    return first;
  }
};

}  // namespace

void AddressSpace::Impl::move_pages(PageRange from, PageNum to) {
  PageRange code{PageNum{kUserTopPage}, PageNum{0}};  // hull of the code pages moved
  pages.move_range(from, to, [&](PageNum p, PageEntry& e) {
    if (!e.is_code()) return;
    // Decoded blocks are keyed by the old addresses, which no longer hold
    // this page: they go, and the page is code again once executed anew.
    e.set_code(false);
    code.start = std::min(code.start, p);
    code.end = std::max(code.end, p + 1);
  });
  flush_tlbs(from);
  flush_tlbs(PageRange{to, to + from.size()});
  if (code.start < code.end) notify_code_changed(code);
}

// do_mremap.
int64_t AddressSpace::mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr) {
  Impl& as = *impl_;
  // PAGE_ALIGN: a length within a page of 2^64 wraps to 0, as in Linux.
  Remap<Impl> op{*this, as, old_addr, align_up(old_len, kPageSize), align_up(new_len, kPageSize), flags, new_addr, {}};
  if (const int64_t err = op.check_params()) return err;
  int64_t res;
  if ((flags & kMremapFixed) && op.old_len == op.new_len) {
    res = op.remap_move();
  } else {
    res = op.check_prep(op.lookup());
    if (res == 0) res = op.implies_new_addr() ? op.remap_to() : op.remap_at();
  }
  // A locked region that grew has its new pages faulted in (mm_populate).
  if (res >= 0 && op.populate_expand)
    as.populate_best_effort(pages_of(op.new_addr + op.old_len, op.delta));
  return res;
}

}  // namespace emu::mm
