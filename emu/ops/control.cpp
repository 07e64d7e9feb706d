#include "emu/ops/control.h"

#include <array>
#include <csignal>
#include <ctime>
#include <utility>

#include "emu/block_chain.h"
#include "emu/cpu.h"
#include "emu/cpuid.h"
#include "emu/flags.h"
#include "emu/memory.h"
#include "mm/guest_fault.h"

namespace emu {
namespace {

inline uint64_t insn_addr(const Cpu& cpu, const Insn& in) { return cpu.rip + in.end - in.len; }
inline uint64_t next_addr(const Cpu& cpu, const Insn& in) { return cpu.rip + in.end; }

// ---- jumps -------------------------------------------------------------------

void op_jmp(Cpu& cpu, const Insn& in) {
  cpu.rip = in.imm;
  return enter_next_block(cpu);
}

// One handler per condition: eval_cond folds to the few instructions of
// that condition (no switch on cc at run time).
template <unsigned CC>
void op_jcc(Cpu& cpu, const Insn& in) {
  cpu.rip = eval_cond_inline(cpu, CC) ? in.imm : next_addr(cpu, in);
  return enter_next_block(cpu);
}

template <unsigned CC>
void op_jcc_loop(Cpu& cpu, const Insn& in) {
  if (eval_cond_inline(cpu, CC)) return reenter_block(cpu, in);
  cpu.rip = next_addr(cpu, in);
  return enter_next_block(cpu);
}

template <size_t... CC>
constexpr std::array<Handler, 16> make_jcc_table(std::index_sequence<CC...>) {
  return {&op_jcc<CC>...};
}
constexpr auto kJcc = make_jcc_table(std::make_index_sequence<16>{});

template <size_t... CC>
constexpr std::array<Handler, 16> make_jcc_loop_table(std::index_sequence<CC...>) {
  return {&op_jcc_loop<CC>...};
}
constexpr auto kJccLoop = make_jcc_loop_table(std::make_index_sequence<16>{});

void op_jmp_reg(Cpu& cpu, const Insn& in) {
  cpu.rip = branch_target(cpu.gpr[in.rm]);
  return enter_next_block(cpu);
}

void op_jmp_mem(Cpu& cpu, const Insn& in) {
  cpu.rip = branch_target(load<uint64_t>(cpu, effective_address(cpu, in)));
  return enter_next_block(cpu);
}

// loop/loope/loopne (in.op = 0xE2/0xE1/0xE0) and jrcxz (0xE3); with 67 the
// count register is ECX.
template <bool kAddr32>
void op_loop(Cpu& cpu, const Insn& in) {
  uint64_t count = kAddr32 ? uint32_t(cpu.gpr[RCX]) : cpu.gpr[RCX];
  bool taken;
  if (in.op == 0xE3) {
    taken = count == 0;
  } else {
    count = kAddr32 ? uint32_t(count - 1) : count - 1;
    cpu.gpr[RCX] = count;
    taken = count != 0;
    if (in.op == 0xE1) taken = taken && eval_cond(cpu, 4);    // ZF = 1
    if (in.op == 0xE0) taken = taken && !eval_cond(cpu, 4);   // ZF = 0
  }
  cpu.rip = taken ? in.imm : next_addr(cpu, in);
  return enter_next_block(cpu);
}

// ---- call / ret ------------------------------------------------------------------

inline void push_return_and_go(Cpu& cpu, const Insn& in, uint64_t target) {
  const uint64_t sp = cpu.gpr[RSP] - 8;
  store<uint64_t>(cpu, sp, next_addr(cpu, in));  // may fault: nothing written yet
  cpu.gpr[RSP] = sp;
  cpu.rip = target;
}

void op_call(Cpu& cpu, const Insn& in) {
  push_return_and_go(cpu, in, in.imm);
  return enter_next_block(cpu);
}
void op_call_reg(Cpu& cpu, const Insn& in) {
  push_return_and_go(cpu, in, branch_target(cpu.gpr[in.rm]));
  return enter_next_block(cpu);
}
void op_call_mem(Cpu& cpu, const Insn& in) {
  push_return_and_go(cpu, in, branch_target(load<uint64_t>(cpu, effective_address(cpu, in))));
  return enter_next_block(cpu);
}

// ret, ret imm16 (in.imm = bytes to release after popping the return address).
void op_ret(Cpu& cpu, const Insn& in) {
  const uint64_t sp = cpu.gpr[RSP];
  const uint64_t target = branch_target(load<uint64_t>(cpu, sp));
  cpu.gpr[RSP] = sp + 8 + in.imm;
  cpu.rip = target;
  return enter_next_block(cpu);
}

// ---- system ----------------------------------------------------------------------

void op_syscall(Cpu& cpu, const Insn& in) {
  const uint64_t next = next_addr(cpu, in);
  cpu.gpr[RCX] = next;
  cpu.gpr[R11] = read_rflags(cpu);
  cpu.rip = next;
  cpu.event = Event::Syscall;
}

void op_cpuid(Cpu& cpu, const Insn&) {
  const cpuid::Result r = cpuid::query(uint32_t(cpu.gpr[RAX]), uint32_t(cpu.gpr[RCX]));
  cpu.gpr[RAX] = r.eax;
  cpu.gpr[RBX] = r.ebx;
  cpu.gpr[RCX] = r.ecx;
  cpu.gpr[RDX] = r.edx;
}

// The time-stamp counter: the host's monotonic clock in nanoseconds, i.e. a
// constant, invariant 1 GHz TSC.
uint64_t read_tsc() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

void op_rdtsc(Cpu& cpu, const Insn&) {
  const uint64_t t = read_tsc();
  cpu.gpr[RAX] = uint32_t(t);
  cpu.gpr[RDX] = t >> 32;
}

void op_rdtscp(Cpu& cpu, const Insn&) {
  const uint64_t t = read_tsc();
  cpu.gpr[RAX] = uint32_t(t);
  cpu.gpr[RDX] = t >> 32;
  cpu.gpr[RCX] = 0;  // IA32_TSC_AUX: Linux keeps the CPU number there; we are CPU 0
}

void op_nop(Cpu&, const Insn&) {}

// clflush: no cache to flush, but the access is checked as for a load.
void op_clflush(Cpu& cpu, const Insn& in) { (void)load<uint8_t>(cpu, effective_address(cpu, in)); }

void op_ud2(Cpu& cpu, const Insn& in) {
  throw mm::GuestFault{SIGILL, mm::kIllOpn, insn_addr(cpu, in)};
}

// int3 is a trap: the run loop leaves rip AFTER it for SIGTRAP (see interpreter.cpp).
void op_int3(Cpu&, const Insn&) { throw mm::GuestFault{SIGTRAP, mm::kSiKernel, 0}; }

// int1 (F1, ICEBP): a #DB trap, which Linux reports as SIGTRAP TRAP_BRKPT
// with si_addr the next instruction's address (measured), rip there too.
void op_int1(Cpu& cpu, const Insn& in) { throw mm::GuestFault{SIGTRAP, mm::kTrapBrkpt, next_addr(cpu, in)}; }

// int 4: Linux's #OF gate is open to CPL 3; the trap is reported as SIGSEGV
// SI_KERNEL with rip after the instruction (measured), unlike the #GP of
// the other vectors (rip at it).
void op_int_overflow(Cpu&, const Insn&) {
  mm::GuestFault f{SIGSEGV, mm::kSiKernel, 0};
  f.trap = true;
  throw f;
}

}  // namespace

Handler jcc_back_to_block_start(unsigned cc) { return kJccLoop[cc & 15]; }

void op_gp(Cpu&, const Insn&) { raise_gp(); }

void op_invalid(Cpu& cpu, const Insn& in) {
  throw mm::GuestFault{SIGILL, mm::kIllOpn, insn_addr(cpu, in)};
}

void op_fetch_fault(Cpu& cpu, const Insn& in) { cpu.mem->raise_fetch_fault(mm::GuestAddr(in.imm)); }

bool bind_control(const Decoded& d, Insn& out) {
  const uint8_t op = d.opcode;
  const uint8_t r = d.reg & 7;
  if (d.map == 0) {
    if (op >= 0x70 && op <= 0x7F) {
      out.fn = kJcc[op & 15];
      out.op = op & 15;
      return true;
    }
    switch (op) {
      case 0xEB:
      case 0xE9: out.fn = op_jmp; return true;
      case 0xE8: out.fn = op_call; return true;
      case 0xC3: out.fn = op_ret; out.imm = 0; return true;
      case 0xC2: out.fn = op_ret; return true;
      case 0xE0: case 0xE1: case 0xE2: case 0xE3:
        out.fn = d.p67 ? op_loop<true> : op_loop<false>;
        out.op = op;
        return true;
      case 0x90:
        if (d.rex & 1) return false;  // xchg r8, rax
        out.fn = op_nop;               // nop, and F3 90: pause
        return true;
      case 0xCC: out.fn = op_int3; return true;
      case 0xCD: {
        const uint8_t vector = uint8_t(d.imm);
        out.fn = vector == 3 ? op_int3 : vector == 4 ? op_int_overflow : op_gp;
        return true;
      }
      case 0xF1: out.fn = op_int1; return true;
      case 0xF4:                                        // hlt
      case 0xE4: case 0xE5: case 0xE6: case 0xE7:       // in/out imm8
      case 0xEC: case 0xED: case 0xEE: case 0xEF:       // in/out dx
      case 0x6C: case 0x6D: case 0x6E: case 0x6F:       // ins/outs
      case 0xFA: case 0xFB:                             // cli/sti
        out.fn = op_gp;
        return true;
      case 0xFF:
        if (r == 2) { out.fn = d.mod == 3 ? op_call_reg : op_call_mem; return true; }
        if (r == 4) { out.fn = d.mod == 3 ? op_jmp_reg : op_jmp_mem; return true; }
        return false;
      default: return false;
    }
  }
  if (d.map == 1) {
    if (op >= 0x80 && op <= 0x8F) {
      out.fn = kJcc[op & 15];
      out.op = op & 15;
      return true;
    }
    switch (op) {
      case 0x05: out.fn = op_syscall; return true;
      case 0xA2: out.fn = op_cpuid; return true;
      case 0x31: out.fn = op_rdtsc; return true;
      case 0x00:                                     // lldt, ltr: #GP at CPL 3
        if (r != 2 && r != 3) return false;
        out.fn = op_gp;
        return true;
      case 0x01:
        if (d.modrm == 0xF9) { out.fn = op_rdtscp; return true; }
        // lgdt, lidt, invlpg (memory); lmsw (both forms); swapgs: #GP at CPL 3.
        if ((d.mod != 3 && (r == 2 || r == 3 || r == 7)) || r == 6 || d.modrm == 0xF8) {
          out.fn = op_gp;
          return true;
        }
        return false;
      case 0x0B: out.fn = op_ud2; return true;
      case 0x0D:                                     // prefetch/prefetchw: memory forms only
        if (d.mod == 3) return false;
        out.fn = op_nop;
        return true;
      case 0x18: case 0x19: case 0x1A: case 0x1B:    // prefetch hints, reserved-NOP space,
      case 0x1C: case 0x1D: case 0x1E: case 0x1F:    // nop Ev, endbr64/32, rdssp (CET off)
        out.fn = op_nop;
        return true;
      case 0xAE:
        if (d.p66 || d.last_rep) return false;
        if (d.mod == 3 && r >= 5) { out.fn = op_nop; return true; }  // lfence/mfence/sfence
        if (d.mod != 3 && r == 7) { out.fn = op_clflush; return true; }
        return false;
      case 0x06: case 0x07: case 0x08: case 0x09:    // clts sysret invd wbinvd
      case 0x30: case 0x32: case 0x33:               // wrmsr rdmsr rdpmc (CR4.PCE clear)
        out.fn = op_gp;
        return true;
      // (0F 34/35 SYSENTER/SYSEXIT: #UD in long mode on this host (AMD), #GP
      // on Intel; left unbound, so SIGILL as here.)
      case 0x20: case 0x22:                          // mov cr: #UD for CRs that do not exist
        if (d.reg != 0 && d.reg != 2 && d.reg != 3 && d.reg != 4 && d.reg != 8) return false;
        out.fn = op_gp;
        return true;
      case 0x21: case 0x23:                          // mov dr: #UD for DR8-15
        if (d.reg >= 8) return false;
        out.fn = op_gp;
        return true;
      default: return false;
    }
  }
  return false;
}

}  // namespace emu
