// The host CPU as an instruction-validity and instruction-length oracle.
//
// HostInsnProbe executes the FIRST instruction of a byte string natively and
// reports how the CPU took it: #UD or not, and its length as the CPU fetches
// it. Used by the decoder fuzzer (decoder_fuzz_test.cpp) next to Capstone.
//
// How (per job, in a forked child that runs a whole batch):
//  - The bytes are placed so that they END at a page boundary, on an
//    executable page followed by an inaccessible one. Every general-purpose
//    register (and RSP) points into the middle of a private 128 KiB scratch
//    buffer, RFLAGS = IF|TF, default x87/MXCSR control words. TF makes the CPU
//    trap (#DB, SIGTRAP) right after the one instruction completes, so the
//    rest of the string never runs.
//  - Validity: the run ends in SIGILL with trap number 6 (#UD) at the
//    instruction's address, or anything else (SIGTRAP after executing it,
//    #GP/#PF/#DE/#AC..., SIGSYS for a system call).
//  - Length: placing only the first m bytes before the boundary makes the
//    CPU's fetch of the instruction fault at the boundary (#PF, error code
//    with the instruction-fetch bit) exactly when m < length; the smallest m
//    without that fault is the length. The first run places `guess` bytes
//    (the decoders' length; all n when it is short): when it neither faults
//    at the boundary nor is #UD, one more run with guess-1 bytes confirms the
//    length, otherwise a bisection over m finds it (~4 runs).
//  - Each run is started from the child's signal handler (it rewrites the
//    interrupted context and returns), so one run costs one signal delivery.
//
// Containment: the child installs a seccomp filter that turns every system
// call made from the code page (SYSCALL, INT 80h, SYSENTER: any arch) into
// SIGSYS without executing it; it makes every mapping below 4 GiB (this
// non-PIE test binary's image and heap, reachable by 67h- or disp32-
// addressing) read-only; the handler uses no TLS and no library calls, so a
// test instruction that reloads FS cannot break it. A child that dies anyway
// is replaced and the job marked ChildDied.
//
// (tests/emu/host_exec.h runs KNOWN instructions in-process from a full
// architectural state and compares results; arbitrary bytes need this
// containment, and only validity and length are wanted here.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/emu/sanitizer_build.h"

namespace emu::test {

struct HostRun {
  int signo = 0;        // the signal that ended the run (SIGTRAP: it executed)
  int si_code = 0;
  uint8_t trapno = 0;   // x86 exception vector (1 #DB, 6 #UD, 13 #GP, 14 #PF...)
  uint64_t err = 0;     // the exception's error code (page-fault bits for #PF)
  int64_t rip = 0;      // RIP at the signal, relative to the instruction's start
  uint64_t addr = 0;    // si_addr
};

struct HostProbeJob {
  uint8_t bytes[15] = {};
  uint8_t n = 15;       // bytes present (1..15)
  uint8_t guess = 0;    // expected length (first probe of the length search), 0: none
};

struct HostProbeResult {
  enum Status : uint8_t { Ok, ChildDied, Timeout };
  Status status = Ok;
  HostRun full;         // the run that decided validity (all of the instruction present)
  bool undefined = false;  // #UD at the instruction
  uint8_t length = 0;   // the CPU's length (0 when undefined or not found)
  uint8_t runs = 0;     // native executions this job took
};

// Not under AddressSanitizer (sanitizer_build.h).
inline constexpr bool kHostProbeAvailable = !kAddressSanitizer;

class HostInsnProbe {
 public:
  HostInsnProbe();   // maps the code, scratch and shared pages (throws if impossible)
  ~HostInsnProbe();
  HostInsnProbe(const HostInsnProbe&) = delete;
  HostInsnProbe& operator=(const HostInsnProbe&) = delete;

  // Runs every job; out.size() == jobs.size() afterwards.
  void run(const std::vector<HostProbeJob>& jobs, std::vector<HostProbeResult>& out);

  uint64_t native_runs() const { return native_runs_; }
  uint64_t children() const { return children_; }

  // The scratch buffer's middle: every register's value at the start of a run.
  static uint64_t scratch_pointer();

 private:
  void run_batch(const HostProbeJob* jobs, size_t count, HostProbeResult* out);
  uint64_t native_runs_ = 0;
  uint64_t children_ = 0;
};

}  // namespace emu::test
