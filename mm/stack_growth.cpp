// Stack growth: an access to an unmapped page just below a grows-down region
// (the main stack, MAP_GROWSDOWN mappings) extends that region down to the
// page, as Linux's fault path does (mm/mmap.c expand_downwards via
// expand_stack / lock_mm_and_find_vma, 6.x). Called from resolve(), so it
// serves the interpreter's loads, stores and fetches, and the syscall
// gateway: Linux's copy_to_user/copy_from_user fault through the same
// handler and grow the stack too (checked on this machine: read(2) into an
// address 1 MiB below the stack grows [stack]). Only get_user_pages (e.g.
// process_vm_readv) stopped growing stacks in 6.5; emu has no such path.
//
// The checks, in expand_downwards' order; any failure leaves the access a
// SIGSEGV with SEGV_MAPERR:
//  - the page is at or above vm.mmap_min_addr;
//  - the mapping below (Linux `prev`) ends at least stack_guard_gap below the
//    page, unless it is itself grows-down or inaccessible (PROT_NONE);
//  - acct_stack_growth: the region's new size stays within RLIMIT_STACK and
//    the growth passes the commit limit.
#include "mm/address_space.h"
#include "mm/address_space_impl.h"

namespace emu::mm {

const Region* AddressSpace::Impl::grow_stack(PageNum page) {
  const Region* stack = regions.find_next(page);
  if (!stack || stack->range.contains(page)) return stack;
  if (!stack->attrs.grows_down) return nullptr;
  if (page.addr().value < layout.mmap_min.value) return nullptr;

  // `prev` matters only if it ends within the guard gap below the page.
  constexpr uint64_t kGapPages = kStackGuardGap >> kPageShift;
  const PageRange gap{PageNum{page.value > kGapPages ? page.value - kGapPages : 0}, page};
  const Region* prev = nullptr;
  regions.for_each_in(gap, [&](const Region& r) { prev = &r; });
  if (prev && !prev->attrs.grows_down && prev->attrs.prot != Prot::None) return nullptr;

  const PageRange grown{page, stack->range.start};
  const uint64_t new_size = (stack->range.end - page) << kPageShift;
  if (new_size > layout.stack_rlimit) return nullptr;
  if (exceeds_commit_limit(grown.size())) return nullptr;
  RegionAttrs attrs = stack->attrs;
  if (attrs.file) {
    // Linux: grow <= vm_pgoff (the offset cannot go below 0). mmap refuses
    // MAP_GROWSDOWN for files, so only a hand-made region gets here.
    if (attrs.file_offset < (grown.size() << kPageShift)) return nullptr;
    attrs.file_offset -= grown.size() << kPageShift;
  }
  // The new pages hold no entries and no TLB has seen them: nothing to flush.
  regions.map(grown, attrs);  // merges into the stack region
  return regions.find(page);
}

}  // namespace emu::mm
