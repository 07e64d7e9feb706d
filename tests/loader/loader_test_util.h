// Helpers shared by the loader tests: temp files, patched copies of real
// binaries, and reading the guest's memory back through the gateway.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "mm/address_space.h"

namespace loader_test {

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A private temporary directory, removed with its files at scope exit.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/emu-loader-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

  // Writes `bytes` to `name` with `mode`; returns the full path.
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes, mode_t mode = 0755) const {
    const std::string p = path_ + "/" + name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.close();
    ::chmod(p.c_str(), mode);
    return p;
  }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0755) const {
    return write(name, std::vector<uint8_t>(text.begin(), text.end()), mode);
  }

 private:
  std::string path_;
};

template <class T>
void patch(std::vector<uint8_t>& bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

template <class T>
T field(const std::vector<uint8_t>& bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

// Offsets into an ELF64 header and program header.
inline constexpr size_t kEntry = 24, kPhoff = 32, kMachine = 18, kType = 16;
inline size_t phdr(const std::vector<uint8_t>& elf, int index) {
  return size_t(field<uint64_t>(elf, kPhoff)) + size_t(index) * 56;
}
inline constexpr size_t kPType = 0, kPFlags = 4, kPOffset = 8, kPVaddr = 16, kPFilesz = 32, kPMemsz = 40, kPAlign = 48;

// Index of the n-th (0-based) PT_LOAD in the program header table.
inline int load_index(const std::vector<uint8_t>& elf, int n) {
  const int count = field<uint16_t>(elf, 56);
  for (int i = 0; i < count; ++i)
    if (field<uint32_t>(elf, phdr(elf, i) + kPType) == 1 && n-- == 0) return i;
  throw std::runtime_error("no such PT_LOAD");
}

inline uint64_t read_u64(emu::mm::AddressSpace& as, uint64_t addr) {
  uint64_t v = 0;
  if (!as.copy_in(&v, emu::mm::GuestAddr{addr}, 8)) throw std::runtime_error("unreadable guest address");
  return v;
}

inline std::string read_str(emu::mm::AddressSpace& as, uint64_t addr) {
  auto s = as.read_cstring(emu::mm::GuestAddr{addr}, 4096);
  if (!s) throw std::runtime_error("unreadable guest string");
  return *s;
}

}  // namespace loader_test
