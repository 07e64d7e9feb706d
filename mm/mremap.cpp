// mremap(2) with Linux semantics: the checks of mm/mremap.c as of Linux 6.1
// (SYSCALL_DEFINE5(mremap), mremap_to, vma_to_resize, move_vma) in their
// order, returning the new address, or -errno where Linux would.
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
//    shared pages), as on Linux.
//
// Where later kernels differ, 6.1 is followed (measured on this machine's
// 6.18): a same-size MREMAP_FIXED move across several regions is EFAULT
// (6.18 moves it); a new_len past TASK_SIZE is ENOMEM, and a same-size call
// with a huge old_len returns the address (6.18: EINVAL for both); a
// MREMAP_FIXED call that fails after the argument checks has already
// unmapped the target (6.18 validates the old range first).
// Deviations: MAP_NORESERVE is not recorded in a region, so growing private
// writable memory is always charged against the commit limit; there is no
// RLIMIT_AS, RLIMIT_DATA, mlock or vm.max_map_count.
#include <algorithm>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

// PAGE_ALIGN: a length within a page of 2^64 wraps to 0, as in Linux.
constexpr uint64_t page_align(uint64_t len) { return (len + kPageMask) & ~kPageMask; }

// The pages of [addr, addr + len); both page aligned, inside user space.
constexpr PageRange pages_of(uint64_t addr, uint64_t len) {
  return PageRange{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()};
}

// Linux VM_ACCOUNT (mm/mmap.c accountable_mapping): private writable memory
// is charged against the commit limit when it grows. Shared memory is
// charged once, at mmap (shmem).
bool accountable(const RegionAttrs& a) { return a.sharing == Sharing::Private && has(a.prot, Prot::Write); }

// One mremap call after the syscall's argument checks. (Impl is deduced: it
// is AddressSpace's private type.)
template <class Impl>
struct Remap {
  AddressSpace& self;
  Impl& as;
  uint64_t addr;  // page aligned, inside some region
  uint64_t old_len;
  uint64_t new_len;  // page aligned, > 0
  int flags;
  uint64_t new_addr;

  bool fixed() const { return flags & kMremapFixed; }
  bool dont_unmap() const { return flags & kMremapDontUnmap; }

  // vma_to_resize(): the region the old range lies in, copied to `out`, or
  // -errno.
  int64_t vma_to_resize(Region& out) const {
    const Region* r = as.regions.find(GuestAddr{addr}.page());
    if (!r) return -kEFault;
    // old_len == 0 duplicates a shared mapping; a private one would be a
    // fresh mapping unrelated to the original, which Linux refuses.
    if (old_len == 0 && r->attrs.sharing != Sharing::Shared) return -kEInval;
    // The old range must not cross the region's end.
    if (old_len > r->range.end.addr().value - addr) return -kEFault;
    out = *r;
    if (new_len == old_len) return 0;
    // A growing file mapping's page offset must not wrap.
    if (r->attrs.file) {
      const uint64_t pgoff = r->file_offset_of(GuestAddr{addr}.page()) >> kPageShift;
      if (pgoff + (new_len >> kPageShift) < pgoff) return -kEInval;
    }
    return 0;
  }

  // get_unmapped_area() for the moved mapping, as AddressSpace::mmap places
  // memory (x86-64 arch_get_unmapped_area_topdown): with MREMAP_FIXED
  // `new_addr` as is; else `new_addr` as a hint when [hint, +new_len) is free
  // below TASK_SIZE, else the highest free run below mmap_base, else the
  // highest anywhere. Then security_mmap_addr: below vm.mmap_min_addr is EPERM
  // (the guest runs without CAP_SYS_RAWIO, as mmap assumes too).
  int64_t unmapped_area() const {
    if (new_len > kTaskSize) return -kENoMem;
    uint64_t found = new_addr;
    if (!fixed()) {
      const bool hint_fits = new_addr != 0 && new_addr <= kTaskSize - new_len;
      if (!hint_fits || !as.regions.is_free(pages_of(new_addr, new_len))) {
        const uint64_t pages = new_len >> kPageShift;
        const PageNum floor = GuestAddr{std::max<uint64_t>(as.layout.mmap_min.value, kPageSize)}.page();
        std::optional<PageNum> p = as.regions.find_free(pages, PageRange{floor, GuestAddr{as.mmap_base()}.page()});
        if (!p) p = as.regions.find_free(pages, PageRange{floor, GuestAddr{kTaskSize}.page()});
        if (!p) return -kENoMem;
        found = p->addr().value;
      }
    }
    if (found > kTaskSize - new_len) return -kENoMem;
    if (found < as.layout.mmap_min.value) return -kEPerm;
    return int64_t(found);
  }

  // vma_expandable(): the region can take `delta` more bytes at its end.
  bool expandable(const Region& r, uint64_t delta) const {
    const uint64_t start = r.range.start.addr().value;
    const uint64_t end = r.range.end.addr().value + delta;
    if (end < r.range.end.addr().value) return false;  // wrapped
    // get_unmapped_area(MAP_FIXED) for [start, end): under TASK_SIZE, above mmap_min_addr.
    if (end > kTaskSize || start < as.layout.mmap_min.value) return false;
    return as.regions.is_free(PageRange{r.range.end, GuestAddr{end}.page()});
  }

  // move_vma(): moves [addr, +old_len) of `r` to [to, +new_len).
  int64_t move(const Region& r, uint64_t to) {
    // MREMAP_DONTUNMAP keeps the old range, so it charges the whole new one.
    const uint64_t charge = dont_unmap() ? new_len : new_len - old_len;
    if (accountable(r.attrs) && as.exceeds_commit_limit(charge >> kPageShift)) return -kENoMem;
    const PageRange from = pages_of(addr, old_len);
    const PageRange dest = pages_of(to, new_len);
    const RegionAttrs attrs = r.attrs.advanced(from.start - r.range.start);
    as.move_pages(from, dest.start);
    as.regions.map(dest, attrs);
    if (!dont_unmap())
      as.regions.unmap(from);
    else if (attrs.vm_flags & vm::kLocked)
      as.regions.set_vm_flags(from, 0, vm::kLocked);  // move_vma: the old range is never left locked
    // A locked region's new pages are faulted in (SYSCALL mremap's mm_populate).
    if ((attrs.vm_flags & vm::kLocked) && new_len > old_len)
      as.populate_best_effort(PageRange{dest.start + (old_len >> kPageShift), dest.end});
    return int64_t(to);
  }

  // mremap_to(): MREMAP_FIXED or MREMAP_DONTUNMAP, always a move.
  int64_t remap_to() {
    if (new_addr & kPageMask) return -kEInval;
    if (new_len > kTaskSize || new_addr > kTaskSize - new_len) return -kEInval;
    // The old and new ranges must not overlap.
    if (addr + old_len > new_addr && new_addr + new_len > addr) return -kEInval;
    // Whatever is at the target goes first, even if a check below then fails.
    if (fixed()) as.unmap_range(pages_of(new_addr, new_len));
    if (old_len > new_len) {
      if (const int64_t r = self.munmap(addr + new_len, old_len - new_len); r < 0) return r;
      old_len = new_len;
    }
    Region r;
    if (const int64_t err = vma_to_resize(r)) return err;
    const int64_t to = unmapped_area();
    if (to < 0) return to;
    return move(r, uint64_t(to));
  }

  // The rest of SYSCALL mremap: growing without MREMAP_FIXED.
  int64_t grow() {
    Region r;
    if (const int64_t err = vma_to_resize(r)) return err;
    const uint64_t delta = new_len - old_len;
    if (old_len == r.range.end.addr().value - addr && expandable(r, delta)) {
      if (accountable(r.attrs) && as.exceeds_commit_limit(delta >> kPageShift)) return -kENoMem;
      const PageRange tail{r.range.end, GuestAddr{addr + new_len}.page()};
      as.regions.map(tail, r.attrs.advanced(r.range.size()));
      if (r.attrs.vm_flags & vm::kLocked) as.populate_best_effort(tail);
      return int64_t(addr);
    }
    if (!(flags & kMremapMayMove)) return -kENoMem;
    new_addr = 0;  // no hint: anywhere, top down
    const int64_t to = unmapped_area();
    if (to < 0) return to;
    return move(r, uint64_t(to));
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

int64_t AddressSpace::mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr) {
  Impl& as = *impl_;
  if (flags & ~(kMremapFixed | kMremapMayMove | kMremapDontUnmap)) return -kEInval;
  if ((flags & kMremapFixed) && !(flags & kMremapMayMove)) return -kEInval;
  // MREMAP_DONTUNMAP is always a move and does not resize (compared before rounding).
  if ((flags & kMremapDontUnmap) && (!(flags & kMremapMayMove) || old_len != new_len)) return -kEInval;
  if (old_addr & kPageMask) return -kEInval;
  old_len = page_align(old_len);
  new_len = page_align(new_len);
  // old_len 0 is the "duplicate a shared mapping" special case; new_len 0 is nonsense.
  if (new_len == 0) return -kEInval;
  if (!as.regions.find(GuestAddr{old_addr}.page())) return -kEFault;  // vma_lookup

  Remap<Impl> op{*this, as, old_addr, old_len, new_len, flags, new_addr};
  if (flags & (kMremapFixed | kMremapDontUnmap)) return op.remap_to();
  // Shrinking is always allowed: the tail is unmapped (and a failure to do
  // so only counts when there is a tail).
  if (old_len >= new_len) {
    if (old_len > new_len) {
      if (const int64_t r = munmap(old_addr + new_len, old_len - new_len); r < 0) return r;
    }
    return int64_t(old_addr);
  }
  return op.grow();
}

}  // namespace emu::mm
