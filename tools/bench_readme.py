#!/usr/bin/env python3
"""Copies the speed benchmark's tables from docs/bench.md (written by
tools/bench.py) into README.md, between the markers
`<!-- bench table: written from docs/bench.md -->` and `<!-- end bench table -->`:
one line naming the run (CPU, date), the workload table without the RSS and
instruction-count columns, the start-up and target tables, and the chart.

usage: tools/bench_readme.py [--bench docs/bench.md] [--readme README.md]
"""
import argparse
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BEGIN = "<!-- bench table: written from docs/bench.md -->"
END = "<!-- end bench table -->"
# Workload-table columns the README keeps (docs/bench.md has them all).
KEEP = ["workload", "libc", "native s", "emu s", "qemu s", "emu/native", "qemu/native", "emu/qemu", "guest MIPS"]


def section(text, title):
    """The body of `## title` up to the next `## ` heading."""
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        sys.exit(f"bench_readme: no '## {title}' section in the benchmark report")
    return m.group(1).strip()


def table_lines(body):
    return [l for l in body.splitlines() if l.startswith("|")]


def keep_columns(lines, names):
    rows = [[c.strip() for c in l.strip("|").split("|")] for l in lines]
    idx = [rows[0].index(n) for n in names]
    out = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    out += ["| " + " | ".join(r[i] for i in idx) + " |" for r in rows[2:]]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "docs", "bench.md"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    a = ap.parse_args()
    bench = open(a.bench).read()
    machine = section(bench, "Machine")
    cpu = re.search(r"^- CPU: (.*)$", machine, re.M).group(1)
    date = re.search(r"^- date: (.*)$", machine, re.M).group(1)
    runs = re.search(r"`python3 tools/bench.py([^`]*)`", bench).group(1)
    targets = section(bench, "Targets")
    verdict = [l for l in targets.splitlines() if re.match(r"\d+ passed", l)]
    block = [
        BEGIN,
        f"One run of `python3 tools/bench.py{runs}` (CPU: {cpu}; date: {date}; a shared VM whose absolute "
        "times vary by up to 2x between runs: compare the ratios, which come from the same run). Full table "
        "with max RSS, and the commands: [docs/bench.md](docs/bench.md).",
        "",
        *keep_columns(table_lines(section(bench, "Workloads")), KEEP),
        "",
        *table_lines(section(bench, "Start-up")),
        "",
        *table_lines(targets),
        "",
        *(l + "." for l in verdict),
        "",
        "![wall time relative to native](docs/bench.png)",
        END,
    ]
    readme = open(a.readme).read()
    if BEGIN not in readme or END not in readme:
        sys.exit("bench_readme: README.md has no bench table markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    open(a.readme, "w").write(head + "\n".join(block) + tail)
    print(f"bench_readme: {a.readme} updated from {a.bench}")


if __name__ == "__main__":
    main()
