#include "loader/initial_stack.h"

#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mm/address_space.h"

namespace emu::loader {

namespace {

constexpr char kPlatform[] = "x86_64";
// AT_MINSIGSTKSZ: the kernel reports its signal frame size; ours is the
// classic MINSIGSTKSZ (the emulator has no AVX state to save).
constexpr uint64_t kMinSigStackSize = 2048;
constexpr uint64_t kClockTicks = 100;

void fill_random(uint8_t* out, size_t n) {
  while (n > 0) {
    ssize_t r = ::getrandom(out, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // no entropy source: leave the rest as is (zeros)
    out += r;
    n -= size_t(r);
  }
}

}  // namespace

uint64_t argument_bytes(const StackContents& c) {
  uint64_t bytes = 8 + c.execfn.size() + 1;
  for (const auto& s : c.argv) bytes += s.size() + 1;
  for (const auto& s : c.envp) bytes += s.size() + 1;
  return bytes;
}

std::variant<uint64_t, LoadError> build_initial_stack(mm::AddressSpace& as, uint64_t stack_top, uint64_t stack_size,
                                                      const StackContents& c) {
  // Total string bytes; execve's limit is a quarter of the stack rlimit.
  const uint64_t strings = argument_bytes(c) - 8;
  const uint64_t pointer_words = c.argv.size() + c.envp.size() + 3 + 2 * 32;
  if (strings > stack_size / 4 || strings + pointer_words * 8 + 256 > stack_size)
    return LoadError{std::strerror(E2BIG), 126, E2BIG};

  // The block [sp, stack_top) is assembled in a host buffer and poked at once.
  // Address arithmetic is in guest terms; `at(addr)` finds the buffer byte.
  const uint64_t reserve = strings + pointer_words * 8 + 256;
  const uint64_t base = stack_top - reserve;
  std::vector<uint8_t> block(reserve, 0);
  auto at = [&](uint64_t addr) { return block.data() + (addr - base); };
  auto put_string = [&](uint64_t& p, const std::string& s) {
    p -= s.size() + 1;
    std::memcpy(at(p), s.c_str(), s.size() + 1);
    return p;
  };

  uint64_t p = stack_top - 8;  // end marker: a NULL pointer at the very top
  const uint64_t execfn_addr = put_string(p, c.execfn);
  std::vector<uint64_t> env_addrs(c.envp.size()), arg_addrs(c.argv.size());
  for (size_t i = c.envp.size(); i-- > 0;) env_addrs[i] = put_string(p, c.envp[i]);
  for (size_t i = c.argv.size(); i-- > 0;) arg_addrs[i] = put_string(p, c.argv[i]);
  p &= ~uint64_t{15};
  const uint64_t platform_addr = put_string(p, kPlatform);
  p -= 16;
  const uint64_t random_addr = p;
  fill_random(at(random_addr), 16);

  const std::pair<uint64_t, uint64_t> aux[] = {
      {auxv::kMinsigstksz, kMinSigStackSize},  // ARCH_DLINFO (AT_SYSINFO_EHDR omitted: no vDSO)
      {auxv::kHwcap, c.hwcap},
      {auxv::kPagesz, mm::kPageSize},
      {auxv::kClktck, kClockTicks},
      {auxv::kPhdr, c.phdr_addr},
      {auxv::kPhent, 56},
      {auxv::kPhnum, c.phnum},
      {auxv::kBase, 0},
      {auxv::kFlags, 0},
      {auxv::kEntry, c.entry},
      {auxv::kUid, ::getuid()},
      {auxv::kEuid, ::geteuid()},
      {auxv::kGid, ::getgid()},
      {auxv::kEgid, ::getegid()},
      {auxv::kSecure, 0},
      {auxv::kRandom, random_addr},
      {auxv::kHwcap2, 0},
      {auxv::kExecfn, execfn_addr},
      {auxv::kPlatform, platform_addr},
      {auxv::kNull, 0},
  };
  const uint64_t items = (c.argv.size() + 1) + (c.envp.size() + 1) + 1;
  const uint64_t aux_words = 2 * (sizeof aux / sizeof aux[0]);
  const uint64_t sp = (p - aux_words * 8 - items * 8) & ~uint64_t{15};

  uint64_t w = sp;
  auto put_word = [&](uint64_t v) {
    std::memcpy(at(w), &v, 8);
    w += 8;
  };
  put_word(c.argv.size());
  for (uint64_t a : arg_addrs) put_word(a);
  put_word(0);
  for (uint64_t a : env_addrs) put_word(a);
  put_word(0);
  for (const auto& [type, value] : aux) {
    put_word(type);
    put_word(value);
  }

  if (!as.poke(mm::GuestAddr{sp}, at(sp), stack_top - sp))
    return LoadError{"cannot write the initial stack", 126, EFAULT};
  return sp;
}

}  // namespace emu::loader
