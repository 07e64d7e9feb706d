// Capstone disassembly for humans: --trace lines, SIGILL messages and crash
// reports. Capstone is linked statically and opened on the first call only,
// so a run that never disassembles pays nothing for it (DESIGN.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace emu {
namespace mm {
class AddressSpace;
}

struct Disassembly {
  size_t length = 0;   // bytes Capstone consumed; 0 when it could not decode
  std::string text;    // "mnemonic operands", or "(bad)"
};

Disassembly disassemble(const uint8_t* bytes, size_t size, uint64_t address);

// "48 89 e5" for the first n bytes.
std::string hex_bytes(const uint8_t* bytes, size_t n);

// The guest instruction at `addr` for messages: its bytes (as many of the 15
// as are readable, without marking pages as code) and Capstone's reading.
struct GuestInstruction {
  Disassembly disassembly;
  std::string hex;  // the instruction's bytes; the first 8 readable when undecodable
};
GuestInstruction read_guest_instruction(mm::AddressSpace& mem, uint64_t addr);

}  // namespace emu
