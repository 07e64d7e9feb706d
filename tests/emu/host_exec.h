// The host CPU as the oracle: runs guest instruction bytes natively, in this
// process, from a complete architectural state, and returns the state after
// them. One runner serves every host-oracle test (integer_host_oracle,
// sse_native, the all-forms differential harness diff_*.cpp).
//
// The state is loaded whole: the 16 GPRs (RSP included), RFLAGS, and the
// x87/MMX/SSE state as an FXSAVE64 image (FXRSTOR64). The code runs from
// state.rip and ends either at an exit sequence (write_host_exit: a jump to
// a stub that saves the state, no signal involved) or with a signal: SIGSEGV,
// SIGBUS, SIGILL, SIGFPE or SIGTRAP are caught (on an alternate signal stack,
// so any RSP works) and the state is taken from the signal's ucontext.
//
// Code, data and stack live in a fixed arena below 4 GiB (host_arena()), so
// an emulated run can map guest memory at the very same addresses: pointers,
// return addresses and RIP-relative operands then compare bit for bit, and
// 32-bit addressing (0x67) reaches them too. Guard pages surround each part.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu::test {

// FXSAVE image offsets (SDM vol. 1, table 10-2).
inline constexpr size_t kFxFcw = 0, kFxFsw = 2, kFxFtw = 4, kFxFop = 6, kFxFip = 8, kFxFdp = 16, kFxMxcsr = 24,
                        kFxSt = 32, kFxXmm = 160, kFxSize = 512;

struct alignas(16) HostState {
  uint64_t gpr[16];       // indexed by emu::Reg
  uint64_t rip;           // in: where to start; out: the exit's address, or RIP at the signal
  uint64_t rflags;
  uint8_t fx[kFxSize];    // FXSAVE64 image: x87 (ST/MM), MXCSR, XMM0-15
};

struct HostOutcome {
  int signo = 0;          // 0: the code reached the exit
  int code = 0;           // si_code of the signal
  uint64_t addr = 0;      // si_addr of the signal
  HostState state{};      // after the run (at the signal: its ucontext)
};

struct HostArena {
  uint8_t* base;          // the whole reservation (PROT_NONE around the parts)
  size_t size;
  uint8_t* code;          // RWX
  size_t code_size;
  uint8_t* data;          // RW
  size_t data_size;
  uint8_t* stack;         // RW
  size_t stack_size;
};
// Mapped on first use at a fixed address (fails loudly if that is taken).
const HostArena& host_arena();

// Writes the exit sequence at `at`: `jmp [rip+d]` and the stub's address in
// the next 8-byte-aligned slot (aligned, so a guest that set RFLAGS.AC does
// not fault on it). Returns the bytes used, at most kHostExitLen. A run's
// HostOutcome reports state.rip = the last exit written.
inline constexpr size_t kHostExitLen = 21;
size_t write_host_exit(uint8_t* at);

// Installs the catching signal handlers and the alternate stack; restores
// the previous ones when the outermost scope ends (scopes nest cheaply).
class HostSignalScope {
 public:
  HostSignalScope();
  ~HostSignalScope();
  HostSignalScope(const HostSignalScope&) = delete;
  HostSignalScope& operator=(const HostSignalScope&) = delete;
};

// Runs from in.rip (see above). A HostSignalScope must be alive.
HostOutcome run_on_host(const HostState& in);

// An FXSAVE image of the state after FNINIT with the given MXCSR and zeroed
// XMM registers.
void default_fx(uint8_t* fx, uint32_t mxcsr);

}  // namespace emu::test
