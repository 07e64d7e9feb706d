// MAP_SHARED memory: file pages and shmem shared with the host page cache,
// and msync(2).
//
// Frame-slot remap. Guest pages live in FrameAllocator frames inside one host
// reservation; the page table and the TLB know only frame numbers and
// host(frame) pointers. A MAP_SHARED page takes a frame slot and has the file
// page mapped over it with host mmap(MAP_SHARED|MAP_FIXED), so the slot IS
// the page-cache page: guest stores reach the file, and read()/write() on the
// file and every other mapping of it (in this guest or any process) see the
// same bytes, as Linux's page cache gives (mm/filemap.c filemap_fault). The
// TLB hit path is unchanged. Such pages carry PageEntry::kHostShared, and
// drop_pages frees them with FrameAllocator::free_host_shared (the slot is
// re-anonymised; the file keeps the data).
//
// Shared anonymous memory is a memfd created at mmap time (Linux:
// mm/shmem.c shmem_zero_setup), mapped the same way from offset 0: it is
// shared with nothing now, but a host fork of the emulator will share it, as
// a guest fork must.
//
// Limits, host side:
//  - each populated shared page may be its own host VMA (slots of adjacent
//    pages are rarely adjacent frames), so a guest touching more than about
//    vm.max_map_count (65530) shared pages gets the host mmap refused: the
//    access is then an out-of-memory kill (FaultKind::Oom), never a crash;
//  - EOF is checked when a page is populated. A file truncated under a page
//    that is already populated makes the host raise SIGBUS in the emulator
//    (Linux would deliver SIGBUS to the guest).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "mm/address_space.h"
#include "mm/host_fd.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

std::variant<std::shared_ptr<const FileBacking>, int> create_shmem(uint64_t bytes) {
  // The name shows only in the host's /proc; the guest's maps print Linux's
  // "/dev/zero (deleted)" (proc_maps.cpp).
  const int fd = memfd_create("emu-shmem", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  if (ftruncate(fd, off_t(bytes)) != 0) {
    const int err = errno;
    close(fd);
    return err == EFBIG ? -kENoMem : -err;
  }
  return FileBacking::adopt(move_fd_high(fd));
}

namespace {

// Why a file view could not be had: Bus (page wholly past EOF, or an I/O-ish
// host error), Oom (no frame, or the host refused the mapping with ENOMEM).
struct ViewOutcome {
  std::optional<FrameNum> frame = std::nullopt;
  FaultKind fault = FaultKind::None;
};

// A frame slot with the file page at `offset` mapped over it.
ViewOutcome map_file_view(FrameAllocator& frames, const FileBacking& file, uint64_t offset, bool writable) {
  // Linux filemap_fault: a page wholly past EOF is SIGBUS. Checked now so the
  // host never faults on the slot.
  struct stat st {};
  if (fstat(file.fd(), &st) != 0 || offset >= uint64_t(st.st_size)) return {.fault = FaultKind::Bus};
  const std::optional<FrameNum> frame = frames.allocate_slot();
  if (!frame) return {.fault = FaultKind::Oom};
  if (const int err = frames.map_host_shared(*frame, file.fd(), offset, writable)) {
    frames.free_host_shared(*frame);
    // ENOMEM: vm.max_map_count or host memory; anything else is an I/O-ish
    // failure of the file, which Linux reports as SIGBUS.
    return {.fault = err == ENOMEM ? FaultKind::Oom : FaultKind::Bus};
  }
  return {.frame = frame};
}

}  // namespace

Translation AddressSpace::Impl::populate_shared(PageNum page, const Region& r, Prot access) {
  const ViewOutcome v = map_file_view(frames, *r.attrs.file, r.file_offset_of(page), r.attrs.file->writable());
  if (!v.frame) return {.fault = v.fault};
  PageEntry& e = pages.insert(page, PageEntry{*v.frame, access, PageEntry::kPresent | PageEntry::kHostShared});
  return {frames.host(*v.frame), &e, FaultKind::None};
}

Translation AddressSpace::Impl::populate_private_view(PageNum page, const Region& r, Prot access) {
  const ViewOutcome v = map_file_view(frames, *r.attrs.file, r.file_offset_of(page), /*writable=*/false);
  if (v.fault == FaultKind::Bus) return {.fault = FaultKind::Bus};
  if (!v.frame) return {};  // the caller copies the page instead
  const uint8_t flags = PageEntry::kPresent | PageEntry::kHostShared | PageEntry::kCopyOnWrite;
  PageEntry& e = pages.insert(page, PageEntry{*v.frame, access, flags});
  return {frames.host(*v.frame), &e, FaultKind::None};
}

bool AddressSpace::Impl::break_copy_on_write(PageNum page, PageEntry& entry) {
  const std::optional<FrameNum> copy = frames.allocate();
  if (!copy) return false;
  std::memcpy(frames.host(*copy), frames.host(entry.frame), kPageSize);
  frames.free_host_shared(entry.frame);
  entry.frame = *copy;
  entry.flags &= uint8_t(~(PageEntry::kHostShared | PageEntry::kCopyOnWrite));
  // TLB read entries still point at the view's slot.
  flush_tlbs(PageRange{page, page + 1});
  return true;
}

// msync(2): the checks of Linux mm/msync.c in its order. The walk follows its
// loop: a hole makes the result ENOMEM but the regions after it are still
// synced (plain MS_ASYNC stops at the hole: there is nothing to do anyway);
// running out of regions before `end` is ENOMEM at once. MS_SYNC on a shared
// file region fdatasyncs its file (vfs_fsync_range with datasync); a region
// whose file is not open for writing is not VM_SHARED and is skipped, as in
// Linux. MS_INVALIDATE has nothing to invalidate (the page cache is the
// mapping) but is EBUSY on a MAP_LOCKED region (VM_LOCKED).
int64_t AddressSpace::msync(uint64_t addr, uint64_t length, int flags) {
  if (flags & ~(kMsAsync | kMsInvalidate | kMsSync)) return -kEInval;
  if (addr & kPageMask) return -kEInval;
  if ((flags & kMsAsync) && (flags & kMsSync)) return -kEInval;
  // Linux rounds with wrap-around: a length within a page of 2^64 rounds to 0.
  const uint64_t len = (length + kPageMask) & ~kPageMask;
  const uint64_t end = addr + len;
  if (end < addr) return -kENoMem;
  if (end == addr) return 0;

  int64_t unmapped_error = 0;
  uint64_t start = addr;
  for (;;) {
    // Still start < end.
    const Region* r = start < kUserTop ? impl_->regions.find_next(GuestAddr{start}.page()) : nullptr;
    if (!r) return -kENoMem;
    const uint64_t r_start = r->range.start.addr().value;
    const uint64_t r_end = r->range.end.addr().value;
    if (start < r_start) {
      if (flags == kMsAsync) return -kENoMem;
      start = r_start;
      if (start >= end) return -kENoMem;
      unmapped_error = -kENoMem;
    }
    if ((flags & kMsInvalidate) && (r->attrs.vm_flags & vm::kLocked)) return -kEBusy;
    const bool shared_file = r->attrs.file && r->attrs.sharing == Sharing::Shared && r->attrs.file->writable();
    const int fd = shared_file ? r->attrs.file->fd() : -1;
    start = r_end;
    if ((flags & kMsSync) && shared_file) {
      if (fdatasync(fd) != 0) return -errno;
      if (start >= end) return unmapped_error;
    } else if (start >= end) {
      return unmapped_error;
    }
  }
}

}  // namespace emu::mm
