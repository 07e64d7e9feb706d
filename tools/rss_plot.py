#!/usr/bin/env python3
"""Resident memory over time of a program run natively, under emu and under
qemu-x86_64: one PNG per program, drawn by gnuplot (Debian gnuplot-nox).

usage: tools/rss_plot.py [--build DIR] [--out DIR] [--data DIR] [--interval-ms MS] [COMMAND ...]

COMMAND is one quoted command line per program, e.g.
    tools/rss_plot.py "build/examples/mmap_stress-glibc 100000" "build/examples/malloc_churn-glibc 100000"
Default: mmap_stress-glibc and, when it is built, malloc_churn-glibc (with
the counts in DEFAULTS below) from BUILD/examples.

How it measures: every run is sampled the same way, by this script reading
VmRSS from /proc/PID/status every INTERVAL ms (default 10) until the process
ends. emu also runs with --rss-log, and that log's guest_kib column (guest
frames in use x 4 KiB) is drawn as its own line, so the gap between "emu" and
"emu: guest frames" is the emulator's own memory. The runs are sequential, one
program at a time, so they don't compete for the two cores.

Writes DATA/NAME-{native,emu,emu-log,qemu}.csv and OUT/rss-NAME.png, where
NAME is the program's file name without a trailing "-glibc" (so the default
PNGs are docs/rss-mmap_stress.png and docs/rss-malloc_churn.png).
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# Default arguments: runs of a few seconds natively and under qemu.
DEFAULTS = {"mmap_stress-glibc": ["100000"], "malloc_churn-glibc": ["100000"]}
VMRSS = re.compile(rb"^VmRSS:\s+(\d+) kB", re.M)


def sample_vmrss(argv, interval):
    """Runs argv (stdout discarded) and samples its VmRSS. Returns
    ([(seconds since start, rss KiB)], wall seconds, exit status, stderr)."""
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        # Popen returns after the child's execve, so no sample sees Python.
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        samples = []
        next_tick = start
        with open(f"/proc/{proc.pid}/status", "rb", buffering=0) as status:
            while proc.poll() is None:
                try:
                    status.seek(0)
                    text = status.read()
                except OSError:
                    break
                now = time.monotonic()
                m = VMRSS.search(text)
                if m:  # a zombie has no VmRSS line
                    samples.append((now - start, int(m[1])))
                next_tick += interval
                time.sleep(max(0.0, next_tick - time.monotonic()))
        wall = time.monotonic() - start
        err.seek(0)
        return samples, wall, proc.returncode, err.read().decode(errors="replace")


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(f"{v:.6f}" if isinstance(v, float) else str(v) for v in row) + "\n")


def read_rss_log(path):
    """emu's --rss-log: [(time_s, rss_kib, guest_kib)]."""
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != "time_s,rss_kib,guest_kib":
        raise SystemExit(f"rss_plot: {path}: not an emu --rss-log file")
    return [(float(t), int(r), int(g)) for t, r, g in (line.split(",") for line in lines[1:])]


def plot(png, title, series):
    """series: [(csv path, x column, y column, label, style)]; y in KiB."""
    lines = [
        "set terminal pngcairo size 900,600 font 'sans,10' noenhanced",
        f"set output '{png}'",
        "set datafile separator ','",
        f"set title {gp_string(title)}",
        "set xlabel 'time since start (s, log scale)'",
        "set ylabel 'resident memory (MiB)'",
        "set logscale x",
        # The first sample, taken just after execve, is ~0: start past it.
        "set xrange [0.005:*]",
        "set yrange [0:*]",
        "set grid",
        "set key below vertical maxrows 2 width 2 spacing 1.3",
        "set bmargin 7",
    ]
    plots = [f"{gp_string(path)} skip 1 using {x}:(${y}/1024.0) with {style} title {gp_string(label)}"
             for path, x, y, label, style in series]
    lines.append("plot " + ", \\\n     ".join(plots))
    run_gnuplot(lines)


def run_gnuplot(lines):
    """Runs gnuplot on a script given as lines (also used by tools/bench.py)."""
    script = "\n".join(lines) + "\n"
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


def gp_string(text):
    return "'" + text.replace("'", "''") + "'"


def peak(samples, column=1):
    return max((s[column] for s in samples), default=0)


def run_one(command, emu, qemu, data_dir, out_dir, interval):
    program = command[0]
    name = os.path.basename(program)
    if name.endswith("-glibc"):
        name = name[: -len("-glibc")]
    series = []
    summary = []

    def record(label, run, samples, wall, status, style):
        path = os.path.join(data_dir, f"{name}-{run}.csv")
        write_csv(path, "time_s,rss_kib", samples)
        series.append((path, 1, 2, f"{label}: {wall:.2f} s, peak {peak(samples) / 1024:.1f} MiB", style))
        summary.append(f"  {label:<8} status {status:>3}  {wall:8.3f} s  peak VmRSS {peak(samples):>7} KiB"
                       f"  ({len(samples)} samples)")

    samples, wall, status, _ = sample_vmrss(command, interval)
    record("native", "native", samples, wall, status, "steps lw 2 lc rgb '#1b9e77'")

    log_path = os.path.join(data_dir, f"{name}-emu-log.csv")
    samples, wall, status, err = sample_vmrss([emu, f"--rss-log={log_path}"] + command, interval)
    if status != 0:
        print(f"rss_plot: emu exited {status}: {err.strip()[:500]}", file=sys.stderr)
    record("emu", "emu", samples, wall, status, "steps lw 2 lc rgb '#d95f02'")
    log = read_rss_log(log_path)
    series.append((log_path, 1, 3, f"emu: guest frames in use (--rss-log), peak {peak(log, 2) / 1024:.1f} MiB",
                   "steps lw 2 dt 2 lc rgb '#d95f02'"))

    if qemu:
        samples, wall, status, _ = sample_vmrss([qemu] + command, interval)
        record("qemu", "qemu", samples, wall, status, "steps lw 2 lc rgb '#7570b3'")

    os.makedirs(out_dir, exist_ok=True)
    png = os.path.join(out_dir, f"rss-{name}.png")
    title = f"RSS over time: {' '.join([os.path.basename(program)] + command[1:])} (VmRSS every {interval * 1000:g} ms)"
    plot(png, title, series)
    print(f"{' '.join(command)} -> {os.path.relpath(png)}")
    print("\n".join(summary))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="meson build dir (default: build)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"), help="where the PNGs go (default: docs)")
    ap.add_argument("--data", help="where the CSVs go (default: BUILD/rss-plot)")
    ap.add_argument("--interval-ms", type=float, default=10.0, help="sampling period (default 10)")
    ap.add_argument("commands", nargs="*", metavar="COMMAND", help="a quoted command line per program")
    args = ap.parse_args()

    emu = os.path.join(args.build, "emu", "emu")
    if not os.access(emu, os.X_OK):
        raise SystemExit(f"rss_plot: {emu} not built (ninja -C {args.build})")
    if not shutil.which("gnuplot"):
        raise SystemExit("rss_plot: gnuplot not found (apt-get install gnuplot-nox, or ./setup.sh)")
    qemu = shutil.which("qemu-x86_64")
    if not qemu:
        print("rss_plot: qemu-x86_64 not found (Debian qemu-user): plotting native and emu only", file=sys.stderr)
    commands = [shlex.split(c) for c in args.commands]
    if not commands:
        for program, default_args in DEFAULTS.items():
            path = os.path.join(args.build, "examples", program)
            if os.access(path, os.X_OK):
                commands.append([path] + default_args)
        if not commands:
            raise SystemExit(f"rss_plot: no example programs in {args.build}/examples")
    data_dir = args.data or os.path.join(args.build, "rss-plot")
    os.makedirs(data_dir, exist_ok=True)
    for command in commands:
        run_one(command, emu, qemu, data_dir, args.out, args.interval_ms / 1000.0)


if __name__ == "__main__":
    main()
