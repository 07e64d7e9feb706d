// mincore(2) with Linux's semantics (mm/mincore.c): one byte per page, bit 0
// set when the page is resident. The argument checks come in Linux's order;
// the walk goes region by region and stops at the first hole with ENOMEM,
// after writing the bytes of the part before it (Linux copies each chunk out
// as it goes).
//
// What "resident" means here, as for the kernel:
//  - a page present in the guest page table is resident (1);
//  - an absent page of anonymous memory is not (0);
//  - an absent page of a file-backed region (file mappings and memfd-backed
//    shared anonymous memory) is resident iff the file page is in the host's
//    page cache, which host mincore() on a short-lived read-only host mapping
//    of that file range answers.
#include <sys/mman.h>

#include <algorithm>
#include <vector>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

using namespace linux_abi;

namespace {

// Page-cache residency of `count` pages of `file` from byte `offset` into
// `out` (one byte each, 0 or 1). Leaves `out` zero when the host can't say.
void file_residency(const FileBacking& file, uint64_t offset, size_t count, uint8_t* out) {
  const size_t bytes = count << kPageShift;
  void* view = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, file.fd(), off_t(offset));
  if (view == MAP_FAILED) return;
  std::vector<unsigned char> host(count);
  if (::mincore(view, bytes, host.data()) == 0)
    for (size_t i = 0; i < count; ++i) out[i] = host[i] & 1;
  ::munmap(view, bytes);
}

}  // namespace

int64_t AddressSpace::mincore(uint64_t addr, uint64_t length, uint64_t vec) {
  Impl& as = *impl_;
  if (addr & kPageMask) return -kEInval;
  if (addr > kTaskSize || length > kTaskSize - addr) return -kENoMem;  // access_ok
  const uint64_t pages = (length >> kPageShift) + ((length & kPageMask) != 0);
  if (vec > kTaskSize || pages > kTaskSize - vec) return -kEFault;

  // Linux works in chunks of at most one page of vector bytes.
  constexpr uint64_t kChunk = kPageSize;
  std::vector<uint8_t> out;
  PageNum page = GuestAddr{addr}.page();
  uint64_t left = pages;
  while (left > 0) {
    const Region* r = as.regions.find(page);
    if (!r) return -kENoMem;
    const uint64_t count = std::min({left, kChunk, r->range.end - page});
    out.assign(count, 0);
    if (r->attrs.file) file_residency(*r->attrs.file, r->file_offset_of(page), count, out.data());
    as.pages.for_each_present(PageRange{page, page + count}, [&](PageNum p, PageEntry&) { out[p - page] = 1; });
    if (!copy_out(GuestAddr{vec}, out.data(), count)) return -kEFault;
    vec += count;
    page = page + count;
    left -= count;
  }
  return 0;
}

}  // namespace emu::mm
