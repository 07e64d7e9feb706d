#!/usr/bin/env python3
"""The speed benchmark (issue 6): CPU-bound workloads, the mmap/munmap loop
and start-up, run natively, under emu and under qemu-x86_64, checked against
the issue's targets.

usage: tools/bench.py [--runs N] [--quick] [--only WORKLOAD]... [--no-qemu]
                      [--build DIR] [--out FILE.md]

Workloads (WORKLOAD names for --only):
  sieve sha256 qsort matmul strings malloc
                     examples/bench/NAME.c, each built with glibc and musl, at
                     the defaults in each file's header (a native glibc run
                     takes ~0.3-0.6 s on the project's machine)
  busybox-sha256sum  busybox sha256sum DATA   (Debian busybox-static, glibc)
  busybox-gzip       busybox gzip -c DATA
  mmap               the seed's mmap/munmap loop (examples/mmap_stress.c)
  hello              start-up: examples/hello.c, medians of HELLO_RUNS runs
DATA is a 16 MiB (--quick: 4 MiB) text-like file generated deterministically
in a temporary directory (compressible, so gzip does real work).

How it measures: every figure is the median of --runs runs (3; 1 with
--quick, which also uses smaller sizes) through tools/measure.py: wall time
and max RSS (VmHWM) as build/tools/rss_run reports them. The native run
comes first and its stdout is the reference: an emu or qemu run printing
anything else, or exiting non-zero, is reported instead of timed. Guest
instructions come from a separate, untimed `emu --stats` run ("guest
instructions N" on stderr); guest MIPS = those / emu's median wall time.

Targets, reported PASS/FAIL and never asserted (the exit status is 0 unless
a native run or the tooling itself failed):
  geometric mean of emu/native over the CPU workloads        <= 15x
  every integer workload (all CPU workloads but matmul)      <= 25x native
  emu faster than qemu-x86_64 on matmul and on strings with glibc (SIMD)
  mmap loop under emu                                        <= 1.0x native
  >= 10x faster than Blink's interpreter, from the issue's figures (Blink:
    ~150x native on sieve, ~320x on SHA-256; Blink is not a Debian package,
    so it is not run here): emu/native <= 15x on sieve, <= 32x on sha256
  hello start-up                                             within 5 ms of native

Writes FILE.md (default docs/bench.md; BUILD/bench-partial.md with --quick
or --only, so a partial run never replaces the full table): the table, the
summary, the machine and the commands; and FILE.png beside it: each
workload's wall time relative to native, emu and qemu bars, log scale
(gnuplot, as tools/rss_plot.py draws).
"""
import argparse
import datetime
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402
import rss_plot  # noqa: E402

ROOT = measure.ROOT
LIBCS = ("glibc", "musl")
BENCH_PROGRAMS = ("sieve", "sha256", "qsort", "matmul", "strings", "malloc")
# --quick sizes: roughly a tenth of each default.
QUICK_ARGS = {"sieve": ["2"], "sha256": ["1", "8"], "qsort": ["1"], "matmul": ["5"],
              "strings": ["15000"], "malloc": ["2000000"]}
FLOAT_WORKLOADS = {"matmul"}
# The seed loop pays ~20-30 us per iteration natively on this VM: ~0.5 s.
MMAP_ITERATIONS, MMAP_ITERATIONS_QUICK = 20000, 3000
HELLO_RUNS, HELLO_RUNS_QUICK = 21, 5
DATA_MIB, DATA_MIB_QUICK = 16, 4
BUSYBOX = "/bin/busybox"
WORKLOAD_NAMES = BENCH_PROGRAMS + ("busybox-sha256sum", "busybox-gzip", "mmap", "hello")

TARGET_GEOMEAN = 15.0
TARGET_INTEGER_MAX = 25.0
TARGET_MMAP = 1.0
TARGET_HELLO_MS = 5.0
# The Blink figures (its interpreter, x native) and the speed-up asked for.
BLINK_RATIOS = {"sieve": 150.0, "sha256": 320.0}
BLINK_SPEEDUP = 10.0
GUEST_INSTRUCTIONS = re.compile(rb"^\s*guest instructions\s+(\d+)\s*$", re.M)


@dataclass
class Workload:
    name: str     # a WORKLOAD_NAMES entry
    libc: str
    argv: list
    kind: str     # "integer", "float" (the CPU workloads), "mmap" or "startup"


@dataclass
class Row:
    workload: Workload
    native: measure.Repeated
    emu: measure.Repeated
    qemu: measure.Repeated  # None when qemu was not run
    instructions: int       # None without a good --stats run


@dataclass
class Setup:
    """What a report needs to say how its figures were made."""
    emu: str
    qemu: str         # None when qemu was not run
    data: str         # the generated text file
    data_mib: int
    runs: int
    hello_runs: int
    invocation: str


@dataclass
class Check:
    what: str
    figure: str
    target: str
    verdict: str  # PASS, FAIL, or n/a when the figure was not measured


# ---------------------------------------------------------------- workloads

def write_text_file(path, mib):
    """A deterministic text-like file of exactly `mib` MiB: numbered lines of
    sentences drawn (xorshift64) from a pool of 4096 made of a small word
    list, so it compresses like prose (~3-4x with gzip)."""
    words = ("the of and to in is that for it as was with be by on not this are or from at which but have an "
             "they you were her she there would their we him been has when who will more no if out so said what "
             "up its about into than them can only other new some could time these two may then do first any my "
             "now such like our over man even most made after also did many before must through back years where "
             "much your way well down should because each just those people how too little state good very make "
             "world still own see men work long get here between both life being under never day same another "
             "know while last might us great old year off come since against go came right used take three").split()
    x = 0x9E3779B97F4A7C15

    def rand(n):
        nonlocal x
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        return x % n

    pool = [" ".join(words[rand(len(words))] for _ in range(3 + rand(10))).capitalize() + "."
            for _ in range(4096)]
    size = mib << 20
    out = bytearray()
    line = 0
    while len(out) < size:
        line += 1
        sentences = " ".join(pool[rand(len(pool))] for _ in range(1 + rand(3)))
        out += f"{line:07d} {sentences}\n".encode()
    with open(path, "wb") as f:
        f.write(out[:size])


def workloads(build, data, quick, only):
    """The workloads to run, in table order (hello is measured apart)."""
    found = []
    for name in BENCH_PROGRAMS:
        kind = "float" if name in FLOAT_WORKLOADS else "integer"
        for libc in LIBCS:
            prog = os.path.join(build, "examples", "bench", f"{name}-{libc}")
            found.append(Workload(name, libc, [prog] + (QUICK_ARGS[name] if quick else []), kind))
    if os.access(BUSYBOX, os.X_OK):
        found.append(Workload("busybox-sha256sum", "glibc", [BUSYBOX, "sha256sum", data], "integer"))
        found.append(Workload("busybox-gzip", "glibc", [BUSYBOX, "gzip", "-c", data], "integer"))
    else:
        print(f"bench: {BUSYBOX} not found (Debian busybox-static): no busybox workloads")
    iterations = MMAP_ITERATIONS_QUICK if quick else MMAP_ITERATIONS
    for libc in LIBCS:
        found.append(Workload("mmap", libc, [os.path.join(build, "examples", f"mmap_stress-{libc}"), str(iterations)],
                              "mmap"))
    return [w for w in found if not only or w.name in only]


# ---------------------------------------------------------------- measuring

def guest_instructions(emu, argv, expected_stdout):
    """Guest instructions retired, from an untimed `emu --stats` run; None if
    that run failed or printed something else."""
    r = measure.run([emu, "--stats"] + argv)
    m = GUEST_INSTRUCTIONS.search(r.stderr)
    if r.status != 0 or r.stdout != expected_stdout or not m:
        return None
    return int(m[1])


def measure_workload(w, emu, qemu, runs):
    """Native first (its stdout is the reference), then emu, qemu, --stats."""
    native = measure.repeat(w.argv, runs)
    expected = native.stdout
    emulated = measure.repeat([emu] + w.argv, runs, expected)
    qemu_runs = measure.repeat([qemu] + w.argv, runs, expected) if qemu else None
    instructions = guest_instructions(emu, w.argv, expected) if not native.error else None
    return Row(w, native, emulated, qemu_runs, instructions)


def measure_hello(build, emu, runs, only):
    """Start-up rows: hello natively and under emu (qemu is not a target here)."""
    if only and "hello" not in only:
        return []
    rows = []
    for libc in LIBCS:
        w = Workload("hello", libc, [os.path.join(build, "examples", f"hello-{libc}")], "startup")
        native = measure.repeat(w.argv, runs)
        rows.append(Row(w, native, measure.repeat([emu] + w.argv, runs, native.stdout), None, None))
    return rows


def ratio(a, b):
    """a's median wall time over b's, or None if either has no figure."""
    if a is None or b is None or a.error or b.error or not b.seconds:
        return None
    return a.seconds / b.seconds


def mips(row):
    if row.instructions is None or row.emu.error or not row.emu.seconds:
        return None
    return row.instructions / row.emu.seconds / 1e6


# ---------------------------------------------------------------- summary

def verdict(ok):
    return "PASS" if ok else "FAIL"


def label(row):
    return f"{row.workload.name} {row.workload.libc}"


def x(value):
    return f"{value:.2f}x"


def check_ratio(what, row, limit, target_text, numerator="emu", denominator="native"):
    """A check that a ratio of two runs' times is at most `limit`."""
    if row is None:
        return Check(what, "not measured", target_text, "n/a")
    runs = {"emu": row.emu, "qemu": row.qemu, "native": row.native}
    if runs[numerator] is None or runs[denominator] is None:
        return Check(what, f"{denominator if runs[denominator] is None else numerator} not run", target_text, "n/a")
    value = ratio(runs[numerator], runs[denominator])
    if value is None:
        failed = next(r for r in (runs[numerator], runs[denominator]) if r.error)
        return Check(what, f"no figure ({failed.error})", target_text, "FAIL")
    return Check(what, f"{numerator}/{denominator} {x(value)}", target_text, verdict(value <= limit))


def cpu_checks(rows):
    """Geometric mean over the CPU workloads, and the slowest integer one."""
    cpu = [r for r in rows if r.workload.kind in ("integer", "float")]
    if not cpu:
        return []
    measured = [(r, ratio(r.emu, r.native)) for r in cpu]
    good = [(r, v) for r, v in measured if v is not None]
    missing = [label(r) for r, v in measured if v is None]
    note = f" ({len(missing)} without a figure: {', '.join(missing)})" if missing else ""
    checks = []
    if good:
        geomean = math.exp(sum(math.log(v) for _, v in good) / len(good))
        checks.append(Check(f"geometric mean emu/native, {len(good)} CPU workloads", x(geomean) + note,
                            f"<= {TARGET_GEOMEAN:g}x", verdict(geomean <= TARGET_GEOMEAN and not missing)))
    integer = [(r, v) for r, v in good if r.workload.kind == "integer"]
    if integer:
        worst, value = max(integer, key=lambda rv: rv[1])
        checks.append(Check("slowest integer workload", f"{label(worst)} {x(value)}" + note,
                            f"<= {TARGET_INTEGER_MAX:g}x", verdict(value <= TARGET_INTEGER_MAX and not missing)))
    return checks


def summary(rows, hello_rows):
    """Every target as a Check, in the order the issue lists them."""
    by = {(r.workload.name, r.workload.libc): r for r in rows + hello_rows}
    checks = cpu_checks(rows)
    # The "scalar floating-point and SIMD string workloads": matmul
    # (the same loop with either libc) and strings through glibc, whose
    # string functions are SIMD; musl's are plain C (an integer workload).
    for name, libcs in (("matmul", LIBCS), ("strings", ("glibc",))):
        for libc in libcs:
            if (name, libc) in by:
                checks.append(check_ratio(f"{name} {libc}: emu vs qemu", by[(name, libc)], 1.0,
                                          "< 1x (emu faster)", "emu", "qemu"))
    for libc in LIBCS:
        if ("mmap", libc) in by:
            checks.append(check_ratio(f"mmap loop {libc}", by[("mmap", libc)], TARGET_MMAP,
                                      f"<= {TARGET_MMAP:g}x native"))
    for name, blink in BLINK_RATIOS.items():
        limit = blink / BLINK_SPEEDUP
        for libc in LIBCS:
            if (name, libc) in by:
                c = check_ratio(f"{name} {libc} vs Blink (~{blink:g}x native)", by[(name, libc)], limit,
                                f"<= {limit:g}x native ({BLINK_SPEEDUP:g}x faster than Blink)")
                value = ratio(by[(name, libc)].emu, by[(name, libc)].native)
                if value:
                    c.figure += f": {blink / value:.1f}x faster than Blink"
                checks.append(c)
    for row in hello_rows:
        checks.append(hello_check(row))
    return checks


def hello_check(row):
    what, target = f"hello start-up {row.workload.libc}", f"emu - native <= {TARGET_HELLO_MS:g} ms"
    if row.native.error or row.emu.error:
        return Check(what, f"no figure ({row.native.error or row.emu.error})", target, "FAIL")
    delta = (row.emu.seconds - row.native.seconds) * 1000
    return Check(what, f"{row.native.seconds * 1000:.1f} ms native, {row.emu.seconds * 1000:.1f} ms emu: "
                 f"{delta:+.1f} ms", target, verdict(delta <= TARGET_HELLO_MS))


# ---------------------------------------------------------------- output

def seconds_cell(r, places=3):
    if r is None:
        return "n/a"
    return r.error if r.error else f"{r.seconds:.{places}f}"


def kib_cell(r):
    if r is None:
        return "n/a"
    return "-" if r.error else f"{r.rss:.0f}"


def ratio_cell(a, b):
    if a is None or b is None:
        return "n/a"
    value = ratio(a, b)
    return "-" if value is None else x(value)


def table_lines(rows):
    head = ["workload", "libc", "native s", "emu s", "qemu s", "emu/native", "qemu/native", "emu/qemu",
            "native KiB", "emu KiB", "qemu KiB", "guest instructions", "guest MIPS"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        m = mips(r)
        lines.append("| " + " | ".join([
            r.workload.name, r.workload.libc, seconds_cell(r.native), seconds_cell(r.emu), seconds_cell(r.qemu),
            ratio_cell(r.emu, r.native), ratio_cell(r.qemu, r.native), ratio_cell(r.emu, r.qemu),
            kib_cell(r.native), kib_cell(r.emu), kib_cell(r.qemu),
            "-" if r.instructions is None else f"{r.instructions:,}",
            "-" if m is None else f"{m:.0f}"]) + " |")
    return lines


def hello_lines(rows):
    lines = ["| program | native ms | emu ms | emu - native | native KiB | emu KiB |", "|---|---|---|---|---|---|"]
    for r in rows:
        delta = "-" if r.native.error or r.emu.error else f"{(r.emu.seconds - r.native.seconds) * 1000:+.1f} ms"
        ms = [("-" if s.error else f"{s.seconds * 1000:.1f}") for s in (r.native, r.emu)]
        lines.append(f"| hello-{r.workload.libc} | {ms[0]} | {ms[1]} | {delta} | {kib_cell(r.native)} | "
                     f"{kib_cell(r.emu)} |")
    return lines


def summary_lines(checks):
    lines = ["| target | measured | goal | verdict |", "|---|---|---|---|"]
    lines += [f"| {c.what} | {c.figure} | {c.target} | {c.verdict} |" for c in checks]
    passed = sum(c.verdict == "PASS" for c in checks)
    failed = sum(c.verdict == "FAIL" for c in checks)
    lines += ["", f"{passed} passed, {failed} failed" + (f", {len(checks) - passed - failed} not measured"
                                                        if len(checks) > passed + failed else ""),
              "", "Blink is not a Debian package, so it is not run here: the Blink comparison uses the issue's "
              f"figures for its interpreter (~{BLINK_RATIOS['sieve']:g}x native on sieve, "
              f"~{BLINK_RATIOS['sha256']:g}x on SHA-256)."]
    return lines


def shown_path(path, data):
    """A path as the report shows it: DATA for the generated file, else
    relative to the repository when inside it."""
    if path == data:
        return "DATA"
    if os.path.isabs(path) and path.startswith(ROOT + os.sep):
        return os.path.relpath(path, ROOT)
    return path


def command_lines(rows, setup):
    qemu = f"`{setup.qemu} PROGRAM`" if setup.qemu else "(qemu-x86_64 not run)"
    lines = [f"Each PROGRAM below ran as `PROGRAM`, `{shown_path(setup.emu, None)} PROGRAM` and {qemu}; DATA is the generated {setup.data_mib} MiB text file "
             "(`write_text_file` in tools/bench.py).", ""]
    lines += [f"- {label(r)}: `{shlex.join(shown_path(a, setup.data) for a in r.workload.argv)}`" for r in rows]
    return lines


def first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT).stdout
    except OSError:
        return None
    return out.splitlines()[0].strip() if out.strip() else None


def machine_lines(emu, qemu):
    """CPU model, kernel, date, load, and what was measured."""
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    head = first_line(["git", "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "status", "--porcelain", "--untracked-files=no"])
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    uname = os.uname()
    return [f"- CPU: {model} ({os.cpu_count()} logical CPUs)",
            f"- kernel: {uname.sysname} {uname.release} {uname.version}",
            f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
            f"- load average when the run started: {load}",
            f"- emu: {first_line([emu, '--version']) or '?'} ({shown_path(emu, None)}), source at git {head or '?'}"
            + (" with uncommitted changes" if dirty else ""),
            f"- qemu: {first_line([qemu, '--version']) if qemu else 'not run'}"]


def plot(png, rows, data_dir):
    """Bar chart of emu/native and qemu/native per workload, log scale."""
    data = os.path.join(data_dir, "bench-plot.tsv")
    with open(data, "w") as f:
        for r in rows:
            cells = [ratio(r.emu, r.native), ratio(r.qemu, r.native)]
            f.write(f"\"{label(r)}\"\t" + "\t".join("?" if v is None else f"{v:.4f}" for v in cells) + "\n")
    gp = rss_plot.gp_string
    rss_plot.run_gnuplot([
        "set terminal pngcairo size 1200,600 font 'sans,10' noenhanced",
        f"set output {gp(png)}",
        "set datafile separator '\\t'",
        "set datafile missing '?'",
        "set title 'Wall time relative to native (median of runs; below 1 = faster than native)'",
        "set ylabel 'wall time / native wall time (log scale)'",
        "set logscale y",
        "set grid ytics",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set xtics rotate by -35 nomirror",
        "set key above",
        "set bmargin 7",
        "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2 lc rgb '#1b9e77'",
        f"plot {gp(data)} using 2:xtic(1) title 'emu' lc rgb '#d95f02', "
        f"'' using 3 title 'qemu-x86_64' lc rgb '#7570b3', "
        "NaN with lines lw 2 dt 2 lc rgb '#1b9e77' title 'native (= 1)'",
    ])


def write_report(path, rows, hello_rows, checks, setup, png):
    lines = ["# emu speed benchmark", "",
             f"Written by `{setup.invocation}`. Wall times are medians of {setup.runs} run(s) "
             f"(start-up: of {setup.hello_runs}), measured through `{shown_path(measure.rss_run_path(), None)}`, which also reads max RSS "
             "(VmHWM); every run's stdout equals the native run's, or the cell names what went wrong. "
             "Guest MIPS: guest instructions (`emu --stats`, a separate untimed run) / emu's wall time.", "",
             "## Machine", ""] + machine_lines(setup.emu, setup.qemu)
    lines += ["", "## Workloads", ""] + table_lines(rows)
    if hello_rows:
        lines += ["", "## Start-up", ""] + hello_lines(hello_rows)
    lines += ["", "## Targets", ""] + summary_lines(checks)
    if png:
        lines += ["", f"![wall time relative to native]({os.path.basename(png)})"]
    lines += ["", "## Commands", ""] + command_lines(rows + hello_rows, setup)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- main

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, help="runs per figure (default 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true", help="1 run per figure, smaller sizes")
    p.add_argument("--only", action="append", choices=WORKLOAD_NAMES, metavar="WORKLOAD",
                   help="run only this workload (repeatable): " + ", ".join(WORKLOAD_NAMES))
    p.add_argument("--no-qemu", action="store_true", help="do not run qemu-x86_64")
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="meson build dir (default build)")
    p.add_argument("--out", help="markdown report (default docs/bench.md; BUILD/bench-partial.md with "
                                 "--quick or --only); the chart goes beside it as .png")
    return p.parse_args()


def main():
    a = parse_args()
    build = os.path.abspath(a.build)
    emu = os.path.join(build, "emu", "emu")
    if not os.access(emu, os.X_OK):
        raise SystemExit(f"bench: {emu} not built (ninja -C {build})")
    os.environ.setdefault("EMU_RSS_RUN", os.path.join(build, "tools", "rss_run"))
    runs = a.runs or (1 if a.quick else 3)
    hello_runs = HELLO_RUNS_QUICK if a.quick else HELLO_RUNS
    qemu = None if a.no_qemu else shutil.which("qemu-x86_64")
    if not qemu and not a.no_qemu:
        print("bench: qemu-x86_64 not found (Debian qemu-user): skipping the qemu runs")
    partial = a.quick or a.only
    out = os.path.abspath(a.out or (os.path.join(build, "bench-partial.md") if partial
                                    else os.path.join(ROOT, "docs", "bench.md")))
    png = os.path.splitext(out)[0] + ".png" if shutil.which("gnuplot") else None
    if not png:
        print("bench: gnuplot not found (Debian gnuplot-nox): no chart")

    with tempfile.TemporaryDirectory(prefix="emu-bench.") as tmp:
        data = os.path.join(tmp, "data.txt")
        data_mib = DATA_MIB_QUICK if a.quick else DATA_MIB
        write_text_file(data, data_mib)
        rows = []
        for w in workloads(build, data, a.quick, a.only):
            rows.append(measure_workload(w, emu, qemu, runs))
            print(table_lines(rows)[-1], flush=True)
        hello_rows = measure_hello(build, emu, hello_runs, a.only)
        checks = summary(rows, hello_rows)
        if png and rows + hello_rows:
            plot(png, rows + hello_rows, tmp)
        setup = Setup(emu, qemu, data, data_mib, runs, hello_runs,
                      shlex.join(["python3", "tools/bench.py"] + sys.argv[1:]))
        write_report(out, rows, hello_rows, checks, setup, png)

    print("\n" + "\n".join(table_lines(rows)))
    if hello_rows:
        print("\n" + "\n".join(hello_lines(hello_rows)))
    print("\n" + "\n".join(summary_lines(checks)))
    print(f"\nwrote {os.path.relpath(out)}" + (f" and {os.path.relpath(png)}" if png else ""))
    broken = [label(r) for r in rows + hello_rows if r.native.error]
    if broken:
        print(f"bench: native runs failed: {', '.join(broken)}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
