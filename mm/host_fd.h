// Descriptors emu holds for itself (file backings of mappings, memfds of
// shared memory, the --rss-log files) live high in the descriptor table.
//
// The guest shares emu's host descriptor table (guest fd == host fd until an
// fd table exists), and Linux hands out the lowest free number: an emu
// descriptor at 3 would shift every number the guest's open() returns and
// show up in its /proc/self/fd. So emu's own descriptors are moved to the
// lowest free number at or above min(RLIMIT_NOFILE, 1024) - 32.
#pragma once

namespace emu::mm {

// Moves `fd` (close-on-exec from now on) up out of the guest's way and
// returns its new number; returns `fd` unchanged when nothing is free up there.
// Either way the result is recorded as emu's own (below).
int move_fd_high(int fd);

// emu's own descriptors, so that a guest execve's close-on-exec sweep
// (syscalls/exec.h), which emu does itself, leaves them open. Whoever closes
// one of them calls close_own_fd.
bool is_own_fd(int fd);
void close_own_fd(int fd);

}  // namespace emu::mm
