#include "emu/disasm.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include <algorithm>

#include "mm/address_space.h"

namespace emu {
namespace {

// Opened on first use; lives until exit (the handle is never closed because
// crash reports may need it during teardown).
csh capstone_handle() {
  static csh handle = [] {
    csh h = 0;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return csh{0};
    return h;
  }();
  return handle;
}

}  // namespace

Disassembly disassemble(const uint8_t* bytes, size_t size, uint64_t address) {
  Disassembly d;
  csh h = capstone_handle();
  if (h == 0) {
    d.text = "(capstone unavailable)";
    return d;
  }
  cs_insn* insn = nullptr;
  size_t count = cs_disasm(h, bytes, size, address, 1, &insn);
  if (count == 0) {
    d.text = "(bad)";
    return d;
  }
  d.length = insn[0].size;
  d.text = insn[0].op_str[0] ? fmt::format("{} {}", insn[0].mnemonic, insn[0].op_str) : std::string(insn[0].mnemonic);
  cs_free(insn, count);
  return d;
}

std::string hex_bytes(const uint8_t* bytes, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += fmt::format("{:02x}", bytes[i]);
  }
  return s;
}

GuestInstruction read_guest_instruction(mm::AddressSpace& mem, uint64_t addr) {
  uint8_t bytes[15];
  size_t n = sizeof bytes;
  if (!mem.copy_in(bytes, mm::GuestAddr{addr}, n)) {
    // Near the end of a mapping: take the bytes that are readable.
    n = 0;
    while (n < sizeof bytes && mem.copy_in(&bytes[n], mm::GuestAddr{addr + n}, 1)) ++n;
  }
  GuestInstruction g;
  g.disassembly = disassemble(bytes, n, addr);
  g.hex = hex_bytes(bytes, g.disassembly.length ? g.disassembly.length : std::min<size_t>(n, 8));
  return g;
}

}  // namespace emu
