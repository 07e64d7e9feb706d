// Reading and validating an x86-64 ELF executable, before anything is mapped.
//
// The ELF64 structures are our own fixed-width definitions (not the host's
// <elf.h>), read from the file byte for byte: the host is little-endian x86-64
// like the guest, which a static_assert in elf_file.cpp pins down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "loader/loader.h"

namespace emu::loader {

namespace elf {

inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr uint8_t kClass32 = 1, kClass64 = 2;
inline constexpr uint8_t kData2Lsb = 1, kData2Msb = 2;
inline constexpr uint8_t kVersionCurrent = 1;
inline constexpr uint16_t kTypeRel = 1, kTypeExec = 2, kTypeDyn = 3, kTypeCore = 4;
inline constexpr uint16_t kMachineX86_64 = 62;

inline constexpr uint32_t kPtNull = 0, kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtPhdr = 6;
inline constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

struct Ehdr {
  uint8_t e_ident[16];
  uint16_t e_type;
  uint16_t e_machine;
  uint32_t e_version;
  uint64_t e_entry;
  uint64_t e_phoff;
  uint64_t e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize;
  uint16_t e_phentsize;
  uint16_t e_phnum;
  uint16_t e_shentsize;
  uint16_t e_shnum;
  uint16_t e_shstrndx;
};
static_assert(sizeof(Ehdr) == 64);
static_assert(offsetof(Ehdr, e_entry) == 24);
static_assert(offsetof(Ehdr, e_phoff) == 32);
static_assert(offsetof(Ehdr, e_phentsize) == 54);
static_assert(offsetof(Ehdr, e_phnum) == 56);

struct Phdr {
  uint32_t p_type;
  uint32_t p_flags;
  uint64_t p_offset;
  uint64_t p_vaddr;
  uint64_t p_paddr;
  uint64_t p_filesz;
  uint64_t p_memsz;
  uint64_t p_align;
};
static_assert(sizeof(Phdr) == 56);
static_assert(offsetof(Phdr, p_offset) == 8);
static_assert(offsetof(Phdr, p_memsz) == 40);

// Readable name of an e_machine value ("AArch64", "i386", ...), or "".
const char* machine_name(uint16_t machine);

}  // namespace elf

// An opened, fully validated executable. Owns the host descriptor (the
// segments are mapped from it); move-only.
class ElfFile {
 public:
  // Opens and validates `path`. Every check the loader relies on is done here,
  // so mapping can't fail on a malformed file (only on resource limits).
  static std::variant<ElfFile, LoadError> open(const std::string& path);

  ElfFile(ElfFile&& other) noexcept;
  ElfFile& operator=(ElfFile&& other) noexcept;
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  ~ElfFile();

  int fd() const { return fd_; }
  uint64_t file_size() const { return file_size_; }
  const elf::Ehdr& header() const { return ehdr_; }
  const std::vector<elf::Phdr>& phdrs() const { return phdrs_; }
  // The PT_LOAD entries, in (validated) ascending, non-overlapping order.
  const std::vector<elf::Phdr>& loads() const { return loads_; }
  bool is_pie() const { return ehdr_.e_type == elf::kTypeDyn; }
  // Unbiased address of the program headers in memory (AT_PHDR before the load
  // bias is added): PT_PHDR if present, else the PT_LOAD covering e_phoff.
  uint64_t phdr_vaddr() const { return phdr_vaddr_; }

 private:
  ElfFile() = default;
  // Parses and validates the already read header and program headers; returns
  // the reason when something is wrong.
  std::string validate();

  int fd_ = -1;
  uint64_t file_size_ = 0;
  elf::Ehdr ehdr_{};
  std::vector<elf::Phdr> phdrs_;
  std::vector<elf::Phdr> loads_;
  uint64_t phdr_vaddr_ = 0;
};

}  // namespace emu::loader
