// /proc/self/maps, generated from the region tree in the kernel's format
// (fs/proc/task_mmu.c show_map_vma): "start-end perms offset MM:mm inode",
// then, when the region has a name, spaces up to column 73 and the name.
// A line without a name ends in the space after the inode, as Linux's does.
#include <fmt/format.h>

#include <string_view>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"

namespace emu::mm {

namespace {

constexpr size_t kNameColumn = 25 + sizeof(void*) * 6 - 1;  // the kernel's seq_setwidth

std::string_view region_name(const Region& r) {
  // Shared anonymous memory is a shmem file to Linux (shmem_zero_setup names
  // it "dev/zero"; it was never linked, hence "(deleted)"). Ours is a memfd
  // whose host path must not show, so this comes before the file's path. Its
  // device and inode are the memfd's: 00:01 and a shmem inode, as on Linux.
  if (r.attrs.kind == RegionKind::Anonymous && r.attrs.sharing == Sharing::Shared) return "/dev/zero (deleted)";
  if (r.attrs.file) return r.attrs.file->path();
  switch (r.attrs.kind) {
    case RegionKind::Heap: return "[heap]";
    case RegionKind::Stack: return "[stack]";
    default: break;
  }
  return {};
}

}  // namespace

std::string AddressSpace::proc_maps() const {
  std::string out;
  impl_->regions.for_each([&](const Region& r) {
    const size_t line_start = out.size();
    const FileBacking* f = r.attrs.file.get();
    fmt::format_to(std::back_inserter(out), "{:08x}-{:08x} {}{} {:08x} {:02x}:{:02x} {} ", r.range.start.addr().value,
                   r.range.end.addr().value, prot_string(r.attrs.prot), r.attrs.sharing == Sharing::Shared ? 's' : 'p',
                   f ? r.attrs.file_offset : 0, f ? f->dev_major() : 0, f ? f->dev_minor() : 0, f ? f->inode() : 0);
    if (std::string_view name = region_name(r); !name.empty()) {
      const size_t width = out.size() - line_start;
      if (width < kNameColumn) out.append(kNameColumn - width, ' ');
      out += ' ';
      out += name;
    }
    out += '\n';
  });
  return out;
}

}  // namespace emu::mm
