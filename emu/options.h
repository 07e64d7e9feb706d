// Command-line options of `emu [options] PROGRAM [ARGS...]`.
//
// Options come first and stop at PROGRAM (or after `--`): everything from
// PROGRAM on belongs to the guest, so `emu ls -l` passes -l to ls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emu/cpuid.h"

namespace emu {

struct Options {
  bool strace = false;          // --strace: one line per system call to stderr
  bool trace = false;           // --trace: one line per executed instruction to stderr
  bool precise_flags = false;   // --precise-flags: no flag elision (emu/flag_use.h)
  bool stats = false;           // --stats: counters to stderr at exit
  uint64_t mem_limit = 0;       // --mem-limit=SIZE: cap on guest physical memory (0: host RAM)
  uint64_t max_insns = 0;       // --max-insns=N: SIGXCPU after N guest instructions (0: no limit)
  cpuid::Level cpu_level = cpuid::Level::kX86_64_v2;  // --cpu=x86-64|x86-64-v2: what CPUID reports
  bool compare_native = false;  // --compare-native: run PROGRAM natively too, table to stderr
  std::string rss_log;          // --rss-log=FILE: CSV of RSS samples while the guest runs
  uint32_t rss_interval_ms = 10;  // --rss-interval=MS: sampling period for --rss-log
  std::string program;          // PROGRAM as given
  std::vector<std::string> args;  // argv of the guest, argv[0] = PROGRAM
};

enum class ParseOutcome { Run, ExitOk, ExitUsage };

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::Run;
  Options options;
  std::string message;  // text for stdout (ExitOk) or the error line (ExitUsage)
};

ParseResult parse_options(int argc, char** argv);

// Parses "123", "64K", "512M", "2G" (binary units). False on malformed input.
bool parse_size(const std::string& text, uint64_t& out);
// Parses "123", "5k", "20M", "3G" (decimal units: a count, not bytes).
bool parse_count(const std::string& text, uint64_t& out);

std::string usage_text();

}  // namespace emu
