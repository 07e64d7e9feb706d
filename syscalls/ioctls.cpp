#include "syscalls/ioctls.h"

#include <iterator>

namespace emu::syscalls {

namespace {

using enum IoctlArg;

// x86-64 request numbers (include/uapi/asm-generic/ioctls.h).
constexpr IoctlDesc kIoctls[] = {
    {0x5401, "TCGETS", TermiosOut},       {0x5402, "TCSETS", TermiosIn},
    {0x5403, "TCSETSW", TermiosIn},       {0x5404, "TCSETSF", TermiosIn},
    {0x5409, "TCSBRK", Direct},           {0x540a, "TCXONC", Direct},
    {0x540b, "TCFLSH", Direct},           {0x540c, "TIOCEXCL", None},
    {0x540d, "TIOCNXCL", None},           {0x540e, "TIOCSCTTY", Direct},
    {0x540f, "TIOCGPGRP", IntOut},        {0x5410, "TIOCSPGRP", IntIn},
    {0x5411, "TIOCOUTQ", IntOut},         {0x5412, "TIOCSTI", CharIn},
    {0x5413, "TIOCGWINSZ", WinsizeOut},   {0x5414, "TIOCSWINSZ", WinsizeIn},
    {0x541b, "FIONREAD", IntOut},         {0x5420, "TIOCPKT", IntIn},
    {0x5421, "FIONBIO", IntIn},           {0x5422, "TIOCNOTTY", None},
    {0x5423, "TIOCSETD", IntIn},          {0x5424, "TIOCGETD", IntOut},
    {0x5425, "TCSBRKP", Direct},          {0x5427, "TIOCSBRK", None},
    {0x5428, "TIOCCBRK", None},           {0x5429, "TIOCGSID", IntOut},
    {0x5441, "TIOCGPTPEER", DirectFlags}, {0x5450, "FIONCLEX", None},
    {0x5451, "FIOCLEX", None},            {0x5452, "FIOASYNC", IntIn},
    {0x802c542a, "TCGETS2", Termios2Out}, {0x402c542b, "TCSETS2", Termios2In},
    {0x402c542c, "TCSETSW2", Termios2In}, {0x402c542d, "TCSETSF2", Termios2In},
    {0x80045430, "TIOCGPTN", IntOut},     {0x40045431, "TIOCSPTLCK", IntIn},
    // Generic file queries (fs/ioctl.c do_vfs_ioctl, ioctl_getflags).
    {0x2, "FIGETBSZ", IntOut},            {0x5460, "FIOQSIZE", Int64Out},
    {0x80086601, "FS_IOC_GETFLAGS", IntOut},
};

}  // namespace

const IoctlDesc* find_ioctl(uint32_t request) {
  for (const IoctlDesc& d : kIoctls)
    if (d.request == request) return &d;
  return nullptr;
}

}  // namespace emu::syscalls
