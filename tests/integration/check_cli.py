#!/usr/bin/env python3
"""The command line's contract: options, usage errors, and bad programs
(one line `emu: PROGRAM: reason` on stderr, status 126/127 like a shell,
never a crash).

Also --compare-native (both runs measured, the emulated run's status) and
--rss-log (a CSV time series).

usage: check_cli.py EMU SCRATCH_DIR HELLO_BINARY FAULTS_BINARY X87_EXCEPTIONS_BINARY
"""
import os
import re
import signal
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


# "  native     exit 0        0.0037 s      460 KiB            460 KiB"
ROW = re.compile(r"^  (native|emu) +(exit \d+|SIG[A-Z0-9]+) +([0-9.]+) s +(\d+) KiB +(?:(\d+) KiB|-)$", re.M)


def compare_rows(text):
    """{'native': (ended, seconds, max_rss_kib, guest_kib or None), 'emu': ...} from the table."""
    return {m[1]: (m[2], float(m[3]), int(m[4]), int(m[5]) if m[5] else None) for m in ROW.finditer(text)}


def check_compare(name, argv, status, ended, stdout=None, stdin=None):
    """--compare-native: emu's status is `status`; both rows are there, ended as
    `ended` says ({'native': 'exit 0', 'emu': ...}), with plausible figures."""
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=120)
    err = p.stderr.decode(errors="replace")
    rows = compare_rows(err)
    problems = []
    if p.returncode != status:
        problems.append(f"status {p.returncode}, expected {status}")
    if set(rows) != {"native", "emu"}:
        problems.append("the table lacks a native or an emu row")
    else:
        for run, (how, seconds, max_rss, guest) in rows.items():
            if how != ended[run]:
                problems.append(f"{run} ended {how!r}, expected {ended[run]!r}")
            if not 0 < seconds < 60:
                problems.append(f"{run} wall time {seconds} s")
            # A static program's max RSS is at least its image's touched pages;
            # emu's adds the emulator (over 512 KiB of text alone).
            if not 0 < max_rss < 1 << 20 or (run == "emu" and max_rss < 512):
                problems.append(f"{run} max RSS {max_rss} KiB")
        if rows["native"][3] != rows["native"][2]:
            problems.append("native guest peak is not its max RSS (they are the same figure)")
        guest = rows["emu"][3]
        if ended["emu"] != "exit 126" and (guest is None or not 0 < guest < rows["emu"][2]):
            problems.append(f"emu guest peak {guest} KiB not within (0, emu max RSS)")
    if stdout is not None and p.stdout != stdout:
        problems.append(f"stdout {p.stdout!r}, expected {stdout!r}")
    print(f"{'ok  ' if not problems else 'FAIL'} {name}")
    for pr in problems:
        print(f"     {pr}")
    if problems:
        print(f"     stderr: {err[:1500]!r}")
        failures.append(name)


def check_rss_log(name, argv, csv_path, min_rows=2):
    """--rss-log: header, then rows of increasing time and positive RSS; the
    last row (taken as the guest ends) shows the guest's frames."""
    if os.path.exists(csv_path):
        os.unlink(csv_path)
    p = subprocess.run(argv, capture_output=True, timeout=120)
    problems = []
    if p.returncode != 0:
        problems.append(f"status {p.returncode}; stderr {p.stderr[:500]!r}")
    lines = open(csv_path).read().splitlines() if os.path.exists(csv_path) else []
    if not lines or lines[0] != "time_s,rss_kib,guest_kib":
        problems.append(f"header {lines[:1]!r}")
    rows = []
    for line in lines[1:]:
        m = re.fullmatch(r"(\d+\.\d{6}),(\d+),(\d+)", line)
        if not m:
            problems.append(f"malformed row {line!r}")
            break
        rows.append((float(m[1]), int(m[2]), int(m[3])))
    if len(rows) < min_rows:
        problems.append(f"{len(rows)} rows, expected >= {min_rows}")
    if any(b[0] <= a[0] for a, b in zip(rows, rows[1:])):
        problems.append("times do not increase")
    if any(r[1] <= 0 for r in rows):
        problems.append("a row has no RSS")
    if rows and not 0 < rows[-1][2] < rows[-1][1]:
        problems.append(f"final row {rows[-1]}: guest memory not within (0, RSS)")
    print(f"{'ok  ' if not problems else 'FAIL'} {name}")
    for pr in problems[:5]:
        print(f"     {pr}")
    if problems:
        failures.append(name)


def main():
    emu, scratch, hello, faults, x87_exceptions = sys.argv[1:6]
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
    check("malformed --max-insns is a usage error", [emu, "--max-insns=many", hello], 2,
          stderr_prefix="emu: invalid --max-insns")
    check("--max-insns=0 is a usage error", [emu, "--max-insns=0", hello], 2, stderr_prefix="emu: invalid --max-insns")
    check("--max-insns ends a guest spinning in user code by SIGXCPU, with one line",
          [emu, "--max-insns=3M", "/bin/busybox", "sh", "-c", "while :; do :; done"], -signal.SIGXCPU,
          stderr_prefix="emu: /bin/busybox: instruction limit reached")
    check("--max-insns above what the guest runs changes nothing", [emu, "--max-insns=1G", hello, "x"], 0,
          stdout_contains="x")
    check("missing file exits 127", [emu, "/nonexistent/program"], 127, "emu: /nonexistent/program: ")
    check("directory exits 126", [emu, scratch], 126, f"emu: {scratch}: ")
    check("text file exits 126", [emu, text], 126, f"emu: {text}: ")
    check("empty file exits 126", [emu, empty], 126, f"emu: {empty}: ")
    check("truncated ELF header exits 126", [emu, truncated], 126, f"emu: {truncated}: ")
    check("--cpu with an unknown level is a usage error", [emu, "--cpu=pentium", hello], 2,
          "emu: invalid --cpu 'pentium'")
    check("--cpu=x86-64 runs a baseline guest", [emu, "--cpu=x86-64", hello], 0)
    check("options stop at PROGRAM", [emu, "/bin/busybox", "echo", "--strace"], 0, stdout_contains="--strace")

    entry = elf_entry(hello)
    check_output("--trace starts at the ELF entry point, disassembled", [emu, "--trace", hello], "stderr",
                 lambda t: re.match(rf"0x0*{entry:x}: [0-9a-f ]+ +\S", t) is not None)
    check_output("--trace shows the registers each instruction changed", [emu, "--trace", hello], "stderr",
                 lambda t: re.search(r"^0x[0-9a-f]+: 0f 05 +syscall\n {15}( \w+=0x[0-9a-f]+)*"
                                     r" rcx=0x[0-9a-f]+( \w+=0x[0-9a-f]+)* r11=0x[0-9a-f]+", t, re.M) is not None)
    check_output("--trace shows x87 and MMX registers, FSW and tags as they change",
                 [emu, "--trace", x87_exceptions, "masked"], "stderr",
                 lambda t: re.search(r"^0x[0-9a-f]+: d9 e8 +fld1\n {15}.* st\(0\)=3fff:8000000000000000 .*fsw=0x[0-9a-f]+",
                                     t, re.M) is not None
                 and re.search(r"pcmpeqb mm1, mm1\n {15}.* mm1=0xffffffffffffffff .*ftw=0xff", t) is not None
                 and re.search(r"emms\n {15}.* ftw=0x00", t) is not None)
    check_output("--strace shows the write and exit_group", [emu, "--strace", hello, "x"], "stderr",
                 lambda t: re.search(r'^write\(1, "Hello from a static guest', t, re.M) is not None
                 and re.search(r"^exit_group\(0\) = \?$", t, re.M) is not None)
    check_output("--stats reports instructions, frames and region nodes", [emu, "--stats", hello], "stderr",
                 lambda t: all(k in t for k in ("guest instructions", "frames recycled", "frames released",
                                                "region nodes", "emulator max RSS")))

    # --compare-native: native first, then emulated; emu's status is the
    # emulated run's (a guest killed by a signal kills emu by that signal).
    hello_out = b"Hello from a static guest with 1 argument(s)\n  argv[1] = x\n"
    check_compare("--compare-native hello: both rows, both outputs, status 0", [emu, "--compare-native", hello, "x"],
                  0, {"native": "exit 0", "emu": "exit 0"}, stdout=hello_out * 2)
    check_compare("--compare-native faults ok: the guest's own status (3)", [emu, "--compare-native", faults, "ok"],
                  3, {"native": "exit 3", "emu": "exit 3"})
    check_compare("--compare-native faults segv: emu dies by SIGSEGV", [emu, "--compare-native", faults, "segv"],
                  -signal.SIGSEGV, {"native": "SIGSEGV", "emu": "SIGSEGV"})
    script = os.path.join(scratch, "exit5.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nexit 5\n")
    os.chmod(script, 0o755)
    check_compare("--compare-native: the status is the emulated run's (script: native 5, emu 126)",
                  [emu, "--compare-native", script], 126, {"native": "exit 5", "emu": "exit 126"})
    check_compare("--compare-native: piped stdin reaches both runs", [emu, "--compare-native", "/bin/busybox", "cat"],
                  0, {"native": "exit 0", "emu": "exit 0"}, stdin=b"a\nb\n", stdout=b"a\nb\n" * 2)

    csv_path = os.path.join(scratch, "rss.csv")
    check_rss_log("--rss-log writes a CSV time series", [emu, f"--rss-log={csv_path}", hello], csv_path)
    check_rss_log("--rss-log with --rss-interval=1 samples while the guest runs",
                  [emu, f"--rss-log={csv_path}", "--rss-interval=1", "/bin/busybox", "sha256sum", hello], csv_path,
                  min_rows=3)
    check("--rss-log= (empty) is a usage error", [emu, "--rss-log=", hello], 2, stderr_prefix="emu: invalid --rss-log")
    check("--rss-log without a value is a usage error", [emu, "--rss-log", hello], 2, stderr_prefix="emu: option")
    check("--rss-interval=0 is a usage error", [emu, f"--rss-log={csv_path}", "--rss-interval=0", hello], 2,
          stderr_prefix="emu: invalid --rss-interval")
    check("--rss-interval=abc is a usage error", [emu, f"--rss-log={csv_path}", "--rss-interval=abc", hello], 2,
          stderr_prefix="emu: invalid --rss-interval")
    check("--rss-interval without --rss-log is a usage error", [emu, "--rss-interval=5", hello], 2,
          stderr_prefix="emu: --rss-interval needs --rss-log")
    check("--rss-log to an uncreatable file exits 1", [emu, "--rss-log=/nonexistent/dir/x.csv", hello], 1,
          stderr_prefix="emu: --rss-log: cannot create /nonexistent/dir/x.csv")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
