// x87 state images: FNSTENV/FLDENV, FNSAVE/FRSTOR (and the FXSAVE part).
#include "emu/bind.h"
#include "emu/ops/sse_common.h"
#include "emu/ops/x87.h"
#include "emu/ops/x87_state.h"

namespace emu {

namespace {
void put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
void put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
uint16_t get16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint32_t get32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t get64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
void put80(uint8_t* p, long double v) {
  put32(p, uint32_t(x87::mant(v)));
  put32(p + 4, uint32_t(x87::mant(v) >> 32));
  put16(p + 8, x87::se(v));
}
long double get80(const uint8_t* p) { return x87::make80(get16(p + 8), get64(p)); }

// Control and status words from an image (see x87::loaded_fcw/loaded_fsw).
void set_fcw_fsw(Cpu& cpu, uint16_t cw, uint16_t sw) {
  cpu.x87.fcw = x87::loaded_fcw(cw);
  cpu.x87.top = (sw >> 11) & 7;
  cpu.x87.fsw = x87::loaded_fsw(uint16_t(sw & ~x87::kTopMask), cpu.x87.fcw);
}
}  // namespace

void x87_store_env(const Cpu& cpu, uint8_t* out) {
  put32(out + 0, 0xffff0000u | cpu.x87.fcw);
  put32(out + 4, 0xffff0000u | x87::status_word(cpu));
  put32(out + 8, 0xffff0000u | x87::full_tags(cpu));
  put32(out + 12, uint32_t(cpu.x87.fip));
  put32(out + 16, uint32_t(cpu.x87.fop & 0x7ff) << 16 | cpu.x87.fcs);
  put32(out + 20, uint32_t(cpu.x87.fdp));
  put32(out + 24, 0xffff0000u);
}

void x87_store_regs(const Cpu& cpu, uint8_t* out) {
  for (unsigned i = 0; i < 8; i++) put80(out + 10 * i, cpu.x87.st[(cpu.x87.top + i) & 7]);
}

void x87_load_env(Cpu& cpu, const uint8_t* in) {
  set_fcw_fsw(cpu, get16(in), get16(in + 4));
  const uint16_t tw = get16(in + 8);
  uint8_t valid = 0;
  for (unsigned r = 0; r < 8; r++)
    if ((tw >> (2 * r) & 3) != 3) valid |= uint8_t(1u << r);
  cpu.x87.valid = valid;
  cpu.x87.fip = get32(in + 12);
  cpu.x87.fop = (get16(in + 18)) & 0x7ff;
  cpu.x87.fcs = get16(in + 16);
  cpu.x87.fdp = get32(in + 20);
}

void x87_load_regs(Cpu& cpu, const uint8_t* in) {
  for (unsigned i = 0; i < 8; i++) cpu.x87.st[(cpu.x87.top + i) & 7] = get80(in + 10 * i);
}

void x87_fx_save(const Cpu& cpu, uint8_t* a) {
  put16(a + 0, cpu.x87.fcw);
  put16(a + 2, x87::status_word(cpu));
  a[4] = cpu.x87.valid;
  a[5] = 0;
  // FOP, FIP, FDP: written only while an exception is pending (ES), zeros
  // otherwise, as this AMD host does (what Linux calls X86_BUG_FXSAVE_LEAK;
  // FNSTENV/FNSAVE always store them). Measured: tests/emu/x87_oracle_test.cpp.
  const bool pending = cpu.x87.fsw & x87::kES;
  const uint64_t fip = pending ? cpu.x87.fip : 0, fdp = pending ? cpu.x87.fdp : 0;
  put16(a + 6, pending ? cpu.x87.fop : 0);
  std::memcpy(a + 8, &fip, 8);
  std::memcpy(a + 16, &fdp, 8);
  for (unsigned i = 0; i < 8; i++) {
    std::memset(a + 32 + 16 * i, 0, 16);
    put80(a + 32 + 16 * i, cpu.x87.st[(cpu.x87.top + i) & 7]);
  }
}

void x87_fx_load(Cpu& cpu, const uint8_t* a) {
  set_fcw_fsw(cpu, get16(a), get16(a + 2));
  cpu.x87.valid = a[4];
  cpu.x87.fop = get16(a + 6) & 0x7ff;
  cpu.x87.fcs = 0;  // the 64-bit image has none; the host's FNSAVE shows 0 after FXRSTOR64
  cpu.x87.fip = get64(a + 8);
  cpu.x87.fdp = get64(a + 16);
  for (unsigned i = 0; i < 8; i++) cpu.x87.st[(cpu.x87.top + i) & 7] = get80(a + 32 + 16 * i);
}

namespace x87 {

void raise_pending(const Cpu& cpu, const Insn& in) {
  // The exception bits are MXCSR's, and Linux maps both the same way.
  sse::raise_simd_fp(cpu, in, cpu.x87.fsw & ~cpu.x87.fcw & kExc);
}

namespace {

// FNSTENV m28: then masks every exception (SDM vol. 2, FSTENV).
void fnstenv(Cpu& cpu, const Insn& in) {
  uint8_t buf[kX87EnvSize];
  x87_store_env(cpu, buf);
  const uint64_t a = effective_address(cpu, in);
  probe_fpu_image(cpu, a, sizeof buf, true);
  // 4 bytes at a time: an 8-byte read at buf + 24 would run past the image
  // (found by AddressSanitizer under the decoder fuzz test).
  for (size_t i = 0; i < sizeof buf; i += 4) store<uint32_t>(cpu, a + i, get32(buf + i));
  cpu.x87.fcw |= 0x3f;
}

void fldenv(Cpu& cpu, const Insn& in) {
  wait(cpu, in);
  uint8_t buf[kX87EnvSize + 4] = {};
  const uint64_t a = effective_address(cpu, in);
  probe_fpu_image(cpu, a, kX87EnvSize, false);
  for (size_t i = 0; i < kX87EnvSize; i += 4) {
    const uint32_t v = load<uint32_t>(cpu, a + i);
    std::memcpy(buf + i, &v, 4);
  }
  x87_load_env(cpu, buf);
}

// FNSAVE m108: then FNINIT (the registers keep their contents).
void fnsave(Cpu& cpu, const Insn& in) {
  uint8_t buf[kX87SaveSize + 4] = {};
  x87_store_env(cpu, buf);
  x87_store_regs(cpu, buf + kX87EnvSize);
  const uint64_t a = effective_address(cpu, in);
  probe_fpu_image(cpu, a, kX87SaveSize, true);
  for (size_t i = 0; i < kX87SaveSize; i += 4) store<uint32_t>(cpu, a + i, get32(buf + i));
  init_keeping_registers(cpu.x87);
}

void frstor(Cpu& cpu, const Insn& in) {
  wait(cpu, in);
  uint8_t buf[kX87SaveSize + 4] = {};
  const uint64_t a = effective_address(cpu, in);
  probe_fpu_image(cpu, a, kX87SaveSize, false);
  for (size_t i = 0; i < kX87SaveSize; i += 4) {
    const uint32_t v = load<uint32_t>(cpu, a + i);
    std::memcpy(buf + i, &v, 4);
  }
  x87_load_env(cpu, buf);
  x87_load_regs(cpu, buf + kX87EnvSize);
}

}  // namespace

bool bind_env(const Decoded& d, Insn& out) {
  if (d.mod == 3) return false;
  const unsigned r = d.reg & 7;
  if (d.opcode == 0xD9 && r == 4) return out.fn = fldenv, true;
  if (d.opcode == 0xD9 && r == 6) return out.fn = fnstenv, true;
  if (d.opcode == 0xDD && r == 4) return out.fn = frstor, true;
  if (d.opcode == 0xDD && r == 6) return out.fn = fnsave, true;
  return false;
}

}  // namespace x87
}  // namespace emu
