#include "emu/trace.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "emu/disasm.h"
#include "emu/flags.h"

namespace emu {

namespace {

constexpr const char* kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                       "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// The column where disassembly starts, so the changes line up under it.
constexpr int kIndent = 16;

}  // namespace

InstructionTrace::Snapshot InstructionTrace::take(const Cpu& cpu) {
  Snapshot s;
  std::memcpy(s.gpr, cpu.gpr, sizeof s.gpr);
  s.rflags = read_rflags(cpu);
  std::memcpy(s.xmm, cpu.xmm, sizeof s.xmm);
  s.mxcsr = cpu.mxcsr;
  return s;
}

void InstructionTrace::print_changes(const Cpu& cpu) {
  if (!have_before_) return;
  const Snapshot now = take(cpu);
  std::string out;
  for (int i = 0; i < 16; ++i)
    if (now.gpr[i] != before_.gpr[i]) fmt::format_to(std::back_inserter(out), " {}={:#x}", kGprNames[i], now.gpr[i]);
  if (now.rflags != before_.rflags) fmt::format_to(std::back_inserter(out), " rflags={:#x}", now.rflags);
  for (int i = 0; i < 16; ++i)
    if (std::memcmp(&now.xmm[i], &before_.xmm[i], sizeof(Xmm)) != 0)
      fmt::format_to(std::back_inserter(out), " xmm{}={:#018x}{:016x}", i, now.xmm[i].q[1], now.xmm[i].q[0]);
  if (now.mxcsr != before_.mxcsr) fmt::format_to(std::back_inserter(out), " mxcsr={:#x}", now.mxcsr);
  if (!out.empty()) std::fprintf(stderr, "%*s%s\n", kIndent - 1, "", out.c_str());
}

void InstructionTrace::hook(void* ctx, const Cpu& cpu, uint64_t addr) {
  auto* t = static_cast<InstructionTrace*>(ctx);
  t->print_changes(cpu);
  GuestInstruction insn = read_guest_instruction(t->mem_, addr);
  std::fprintf(stderr, "0x%012lx: %-30s %s\n", static_cast<unsigned long>(addr), insn.hex.c_str(),
               insn.disassembly.text.c_str());
  t->before_ = take(cpu);
  t->have_before_ = true;
}

void InstructionTrace::finish(const Cpu& cpu) {
  print_changes(cpu);
  have_before_ = false;
}

}  // namespace emu
