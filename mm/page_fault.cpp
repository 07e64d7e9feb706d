// Demand paging and the interpreter's slow paths: what the MMU and the page
// fault handler do on real hardware. A TLB miss walks the page table; an
// absent page is populated from its region (a zero frame, or file data);
// anything else becomes a GuestFault with Linux's signal, si_code and address.
#include <signal.h>

#include <algorithm>
#include <cstring>

#include "mm/address_space.h"
#include "mm/address_space_impl.h"
#include "mm/guest_fault.h"

namespace emu::mm {

namespace {

bool allows(Prot access, Need need) {
  switch (need) {
    case Need::Read: return has(access, Prot::Read);
    case Need::Write: return has(access, Prot::Write);
    case Need::Exec: return has(access, Prot::Exec);
    case Need::Poke: return true;
  }
  return false;
}

// Canonical upper-half addresses are kernel space: a user access there is a
// page fault (SEGV_MAPERR); the hole in between raises #GP.
constexpr uint64_t kKernelHalf = 0xffff800000000000ull;

}  // namespace

Translation AddressSpace::Impl::resolve(PageNum page, Need need) {
  if (page.value >= kUserTopPage)
    return {.fault = page.addr().value >= kKernelHalf ? FaultKind::MapErr : FaultKind::NonCanonical};
  if (PageEntry* e = pages.find(page)) {
    if (!allows(e->prot, need)) return {.fault = FaultKind::AccErr};
    if (e->copy_on_write() && (need == Need::Write || need == Need::Poke) && !break_copy_on_write(page, *e))
      return {.fault = FaultKind::Oom};
    return {frames.host(e->frame), e, FaultKind::None};
  }
  const Region* r = regions.find(page);
  if (!r && !(r = grow_stack(page))) return {.fault = FaultKind::MapErr};
  const Prot access = effective_access(r->attrs.prot);
  if (r->attrs.kind == RegionKind::Reserved || !allows(access, need)) return {.fault = FaultKind::AccErr};
  // A guard marker (MADV_GUARD_INSTALL): Linux's fault handler answers
  // VM_FAULT_SIGSEGV, a SEGV_MAPERR, after the region's own permission check.
  if (pages.guarded(page)) return {.fault = FaultKind::MapErr};
  if (r->attrs.sharing == Sharing::Shared && r->attrs.file) return populate_shared(page, *r, access);
  if (r->attrs.kind == RegionKind::File && (need == Need::Read || need == Need::Exec)) {
    const Translation view = populate_private_view(page, *r, access);
    if (view.entry || view.fault != FaultKind::None) return view;
  }
  const std::optional<FrameNum> frame = frames.allocate();
  if (!frame) return {.fault = FaultKind::Oom};
  uint8_t* host = frames.host(*frame);
  if (r->attrs.file && r->attrs.kind != RegionKind::Anonymous) {  // not private /dev/zero
    // Bytes past EOF in the last page stay zero; a page wholly past EOF is
    // SIGBUS, as on Linux.
    if (r->attrs.file->read_page(r->file_offset_of(page), host) <= 0) {
      frames.free(*frame);
      return {.fault = FaultKind::Bus};
    }
  }
  PageEntry& e = pages.insert(page, PageEntry::make(*frame, access));
  return {host, &e, FaultKind::None};
}

GuestFault AddressSpace::Impl::to_guest_fault(FaultKind kind, uint64_t addr) {
  switch (kind) {
    case FaultKind::MapErr: return {SIGSEGV, kSegvMapErr, addr};
    case FaultKind::AccErr: return {SIGSEGV, kSegvAccErr, addr};
    case FaultKind::NonCanonical: return {SIGSEGV, kSiKernel, 0, true};
    case FaultKind::Bus: return {SIGBUS, kBusAdrErr, addr};
    case FaultKind::Oom: return {SIGKILL, kOomKill, addr};
    case FaultKind::None: break;
  }
  return {SIGSEGV, kSegvMapErr, addr};
}

void AddressSpace::Impl::fill_tlb(Tlb& tlb, PageNum page, const PageEntry& entry) const {
  uint8_t* host = frames.host(entry.frame);
  if (has(entry.prot, Prot::Read)) tlb.fill_read(page, host);
  if (has(entry.prot, Prot::Write) && !entry.write_traps()) tlb.fill_write(page, host);
}

void AddressSpace::Impl::code_written(PageNum page, PageEntry& entry) {
  entry.set_code(false);
  notify_code_changed(PageRange{page, page + 1});
}

// ---- the interpreter's slow paths --------------------------------------------------

namespace {

// Address of the first byte of the access [addr, addr+n) on each page, in order.
template <class F>
void for_each_page_piece(uint64_t addr, size_t n, F&& f) {
  while (n > 0) {
    const size_t chunk = std::min<uint64_t>(n, kPageSize - (addr & kPageMask));
    f(addr, chunk);
    addr += chunk;
    n -= chunk;
  }
}

}  // namespace

void AddressSpace::load_slow(Tlb& tlb, uint64_t addr, void* out, size_t n) {
  auto* dst = static_cast<uint8_t*>(out);
  for_each_page_piece(addr, n, [&](uint64_t a, size_t chunk) {
    const PageNum page = GuestAddr{a}.page();
    const Translation t = impl_->resolve(page, Need::Read);
    if (t.fault != FaultKind::None) throw Impl::to_guest_fault(t.fault, a);
    impl_->fill_tlb(tlb, page, *t.entry);
    std::memcpy(dst, t.host + (a & kPageMask), chunk);
    dst += chunk;
  });
}

void AddressSpace::store_slow(Tlb& tlb, uint64_t addr, const void* in, size_t n) {
  // A store is all or nothing: every page is made writable (populated) before
  // the first byte changes, so a fault on the second page leaves the first intact.
  for_each_page_piece(addr, n, [&](uint64_t a, size_t) {
    const Translation t = impl_->resolve(GuestAddr{a}.page(), Need::Write);
    if (t.fault != FaultKind::None) throw Impl::to_guest_fault(t.fault, a);
  });
  const auto* src = static_cast<const uint8_t*>(in);
  for_each_page_piece(addr, n, [&](uint64_t a, size_t chunk) {
    const PageNum page = GuestAddr{a}.page();
    const Translation t = impl_->resolve(page, Need::Write);
    if (t.entry->is_code()) impl_->code_written(page, *t.entry);
    impl_->fill_tlb(tlb, page, *t.entry);
    std::memcpy(t.host + (a & kPageMask), src, chunk);
    src += chunk;
  });
}

size_t AddressSpace::fetch_code(GuestAddr addr, uint8_t* buf, size_t max) {
  size_t done = 0;
  while (done < max) {
    const uint64_t a = addr.value + done;
    if (a >= kUserTop) break;
    const PageNum page = GuestAddr{a}.page();
    const Translation t = impl_->resolve(page, Need::Exec);
    if (t.fault != FaultKind::None) break;
    if (!t.entry->is_code()) {
      t.entry->set_code(true);
      for (Tlb* tlb : impl_->tlbs) tlb->flush_write_page(page);
    }
    const size_t chunk = std::min<uint64_t>(max - done, kPageSize - (a & kPageMask));
    std::memcpy(buf + done, t.host + (a & kPageMask), chunk);
    done += chunk;
  }
  return done;
}

void AddressSpace::raise_fetch_fault(GuestAddr addr) {
  // The faulting byte is `addr` or, for an instruction running into the next
  // page, that page's first byte (x86 instructions are at most 15 bytes).
  constexpr uint64_t kMaxInsnLength = 15;
  uint64_t a = addr.value;
  for (int i = 0; i < 2; ++i) {
    const Translation t = impl_->resolve(GuestAddr{a}.page(), Need::Exec);
    if (t.fault != FaultKind::None) throw Impl::to_guest_fault(t.fault, a);
    const uint64_t next = (a | kPageMask) + 1;
    if (next - addr.value >= kMaxInsnLength) break;
    a = next;
  }
  // Both pages are executable: the caller had no reason to fault. Report the
  // address as not executable rather than continuing.
  throw GuestFault{SIGSEGV, kSegvAccErr, addr.value};
}

}  // namespace emu::mm
