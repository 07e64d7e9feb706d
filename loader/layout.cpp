#include "loader/layout.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "mm/host_info.h"

namespace emu::loader {

namespace {
constexpr uint64_t kTaskSize = kStackTop;
constexpr uint64_t kMinGap = uint64_t{128} << 20;
constexpr uint64_t kMaxGap = kTaskSize / 6 * 5;

// The sysctl vm.mmap_min_addr (Linux dac_mmap_min_addr), read once;
// Linux's default where it cannot be read.
uint64_t host_dac_mmap_min_addr() {
  static const uint64_t value = mm::read_host_number("/proc/sys/vm/mmap_min_addr").value_or(kMmapMinAddr);
  return value;
}

// Whether emu (and so the guest, which runs with emu's credentials) has
// CAP_SYS_RAWIO in its effective set: capget(2) on this process, asked once.
bool host_has_cap_sys_rawio() {
  static const bool has = [] {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capget, &header, data) != 0) return false;
    return (data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective & CAP_TO_MASK(CAP_SYS_RAWIO)) != 0;
  }();
  return has;
}
}  // namespace

mm::Layout default_layout(uint64_t stack_limit) {
  uint64_t gap = stack_limit;
  if (gap + kStackGuardGap > gap) gap += kStackGuardGap;  // as Linux: skip the pad on overflow
  gap = std::clamp(gap, kMinGap, kMaxGap);
  mm::Layout layout;
  layout.mmap_base = mm::GuestAddr{mm::align_up(kTaskSize - gap, mm::kPageSize)};
  layout.mmap_min = mm::GuestAddr{std::max(kMmapMinAddr, host_dac_mmap_min_addr())};
  layout.dac_mmap_min = mm::GuestAddr{host_dac_mmap_min_addr()};
  layout.cap_sys_rawio = host_has_cap_sys_rawio();
  layout.stack_top = mm::GuestAddr{kStackTop};
  return layout;
}

uint64_t initial_stack_size(uint64_t argument_bytes, uint64_t stack_limit) {
  const uint64_t arg_pages = std::max(mm::align_up(argument_bytes, mm::kPageSize), mm::kPageSize);
  const uint64_t limit = stack_limit & ~mm::kPageMask;
  return std::max(arg_pages, std::min(arg_pages + kStackExpand, limit));
}

uint64_t max_stack_size(const mm::Layout& layout, uint64_t stack_limit) {
  const uint64_t room = layout.stack_top.value - layout.mmap_base.value - kStackGuardGap;
  uint64_t size = std::clamp<uint64_t>(stack_limit, uint64_t{128} << 10, room);
  return size & ~mm::kPageMask;
}

}  // namespace emu::loader
