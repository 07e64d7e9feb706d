// Shared by the SSE handler files (emu/ops/sse_*.cpp): the encoding a binder
// looks at, operand access by form, and the FP-environment wrapper.
// Internal to emu/ops; the run loop only needs emu/ops/sse_state.h.
#pragma once

#include <immintrin.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "emu/cpu.h"
#include "emu/insn.h"
#include "emu/memory.h"
#include "emu/threaded.h"
#include "emu/ops/sse_state.h"
#include "mm/guest_fault.h"

namespace emu::sse {

// What the category binders decide on. `pfx` is the mandatory prefix: the
// last of F2/F3 if any (they take precedence over 66, SDM vol. 2 2.1.2),
// else 0x66 if present, else 0.
struct Enc {
  uint8_t map;     // 1: 0F, 2: 0F38, 3: 0F3A
  uint8_t opcode;
  uint8_t pfx;
  bool mem;        // ModRM.mod != 3
  uint8_t ext;     // ModRM.reg field without REX.R (group opcodes: /digit)
  bool w;          // REX.W
  uint8_t imm;     // the imm8, for binders that specialise on it (CMPPS predicates)
  bool p66;        // 66 seen, even when F2/F3 is the mandatory prefix (CRC32 r16)
  bool rex;        // any REX prefix (byte registers: SPL.. vs AH..; CRC32 r/m8)
};

bool bind_move(const Enc& e, Insn& out);
bool bind_int(const Enc& e, Insn& out);
bool bind_fp(const Enc& e, Insn& out);
bool bind_cvt(const Enc& e, Insn& out);
bool bind_state(const Enc& e, Insn& out);
// Issue 4 extensions, one file each: SSE3 (map 0F), SSSE3 (0F38/0F3A),
// SSE4.1 (0F38/0F3A), SSE4.2 (PCMPxSTRx, PCMPGTQ, CRC32).
bool bind_sse3(const Enc& e, Insn& out);
bool bind_ssse3(const Enc& e, Insn& out);
bool bind_sse41(const Enc& e, Insn& out);
bool bind_sse42(const Enc& e, Insn& out);
// MMX (emu/ops/mmx_*.cpp, mmx.h): the no-prefix forms of the packed-integer
// and SSSE3 opcodes, the MMX moves, and MOVQ2DQ/MOVDQ2Q (F3/F2 0F D6). They
// may change out.reg/out.rm (MMX register numbers ignore REX) even when
// they return false. The MMX forms of the conversions are in bind_cvt.
bool bind_mmx_move(const Enc& e, Insn& out);
bool bind_mmx_int(const Enc& e, Insn& out);
bool bind_mmx_ssse3(const Enc& e, Insn& out);
// EMMS (0F 77, no ModRM).
bool bind_emms(const Decoded& d, Insn& out);

// #GP(0) (misaligned 16-byte operand, reserved MXCSR bits): Linux delivers
// SIGSEGV with SI_KERNEL and address 0.
[[noreturn]] void raise_gp();

// The guest address of the instruction being executed.
inline uint64_t insn_addr(const Cpu& cpu, const Insn& in) { return cpu.rip + in.end - in.len; }

// ---- register views ------------------------------------------------------------
inline __m128i get_i(const Xmm& x) { return _mm_load_si128(reinterpret_cast<const __m128i*>(&x)); }
inline __m128 get_ps(const Xmm& x) { return _mm_load_ps(x.f32); }
inline __m128d get_pd(const Xmm& x) { return _mm_load_pd(x.f64); }
inline void put(Xmm& x, __m128i v) { _mm_store_si128(reinterpret_cast<__m128i*>(&x), v); }
inline void put(Xmm& x, __m128 v) { _mm_store_ps(x.f32, v); }
inline void put(Xmm& x, __m128d v) { _mm_store_pd(x.f64, v); }
// Any 16-byte vector type (__m128, __m128d, __m128i) from a register, by value
// (memcpy: no alignment or aliasing assumption about V).
template <class V>
V getv(const Xmm& x) {
  V v;
  std::memcpy(&v, &x, sizeof v);
  return v;
}

// ---- operand forms -----------------------------------------------------------------
// Reg: the r/m operand is xmm[in.rm]. Mem: unaligned memory operand.
// MemA: 16-byte memory operand that must be 16-byte aligned (#GP otherwise),
// which is every legacy-SSE 128-bit memory operand except the explicitly
// unaligned moves (MOVUPS/MOVUPD/MOVDQU/LDDQU).
enum class Form : uint8_t { Reg, Mem, MemA };

inline uint64_t addr16(Cpu& cpu, const Insn& in, bool aligned) {
  uint64_t a = effective_address(cpu, in);
  if (aligned && (a & 15)) [[unlikely]]
    raise_gp();
  return a;
}

// The 128-bit r/m operand.
template <Form F>
inline Xmm src128(Cpu& cpu, const Insn& in) {
  if constexpr (F == Form::Reg) {
    return cpu.xmm[in.rm];
  } else {
    return load<Xmm>(cpu, addr16(cpu, in, F == Form::MemA));
  }
}

// A 32- or 64-bit value zero-extended into a vector of type V (__m128,
// __m128d, __m128i), built in a register (MOVD/MOVQ into it), not through
// an Xmm in memory.
template <class V, class T>
[[gnu::always_inline]] inline V zero_extended(T v) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "scalars are 32 or 64 bits");
  __m128i x;
  if constexpr (sizeof(T) == 4) x = _mm_cvtsi32_si128(int(v));
  else x = _mm_cvtsi64_si128(int64_t(v));
  V r;
  std::memcpy(&r, &x, sizeof r);  // a register-to-register bit cast
  return r;
}

// The r/m operand of a scalar (or 64-bit) source as a vector of type V: the
// register, or an N-byte memory operand zero-extended (no alignment
// requirement).
template <class V, Form F, unsigned Bytes>
inline V src_low_v(Cpu& cpu, const Insn& in) {
  if constexpr (F == Form::Reg) {
    return getv<V>(cpu.xmm[in.rm]);
  } else {
    using T = std::conditional_t<Bytes == 4, uint32_t, uint64_t>;
    return zero_extended<V>(load<T>(cpu, effective_address(cpu, in)));
  }
}

// The same as an Xmm: the register, or the N-byte memory operand
// zero-extended.
template <Form F, unsigned Bytes>
inline Xmm src_low(Cpu& cpu, const Insn& in) {
  if constexpr (F == Form::Reg) {
    return cpu.xmm[in.rm];
  } else {
    Xmm x;
    put(x, src_low_v<__m128i, F, Bytes>(cpu, in));
    return x;
  }
}

// How a handler goes on to the next Insn (emu/threaded.h): Wrapped in
// threaded<>, or by itself (Own: continuation style, emu/memory.h).
enum class Next : uint8_t { Wrapped, Own };

template <Handler H, Next N>
constexpr Handler bound() {
  if constexpr (N == Next::Own) return H;
  else return threaded_or_null<H>();
}

// Binds the register or the memory form; nullptr marks a form that doesn't
// exist (#UD), which is left unbound.
template <Handler Reg, Handler Mem, Next RegNext = Next::Wrapped, Next MemNext = Next::Wrapped>
inline bool set_fn(const Enc& e, Insn& out) {
  const Handler h = e.mem ? bound<Mem, MemNext>() : bound<Reg, RegNext>();
  if (h == nullptr) return false;
  out.fn = h;
  return true;
}

// set_fn for a handler that has a form for base+displacement operands
// (emu/memory.h operand_address): MemPlain where the operand is one.
template <Handler Reg, Handler Mem, Handler MemPlain, Next RegNext = Next::Wrapped, Next MemNext = Next::Wrapped>
inline bool set_fn_plain(const Enc& e, Insn& out) {
  if (e.mem && plain_operand(out)) return set_fn<Reg, MemPlain, RegNext, MemNext>(e, out);
  return set_fn<Reg, Mem, RegNext, MemNext>(e, out);
}

// OP xmm, xmm/m128 on integer vectors: dest = Op(dest, src); the memory
// operand must be aligned. Also used for the bitwise FP ops (ANDPS, ...),
// which are the same bits.
// Continuation style (emu/memory.h): bound with Next::Own.
template <auto Op>
[[gnu::always_inline]] inline void pi_apply(Cpu& cpu, const Insn& in, Xmm s) {
  put(cpu.xmm[in.reg], Op(get_i(cpu.xmm[in.reg]), get_i(s)));
}

template <auto Op, Form F>
void pi(Cpu& cpu, const Insn& in) {
  if constexpr (F == Form::Reg) {
    pi_apply<Op>(cpu, in, cpu.xmm[in.rm]);
    return next_insn(cpu, in);
  } else {
    return load_then<Xmm, pi_apply<Op>>(cpu, in, addr16(cpu, in, F == Form::MemA));
  }
}

template <auto Op>
inline bool bind_pi(const Enc& e, Insn& out) {
  return set_fn<pi<Op, Form::Reg>, pi<Op, Form::MemA>, Next::Own, Next::Own>(e, out);
}

// MASKMOVDQU/MASKMOVQ: stores the bytes of `data` whose bit in `mask` is
// set to DS:[RDI] (segment override and 67 apply), unaligned; all of them
// as one store.
template <class T>
void store_masked(Cpu& cpu, const Insn& in, const T& data, unsigned mask) {
  uint64_t base = cpu.gpr[RDI];
  if (in.addr32) base = uint32_t(base);
  base += cpu.seg_base[in.seg];
  if (mask == (1u << sizeof(T)) - 1) return store<T>(cpu, base, data);
  // This host checks all sizeof(T) bytes at RDI whatever the mask (zero
  // included) and faults at RDI: so read, merge and write them all. (Bytes
  // not selected are written back unchanged: invisible without another
  // thread writing them concurrently.) tests/emu/diff_findings_test.cpp.
  uint8_t b[sizeof(T)], m[sizeof(T)];
  std::memcpy(b, &data, sizeof b);
  const T old = load<T>(cpu, base);
  std::memcpy(m, &old, sizeof m);
  for (unsigned i = 0; i < sizeof(T); i++)
    if (mask >> i & 1) m[i] = b[i];
  T merged;
  std::memcpy(&merged, m, sizeof merged);
  store<T>(cpu, base, merged);
}

// ---- the FP environment (see sse_state.h) -------------------------------------------
// Whether the host MXCSR holds a guest's is per host thread; whether that
// guest masks every exception is Cpu::fp_fast (one load off the Cpu in
// every FP handler).
struct FpThread {
  bool live;   // a GuestFpEnv is entered on this thread
};
// initial-exec: one %fs-relative load, no __tls_get_addr even in -fPIC objects.
extern thread_local constinit FpThread tls_fp __attribute__((tls_model("initial-exec")));

// SIGFPE for the unmasked exception flags `unmasked` (Linux's si_code order).
[[noreturn]] void raise_simd_fp(const Cpu& cpu, const Insn& in, uint32_t unmasked);

// Opaque to the optimiser, so the computation can't move across the LDMXCSR
// and STMXCSR around it (GCC doesn't model MXCSR as an input of FP insns).
// clang has no noipa: optnone (with noinline) keeps it from inferring that
// the call reads no memory and moving it, or folding its constants.
#if defined(__clang__)
#define EMU_OPAQUE_CALL [[gnu::noinline, clang::optnone]]
#else
#define EMU_OPAQUE_CALL [[gnu::noipa]]
#endif
template <class C>
EMU_OPAQUE_CALL static auto call_opaque(const C& c) {
  return c();
}

template <class C>
[[gnu::noinline, gnu::cold]] static auto fp_slow(Cpu& cpu, const Insn& in, const C& c) {
  const uint32_t saved = _mm_getcsr();
  _mm_setcsr((cpu.mxcsr | kMxcsrMasks) & kMxcsrMask & ~kMxcsrFlags);
  auto r = call_opaque(c);
  const uint32_t f = _mm_getcsr() & kMxcsrFlags;
  _mm_setcsr(tls_fp.live ? saved | f : saved);
  cpu.mxcsr |= f;
  if (uint32_t u = f & ~(cpu.mxcsr >> 7) & kMxcsrFlags) [[unlikely]]
    raise_simd_fp(cpu, in, u);
  return r;
}

// Runs `c` (which computes a result with host SSE instructions and has no
// side effects) under the guest's MXCSR and returns its result; the caller
// then writes the destination. Throws SIGFPE (destination untouched) when
// the guest has unmasked an exception that occurred.
template <class C>
inline auto fp_op(Cpu& cpu, const Insn& in, const C& c) {
  if (cpu.fp_fast) [[likely]]
    return c();
  return fp_slow(cpu, in, c);
}

}  // namespace emu::sse
