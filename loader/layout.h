// Where the loader puts things in the guest's address space: Linux's choices
// for x86-64 without address-space randomisation, so addresses match what the
// same program sees natively under `setarch -R`.
#pragma once

#include <cstdint>

#include "mm/address_space.h"

namespace emu::loader {

// Linux's mmap_min_addr at its floor: CONFIG_LSM_MMAP_MIN_ADDR (64 KiB, the
// sysctl vm.mmap_min_addr's default too). Searches and hints stay above the
// larger of it and the sysctl (default_layout); nothing is mapped below it
// without CAP_SYS_RAWIO when the sysctl is at its default.
inline constexpr uint64_t kMmapMinAddr = 0x10000;
// Where a static-pie's lowest page lands: ELF_ET_DYN_BASE, (TASK_SIZE / 3 * 2)
// page aligned, which is where Linux puts PIE programs without ASLR.
inline constexpr uint64_t kEtDynBase = 0x555555554000;
// STACK_TOP on x86-64: TASK_SIZE_MAX = 2^47 - one page (the last user page is
// kept unmapped, a guard for the non-canonical boundary).
inline constexpr uint64_t kStackTop = mm::kUserTop - mm::kPageSize;
// stack_guard_gap: 256 pages between the stack's reach and the mmap area.
inline constexpr uint64_t kStackGuardGap = mm::kStackGuardGap;
// setup_arg_pages' stack_expand: the exec stack reaches 128 KiB below the
// pages of the argument strings.
inline constexpr uint64_t kStackExpand = uint64_t{128} << 10;

// The layout Linux's mmap_base() (arch/x86/mm/mmap.c) picks for a process with
// RLIMIT_STACK = stack_limit, without randomisation:
//   gap = clamp(stack_limit + guard gap, 128 MiB, TASK_SIZE / 6 * 5)
//   mmap_base = PAGE_ALIGN(TASK_SIZE - gap)
// brk_start is filled in by the caller once the image is placed.
mm::Layout default_layout(uint64_t stack_limit);

// The most the stack may hold (what execve's E2BIG check is against): the
// stack limit, at least 128 KiB, and never reaching into the mmap area.
uint64_t max_stack_size(const mm::Layout& layout, uint64_t stack_limit);

// Size of the stack region mapped at exec, as Linux's setup_arg_pages
// (fs/exec.c): the pages holding `argument_bytes` at the top plus
// kStackExpand, but no more than the stack limit rounded down to pages (and
// never less than the argument pages). A static binary with a small
// environment gets 33 pages, [stack] 7ffffffde000-7ffffffff000. It grows on
// faults from there (mm/stack_growth.cpp).
uint64_t initial_stack_size(uint64_t argument_bytes, uint64_t stack_limit);

}  // namespace emu::loader
