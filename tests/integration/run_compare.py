#!/usr/bin/env python3
"""Runs PROGRAM ARGS natively and under emu; passes when stdout and the exit
status are identical.

usage: run_compare.py EMU [--stdin FILE] [--cwd DIR] [--emu-arg X]... -- PROGRAM [ARGS...]
"""
import argparse
import difflib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import measure  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("emu")
    p.add_argument("--stdin")
    p.add_argument("--cwd")
    p.add_argument("--emu-arg", action="append", default=[])
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd:
        p.error("no PROGRAM")
    native = measure.run(cmd, stdin_path=a.stdin, cwd=a.cwd)
    emulated = measure.run([a.emu] + a.emu_arg + cmd, stdin_path=a.stdin, cwd=a.cwd)
    print(f"native:   status {native.status}, {len(native.stdout)} bytes of stdout, "
          f"{native.seconds:.3f}s, max RSS {native.max_rss_kib} KiB")
    print(f"emulated: status {emulated.status}, {len(emulated.stdout)} bytes of stdout, "
          f"{emulated.seconds:.3f}s, max RSS {emulated.max_rss_kib} KiB")
    ok = True
    if native.status != emulated.status:
        print(f"FAIL: exit status differs: native {native.status}, emu {emulated.status}")
        ok = False
    if native.stdout != emulated.stdout:
        print("FAIL: stdout differs (native -> emu):")
        diff = difflib.unified_diff(native.stdout.decode(errors="replace").splitlines(),
                                    emulated.stdout.decode(errors="replace").splitlines(),
                                    "native", "emu", lineterm="", n=2)
        for i, line in enumerate(diff):
            if i > 60:
                print("...")
                break
            print(line)
        ok = False
    if not ok and emulated.stderr:
        print("emu stderr:\n" + emulated.stderr.decode(errors="replace")[-4000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
