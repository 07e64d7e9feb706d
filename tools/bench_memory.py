#!/usr/bin/env python3
"""The memory benchmark: max RSS and wall time of the memory stress programs
(examples/page_loop.c, *_churn.c) natively, under emu and under qemu-x86_64
(when installed), against the targets:

  every program:        emu max RSS <= 1.05 x native + 1.5 MiB
  malloc_churn (musl):  emu max RSS <= 1.10 x native + 1.5 MiB

and the seed loop (examples/mmap_stress.c) at 10^5 and 10^6 iterations: emu's
max RSS may grow by less than 64 KiB between the two; wall time vs native.

Each figure is the median of RUNS runs (3; 1 with --quick), measured through
tools/measure.py (max RSS from wait4 via rss_run). Every run's stdout is
compared with the native run's: a wrong answer is reported, not timed.
Prints markdown tables. Timings are reported, never asserted (noisy machine).

Resolution: since Linux 6.2 a process's RSS counters are per-CPU counters,
and the max RSS the kernel reports at exit misses each CPU's unfolded part
(up to 32 pages per CPU and counter): the same run reads 1456 or 1584 KiB
at random, and a small native program may read 0. The seed loop's 64 KiB
growth limit is below that step, so its emu figures are medians of
SEED_EMU_RUNS runs, shown with their range.

usage: tools/bench_memory.py [--build DIR] [--emu EMU] [--qemu QEMU|none] [--quick]
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402

# (label, example, arguments); N is chosen so a native run takes ~1 s here.
PROGRAMS = [
    ("page_loop 1 page", "page_loop", ["10000", "1"]),
    ("page_loop 17 pages", "page_loop", ["1500", "17"]),
    ("mmap_churn", "mmap_churn", ["5000"]),
    ("brk_churn", "brk_churn", ["3000"]),
    ("madvise_churn", "madvise_churn", ["3000"]),
    ("mremap_churn", "mremap_churn", ["3000"]),
    ("malloc_churn", "malloc_churn", ["20000"]),
]
SEED_COUNTS = (100_000, 1_000_000)
SEED_GROWTH_LIMIT_KIB = 64
SEED_EMU_RUNS = 9
SLACK_KIB = 1536


def target(example, libc):
    """(factor, slack KiB) of the issue's RSS target for this program."""
    return (1.10 if example == "malloc_churn" and libc == "musl" else 1.05), SLACK_KIB


def fmt_rss(r):
    return r.error if r.error else f"{r.rss:.0f}"


def fmt_rss_range(r):
    if r.error or r.rss_range[0] == r.rss_range[1]:
        return fmt_rss(r)
    return f"{r.rss:.0f} ({r.rss_range[0]}-{r.rss_range[1]})"


def fmt_s(r):
    return "-" if r.error else f"{r.seconds:.3f}"


def ratio(a, b):
    if a is None or b is None or a.error or b.error or not b.seconds:
        return "-"
    return f"{a.seconds / b.seconds:.3f}x"


def runs_text(runs):
    return f"{runs} run{'s' if runs > 1 else ''}"


def table_head(title, columns):
    """Prints a markdown section title and the head of a table with these columns."""
    print(f"{title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def program_table(build, emu, qemu, runs):
    table_head(f"## Stress programs: max RSS (KiB) and wall time (s), medians of {runs_text(runs)}",
               ["program", "native KiB", "emu KiB", "qemu KiB", "emu/native RSS", "target KiB", "RSS target",
                "native s", "emu s", "qemu s", "emu/native time", "emu/qemu time"])
    failures = 0
    for libc in ("glibc", "musl"):
        for label, example, args in PROGRAMS:
            prog = os.path.join(build, "examples", f"{example}-{libc}")
            native = measure.repeat([prog] + args, runs)
            expected = native.stdout
            em = measure.repeat([emu, prog] + args, runs, expected)
            qe = measure.repeat([qemu, prog] + args, runs, expected) if qemu else None
            factor, slack = target(example, libc)
            if native.error or em.error:
                limit, rss_ratio, verdict = "-", "-", "FAIL"
            else:
                limit = factor * native.rss + slack
                rss_ratio = f"{em.rss / native.rss:.2f}x" if native.rss else "-"
                verdict = "pass" if em.rss <= limit else "FAIL"
                limit = f"{limit:.0f} ({factor:.2f}x + {slack})"
            failures += verdict != "pass"
            print(f"| {label} {libc} `{' '.join(args)}` | {fmt_rss(native)} | {fmt_rss(em)} | "
                  f"{fmt_rss(qe) if qe else 'n/a'} | {rss_ratio} | {limit} | {verdict} | "
                  f"{fmt_s(native)} | {fmt_s(em)} | {fmt_s(qe) if qe else 'n/a'} | "
                  f"{ratio(em, native)} | {ratio(em, qe)} |")
            sys.stdout.flush()
    print("\nA native figure of 0 KiB is the kernel's per-CPU RSS counters hiding a small "
          "program's pages (see this script's docstring); its target is then the slack alone.")
    return failures


def seed_table(build, emu, qemu, runs):
    table_head(f"\n## Seed loop (mmap_stress: map, read, unmap one page), medians of {runs_text(runs)} "
               f"(emu RSS: of {SEED_EMU_RUNS if runs > 1 else 3}, with their range)",
               ["libc", "iterations", "native s", "emu s", "qemu s", "emu/native time", "emu/qemu time",
                "native KiB", "emu KiB", "qemu KiB"])
    failures = 0
    for libc in ("glibc", "musl"):
        prog = os.path.join(build, "examples", f"mmap_stress-{libc}")
        emu_rss = {}
        for n in SEED_COUNTS:
            native = measure.repeat([prog, str(n)], runs)
            em = measure.repeat([emu, prog, str(n)], SEED_EMU_RUNS if runs > 1 else 3, native.stdout)
            # qemu pays ~40 us per iteration here: only at the smaller count.
            qe = measure.repeat([qemu, prog, str(n)], runs, native.stdout) if qemu and n == SEED_COUNTS[0] else None
            emu_rss[n] = em.rss
            print(f"| {libc} | {n} | {fmt_s(native)} | {fmt_s(em)} | {fmt_s(qe) if qe else 'n/a'} | "
                  f"{ratio(em, native)} | {ratio(em, qe) if qe else 'n/a'} | {fmt_rss(native)} | {fmt_rss_range(em)} | "
                  f"{fmt_rss(qe) if qe else 'n/a'} |")
            sys.stdout.flush()
        small, large = (emu_rss[n] for n in SEED_COUNTS)
        if small is None or large is None:
            print(f"\n{libc}: emu failed, no RSS growth figure")
            failures += 1
            continue
        growth = large - small
        verdict = "pass" if growth < SEED_GROWTH_LIMIT_KIB else "FAIL"
        failures += verdict != "pass"
        print(f"\n{libc}: emu max RSS {small:.0f} KiB at {SEED_COUNTS[0]}, {large:.0f} KiB at {SEED_COUNTS[1]}: "
              f"growth {growth:+.0f} KiB (target < {SEED_GROWTH_LIMIT_KIB} KiB): {verdict}\n")
    return failures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.path.join(measure.ROOT, "build"), help="meson build dir (default build)")
    p.add_argument("--emu", help="emu executable (default BUILD/emu/emu)")
    p.add_argument("--qemu", help="qemu-x86_64 executable, or 'none' (default: from PATH if installed)")
    p.add_argument("--quick", action="store_true", help="1 run per figure instead of 3")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    emu = os.path.abspath(a.emu) if a.emu else os.path.join(build, "emu", "emu")
    qemu = None if a.qemu == "none" else (a.qemu or shutil.which("qemu-x86_64"))
    runs = 1 if a.quick else 3
    if "EMU_RSS_RUN" not in os.environ:
        os.environ["EMU_RSS_RUN"] = os.path.join(build, "tools", "rss_run")
    print(f"emu: {emu}\nqemu: {qemu or 'not installed'}\n")
    failures = program_table(build, emu, qemu, runs)
    failures += seed_table(build, emu, qemu, runs)
    print(f"{failures} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
