#include "loader/load_image.h"

#include <cstring>

#include <fmt/format.h>

#include "loader/layout.h"
#include "mm/address_space.h"

namespace emu::loader {

namespace {

constexpr uint64_t page_down(uint64_t v) { return v & ~mm::kPageMask; }
constexpr uint64_t page_up(uint64_t v) { return (v + mm::kPageMask) & ~mm::kPageMask; }

mm::PageRange pages(uint64_t start, uint64_t end) {
  return mm::PageRange{mm::GuestAddr{start}.page(), mm::GuestAddr{end}.page()};
}

mm::Prot prot_of(uint32_t p_flags) {
  mm::Prot prot = mm::Prot::None;
  if (p_flags & elf::kPfR) prot = prot | mm::Prot::Read;
  // x86 page tables can't express write-only: a writable segment is readable.
  if (p_flags & elf::kPfW) prot = prot | mm::Prot::Read | mm::Prot::Write;
  if (p_flags & elf::kPfX) prot = prot | mm::Prot::Exec;
  return prot;
}

LoadError map_error(int index, int64_t err) {
  return LoadError{fmt::format("cannot map PT_LOAD segment {}: {}", index, std::strerror(int(-err))), 126, int(-err)};
}

}  // namespace

std::variant<MappedImage, LoadError> map_image(mm::AddressSpace& as, const ElfFile& file, uint64_t limit) {
  const auto& loads = file.loads();
  MappedImage image;
  if (file.is_pie()) image.load_bias = kEtDynBase - page_down(loads.front().p_vaddr);
  image.image_start = page_down(loads.front().p_vaddr) + image.load_bias;
  image.image_end = page_up(loads.back().p_vaddr + loads.back().p_memsz) + image.load_bias;
  if (image.image_end > limit)
    return LoadError{fmt::format("program image (ends at 0x{:x}) overlaps the stack area", image.image_end)};
  image.entry = file.header().e_entry + image.load_bias;
  if (file.phdr_vaddr() != 0) image.phdr_addr = file.phdr_vaddr() + image.load_bias;

  int index = 0;
  for (const elf::Phdr& ph : loads) {
    ++index;
    if (ph.p_memsz == 0) continue;
    const mm::Prot prot = prot_of(ph.p_flags);
    const uint64_t vaddr = ph.p_vaddr + image.load_bias;
    const uint64_t file_end = vaddr + ph.p_filesz;  // end of the bytes that come from the file
    const uint64_t mem_end = vaddr + ph.p_memsz;
    uint64_t anon_start = page_down(vaddr);

    if (ph.p_filesz > 0) {
      const uint64_t start = page_down(vaddr);
      const uint64_t end = page_up(file_end);
      if (int64_t r = as.map_fixed(pages(start, end), prot, mm::RegionKind::Image, file.fd(), page_down(ph.p_offset)); r < 0)
        return map_error(index, r);
      // Linux's padzero(): bytes of the last file page beyond p_filesz belong to
      // the bss and must read as zero, whatever the file holds there.
      if (ph.p_memsz > ph.p_filesz && (file_end & mm::kPageMask) != 0) {
        static const uint8_t zeros[mm::kPageSize] = {};
        if (!as.poke(mm::GuestAddr{file_end}, zeros, end - file_end))
          return LoadError{fmt::format("cannot clear the bss of PT_LOAD segment {}", index), 126, EFAULT};
      }
      anon_start = end;
    }
    const uint64_t anon_end = page_up(mem_end);
    if (anon_end > anon_start) {
      if (int64_t r = as.map_fixed(pages(anon_start, anon_end), prot, mm::RegionKind::Image); r < 0)
        return map_error(index, r);
    }
  }
  return image;
}

}  // namespace emu::loader
