// Runs one guest program to completion: load it, then alternate between the
// interpreter and the system-call layer until the guest exits or dies.
#pragma once

#include "emu/options.h"

namespace emu {

// Returns the process exit status for emu (the guest's status, or 126/127
// for a program that can't be loaded). A guest killed by a signal makes emu
// die by that same signal, so this does not return in that case.
int run_program(const Options& options);

}  // namespace emu
