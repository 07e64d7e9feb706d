// AddressSpace::for_each_private_page: see address_space.h.
#include "mm/address_space.h"
#include "mm/address_space_impl.h"

namespace emu::mm {

void AddressSpace::for_each_private_page(const std::function<void(GuestAddr, const uint8_t*)>& f) {
  Impl& as = *impl_;
  as.pages.for_each_present(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [&](PageNum page, PageEntry& e) {
    if (!e.host_shared()) f(GuestAddr{page.value << kPageShift}, as.frames.host(e.frame));
  });
}

}  // namespace emu::mm
