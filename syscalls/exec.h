// execve/execveat: a new static x86-64 program in place of the current one,
// in the same (emulator) process, still under emulation.
//
// Two steps, split at Linux's point of no return:
//  1. The handler reads the arguments, resolves #! interpreters and loads the
//     new program into a NEW address space (loader::load_exec), beside the
//     old one. Any failure so far (ENOENT, EACCES, ENOEXEC, E2BIG, EFAULT,
//     ELOOP, ...) returns to the caller with nothing changed. On success it
//     leaves the image in Process::exec and releases a waiting vfork parent
//     (with the child's memory writes, while the old memory is still here).
//  2. The driver, right after the system call, swaps the image in (address
//     space, CPU state, decoded blocks) and calls finish_exec for what the
//     kernel resets: close-on-exec descriptors, handled signals, the
//     alternate stack, the thread's tid pointers, the process name.
#pragma once

#include <memory>
#include <string>

#include "loader/loader.h"
#include "mm/address_space.h"
#include "syscalls/syscalls.h"

namespace emu::syscalls {

struct ExecImage {
  std::unique_ptr<mm::AddressSpace> mem;
  loader::LoadedProgram program;
  std::string exe_path;   // absolute: what /proc/self/exe names from now on
  std::string comm;       // the basename of the name execve was given
};

// Step 2's kernel-side resets (see above), after the driver has switched to
// p.exec's image; clears p.exec.
void finish_exec(Process& p);

// Names the process as Linux names one that execs `path`: its basename,
// cut to 15 bytes (/proc/self/comm, PR_GET_NAME, ps). For the program on
// emu's command line too, as if the shell had run it natively.
void set_process_name(const std::string& path);

// Closes every descriptor marked close-on-exec except emu's own
// (mm/host_fd.h). Exposed for tests.
void close_on_exec_descriptors();

}  // namespace emu::syscalls
