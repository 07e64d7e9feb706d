#!/usr/bin/env python3
"""Runs bash scripts with bash-static natively and under emu.

usage: check_bash.py EMU BASH BUSYBOX SCRIPT...

PATH holds only links to busybox's applets (static, so emu can exec them),
in both runs. A script passes when its exit status, stdout and stderr are
identical; in stderr, numbers of 3 or more digits (process ids in bash's
job messages) are replaced by N first. One PASS/FAIL line per script; exit
status 0 when all passed.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from check_busybox import applet_bin

TIMEOUT = 120


def run(argv, env, cwd):
    p = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode(errors="replace"), re.sub(r"\d{3,}", "N", p.stderr.decode(errors="replace"))


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    emu, bash, busybox, scripts = os.path.abspath(argv[1]), argv[2], argv[3], argv[4:]
    bin_dir = applet_bin(busybox)
    env = {"PATH": bin_dir, "LC_ALL": "C", "TZ": "UTC", "HOME": "/nonexistent-home"}
    failed = 0
    try:
        for script in scripts:
            script = os.path.abspath(script)
            with tempfile.TemporaryDirectory() as cwd:
                native = run([bash, script], env, cwd)
            with tempfile.TemporaryDirectory() as cwd:
                emulated = run([emu, bash, script], env, cwd)
            ok = native == emulated
            print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(script)} (status {native[0]}, "
                  f"{native[1].count(chr(10))} lines of stdout)")
            if not ok:
                failed += 1
                for what, n, e in zip(("status", "stdout", "stderr"), native, emulated):
                    if n == e:
                        continue
                    print(f"  {what} differs (native -> emu):")
                    if what == "status":
                        print(f"    {n} -> {e}")
                        continue
                    for line in difflib.unified_diff(n.splitlines(), e.splitlines(), "native", "emu", lineterm="", n=1):
                        print("    " + line)
    finally:
        shutil.rmtree(bin_dir, ignore_errors=True)
    print(f"{len(scripts) - failed} of {len(scripts)} bash scripts passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
