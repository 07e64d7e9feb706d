#include "emu/options.h"

#include <fmt/format.h>

#include <cctype>
#include <utility>
#include <string_view>

namespace emu {

std::string usage_text() {
  return
      "Usage: emu [options] PROGRAM [ARGS...]\n"
      "Runs a static x86-64 Linux executable under emulation.\n"
      "\n"
      "Options (they stop at PROGRAM; `--` ends them too):\n"
      "  --strace          print each system call, strace style, to stderr\n"
      "  --trace           print each executed instruction (Capstone disassembly) and the\n"
      "                    registers it changed (x87/MMX included) to stderr\n"
      "  --precise-flags   compute every instruction's flags (no flag elision, no fused\n"
      "                    compare+branch), so a fault mid-block shows exact flags\n"
      "  --stats           print counters at exit: guest instructions, blocks (and how many\n"
      "                    ended in the run loop), frames in use/peak/recycled/released,\n"
      "                    region nodes, emulator max RSS\n"
      "  --mem-limit=SIZE  cap guest physical memory (e.g. 512M, 2G); default: host RAM\n"
      "  --max-insns=N     end the guest by SIGXCPU once it has retired N instructions\n"
      "                    (counted per block; suffixes k, M, G: 5G); default: no limit\n"
      "  --cpu=LEVEL       what CPUID reports: x86-64 (baseline) or x86-64-v2 (default:\n"
      "                    everything implemented, up to x86-64-v2)\n"
      "  --compare-native  run PROGRAM natively first, then under emulation, and print\n"
      "                    wall time, max RSS and peak resident guest memory of both\n"
      "                    to stderr; piped stdin is captured and given to both runs\n"
      "  --rss-log=FILE    while the guest runs, write CSV samples to FILE:\n"
      "                    time_s,rss_kib,guest_kib (emu's RSS, guest frames in use)\n"
      "  --rss-interval=MS sampling period for --rss-log (default 10)\n"
      "  --help            show this text\n"
      "  --version         show the version\n"
      "\n"
      "PROGRAM without a '/' is searched in $PATH. The exit status is the guest's;\n"
      "a guest killed by a signal ends emu by the same signal (also with\n"
      "--compare-native, where the status is the emulated run's).\n";
}

namespace {

// "N" or "N" + one of K, M, G, T (either case) times base^1..4, into `out`;
// with `bytes`, "KiB"/"KB"-style tails are accepted too. False on anything
// else or on overflow.
bool parse_scaled(const std::string& text, uint64_t base, bool bytes, uint64_t& out) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    uint64_t digit = uint64_t(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  uint64_t scale = 1;
  if (i < text.size()) {
    const size_t power = std::string_view("KMGT").find(char(std::toupper(static_cast<unsigned char>(text[i]))));
    if (power == std::string_view::npos) return false;
    for (size_t p = 0; p <= power; ++p) scale *= base;
    ++i;
    if (bytes && i < text.size() && (text[i] == 'i' || text[i] == 'I')) ++i;  // "MiB"-style
    if (bytes && i < text.size() && (text[i] == 'b' || text[i] == 'B')) ++i;
  }
  if (i != text.size() || value > UINT64_MAX / scale) return false;
  out = value * scale;
  return true;
}

}  // namespace

bool parse_count(const std::string& text, uint64_t& out) { return parse_scaled(text, 1000, false, out); }

bool parse_size(const std::string& text, uint64_t& out) { return parse_scaled(text, 1024, true, out); }

namespace {

// "1".."3600000" (one hour) for --rss-interval; false otherwise.
bool parse_interval_ms(std::string_view text, uint32_t& out) {
  if (text.empty() || text.size() > 7) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value == 0 || value > 3'600'000) return false;
  out = value;
  return true;
}

ParseResult usage_error(std::string message) {
  ParseResult r;
  r.outcome = ParseOutcome::ExitUsage;
  r.message = std::move(message);
  return r;
}

}  // namespace

ParseResult parse_options(int argc, char** argv) {
  ParseResult r;
  bool interval_given = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") { ++i; break; }
    if (arg.empty() || arg[0] != '-' || arg == "-") break;  // PROGRAM
    if (arg == "--help" || arg == "-h") {
      r.outcome = ParseOutcome::ExitOk;
      r.message = usage_text();
      return r;
    }
    if (arg == "--version") {
      r.outcome = ParseOutcome::ExitOk;
      r.message = "emu " EMU_VERSION " (x86-64 Linux user-mode emulator)\n";
      return r;
    }
    if (arg == "--strace") { r.options.strace = true; continue; }
    if (arg == "--trace") { r.options.trace = true; continue; }
    if (arg == "--stats") { r.options.stats = true; continue; }
    if (arg == "--precise-flags") { r.options.precise_flags = true; continue; }
    if (arg.starts_with("--mem-limit=")) {
      std::string value(arg.substr(12));
      if (!parse_size(value, r.options.mem_limit) || r.options.mem_limit < 4096) {
        r.outcome = ParseOutcome::ExitUsage;
        r.message = fmt::format("emu: invalid --mem-limit '{}' (expected e.g. 512M or 2G)", value);
        return r;
      }
      continue;
    }
    if (arg.starts_with("--max-insns=")) {
      std::string value(arg.substr(12));
      if (!parse_count(value, r.options.max_insns) || r.options.max_insns == 0)
        return usage_error(fmt::format("emu: invalid --max-insns '{}' (expected a count, e.g. 1000000 or 5G)", value));
      continue;
    }
    if (arg == "--compare-native") { r.options.compare_native = true; continue; }
    if (arg.starts_with("--rss-log=")) {
      r.options.rss_log = std::string(arg.substr(10));
      if (r.options.rss_log.empty()) return usage_error("emu: invalid --rss-log '' (expected --rss-log=FILE)");
      continue;
    }
    if (arg.starts_with("--cpu=")) {
      const std::string_view value = arg.substr(6);
      if (value == "x86-64") {
        r.options.cpu_level = cpuid::Level::kX86_64;
      } else if (value == "x86-64-v2") {
        r.options.cpu_level = cpuid::Level::kX86_64_v2;
      } else {
        return usage_error(fmt::format("emu: invalid --cpu '{}' (expected x86-64 or x86-64-v2)", value));
      }
      continue;
    }
    if (arg.starts_with("--rss-interval=")) {
      std::string_view value = arg.substr(15);
      if (!parse_interval_ms(value, r.options.rss_interval_ms))
        return usage_error(fmt::format("emu: invalid --rss-interval '{}' (expected milliseconds, 1 to 3600000)", value));
      interval_given = true;
      continue;
    }
    if (arg == "--rss-log" || arg == "--rss-interval" || arg == "--mem-limit" || arg == "--cpu" || arg == "--max-insns")
      return usage_error(fmt::format("emu: option '{}' needs a value: {}=VALUE (see emu --help)", arg, arg));
    r.outcome = ParseOutcome::ExitUsage;
    r.message = fmt::format("emu: unknown option '{}' (see emu --help)", arg);
    return r;
  }
  if (interval_given && r.options.rss_log.empty()) return usage_error("emu: --rss-interval needs --rss-log=FILE");
  if (i >= argc) {
    r.outcome = ParseOutcome::ExitUsage;
    r.message = "emu: no PROGRAM given (see emu --help)";
    return r;
  }
  r.options.program = argv[i];
  for (; i < argc; ++i) r.options.args.emplace_back(argv[i]);
  return r;
}

}  // namespace emu
