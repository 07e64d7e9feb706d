#include "emu/driver.h"
#include "emu/peak_rss.h"
#include "syscalls/signal_delivery.h"
#include "syscalls/signal_host.h"
#include "syscalls/exec.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "emu/cpu.h"
#include "emu/cpuid.h"
#include "emu/crash_report.h"
#include "emu/disasm.h"
#include "emu/interpreter.h"
#include "emu/rss_log.h"
#include "emu/trace.h"
#include "loader/executable.h"
#include "loader/loader.h"
#include "mm/address_space.h"
#include "mm/guest_fault.h"
#include "syscalls/syscalls.h"

extern char** environ;

namespace emu {

// The first executable file wins; when nothing matches, the loader (or
// execve) reports what is wrong with PROGRAM as given.
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return program;
}

namespace {

// The si_code name of a memory fault, as strace and the kernel's headers spell it.
const char* fault_code_name(int signo, int code) {
  if (code == mm::kSiKernel) return "SI_KERNEL";
  if (signo == SIGSEGV && code == mm::kSegvMapErr) return "SEGV_MAPERR";
  if (signo == SIGSEGV && code == mm::kSegvAccErr) return "SEGV_ACCERR";
  if (signo == SIGBUS && code == mm::kBusAdrErr) return "BUS_ADRERR";
  return "?";
}

// A synchronous fault the guest has no handler for (guest signal handlers
// come with the signals work): say what happened on stderr, then die by the
// signal as the native program would.
[[noreturn]] void guest_killed(const std::string& program, const Cpu& cpu, mm::AddressSpace& mem,
                               const mm::GuestFault& fault, uint64_t mem_limit) {
  if (fault.code == mm::kOomKill && fault.signo == SIGKILL) {
    std::fprintf(stderr, "emu: %s: out of guest memory (limit %s): killed like the kernel's OOM killer\n",
                 program.c_str(), mem_limit ? fmt::format("{} bytes", mem_limit).c_str() : "host RAM");
    syscalls::die_by_signal(SIGKILL);
  }
  GuestInstruction insn = read_guest_instruction(mem, cpu.rip);
  std::string where = fmt::format("at 0x{:x}: {} ({})", cpu.rip, insn.hex, insn.disassembly.text);
  switch (fault.signo) {
    case SIGILL:
      std::fprintf(stderr, "emu: %s: unimplemented or invalid instruction %s: SIGILL\n", program.c_str(), where.c_str());
      break;
    case SIGSEGV:
    case SIGBUS:
      std::fprintf(stderr, "emu: %s: %s (%s, address 0x%lx) %s\n", program.c_str(),
                   fault.signo == SIGSEGV ? "SIGSEGV" : "SIGBUS", fault_code_name(fault.signo, fault.code),
                   static_cast<unsigned long>(fault.addr), where.c_str());
      break;
    default:
      std::fprintf(stderr, "emu: %s: %s %s\n", program.c_str(), strsignal(fault.signo), where.c_str());
      break;
  }
  syscalls::die_by_signal(fault.signo);
}

void print_stats(const Cpu& cpu, const mm::AddressSpace& mem, const Interpreter& interp) {
  mm::AddressSpaceStats s = mem.stats();
  InterpreterStats is = interp.stats();
  // VmHWM, not ru_maxrss: exact on current kernels (emu/peak_rss.h).
  long peak_kib = proc_status_kib(0, "VmHWM");
  if (peak_kib < 0) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    peak_kib = ru.ru_maxrss;
  }
  std::FILE* out = stderr;
  std::fprintf(out, "emu: --stats\n");
  std::fprintf(out, "  guest instructions   %lu\n", static_cast<unsigned long>(cpu.icount));
  std::fprintf(out, "  blocks decoded       %lu (invalidated %lu, live %lu)\n", static_cast<unsigned long>(is.blocks_decoded),
               static_cast<unsigned long>(is.blocks_invalidated), static_cast<unsigned long>(is.blocks_live));
  std::fprintf(out, "  flags elided         %lu decoded instructions\n", static_cast<unsigned long>(is.flags_elided));
  std::fprintf(out, "  compare+branch fused %lu decoded pairs\n", static_cast<unsigned long>(is.fused));
  std::fprintf(out, "  scalar SSE chains    %lu decoded chains\n", static_cast<unsigned long>(is.fp_chains));
  std::fprintf(out, "  run-loop block ends %lu (the rest went block to block)\n",
               static_cast<unsigned long>(is.loop_block_ends));
  std::fprintf(out, "  frames in use        %lu (%lu KiB)\n", static_cast<unsigned long>(s.frames.in_use),
               static_cast<unsigned long>(s.frames.in_use * 4));
  std::fprintf(out, "  frames peak          %lu (%lu KiB)\n", static_cast<unsigned long>(s.frames.peak),
               static_cast<unsigned long>(s.frames.peak * 4));
  std::fprintf(out, "  frames fresh         %lu\n", static_cast<unsigned long>(s.frames.fresh));
  std::fprintf(out, "  frames recycled      %lu\n", static_cast<unsigned long>(s.frames.recycled));
  std::fprintf(out, "  frames released      %lu\n", static_cast<unsigned long>(s.frames.released));
  std::fprintf(out, "  region nodes         %lu (peak %lu)\n", static_cast<unsigned long>(s.region_nodes),
               static_cast<unsigned long>(s.region_nodes_peak));
  for (int k = 0; k < mm::kRegionKindCount; ++k) {
    std::string_view name = mm::region_kind_name(static_cast<mm::RegionKind>(k));
    std::fprintf(out, "  resident %-11.*s %lu KiB\n", static_cast<int>(name.size()), name.data(),
                 static_cast<unsigned long>(s.resident_pages[k] * 4));
  }
  std::fprintf(out, "  emulator max RSS     %ld KiB\n", peak_kib);
}

// execve: the registers, segments, x87 and SSE units back to the state a
// new process starts with (a default-constructed Cpu's). The retired-
// instruction count and a pending interrupt carry over.
void reset_architectural_state(Cpu& cpu) {
  static const Cpu initial;
  std::copy(std::begin(initial.gpr), std::end(initial.gpr), std::begin(cpu.gpr));
  std::copy(std::begin(initial.seg_base), std::end(initial.seg_base), std::begin(cpu.seg_base));
  std::copy(std::begin(initial.selector), std::end(initial.selector), std::begin(cpu.selector));
  std::copy(std::begin(initial.xmm), std::end(initial.xmm), std::begin(cpu.xmm));
  cpu.flags = initial.flags;
  cpu.mxcsr = initial.mxcsr;
  cpu.x87 = initial.x87;
}

// RIP and RSP as the loader left them for the program's entry.
void start_program(Cpu& cpu, const loader::LoadedProgram& program) {
  cpu.event = Event::None;
  cpu.rip = program.entry;
  cpu.gpr[RSP] = program.stack_pointer;
}

}  // namespace

int run_program(const Options& options, const RunHooks& hooks) {
  install_crash_report(nullptr, nullptr);

  std::string path = resolve_program(options.program);

  mm::AddressSpaceConfig config;
  config.mem_limit = options.mem_limit;
  auto mem = std::make_unique<mm::AddressSpace>(config);

  // Started before the loader so the log shows the image being mapped.
  std::unique_ptr<RssLog> rss_log;
  if (!options.rss_log.empty()) {
    std::string error;
    rss_log = RssLog::start(options.rss_log, options.rss_interval_ms, *mem, error);
    if (!rss_log) {
      std::fprintf(stderr, "emu: --rss-log: %s\n", error.c_str());
      return 1;
    }
  }
  // The most guest frames in use at once, over every program exec'd.
  uint64_t frames_peak = 0;
  syscalls::Process process;
  // Everything that must happen once the guest has ended, on either path; in
  // a forked child, the user's emu (the first process) reports, not this one.
  auto guest_ended = [&] {
    if (process.forked_child) return;
    if (rss_log) rss_log->finish();
    frames_peak = std::max(frames_peak, mem->stats().frames.peak);
    if (hooks.guest_ended) hooks.guest_ended(hooks.ctx, GuestEndReport{frames_peak});
  };

  Cpu cpu;
  cpu.mem = mem.get();
  mem->attach(&cpu.tlb);
  install_crash_report(&cpu, mem.get());

  loader::LoadOptions load;
  load.path = path;
  load.execfn = path;
  load.argv = options.args;
  cpuid::select_level(options.cpu_level);
  load.hwcap = cpuid::selected().leaf1_edx;  // AT_HWCAP is CPUID leaf 1 EDX on x86
  for (char** e = environ; e && *e; ++e) load.envp.emplace_back(*e);
  rlimit stack{};
  if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY) load.stack_limit = stack.rlim_cur;

  auto loaded = loader::load_exec(*mem, load);
  if (auto* error = std::get_if<loader::LoadError>(&loaded)) {
    std::fprintf(stderr, "emu: %s: %s\n", options.program.c_str(), error->reason.c_str());
    return error->exit_status;
  }
  const auto& program = std::get<loader::LoadedProgram>(loaded);
  start_program(cpu, program);

  std::unique_ptr<Interpreter> interp;
  std::unique_ptr<InstructionTrace> trace;
  auto start_interpreter = [&] {
    interp = std::make_unique<Interpreter>(cpu);
    trace = std::make_unique<InstructionTrace>(*mem);
    if (options.trace) interp->set_trace(InstructionTrace::hook, trace.get());
    if (options.precise_flags) interp->set_precise_flags(true);
  };
  start_interpreter();

  process.cpu = &cpu;
  process.mem = mem.get();
  process.exe_path = loader::resolved_exe_path(program.path);
  syscalls::set_process_name(options.program);
  process.strace = options.strace;
  process.stack_limit = load.stack_limit;
  process.mem_limit = options.mem_limit;
  process.hwcap = load.hwcap;

  // Guest signal dispositions and mask are mirrored onto emu from here on
  // (syscalls/signal_host.h).
  syscalls::attach_host_signals(process, options.strace);
  set_async_signal_forwarder(syscalls::forward_reserved_signal);

  // execve succeeded: the new program's address space replaces the old one;
  // the decoded blocks and the trace's view go with the old.
  auto switch_to_exec_image = [&] {
    syscalls::ExecImage& image = *process.exec;
    interp.reset();
    trace.reset();
    frames_peak = std::max(frames_peak, mem->stats().frames.peak);
    if (rss_log) rss_log->retarget(*image.mem);
    install_crash_report(&cpu, image.mem.get());
    mem = std::move(image.mem);
    cpu.mem = mem.get();
    mem->attach(&cpu.tlb);
    process.mem = mem.get();
    reset_architectural_state(cpu);
    start_program(cpu, image.program);
    start_interpreter();
    syscalls::finish_exec(process);
  };

  // The trace's last lines, --stats, and the hooks: on every way out.
  auto finish_run = [&] {
    if (options.trace) trace->finish(cpu);
    if (options.stats && !process.forked_child) print_stats(cpu, *mem, *interp);
    guest_ended();
  };

  cpu.insn_limit = options.max_insns ? options.max_insns : UINT64_MAX;
  const char* const crash_test = crash_test_mode();
  while (!process.exited) {
    Event event = Event::None;
    try {
      event = interp->run();
    } catch (const mm::GuestFault& fault) {
      if (!syscalls::deliver_fault(process, fault)) {
        finish_run();
        syscalls::strace_fatal_fault(process, fault);
        guest_killed(options.program, cpu, *mem, fault, options.mem_limit);
      }
    }
    if (event == Event::InsnLimit) [[unlikely]] {
      // Like the kernel's RLIMIT_CPU: the runaway guest ends by SIGXCPU.
      std::fflush(stdout);
      finish_run();
      std::fprintf(stderr, "emu: %s: instruction limit reached (%lu instructions retired, --max-insns=%lu): SIGXCPU\n",
                   options.program.c_str(), static_cast<unsigned long>(cpu.icount),
                   static_cast<unsigned long>(options.max_insns));
      syscalls::die_by_signal(SIGXCPU);
    }
    if (event == Event::Syscall) {
      if (crash_test) [[unlikely]]
        crash_on_purpose(crash_test);
      syscalls::dispatch(process);
      if (process.exec) [[unlikely]]
        switch_to_exec_image();
      if (process.fork_pending) [[unlikely]] {
        // This is the child of a guest fork: the --rss-log belongs to the
        // parent (and its sampler thread was not copied).
        process.fork_pending = false;
        if (rss_log) rss_log->abandon();
      }
    }
    if (cpu.interrupt || (process.signals.pending & ~process.signals.blocked)) [[unlikely]]
      syscalls::deliver_signals(process);
  }
  std::fflush(stdout);
  finish_run();
  return process.exit_status & 0xff;
}

}  // namespace emu
