#include "tests/emu/harness.h"

#include <csignal>
#include <stdexcept>
#include <string>

namespace emu::test {
namespace {

constexpr uint8_t kSentinel[] = {0x0F, 0x0B};  // ud2

mm::PageRange pages(uint64_t addr, uint64_t size) {
  return mm::PageRange{mm::GuestAddr(addr).page(), mm::GuestAddr(addr + size).page()};
}

void check(int64_t rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("harness: ") + what + " failed: " + std::to_string(rc));
}

Cpu make_cpu(mm::AddressSpace& mem) {
  Cpu c;
  c.mem = &mem;
  return c;
}

}  // namespace

Harness::Harness() : mem(), cpu(make_cpu(mem)), interp(cpu) {
  mem.attach(&cpu.tlb);
  check(mem.map_fixed(pages(kCodeAddr, kCodeSize), mm::Prot::Read | mm::Prot::Write | mm::Prot::Exec,
                      mm::RegionKind::Image),
        "map code");
  check(mem.map_fixed(pages(kDataAddr, kDataSize), mm::Prot::Read | mm::Prot::Write, mm::RegionKind::Anonymous),
        "map data");
  check(mem.map_fixed(pages(kStackTop - kStackSize, kStackSize), mm::Prot::Read | mm::Prot::Write,
                      mm::RegionKind::Stack),
        "map stack");
  cpu.gpr[RSP] = kStackTop;
  cpu.rip = kCodeAddr;
}

Harness::Harness(std::initializer_list<uint8_t> code) : Harness(std::vector<uint8_t>(code)) {}

Harness::Harness(const std::vector<uint8_t>& code) : Harness() { set_code(code); }

Harness::~Harness() { mem.detach(&cpu.tlb); }

void Harness::set_code(const std::vector<uint8_t>& code) {
  if (code.size() + sizeof kSentinel > kCodeSize) throw std::runtime_error("harness: code too large");
  std::vector<uint8_t> bytes = code;
  bytes.insert(bytes.end(), std::begin(kSentinel), std::end(kSentinel));
  if (!mem.poke(mm::GuestAddr(kCodeAddr), bytes.data(), bytes.size())) throw std::runtime_error("harness: poke code");
  code_size_ = code.size();
  cpu.rip = kCodeAddr;
}

std::optional<mm::GuestFault> Harness::run_fault() {
  for (;;) {
    try {
      const Event e = interp.run();
      if (e == Event::Syscall) {
        ++syscalls;
        continue;
      }
      throw std::runtime_error("harness: unexpected event");
    } catch (const mm::GuestFault& f) {
      if (f.signo == SIGILL && f.addr == code_end() && cpu.rip == code_end()) return std::nullopt;
      return f;
    }
  }
}

void Harness::run() {
  if (auto f = run_fault()) throw *f;
}

void Harness::write(uint64_t addr, const void* src, size_t n) {
  if (!mem.copy_out(mm::GuestAddr(addr), src, n)) throw std::runtime_error("harness: write to unmapped memory");
}

void Harness::read(uint64_t addr, void* dst, size_t n) {
  if (!mem.copy_in(dst, mm::GuestAddr(addr), n)) throw std::runtime_error("harness: read of unmapped memory");
}

}  // namespace emu::test
