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

  Tlb() { flush(); }

  // Host pointer for a `Size`-byte read at `addr`, or nullptr on a miss.
  template <size_t Size>
  uint8_t* read_ptr(uint64_t addr) const {
    const Entry& e = read_[index(addr)];
    if (e.page == (addr >> kPageShift) && (addr & kPageMask) <= kPageSize - Size) [[likely]]
      return e.host_page + (addr & kPageMask);
    return nullptr;
  }

  // Host pointer for a `Size`-byte write at `addr`, or nullptr on a miss.
  template <size_t Size>
  uint8_t* write_ptr(uint64_t addr) const {
    const Entry& e = write_[index(addr)];
    if (e.page == (addr >> kPageShift) && (addr & kPageMask) <= kPageSize - Size) [[likely]]
      return e.host_page + (addr & kPageMask);
    return nullptr;
  }

  void fill_read(PageNum page, uint8_t* host_page) { read_[index(page.value << kPageShift)] = {page.value, host_page}; }
  void fill_write(PageNum page, uint8_t* host_page) { write_[index(page.value << kPageShift)] = {page.value, host_page}; }

  void flush() {
    for (auto& e : read_) e = {kInvalid, nullptr};
    for (auto& e : write_) e = {kInvalid, nullptr};
  }

  // Drops the entries of every page in [range.start, range.end).
  void flush_range(PageRange range) {
    if (range.size() >= kEntries) return flush();
    for (PageNum p = range.start; p < range.end; p = p + 1) flush_page(p);
  }

  void flush_page(PageNum page) {
    Entry& r = read_[index(page.value << kPageShift)];
    if (r.page == page.value) r = {kInvalid, nullptr};
    Entry& w = write_[index(page.value << kPageShift)];
    if (w.page == page.value) w = {kInvalid, nullptr};
  }

  // Write entries only (e.g. a page just became a code page).
  void flush_write_page(PageNum page) {
    Entry& w = write_[index(page.value << kPageShift)];
    if (w.page == page.value) w = {kInvalid, nullptr};
  }

 private:
  struct Entry {
    uint64_t page;        // guest page number, kInvalid when empty
    uint8_t* host_page;   // host address of the page's first byte
  };
  static constexpr uint64_t kInvalid = ~uint64_t{0};  // no page number is this large

  static size_t index(uint64_t addr) { return (addr >> kPageShift) & (kEntries - 1); }

  Entry read_[kEntries];
  Entry write_[kEntries];
};

}  // namespace emu::mm
