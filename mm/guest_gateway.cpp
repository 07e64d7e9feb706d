// The ONE gateway through which system calls touch guest memory (Blink's
// CopyFromUser/CopyToUserWrite). Every function checks protection and
// demand-populates like a user access would, never throws, and returns false
// for a bad guest pointer; the syscall layer turns that into -EFAULT. A
// zero-length access never faults, as with Linux's copy_{from,to}_user.
#include <algorithm>
#include <cstring>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"

namespace emu::mm {

// Calls f(host pointer, chunk) for each page-sized piece of guest
// [addr, addr+n) after translating it for `need`, up to the first piece that
// faults; returns the bytes it covered (n: all of them; 0 when the range is
// not user space: access_ok). Guest writes to code pages notify the observer
// first. (Impl is deduced: it is AddressSpace's private type.)
template <class Impl, class F>
static size_t for_each_host_piece(Impl& as, uint64_t addr, size_t n, Need need, F&& f) {
  if (n == 0 || !access_ok(addr, n)) return 0;
  size_t done = 0;
  while (done < n) {
    const PageNum page = GuestAddr{addr}.page();
    const Translation t = as.resolve(page, need);
    if (t.fault != FaultKind::None) break;
    if ((need == Need::Write || need == Need::Poke) && t.entry->is_code()) as.code_written(page, *t.entry);
    const size_t chunk = std::min<uint64_t>(n - done, kPageSize - (addr & kPageMask));
    f(t.host + (addr & kPageMask), chunk);
    addr += chunk;
    done += chunk;
  }
  return done;
}

bool AddressSpace::copy_in(void* dst, GuestAddr src, size_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  return for_each_host_piece(*impl_, src.value, n, Need::Read, [&](const uint8_t* p, size_t chunk) {
    std::memcpy(out, p, chunk);
    out += chunk;
  }) == n;
}

bool AddressSpace::copy_out(GuestAddr dst, const void* src, size_t n) {
  const auto* in = static_cast<const uint8_t*>(src);
  return for_each_host_piece(*impl_, dst.value, n, Need::Write, [&](uint8_t* p, size_t chunk) {
    std::memcpy(p, in, chunk);
    in += chunk;
  }) == n;
}

bool AddressSpace::poke(GuestAddr dst, const void* src, size_t n) {
  const auto* in = static_cast<const uint8_t*>(src);
  return for_each_host_piece(*impl_, dst.value, n, Need::Poke, [&](uint8_t* p, size_t chunk) {
    std::memcpy(p, in, chunk);
    in += chunk;
  }) == n;
}

std::optional<std::string> AddressSpace::read_cstring(GuestAddr src, size_t max_len) {
  std::string s;
  uint64_t addr = src.value;
  // Reads page by page and stops at the NUL, so a string that ends just before
  // an unmapped page is fine; one that runs into it is EFAULT.
  for (;;) {
    if (addr >= kUserTop) return std::nullopt;
    const Translation t = impl_->resolve(GuestAddr{addr}.page(), Need::Read);
    if (t.fault != FaultKind::None) return std::nullopt;
    const size_t off = addr & kPageMask;
    const size_t avail = std::min<uint64_t>(kPageSize - off, max_len + 1 - s.size());
    const uint8_t* p = t.host + off;
    if (const void* nul = std::memchr(p, 0, avail)) {
      s.append(reinterpret_cast<const char*>(p), size_t(static_cast<const uint8_t*>(nul) - p));
      return s;
    }
    s.append(reinterpret_cast<const char*>(p), avail);
    if (s.size() > max_len) return std::nullopt;
    addr += avail;
  }
}

size_t AddressSpace::host_iovecs_prefix(GuestAddr addr, size_t len, Access access, std::vector<iovec>& out) {
  const size_t old_size = out.size();
  const Need need = access == Access::Write ? Need::Write : Need::Read;
  return for_each_host_piece(*impl_, addr.value, len, need, [&](uint8_t* p, size_t chunk) {
    if (out.size() > old_size) {
      iovec& last = out.back();
      if (static_cast<uint8_t*>(last.iov_base) + last.iov_len == p) {
        last.iov_len += chunk;
        return;
      }
    }
    out.push_back(iovec{p, chunk});
  });
}

bool AddressSpace::host_iovecs(GuestAddr addr, size_t len, Access access, std::vector<iovec>& out) {
  const size_t old_size = out.size();
  if (host_iovecs_prefix(addr, len, access, out) == len) return true;
  out.resize(old_size);
  return false;
}

}  // namespace emu::mm
