#!/usr/bin/env python3
"""Repeatable instruction counts for optimising emu: each speed-benchmark
workload (examples/bench) at a small size, run under
`valgrind --tool=callgrind`, for one or more emu binaries side by side.
Instruction counts (callgrind's Ir: host instructions emu executed) do not
depend on the machine's load, so a before/after comparison of two builds is
exact where wall times are noisy. Speed itself is tools/bench.py's business.

usage: tools/callgrind_counts.py [--build DIR] [--only NAME]... EMU [EMU...]
  EMU    an emu binary (e.g. build/emu/emu, or a copy of an older build)
  --build the meson build dir holding examples/bench (default build)

Prints one row per workload: Ir for each EMU, in millions, and the ratio of
the first to the last.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

# Small sizes: each run is ~0.3-1.5 G instructions under callgrind.
WORKLOADS = {
    'sieve': ['2', '1000000'],
    'sha256': ['1', '1'],
    'qsort': ['2', '50000'],
    'matmul': ['1', '120'],
    'strings': ['300'],
    'malloc': ['300000'],
}


def instructions(emu, program, args):
    """callgrind's total Ir for `emu program args`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'callgrind.out')
        r = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out, emu, program] + args,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f'{emu} {program}: exit {r.returncode}\n{r.stderr[-2000:]}')
        m = re.search(r'I\s+refs:\s+([\d,]+)', r.stderr)
        if not m:
            raise RuntimeError(f'{emu} {program}: no "I refs" line from callgrind')
        return int(m.group(1).replace(',', ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('emus', nargs='+', metavar='EMU')
    ap.add_argument('--build', default='build')
    ap.add_argument('--only', action='append', choices=sorted(WORKLOADS))
    a = ap.parse_args()
    names = a.only or list(WORKLOADS)
    print('| workload | args | ' + ' | '.join(f'Ir (M) {e}' for e in a.emus) +
          (' | first / last |' if len(a.emus) > 1 else ' |'))
    print('|---|---|' + '---|' * len(a.emus) + ('---|' if len(a.emus) > 1 else ''))
    for name in names:
        for libc in ('glibc', 'musl'):
            program = os.path.join(a.build, 'examples', 'bench', f'{name}-{libc}')
            counts = [instructions(e, program, WORKLOADS[name]) for e in a.emus]
            row = f'| {name}-{libc} | {" ".join(WORKLOADS[name])} | ' + ' | '.join(f'{c / 1e6:,.0f}' for c in counts)
            if len(counts) > 1:
                row += f' | {counts[0] / counts[-1]:.2f}x'
            print(row + ' |', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
