// The process's initial stack, as Linux's create_elf_tables() (fs/binfmt_elf.c)
// lays it out for x86-64, top down:
//
//   stack_top - 8     8 zero bytes (end marker)
//                     execfn string (AT_EXECFN)
//                     envp strings, then argv strings (argv[0] lowest)
//   (align down 16)
//                     "x86_64" (AT_PLATFORM)
//                     16 random bytes (AT_RANDOM)
//   (align so RSP % 16 == 0)
//   RSP ->            argc, argv[0..argc), NULL, envp[0..envc), NULL,
//                     auxv pairs ending with AT_NULL
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "loader/loader.h"

namespace emu::mm {
class AddressSpace;
}

namespace emu::loader {

namespace auxv {
inline constexpr uint64_t kNull = 0, kPhdr = 3, kPhent = 4, kPhnum = 5, kPagesz = 6, kBase = 7, kFlags = 8,
                          kEntry = 9, kUid = 11, kEuid = 12, kGid = 13, kEgid = 14, kPlatform = 15, kHwcap = 16,
                          kClktck = 17, kSecure = 23, kRandom = 25, kHwcap2 = 26, kExecfn = 31,
                          kSysinfoEhdr = 33, kMinsigstksz = 51;
}  // namespace auxv

struct StackContents {
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string execfn;
  uint64_t hwcap = 0;
  uint64_t phdr_addr = 0;
  uint64_t phnum = 0;
  uint64_t entry = 0;
};

// Bytes the strings take at the top of the stack, end marker included: what
// Linux's copy_strings() has written below the top when setup_arg_pages()
// sizes the stack (execfn, envp and argv strings with their NULs, and 8).
uint64_t argument_bytes(const StackContents& contents);

// Writes the stack into the stack region ending at `stack_top`, which may
// grow to `stack_size` (the stack limit; the block is poked, so pages below
// the region are grown into as a fault would); returns the initial RSP.
// Fails with E2BIG's text when the strings need more than a quarter of the
// stack, as execve(2) does.
std::variant<uint64_t, LoadError> build_initial_stack(mm::AddressSpace& as, uint64_t stack_top, uint64_t stack_size,
                                                      const StackContents& contents);

}  // namespace emu::loader
