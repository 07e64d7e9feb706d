// The kind tag of a guest memory region (the Box64 lesson: one tree, with the
// kind recorded in the node instead of a second tree per kind).
#pragma once

#include <cstdint>
#include <string_view>

namespace emu::mm {

enum class RegionKind : uint8_t {
  Image,      // PT_LOAD segments of the executable (file-backed or bss)
  Heap,       // brk area; shown as [heap]
  Stack,      // main thread stack; shown as [stack]
  Anonymous,  // mmap(MAP_ANONYMOUS)
  File,       // mmap of a file
  Reserved,   // guard gaps / reservations: mapped PROT_NONE, never populated
};
inline constexpr int kRegionKindCount = 6;

constexpr std::string_view region_kind_name(RegionKind k) {
  switch (k) {
    case RegionKind::Image: return "image";
    case RegionKind::Heap: return "heap";
    case RegionKind::Stack: return "stack";
    case RegionKind::Anonymous: return "anonymous";
    case RegionKind::File: return "file";
    case RegionKind::Reserved: return "reserved";
  }
  return "?";
}

}  // namespace emu::mm
