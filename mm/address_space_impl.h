// AddressSpace::Impl: the state behind the facade and the helpers its split
// source files share (address_space.cpp, mmap_syscalls.cpp, page_fault.cpp,
// guest_gateway.cpp, proc_maps.cpp). Private to mm/.
//
// Consistency rules every mutation keeps (check_invariants() tests them):
//  - a page is present in the PageTable only inside a non-Reserved region, and
//    its entry's prot is effective_access(region prot);
//  - frames in use == present pages, each frame owned by exactly one page;
//  - no attached Tlb holds an entry for a page whose mapping, protection or
//    frame changed since the entry was filled, nor a write entry for a code page.
#pragma once

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

  // Demand paging (page_fault.cpp): the page's frame for `need`, populating it
  // on first touch (zero-filled, or read from the backing file). Never throws.
  Translation resolve(PageNum page, Need need);
  // The GuestFault a failed translation of an access at `addr` raises.
  static GuestFault to_guest_fault(FaultKind kind, uint64_t addr);
  // Enters the page's read/write entries into `tlb` as its Tlb contract allows.
  void fill_tlb(Tlb& tlb, PageNum page, const PageEntry& entry) const;
  // A guest write is about to change a code page: tell the observer, clear the flag.
  void code_written(PageNum page, PageEntry& entry);

  // Layout changes (address_space.cpp); each keeps the rules above. All take
  // ranges inside [0, kUserTopPage).
  // Makes the pages of `range` absent again (their frames freed, code
  // notified, TLBs flushed); the regions stay, so the next touch
  // demand-populates afresh (madvise(MADV_DONTNEED)).
  void drop_pages(PageRange range);
  // munmap: drop_pages, then the regions go.
  void unmap_range(PageRange range);
  // mmap(MAP_FIXED): unmap_range, then one region with `attrs`.
  void map_range(PageRange range, const RegionAttrs& attrs);
  // mprotect on the mapped pages of `range` (the caller checked coverage).
  void protect_range(PageRange range, Prot prot);
  void flush_tlbs(PageRange range);
  void notify_code_changed(PageRange range);
};

}  // namespace emu::mm
