#!/usr/bin/env python3
"""The command line's contract: options, usage errors, and bad programs
(one line `emu: PROGRAM: reason` on stderr, status 126/127 like a shell,
never a crash).

usage: check_cli.py EMU SCRATCH_DIR HELLO_BINARY
"""
import os
import re
import struct
import subprocess
import sys

failures = []


def check_output(name, argv, stream, predicate, status=0):
    """Runs argv; passes when the status matches and predicate(text of stream) holds."""
    p = subprocess.run(argv, capture_output=True, timeout=60)
    text = (p.stdout if stream == "stdout" else p.stderr).decode(errors="replace")
    ok = p.returncode == status and predicate(text)
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if not ok:
        print(f"     status {p.returncode}; {stream}: {text[:1500]!r}")
        failures.append(name)


def elf_entry(path):
    with open(path, "rb") as f:
        header = f.read(64)
    return struct.unpack_from("<Q", header, 24)[0]


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
    emu, scratch, hello = sys.argv[1], sys.argv[2], sys.argv[3]
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

    entry = elf_entry(hello)
    check_output("--trace starts at the ELF entry point, disassembled", [emu, "--trace", hello], "stderr",
                 lambda t: re.match(rf"0x0*{entry:x}: [0-9a-f ]+ +\S", t) is not None)
    check_output("--strace shows the write and exit_group", [emu, "--strace", hello, "x"], "stderr",
                 lambda t: re.search(r'^write\(1, "Hello from a static guest', t, re.M) is not None
                 and re.search(r"^exit_group\(0\) = \?$", t, re.M) is not None)
    check_output("--stats reports instructions, frames and region nodes", [emu, "--stats", hello], "stderr",
                 lambda t: all(k in t for k in ("guest instructions", "frames recycled", "frames released",
                                                "region nodes", "emulator max RSS")))
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
