// Where the loader puts things in the guest's address space: Linux's choices
// for x86-64 without address-space randomisation, so addresses match what the
// same program sees natively under `setarch -R`.
#pragma once

#include <cstdint>

#include "mm/address_space.h"

namespace emu::loader {

// vm.mmap_min_addr: nothing is mapped below it (Linux default).
inline constexpr uint64_t kMmapMinAddr = 0x10000;
// Where a static-pie's lowest page lands: ELF_ET_DYN_BASE, (TASK_SIZE / 3 * 2)
// page aligned, which is where Linux puts PIE programs without ASLR.
inline constexpr uint64_t kEtDynBase = 0x555555554000;
// STACK_TOP on x86-64: TASK_SIZE_MAX = 2^47 - one page (the last user page is
// kept unmapped, a guard for the non-canonical boundary).
inline constexpr uint64_t kStackTop = mm::kUserTop - mm::kPageSize;
// stack_guard_gap: 256 pages between the stack's reach and the mmap area.
inline constexpr uint64_t kStackGuardGap = 256 * mm::kPageSize;

// The layout Linux's mmap_base() (arch/x86/mm/mmap.c) picks for a process with
// RLIMIT_STACK = stack_limit, without randomisation:
//   gap = clamp(stack_limit + guard gap, 128 MiB, TASK_SIZE / 6 * 5)
//   mmap_base = PAGE_ALIGN(TASK_SIZE - gap)
// brk_start is filled in by the caller once the image is placed.
mm::Layout default_layout(uint64_t stack_limit);

// Size of the stack region the loader maps below kStackTop: the stack limit
// (demand paged, so untouched pages cost nothing), at least 128 KiB, and never
// reaching into the mmap area.
uint64_t stack_region_size(const mm::Layout& layout, uint64_t stack_limit);

}  // namespace emu::loader
