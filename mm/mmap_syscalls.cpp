// mmap(2), munmap(2), mprotect(2) and brk(2) with Linux x86-64 semantics:
// the same argument checks in the same order as mm/mmap.c and mm/mprotect.c,
// returning the result or -errno where Linux would (madvise: mm/madvise.cpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <variant>
#include <vector>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

Prot prot_from_bits(int prot) { return Prot(prot & (kProtRead | kProtWrite | kProtExec)); }

bool is_dev_zero(const struct stat& st) { return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 5; }

// Linux round_hint_to_min(): a hint below vm.mmap_min_addr is raised to it.
uint64_t round_hint_to_min(uint64_t hint, uint64_t mmap_min) {
  hint &= ~kPageMask;
  if (hint != 0 && hint < mmap_min) return (mmap_min + kPageMask) & ~kPageMask;
  return hint;
}

}  // namespace

int64_t AddressSpace::mmap(uint64_t addr, uint64_t length, int prot, int flags, int host_fd, uint64_t offset) {
  Impl& as = *impl_;
  // arch/x86 sys_mmap: the offset must be page aligned.
  if (offset & kPageMask) return -kEInval;
  // ksys_mmap_pgoff: the descriptor is looked up first.
  const bool anonymous = flags & kMapAnonymous;
  struct stat st {};
  int open_mode = 0;
  if (!anonymous) {
    if (host_fd < 0 || fstat(host_fd, &st) != 0) return -kEBadF;
    open_mode = fcntl(host_fd, F_GETFL);
    // fget() does not return an O_PATH file: EBADF, as for a closed one.
    if (open_mode < 0 || (open_mode & O_PATH)) return -kEBadF;
    open_mode &= O_ACCMODE;
  }
  // do_mmap.
  if (length == 0) return -kEInval;
  const uint64_t mmap_min = as.layout.mmap_min.value;
  // MAP_FIXED_NOREPLACE is MAP_FIXED from here on, and never a hint: its
  // address is not rounded (unaligned: EINVAL, as Linux 6.18 answers).
  if (flags & kMapFixedNoReplace) flags |= kMapFixed;
  if (!(flags & kMapFixed)) addr = round_hint_to_min(addr, mmap_min);
  uint64_t len;
  if (!page_round_up(length, len)) return -kENoMem;
  const uint64_t pgoff = offset >> kPageShift;
  if (pgoff + (len >> kPageShift) < pgoff) return -kEOverflow;

  // get_unmapped_area.
  if (len > kTaskSize) return -kENoMem;
  if (flags & kMapFixed) {
    // The arch code returns a fixed address as is, and the generic code
    // then takes one in the error range for an error (IS_ERR_VALUE): mmap
    // at (void*)-1 fails with errno 1, at -4095 with errno 4095.
    if (addr >= uint64_t(-kMaxErrno)) return int64_t(addr);
    if (addr > kTaskSize - len) return -kENoMem;
    if (addr & kPageMask) return -kEInval;
    if (addr < mmap_min) return -kEPerm;  // security_mmap_addr without CAP_SYS_RAWIO
  } else {
    const uint64_t pages = len >> kPageShift;
    // A hint is taken where the search would look: below 2 GiB for MAP_32BIT
    // (arch_get_unmapped_area's `end - len >= addr`), else anywhere.
    const uint64_t hint_end = (flags & kMap32Bit) ? kMap32BitEnd : kTaskSize;
    const bool hint_fits = addr != 0 && len <= hint_end && addr <= hint_end - len;
    if (hint_fits && as.regions.is_free(PageRange{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()})) {
      // The hint is free: honoured as is.
    } else {
      // x86-64 top-down allocator: below mmap_base, then (Linux falls back to
      // bottom-up) anywhere else in user space. MAP_32BIT: bottom-up in
      // [1 GiB, 2 GiB) (arch_get_unmapped_area; Linux randomises the start
      // by up to 32 MiB where ASLR is on).
      const PageNum floor = GuestAddr{std::max<uint64_t>(mmap_min, kPageSize)}.page();
      std::optional<PageNum> found;
      if (flags & kMap32Bit) {
        found = as.regions.find_free_bottom_up(pages,
                                               PageRange{GuestAddr{kMap32BitStart}.page(), GuestAddr{kMap32BitEnd}.page()});
      } else {
        found = as.regions.find_free(pages, PageRange{floor, GuestAddr{as.mmap_base()}.page()});
        if (!found) found = as.regions.find_free(pages, PageRange{floor, GuestAddr{kTaskSize}.page()});
      }
      if (!found) return -kENoMem;
      addr = found->addr().value;
    }
  }
  const PageRange range{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()};
  if ((flags & kMapFixedNoReplace) && !as.regions.is_free(range)) return -kEExist;

  // The mapping type, and what the file allows.
  RegionAttrs attrs = RegionAttrs::anonymous(RegionKind::Anonymous, prot_from_bits(prot));
  const int type = flags & kMapType;
  if (type != kMapShared && type != kMapSharedValidate && type != kMapPrivate) return -kEInval;
  attrs.sharing = type == kMapPrivate ? Sharing::Private : Sharing::Shared;
  const bool file_backed = !anonymous && !is_dev_zero(st);
  if (file_backed) {
    if (type == kMapSharedValidate && (flags & ~kLegacyMapMask)) return -kEOpNotSupp;  // includes MAP_SYNC
    if (attrs.sharing == Sharing::Shared) {
      if ((prot & kProtWrite) && open_mode != O_RDWR) return -kEAcces;
      // Linux clears VM_MAYWRITE when the file is not open for writing:
      // mprotect may not add PROT_WRITE later (EACCES, see mprotect).
      if (open_mode != O_RDWR) attrs.max_prot = Prot::Read | Prot::Exec;
    }
    if (open_mode == O_WRONLY) return -kEAcces;  // every mapping reads the file
    if (!S_ISREG(st.st_mode)) return -kENoDev;   // pipes, sockets, directories, devices
    auto backing = impl_->files.get(host_fd);
    if (int* err = std::get_if<int>(&backing)) return *err;
    attrs.kind = RegionKind::File;
    attrs.file = std::get<0>(std::move(backing));
    attrs.file_offset = offset;
  } else if (!anonymous && attrs.sharing == Sharing::Private) {
    // Private /dev/zero (mmap_zero): anonymous memory, but the region keeps
    // the file, which /proc/self/maps names ("/dev/zero", its device, inode
    // and the offset given). Pages are zero-filled, never read from it.
    auto backing = impl_->files.get(host_fd);
    if (int* err = std::get_if<int>(&backing)) return *err;
    attrs.file = std::get<0>(std::move(backing));
    attrs.file_offset = offset;
  } else if (anonymous && attrs.sharing == Sharing::Shared) {
    // do_mmap's anonymous branch knows MAP_SHARED and MAP_PRIVATE only, and
    // a shared mapping cannot grow down.
    if (type == kMapSharedValidate || (flags & kMapGrowsDown)) return -kEInval;
  }
  // MAP_GROWSDOWN: private anonymous memory grows down on faults below it
  // (mm/stack_growth.cpp); do_mmap refuses it for a file (/dev/zero too)
  // after the file checks above.
  if (flags & kMapGrowsDown) {
    if (!anonymous) return -kEInval;
    attrs.grows_down = true;
  }
  // mmap_region's commit check (accountable_mapping() in mm/mmap.c: private
  // writable, not MAP_NORESERVE) and shmem_acct_size (shared anonymous memory
  // is charged whatever its protection).
  const bool shmem = !file_backed && attrs.sharing == Sharing::Shared;
  const bool private_writable = attrs.sharing == Sharing::Private && (prot & kProtWrite);
  const bool accountable = !(flags & kMapNoReserve) && (shmem || private_writable);
  if (accountable && as.exceeds_commit_limit(len >> kPageShift)) return -kENoMem;
  if (shmem) {
    // A memfd, mapped like a shared file from offset 0 (shared_mapping.cpp);
    // the region stays Anonymous ("/dev/zero (deleted)" in the maps).
    auto backing = create_shmem(len);
    if (int* err = std::get_if<int>(&backing)) return *err;
    attrs.file = std::get<0>(std::move(backing));
    attrs.file_offset = 0;
  }
  // MAP_NORESERVE, MAP_STACK, MAP_HUGETLB are accepted. MAP_LOCKED makes
  // the region VM_LOCKED (a separate region, pages madvise may not drop),
  // without RLIMIT_MEMLOCK's checks. Pages are populated on first touch
  // unless MAP_POPULATE (ignored with MAP_NONBLOCK) or MAP_LOCKED asks for
  // them now (do_mmap's *populate).
  if (flags & kMapLocked) attrs.vm_flags |= vm::kLocked;
  as.map_range(range, attrs);
  if ((flags & kMapLocked) || (flags & (kMapPopulate | kMapNonBlock)) == kMapPopulate) as.populate_best_effort(range);
  return int64_t(addr);
}

// munmap(2): unmapping pages that are not mapped is fine.
int64_t AddressSpace::munmap(uint64_t addr, uint64_t length) {
  if ((addr & kPageMask) || addr > kTaskSize || length > kTaskSize - addr) return -kEInval;
  uint64_t len;
  if (!page_round_up(length, len) || len == 0) return -kEInval;
  impl_->unmap_range(PageRange{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()});
  return 0;
}

// mprotect(2). As in Linux, the change applies region by region from `addr`
// and stops at the first hole (ENOMEM) or region whose max protection forbids
// it (EACCES), leaving the part before it changed.
int64_t AddressSpace::mprotect(uint64_t addr, uint64_t length, int prot) {
  const int grows = prot & (kProtGrowsDown | kProtGrowsUp);
  if (grows == (kProtGrowsDown | kProtGrowsUp)) return -kEInval;
  prot &= ~grows;
  if (addr & kPageMask) return -kEInval;
  if (length == 0) return 0;
  uint64_t len;
  if (!page_round_up(length, len)) return -kENoMem;
  const uint64_t end = addr + len;
  if (end <= addr) return -kENoMem;
  if (prot & ~(kProtRead | kProtWrite | kProtExec | kProtSem)) return -kEInval;
  const Prot want = prot_from_bits(prot);

  const bool past_user_space = end > kUserTop;
  PageNum start = GuestAddr{addr}.page();
  // PROT_GROWSDOWN extends the change down to the start of the grows-down
  // region at the top of the range; x86 has no grows-up regions.
  if (grows) {
    const Region* first = start.value < kUserTopPage ? impl_->regions.find_next(start) : nullptr;
    if (!first || first->range.start.addr().value >= end) return -kENoMem;
    if (grows == kProtGrowsUp) return first->range.start > start ? -kENoMem : -kEInval;
    if (!first->attrs.grows_down) return -kEInval;
    start = first->range.start;
  }
  const PageNum stop = past_user_space ? PageNum{kUserTopPage} : GuestAddr{end}.page();
  PageNum covered = start;  // [start, covered) is mapped and may take `want`
  int64_t result = 0;
  // mprotect_fixup: a private VM_LOCKED region that becomes writable is
  // faulted in (its pages copied), as mlock would have done for writing.
  std::vector<PageRange> to_populate;
  impl_->regions.for_each_in(PageRange{start, std::max(start, stop)}, [&](const Region& r) {
    if (result != 0) return;
    if (r.range.start > covered) {
      result = -kENoMem;
    } else if ((want & r.attrs.max_prot) != want) {
      result = -kEAcces;
    } else {
      covered = r.range.end;
      if ((r.attrs.vm_flags & vm::kLocked) && r.attrs.sharing == Sharing::Private &&
          !has(r.attrs.prot, Prot::Write) && has(want, Prot::Write))
        to_populate.push_back(PageRange{std::max(r.range.start, start), std::min(r.range.end, stop)});
    }
  });
  covered = std::min(covered, stop);
  if (result == 0 && (past_user_space || covered < stop)) result = -kENoMem;
  impl_->protect_range(PageRange{start, std::max(start, covered)}, want);
  for (const PageRange& part : to_populate) impl_->populate_best_effort(part);
  return result;
}

// brk(2): moves the end of the heap region [brk_start, PAGE_ALIGN(brk)).
// Returns the new break, or the unchanged one when the request is refused
// (below brk_start, or growing into another mapping: Linux also keeps a page
// of distance). Shrinking frees the pages; growing again maps fresh zero pages.
uint64_t AddressSpace::brk(uint64_t new_break) {
  Impl& as = *impl_;
  const uint64_t start = as.layout.brk_start.value;
  if (start == 0 || new_break < start || new_break > kTaskSize - kPageSize) return as.brk;
  const uint64_t old_top = (as.brk + kPageMask) & ~kPageMask;
  const uint64_t new_top = (new_break + kPageMask) & ~kPageMask;
  if (new_top < old_top) {
    as.unmap_range(PageRange{GuestAddr{new_top}.page(), GuestAddr{old_top}.page()});
  } else if (new_top > old_top) {
    if (!as.regions.is_free(PageRange{GuestAddr{old_top}.page(), GuestAddr{new_top + kPageSize}.page()})) return as.brk;
    if (as.exceeds_commit_limit((new_top - old_top) >> kPageShift)) return as.brk;  // do_brk_flags
    as.map_range(PageRange{GuestAddr{old_top}.page(), GuestAddr{new_top}.page()},
                 RegionAttrs::anonymous(RegionKind::Heap, Prot::Read | Prot::Write));
  }
  as.brk = new_break;
  return as.brk;
}

}  // namespace emu::mm
