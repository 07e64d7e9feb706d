// Helpers shared by the mm/ tests.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "mm/address_space.h"
#include "mm/guest_fault.h"

namespace emu::mm::test {

// A temporary file with given contents, opened O_RDWR; removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/emu_mm_test_XXXXXX";
    fd_ = mkstemp(tmpl);
    if (fd_ < 0) throw std::runtime_error("mkstemp");
    path_ = tmpl;
    if (write(fd_, content.data(), content.size()) != ssize_t(content.size())) throw std::runtime_error("write");
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Records every code_changed notice.
class RecordingObserver final : public CodeObserver {
 public:
  void code_changed(PageRange pages) override { notices.push_back(pages); }
  std::vector<PageRange> notices;
};

inline PageRange pages_of(uint64_t start, uint64_t end) { return {GuestAddr{start}.page(), GuestAddr{end}.page()}; }

// A guest memory access as the interpreter makes it (emu/memory.h): a TLB
// hit inline, else the slow path, which may throw a GuestFault.
template <class T>
T load(AddressSpace& as, Tlb& tlb, uint64_t addr) {
  T v;
  if (const uint8_t* p = tlb.read_ptr<sizeof(T)>(addr)) {
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
  as.load_slow(tlb, addr, &v, sizeof(T));
  return v;
}

template <class T>
void store(AddressSpace& as, Tlb& tlb, uint64_t addr, T v) {
  if (uint8_t* p = tlb.write_ptr<sizeof(T)>(addr)) {
    std::memcpy(p, &v, sizeof(T));
    return;
  }
  as.store_slow(tlb, addr, &v, sizeof(T));
}

// The GuestFault that f() raises; the test fails if it raises none.
template <class F>
GuestFault fault_of(F&& f) {
  try {
    f();
  } catch (const GuestFault& g) {
    return g;
  }
  FAIL("no GuestFault");
  return {};
}

// The config of a test's AddressSpace: a memory limit (64 MiB by default).
inline AddressSpaceConfig limit_of(uint64_t bytes = 64 << 20) { return AddressSpaceConfig{.mem_limit = bytes}; }

// The layout of the syscall-level tests: mmap's top-down search starts below
// kTestMmapBase, the program break at kTestBrkStart.
inline constexpr uint64_t kTestMmapBase = 0x7f0000000000;
inline constexpr uint64_t kTestBrkStart = 0x600000;

inline void set_test_layout(AddressSpace& as) {
  Layout l;
  l.mmap_base = GuestAddr{kTestMmapBase};
  l.brk_start = GuestAddr{kTestBrkStart};
  as.set_layout(l);
}

}  // namespace emu::mm::test

namespace Catch {
template <>
struct StringMaker<emu::mm::PageNum> {
  static std::string convert(emu::mm::PageNum p) { return "page " + std::to_string(p.value); }
};
template <>
struct StringMaker<emu::mm::PageRange> {
  static std::string convert(emu::mm::PageRange r) {
    return "pages [" + std::to_string(r.start.value) + ", " + std::to_string(r.end.value) + ")";
  }
};
}  // namespace Catch
