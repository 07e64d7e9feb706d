// --strace output: one line per system call in strace's format, driven by
// the table's argument kinds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "syscalls/table.h"

namespace emu::syscalls {

// The complete line for a finished call (without the newline), e.g.
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//   syscall_0x1c4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)
// `desc` may be nullptr (unknown number). Guest memory is read (after the
// call) through the gateway; unreadable buffers print as addresses.
//
// `entry` holds the arguments strace prints as they were when the call began
// (capture_entry_args); without it they are read after the call.
struct EntryArgs {
  std::string text[6];  // empty: not captured
};
std::string format_syscall(Process& p, uint64_t nr, const SyscallDesc* desc, const SyscallArgs& args, int64_t result,
                           const EntryArgs* entry = nullptr);

// Before a call: the text of the arguments strace prints on entry because
// the call rewrites them (timeouts, fd sets, file offsets), or nullopt when
// `desc` has none.
std::optional<EntryArgs> capture_entry_args(Process& p, const SyscallDesc* desc, const SyscallArgs& args);

// strace's lines for signals: "--- SIGINT {si_signo=SIGINT, si_code=SI_KERNEL} ---"
// when one is delivered to a guest handler, "+++ killed by SIGINT +++" when one
// ends the guest.
std::string format_signal_delivery(const abi::Siginfo& info);
std::string format_killed_by(int sig);

// Prints one --strace line (nothing without --strace). In a process the
// guest forked, the line starts "[pid N] ", as strace -f marks children.
void strace_line(const Process& p, const std::string& line);

// strace's quoting of a byte string: "..." with C escapes, octal for other
// non-printable bytes; `truncated` appends "..." after the closing quote.
std::string quote_string(std::string_view bytes, bool truncated, bool all_hex = false);

}  // namespace emu::syscalls
