// See sse_native.h: a thin adapter over the shared host runner (host_exec.h).
#include "tests/emu/sse_native.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "tests/emu/host_exec.h"

namespace emu::test {
namespace {

// The x87/MMX fields of NativeState to and from an FXSAVE image, whose
// register slots are in stack order (slot i holds ST(i) = R((TOP + i) & 7)).
void put_x87(uint8_t* fx, const NativeState& s) {
  std::memcpy(fx + kFxFcw, &s.fcw, 2);
  std::memcpy(fx + kFxFsw, &s.fsw, 2);
  fx[kFxFtw] = s.ftw;
  const unsigned top = (s.fsw >> 11) & 7;
  for (unsigned i = 0; i < 8; i++) {
    const unsigned r = (top + i) & 7;
    std::memcpy(fx + kFxSt + 16 * i, &s.st_mant[r], 8);
    std::memcpy(fx + kFxSt + 16 * i + 8, &s.st_se[r], 2);
  }
}

void get_x87(const uint8_t* fx, NativeState& s) {
  std::memcpy(&s.fcw, fx + kFxFcw, 2);
  std::memcpy(&s.fsw, fx + kFxFsw, 2);
  s.ftw = fx[kFxFtw];
  const unsigned top = (s.fsw >> 11) & 7;
  for (unsigned i = 0; i < 8; i++) {
    const unsigned r = (top + i) & 7;
    std::memcpy(&s.st_mant[r], fx + kFxSt + 16 * i, 8);
    std::memcpy(&s.st_se[r], fx + kFxSt + 16 * i + 8, 2);
  }
}

// Runs `code` from `s` through the host runner; copies the result back into
// `s` when the code reached its end; returns the signal otherwise.
int run(NativeState& s, const std::vector<uint8_t>& code, int* si_code = nullptr, uint64_t* offset = nullptr) {
  const HostArena& a = host_arena();
  if (code.size() + kHostExitLen > a.code_size) throw std::runtime_error("run_native: code too large");
  std::memcpy(a.code, code.data(), code.size());
  write_host_exit(a.code + code.size());
  HostState in{};
  std::memcpy(in.gpr, s.gpr, sizeof in.gpr);
  in.gpr[RSP] = reinterpret_cast<uint64_t>(a.stack + a.stack_size - 64);
  in.rip = reinterpret_cast<uint64_t>(a.code);
  in.rflags = (s.rflags & 0x8d5) | 0x202;
  default_fx(in.fx, s.mxcsr);
  std::memcpy(in.fx + kFxXmm, s.xmm, sizeof s.xmm);
  put_x87(in.fx, s);
  HostSignalScope scope;
  const HostOutcome out = run_on_host(in);
  if (out.signo) {
    if (si_code) *si_code = out.code;
    if (offset) *offset = out.addr - in.rip;
    get_x87(out.state.fx, s);  // the x87/MMX state at the signal
    return out.signo;
  }
  const uint64_t rsp = s.gpr[RSP];
  std::memcpy(s.gpr, out.state.gpr, sizeof s.gpr);
  s.gpr[RSP] = rsp;
  s.rflags = out.state.rflags;
  std::memcpy(&s.mxcsr, out.state.fx + kFxMxcsr, 4);
  std::memcpy(s.xmm, out.state.fx + kFxXmm, sizeof s.xmm);
  get_x87(out.state.fx, s);
  return 0;
}

}  // namespace

void run_native(NativeState& s, const std::vector<uint8_t>& code) {
  if (const int sig = run(s, code)) throw std::runtime_error("run_native: signal " + std::to_string(sig));
}

int run_native_signal(NativeState& s, const std::vector<uint8_t>& code, int* si_code, uint64_t* offset) {
  return run(s, code, si_code, offset);
}

}  // namespace emu::test
