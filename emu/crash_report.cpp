#include "emu/crash_report.h"

#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <libunwind.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include "emu/block_cache.h"
#include "emu/cpu.h"
#include "emu/disasm.h"
#include "mm/address_space.h"

namespace emu {
namespace {

const Cpu* g_cpu = nullptr;
mm::AddressSpace* g_mem = nullptr;
volatile sig_atomic_t g_reporting = 0;

// The function of emu's own executable that contains `ip`, from its ELF
// symbol table (/proc/self/exe, mapped read-only): libunwind names frames
// through dladdr, which a static executable does not have. Non-PIE, so
// addresses are link-time addresses. False when not found.
bool exe_symbol(unw_word_t ip, char* name, size_t size, unw_word_t& offset) {
  static const Elf64_Ehdr* image = nullptr;
  static size_t image_size = 0;
  if (!image) {
    const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st{};
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) image = static_cast<const Elf64_Ehdr*>(p), image_size = size_t(st.st_size);
    }
    close(fd);
    if (!image) return false;
  }
  const auto* base = reinterpret_cast<const char*>(image);
  if (image->e_shoff == 0 || image->e_shoff + image->e_shnum * sizeof(Elf64_Shdr) > image_size) return false;
  const auto* sections = reinterpret_cast<const Elf64_Shdr*>(base + image->e_shoff);
  for (unsigned s = 0; s < image->e_shnum; ++s) {
    const Elf64_Shdr& tab = sections[s];
    if (tab.sh_type != SHT_SYMTAB || tab.sh_link >= image->e_shnum) continue;
    const Elf64_Shdr& strings = sections[tab.sh_link];
    if (tab.sh_offset + tab.sh_size > image_size || strings.sh_offset + strings.sh_size > image_size) return false;
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(base + tab.sh_offset);
    for (size_t i = 0; i < tab.sh_size / sizeof(Elf64_Sym); ++i) {
      const Elf64_Sym& sym = syms[i];
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || ip < sym.st_value || ip >= sym.st_value + sym.st_size) continue;
      if (sym.st_name >= strings.sh_size) return false;
      std::snprintf(name, size, "%s", base + strings.sh_offset + sym.st_name);
      offset = ip - sym.st_value;
      return true;
    }
  }
  return false;
}

void print_backtrace() {
  std::fprintf(stderr, "host backtrace:\n");
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) {
    std::fprintf(stderr, "  (unavailable)\n");
    return;
  }
  for (int frame = 0; frame < 64 && unw_step(&cursor) > 0; ++frame) {
    unw_word_t ip = 0, offset = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &ip);
    char name[512];
    if (unw_get_proc_name(&cursor, name, sizeof name, &offset) == 0 || exe_symbol(ip, name, sizeof name, offset)) {
      int status = 0;
      char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
      std::fprintf(stderr, "  #%-2d 0x%016lx %s+0x%lx\n", frame, static_cast<unsigned long>(ip),
                   status == 0 && demangled ? demangled : name, static_cast<unsigned long>(offset));
      std::free(demangled);
    } else {
      std::fprintf(stderr, "  #%-2d 0x%016lx\n", frame, static_cast<unsigned long>(ip));
    }
  }
  // emu is non-PIE: the addresses above are link-time addresses.
  char exe[512];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  std::fprintf(stderr, "  (source lines: addr2line -f -C -i -e %s ADDRESS...)\n", n > 0 ? exe : "emu");
}

// The instruction executing now: Cpu::cur inside Cpu::block (the SYSCALL,
// when emu is in the system-call layer); else the block's start.
uint64_t current_guest_instruction(const Cpu& c) {
  const Block* b = c.block;
  const Insn* in = c.cur;
  if (b && in && in >= b->insns() && in < b->insns() + b->count) return b->rip() + in->end - in->len;
  return c.rip;
}

void print_guest_state() {
  if (!g_cpu) return;
  static const char* const kNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                         "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  std::fprintf(stderr, "guest registers (rip: the current block's start, or after a SYSCALL):\n");
  for (int i = 0; i < 16; ++i)
    std::fprintf(stderr, "  %-3s 0x%016lx%s", kNames[i], static_cast<unsigned long>(g_cpu->gpr[i]),
                 i % 4 == 3 ? "\n" : "");
  std::fprintf(stderr, "  rip 0x%016lx  fs_base 0x%016lx  gs_base 0x%016lx  icount %lu\n",
               static_cast<unsigned long>(g_cpu->rip), static_cast<unsigned long>(g_cpu->seg_base[kSegFs]),
               static_cast<unsigned long>(g_cpu->seg_base[kSegGs]), static_cast<unsigned long>(g_cpu->icount));
  if (!g_mem) return;
  const uint64_t at = current_guest_instruction(*g_cpu);
  GuestInstruction insn = read_guest_instruction(*g_mem, at);
  std::fprintf(stderr, "guest instruction at 0x%lx: %s  (%s)\n", static_cast<unsigned long>(at),
               insn.disassembly.text.c_str(), insn.hex.c_str());
  std::fprintf(stderr, "guest memory map:\n%s", g_mem->proc_maps().c_str());
}

[[noreturn]] void report_and_exit(const char* what) {
  if (g_reporting) _exit(kCrashExitStatus);  // a crash while reporting: give up quietly
  g_reporting = 1;
  std::fprintf(stderr, "emu: internal error: %s\n", what);
  print_backtrace();
  print_guest_state();
  std::fprintf(stderr, "emu: this is a bug in emu; please report it with the lines above\n");
  _exit(kCrashExitStatus);
}

AsyncSignalForwarder g_forward = nullptr;

void on_host_signal(int signo, siginfo_t* info, void* uctx);

void install_crash_handlers() {
  struct sigaction sa{};
  sa.sa_sigaction = on_host_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int signo : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(signo, &sa, nullptr);
}

void on_host_signal(int signo, siginfo_t* info, void* uctx) {
  const bool sent = info && info->si_code <= 0 && !(signo == SIGABRT && info->si_pid == getpid());
  if (sent && g_forward && !g_reporting) {
    install_crash_handlers();  // SA_RESETHAND took this one away
    g_forward(signo, info, uctx);
    return;
  }
  char what[128];
  std::snprintf(what, sizeof what, "host signal %d (%s) at address %p", signo, strsignal(signo),
                info ? info->si_addr : nullptr);
  report_and_exit(what);
}

void on_terminate() {
  // Rethrowing to learn the exception's message re-enters terminate when the
  // exception escaped a noexcept function; the second time, just report.
  static bool entered = false;
  if (entered) report_and_exit("uncaught exception (escaped a noexcept function)");
  entered = true;
  std::string what = "uncaught exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what += std::string(": ") + ex.what();
    } catch (...) {
    }
  }
  report_and_exit(what.c_str());
}

}  // namespace

void install_crash_report(const Cpu* cpu, mm::AddressSpace* mem) {
  g_cpu = cpu;
  g_mem = mem;
  static bool installed = false;
  if (installed) return;
  installed = true;

  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  sigaltstack(&ss, nullptr);

  install_crash_handlers();
  std::set_terminate(on_terminate);
}

void set_async_signal_forwarder(AsyncSignalForwarder forward) { g_forward = forward; }

const char* crash_test_mode() { return std::getenv("EMU_TEST_CRASH"); }

void crash_on_purpose(const char* mode) {
  if (std::strcmp(mode, "abort") == 0) std::abort();
  if (std::strcmp(mode, "exception") == 0) throw std::logic_error("EMU_TEST_CRASH=exception");
  // "segv" and anything else: a store to page 0, never mapped (not through
  // a null pointer: the sanitizer build would report that itself first).
  static volatile uintptr_t page_zero = 16;
  *reinterpret_cast<volatile int*>(page_zero) = 1;
  std::abort();
}

}  // namespace emu
