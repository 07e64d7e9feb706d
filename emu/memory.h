// Guest loads and stores for instruction handlers: the TLB hit path inline,
// everything else (miss, page crossing, fault) in AddressSpace's slow path.
#pragma once

#include <cstdint>
#include <cstring>

#include "emu/cpu.h"
#include "emu/insn.h"
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
