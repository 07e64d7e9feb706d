// Where a new mapping goes: Linux's get_unmapped_area() for x86-64, shared by
// mmap (a new mapping) and mremap (a moved or grown one).
#pragma once

#include <cstdint>

#include "mm/address_space.h"
#include "mm/region_tree.h"

namespace emu::mm {

// get_unmapped_area(addr, len, flags) over `regions`, with the layout's
// mmap_min and `mmap_base` (where the top-down search starts). `len` is page
// aligned and non-zero. `flags`: MAP_FIXED and MAP_32BIT count. `align` is the
// page size the mapping is made of (hugetlb: the huge page size; a fixed
// address must be aligned to it, a hint is raised to it, and the search
// returns aligned starts).
//
//  - MAP_FIXED: `addr` itself (arch_get_unmapped_area_topdown); one in the
//    error range is returned as is, so that the caller returns it as its
//    error (IS_ERR_VALUE: errno 1 at (void*)-1);
//  - a hint: taken when [hint, hint + len) is free and ends at or below the
//    stack guard gap under a grows-down region (vm_start_gap), and lies
//    below TASK_SIZE (below 2 GiB for MAP_32BIT);
//  - else top-down below mmap_base, then (Linux falls back to bottom-up)
//    anywhere in user space; MAP_32BIT bottom-up in [1 GiB, 2 GiB). A run
//    reaching into the guard gap below a grows-down region is passed over,
//    as unmapped_area_topdown's retry does.
// Then __get_unmapped_area's checks: past TASK_SIZE is ENOMEM, unaligned
// EINVAL, and security_mmap_addr's EPERM (Layout::refuses_mmap_addr).
// Returns the address or -errno.
int64_t get_unmapped_area(const RegionTree& regions, const Layout& layout, uint64_t mmap_base, uint64_t addr,
                          uint64_t len, int flags, uint64_t align = kPageSize);

}  // namespace emu::mm
