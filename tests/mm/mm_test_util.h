// Helpers shared by the mm/ tests.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "mm/address_space.h"

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
