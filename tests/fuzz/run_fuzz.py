#!/usr/bin/env python3
"""Runs one libFuzzer harness as a test (tests/fuzz/meson.build).

usage: run_fuzz.py HARNESS BINARY SOURCE_DIR RUNS SEED_PROGRAM...
RUNS is a number of executions, or a time ("600s": a longer session).

1. Every input committed in SOURCE_DIR/regressions/HARNESS/ (crashes found
   and fixed) runs once and must run clean.
2. A fuzzing session of RUNS executions with a fixed seed (-seed=1, so a
   run repeats) from a seed corpus made from the SEED_PROGRAMs:
     interp  windows of their executable code, behind a register header
     loader  the programs, truncated copies, a #! script, garbage
   It must end without a finding (crash, sanitizer report, leak, timeout).
Prints libFuzzer's figures: executions, coverage, corpus size.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

TIMEOUT_S = 10        # one input running longer than this is a hang
MAX_LEN = {"interp": 4096, "loader": 65536}


def elf_exec_segments(data):
    """(file offset, size) of each executable PT_LOAD of an ELF64 image."""
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    out = []
    for i in range(phnum):
        p_type, p_flags, p_offset = struct.unpack_from("<IIQ", data, phoff + i * phentsize)
        p_filesz, = struct.unpack_from("<Q", data, phoff + i * phentsize + 32)
        if p_type == 1 and p_flags & 1:
            out.append((p_offset, p_filesz))
    return out


def interp_seeds(programs):
    seeds = []
    for path in programs:
        data = open(path, "rb").read()
        for off, size in elf_exec_segments(data):
            step = max(256, size // 48)
            for start in range(off, off + size - 256, step):
                # RBX, RSI, RDI, RBP... point into the data pages; a few small values.
                header = bytes([0x41, 0x45, 0x3f, 0x80, 0x90, 0x84, 0x88, 0x8c,
                                0x40, 0x42, 0x50, 0x60, 0x94, 0x98, 0x9c, 0xa0, len(seeds) % 16])
                seeds.append(header + data[start:start + 256])
    return seeds


def loader_seeds(programs):
    seeds = [b"", b"\x7fELF", b"#!/bin/sh\necho hi\n", b"#!\n", b"#!" + b"x" * 300 + b"\n",
             bytes(range(256)) * 4]
    for path in programs:
        data = open(path, "rb").read()
        if len(data) <= MAX_LEN["loader"]:
            seeds.append(data)
        for cut in (52, 64, 64 + 56, 64 + 56 * 3, 4096, 16384):
            seeds.append(data[:cut])
    return seeds


def stat(text, name):
    m = re.search(r"^stat::%s:\s+(\d+)" % name, text, re.M)
    return int(m.group(1)) if m else None


def main():
    harness, binary, source_dir, runs = sys.argv[1:5]
    programs = sys.argv[5:]
    failures = 0
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1:symbolize=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")

    regressions_dir = os.path.join(source_dir, "regressions", harness)
    regressions = sorted(os.path.join(regressions_dir, f) for f in os.listdir(regressions_dir)
                         if not f.startswith(".") and f != "README")
    if regressions:
        p = subprocess.run([binary, f"-timeout={TIMEOUT_S}"] + regressions, env=env,
                           capture_output=True, text=True, timeout=600)
        ok = p.returncode == 0
        print(f"{'ok  ' if ok else 'FAIL'} {len(regressions)} regression inputs of {harness} run clean")
        if not ok:
            print(p.stderr[-6000:])
            failures += 1
    else:
        print(f"ok   no regression inputs for {harness} yet")

    with tempfile.TemporaryDirectory(prefix=f"emu-fuzz-{harness}-") as work:
        corpus = os.path.join(work, "corpus")
        os.mkdir(corpus)
        seeds = interp_seeds(programs) if harness == "interp" else loader_seeds(programs)
        for i, s in enumerate(seeds):
            with open(os.path.join(corpus, f"seed-{i:04d}"), "wb") as f:
                f.write(s)
        # Kept after the run (the build directory's fuzz-findings/), to reproduce:
        # BINARY FILE runs one input.
        artifacts = os.path.join(os.getcwd(), "fuzz-findings", harness) + "/"
        os.makedirs(artifacts, exist_ok=True)
        for old in os.listdir(artifacts):
            os.remove(artifacts + old)
        budget = f"-max_total_time={runs[:-1]}" if runs.endswith("s") else f"-runs={runs}"
        cmd = [binary, corpus, budget, "-seed=1", f"-max_len={MAX_LEN[harness]}",
               f"-timeout={TIMEOUT_S}", "-rss_limit_mb=4096", "-print_final_stats=1",
               f"-artifact_prefix={artifacts}"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           timeout=1200 + (int(runs[:-1]) if runs.endswith("s") else 0))
        findings = os.listdir(artifacts)
        cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", p.stderr)
        execs = stat(p.stderr, "number_of_executed_units")
        added = stat(p.stderr, "new_units_added")
        ok = p.returncode == 0 and not findings
        figures = f"{execs} executions, {len(seeds)} seeds, {added} new inputs kept"
        if cov:
            figures += f", final cov {cov[-1][0]} ft {cov[-1][1]} corpus {cov[-1][2]}"
        print(f"{'ok  ' if ok else 'FAIL'} fuzzing {harness}: {figures}")
        if not ok:
            print(" ".join(cmd))
            print(p.stderr[-8000:])
            for f in findings:
                data = open(artifacts + f, "rb").read()
                print(f"finding {artifacts}{f} ({len(data)} bytes): {data[:512].hex()}")
            failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
