// mmap(2), munmap(2), mprotect(2) and brk(2) with Linux x86-64 semantics:
// the same argument checks in the same order as mm/mmap.c and mm/mprotect.c,
// returning the result or -errno where Linux would (madvise: mm/madvise.cpp).
//
// mmap's checks, as Linux 6.18 makes them (measured natively on 6.18: the
// expected values in tests/mm/mmap_syscalls_test.cpp):
//  - sys_mmap: an unaligned offset is EINVAL;
//  - ksys_mmap_pgoff: the descriptor (EBADF); MAP_HUGETLB on a file that is
//    not hugetlbfs's is EINVAL; anonymous MAP_HUGETLB asks for a huge page
//    size the kernel has (EINVAL) and rounds the length up to it;
//  - do_mmap: the length, the offset's overflow, get_unmapped_area (hugetlb:
//    a MAP_FIXED address not huge-page aligned is EINVAL), MAP_FIXED_NOREPLACE
//    (EEXIST), then the file's checks (check_file_mapping) or the anonymous
//    mapping type;
//  - mmap_region: the commit charge, then the file's ->mmap (hugetlbfs: the
//    offset's alignment and the pool's reservation; ext4/xfs: MAP_SYNC).
//
// MAP_HUGETLB is backed by normal pages: the mapping is placed and sized as
// Linux places huge pages (aligned to the huge page size, whose multiple the
// length becomes), and is refused (ENOMEM) when the host's pool for that size
// could not reserve its pages, unless MAP_NORESERVE, as Linux does. What emu
// does not do: fail a touch with SIGBUS when the pool has no page left (Linux
// does, for MAP_NORESERVE mappings beyond the pool: on a host without a pool,
// every one), refuse munmap/mprotect/mremap of part of a huge page (EINVAL),
// or populate and lock such mappings (MAP_POPULATE, MAP_LOCKED are ignored).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <variant>
#include <vector>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/host_info.h"
#include "mm/linux_abi.h"
#include "mm/unmapped_area.h"

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

// ---- what do_mmap asks of the file it maps ----------------------------------------------

// The struct file, inode and file_operations facts do_mmap's checks read.
struct MappedFile {
  bool readable = false;   // FMODE_READ
  bool writable = false;   // FMODE_WRITE
  uint64_t size_max = 0;   // file_mmap_size_max(): how far a mapping may reach (bytes)
  bool can_mmap = false;   // f_op->mmap: what emu maps (regular files, /dev/zero, huge pages)
  bool mmap_sync = false;  // FOP_MMAP_SYNC: MAP_SYNC passes MAP_SHARED_VALIDATE's mask
  bool noexec = false;     // path_noexec()
};

// Magic numbers (statfs f_type) of the file systems Linux marks SB_I_NOEXEC,
// which statfs's ST_NOEXEC does not report: measured on Linux 6.18,
// mmap(PROT_EXEC) is EPERM for pipes, sockets, anon inodes (eventfd, epoll),
// pidfds and /proc and /sys files; not for devpts, tmpfs, ext4.
constexpr long kNoExecFileSystems[] = {0x50495045 /* pipefs */, 0x534f434b /* sockfs */,
                                       0x09041934 /* anon_inodefs */, 0x50494446 /* pidfs */,
                                       0x9fa0 /* proc */, 0x62656572 /* sysfs */};
// File systems whose regular files have FOP_MMAP_SYNC: ext2/3/4 (one magic), xfs.
constexpr long kMmapSyncFileSystems[] = {0xef53, 0x58465342};

template <size_t N>
bool listed(const long (&list)[N], long v) { return std::find(std::begin(list), std::end(list), v) != std::end(list); }

// `open_mode`: O_RDONLY, O_WRONLY or O_RDWR.
MappedFile host_file(int host_fd, const struct stat& st, int open_mode) {
  MappedFile f;
  f.readable = open_mode != O_WRONLY;
  f.writable = open_mode != O_RDONLY;
  // file_mmap_size_max: MAX_LFS_FILESIZE for regular files, block devices
  // and sockets, else ULONG_MAX (drivers with FOP_UNSIGNED_OFFSET, such as
  // /dev/mem, are not told apart: emu does not map them).
  const bool lfs = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode);
  f.size_max = lfs ? uint64_t{LLONG_MAX} : ~uint64_t{0};
  f.can_mmap = S_ISREG(st.st_mode) || is_dev_zero(st);
  struct statfs fs {};
  if (fstatfs(host_fd, &fs) == 0) {
    f.mmap_sync = S_ISREG(st.st_mode) && listed(kMmapSyncFileSystems, long(fs.f_type));
    f.noexec = (fs.f_flags & ST_NOEXEC) || listed(kNoExecFileSystems, long(fs.f_type));
  }
  return f;
}

// Anonymous MAP_HUGETLB's file (hugetlb_file_setup): a hugetlbfs file open
// for reading and writing.
MappedFile huge_page_file() {
  return MappedFile{.readable = true, .writable = true, .size_max = uint64_t{LLONG_MAX}, .can_mmap = true};
}

// Linux file_mmap_ok(): whether the mapping's last byte fits the file's
// offsets. `len` is page aligned.
bool file_mmap_ok(const MappedFile& f, uint64_t pgoff, uint64_t len) {
  uint64_t max = f.size_max;
  if (max && len > max) return false;
  max -= len;
  return pgoff <= (max >> kPageShift);
}

// do_mmap's checks of a file mapping, in its order: 0 or -errno. Sets the
// mapping's sharing and its max protection (VM_MAYWRITE, VM_MAYEXEC).
int check_file_mapping(const MappedFile& f, int flags, int prot, uint64_t pgoff, uint64_t len, RegionAttrs& attrs) {
  if (!file_mmap_ok(f, pgoff, len)) return -kEOverflow;
  const int flags_mask = kLegacyMapMask | (f.mmap_sync ? kMapSync : 0);
  switch (flags & kMapType) {
    case kMapShared:
      // Unknown flags are ignored with MAP_SHARED (MAP_SYNC too: the file's
      // ->mmap still sees VM_SYNC), refused with MAP_SHARED_VALIDATE.
      flags &= kLegacyMapMask;
      [[fallthrough]];
    case kMapSharedValidate:
      if (flags & ~flags_mask) return -kEOpNotSupp;
      if ((prot & kProtWrite) && !f.writable) return -kEAcces;
      attrs.sharing = Sharing::Shared;
      // Not open for writing: no VM_MAYWRITE, so mprotect may not add
      // PROT_WRITE later (EACCES, see mprotect).
      if (!f.writable) attrs.max_prot = Prot::Read | Prot::Exec;
      [[fallthrough]];
    case kMapPrivate:
      if (!f.readable) return -kEAcces;  // every mapping reads the file
      if (f.noexec) {
        if (prot & kProtExec) return -kEPerm;
        attrs.max_prot = attrs.max_prot & (Prot::Read | Prot::Write);  // no VM_MAYEXEC
      }
      if (!f.can_mmap) return -kENoDev;  // pipes, sockets, directories, devices
      if (flags & kMapGrowsDown) return -kEInval;
      return 0;
    default:
      return -kEInval;
  }
}

// do_mmap's checks of an anonymous mapping's type: MAP_SHARED or MAP_PRIVATE
// (MAP_SHARED_VALIDATE is EINVAL), and a shared mapping cannot grow down.
int check_anonymous_mapping(int flags, RegionAttrs& attrs) {
  switch (flags & kMapType) {
    case kMapShared:
      if (flags & kMapGrowsDown) return -kEInval;
      attrs.sharing = Sharing::Shared;
      return 0;
    case kMapPrivate:
      attrs.sharing = Sharing::Private;
      return 0;
    default:
      return -kEInval;
  }
}

}  // namespace

int64_t AddressSpace::mmap(uint64_t addr, uint64_t length, int prot, int flags, int host_fd, uint64_t offset) {
  Impl& as = *impl_;
  // arch/x86 sys_mmap: the offset must be page aligned.
  if (offset & kPageMask) return -kEInval;
  // ksys_mmap_pgoff: the descriptor is looked up first. MAP_HUGETLB wants a
  // hugetlbfs file, or makes one for anonymous memory. A file on a mounted
  // hugetlbfs is not told apart: MAP_HUGETLB on it is EINVAL here (Linux
  // maps it), and it is mapped as any file without MAP_HUGETLB.
  const bool anonymous = flags & kMapAnonymous;
  const bool hugetlb = anonymous && (flags & kMapHugeTlb);
  struct stat st {};
  std::optional<MappedFile> file;
  uint64_t page_size = kPageSize;  // what the mapping is made of
  if (!anonymous) {
    if (host_fd < 0 || fstat(host_fd, &st) != 0) return -kEBadF;
    const int open_mode = fcntl(host_fd, F_GETFL);
    // fget() does not return an O_PATH file: EBADF, as for a closed one.
    if (open_mode < 0 || (open_mode & O_PATH)) return -kEBadF;
    if (flags & kMapHugeTlb) return -kEInval;
    file = host_file(host_fd, st, open_mode & O_ACCMODE);
  } else if (hugetlb) {
    const std::optional<uint64_t> size = huge_page_size((flags >> kMapHugeShift) & kMapHugeMask);
    if (!size) return -kEInval;
    page_size = *size;
    length = align_up(length, page_size);  // 0 when it wraps: EINVAL below
    file = huge_page_file();
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

  // get_unmapped_area (mm/unmapped_area.h); a fixed address in the error
  // range comes back as itself, and is returned as the error.
  const int64_t where = get_unmapped_area(as.regions, as.layout, as.mmap_base(), addr, len, flags, page_size);
  if (where < 0 || uint64_t(where) >= uint64_t(-kMaxErrno)) return where;
  addr = uint64_t(where);
  const PageRange range{GuestAddr{addr}.page(), GuestAddr{addr + len}.page()};
  if ((flags & kMapFixedNoReplace) && !as.regions.is_free(range)) return -kEExist;

  // The mapping type, and what the file allows.
  RegionAttrs attrs = RegionAttrs::anonymous(RegionKind::Anonymous, prot_from_bits(prot));
  if (int err = file ? check_file_mapping(*file, flags, prot, pgoff, len, attrs) : check_anonymous_mapping(flags, attrs))
    return err;
  const bool regular_file = !anonymous && !is_dev_zero(st);
  if (regular_file) {
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
  }
  // MAP_GROWSDOWN: private anonymous memory grows down on faults below it
  // (mm/stack_growth.cpp); the checks above refused it for files (/dev/zero
  // and hugetlb too) and shared memory.
  if (flags & kMapGrowsDown) attrs.grows_down = true;
  // mmap_region's commit check (accountable_mapping() in mm/mmap.c: private
  // writable, not MAP_NORESERVE, never hugetlb) and shmem_acct_size (shared
  // anonymous memory is charged whatever its protection).
  const bool shared_memory = !regular_file && attrs.sharing == Sharing::Shared;
  const bool private_writable = attrs.sharing == Sharing::Private && (prot & kProtWrite);
  const bool accountable = !hugetlb && !(flags & kMapNoReserve) && (shared_memory || private_writable);
  if (accountable && as.exceeds_commit_limit(len >> kPageShift)) return -kENoMem;
  // The file's ->mmap (mmap_prepare).
  if (hugetlb) {
    // hugetlbfs_file_mmap: the offset is huge page aligned; the pool
    // reserves the pages now unless MAP_NORESERVE (VM_NORESERVE).
    if (pgoff & ((page_size >> kPageShift) - 1)) return -kEInval;
    if (!(flags & kMapNoReserve) && !huge_pool_can_reserve(page_size, len / page_size)) return -kENoMem;
  } else if (regular_file && file->mmap_sync && (flags & kMapSync)) {
    // ext4/xfs (daxdev_mapping_supported): VM_SYNC needs a DAX file, which
    // emu's files never are (it maps them through the page cache).
    return -kEOpNotSupp;
  }
  if (shared_memory) {
    // A memfd, mapped like a shared file from offset 0 (shared_mapping.cpp);
    // the region stays Anonymous ("/dev/zero (deleted)" in the maps).
    auto backing = create_shmem(len);
    if (int* err = std::get_if<int>(&backing)) return *err;
    attrs.file = std::get<0>(std::move(backing));
    attrs.file_offset = 0;
  }
  // MAP_NORESERVE, MAP_STACK are accepted. MAP_LOCKED makes the region
  // VM_LOCKED (a separate region, pages madvise may not drop), without
  // RLIMIT_MEMLOCK's checks; Linux never locks hugetlb (mmap_region). Pages
  // are populated on first touch unless MAP_POPULATE (ignored with
  // MAP_NONBLOCK) or MAP_LOCKED asks for them now (do_mmap's *populate);
  // hugetlb mappings never are (see the top of this file).
  const bool locked = (flags & kMapLocked) && !hugetlb;
  if (locked) attrs.vm_flags |= vm::kLocked;
  as.map_range(range, attrs);
  const bool populate = locked || (flags & (kMapPopulate | kMapNonBlock)) == kMapPopulate;
  if (populate && !hugetlb) as.populate_best_effort(range);
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
