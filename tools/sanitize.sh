#!/usr/bin/env bash
# The sanitizer job: emu and every test built with clang, AddressSanitizer
# (with LeakSanitizer) and UndefinedBehaviorSanitizer, plus the libFuzzer
# harnesses (tests/fuzz), in build-sanitize/; then the whole suite there.
# Any sanitizer report fails its test. Extra arguments go to `meson test`.
# Called by ./test.sh after the release suite; ./setup.sh installs clang.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build-sanitize
if [ ! -f "$dir/build.ninja" ]; then
  # -O1 with line tables: what the sanitizers' authors recommend, and about
  # half the compile time of -O2 -g on this code.
  CC=clang CXX=clang++ meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=custom -Doptimization=1 -Ddebug=false \
    -Dcpp_args=-gline-tables-only -Dc_args=-gline-tables-only -Dfuzz=true || exit 1
fi
ninja -C "$dir" || exit 1

# A report ends the process (abort: emu's crash report then says where).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
# LeakSanitizer cannot run traced: measure max RSS without ptrace (emu/peak_rss.h).
export EMU_PEAK_RSS_NO_TRACE=1
# RSS bounds mean nothing under ASan's allocator (check_constant_memory.py).
export EMU_SANITIZED=1
# The slowest randomized tests at a tenth of their cases: the same checks.
export EMU_FUZZ_CASES=5000 EMU_REGION_TREE_OPS=25000
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 5 "$@"
status=$?
echo "sanitizer build: $(python3 tools/test_summary.py "$dir/meson-logs/testlog.json")"
exit $status
