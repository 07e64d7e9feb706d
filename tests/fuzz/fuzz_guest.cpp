#include "tests/fuzz/fuzz_guest.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "mm/guest_fault.h"

namespace emu::fuzz {

namespace {

[[noreturn]] void emulator_bug(const char* what) {
  std::fprintf(stderr, "fuzz: emulator bug: %s\n", what);
  std::abort();
}

bool is_guest_signal(int signo) {
  return signo == SIGILL || signo == SIGSEGV || signo == SIGFPE || signo == SIGBUS || signo == SIGTRAP;
}

}  // namespace

GuestEnd run_bounded(Cpu& cpu, Interpreter& interp, uint64_t max_insns, unsigned max_syscalls) {
  cpu.insn_limit = cpu.icount + max_insns;
  for (unsigned syscalls = 0;;) {
    Event e = Event::None;
    try {
      e = interp.run();
    } catch (const mm::GuestFault& f) {
      if (f.signo == SIGKILL && f.code == mm::kOomKill) return GuestEnd::Signal;  // --mem-limit reached
      if (!is_guest_signal(f.signo)) emulator_bug("a guest fault with a signal no instruction raises");
      return GuestEnd::Signal;
    } catch (const std::exception& x) {
      std::fprintf(stderr, "fuzz: %s\n", x.what());
      emulator_bug("a C++ exception escaped the interpreter");
    } catch (...) {
      emulator_bug("an exception of unknown type escaped the interpreter");
    }
    switch (e) {
      case Event::InsnLimit:
        return GuestEnd::Limit;
      case Event::Syscall:
        if (++syscalls > max_syscalls) return GuestEnd::Limit;
        cpu.gpr[RAX] = uint64_t(-int64_t(ENOSYS));
        continue;
      default:
        emulator_bug("the interpreter returned an event only the syscall layer or a host signal causes");
    }
  }
}

}  // namespace emu::fuzz
