// Malformed and unsupported files: each gets its one reason and exit status,
// nothing is mapped, and nothing crashes.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <random>

#include "loader/loader.h"
#include "loader_test_util.h"
#include "mm/address_space.h"
#include "mm/region_tree.h"

using namespace emu;
using namespace loader_test;

namespace {

struct Outcome {
  std::string reason;
  int status = 0;
  size_t regions = 0;
};

// Loads `path` into a fresh address space, expecting failure.
Outcome load_fails(const std::string& path) {
  mm::AddressSpace as;
  loader::LoadOptions o;
  o.path = path;
  o.argv = {path};
  auto result = loader::load_program(as, o);
  REQUIRE(std::holds_alternative<loader::LoadError>(result));
  const auto& err = std::get<loader::LoadError>(result);
  return {err.reason, err.exit_status, as.regions().node_count()};
}

const std::vector<uint8_t>& busybox() {
  static const std::vector<uint8_t> bytes = read_file("/bin/busybox");
  return bytes;
}

// A copy of busybox with `edit` applied, written to `dir`.
template <class F>
std::string patched(const TempDir& dir, F&& edit) {
  std::vector<uint8_t> bytes = busybox();
  edit(bytes);
  return dir.write("patched", bytes);
}

}  // namespace

TEST_CASE("missing_file_is_enoent_with_status_127", "[loader]") {
  auto o = load_fails("/nonexistent/emu-test-program");
  CHECK(o.reason == "No such file or directory");
  CHECK(o.status == 127);
}

TEST_CASE("directory_is_eisdir_with_status_126", "[loader]") {
  TempDir dir;
  auto o = load_fails(dir.path());
  CHECK(o.reason == "Is a directory");
  CHECK(o.status == 126);
}

TEST_CASE("file_without_execute_permission_is_eacces", "[loader]") {
  TempDir dir;
  auto o = load_fails(dir.write("noexec", busybox(), 0644));
  CHECK(o.reason == "Permission denied");
  CHECK(o.status == 126);
  CHECK(o.regions == 0);
}

// The file is opened before anything says it is not a regular file: a FIFO
// with no writer must not block that open (it used to, forever), and is
// EACCES as for execve.
TEST_CASE("fifo_is_eacces_without_blocking", "[loader]") {
  TempDir dir;
  const std::string fifo = dir.path() + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0755) == 0);
  auto o = load_fails(fifo);
  CHECK(o.reason == "Permission denied");
  CHECK(o.status == 126);
  CHECK(o.regions == 0);
}

TEST_CASE("empty_file_is_not_an_elf_executable", "[loader]") {
  TempDir dir;
  auto o = load_fails(dir.write("empty", std::string()));
  CHECK(o.reason == "not an ELF executable (empty file)");
  CHECK(o.status == 126);
}

TEST_CASE("shebang_script_is_not_an_elf_file_for_load_program", "[loader]") {
  // load_exec runs scripts (tests/syscalls/exec_test.cpp); load_program only loads ELF.
  TempDir dir;
  CHECK(load_fails(dir.write("script", "#!/bin/sh\necho hi\n")).reason ==
        "a #! script, not an ELF file (load_exec runs scripts)");
}

TEST_CASE("text_file_is_not_an_elf_executable", "[loader]") {
  TempDir dir;
  CHECK(load_fails(dir.write("text", "hello world, this is not a program\n")).reason == "not an ELF executable");
  CHECK(load_fails(dir.write("one", "x")).reason == "not an ELF executable");
}

TEST_CASE("truncated_header_is_reported", "[loader]") {
  TempDir dir;
  std::vector<uint8_t> head(busybox().begin(), busybox().begin() + 40);
  CHECK(load_fails(dir.write("trunc", head)).reason == "truncated ELF header");
  std::vector<uint8_t> magic_only(busybox().begin(), busybox().begin() + 4);
  CHECK(load_fails(dir.write("magic", magic_only)).reason == "truncated ELF header");
}

TEST_CASE("elf32_is_not_supported", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) { b[4] = 1; }));
  CHECK(o.reason == "32-bit ELF is not supported");
  CHECK(o.status == 126);
}

TEST_CASE("big_endian_elf_is_not_supported", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { b[5] = 2; })).reason == "big-endian ELF is not supported");
}

TEST_CASE("bad_ident_version_is_reported", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { b[6] = 7; })).reason == "unsupported ELF version 7");
}

TEST_CASE("wrong_machine_names_the_architecture", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, kMachine, 183); })).reason ==
        "wrong architecture: the program is for AArch64 (e_machine 183), not x86-64");
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, kMachine, 3); })).reason ==
        "wrong architecture: the program is for i386 (e_machine 3), not x86-64");
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, kMachine, 9999); })).reason ==
        "wrong architecture: e_machine 9999 is not x86-64");
}

TEST_CASE("relocatable_object_is_not_an_executable", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, kType, 1); })).reason ==
        "not an executable (ELF relocatable object)");
}

TEST_CASE("program_headers_past_eof_are_rejected", "[loader]") {
  TempDir dir;
  auto path = patched(dir, [](auto& b) { patch<uint64_t>(b, kPhoff, b.size() - 100); });
  CHECK(load_fails(path).reason == "program headers lie past the end of the file");
  // An offset so large that offset + size wraps around.
  path = patched(dir, [](auto& b) { patch<uint64_t>(b, kPhoff, ~uint64_t{0} - 16); });
  CHECK(load_fails(path).reason == "program headers lie past the end of the file");
}

TEST_CASE("wrong_program_header_size_is_rejected", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, 54, 32); })).reason ==
        "invalid program header size 32 (expected 56)");
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint16_t>(b, 56, 0); })).reason == "no program headers");
}

TEST_CASE("filesz_larger_than_memsz_is_rejected", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 0)) + kPMemsz, 0x100); }));
  CHECK(o.reason == "PT_LOAD segment 1: p_filesz (0x6e0) is larger than p_memsz (0x100)");
  CHECK(o.regions == 0);
}

TEST_CASE("segment_offset_past_eof_is_rejected", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 1)) + kPOffset, 0x10000000); }));
  CHECK(o.reason == "PT_LOAD segment 2: file data lies past the end of the file");
  // In range, but offset + filesz runs past the end.
  o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 2)) + kPFilesz, b.size()); }));
  CHECK(o.reason == "PT_LOAD segment 3: file data lies past the end of the file");
  CHECK(o.regions == 0);
}

TEST_CASE("non_congruent_offset_and_vaddr_are_rejected", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) {
    const size_t ph = phdr(b, load_index(b, 2));
    patch<uint64_t>(b, ph + kPVaddr, field<uint64_t>(b, ph + kPVaddr) + 0x10);
  }));
  CHECK(o.reason == "PT_LOAD segment 3: p_vaddr and p_offset are not congruent modulo the page size");
}

TEST_CASE("alignment_that_is_not_a_power_of_two_is_rejected", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 0)) + kPAlign, 0x1001); }))
            .reason == "PT_LOAD segment 1: alignment 0x1001 is not a power of two");
}

TEST_CASE("overlapping_pt_loads_are_rejected", "[loader]") {
  TempDir dir;
  // Segment 3 (offset 0x185000) moved to 0x402000: congruent, but inside segment 2.
  auto o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 2)) + kPVaddr, 0x402000); }));
  CHECK(o.reason == "PT_LOAD segments 2 and 3 overlap");
  CHECK(o.regions == 0);
  // Moved below its predecessor: out of order.
  o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 2)) + kPVaddr, 0x300000); }));
  CHECK(o.reason == "PT_LOAD segments 2 and 3 are not in ascending address order");
}

TEST_CASE("entry_outside_any_executable_segment_is_rejected", "[loader]") {
  TempDir dir;
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, kEntry, 0x10); })).reason ==
        "entry point 0x10 is not in an executable segment");
  // Inside a segment, but a read-only one.
  CHECK(load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, kEntry, 0x400100); })).reason ==
        "entry point 0x400100 is not in an executable segment");
}

TEST_CASE("huge_memsz_overflowing_the_address_space_is_rejected", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) {
    patch<uint64_t>(b, phdr(b, load_index(b, 3)) + kPMemsz, 0xfffffffffffff000);
  }));
  CHECK(o.reason == "PT_LOAD segment 4: lies outside the user address space");
  o = load_fails(patched(dir, [](auto& b) {
    patch<uint64_t>(b, phdr(b, load_index(b, 3)) + kPMemsz, uint64_t{1} << 47);
  }));
  CHECK(o.reason == "PT_LOAD segment 4: lies outside the user address space");
  CHECK(o.regions == 0);
}

TEST_CASE("segment_below_mmap_min_addr_is_rejected", "[loader]") {
  TempDir dir;
  auto o = load_fails(patched(dir, [](auto& b) { patch<uint64_t>(b, phdr(b, load_index(b, 0)) + kPVaddr, 0x1000); }));
  CHECK(o.reason == "PT_LOAD segment 1: address 0x1000 is below vm.mmap_min_addr (0x10000)");
}

TEST_CASE("dynamically_linked_program_is_not_supported", "[loader]") {
  auto o = load_fails("/bin/true");
  CHECK(o.reason == "dynamically linked programs are not supported (PT_INTERP)");
  CHECK(o.status == 126);
  CHECK(o.regions == 0);
}

TEST_CASE("random_header_corruption_never_crashes_the_loader", "[loader]") {
  // Mutates bytes of the ELF and program headers; every outcome must be a
  // clean success or a LoadError, with consistent memory structures.
  TempDir dir;
  std::mt19937_64 rng(12345);
  const size_t header_bytes = 64 + 10 * 56;
  int failures = 0;
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<uint8_t> bytes = busybox();
    const int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const size_t at = rng() % header_bytes;
      bytes[at] = (rng() & 1) ? uint8_t(rng()) : uint8_t(bytes[at] ^ (1u << (rng() % 8)));
    }
    const std::string path = dir.write("fuzz", bytes);
    mm::AddressSpace as;
    loader::LoadOptions o;
    o.path = path;
    o.argv = {"fuzz"};
    auto result = loader::load_program(as, o);
    if (auto* err = std::get_if<loader::LoadError>(&result)) {
      ++failures;
      CHECK(!err->reason.empty());
      CHECK(err->reason.find('\n') == std::string::npos);
    }
    REQUIRE(as.check_invariants() == "");
  }
  CHECK(failures > 0);
}
