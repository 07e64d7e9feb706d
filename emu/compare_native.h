// --compare-native: PROGRAM run natively, then under emulation, measured the
// same way, with a side-by-side table on stderr.
//
// emu forks twice, one run after the other so their outputs don't interleave:
//   A  execve(PROGRAM) natively;
//   B  run_program() in a forked child of emu, so that B's peak RSS is the
//      emulated run alone; B reports the guest's frames peak through a
//      MAP_SHARED page (no descriptor the guest could see).
// Both peaks are VmHWM read at the child's exit stop (emu/peak_rss.h): exact
// for current kernels, and A's starts afresh at its execve. The parent only
// forks and waits. B starts as a copy of an already started emu, so its
// figures leave out emu's own process start-up (exec, static libc init:
// ~0.2-0.4 MiB and ~1 ms less than `emu PROGRAM` run from a shell).
//
// Standard input: both runs must read the same bytes. A pipe or socket on
// stdin is read to the end first into an in-memory file (memfd), which each
// run gets at offset 0; a regular file is rewound to where it stood for the
// second run; a terminal or other device is shared as is (the native run
// reads from it first).
#pragma once

#include "emu/options.h"

namespace emu {

// Returns the emulated run's exit status; if the emulated guest was killed by
// a signal, emu dies by that signal after printing the table. 2 (usage) on a
// host that can't run PROGRAM natively (anything but x86-64 Linux).
int run_compare_native(const Options& options);

}  // namespace emu
