#!/usr/bin/env python3
"""The command line's contract: options, usage errors, and bad programs
(one line `emu: PROGRAM: reason` on stderr, status 126/127 like a shell,
never a crash).

usage: check_cli.py EMU SCRATCH_DIR
"""
import os
import subprocess
import sys

failures = []


def check(name, argv, status, stderr_prefix=None, stdout_contains=None):
    p = subprocess.run(argv, capture_output=True, timeout=60)
    err = p.stderr.decode(errors="replace")
    out = p.stdout.decode(errors="replace")
    problems = []
    if p.returncode != status:
        problems.append(f"status {p.returncode}, expected {status}")
    if stderr_prefix is not None:
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].startswith(stderr_prefix):
            problems.append(f"stderr {err!r}, expected one line starting {stderr_prefix!r}")
    if stdout_contains is not None and stdout_contains not in out:
        problems.append(f"stdout {out!r} lacks {stdout_contains!r}")
    print(f"{'ok  ' if not problems else 'FAIL'} {name}")
    for pr in problems:
        print(f"     {pr}")
    if problems:
        failures.append(name)


def main():
    emu, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    text = os.path.join(scratch, "text-file")
    with open(text, "w") as f:
        f.write("just some text\n")
    os.chmod(text, 0o755)
    empty = os.path.join(scratch, "empty-file")
    open(empty, "w").close()
    os.chmod(empty, 0o755)
    with open("/bin/busybox", "rb") as f:
        head = f.read(64)
    truncated = os.path.join(scratch, "truncated-elf")
    with open(truncated, "wb") as f:
        f.write(head[:40])

    check("--help prints usage and exits 0", [emu, "--help"], 0, stdout_contains="Usage: emu")
    check("--version prints the version", [emu, "--version"], 0, stdout_contains="emu ")
    check("no PROGRAM is a usage error", [emu], 2, stderr_prefix="emu: no PROGRAM")
    check("unknown option is a usage error", [emu, "--bogus", "/bin/busybox"], 2, stderr_prefix="emu: unknown option")
    check("malformed --mem-limit is a usage error", [emu, "--mem-limit=lots", "/bin/busybox"], 2,
          stderr_prefix="emu: invalid --mem-limit")
    check("missing file exits 127", [emu, "/nonexistent/program"], 127, "emu: /nonexistent/program: ")
    check("directory exits 126", [emu, scratch], 126, f"emu: {scratch}: ")
    check("text file exits 126", [emu, text], 126, f"emu: {text}: ")
    check("empty file exits 126", [emu, empty], 126, f"emu: {empty}: ")
    check("truncated ELF header exits 126", [emu, truncated], 126, f"emu: {truncated}: ")
    check("options stop at PROGRAM", [emu, "/bin/busybox", "echo", "--strace"], 0, stdout_contains="--strace")
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
