#include "mm/host_info.h"

#include <unistd.h>

#include <fstream>

namespace emu::mm {

namespace {

// The sysfs directory of the host's pool of `page_size` pages.
std::string huge_pool_dir(uint64_t page_size) {
  return "/sys/kernel/mm/hugepages/hugepages-" + std::to_string(page_size >> 10) + "kB/";
}

}  // namespace

std::optional<uint64_t> read_host_number(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string word;
  if (key.empty()) {
    uint64_t v;
    if (in >> v) return v;
    return std::nullopt;
  }
  while (in >> word) {
    uint64_t v;
    if (word == key && in >> v) return v;
  }
  return std::nullopt;
}

std::optional<uint64_t> huge_page_size(int size_log) {
  if (size_log == 0) {
    auto kib = read_host_number("/proc/meminfo", "Hugepagesize:");
    if (!kib) return std::nullopt;
    return *kib << 10;
  }
  const uint64_t bytes = uint64_t{1} << size_log;
  if (access(huge_pool_dir(bytes).c_str(), F_OK) != 0) return std::nullopt;
  return bytes;
}

bool huge_pool_can_reserve(uint64_t page_size, uint64_t pages) {
  const std::string dir = huge_pool_dir(page_size);
  auto value = [&](const char* name) { return read_host_number(dir + name).value_or(0); };
  const uint64_t free = value("free_hugepages"), reserved = value("resv_hugepages");
  const uint64_t overcommit = value("nr_overcommit_hugepages"), surplus = value("surplus_hugepages");
  const uint64_t available = (free > reserved ? free - reserved : 0) + (overcommit > surplus ? overcommit - surplus : 0);
  return pages <= available;
}

}  // namespace emu::mm
