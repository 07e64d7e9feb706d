#!/usr/bin/env python3
"""The flagship demo: the seed's mmap/munmap loop (examples/mmap_stress.c)
natively and under emu, with wall time and max RSS side by side, and the
emulator's RSS at 10x the iterations to show it stays constant.

usage: tools/demo.py [ITERATIONS]   (default 1000000)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402

ROOT = measure.ROOT


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    emu = os.path.join(ROOT, "build", "emu", "emu")
    rows = []
    for libc in ("glibc", "musl"):
        prog = os.path.join(ROOT, "build", "examples", f"mmap_stress-{libc}")
        native = measure.run([prog, str(n)])
        small = measure.run([emu, prog, str(n // 10)])
        large = measure.run([emu, prog, str(n)])
        for r in (native, small, large):
            if r.status != 0:
                print(f"demo: {' '.join(r.argv)} failed ({r.status}):\n{r.stderr.decode(errors='replace')}")
                return 1
        if native.stdout != large.stdout:
            print(f"demo: output differs: native {native.stdout!r}, emu {large.stdout!r}")
            return 1
        rows.append((f"native   mmap_stress-{libc} {n}", native))
        rows.append((f"emu      mmap_stress-{libc} {n // 10}", small))
        rows.append((f"emu      mmap_stress-{libc} {n}", large))
        rows.append(None)
        growth = large.max_rss_kib - small.max_rss_kib
        rows.append(f"  {libc}: emu RSS growth from {n // 10} to {n} iterations: {growth} KiB; "
                    f"time emu/native: {large.seconds / native.seconds:.2f}x")
        rows.append(None)
    print(f"\nThe seed's mmap/munmap loop, {n} iterations (one 4 KiB page mapped, read, unmapped):\n")
    print(f"{'run':42} {'wall s':>8} {'max RSS KiB':>12}")
    for row in rows:
        if row is None:
            continue
        if isinstance(row, str):
            print(row)
            continue
        label, r = row
        print(f"{label:42} {r.seconds:8.2f} {r.max_rss_kib:12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
