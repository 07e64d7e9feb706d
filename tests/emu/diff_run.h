// Runs a DiffCase (diff_case.h) on the host and in emu and compares the
// outcomes: where execution stopped (RIP, or the signal with its si_code,
// fault address and RIP), all 16 GPRs, RFLAGS (arithmetic flags as the
// form's rule says, DF, TF, IF, IOPL, AC, ID), x87 FCW/FSW/abridged
// FTW and ST0-7 (80 bits each), MXCSR, XMM0-15, and the data and stack
// pages byte for byte, and the code page outside the instruction's window
// (then put back to INT3s for the next case). A faulting case is compared the same way: the host's
// state is its signal context, emu's the CPU at the fault.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/emu/diff_case.h"
#include "emu/cpu.h"
#include "emu/interpreter.h"
#include "mm/address_space.h"
#include "tests/emu/host_exec.h"

namespace emu::test {

struct RunResult {
  int signo = 0;          // 0: completed (stopped at an INT3 of the code page, or the host exit)
  int code = 0;           // the signal's si_code
  uint64_t addr = 0;      // the signal's si_addr
  HostState state{};      // after; state.rip: where it continued, or the signal's RIP
  std::vector<uint8_t> data, stack;
  std::vector<uint8_t> code_page;  // after the run (an instruction may store into it)
};

// The emulated side maps exactly the host arena (host_exec.h) at the same
// addresses and nothing else, so an address outside it faults in both runs
// (the test executable is a PIE: the host has nothing else below 4 GiB).
class DiffMachine {
 public:
  DiffMachine();
  ~DiffMachine();
  RunResult run_host(const DiffCase& c);
  RunResult run_emu(const DiffCase& c);

 private:
  mm::AddressSpace mem_;
  Cpu cpu_;
  std::unique_ptr<Interpreter> interp_;
  HostSignalScope scope_;
};

struct FormRule;

// "" when the runs agree under `rule` (may be null), else what differs.
std::string compare_runs(const DiffCase& c, const RunResult& host, const RunResult& emu, const FormRule* rule);

// The case for a report: bytes, Capstone's disassembly and the inputs.
std::string describe_case(const DiffCase& c);

}  // namespace emu::test
