// The terminal and generic file ioctls the emulator passes to the host: one
// row per request with its name and the shape of its argument, read by both
// the ioctl handler (how to move the argument) and --strace (how to print it).
#pragma once

#include <cstdint>

namespace emu::syscalls {

enum class IoctlArg : uint8_t {
  None,        // no argument (TIOCNOTTY, FIOCLEX)
  Direct,      // the argument itself is the value (TCFLSH, TIOCSCTTY)
  DirectFlags, // the argument is open flags, printed in hex (TIOCGPTPEER)
  IntIn,       // int the call reads (TIOCSPGRP, FIONBIO)
  IntOut,      // int the call writes (TIOCGPGRP, FIONREAD)
  Int64Out,    // 64-bit value the call writes (FIOQSIZE's loff_t)
  CharIn,      // one byte the call reads (TIOCSTI)
  TermiosIn,   // the kernel's struct termios
  TermiosOut,
  Termios2In,  // struct termios2 (TCGETS2/TCSETS2*)
  Termios2Out,
  WinsizeIn,   // struct winsize
  WinsizeOut,
};

struct IoctlDesc {
  uint32_t request;
  const char* name;
  IoctlArg arg;
};

// The row for `request`, or nullptr (the handler answers ENOTTY).
const IoctlDesc* find_ioctl(uint32_t request);

}  // namespace emu::syscalls
