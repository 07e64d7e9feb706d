// emu [options] PROGRAM [ARGS...]
#include <cstdio>

#include "emu/compare_native.h"
#include "emu/driver.h"
#include "emu/options.h"

int main(int argc, char** argv) {
  emu::ParseResult parsed = emu::parse_options(argc, argv);
  switch (parsed.outcome) {
    case emu::ParseOutcome::ExitOk:
      std::fputs(parsed.message.c_str(), stdout);
      return 0;
    case emu::ParseOutcome::ExitUsage:
      std::fprintf(stderr, "%s\n", parsed.message.c_str());
      return 2;
    case emu::ParseOutcome::Run:
      break;
  }
  if (parsed.options.compare_native) return emu::run_compare_native(parsed.options);
  return emu::run_program(parsed.options);
}
