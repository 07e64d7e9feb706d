// What the host kernel says about itself in procfs and sysfs, for the checks
// that must answer as it would: its huge page pools (MAP_HUGETLB) and its
// sysctls (vm.mmap_min_addr, read by the loader).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace emu::mm {

// The number after the word `key` in a procfs or sysfs file (the file's
// first word when `key` is empty), or nullopt.
std::optional<uint64_t> read_host_number(const std::string& path, const std::string& key = {});

// Linux hstate_sizelog(): the huge page size MAP_HUGETLB's size bits ask for
// (0: the default, /proc/meminfo's Hugepagesize), if the kernel has a pool
// (hstate) of that size; nullopt: EINVAL.
std::optional<uint64_t> huge_page_size(int size_log);

// hugetlb_reserve_pages (hugetlb_acct_memory): whether the host's pool of
// `page_size` pages can reserve `pages` more now: its free pages that are
// not reserved, plus the surplus pages it may still allocate.
bool huge_pool_can_reserve(uint64_t page_size, uint64_t pages);

}  // namespace emu::mm
