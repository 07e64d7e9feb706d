// Prefaulting: MAP_POPULATE and madvise(MADV_POPULATE_READ/_WRITE). Both
// populate pages through resolve(), exactly as first touches would, so the
// page table, frames and shared-page slots end up as after a guest access.
#include <algorithm>
#include <vector>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

// Linux mm/gup.c populate_vma_page_range, called with errors ignored from
// vm_mmap_pgoff -> mm_populate: a region that is PROT_NONE is skipped (no
// FOLL_FORCE for inaccessible VMAs); others are faulted in whatever their
// protection (FOLL_FORCE: write-only and exec-only pages too), so Need::Poke.
// A page past EOF (Bus) ends that region; out of frames ends it all.
void AddressSpace::Impl::populate_best_effort(PageRange range) {
  // Collect first: resolve() must not run inside the tree walk.
  std::vector<PageRange> parts;
  regions.for_each_in(range, [&](const Region& r) {
    if (r.attrs.kind == RegionKind::Reserved || r.attrs.prot == Prot::None) return;
    parts.push_back(PageRange{std::max(r.range.start, range.start), std::min(r.range.end, range.end)});
  });
  for (const PageRange& part : parts) {
    for (PageNum p = part.start; p < part.end; p = p + 1) {
      const FaultKind fault = resolve(p, Need::Poke).fault;
      if (fault == FaultKind::Oom) return;
      if (fault != FaultKind::None) break;
    }
  }
}

// Linux >= 6.9 mm/madvise.c madvise_populate over faultin_page_range: walks
// from the start; a hole is ENOMEM at once; a region without the permission
// (VM_READ for READ, VM_WRITE for WRITE, checked on the PROT bits the guest
// asked for, so PROT_WRITE alone cannot be POPULATE_READ) is EINVAL; a page
// that would SIGBUS is EFAULT; running out of memory is ENOMEM.
int64_t AddressSpace::Impl::madvise_populate(PageRange range, bool write) {
  const Prot need_prot = write ? Prot::Write : Prot::Read;
  const Need need = write ? Need::Write : Need::Read;
  PageNum p = range.start;
  while (p < range.end) {
    const Region* r = regions.find(p);
    if (!r) return -kENoMem;
    if (r->attrs.kind == RegionKind::Reserved || !has(r->attrs.prot, need_prot)) return -kEInval;
    const PageNum stop = std::min(r->range.end, range.end);  // copied: resolve() may change the tree
    for (; p < stop; p = p + 1) {
      switch (resolve(p, need).fault) {
        case FaultKind::None: break;
        case FaultKind::Bus: return -kEFault;
        case FaultKind::Oom: return -kENoMem;
        default: return -kEFault;
      }
    }
  }
  return 0;
}

}  // namespace emu::mm
