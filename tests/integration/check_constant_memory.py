#!/usr/bin/env python3
"""Constant memory under churn: runs `emu PROGRAM N` and `emu PROGRAM 4N`
(medians of several runs' max RSS) and passes when the larger count's max
RSS is within TOLERANCE_KIB of the smaller one's. Also checks the guest's
output matches the native run at N.

usage: check_constant_memory.py EMU PROGRAM N TOLERANCE_KIB [ARGS...]
(ARGS follow N on the program's command line.)
With EMU_SANITIZED set (the sanitizer build's tests) both runs must still
succeed, but the growth is not checked.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import measure  # noqa: E402


def max_rss(cmd, runs=3):
    values = []
    for _ in range(runs):
        r = measure.run(cmd)
        if r.status != 0:
            print(f"FAIL: {' '.join(cmd)} exited with {r.status}\n{r.stderr.decode(errors='replace')[-2000:]}")
            sys.exit(1)
        values.append(r.max_rss_kib)
    return measure.median(values)


def main():
    emu, program, n, tolerance = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    args = sys.argv[5:]
    native = measure.run([program, str(n)] + args)
    emulated = measure.run([emu, program, str(n)] + args)
    if native.stdout != emulated.stdout or native.status != emulated.status:
        print(f"FAIL: output differs: native {native.stdout!r} ({native.status}), "
              f"emu {emulated.stdout!r} ({emulated.status})")
        return 1
    runs = 1 if os.environ.get("EMU_SANITIZED") else 3  # the growth is not checked there (below)
    small = max_rss([emu, program, str(n)] + args, runs)
    large = max_rss([emu, program, str(4 * n)] + args, runs)
    growth = large - small
    print(f"max RSS at {n}: {small} KiB; at {4 * n}: {large} KiB; growth {growth} KiB "
          f"(tolerance {tolerance} KiB); native at {n}: {native.max_rss_kib} KiB")
    if os.environ.get("EMU_SANITIZED"):
        # AddressSanitizer's quarantine holds emu's freed memory back, and its
        # allocator keeps the rest: RSS says nothing about emu's own there.
        print("growth not checked: a sanitizer build (tools/sanitize.sh)")
        return 0
    if growth > tolerance:
        print("FAIL: memory grows with the iteration count")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
