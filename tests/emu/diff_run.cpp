#include "tests/emu/diff_run.h"

#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <stdexcept>

#include "emu/disasm.h"
#include "emu/flags.h"
#include "emu/ops/sse_state.h"
#include "mm/guest_fault.h"
#include "tests/emu/diff_rules.h"

namespace emu::test {
namespace {

uint64_t addr_of(const uint8_t* p) { return reinterpret_cast<uint64_t>(p); }

mm::PageRange pages(const uint8_t* p, size_t n) {
  return mm::PageRange{mm::GuestAddr(addr_of(p)).page(), mm::GuestAddr(addr_of(p) + n).page()};
}

constexpr uint8_t kInt3 = 0xCC;

// A stop at an INT3 of the code page outside the instruction is the end of
// a completed run: RIP is where execution continued.
void normalize(RunResult& r, const DiffCase& c) {
  if (r.signo != SIGTRAP) return;
  const HostArena& a = host_arena();
  const uint64_t at = r.state.rip - 1;
  const bool in_code = at >= addr_of(a.code) && at < addr_of(a.code) + a.code_size;
  const bool in_insn = at >= c.insn_addr && at < c.insn_addr + c.bytes.size();
  if (in_code && !in_insn) {
    r.signo = 0;
    r.code = 0;
    r.addr = 0;
    r.state.rip = at;
  }
}

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

std::string hexle(const uint8_t* p, size_t n) {  // most significant byte first
  std::string s;
  for (size_t i = n; i-- > 0;) s += fmt::format("{:02x}", p[i]);
  return s;
}

template <class T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

DiffMachine::DiffMachine() {
  cpu_.mem = &mem_;
  mem_.attach(&cpu_.tlb);
  interp_ = std::make_unique<Interpreter>(cpu_);
  const HostArena& a = host_arena();
  auto check = [](int64_t rc) {
    if (rc != 0) throw std::runtime_error("DiffMachine: map_fixed failed");
  };
  // The same layout as the host's: PROT_NONE around the parts, so a straddling
  // access faults with the same si_code (SEGV_ACCERR).
  check(mem_.map_fixed(pages(a.base, a.size), mm::Prot::None, mm::RegionKind::Anonymous));
  check(mem_.map_fixed(pages(a.code, a.code_size), mm::Prot::Read | mm::Prot::Write | mm::Prot::Exec,
                         mm::RegionKind::Image));
  check(mem_.map_fixed(pages(a.data, a.data_size), mm::Prot::Read | mm::Prot::Write, mm::RegionKind::Anonymous));
  check(mem_.map_fixed(pages(a.stack, a.stack_size), mm::Prot::Read | mm::Prot::Write, mm::RegionKind::Anonymous));
  std::memset(a.code, kInt3, a.code_size);
  if (!mem_.poke(mm::GuestAddr(addr_of(a.code)), a.code, a.code_size)) throw std::runtime_error("poke");
}

DiffMachine::~DiffMachine() {
  interp_.reset();
  mem_.detach(&cpu_.tlb);
}

RunResult DiffMachine::run_host(const DiffCase& c) {
  const HostArena& a = host_arena();
  uint8_t* at = a.code + (c.insn_addr - addr_of(a.code));
  std::memset(at, kInt3, kInsnWindow);
  std::memcpy(at, c.bytes.data(), c.bytes.size());
  write_host_exit(at + c.bytes.size());
  std::memcpy(a.data, c.data.data(), a.data_size);
  std::memcpy(a.stack, c.stack.data(), a.stack_size);
  const HostOutcome o = run_on_host(c.in);
  // A case may have loaded DS, ES or GS (MOV Sreg, POP GS, LGS): back to the
  // null selectors this process started with (FS is never loaded: diff_rules).
  asm volatile("mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%gs" ::"r"(0));
  RunResult r;
  r.signo = o.signo;
  r.code = o.code;
  r.addr = o.addr;
  r.state = o.state;
  r.data.assign(a.data, a.data + a.data_size);
  r.stack.assign(a.stack, a.stack + a.stack_size);
  r.code_page.assign(a.code, a.code + a.code_size);
  std::memset(a.code, kInt3, a.code_size);  // undo any store into it (and the exit)
  normalize(r, c);
  return r;
}

RunResult DiffMachine::run_emu(const DiffCase& c) {
  const HostArena& a = host_arena();
  uint8_t window[kInsnWindow];
  std::memset(window, kInt3, sizeof window);
  std::memcpy(window, c.bytes.data(), c.bytes.size());
  if (!mem_.poke(mm::GuestAddr(c.insn_addr), window, sizeof window)) throw std::runtime_error("poke");
  Cpu& cpu = cpu_;
  // The segment registers as the host's are at every case's start (run_host).
  static const Cpu fresh{};
  std::memcpy(cpu.selector, fresh.selector, sizeof cpu.selector);
  cpu.seg_base[kSegGs] = 0;
  for (int i = 0; i < 16; i++) cpu.gpr[i] = c.in.gpr[i];
  cpu.rip = c.insn_addr;
  write_rflags(cpu, c.in.rflags, ~uint64_t{0});
  if (!fx_restore(cpu, c.in.fx)) throw std::runtime_error("fx_restore: bad MXCSR in a generated state");
  if (!mem_.copy_out(mm::GuestAddr(addr_of(a.data)), c.data.data(), a.data_size) ||
      !mem_.copy_out(mm::GuestAddr(addr_of(a.stack)), c.stack.data(), a.stack_size))
    throw std::runtime_error("copy_out");
  RunResult r;
  try {
    const Event e = interp_->run();
    r.signo = -1;  // an event (SYSCALL): not a stop the host can have
    r.code = int(e);
  } catch (const mm::GuestFault& f) {
    r.signo = f.signo;
    r.code = f.code;
    r.addr = f.addr;
  }
  for (int i = 0; i < 16; i++) r.state.gpr[i] = cpu.gpr[i];
  r.state.rip = cpu.rip;
  r.state.rflags = read_rflags(cpu);
  fx_save(cpu, r.state.fx);
  r.data.resize(a.data_size);
  r.stack.resize(a.stack_size);
  r.code_page.resize(a.code_size);
  if (!mem_.copy_in(r.data.data(), mm::GuestAddr(addr_of(a.data)), a.data_size) ||
      !mem_.copy_in(r.stack.data(), mm::GuestAddr(addr_of(a.stack)), a.stack_size) ||
      !mem_.copy_in(r.code_page.data(), mm::GuestAddr(addr_of(a.code)), a.code_size))
    throw std::runtime_error("copy_in");
  // Undo any store into the code page, outside the window the next case rewrites.
  std::vector<uint8_t> clean(a.code_size, kInt3);
  std::memcpy(clean.data() + kInsnOffset, r.code_page.data() + kInsnOffset, kInsnWindow);
  if (clean != r.code_page && !mem_.poke(mm::GuestAddr(addr_of(a.code)), clean.data(), clean.size()))
    throw std::runtime_error("poke");
  normalize(r, c);
  return r;
}

std::string compare_runs(const DiffCase& c, const RunResult& host, const RunResult& emu, const FormRule* rule) {
  std::string d;
  if (host.signo != emu.signo || host.code != emu.code) {
    d += fmt::format("  stop: host signal {} code {:#x} addr {:#x}, emu signal {} code {:#x} addr {:#x}\n", host.signo,
                     host.code, host.addr, emu.signo, emu.code, emu.addr);
  } else if (host.signo == SIGSEGV && (host.code == mm::kSegvMapErr || host.code == mm::kSegvAccErr) &&
             host.addr != emu.addr) {
    d += fmt::format("  fault address: host {:#x} emu {:#x}\n", host.addr, emu.addr);
  }
  if (host.state.rip != emu.state.rip)
    d += fmt::format("  rip: host {:#x} emu {:#x} (insn at {:#x})\n", host.state.rip, emu.state.rip, c.insn_addr);
  const uint16_t ignored = rule ? rule->ignored_gprs : 0;
  for (int i = 0; i < 16; i++)
    if (!(ignored >> i & 1) && host.state.gpr[i] != emu.state.gpr[i])
      d += fmt::format("  {}: in {:#x} host {:#x} emu {:#x}\n", kGprNames[i], c.in.gpr[i], host.state.gpr[i],
                       emu.state.gpr[i]);
  // Not NT: POPF sets it on the host too, but Linux may clear it when the
  // task is interrupted before the run ends (seen on ~1 in 30000 POPFs).
  const uint64_t fmask = (rule ? rule->arith_flags : kArithFlags) | kDF | kTF | kIF | 0x3000 | kAC | kID;
  if ((host.state.rflags ^ emu.state.rflags) & fmask)
    d += fmt::format("  rflags: in {:#x} host {:#x} emu {:#x} (compared {:#x})\n", c.in.rflags, host.state.rflags,
                     emu.state.rflags, fmask);
  const uint8_t *hf = host.state.fx, *ef = emu.state.fx, *inf = c.in.fx;
  struct Field { const char* name; size_t off, size; };
  static constexpr Field kFields[] = {{"fcw", kFxFcw, 2}, {"fsw", kFxFsw, 2}, {"ftw", kFxFtw, 1},
                                      {"mxcsr", kFxMxcsr, 4}};
  for (const Field& f : kFields)
    if (std::memcmp(hf + f.off, ef + f.off, f.size) != 0)
      d += fmt::format("  {}: in {} host {} emu {}\n", f.name, hexle(inf + f.off, f.size), hexle(hf + f.off, f.size),
                       hexle(ef + f.off, f.size));
  for (int i = 0; i < 8; i++) {
    const size_t off = kFxSt + 16 * i;
    if (std::memcmp(hf + off, ef + off, 10) != 0)
      d += fmt::format("  st/mm R{}: in {} host {} emu {}\n", i, hexle(inf + off, 10), hexle(hf + off, 10),
                       hexle(ef + off, 10));
  }
  for (int i = 0; i < 16; i++) {
    const size_t off = kFxXmm + 16 * i;
    if (std::memcmp(hf + off, ef + off, 16) != 0)
      d += fmt::format("  xmm{}: in {} host {} emu {}\n", i, hexle(inf + off, 16), hexle(hf + off, 16),
                       hexle(ef + off, 16));
  }
  const HostArena& a = host_arena();
  auto mem = [&](const char* name, const std::vector<uint8_t>& hm, const std::vector<uint8_t>& em,
                 const std::vector<uint8_t>& im, uint64_t base) {
    if (std::memcmp(hm.data(), em.data(), hm.size()) == 0) return;
    for (size_t i = 0; i < hm.size(); i++) {
      if (hm[i] == em[i]) continue;
      const uint64_t x = base + i;
      bool skipped = false;
      if (rule && c.ea)
        for (const FormRule::Range& r : rule->mem_skip)
          if (x >= *c.ea + r.lo && x < *c.ea + r.hi) skipped = true;
      if (skipped) continue;
      const size_t lo = i & ~size_t{7};
      d += fmt::format("  {} byte at {:#x}: in {:02x} host {:02x} emu {:02x} (qword at {:#x}: in {} host {} emu {})\n",
                       name, x, im[i], hm[i], em[i], base + lo, hexle(&im[lo], 8), hexle(&hm[lo], 8),
                       hexle(&em[lo], 8));
      return;  // the first difference
    }
  };
  mem("data", host.data, emu.data, c.data, addr_of(a.data));
  mem("stack", host.stack, emu.stack, c.stack, addr_of(a.stack));
  // The code page, but for the window (the host's has its exit sequence).
  std::vector<uint8_t> hc = host.code_page, ec = emu.code_page, ic(a.code_size, kInt3);
  std::memset(hc.data() + kInsnOffset, kInt3, kInsnWindow);
  std::memset(ec.data() + kInsnOffset, kInt3, kInsnWindow);
  mem("code", hc, ec, ic, addr_of(a.code));
  return d;
}

std::string describe_case(const DiffCase& c) {
  const Disassembly dis = disassemble(c.bytes.data(), c.bytes.size(), c.insn_addr);
  std::string s = fmt::format("  {}   [{}] at {:#x}\n  in:", dis.text, hex_bytes(c.bytes.data(), c.bytes.size()),
                              c.insn_addr);
  for (int i = 0; i < 16; i++) s += fmt::format(" {}={:#x}", kGprNames[i], c.in.gpr[i]);
  s += fmt::format("\n      rflags={:#x} mxcsr={:#x} fcw={:#x} fsw={:#x} ftw={:#x}", c.in.rflags,
                   get<uint32_t>(c.in.fx + kFxMxcsr), get<uint16_t>(c.in.fx + kFxFcw),
                   get<uint16_t>(c.in.fx + kFxFsw), c.in.fx[kFxFtw]);
  {
    const HostArena& a = host_arena();
    const uint64_t off = c.in.gpr[RSP] - addr_of(a.stack);
    if (off + 16 <= a.stack_size) s += " [rsp]=" + hexle(c.stack.data() + off, 8);
  }
  if (c.ea) {
    const HostArena& a = host_arena();
    const uint64_t off = *c.ea - addr_of(a.data);
    s += fmt::format(" ea={:#x}", *c.ea);
    if (*c.ea >= addr_of(a.data) && off + 16 <= a.data_size) s += " [ea]=" + hexle(c.data.data() + off, 16);
  }
  return s + "\n";
}

}  // namespace emu::test
