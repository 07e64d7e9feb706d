// SSE state: the guest/host MXCSR protocol (sse_state.h), LDMXCSR, STMXCSR,
// FXSAVE, FXRSTOR, and the faults SSE raises (#GP, #XM).
#include <cstddef>

#include "emu/ops/sse_common.h"
#include "emu/ops/x87_state.h"

namespace emu {

namespace sse {
thread_local constinit FpThread tls_fp __attribute__((tls_model("initial-exec"))) = {false};
}  // namespace sse

using sse::tls_fp;

GuestFpEnv::GuestFpEnv(Cpu& cpu)
    : cpu_(cpu), host_mxcsr_(_mm_getcsr()), outer_live_(tls_fp.live), outer_fast_(cpu.fp_fast) {
  if (outer_live_) cpu.mxcsr |= host_mxcsr_ & kMxcsrFlags;
  _mm_setcsr((cpu.mxcsr | kMxcsrMasks) & kMxcsrMask);
  tls_fp.live = true;
  cpu.fp_fast = (cpu.mxcsr & kMxcsrMasks) == kMxcsrMasks;
}

GuestFpEnv::~GuestFpEnv() {
  cpu_.mxcsr |= _mm_getcsr() & kMxcsrFlags;
  tls_fp.live = outer_live_;
  if (outer_live_) {
    // Nested entry on the same thread: the outer scope continues with the
    // guest state as it is now, not as it was when this one started.
    _mm_setcsr((cpu_.mxcsr | kMxcsrMasks) & kMxcsrMask);
    cpu_.fp_fast = (cpu_.mxcsr & kMxcsrMasks) == kMxcsrMasks;
  } else {
    _mm_setcsr(host_mxcsr_);
    cpu_.fp_fast = outer_fast_;
  }
}

uint32_t guest_mxcsr(const Cpu& cpu) {
  // While live, the host's flags are a superset of cpu.mxcsr's.
  if (tls_fp.live) return cpu.mxcsr | (_mm_getcsr() & kMxcsrFlags);
  return cpu.mxcsr;
}

void set_guest_mxcsr(Cpu& cpu, uint32_t value) {
  cpu.mxcsr = value;
  if (tls_fp.live) {
    _mm_setcsr((value | kMxcsrMasks) & kMxcsrMask);
    cpu.fp_fast = (value & kMxcsrMasks) == kMxcsrMasks;
  }
}

namespace sse {

void raise_gp() { throw mm::GuestFault{SIGSEGV, mm::kSiKernel, 0}; }

void raise_simd_fp(const Cpu& cpu, const Insn& in, uint32_t unmasked) {
  // Linux's si_code for #XM: the first of these, in this order.
  constexpr int kFltDiv = 3, kFltOvf = 4, kFltUnd = 5, kFltRes = 6, kFltInv = 7;
  int code = 0;
  if (unmasked & 0x01) code = kFltInv;
  else if (unmasked & 0x04) code = kFltDiv;
  else if (unmasked & 0x08) code = kFltOvf;
  else if (unmasked & 0x12) code = kFltUnd;  // denormal or underflow
  else if (unmasked & 0x20) code = kFltRes;
  throw mm::GuestFault{SIGFPE, code, insn_addr(cpu, in)};
}

namespace {

// LDMXCSR m32: setting a bit outside MXCSR_MASK is #GP.
void ldmxcsr(Cpu& cpu, const Insn& in) {
  const uint32_t v = load<uint32_t>(cpu, effective_address(cpu, in));
  if (v & ~kMxcsrMask) raise_gp();
  set_guest_mxcsr(cpu, v);
}

// STMXCSR m32.
void stmxcsr(Cpu& cpu, const Insn& in) { store<uint32_t>(cpu, effective_address(cpu, in), guest_mxcsr(cpu)); }

// The part of the FXSAVE area that FXSAVE writes (SDM vol. 1, table 10-2),
// 64-bit format. Bytes 416..511 are reserved or available to software.
struct FxArea {
  uint16_t fcw;
  uint16_t fsw;
  uint8_t ftw;           // abridged tag word: 1 bit per register, 0 = empty
  uint8_t reserved0;
  uint16_t fop;
  uint64_t fip;          // FXSAVE64; FXSAVE (no REX.W) has FIP32+FCS here
  uint64_t fdp;          // likewise FDP32+FDS
  uint32_t mxcsr;
  uint32_t mxcsr_mask;
  uint8_t st[8][16];     // ST0..ST7 / MM0..MM7, 10 bytes + 6 reserved each
  Xmm xmm[16];
};
static_assert(sizeof(FxArea) == 416);
static_assert(offsetof(FxArea, mxcsr) == 24);
static_assert(offsetof(FxArea, st) == 32);
static_assert(offsetof(FxArea, xmm) == 160);

FxArea fx_area(const Cpu& cpu) {
  FxArea f{};
  x87_fx_save(cpu, reinterpret_cast<uint8_t*>(&f));  // FCW..FDP and ST0..ST7
  f.mxcsr = guest_mxcsr(cpu);
  f.mxcsr_mask = kMxcsrMask;
  for (int i = 0; i < 16; i++) f.xmm[i] = cpu.xmm[i];
  return f;
}

bool fx_load(Cpu& cpu, const FxArea& f) {
  if (f.mxcsr & ~kMxcsrMask) return false;
  x87_fx_load(cpu, reinterpret_cast<const uint8_t*>(&f));
  for (int i = 0; i < 16; i++) cpu.xmm[i] = f.xmm[i];
  set_guest_mxcsr(cpu, f.mxcsr);
  return true;
}

// FXSAVE/FXSAVE64 m512 (16-byte aligned, #GP otherwise).
void fxsave(Cpu& cpu, const Insn& in) {
  const uint64_t a = addr16(cpu, in, true);
  probe_fpu_image(cpu, a, kFxAreaSize, true);
  const FxArea f = fx_area(cpu);
  const auto* p = reinterpret_cast<const Xmm*>(&f);
  for (size_t i = 0; i < sizeof f / 16; i++) store<Xmm>(cpu, a + 16 * i, p[i]);
}

// FXRSTOR/FXRSTOR64 m512: reads the whole area, then checks MXCSR (#GP on
// reserved bits), then writes the registers. The x87 part is ignored.
void fxrstor(Cpu& cpu, const Insn& in) {
  const uint64_t a = addr16(cpu, in, true);
  probe_fpu_image(cpu, a, kFxAreaSize, false);
  FxArea f;
  auto* p = reinterpret_cast<Xmm*>(&f);
  for (size_t i = 0; i < sizeof f / 16; i++) p[i] = load<Xmm>(cpu, a + 16 * i);
  if (!fx_load(cpu, f)) raise_gp();
}

}  // namespace

// PREFETCHh, the fences (0F AE /5-/7, register forms) and CLFLUSH (0F AE /7
// m8) are bound by bind_control (emu/ops/control.cpp), which bind() asks first.
bool bind_state(const Enc& e, Insn& out) {
  if (e.opcode != 0xAE || e.pfx != 0 || !e.mem) return false;
  switch (e.ext) {
    case 0: out.fn = fxsave; return true;
    case 1: out.fn = fxrstor; return true;
    case 2: out.fn = ldmxcsr; return true;
    case 3: out.fn = stmxcsr; return true;
    default: return false;  // XSAVE family: not implemented (CPUID says so)
  }
}

}  // namespace sse

void fx_save(const Cpu& cpu, uint8_t* area) {
  const sse::FxArea f = sse::fx_area(cpu);
  std::memcpy(area, &f, sizeof f);
}

bool fx_restore(Cpu& cpu, const uint8_t* area) {
  sse::FxArea f;
  std::memcpy(&f, area, sizeof f);
  return sse::fx_load(cpu, f);
}

}  // namespace emu
