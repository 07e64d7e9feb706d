// AddressSpace: construction, the loader's entry points, TLB attachment, the
// layout mutations shared by all system calls, and introspection.
#include "mm/address_space.h"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "mm/address_space_impl.h"
#include "mm/linux_abi.h"

namespace emu::mm {

AddressSpace::Impl::Impl(const AddressSpaceConfig& config)
    : frames(FrameAllocatorOptions{.limit_bytes = config.mem_limit}) {}

AddressSpace::AddressSpace(const AddressSpaceConfig& config) : impl_(std::make_unique<Impl>(config)) {}
AddressSpace::~AddressSpace() = default;

void AddressSpace::set_layout(const Layout& layout) {
  // The break follows brk_start while the heap is still empty.
  if (impl_->brk == impl_->layout.brk_start.value) impl_->brk = layout.brk_start.value;
  impl_->layout = layout;
}

const Layout& AddressSpace::layout() const { return impl_->layout; }

// ---- layout mutations --------------------------------------------------------------

void AddressSpace::Impl::flush_tlbs(PageRange range) {
  for (Tlb* t : tlbs) t->flush_range(range);
}

void AddressSpace::Impl::notify_code_changed(PageRange range) {
  if (observer && !range.empty()) observer->code_changed(range);
}

// The smallest range covering every page passed to add().
struct CodeHull {
  PageRange range{};
  void add(PageNum p) {
    if (range.empty()) range = {p, p + 1};
    range.start = std::min(range.start, p);
    range.end = std::max(range.end, p + 1);
  }
};

void AddressSpace::Impl::drop_pages(PageRange range) {
  CodeHull code;
  pages.remove_range(range, [&](PageNum p, const PageEntry& e) {
    if (e.is_code()) code.add(p);
    if (e.host_shared())
      frames.free_host_shared(e.frame);
    else
      frames.free(e.frame);
  });
  flush_tlbs(range);
  // Pages between code pages hold no decoded code, so the hull is exact in effect.
  notify_code_changed(code.range);
}

void AddressSpace::Impl::unmap_range(PageRange range) {
  drop_pages(range);
  pages.clear_guards(range);
  regions.unmap(range);
}

void AddressSpace::Impl::install_guards(PageRange range) {
  drop_pages(range);
  pages.set_guards(range);
}

void AddressSpace::Impl::remove_guards(PageRange range) { pages.clear_guards(range); }

void AddressSpace::Impl::map_range(PageRange range, const RegionAttrs& attrs) {
  unmap_range(range);
  regions.map(range, attrs);
}

void AddressSpace::Impl::protect_range(PageRange range, Prot prot) {
  const Prot access = effective_access(prot);
  CodeHull code;
  pages.for_each_present(range, [&](PageNum p, PageEntry& e) {
    if (e.prot == access) return;
    if (e.is_code()) {
      code.add(p);
      e.set_code(false);
    }
    e.prot = access;
  });
  flush_tlbs(range);
  regions.protect(range, prot);
  notify_code_changed(code.range);
}

// ---- loader ----------------------------------------------------------------------------

int64_t AddressSpace::map_fixed(PageRange range, Prot prot, RegionKind kind, int host_fd, uint64_t file_offset) {
  if (range.empty() || range.end.value > kUserTopPage) return -linux_abi::kEInval;
  if (file_offset & kPageMask) return -linux_abi::kEInval;
  RegionAttrs attrs = RegionAttrs::anonymous(kind, prot);
  attrs.grows_down = kind == RegionKind::Stack;
  if (host_fd >= 0) {
    auto backing = impl_->files.get(host_fd);
    if (int* err = std::get_if<int>(&backing)) return *err;
    attrs = RegionAttrs::file_backed(kind, prot, std::get<0>(std::move(backing)), file_offset);
  }
  impl_->map_range(range, attrs);
  return 0;
}

// ---- TLBs and the code observer ------------------------------------------------------------

void AddressSpace::attach(Tlb* tlb) {
  if (std::find(impl_->tlbs.begin(), impl_->tlbs.end(), tlb) == impl_->tlbs.end()) impl_->tlbs.push_back(tlb);
  tlb->flush();
}

void AddressSpace::detach(Tlb* tlb) { std::erase(impl_->tlbs, tlb); }

void AddressSpace::set_code_observer(CodeObserver* observer) { impl_->observer = observer; }

// ---- introspection ---------------------------------------------------------------------------

const RegionTree& AddressSpace::regions() const { return impl_->regions; }

AddressSpaceStats AddressSpace::stats() const {
  AddressSpaceStats s;
  s.frames = impl_->frames.stats();
  s.region_nodes = impl_->regions.node_count();
  s.region_nodes_peak = impl_->regions.node_peak();
  impl_->regions.for_each([&](const Region& r) {
    impl_->pages.for_each_present(r.range, [&](PageNum, PageEntry&) { ++s.resident_pages[int(r.attrs.kind)]; });
  });
  return s;
}

uint64_t AddressSpace::frames_in_use_relaxed() const { return impl_->frames.in_use_relaxed(); }

namespace {

// A page of a shared file region is a host view of the file page; a page of a
// private guest file mapping may be a copy-on-write view of it (or a copy);
// no other page is a view.
bool host_view_consistent(const Region& r, const PageEntry& e) {
  if (r.attrs.file && r.attrs.sharing == Sharing::Shared) return e.host_shared() && !e.copy_on_write();
  if (e.host_shared() != e.copy_on_write()) return false;
  return !e.copy_on_write() || (r.attrs.file && r.attrs.kind == RegionKind::File);
}

}  // namespace

std::string AddressSpace::check_invariants() const {
  if (std::string e = impl_->regions.check_invariants(); !e.empty()) return "region tree: " + e;
  if (std::string e = impl_->frames.check_invariants(); !e.empty()) return "frame allocator: " + e;
  std::string err;
  std::vector<FrameNum> owned;
  impl_->pages.for_each_present(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [&](PageNum p, PageEntry& e) {
    owned.push_back(e.frame);
    if (!err.empty()) return;
    const Region* r = impl_->regions.find(p);
    if (!r)
      err = fmt::format("page {:#x} is present outside every region", p.addr().value);
    else if (r->attrs.kind == RegionKind::Reserved)
      err = fmt::format("page {:#x} is present in a reserved region", p.addr().value);
    else if (e.prot != effective_access(r->attrs.prot))
      err = fmt::format("page {:#x} has prot {} but its region {}", p.addr().value, prot_string(e.prot),
                        prot_string(r->attrs.prot));
    else if (!host_view_consistent(*r, e))
      err = fmt::format("page {:#x} is {}host-shared{} in a {} region", p.addr().value, e.host_shared() ? "" : "not ",
                        e.copy_on_write() ? " copy-on-write" : "",
                        r->attrs.sharing == Sharing::Shared ? "shared" : "private");
    else if (e.frame.value >= impl_->frames.limit_frames())
      err = fmt::format("page {:#x} has frame {} past the limit", p.addr().value, e.frame.value);
  });
  if (!err.empty()) return "page table: " + err;
  impl_->pages.for_each_guard(PageRange{PageNum{0}, PageNum{kUserTopPage}}, [&](PageNum p) {
    if (err.empty() && !impl_->regions.find(p))
      err = fmt::format("page {:#x} has a guard marker outside every region", p.addr().value);
  });
  if (!err.empty()) return "page table: " + err;
  if (owned.size() != impl_->pages.present_count())
    return fmt::format("page table: counts {} present pages, holds {}", impl_->pages.present_count(), owned.size());
  if (owned.size() != impl_->frames.stats().in_use)
    return fmt::format("{} present pages but {} frames in use", owned.size(), impl_->frames.stats().in_use);
  std::sort(owned.begin(), owned.end());
  if (std::adjacent_find(owned.begin(), owned.end()) != owned.end()) return "a frame is mapped by two pages";
  return {};
}

}  // namespace emu::mm
