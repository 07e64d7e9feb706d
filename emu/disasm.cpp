#include "emu/disasm.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

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

}  // namespace emu
