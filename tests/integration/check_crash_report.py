#!/usr/bin/env python3
"""emu's own crash report (emu/crash_report.h), made to happen on purpose.

usage: check_crash_report.py EMU GUEST

EMU_TEST_CRASH=segv|abort|exception makes emu fail at the guest's first
system call. For each way, the report must say what happened and where:
  - one "emu: internal error: ..." line naming the cause,
  - a host backtrace of several frames, emu's own functions among them,
  - the guest registers, Capstone's disassembly of the current guest
    instruction (the SYSCALL), the guest memory map,
and emu must exit with the distinct status 125.
"""
import os
import re
import subprocess
import sys

CAUSES = {
    "segv": "host signal 11 (Segmentation fault)",
    "abort": "host signal 6 (Aborted)",
    "exception": "uncaught exception: EMU_TEST_CRASH=exception",
}


def main():
    emu, guest = sys.argv[1:3]
    failures = 0
    for mode, cause in CAUSES.items():
        env = dict(os.environ, EMU_TEST_CRASH=mode)
        p = subprocess.run([emu, guest], env=env, capture_output=True, text=True, timeout=60)
        err = p.stderr
        problems = []
        if p.returncode != 125:
            problems.append(f"status {p.returncode}, expected 125")
        if f"emu: internal error: {cause}" not in err:
            problems.append(f"no 'emu: internal error: {cause}' line")
        frames = re.findall(r"^  #\d+ +0x[0-9a-f]+ ?(.*)$", err, re.M)
        if len(frames) < 3 or not any("emu::" in f for f in frames):
            problems.append(f"host backtrace of {len(frames)} frames, none in emu::")
        if not re.search(r"^  rax 0x[0-9a-f]{16}", err, re.M) or not re.search(r"^  rip 0x[0-9a-f]{16}", err, re.M):
            problems.append("no guest registers")
        if not re.search(r"^guest instruction at 0x[0-9a-f]+: syscall +\(0f 05\)", err, re.M):
            problems.append("the current guest instruction is not shown as the SYSCALL")
        maps = err.split("guest memory map:\n", 1)
        if len(maps) < 2 or not re.search(r"^[0-9a-f]+-[0-9a-f]+ r.xp .*$", maps[1], re.M):
            problems.append("no guest memory map with the executable's text")
        print(f"{'ok  ' if not problems else 'FAIL'} EMU_TEST_CRASH={mode}: the crash report says where, status 125")
        for pr in problems:
            print(f"     {pr}")
        if problems:
            print(err[-4000:])
            failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
