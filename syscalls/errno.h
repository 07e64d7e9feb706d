// Host errno -> Linux (guest) errno, in one place, plus the names strace prints.
#pragma once

#include <cstdint>

namespace emu::syscalls {

// The guest's errno for a host errno. The host is x86-64 Linux, so the values
// coincide, but every translation goes through here so a different host (or a
// host value the guest must not see) has one place to be handled.
int linux_errno(int host_errno);

// -linux_errno(errno) when `host_result` is -1, else `host_result`: the usual
// tail of a passthrough to a host system call.
int64_t host_result(int64_t host_result);

// "ENOENT", or nullptr for an unknown number.
const char* errno_name(int linux_errno);
// "No such file or directory" (the text strace prints in parentheses).
const char* errno_message(int linux_errno);

}  // namespace emu::syscalls
