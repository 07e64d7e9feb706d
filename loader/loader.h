// Loads a static x86-64 Linux ELF executable into an AddressSpace and builds
// its initial stack (System V x86-64 ABI: argc, argv, envp, auxv).
//
// Every field of the file is validated before anything is mapped; a bad file
// yields a LoadError whose reason completes the line `emu: PROGRAM: reason`.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace emu::mm {
class AddressSpace;
}

namespace emu::loader {

struct LoadedProgram {
  std::string path;            // the ELF file loaded (a #! script's interpreter)
  uint64_t entry = 0;          // initial RIP
  uint64_t stack_pointer = 0;  // initial RSP (points at argc)
  uint64_t load_bias = 0;      // 0 for ET_EXEC; the base chosen for static-pie
  uint64_t phdr_addr = 0;      // AT_PHDR
  uint64_t brk_start = 0;      // initial program break
};

struct LoadError {
  std::string reason;    // e.g. "not an ELF file", "No such file or directory"
  int exit_status = 126; // 127 when the file does not exist, 126 otherwise (like a shell)
  int error = ENOEXEC;   // what execve(2) returns for it (ENOENT, EACCES, E2BIG, ...)
  // Linux itself would run this file (a dynamic or 32-bit program, an
  // execute-only file): an emu limitation, worth a message where the kernel
  // would have been silent.
  bool native_would_run = false;
};

struct LoadOptions {
  std::string path;               // file to open (host path)
  std::string execfn;             // AT_EXECFN and argv[0] source; usually == path
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  uint64_t stack_limit = 8u << 20;  // RLIMIT_STACK
  // AT_HWCAP: on x86 the kernel passes CPUID leaf 1 EDX. The driver fills it
  // from the interpreter's CPUID so the two agree; 0 claims nothing.
  uint64_t hwcap = 0;
};

// Loads the ELF file options.path into `as`, which must be empty. Sets
// as.set_layout(...). A #! script is a LoadError here (see load_exec).
std::variant<LoadedProgram, LoadError> load_program(mm::AddressSpace& as, const LoadOptions& options);

// What execve(2) does with options.path: a #! script runs its interpreter
// (argv becomes interpreter, optional argument, script path, argv[1..]; up to
// five nested scripts, then ELOOP, as binfmt_script does), an ELF file is
// loaded with load_program. AT_EXECFN stays options.execfn (the name given).
std::variant<LoadedProgram, LoadError> load_exec(mm::AddressSpace& as, const LoadOptions& options);

}  // namespace emu::loader
