// Unmasked x87 exceptions against the host CPU (tests/emu/sse_native.h runs
// the same bytes natively from the same x87 state): which instructions
// deliver a pending exception (the waiting ones), the SIGFPE si_code Linux
// gives for each exception, and the address it reports (the waiting
// instruction, not the one that raised the exception).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "emu/bind.h"
#include "emu/decoder.h"
#include "emu/ops/control.h"
#include "tests/emu/harness.h"
#include "tests/emu/sse_native.h"
#include "tests/emu/sse_oracle.h"

namespace emu::test {
namespace {

struct Outcome {
  int signo = 0;
  int code = 0;
  uint64_t offset = 0;
};

// An x87 state with exceptions `pending` raised (ES set when any of them is
// unmasked) under control word `fcw`; ST0..ST7 hold 1.0, TOP 0, all valid.
NativeState state(uint16_t fcw, uint16_t pending) {
  NativeState n{};
  n.fcw = fcw;
  n.fsw = pending;
  if (pending & ~fcw & 0x3f) n.fsw |= 0x8080;  // ES, B
  n.ftw = 0xff;
  for (int r = 0; r < 8; r++) {
    n.st_mant[r] = 0x8000000000000000;
    n.st_se[r] = 0x3fff;
  }
  return n;
}

Outcome native(NativeState n, const std::vector<uint8_t>& code) {
  alignas(16) static uint8_t buf[kOracleBuf];
  std::memset(buf, 0, sizeof buf);
  n.gpr[RSI] = reinterpret_cast<uint64_t>(buf);
  n.gpr[RDI] = reinterpret_cast<uint64_t>(buf) + kRdiOff;
  Outcome o;
  o.signo = run_native_signal(n, code, &o.code, &o.offset);
  return o;
}

Outcome emulated(Harness& h, const NativeState& n, const std::vector<uint8_t>& code) {
  h.set_code(code);
  h.cpu.x87 = X87{};
  h.cpu.x87.fcw = n.fcw;
  h.cpu.x87.fsw = uint16_t(n.fsw & ~0x3800);
  h.cpu.x87.top = 0;
  h.cpu.x87.valid = n.ftw;
  for (int r = 0; r < 8; r++) {
    std::memcpy(&h.cpu.x87.st[r], &n.st_mant[r], 8);
    std::memcpy(reinterpret_cast<uint8_t*>(&h.cpu.x87.st[r]) + 8, &n.st_se[r], 2);
  }
  h.cpu.gpr[RSI] = Harness::kDataAddr;
  h.cpu.gpr[RDI] = Harness::kDataAddr + kRdiOff;
  Outcome o;
  if (const auto f = h.run_fault()) {
    o.signo = f->signo;
    o.code = f->code;
    o.offset = f->addr - Harness::kCodeAddr;
  }
  return o;
}

std::string describe(const Outcome& o) {
  return o.signo ? fmt::format("signal {} code {} at +{}", o.signo, o.code, o.offset) : "no signal";
}

bool binds(const std::vector<uint8_t>& b) {
  Decoded d;
  if (decode_insn(b.data(), b.size(), 0, d) != DecodeStatus::Ok) return false;
  return bind(d).fn != op_invalid;
}

// Every x87 encoding: register forms, memory forms ([rsi]) and FWAIT.
std::vector<std::vector<uint8_t>> every_x87_encoding() {
  std::vector<std::vector<uint8_t>> all = {{0x9B}};
  for (unsigned esc = 0xD8; esc <= 0xDF; esc++) {
    for (unsigned m = 0xC0; m <= 0xFF; m++)
      if (binds({uint8_t(esc), uint8_t(m)})) all.push_back({uint8_t(esc), uint8_t(m)});
    for (unsigned r = 0; r < 8; r++)
      if (binds({uint8_t(esc), uint8_t(r << 3 | 6)})) all.push_back({uint8_t(esc), uint8_t(r << 3 | 6)});
  }
  return all;
}

}  // namespace

TEST_CASE("a pending unmasked x87 exception is delivered by exactly the waiting instructions", "[x87][oracle]") {
  Harness h;
  // ZE raised and unmasked: what an unmasked 1/0 leaves.
  const NativeState n = state(0x037b, 0x0004);
  int delivered = 0, total = 0;
  for (const auto& insn : every_x87_encoding()) {
    std::vector<uint8_t> code = {0x90};  // the fault's offset must be the instruction's, 1
    code.insert(code.end(), insn.begin(), insn.end());
    const Outcome host = native(n, code), emu = emulated(h, n, code);
    INFO(hex(insn));
    CHECK(describe(emu) == describe(host));
    ++total;
    delivered += host.signo == SIGFPE;
  }
  WARN(fmt::format("{} x87 encodings: {} deliver the pending exception", total, delivered));
  CHECK(delivered > 0);
}

TEST_CASE("the si_code of a delivered x87 exception is Linux's for the first unmasked flag", "[x87][oracle]") {
  Harness h;
  struct Pending {
    uint16_t fcw, flags;
  };
  const Pending cases[] = {
      {0x037e, 0x01}, {0x037e, 0x41}, {0x037e, 0x241},  // IE: invalid, stack underflow, overflow
      {0x037d, 0x02}, {0x037b, 0x04}, {0x0377, 0x08},    // DE, ZE, OE
      {0x036f, 0x10}, {0x035f, 0x20},                    // UE, PE
      {0x0360, 0x3f}, {0x0360, 0x24}, {0x0360, 0x30},    // several: the first in Linux's order
      {0x0373, 0x2c}, {0x037b, 0x25},                    // masked ones raised too (IE, PE)
  };
  for (const Pending& p : cases)
    for (const std::vector<uint8_t>& code : {std::vector<uint8_t>{0x90, 0x9B}, {0x90, 0xD8, 0xC1}}) {
      const NativeState n = state(p.fcw, p.flags);
      const Outcome host = native(n, code), emu = emulated(h, n, code);
      INFO(fmt::format("fcw {:#06x} flags {:#04x} [{}]", p.fcw, p.flags, hex(code)));
      CHECK(host.signo == SIGFPE);
      CHECK(describe(emu) == describe(host));
    }
}

}  // namespace emu::test
