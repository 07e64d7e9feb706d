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
  for (int r = 0; r < 8; ++r) std::memcpy(s.st[r], &cpu.x87.st[r], 10);
  s.fcw = cpu.x87.fcw;
  s.fsw = uint16_t(cpu.x87.fsw | cpu.x87.top << 11);
  s.ftw = cpu.x87.valid;
  return s;
}

// The x87/MMX part of a change line (see trace.h). Raw bits only: formatting
// a long double would compute on the host FPU under the guest's modes.
void InstructionTrace::x87_changes(const Snapshot& before, const Snapshot& now, std::string& out) {
  const unsigned top = (now.fsw >> 11) & 7;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned r = (top + i) & 7;
    if (std::memcmp(now.st[r], before.st[r], 10) == 0) continue;  // tags alone: ftw shows them
    uint64_t m;
    uint16_t se;
    std::memcpy(&m, now.st[r], 8);
    std::memcpy(&se, now.st[r] + 8, 2);
    if (se == 0xffff) fmt::format_to(std::back_inserter(out), " mm{}={:#018x}", r, m);
    else fmt::format_to(std::back_inserter(out), " st({})={:04x}:{:016x}", i, se, m);
  }
  if (now.fcw != before.fcw) fmt::format_to(std::back_inserter(out), " fcw={:#06x}", now.fcw);
  if (now.fsw != before.fsw) fmt::format_to(std::back_inserter(out), " fsw={:#06x}", now.fsw);
  if (now.ftw != before.ftw) fmt::format_to(std::back_inserter(out), " ftw={:#04x}", now.ftw);
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
  x87_changes(before_, now, out);
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
