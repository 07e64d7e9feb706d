// Guest loads and stores for instruction handlers: the TLB hit path inline,
// everything else (miss, page crossing, fault) in AddressSpace's slow path.
#pragma once

#include <cstdint>
#include <cstring>

#include "emu/cpu.h"
#include "emu/insn.h"
#include "emu/threaded.h"
#include "mm/address_space.h"

namespace emu {

// Effective address of an Insn's memory operand.
inline uint64_t effective_address(const Cpu& cpu, const Insn& in) {
  if (in.plain_ea) [[likely]]
    return cpu.gpr[in.base] + uint64_t(in.disp);
  uint64_t a = cpu.gpr[in.base] + (cpu.gpr[in.index] << in.scale) + uint64_t(in.disp);
  if (in.addr32) [[unlikely]]
    a = uint32_t(a);
  return a + cpu.seg_base[in.seg];
}

// Whether an Insn's memory operand is base + displacement alone (no index,
// no FS/GS, no 67h), as bind() records in Insn::plain_ea; the hottest memory
// handlers have a form bound only to such operands (Operand::Plain below).
inline bool plain_operand(const Insn& in) { return in.index == kNoReg && in.seg == kSegNone && !in.addr32; }

// The forms of memory operand a handler may be specialised on.
enum class Operand : uint8_t {
  Any,      // effective_address: tests for the others
  Plain,    // base + displacement (plain_operand)
  Indexed,  // base + index * scale + displacement, no FS/GS, no 67h
};

inline Operand operand_form(const Insn& in) {
  if (plain_operand(in)) return Operand::Plain;
  return in.seg == kSegNone && !in.addr32 ? Operand::Indexed : Operand::Any;
}

// The memory operand's address in a handler bound only to operands of form
// F (operand_form), computed with no test.
template <Operand F>
[[gnu::always_inline]] inline uint64_t operand_address(const Cpu& cpu, const Insn& in) {
  if constexpr (F == Operand::Plain) return cpu.gpr[in.base] + uint64_t(in.disp);
  else if constexpr (F == Operand::Indexed)
    return cpu.gpr[in.base] + (cpu.gpr[in.index] << in.scale) + uint64_t(in.disp);
  else return effective_address(cpu, in);
}

// The TLB-miss paths, out of line and by value: the handler that inlines
// load/store then takes no local's address, so its frame stays empty and its
// dispatch of the next instruction can be a tail call (emu/threaded.h).
template <class T>
[[gnu::noinline]] T load_miss(Cpu& cpu, uint64_t addr) {
  T v;
  cpu.mem->load_slow(cpu.tlb, addr, &v, sizeof(T));
  return v;
}

template <class T>
[[gnu::noinline]] void store_miss(Cpu& cpu, uint64_t addr, T v) {
  cpu.mem->store_slow(cpu.tlb, addr, &v, sizeof(T));
}

// The hit path: an index, one compare (which also rejects an access that
// crosses a page: mm/tlb.h) and the access at addr + addend.
template <class T>
inline T load(Cpu& cpu, uint64_t addr) {
  const mm::Tlb::Entry& e = cpu.tlb.read_entry(addr);
  if (mm::Tlb::hits<sizeof(T)>(e, addr)) [[likely]] {
    T v;
    std::memcpy(&v, mm::Tlb::host(e, addr), sizeof(T));
    return v;
  }
  return load_miss<T>(cpu, addr);
}

template <class T>
inline void store(Cpu& cpu, uint64_t addr, T v) {
  const mm::Tlb::Entry& e = cpu.tlb.write_entry(addr);
  if (mm::Tlb::hits<sizeof(T)>(e, addr)) [[likely]] {
    std::memcpy(mm::Tlb::host(e, addr), &v, sizeof(T));
    return;
  }
  store_miss<T>(cpu, addr, v);
}

// ---- continuation style ---------------------------------------------------------
// For handlers bound without the threaded<> wrapper (emu/threaded.h) that go
// on to the next Insn themselves. load/store above keep the handler's frame
// alive across the miss call (the handler still needs `in` after it);
// these end the handler instead, so the miss is a tail call and the hit
// path has no frame, no saved register:
//
//   load_then<T, Then>(c, in, addr)       loads a T, runs Then(c, in, value)
//                                         and goes on: Tail(c, in);
//   store_then<T, Then>(c, in, addr, v)   stores v, runs Then(c, in) and
//                                         goes on.
//
// Then is the rest of the handler's work and must not fault. Tail is the
// next step, next_insn by default; a branch passes its own (block_chain.h).

[[gnu::always_inline]] inline void nothing_more(Cpu&, const Insn&) {}

template <class T, auto Then, auto Tail = next_insn>
[[gnu::noinline]] void load_then_miss(Cpu& c, const Insn& in, uint64_t addr) {
  T v;
  c.mem->load_slow(c.tlb, addr, &v, sizeof(T));
  Then(c, in, v);
  return Tail(c, in);
}

template <class T, auto Then, auto Tail = next_insn>
[[gnu::always_inline]] inline void load_then(Cpu& c, const Insn& in, uint64_t addr) {
  const mm::Tlb::Entry& e = c.tlb.read_entry(addr);
  if (mm::Tlb::hits<sizeof(T)>(e, addr)) [[likely]] {
    T v;
    std::memcpy(&v, mm::Tlb::host(e, addr), sizeof(T));
    Then(c, in, v);
    return Tail(c, in);
  }
  return load_then_miss<T, Then, Tail>(c, in, addr);
}

template <class T, auto Then = nothing_more>
[[gnu::noinline]] void store_then_miss(Cpu& c, const Insn& in, uint64_t addr, T v) {
  c.mem->store_slow(c.tlb, addr, &v, sizeof(T));
  Then(c, in);
  return next_insn(c, in);
}

template <class T, auto Then = nothing_more>
[[gnu::always_inline]] inline void store_then(Cpu& c, const Insn& in, uint64_t addr, T v) {
  const mm::Tlb::Entry& e = c.tlb.write_entry(addr);
  if (mm::Tlb::hits<sizeof(T)>(e, addr)) [[likely]] {
    std::memcpy(mm::Tlb::host(e, addr), &v, sizeof(T));
    Then(c, in);
    return next_insn(c, in);
  }
  return store_then_miss<T, Then>(c, in, addr, v);
}

// How this host checks an FPU state image (FNSTENV/FLDENV, FNSAVE/FRSTOR,
// FXSAVE/FXRSTOR: n bytes at `addr`) before it reads or writes any of it:
// its first 4 bytes, then its last byte. A fault there reports that address
// with memory and registers unchanged. `write` checks for writing (the bytes
// are rewritten with their own values).
inline void probe_fpu_image(Cpu& cpu, uint64_t addr, size_t n, bool write) {
  const uint32_t head = load<uint32_t>(cpu, addr);
  if (write) store<uint32_t>(cpu, addr, head);
  const uint8_t tail = load<uint8_t>(cpu, addr + n - 1);
  if (write) store<uint8_t>(cpu, addr + n - 1, tail);
}

}  // namespace emu
