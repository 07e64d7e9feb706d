// --trace: one line per executed instruction on stderr, its address, bytes
// and Capstone's disassembly, followed by the registers it changed:
//
//   0x000000401000: 48 c7 c0 3c 00 00 00         mov rax, 0x3c
//                   rax=0x3c
//   0x000000401007: 48 31 ff                     xor rdi, rdi
//                   rdi=0 rflags=0x246
//
// x87/MMX changes: a register whose contents changed as st(i) (relative to
// the TOP after the instruction) with its sign/exponent and significand in
// hex, or as mmN (physical register N) when it holds an MMX value (exponent
// 0xFFFF); fcw, fsw (with TOP) and ftw (abridged tags, bit N: RN not empty)
// when they change (pops, EMMS and the MMX transition show in ftw/fsw):
//
//   0x000000401010: d9 eb                        fldpi
//                   st(0)=4000:c90fdaa22168c235 fsw=0x3800 ftw=0x80
//
// The interpreter calls the hook before each instruction; the hook compares
// the architectural state with the snapshot it took before the previous
// instruction, prints the difference under that instruction's line, then
// prints the new line and snapshots again. So a SYSCALL's line is followed
// by its result in rax. finish() prints the last instruction's changes.
// Tracing is a slow path by design: none of this runs without --trace.
#pragma once

#include <cstdint>
#include <string>

#include "emu/cpu.h"

namespace emu {

class InstructionTrace {
 public:
  explicit InstructionTrace(mm::AddressSpace& mem) : mem_(mem) {}

  // The Interpreter's TraceHook: `ctx` is the InstructionTrace.
  static void hook(void* ctx, const Cpu& cpu, uint64_t addr);
  // Prints what the last traced instruction changed.
  void finish(const Cpu& cpu);

 private:
  struct Snapshot {
    uint64_t gpr[16];
    uint64_t rflags;
    Xmm xmm[16];
    uint32_t mxcsr;
    uint8_t st[8][10];  // x87 R0..R7 (= MM0..MM7): significand, sign/exponent
    uint16_t fcw;
    uint16_t fsw;       // with TOP
    uint8_t ftw;        // bit i: Ri not empty
  };
  static Snapshot take(const Cpu& cpu);
  static void x87_changes(const Snapshot& before, const Snapshot& now, std::string& out);
  void print_changes(const Cpu& cpu);

  mm::AddressSpace& mem_;
  Snapshot before_{};
  bool have_before_ = false;
};

}  // namespace emu
