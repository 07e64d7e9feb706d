// AddressSpace: the facade over guest memory that the rest of the emulator uses.
//
//   RegionTree     what is mapped (one tagged tree, the only record of layout)
//   PageTable      guest page -> frame + protection + "holds code" (demand paged)
//   FrameAllocator recycled 4 KiB frames in one host reservation
//   Tlb            per-CPU cache of page -> host pointer (attached here, flushed here)
//
// Three audiences, three kinds of entry point:
//  1. The syscall layer: mmap/munmap/mprotect/brk with Linux semantics, return
//     the result or -errno exactly where Linux would; and the ONE gateway for
//     touching guest memory (copy_in/copy_out/read_cstring/host_iovecs), which
//     returns false (-> -EFAULT) on a bad pointer and never throws.
//  2. The interpreter: load_slow/store_slow behind the inlined TLB hit path
//     (emu/memory.h), fetch_code for the decoder. These throw GuestFault.
//  3. The loader: map_fixed + poke to lay out the image and the initial stack.
//
// Protection: a region keeps the PROT_* bits the guest asked for (that is
// what /proc/self/maps shows, "-w-p" for PROT_WRITE alone, as on Linux);
// accesses are checked against what x86 page tables can express: a writable
// page is also readable (W implies R). Exec-only pages stay unreadable.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mm/region.h"
#include "mm/tlb.h"
#include "mm/types.h"

namespace emu::mm {

class RegionTree;

// Counters of the guest's physical memory (FrameAllocator).
struct FrameStats {
  uint64_t in_use = 0;     // frames currently mapped by some page
  uint64_t peak = 0;       // max of in_use
  uint64_t fresh = 0;      // allocations served by never-used frames
  uint64_t recycled = 0;   // allocations served by a previously freed frame
  uint64_t released = 0;   // frames handed back to the host (MADV_DONTNEED)
  uint64_t limit = 0;      // frames allowed (mem limit / 4 KiB)
};

// Receives notice that decoded code on guest pages is stale (page written,
// unmapped or re-protected). Implemented by emu's BlockCache. Rare path.
class CodeObserver {
 public:
  virtual void code_changed(PageRange pages) = 0;

 protected:
  ~CodeObserver() = default;
};

struct AddressSpaceConfig {
  // Cap on guest physical memory (frames in use), bytes. 0 = host RAM size.
  uint64_t mem_limit = 0;
};

// Linux stack_guard_gap (mm/mmap.c, 256 pages by default): a grows-down
// region does not grow to within this distance of an accessible mapping below.
inline constexpr uint64_t kStackGuardGap = 256 * kPageSize;
// RLIMIT_STACK's default soft limit (Linux _STK_LIM); UINT64_MAX is RLIM_INFINITY.
inline constexpr uint64_t kDefaultStackRlimit = uint64_t{8} << 20;

// Where mmap's top-down search starts, where brk starts, and so on. Set by the
// loader once the image is placed (Linux: mm->mmap_base, mm->start_brk).
struct Layout {
  GuestAddr mmap_base{0};    // top-down gap search starts below this (0: Linux's no-ASLR 0x7ffff7fff000)
  // Linux mmap_min_addr: searches and hints stay above it. It is the larger
  // of the sysctl vm.mmap_min_addr and CONFIG_LSM_MMAP_MIN_ADDR (64 KiB).
  GuestAddr mmap_min{0x10000};
  // The sysctl vm.mmap_min_addr (Linux dac_mmap_min_addr) and whether the
  // process has CAP_SYS_RAWIO in its effective set: below the first, only the
  // second lets a process map (cap_mmap_addr). The loader asks the host once
  // at start-up: the guest runs with emu's credentials.
  GuestAddr dac_mmap_min{0x10000};
  bool cap_sys_rawio = false;
  GuestAddr brk_start{0};    // initial program break (page aligned end of image)
  GuestAddr stack_top{0};    // end (exclusive) of the stack region
  // RLIMIT_STACK soft limit, bytes: how large a grows-down region may grow
  // (mm/stack_growth.cpp). Kept in sync with setrlimit/prlimit64 by the
  // syscall layer through set_layout.
  uint64_t stack_rlimit = kDefaultStackRlimit;

  // Linux security_mmap_addr (cap_mmap_addr): whether mmap or mremap refuses
  // (EPERM) to map at `addr`: below the sysctl vm.mmap_min_addr without
  // CAP_SYS_RAWIO. The one place that decides it. round_hint_to_min, the
  // free-area search and stack growth (expand_downwards) stay above mmap_min
  // whatever the capability, as in Linux.
  bool refuses_mmap_addr(uint64_t addr) const { return addr < dac_mmap_min.value && !cap_sys_rawio; }
};

struct AddressSpaceStats {
  FrameStats frames;
  uint64_t region_nodes = 0;
  uint64_t region_nodes_peak = 0;
  uint64_t resident_pages[kRegionKindCount] = {};  // populated pages by RegionKind
};

enum class Access : uint8_t { Read, Write };

class AddressSpace {
 public:
  explicit AddressSpace(const AddressSpaceConfig& config = {});
  ~AddressSpace();
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  void set_layout(const Layout& layout);
  const Layout& layout() const;

  // ---- Linux system-call semantics: result, or -errno -------------------------
  // mmap(2): `prot`/`flags` are the guest's PROT_*/MAP_* bits; `host_fd` is the
  // host descriptor behind the guest's fd (ignored with MAP_ANONYMOUS). The
  // file is kept open (dup) for as long as a region refers to it. MAP_SHARED
  // pages are the host's page-cache pages (mm/shared_mapping.cpp); shared
  // anonymous memory is a memfd. Under the memory limit, an accountable
  // mapping larger than the free frames is ENOMEM; MAP_POPULATE prefaults.
  int64_t mmap(uint64_t addr, uint64_t length, int prot, int flags, int host_fd, uint64_t offset);
  int64_t munmap(uint64_t addr, uint64_t length);
  int64_t mprotect(uint64_t addr, uint64_t length, int prot);
  // brk(2): returns the new break, or the current one when the request fails.
  uint64_t brk(uint64_t new_break);
  // mremap(2) (mm/mremap.cpp): shrink, grow in place, MREMAP_MAYMOVE,
  // MREMAP_FIXED, MREMAP_DONTUNMAP. Moving keeps the frames (no copy): the
  // page entries move to the new addresses. New address, or -errno.
  int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
  // msync(2) (mm/shared_mapping.cpp): argument checks and ENOMEM for holes as
  // Linux; MS_SYNC flushes the files behind shared mappings in the range.
  int64_t msync(uint64_t addr, uint64_t length, int flags);
  // mincore(2) (mm/mincore.cpp): writes one byte per page of [addr, addr+length)
  // to guest `vec` (1: resident); Linux's errno (EINVAL, ENOMEM for holes, EFAULT).
  int64_t mincore(uint64_t addr, uint64_t length, uint64_t vec);
  // madvise(2) (mm/madvise.cpp, Linux 6.18's order: the first region that
  // refuses the advice gives its error, a hole in the range ENOMEM only
  // after all of it). MADV_DONTNEED (and MADV_FREE on private anonymous
  // memory) drop the pages, which then read zero (anonymous) or the file's
  // bytes again (file-backed private), and return their frames; on MAP_SHARED
  // memory they only unmap (the file or shmem keeps the data). MADV_REMOVE
  // punches a hole in a shared file or shmem; MADV_GUARD_INSTALL/REMOVE set
  // and clear guard pages; MADV_POPULATE_READ/_WRITE prefault
  // (mm/populate.cpp); other advice is checked as Linux checks it and is a
  // hint. 0, or -errno (EINVAL, EACCES, ENOMEM for unmapped holes, ...).
  int64_t madvise(uint64_t addr, uint64_t length, int advice);
  // In a fork child (a copy of the parent's memory, not vfork's shared one):
  // what Linux's dup_mmap leaves out. Regions advised MADV_DONTFORK are
  // unmapped, MADV_WIPEONFORK ones lose their pages (they read zero).
  void after_fork();

  // ---- loader ------------------------------------------------------------------
  // Maps [range) with the given attributes over whatever was there (MAP_FIXED
  // semantics). `host_fd` >= 0 backs it privately from `file_offset`. A
  // RegionKind::Stack region grows down (Linux VM_GROWSDOWN on the exec stack).
  // Returns 0 or -errno.
  int64_t map_fixed(PageRange range, Prot prot, RegionKind kind, int host_fd = -1, uint64_t file_offset = 0);
  // Writes bytes regardless of protection (populating pages). False if unmapped.
  bool poke(GuestAddr dst, const void* src, size_t n);
  // Calls f(page address, its bytes) for every present page whose frame is
  // the guest's own (not a view of a host file or shmem page), in address
  // order. For a vfork child's write-back (syscalls/children.cpp).
  void for_each_private_page(const std::function<void(GuestAddr, const uint8_t*)>& f);

  // ---- the gateway for system calls: never throws, false means EFAULT -----------
  bool copy_in(void* dst, GuestAddr src, size_t n);
  bool copy_out(GuestAddr dst, const void* src, size_t n);
  // Reads a NUL-terminated string of at most `max_len` bytes (not counting the
  // NUL). nullopt if unreadable or longer than max_len.
  std::optional<std::string> read_cstring(GuestAddr src, size_t max_len);
  // Appends host iovecs covering guest [addr, addr+len) to `out`, merging host-
  // contiguous pieces, so read/write/readv/writev move data without a bounce
  // buffer. Write access invalidates decoded code on those pages up front.
  bool host_iovecs(GuestAddr addr, size_t len, Access access, std::vector<iovec>& out);
  // As host_iovecs, for the longest prefix of the range that does not fault
  // (a system call moves data up to the first fault); returns its length,
  // 0 when the range is not user space (access_ok).
  size_t host_iovecs_prefix(GuestAddr addr, size_t len, Access access, std::vector<iovec>& out);

  // ---- the interpreter ------------------------------------------------------------
  // TLBs whose entries this address space keeps coherent.
  void attach(Tlb* tlb);
  void detach(Tlb* tlb);
  void set_code_observer(CodeObserver* observer);

  // Slow paths behind Tlb hits: handle misses (demand paging, refill the TLB),
  // page-crossing accesses, and faults (throw GuestFault: SIGSEGV with
  // SEGV_MAPERR/SEGV_ACCERR; kOomKill when no frame can be had).
  void load_slow(Tlb& tlb, uint64_t addr, void* out, size_t n);
  void store_slow(Tlb& tlb, uint64_t addr, const void* in, size_t n);

  // Copies up to `max` instruction bytes at `addr` into `buf` for the decoder,
  // stopping at the first byte that is unmapped or not executable; marks the
  // pages as holding code. Returns the count (0 if `addr` itself can't execute).
  size_t fetch_code(GuestAddr addr, uint8_t* buf, size_t max);
  // Throws the GuestFault an instruction fetch at `addr` gets.
  [[noreturn]] void raise_fetch_fault(GuestAddr addr);

  // ---- introspection --------------------------------------------------------------
  const RegionTree& regions() const;
  AddressSpaceStats stats() const;
  // stats().frames.in_use, cheap and safe to call from another thread while
  // the owning thread runs the guest (the --rss-log sampler).
  uint64_t frames_in_use_relaxed() const;
  // /proc/self/maps text generated from the region tree, kernel format.
  std::string proc_maps() const;
  // Runs every structure's invariant checker; returns an empty string when all
  // hold, else a description (tests print it with the dump).
  std::string check_invariants() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emu::mm
