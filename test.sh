#!/usr/bin/env bash
# Runs every test, in two builds:
#  1. build/: the release build's suite (unit, instruction, and guest
#     programs compared natively vs under emu);
#  2. build-sanitize/: the same suite built with clang, AddressSanitizer +
#     UndefinedBehaviorSanitizer, plus the fuzzing harnesses (tools/sanitize.sh).
# `./test.sh --release-only` runs the first alone. Other arguments go to
# `meson test` in both (e.g. --suite unit). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
release_only=0
args=()
for a in "$@"; do
  if [ "$a" = "--release-only" ]; then release_only=1; else args+=("$a"); fi
done
[ -f build/build.ninja ] || meson setup build || exit 1
ninja -C build || exit 1
meson test -C build --print-errorlogs --num-processes 2 "${args[@]}"
status=$?
logs=(build/meson-logs/testlog.json)
if [ $release_only = 0 ]; then
  echo "release build: $(python3 tools/test_summary.py build/meson-logs/testlog.json)"
  tools/sanitize.sh "${args[@]}" || status=1
  logs+=(build-sanitize/meson-logs/testlog.json)
fi
python3 tools/test_summary.py "${logs[@]}"
exit $status
