// --strace output: one line per system call in strace's format, driven by
// the table's argument kinds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "syscalls/table.h"

namespace emu::syscalls {

// The complete line for a finished call (without the newline), e.g.
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//   syscall_0x1c4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)
// `desc` may be nullptr (unknown number). Guest memory is read (after the
// call) through the gateway; unreadable buffers print as addresses.
std::string format_syscall(Process& p, uint64_t nr, const SyscallDesc* desc, const SyscallArgs& args, int64_t result);

// strace's quoting of a byte string: "..." with C escapes, octal for other
// non-printable bytes; `truncated` appends "..." after the closing quote.
std::string quote_string(std::string_view bytes, bool truncated, bool all_hex = false);

}  // namespace emu::syscalls
