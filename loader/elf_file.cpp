#include "loader/elf_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "loader/executable.h"
#include "loader/layout.h"
#include "mm/types.h"

namespace emu::loader {

// The structures are read straight from the file's bytes.
static_assert(std::endian::native == std::endian::little, "ELF structs are read in host byte order");

namespace elf {

const char* machine_name(uint16_t machine) {
  switch (machine) {
    case 2: return "SPARC";
    case 3: return "i386";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "S/390";
    case 40: return "ARM";
    case 43: return "SPARC64";
    case 50: return "IA-64";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 258: return "LoongArch";
    default: return "";
  }
}

}  // namespace elf

namespace {

// Linux rejects program header tables larger than this (binfmt_elf.c).
constexpr uint64_t kMaxPhdrBytes = 65536;

// Reads exactly n bytes at offset, retrying short reads; false on error or EOF.
bool read_exact(int fd, void* buf, size_t n, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
    offset += uint64_t(r);
  }
  return true;
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

ElfFile::ElfFile(ElfFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      file_size_(other.file_size_),
      ehdr_(other.ehdr_),
      phdrs_(std::move(other.phdrs_)),
      loads_(std::move(other.loads_)),
      phdr_vaddr_(other.phdr_vaddr_) {}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    file_size_ = other.file_size_;
    ehdr_ = other.ehdr_;
    phdrs_ = std::move(other.phdrs_);
    loads_ = std::move(other.loads_);
    phdr_vaddr_ = other.phdr_vaddr_;
  }
  return *this;
}

ElfFile::~ElfFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::variant<ElfFile, LoadError> ElfFile::open(const std::string& path) {
  ElfFile file;
  auto opened = open_executable(path);
  if (auto* err = std::get_if<LoadError>(&opened)) return std::move(*err);
  file.fd_ = std::get<int>(opened);

  struct ::stat st {};
  if (::fstat(file.fd_, &st) != 0) return host_load_error(errno);
  file.file_size_ = uint64_t(st.st_size);

  uint8_t head[sizeof(elf::Ehdr)] = {};
  size_t head_len = size_t(std::min<uint64_t>(file.file_size_, sizeof head));
  if (head_len == 0) return LoadError{"not an ELF executable (empty file)"};
  if (!read_exact(file.fd_, head, head_len, 0)) return host_load_error(EIO);

  if (head_len >= 2 && head[0] == '#' && head[1] == '!')
    return LoadError{"a #! script, not an ELF file (load_exec runs scripts)"};
  if (std::memcmp(head, elf::kMagic, std::min<size_t>(head_len, 4)) != 0)
    return LoadError{"not an ELF executable"};
  if (head_len < sizeof(elf::Ehdr)) return LoadError{"truncated ELF header"};
  std::memcpy(&file.ehdr_, head, sizeof file.ehdr_);

  if (std::string reason = file.validate(); !reason.empty()) {
    LoadError error{std::move(reason)};
    const auto& ph = file.phdrs_;
    error.native_would_run = file.ehdr_.e_ident[4] == elf::kClass32 ||
                             std::any_of(ph.begin(), ph.end(), [](const elf::Phdr& h) { return h.p_type == elf::kPtInterp; });
    return error;
  }
  return file;
}

std::string ElfFile::validate() {
  const elf::Ehdr& eh = ehdr_;
  const uint8_t elf_class = eh.e_ident[4], data = eh.e_ident[5], ident_version = eh.e_ident[6];
  if (elf_class == elf::kClass32) return "32-bit ELF is not supported";
  if (elf_class != elf::kClass64) return fmt::format("invalid ELF class {}", elf_class);
  if (data == elf::kData2Msb) return "big-endian ELF is not supported";
  if (data != elf::kData2Lsb) return fmt::format("invalid ELF data encoding {}", data);
  if (ident_version != elf::kVersionCurrent || eh.e_version != elf::kVersionCurrent)
    return fmt::format("unsupported ELF version {}", ident_version != elf::kVersionCurrent ? uint32_t(ident_version) : eh.e_version);
  if (eh.e_machine != elf::kMachineX86_64) {
    const char* name = elf::machine_name(eh.e_machine);
    if (*name) return fmt::format("wrong architecture: the program is for {} (e_machine {}), not x86-64", name, eh.e_machine);
    return fmt::format("wrong architecture: e_machine {} is not x86-64", eh.e_machine);
  }
  switch (eh.e_type) {
    case elf::kTypeExec:
    case elf::kTypeDyn: break;
    case elf::kTypeRel: return "not an executable (ELF relocatable object)";
    case elf::kTypeCore: return "not an executable (ELF core dump)";
    default: return fmt::format("unsupported ELF type {}", eh.e_type);
  }
  if (eh.e_phentsize != sizeof(elf::Phdr))
    return fmt::format("invalid program header size {} (expected {})", eh.e_phentsize, sizeof(elf::Phdr));
  if (eh.e_phnum == 0) return "no program headers";
  const uint64_t table_bytes = uint64_t(eh.e_phnum) * sizeof(elf::Phdr);
  if (table_bytes > kMaxPhdrBytes) return fmt::format("too many program headers ({})", eh.e_phnum);
  if (eh.e_phoff > file_size_ || table_bytes > file_size_ - eh.e_phoff)
    return "program headers lie past the end of the file";

  phdrs_.resize(eh.e_phnum);
  if (!read_exact(fd_, phdrs_.data(), table_bytes, eh.e_phoff)) return std::strerror(EIO);

  for (const elf::Phdr& ph : phdrs_)
    if (ph.p_type == elf::kPtInterp) return "dynamically linked programs are not supported (PT_INTERP)";

  bool have_pt_phdr = false;
  int index = 0;
  for (const elf::Phdr& ph : phdrs_) {
    if (ph.p_type == elf::kPtPhdr && !have_pt_phdr) {
      have_pt_phdr = true;
      phdr_vaddr_ = ph.p_vaddr;
    }
    if (ph.p_type != elf::kPtLoad) continue;
    ++index;
    if (ph.p_offset > file_size_ || ph.p_filesz > file_size_ - ph.p_offset)
      return fmt::format("PT_LOAD segment {}: file data lies past the end of the file", index);
    if (ph.p_filesz > ph.p_memsz)
      return fmt::format("PT_LOAD segment {}: p_filesz (0x{:x}) is larger than p_memsz (0x{:x})", index, ph.p_filesz, ph.p_memsz);
    if (ph.p_align > 1 && !is_pow2(ph.p_align))
      return fmt::format("PT_LOAD segment {}: alignment 0x{:x} is not a power of two", index, ph.p_align);
    if ((ph.p_vaddr & mm::kPageMask) != (ph.p_offset & mm::kPageMask))
      return fmt::format("PT_LOAD segment {}: p_vaddr and p_offset are not congruent modulo the page size", index);
    if (ph.p_vaddr >= mm::kUserTop || ph.p_memsz > mm::kUserTop - ph.p_vaddr)
      return fmt::format("PT_LOAD segment {}: lies outside the user address space", index);
    if (!loads_.empty()) {
      const elf::Phdr& prev = loads_.back();
      if (ph.p_vaddr < prev.p_vaddr)
        return fmt::format("PT_LOAD segments {} and {} are not in ascending address order", index - 1, index);
      if (ph.p_vaddr < prev.p_vaddr + prev.p_memsz)
        return fmt::format("PT_LOAD segments {} and {} overlap", index - 1, index);
    }
    loads_.push_back(ph);
  }
  if (loads_.empty()) return "no loadable (PT_LOAD) segments";

  const uint64_t first_page = loads_.front().p_vaddr & ~mm::kPageMask;
  const uint64_t image_end = loads_.back().p_vaddr + loads_.back().p_memsz;
  if (is_pie()) {
    // Relocated to kEtDynBase: the span from the first page must fit above it.
    if (image_end - first_page > mm::kUserTop - kEtDynBase)
      return "position-independent image is too large for the user address space";
  } else if (first_page < kMmapMinAddr) {
    return fmt::format("PT_LOAD segment 1: address 0x{:x} is below vm.mmap_min_addr (0x{:x})", loads_.front().p_vaddr, kMmapMinAddr);
  }

  bool entry_ok = false;
  for (const elf::Phdr& ph : loads_)
    if ((ph.p_flags & elf::kPfX) && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) entry_ok = true;
  if (!entry_ok) return fmt::format("entry point 0x{:x} is not in an executable segment", eh.e_entry);

  if (!have_pt_phdr) {
    for (const elf::Phdr& ph : loads_) {
      if (ph.p_offset <= eh.e_phoff && eh.e_phoff - ph.p_offset < ph.p_filesz) {
        phdr_vaddr_ = ph.p_vaddr + (eh.e_phoff - ph.p_offset);
        break;
      }
    }
  }
  return {};
}

}  // namespace emu::loader
