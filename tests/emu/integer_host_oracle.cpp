#include "tests/emu/integer_host_oracle.h"

#include <cstring>
#include <random>
#include <stdexcept>

#include "tests/emu/harness.h"
#include "tests/emu/host_exec.h"

namespace emu::test {
namespace {

const Reg kRegIds[kOracleRegs] = {RAX, RCX, RDX, RBX, RSI, RDI, R8, R9};

}  // namespace

OracleResult run_native(const std::vector<uint8_t>& code, const OracleState& in, bool use_mem) {
  const HostArena& a = host_arena();
  std::memcpy(a.code, code.data(), code.size());
  write_host_exit(a.code + code.size());
  alignas(16) uint64_t mem[2] = {in.mem[0], in.mem[1]};
  HostState hs{};
  for (int i = 0; i < kOracleRegs; ++i) hs.gpr[kRegIds[i]] = in.r[i];
  if (use_mem) hs.gpr[RBX] = reinterpret_cast<uint64_t>(mem);
  hs.gpr[RSP] = reinterpret_cast<uint64_t>(a.stack + a.stack_size - 64);
  hs.rip = reinterpret_cast<uint64_t>(a.code);
  hs.rflags = (in.rflags & 0x8d5) | 0x202;
  default_fx(hs.fx, 0x1f80);
  HostSignalScope scope;
  const HostOutcome out = run_on_host(hs);
  OracleResult res;
  res.state = in;
  res.signo = out.signo;
  if (!out.signo) {
    for (int i = 0; i < kOracleRegs; ++i) res.state.r[i] = out.state.gpr[kRegIds[i]];
    res.state.rflags = out.state.rflags;
  }
  res.state.mem[0] = mem[0];
  res.state.mem[1] = mem[1];
  return res;
}

Oracle::Oracle() = default;
Oracle::~Oracle() = default;

namespace {

const char* const kRegNames[kOracleRegs] = {"rax", "rcx", "rdx", "rbx", "rsi", "rdi", "r8", "r9"};

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

std::string describe(const OracleState& s) {
  std::string out;
  for (int i = 0; i < kOracleRegs; ++i) out += std::string(kRegNames[i]) + "=" + hex(s.r[i]) + " ";
  out += "fl=" + hex(s.rflags & 0x8d5) + " mem=" + hex(s.mem[0]) + "," + hex(s.mem[1]);
  return out;
}

}  // namespace

int Oracle::compare(const OracleCase& c, const std::vector<OracleState>& inputs, std::string& report) {
  HostSignalScope scope;  // once for all inputs
  Harness h(c.code);
  int bad = 0;
  for (const OracleState& in : inputs) {
    const OracleResult native = run_native(c.code, in, c.use_mem);

    h.cpu.rip = Harness::kCodeAddr;
    for (int i = 0; i < kOracleRegs; ++i) h.cpu.gpr[kRegIds[i]] = in.r[i];
    if (c.use_mem) {
      h.cpu.gpr[RBX] = Harness::kDataAddr;
      h.write(Harness::kDataAddr, in.mem, sizeof in.mem);
    }
    h.set_rflags((in.rflags & 0x8d5) | 0x202);
    const std::optional<mm::GuestFault> fault = h.run_fault();
    OracleState emu;
    for (int i = 0; i < kOracleRegs; ++i) emu.r[i] = h.cpu.gpr[kRegIds[i]];
    emu.rflags = h.rflags();
    if (c.use_mem) h.read(Harness::kDataAddr, emu.mem, sizeof emu.mem);
    else std::memcpy(emu.mem, native.state.mem, sizeof emu.mem);
    ++compared_;

    bool ok = (fault ? fault->signo : 0) == native.signo;
    if (ok && native.signo == 0) {
      for (int i = 0; i < kOracleRegs; ++i)
        if (!(c.use_mem && i == 3) && emu.r[i] != native.state.r[i]) ok = false;
      if ((emu.rflags ^ native.state.rflags) & c.flag_mask) ok = false;
      if (emu.mem[0] != native.state.mem[0] || emu.mem[1] != native.state.mem[1]) ok = false;
    }
    if (!ok) {
      if (++bad <= 5) {
        report += c.name + "\n  in:     " + describe(in) + "\n  native: " +
                  (native.signo ? "signal " + std::to_string(native.signo) : describe(native.state)) +
                  "\n  emu:    " + (fault ? "signal " + std::to_string(fault->signo) : describe(emu)) + "\n";
      }
    }
  }
  return bad;
}

std::vector<uint64_t> edge_values() {
  return {0,
          1,
          2,
          ~uint64_t{0},
          0x7f,
          0x80,
          0xff,
          0x100,
          0x7fff,
          0x8000,
          0xffff,
          0x10000,
          0x7fffffff,
          0x80000000,
          0xffffffff,
          0x100000000,
          0x7fffffffffffffff,
          0x8000000000000000,
          0x0f0f0f0f0f0f0f0f,
          0xfffffffffffffffe,
          0xffffffff80000000,
          0xffffffffffff8000,
          0xffffffffffffff80};
}

std::vector<OracleState> make_inputs(int random_count, uint64_t seed, bool vary_rcx_as_count) {
  std::mt19937_64 rng(seed);
  std::vector<OracleState> out;
  const std::vector<uint64_t> edges = edge_values();
  auto fill_rest = [&](OracleState& s) {
    for (int i = 2; i < kOracleRegs; ++i) s.r[i] = rng();
    s.mem[0] = rng();
    s.mem[1] = rng();
  };
  const uint64_t counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};
  for (uint64_t fl : {uint64_t{0x202}, uint64_t{0x202 | 0x8d5}}) {
    for (uint64_t a : edges) {
      for (uint64_t b : edges) {
        OracleState s;
        fill_rest(s);
        s.r[0] = a;
        s.r[1] = b;
        s.r[2] = b;  // RDX: second operand for some encodings / the high half
        s.r[3] = b;
        s.mem[0] = b;
        s.rflags = fl;
        if (vary_rcx_as_count) s.r[1] = counts[(a * 7 + b) % (sizeof counts / sizeof counts[0])];
        out.push_back(s);
      }
      if (vary_rcx_as_count) {
        for (uint64_t cnt : counts) {
          OracleState s;
          fill_rest(s);
          s.r[0] = a;
          s.r[1] = cnt;
          s.rflags = fl;
          out.push_back(s);
        }
      }
    }
  }
  for (int i = 0; i < random_count; ++i) {
    OracleState s;
    fill_rest(s);
    // mix of full-width randoms and small values
    s.r[0] = (i & 3) == 0 ? rng() & 0xff : rng();
    s.r[1] = vary_rcx_as_count ? rng() & 0xff : ((i & 3) == 1 ? rng() & 0xffff : rng());
    s.r[2] = (i & 7) == 2 ? 0 : rng();
    s.r[3] = rng();
    s.mem[0] = rng();
    s.rflags = 0x202 | (rng() & 0x8d5);
    out.push_back(s);
  }
  return out;
}

}  // namespace emu::test
