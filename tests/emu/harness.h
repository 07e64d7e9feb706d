// Instruction-test harness: run a few bytes of guest code on a fresh CPU.
//
//   Harness h({0x48, 0x01, 0xd8});        // add rax, rbx
//   h.cpu.gpr[RAX] = 1; h.cpu.gpr[RBX] = 2;
//   h.run();
//   CHECK(h.cpu.gpr[RAX] == 3);
//
// Layout (fixed, so tests can use absolute addresses):
//   kCodeAddr   the code, followed by a sentinel; RWX so tests may modify it
//   kDataAddr   kDataSize bytes of zeroed RW data for memory operands
//   kStackTop   RSP at start; the stack below it is RW (kStackSize bytes)
//
// run() executes from kCodeAddr until the sentinel after the code. The
// sentinel is a UD2 the harness recognises (not a SYSCALL: SYSCALL would
// clobber RCX and R11, which instruction tests need to check), so every
// register is exactly as the code left it. SYSCALL instructions inside the
// code stop the interpreter with Event::Syscall; run() counts them in
// `syscalls` and resumes after them (RAX untouched), so RCX/R11 show what
// SYSCALL wrote. A guest fault anywhere else propagates as mm::GuestFault
// with cpu.rip at the faulting instruction (or use run_fault()).
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <vector>

#include "emu/cpu.h"
#include "emu/flags.h"
#include "emu/interpreter.h"
#include "mm/address_space.h"
#include "mm/guest_fault.h"

namespace emu::test {

class Harness {
 public:
  static constexpr uint64_t kCodeAddr = 0x400000;
  static constexpr uint64_t kCodeSize = 0x4000;     // code + sentinel must fit
  static constexpr uint64_t kDataAddr = 0x10000000;
  static constexpr uint64_t kDataSize = 0x4000;     // 4 pages
  static constexpr uint64_t kStackTop = 0x7ff000000000;
  static constexpr uint64_t kStackSize = 0x10000;

  Harness();
  explicit Harness(std::initializer_list<uint8_t> code);
  explicit Harness(const std::vector<uint8_t>& code);
  ~Harness();

  // Replaces the code (and sentinel) at kCodeAddr and resets rip to kCodeAddr.
  void set_code(const std::vector<uint8_t>& code);
  uint64_t code_end() const { return kCodeAddr + code_size_; }  // the sentinel's address

  // Runs from cpu.rip (kCodeAddr after construction/set_code) to the sentinel.
  void run();
  // As run(), but a guest fault is returned instead of thrown; nullopt when
  // the code ran to the sentinel.
  std::optional<mm::GuestFault> run_fault();

  // Guest memory access for setting up inputs and checking outputs
  // (through the syscall gateway: no faults, REQUIREs the range is mapped).
  void write(uint64_t addr, const void* src, size_t n);
  void read(uint64_t addr, void* dst, size_t n);
  template <class T>
  void write(uint64_t addr, T v) { write(addr, &v, sizeof v); }
  template <class T>
  T read(uint64_t addr) {
    T v;
    read(addr, &v, sizeof v);
    return v;
  }

  uint64_t rflags() const { return read_rflags(cpu); }
  void set_rflags(uint64_t v) { write_rflags(cpu, v, ~uint64_t{0}); }

  mm::AddressSpace mem;
  Cpu cpu;
  Interpreter interp;
  uint64_t syscalls = 0;  // SYSCALLs executed by the code

 private:
  uint64_t code_size_ = 0;
};

}  // namespace emu::test
