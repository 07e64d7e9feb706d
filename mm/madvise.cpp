// madvise(2) after Linux 6.18 mm/madvise.c: the argument checks of
// madvise_should_skip, then madvise_walk_vmas, which applies the advice to
// each region in address order. A region that refuses the advice ends the
// walk with its error, and the regions before it keep what was done to them;
// an unmapped hole in the range only makes the result ENOMEM once the walk
// has got through everything (unmapped_error), so a refusal after a hole
// wins over the hole.
//
// What each advice does here (madvise_vma_behavior):
//  - DONTNEED, DONTNEED_LOCKED, FREE drop the pages (drop_pages: anonymous
//    memory reads zero again, private file pages the file, shared pages keep
//    their data); FREE only on anonymous memory (vma_is_anonymous).
//  - REMOVE punches a hole in the file or shmem behind a shared writable
//    mapping (madvise_remove), so every mapping and read() then sees zeros.
//  - NORMAL, RANDOM, SEQUENTIAL, DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK,
//    DONTDUMP, DODUMP, MERGEABLE, UNMERGEABLE, HUGEPAGE, NOHUGEPAGE set or
//    clear the region's vm_flags (madvise_update_vma), splitting and
//    merging regions as Linux splits and merges VMAs. WIPEONFORK is refused
//    for file and shared memory, MERGEABLE does nothing to shared memory
//    (not KSM-compatible). A fork child lacks DONTFORK regions and finds
//    WIPEONFORK ones empty (after_fork).
//  - COLLAPSE checks what thp_vma_allowable_order checks (see below).
//  - GUARD_INSTALL / GUARD_REMOVE set and clear guard markers in the page
//    table (Linux 6.13's PTE markers; mm/page_table.h).
//  - POPULATE_READ / POPULATE_WRITE fault the pages in (mm/populate.cpp).
//  - the rest are hints and succeed.
// VM_LOCKED comes only from MAP_LOCKED (emu has no mlock(2)): DONTNEED, FREE,
// REMOVE, COLD, PAGEOUT and GUARD_INSTALL refuse it (EINVAL). emu has no
// VM_IO/VM_PFNMAP mappings, so the refusals for VM_SPECIAL never happen.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

// The advice values Linux 6.18 knows (madvise_behavior_valid), less
// MADV_HWPOISON/MADV_SOFT_OFFLINE (memory-failure injection, root only).
bool madvise_advice_valid(int advice) {
  switch (advice) {
    case kMadvNormal: case kMadvRandom: case kMadvSequential: case kMadvWillNeed: case kMadvDontNeed:
    case kMadvFree: case kMadvRemove: case kMadvDontFork: case kMadvDoFork: case kMadvMergeable:
    case kMadvUnmergeable: case kMadvHugePage: case kMadvNoHugePage: case kMadvDontDump: case kMadvDoDump:
    case kMadvWipeOnFork: case kMadvKeepOnFork: case kMadvCold: case kMadvPageOut: case kMadvPopulateRead:
    case kMadvPopulateWrite: case kMadvDontNeedLocked: case kMadvCollapse: case kMadvGuardInstall:
    case kMadvGuardRemove:
      return true;
    default:
      return false;
  }
}

// Linux vma_is_anonymous: private anonymous memory, including a private
// /dev/zero mapping (which keeps its file only for /proc/self/maps).
bool anonymous_memory(const Region& r) {
  return r.attrs.sharing == Sharing::Private && (!r.attrs.file || r.attrs.kind == RegionKind::Anonymous);
}

bool locked(const Region& r) { return r.attrs.vm_flags & vm::kLocked; }

// Whether the region's file is shmem (tmpfs: shared anonymous memory's memfd,
// a guest memfd, a file in /dev/shm), as Linux's shmem_mapping() asks.
bool shmem_file(const FileBacking& file) {
  struct statfs st {};
  return fstatfs(file.fd(), &st) == 0 && st.f_type == TMPFS_MAGIC;
}

// MADV_COLLAPSE's refusal (mm/khugepaged.c madvise_collapse ->
// thp_vma_allowable_order with TVA_FORCED_COLLAPSE): EINVAL unless the
// region could hold a PMD-sized (2 MiB) huge page: one aligned 2 MiB block
// that ends at or before the region's end (thp_vma_suitable_order, whose file
// offset must be aligned alike for file and shmem memory), and memory that
// may be huge: anonymous memory or shmem (a regular file is refused: Linux
// collapses one only with CONFIG_READ_ONLY_THP_FOR_FS for a read-only
// executable mapping, which Debian's kernels lack). Past that check Linux's
// answer depends on its page state (anon_vma, whether the pages can be
// gathered); emu has no huge pages and answers 0. MADV_NOHUGEPAGE forbids it
// (vma_thp_disabled).
int64_t collapse_check(const Region& r) {
  constexpr uint64_t kHugePages = uint64_t{1} << (21 - kPageShift);
  if (r.attrs.vm_flags & vm::kNoHugePage) return -kEInval;
  const bool anonymous = anonymous_memory(r);
  if (!anonymous && !(r.attrs.file && shmem_file(*r.attrs.file))) return -kEInval;
  if (!anonymous && ((r.range.start.value - (r.attrs.file_offset >> kPageShift)) % kHugePages) != 0) return -kEInval;
  if (r.range.size() < kHugePages) return -kEInval;
  const uint64_t huge_start = (r.range.end.value - kHugePages) & ~(kHugePages - 1);
  return huge_start >= r.range.start.value ? 0 : -kEInval;
}

}  // namespace

// madvise_remove: the file behind `part` of shared writable region `r` gets
// a hole punched over the part's file offsets; the part's pages are dropped
// as Linux's unmap_mapping_range drops them (the host does the same to the
// views of those file pages in every other mapping, so all read zeros).
int64_t AddressSpace::Impl::madvise_remove(const Region& r, PageRange part) {
  if (locked(r) || !r.attrs.file) return -kEInval;
  // vma_is_shared_maywrite: MAP_SHARED of a descriptor open for writing
  // (the maximum protection keeps VM_MAYWRITE), whatever the protection now.
  if (r.attrs.sharing != Sharing::Shared || !has(r.attrs.max_prot, Prot::Write)) return -kEAcces;
  const off_t offset = off_t(r.file_offset_of(part.start));
  if (fallocate(r.attrs.file->fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset,
                off_t(part.size() << kPageShift)) != 0)
    return -errno;
  drop_pages(part);
  return 0;
}

// madvise_update_vma: sets and clears vm_flags on `part` of `r`; the
// region tree changes only when the flags do.
int64_t AddressSpace::Impl::update_advice(const Region& r, PageRange part, uint16_t set, uint16_t clear) {
  if (uint16_t((r.attrs.vm_flags | set) & ~clear) != r.attrs.vm_flags) regions.set_vm_flags(part, set, clear);
  return 0;
}

// One region's share of the walk: `part` lies inside `r`. Only the vm_flags
// change the region tree, as the last thing done, so `r` must not be used
// after the call.
int64_t AddressSpace::Impl::madvise_region(const Region& r, PageRange part, int advice) {
  using namespace emu::mm::vm;
  switch (advice) {
    case kMadvRemove:
      return madvise_remove(r, part);
    case kMadvFree:
      // madvise_free_single_vma: not a file's pages, not shmem.
      if (!anonymous_memory(r)) return -kEInval;
      [[fallthrough]];
    case kMadvDontNeed:
      // madvise_dontneed_free_valid_vma: locked pages stay (VM_LOCKED).
      if (locked(r)) return -kEInval;
      [[fallthrough]];
    case kMadvDontNeedLocked:
      if (r.attrs.kind != RegionKind::Reserved) drop_pages(part);
      return 0;
    case kMadvNormal:
      return update_advice(r, part, 0, kRandRead | kSeqRead);
    case kMadvRandom:
      return update_advice(r, part, kRandRead, kSeqRead);
    case kMadvSequential:
      return update_advice(r, part, kSeqRead, kRandRead);
    case kMadvDontFork:
      return update_advice(r, part, kDontCopy, 0);
    case kMadvDoFork:
      return update_advice(r, part, 0, kDontCopy);
    case kMadvWipeOnFork:
      // Only anonymous memory can be wiped: refused if there is a file
      // (private /dev/zero too) or the memory is shared.
      if (r.attrs.file || r.attrs.sharing == Sharing::Shared) return -kEInval;
      return update_advice(r, part, kWipeOnFork, 0);
    case kMadvKeepOnFork:
      return update_advice(r, part, 0, kWipeOnFork);
    case kMadvDontDump:
      return update_advice(r, part, kDontDump, 0);
    case kMadvDoDump:
      return update_advice(r, part, 0, kDontDump);
    case kMadvMergeable:
      // ksm_madvise: shared memory is not KSM-compatible, left as it is.
      if (r.attrs.sharing == Sharing::Shared) return 0;
      return update_advice(r, part, kMergeable, 0);
    case kMadvUnmergeable:
      return update_advice(r, part, 0, kMergeable);
    case kMadvHugePage:
      return update_advice(r, part, kHugePage, kNoHugePage);
    case kMadvNoHugePage:
      return update_advice(r, part, kNoHugePage, kHugePage);
    case kMadvCollapse:
      return collapse_check(r);
    case kMadvCold:
    case kMadvPageOut:
      return locked(r) ? -kEInval : 0;  // can_madv_lru_vma
    case kMadvGuardInstall:
      if (locked(r)) return -kEInval;  // is_valid_guard_vma: it would zap locked pages
      install_guards(part);
      return 0;
    case kMadvGuardRemove:
      remove_guards(part);
      return 0;
    default:
      return 0;
  }
}

int64_t AddressSpace::madvise(uint64_t addr, uint64_t length, int advice) {
  Impl& as = *impl_;
  // madvise_should_skip.
  if (!madvise_advice_valid(advice)) return -kEInval;
  if (addr & kPageMask) return -kEInval;
  uint64_t len;
  if (!page_round_up(length, len)) return -kEInval;
  const uint64_t end = addr + len;
  if (end < addr) return -kEInval;
  if (end == addr) return 0;
  // Nothing is mapped at or above kUserTop: a range reaching there ends the
  // walk with ENOMEM after the regions below it (find_vma finds none).
  const bool past_user_space = end > kUserTop;
  const PageRange range{GuestAddr{addr}.page(), past_user_space ? PageNum{kUserTopPage} : GuestAddr{end}.page()};
  if (advice == kMadvPopulateRead || advice == kMadvPopulateWrite) {
    const int64_t result = as.madvise_populate(range, advice == kMadvPopulateWrite);
    return result != 0 ? result : past_user_space ? -kENoMem : 0;
  }
  int64_t unmapped_error = 0;
  PageNum start = range.start;
  while (start < range.end) {
    const Region* r = as.regions.find_next(start);
    if (!r) return -kENoMem;
    if (start < r->range.start) {
      unmapped_error = -kENoMem;
      start = r->range.start;
      if (start >= range.end) break;
    }
    const PageRange part{start, std::min(r->range.end, range.end)};
    // `r` may be gone after this (vm_flags split and merge regions).
    if (const int64_t error = as.madvise_region(*r, part, advice)) return error;
    start = part.end;
  }
  return past_user_space ? -kENoMem : unmapped_error;
}

// Linux dup_mmap: a VM_DONTCOPY region is not copied into the child, a
// VM_WIPEONFORK one is copied without its pages (nor guard markers: its page
// table is not copied), so it reads zero; the child's copies are not
// VM_LOCKED (mlock is not inherited). Deviation: an unlocked copy merges
// with an equal neighbour here, where Linux's child keeps the parent's VMA
// boundaries until something else merges them.
void AddressSpace::after_fork() {
  Impl& as = *impl_;
  std::vector<PageRange> dont_copy, wipe, was_locked;
  as.regions.for_each([&](const Region& r) {
    if (r.attrs.vm_flags & vm::kDontCopy) {
      dont_copy.push_back(r.range);
      return;
    }
    if (r.attrs.vm_flags & vm::kWipeOnFork) wipe.push_back(r.range);
    if (r.attrs.vm_flags & vm::kLocked) was_locked.push_back(r.range);
  });
  for (const PageRange& range : dont_copy) as.unmap_range(range);
  for (const PageRange& range : wipe) {
    as.drop_pages(range);
    as.pages.clear_guards(range);
  }
  for (const PageRange& range : was_locked) as.regions.set_vm_flags(range, 0, vm::kLocked);
}

}  // namespace emu::mm
