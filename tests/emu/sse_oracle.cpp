#include "tests/emu/sse_oracle.h"

#include <csignal>
#include <optional>

#include "emu/ops/sse_state.h"

namespace emu::test {

std::vector<uint8_t> encode_insn(std::span<const uint8_t> prefixes, bool w, uint8_t map, uint8_t op, uint8_t reg,
                                 uint8_t rm, bool mem, uint8_t disp, int imm) {
  std::vector<uint8_t> b(prefixes.begin(), prefixes.end());
  const uint8_t rex = uint8_t((w ? 8 : 0) | (reg & 8 ? 4 : 0) | (!mem && (rm & 8) ? 1 : 0));
  if (rex) b.push_back(0x40 | rex);
  b.push_back(0x0F);
  if (map == 2) b.push_back(0x38);
  if (map == 3) b.push_back(0x3A);
  b.push_back(op);
  if (mem) {
    b.push_back(uint8_t(0x40 | (reg & 7) << 3 | 6));  // [rsi + disp8]
    b.push_back(disp);
  } else {
    b.push_back(uint8_t(0xC0 | (reg & 7) << 3 | (rm & 7)));
  }
  if (imm >= 0) b.push_back(uint8_t(imm));
  return b;
}

std::string hex(const std::vector<uint8_t>& v) {
  std::string s;
  for (uint8_t x : v) s += fmt::format("{:02x} ", x);
  return s;
}

namespace {
std::string xmm_str(const Xmm& x) { return fmt::format("{:016x}:{:016x}", x.q[1], x.q[0]); }
}  // namespace

void set_x87_state(X87& x, const NativeState& n) {
  x.fcw = n.fcw;
  x.top = uint8_t((n.fsw >> 11) & 7);
  x.fsw = uint16_t(n.fsw & ~(7 << 11));
  x.valid = n.ftw;
  x.fop = x.fcs = 0;
  x.fip = x.fdp = 0;
  for (int r = 0; r < 8; r++) {
    x.st[r] = 0;
    std::memcpy(&x.st[r], &n.st_mant[r], 8);
    std::memcpy(reinterpret_cast<uint8_t*>(&x.st[r]) + 8, &n.st_se[r], 2);
  }
}

std::string x87_state_diff(const X87& x, const NativeState& n) {
  std::string err;
  const uint16_t fsw = uint16_t(x.fsw | x.top << 11);
  if (x.fcw != n.fcw) err += fmt::format("  fcw: emu {:#06x} host {:#06x}\n", x.fcw, n.fcw);
  if (fsw != n.fsw) err += fmt::format("  fsw: emu {:#06x} host {:#06x}\n", fsw, n.fsw);
  if (x.valid != n.ftw) err += fmt::format("  ftw (valid bits): emu {:#04x} host {:#04x}\n", x.valid, n.ftw);
  for (int r = 0; r < 8; r++) {
    uint64_t m;
    uint16_t se;
    std::memcpy(&m, &x.st[r], 8);
    std::memcpy(&se, reinterpret_cast<const uint8_t*>(&x.st[r]) + 8, 2);
    if (m != n.st_mant[r] || se != n.st_se[r])
      err += fmt::format("  R{}/mm{}: emu {:04x}:{:016x} host {:04x}:{:016x}\n", r, r, se, m, n.st_se[r],
                         n.st_mant[r]);
  }
  return err;
}

std::string compare_with_host(Harness& h, const char* name, const std::vector<uint8_t>& code, NativeState n,
                              uint8_t* buf, bool in_env) {
  const uint32_t mxcsr_in = n.mxcsr;
  // The emulator.
  h.set_code(code);
  for (int i = 0; i < 16; i++) {
    h.cpu.xmm[i] = n.xmm[i];
    h.cpu.gpr[i] = n.gpr[i];
  }
  h.cpu.gpr[RSP] = Harness::kStackTop;
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.cpu.gpr[RDI] = Harness::kDataAddr + kRdiOff;
  h.set_rflags(n.rflags | 2);
  h.cpu.mxcsr = n.mxcsr;
  set_x87_state(h.cpu.x87, n);
  h.write(Harness::kDataAddr, buf, kOracleBuf);
  std::optional<mm::GuestFault> fault;
  if (in_env) {
    GuestFpEnv env(h.cpu);
    fault = h.run_fault();
  } else {
    fault = h.run_fault();
  }

  // The host.
  n.gpr[RSI] = reinterpret_cast<uint64_t>(buf);
  n.gpr[RDI] = reinterpret_cast<uint64_t>(buf) + kRdiOff;
  run_native(n, code);

  std::string err;
  if (fault) err += fmt::format("  emulator fault: signal {} code {:#x}\n", fault->signo, fault->code);
  for (int i = 0; i < 16; i++)
    if (std::memcmp(&h.cpu.xmm[i], &n.xmm[i], 16) != 0)
      err += fmt::format("  xmm{}: emu {} host {}\n", i, xmm_str(h.cpu.xmm[i]), xmm_str(n.xmm[i]));
  for (int i = 0; i < 16; i++) {
    if (i == RSP || i == RSI || i == RDI) continue;
    if (h.cpu.gpr[i] != n.gpr[i]) err += fmt::format("  gpr{}: emu {:#x} host {:#x}\n", i, h.cpu.gpr[i], n.gpr[i]);
  }
  if ((h.rflags() & kArithFlags) != (n.rflags & kArithFlags))
    err += fmt::format("  rflags: emu {:#x} host {:#x}\n", h.rflags() & kArithFlags, n.rflags & kArithFlags);
  err += x87_state_diff(h.cpu.x87, n);
  const uint32_t emx = guest_mxcsr(h.cpu);
  if (emx != n.mxcsr) err += fmt::format("  mxcsr: emu {:#x} host {:#x}\n", emx, n.mxcsr);
  uint8_t ebuf[kOracleBuf];
  h.read(Harness::kDataAddr, ebuf, kOracleBuf);
  for (size_t i = 0; i < kOracleBuf; i++)
    if (ebuf[i] != buf[i]) {
      err += fmt::format("  memory differs at +{}: emu {:#04x} host {:#04x}\n", i, ebuf[i], buf[i]);
      break;
    }
  if (err.empty()) return err;
  return fmt::format("{} [{}] {} GuestFpEnv, mxcsr in {:#x}\n{}", name, hex(code), in_env ? "in" : "outside",
                     mxcsr_in, err);
}

void check_alignment_fault_like_host(Harness& h, const char* name, const std::vector<uint8_t>& code,
                                     bool must_align) {
  alignas(16) uint8_t buf[64] = {};
  NativeState n{};
  n.mxcsr = 0x1f80;
  n.gpr[RSI] = reinterpret_cast<uint64_t>(buf);
  const int host_sig = run_native_signal(n, code);
  h.set_code(code);
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.cpu.gpr[RAX] = h.cpu.gpr[RDX] = 0;  // PCMPESTRx lengths, as natively
  h.cpu.mxcsr = 0x1f80;
  const auto f = h.run_fault();
  INFO(name << " [" << hex(code) << "]");
  CHECK((f ? f->signo : 0) == host_sig);
  CHECK((host_sig == SIGSEGV) == must_align);
}

void check_sigill_like_host(Harness& h, const std::vector<uint8_t>& code) {
  alignas(16) uint8_t buf[64] = {};
  NativeState n{};
  n.mxcsr = 0x1f80;
  n.gpr[RSI] = reinterpret_cast<uint64_t>(buf);
  INFO("[" << hex(code) << "]");
  CHECK(run_native_signal(n, code) == SIGILL);
  h.set_code(code);
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  const auto f = h.run_fault();
  REQUIRE(f);
  CHECK(f->signo == SIGILL);
  CHECK(f->addr == Harness::kCodeAddr);
}

}  // namespace emu::test
