// Runs one guest program to completion: load it, then alternate between the
// interpreter and the system-call layer until the guest exits or dies.
#pragma once

#include <cstdint>
#include <string>

#include "emu/options.h"

namespace emu {

// What the driver knows when the guest has ended (exit, or a fatal guest
// fault), handed to RunHooks::guest_ended before emu returns or dies.
struct GuestEndReport {
  uint64_t frames_peak = 0;  // most guest frames (4 KiB) in use at once
};

// Optional observers of one run (--compare-native's emulated child reports
// the frames peak to its parent through guest_ended). Not called when emu
// itself crashes (status 125), nor when the guest sends itself a fatal
// signal with kill/tgkill (the syscall layer raises it on the spot).
struct RunHooks {
  void (*guest_ended)(void* ctx, const GuestEndReport& report) = nullptr;
  void* ctx = nullptr;
};

// Returns the process exit status for emu (the guest's status, or 126/127
// for a program that can't be loaded, 1 when the --rss-log file can't be
// created). A guest killed by a signal makes emu die by that same signal, so
// this does not return in that case.
int run_program(const Options& options, const RunHooks& hooks = {});

// PROGRAM as execvp(3) would find it: without a '/', the first executable
// file of that name in $PATH; otherwise (or when nothing matches) as given.
std::string resolve_program(const std::string& program);

}  // namespace emu
