"""Runs a command and measures it: wall time, max RSS, exit status, stdout.
Shared by the integration tests, the demo and the benchmarks, so all of them
measure the same way.

Max RSS comes from wait4's rusage as reported by build/tools/rss_run, a tiny
static launcher: a child forked from Python would inherit Python's ~15 MiB
high-water mark (Linux keeps the pre-exec address space's hiwater in
ru_maxrss), which would swamp the figures.
"""
import os
import subprocess
import tempfile
from dataclasses import dataclass

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


@dataclass
class Run:
    argv: list
    status: int          # exit status; -N when killed by signal N
    stdout: bytes
    stderr: bytes
    seconds: float       # wall time of the program alone (measured by rss_run)
    max_rss_kib: int


def rss_run_path():
    path = os.environ.get("EMU_RSS_RUN") or os.path.join(ROOT, "build", "tools", "rss_run")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"measure: {path} not built (run ninja -C build, or set EMU_RSS_RUN)")
    return path


def resolve(program):
    """PATH lookup like execvp, because rss_run uses execv."""
    if "/" in program:
        return program
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        candidate = os.path.join(d or ".", program)
        if os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            return candidate
    return program


def run(argv, stdin_path=None, cwd=None, env=None, timeout=900):
    """Runs argv to completion; stdout/stderr are captured."""
    argv = [resolve(argv[0])] + list(argv[1:])
    with tempfile.NamedTemporaryFile("r", prefix="rss_run.", suffix=".txt") as result:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            proc = subprocess.run([rss_run_path(), result.name] + argv, stdin=stdin, capture_output=True,
                                  cwd=cwd, env=env, timeout=timeout)
        finally:
            if stdin_path:
                stdin.close()
        fields = open(result.name).read().split()
    if proc.returncode != 0 or len(fields) != 3:
        raise SystemExit(f"measure: rss_run failed for {argv}: {proc.stderr.decode(errors='replace')}")
    return Run(argv, int(fields[0]), proc.stdout, proc.stderr, float(fields[2]), int(fields[1]))


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


class Repeated:
    """Medians over repeated runs of one command, or the reason there are none
    (error: the first run that exited non-zero or printed the wrong stdout)."""

    def __init__(self, runs=None, error=None):
        self.error = error
        self.rss = median([r.max_rss_kib for r in runs]) if runs else None
        self.seconds = median([r.seconds for r in runs]) if runs else None
        self.stdout = runs[0].stdout if runs else None
        self.rss_range = (min(r.max_rss_kib for r in runs), max(r.max_rss_kib for r in runs)) if runs else None


def repeat(argv, runs, expected_stdout=None):
    """Runs argv `runs` times; every run must exit 0 and, when expected_stdout
    is given, print exactly that (a wrong answer is reported, never timed)."""
    done = []
    for _ in range(runs):
        r = run(argv)
        if r.status != 0:
            return Repeated(error=f"status {r.status}")
        if expected_stdout is not None and r.stdout != expected_stdout:
            return Repeated(error="wrong output")
        done.append(r)
    return Repeated(done)
