// AddressSpace::Impl: the state behind the facade and the helpers its split
// source files share (address_space.cpp, mmap_syscalls.cpp, page_fault.cpp,
// guest_gateway.cpp, proc_maps.cpp). Private to mm/.
//
// Consistency rules every mutation keeps (check_invariants() tests them):
//  - a page is present in the PageTable only inside a non-Reserved region, and
//    its entry's prot is effective_access(region prot); a guard marker only
//    inside a region;
//  - frames in use == present pages, each frame owned by exactly one page;
//  - no attached Tlb holds an entry for a page whose mapping, protection or
//    frame changed since the entry was filled, nor a write entry for a code page.
#pragma once

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "mm/guest_fault.h"
#include "mm/page_table.h"
#include "mm/region_tree.h"

namespace emu::mm {

// What the MMU lets an access do on a page of protection `p`: x86 page tables
// cannot express write-only, so PROT_WRITE pages are readable too (the region
// keeps the PROT bits the guest asked for, which /proc/self/maps shows).
// Exec-only stays unreadable, as with protection keys.
constexpr Prot effective_access(Prot p) { return has(p, Prot::Write) ? (p | Prot::Read) : p; }

// Linux's mmap_base with ASLR off and the default 8 MiB stack limit; used
// until the loader sets a layout.
inline constexpr uint64_t kDefaultMmapBase = 0x7ffff7fff000;

// The access a translation is for. Poke is the loader's: any protection
// (still only inside a mapped, non-Reserved region).
enum class Need : uint8_t { Read, Write, Exec, Poke };

enum class FaultKind : uint8_t {
  None,
  MapErr,        // nothing mapped there (SEGV_MAPERR)
  AccErr,        // mapped, protection forbids (SEGV_ACCERR)
  NonCanonical,  // not a canonical address: #GP, SIGSEGV SI_KERNEL at 0
  Bus,           // file mapping, page entirely past EOF (SIGBUS BUS_ADRERR)
  Oom,           // no frame left under the memory limit
};

struct Translation {
  uint8_t* host = nullptr;   // host address of the page's first byte
  PageEntry* entry = nullptr;
  FaultKind fault = FaultKind::None;
};

// Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, MAP_SHARED of
// /dev/zero): a memfd of `bytes`, Linux's shmem_zero_setup. Or -errno.
std::variant<std::shared_ptr<const FileBacking>, int> create_shmem(uint64_t bytes);

struct AddressSpace::Impl {
  explicit Impl(const AddressSpaceConfig& config);

  Layout layout;
  RegionTree regions;
  PageTable pages;
  FrameAllocator frames;
  FileBackingCache files;
  std::vector<Tlb*> tlbs;
  CodeObserver* observer = nullptr;
  uint64_t brk = 0;  // current program break (byte address, as brk(2) reports it)

  uint64_t mmap_base() const { return layout.mmap_base.value ? layout.mmap_base.value : kDefaultMmapBase; }

  // Commit accounting under --mem-limit, after Linux's heuristic overcommit
  // (mm/util.c __vm_enough_memory, OVERCOMMIT_GUESS): a single accountable
  // request (mmap of a VM_ACCOUNT mapping, brk or mremap growth) of `pages`
  // that obviously cannot be met -- more than the frames still free under the
  // limit -- is refused with ENOMEM up front. Not a reservation: nothing is
  // charged, so later requests are judged against frames actually in use.
  bool exceeds_commit_limit(uint64_t pages) const {
    const FrameStats& s = frames.stats();
    return pages > s.limit - std::min(s.in_use, s.limit);
  }

  // Demand paging (page_fault.cpp): the page's frame for `need`, populating it
  // on first touch (zero-filled, or read from the backing file). Never throws.
  Translation resolve(PageNum page, Need need);
  // The GuestFault a failed translation of an access at `addr` raises.
  static GuestFault to_guest_fault(FaultKind kind, uint64_t addr);
  // Enters the page's read/write entries into `tlb` as its Tlb contract allows.
  void fill_tlb(Tlb& tlb, PageNum page, const PageEntry& entry) const;
  // A guest write is about to change a code page: tell the observer, clear the flag.
  void code_written(PageNum page, PageEntry& entry);

  // MAP_SHARED pages (shared_mapping.cpp): populates `page` of shared region
  // `r` (a file, or the memfd behind shared anonymous memory) by mapping the
  // file page over a frame slot, so guest accesses are page-cache accesses.
  // Bus for a page wholly past EOF (checked here, so the host never faults
  // on the slot); Oom when no frame or host mapping can be had.
  Translation populate_shared(PageNum page, const Region& r, Prot access);
  // MAP_PRIVATE file pages of guest mmaps (kind File) read before they are
  // written: the same frame-slot view of the page-cache page, read-only on
  // the host and marked kCopyOnWrite, so the guest keeps seeing the file's
  // later changes until it writes the page (Linux shares the page-cache page
  // until the COW fault). Returns a translation with fault None on success;
  // when the host refuses the view (vm.max_map_count) the caller copies the
  // page instead, so this never makes an access fail except Bus/Oom.
  Translation populate_private_view(PageNum page, const Region& r, Prot access);
  // The COW fault: gives a kCopyOnWrite page a frame of its own holding the
  // same bytes and drops the view. False when no frame can be had (Oom).
  bool break_copy_on_write(PageNum page, PageEntry& entry);

  // Prefaulting (populate.cpp). MAP_POPULATE: best effort, like Linux's
  // __mm_populate with errors ignored -- stops quietly at the frame limit,
  // skips PROT_NONE regions and the rest of a region past its file's EOF.
  void populate_best_effort(PageRange range);
  // MADV_POPULATE_READ/_WRITE (mm/madvise.c madvise_populate): 0, or EINVAL
  // (region lacks the permission), EFAULT (SIGBUS: past EOF), ENOMEM (hole,
  // or out of frames). Pages before the failing one stay populated.
  int64_t madvise_populate(PageRange range, bool write);

  // madvise (madvise.cpp): the advice applied to `part` of region `r`, as
  // Linux's madvise_vma_behavior; 0 or -errno. Advice that sets flags
  // changes the region tree (then `r` is no longer valid).
  int64_t madvise_region(const Region& r, PageRange part, int advice);
  int64_t update_advice(const Region& r, PageRange part, uint16_t set, uint16_t clear);
  int64_t madvise_remove(const Region& r, PageRange part);
  // MADV_GUARD_INSTALL (Linux mm/madvise.c madvise_guard_install): the pages
  // of `range` are dropped (their contents go, as Linux zaps them) and get
  // guard markers, so any access faults (SEGV_MAPERR, EFAULT for a system
  // call) while the range stays mapped. MADV_GUARD_REMOVE clears them: the
  // pages then demand-populate afresh.
  void install_guards(PageRange range);
  void remove_guards(PageRange range);

  // Layout changes (address_space.cpp); each keeps the rules above. All take
  // ranges inside [0, kUserTopPage).
  // Makes the pages of `range` absent again (their frames freed, code
  // notified, TLBs flushed); the regions stay, so the next touch
  // demand-populates afresh (madvise(MADV_DONTNEED)).
  void drop_pages(PageRange range);
  // munmap: drop_pages, the guard markers go, then the regions.
  void unmap_range(PageRange range);
  // mmap(MAP_FIXED): unmap_range, then one region with `attrs`.
  void map_range(PageRange range, const RegionAttrs& attrs);
  // mprotect on the mapped pages of `range` (the caller checked coverage).
  void protect_range(PageRange range, Prot prot);
  void flush_tlbs(PageRange range);
  void notify_code_changed(PageRange range);

  // mremap's move (mremap.cpp): the present pages of `from` move to the same
  // offsets from `to`, keeping their frames (no copy); decoded code on them
  // is dropped and TLBs of both ranges are flushed. Regions are the caller's.
  void move_pages(PageRange from, PageNum to);
  // Stack growth (stack_growth.cpp, Linux expand_downwards): extends the
  // grows-down region above the unmapped `page` down to it when the stack
  // rlimit, mmap_min_addr and the stack guard gap allow. The region now
  // holding `page`, or null (the access stays SEGV_MAPERR).
  const Region* grow_stack(PageNum page);
};

}  // namespace emu::mm
