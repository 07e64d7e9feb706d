// Per-CPU software TLB: guest page -> host pointer, separate for reads and
// writes. Direct-mapped; the hit path is an index, a compare and an add, and
// is inlined into the interpreter's loads and stores (emu/memory.h).
//
// Contract:
//  - A read entry exists only for a populated page whose protection allows
//    reads; a write entry only for a populated page that allows writes AND
//    holds no decoded code (so stores to code pages take the slow path, which
//    invalidates the decoded blocks first).
//  - The AddressSpace flushes every attached Tlb (or the affected pages)
//    whenever a mapping, a protection or a page's frame changes.
//  - An access that crosses a page boundary never hits; the slow path splits it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mm/types.h"

namespace emu::mm {

class Tlb {
 public:
  static constexpr size_t kEntries = 256;  // power of two

  // One page's translation: the host address of a guest address `a` on
  // `page` is a + addend (QEMU's layout: no masking on the hit path).
  struct Entry {
    uint64_t page;     // guest page number, kInvalid when empty
    uintptr_t addend;  // host_page - (page << kPageShift)
  };

  Tlb() { flush(); }

  // The entries a `Size`-byte access at `addr` would use, and whether it
  // hits: the tag is compared with the page of the access's LAST byte, so
  // an access that crosses into the next page misses with no extra test
  // (that page's number is not the tag of addr's entry: entries are indexed
  // by page number modulo kEntries).
  const Entry& read_entry(uint64_t addr) const { return at(read_, addr); }
  const Entry& write_entry(uint64_t addr) const { return at(write_, addr); }
  template <size_t Size>
  static bool hits(const Entry& e, uint64_t addr) {
    return e.page == ((addr + (Size - 1)) >> kPageShift);
  }
  static uint8_t* host(const Entry& e, uint64_t addr) { return reinterpret_cast<uint8_t*>(addr + e.addend); }

  // Host pointer for a `Size`-byte read at `addr`, or nullptr on a miss.
  template <size_t Size>
  uint8_t* read_ptr(uint64_t addr) const {
    const Entry& e = read_entry(addr);
    return hits<Size>(e, addr) ? host(e, addr) : nullptr;
  }
  // Host pointer for a `Size`-byte write at `addr`, or nullptr on a miss.
  template <size_t Size>
  uint8_t* write_ptr(uint64_t addr) const {
    const Entry& e = write_entry(addr);
    return hits<Size>(e, addr) ? host(e, addr) : nullptr;
  }

  void fill_read(PageNum page, uint8_t* host_page) { read_[index(page.value << kPageShift)] = make(page, host_page); }
  void fill_write(PageNum page, uint8_t* host_page) { write_[index(page.value << kPageShift)] = make(page, host_page); }

  void flush() {
    for (auto& e : read_) e = {kInvalid, 0};
    for (auto& e : write_) e = {kInvalid, 0};
  }

  // Drops the entries of every page in [range.start, range.end).
  void flush_range(PageRange range) {
    if (range.size() >= kEntries) return flush();
    for (PageNum p = range.start; p < range.end; p = p + 1) flush_page(p);
  }

  void flush_page(PageNum page) {
    Entry& r = read_[index(page.value << kPageShift)];
    if (r.page == page.value) r = {kInvalid, 0};
    Entry& w = write_[index(page.value << kPageShift)];
    if (w.page == page.value) w = {kInvalid, 0};
  }

  // Write entries only (e.g. a page just became a code page).
  void flush_write_page(PageNum page) {
    Entry& w = write_[index(page.value << kPageShift)];
    if (w.page == page.value) w = {kInvalid, 0};
  }

 private:
  static_assert(sizeof(Entry) == 16, "at() scales the index by 16 with a mask");
  static constexpr uint64_t kInvalid = ~uint64_t{0};  // no page number is this large
  static size_t index(uint64_t addr) { return (addr >> kPageShift) & (kEntries - 1); }
  // entries[index(addr)], the byte offset taken from addr with one shift and
  // one mask.
  static const Entry& at(const Entry (&entries)[kEntries], uint64_t addr) {
    const size_t off = (addr >> (kPageShift - 4)) & ((kEntries - 1) << 4);
    return *reinterpret_cast<const Entry*>(reinterpret_cast<const char*>(entries) + off);
  }
  static Entry make(PageNum page, uint8_t* host_page) {
    return {page.value, reinterpret_cast<uintptr_t>(host_page) - (page.value << kPageShift)};
  }

  Entry read_[kEntries];
  Entry write_[kEntries];
};

}  // namespace emu::mm
