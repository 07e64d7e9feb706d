// libFuzzer harness: the ELF loader over any file (truncated, garbage,
// mutated real executables, #! scripts).
//
// The input becomes a file (a memfd) that load_exec opens as a program. It
// must end either in a LoadError whose reason completes one line
// `emu: PROGRAM: reason` (non-empty, no newline), or in a loaded guest,
// which then runs for up to 5,000 instructions and may end only as
// fuzz_guest.h allows. Nothing may crash, leak or hang.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "emu/cpu.h"
#include "emu/interpreter.h"
#include "loader/loader.h"
#include "mm/address_space.h"
#include "tests/fuzz/fuzz_guest.h"

namespace {

constexpr uint64_t kMaxInsns = 5'000;
constexpr uint64_t kMemLimit = 256ull << 20;  // guest memory a loaded image may use

[[noreturn]] void loader_bug(const char* what) {
  std::fprintf(stderr, "fuzz: loader bug: %s\n", what);
  std::abort();
}

// One memfd for every input, rewritten each time: its /proc/self/fd path
// is what the loader opens.
int input_file() {
  static const int fd = ::memfd_create("emu-fuzz-program", 0);
  if (fd < 0) loader_bug("memfd_create failed");
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = input_file();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != ssize_t(size)) loader_bug("writing the input failed");
  // Executable, as execve requires (the loader checks the mode).
  ::fchmod(fd, 0755);

  emu::mm::AddressSpaceConfig config;
  config.mem_limit = kMemLimit;
  emu::mm::AddressSpace mem(config);
  emu::Cpu cpu;
  cpu.mem = &mem;
  mem.attach(&cpu.tlb);

  emu::loader::LoadOptions options;
  options.path = "/proc/self/fd/" + std::to_string(fd);
  options.execfn = "fuzzed-program";
  options.argv = {"fuzzed-program", "an argument"};
  options.envp = {"PATH=/usr/bin:/bin", "LANG=C"};
  auto loaded = emu::loader::load_exec(mem, options);
  if (auto* error = std::get_if<emu::loader::LoadError>(&loaded)) {
    if (error->reason.empty()) loader_bug("a LoadError with no reason");
    if (error->reason.find('\n') != std::string::npos) loader_bug("a LoadError reason of more than one line");
    if (error->exit_status != 126 && error->exit_status != 127) loader_bug("a LoadError exit status not 126/127");
  } else {
    const auto& program = std::get<emu::loader::LoadedProgram>(loaded);
    cpu.rip = program.entry;
    cpu.gpr[emu::RSP] = program.stack_pointer;
    emu::Interpreter interp(cpu);
    emu::fuzz::run_bounded(cpu, interp, kMaxInsns);
  }
  mem.detach(&cpu.tlb);
  return 0;
}
