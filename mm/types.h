// Distinct types for the distinct kinds of address the emulator handles.
//
// A guest virtual address, a guest page number and a frame number of the
// emulator's physical memory never convert into each other implicitly: every
// conversion is a named function, so a page number can't be passed where a
// byte address is meant (the class of bug QEMU hit with a signed "last
// address"). Host pointers are plain `std::byte*` / `uint8_t*` and only ever
// come out of the FrameAllocator.
//
// Range convention, stated once for the whole project: every range is
// HALF-OPEN, [start, end). A page range is page aligned by construction.
// The guest's user space is [0, kUserTop): kUserTop itself is not mappable.
#pragma once

#include <compare>
#include <cstdint>

namespace emu::mm {

inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;
inline constexpr uint64_t kPageMask = kPageSize - 1;
// End (exclusive) of the x86-64 user address space with 4-level paging.
inline constexpr uint64_t kUserTop = uint64_t{1} << 47;

// Linux's access_ok(): whether [addr, addr + n) lies below TASK_SIZE_MAX
// (kUserTop less its last page, which is never mapped). A system call
// refuses a buffer outside it with EFAULT before it looks at the memory;
// one inside it moves data up to the first byte that faults.
constexpr bool access_ok(uint64_t addr, uint64_t n) {
  constexpr uint64_t kTaskSizeMax = kUserTop - kPageSize;
  return addr <= kTaskSizeMax && n <= kTaskSizeMax - addr;
}

struct PageNum;

// A byte address in the guest's virtual address space.
struct GuestAddr {
  uint64_t value = 0;

  constexpr GuestAddr() = default;
  constexpr explicit GuestAddr(uint64_t v) : value(v) {}

  constexpr auto operator<=>(const GuestAddr&) const = default;
  constexpr GuestAddr operator+(uint64_t off) const { return GuestAddr{value + off}; }
  constexpr uint64_t page_offset() const { return value & kPageMask; }
  constexpr bool page_aligned() const { return page_offset() == 0; }
  constexpr PageNum page() const;  // the page containing this address
};

// A guest virtual page number (address >> 12).
struct PageNum {
  uint64_t value = 0;

  constexpr PageNum() = default;
  constexpr explicit PageNum(uint64_t v) : value(v) {}

  constexpr auto operator<=>(const PageNum&) const = default;
  constexpr PageNum operator+(uint64_t n) const { return PageNum{value + n}; }
  constexpr PageNum operator-(uint64_t n) const { return PageNum{value - n}; }
  constexpr uint64_t operator-(PageNum o) const { return value - o.value; }
  constexpr GuestAddr addr() const { return GuestAddr{value << kPageShift}; }
};

constexpr PageNum GuestAddr::page() const { return PageNum{value >> kPageShift}; }

// A frame of the emulator's guest-physical memory (see FrameAllocator).
struct FrameNum {
  uint32_t value = 0;

  constexpr FrameNum() = default;
  constexpr explicit FrameNum(uint32_t v) : value(v) {}
  constexpr auto operator<=>(const FrameNum&) const = default;
};

inline constexpr uint64_t kUserTopPage = kUserTop >> kPageShift;

// Rounds a byte length up to whole pages; returns false on overflow past 2^64.
constexpr bool page_round_up(uint64_t bytes, uint64_t& out) {
  if (bytes > UINT64_MAX - kPageMask) return false;
  out = (bytes + kPageMask) & ~kPageMask;
  return true;
}

// Linux ALIGN(): `v` rounded up to a multiple of the power of two `a`,
// wrapping to 0 past the top as the kernel's does.
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// [start, end) in pages. Empty when start == end.
struct PageRange {
  PageNum start;
  PageNum end;

  constexpr uint64_t size() const { return end - start; }
  constexpr bool empty() const { return start == end; }
  constexpr bool contains(PageNum p) const { return start <= p && p < end; }
  constexpr bool overlaps(const PageRange& o) const { return start < o.end && o.start < end; }
  constexpr auto operator<=>(const PageRange&) const = default;
};

// Page protection, the PROT_* bits of mmap(2) (same values, so syscall
// arguments translate by masking).
enum class Prot : uint8_t { None = 0, Read = 1, Write = 2, Exec = 4 };

constexpr Prot operator|(Prot a, Prot b) { return Prot(uint8_t(a) | uint8_t(b)); }
constexpr Prot operator&(Prot a, Prot b) { return Prot(uint8_t(a) & uint8_t(b)); }
constexpr bool has(Prot set, Prot bit) { return (uint8_t(set) & uint8_t(bit)) != 0; }

}  // namespace emu::mm
