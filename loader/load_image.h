// Maps a validated executable's PT_LOAD segments into an AddressSpace.
#pragma once

#include <cstdint>
#include <variant>

#include "loader/elf_file.h"
#include "loader/loader.h"

namespace emu::mm {
class AddressSpace;
}

namespace emu::loader {

struct MappedImage {
  uint64_t load_bias = 0;   // added to every p_vaddr (0 for ET_EXEC)
  uint64_t entry = 0;       // e_entry + bias
  uint64_t phdr_addr = 0;   // AT_PHDR (0 when the headers are not in memory)
  uint64_t image_start = 0; // first page of the lowest segment
  uint64_t image_end = 0;   // page-aligned end of the highest segment: the initial break
};

// Maps each PT_LOAD: the file part privately from the file's descriptor, the
// rest of the last file page zeroed (the file may hold other bytes there), and
// whole bss pages past it anonymous. RegionKind::Image, protection from p_flags.
// `limit` is the first address the image must not reach (the stack's guard).
std::variant<MappedImage, LoadError> map_image(mm::AddressSpace& as, const ElfFile& file, uint64_t limit);

}  // namespace emu::loader
