#!/usr/bin/env bash
# Runs every test: unit tests (Catch2), instruction tests, and the guest
# programs run natively and under emu. Extra arguments go to `meson test`
# (e.g. --suite unit). Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
[ -f build/build.ninja ] || meson setup build || exit 1
ninja -C build || exit 1
meson test -C build --print-errorlogs --num-processes 2 "$@"
status=$?
python3 tools/test_summary.py build/meson-logs/testlog.json
exit $status
