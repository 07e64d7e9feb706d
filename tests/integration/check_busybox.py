#!/usr/bin/env python3
"""Runs the busybox applet cases of busybox_cases.txt natively and under emu.

usage: check_busybox.py EMU BUSYBOX [NAME...]   run these cases (all by default),
                                                one line PASS/FAIL each, details on failure
       check_busybox.py --list                  print the case names

Each run of a case gets a fresh directory with the same fixtures (made here,
all dated 2001-02-03 04:05:06 UTC) and the same environment. A case passes
when every command's exit status, stdout and stderr (unless the case says
nostderr) and the files left in the directory are identical. The directory's
path is replaced by $TMP in the outputs, so the two runs may differ in it.
Exit status 0 when every case passed.
"""
import base64
import bz2
import concurrent.futures
import gzip
import hashlib
import io
import lzma
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_FILE = os.path.join(HERE, "busybox_cases.txt")
FIXTURE_TIME = 981173106          # 2001-02-03 04:05:06 UTC
RECENT = 1262304000               # 2010-01-01: later mtimes are "now" and not compared
TIMEOUT = 30
# PATH is a directory of busybox applet links (applet_bin), so that applets
# that run other programs (xargs, find -exec, sh, env, tar -z) run static
# busybox ones, which emu can execute, rather than the host's dynamic ones.
ENV = {"PATH": "", "LC_ALL": "C", "TZ": "UTC", "HOME": "/nonexistent-home", "USER": "tester"}


@dataclass
class Command:
    argv: list
    stdin: str = None             # file in the case directory, or None for /dev/null


@dataclass
class Case:
    name: str
    commands: list
    options: set = field(default_factory=set)


def parse_cases(path=CASES_FILE):
    cases = []
    for lineno, raw in enumerate(open(path), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, body = line.partition(":")
        if not sep:
            raise SystemExit(f"{path}:{lineno}: no ':' after the case name")
        words = head.split()
        options = {w.strip("[]") for w in words[1:]}
        commands, current = [], []
        for token in shlex.split(body) + [";;"]:
            if token != ";;":
                current.append(token)
                continue
            stdin = None
            if len(current) >= 2 and current[-2] == "<":
                stdin = current[-1]
                current = current[:-2]
            if not current:
                raise SystemExit(f"{path}:{lineno}: empty command")
            commands.append(Command(current, stdin))
            current = []
        cases.append(Case(words[0], commands, options))
    return cases


# ---- fixtures ------------------------------------------------------------------

WORDS = "".join(f"{w} line {i}: the quick brown fox jumps over the lazy dog {i * i}\n"
                for i, w in enumerate(["alpha", "Bravo", "charlie", "QUICK start", "delta", "jumps high",
                                       "echo", "foxtrot", "golf", "hotel   spaced   out", "india",
                                       "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
                                       "quebec", "romeo", "sierra", "tango", "uniform", "victor"]))
FILES = {
    "fruits.txt": "3 apple\n1 banana\n2 cherry\n3 apple\n10 date\n2 cherry\n7 elderberry\n",
    "nums.txt": "".join(f"{n}\n" for n in [42, 7, -3, 1000, 0, 15, 7, 256]),
    "words.txt": WORDS,
    "csv.txt": "root:x:0:0:root\tuser:/root\nbin:x:2:2:bin\tuser:/bin\ndaemon:x:1:1:daemon:/usr/sbin\n"
               "nobody:x:65534:65534:nobody:/nonexistent\n",
    "left.txt": "a\nb\nb\nc\nd\nf\n",
    "right.txt": "a\nb\nc\ne\nf\ng\n",
    "data.bin": bytes(range(256)) * 2,
    "tree/a.txt": "some text\n",
    "tree/sub/b.txt": "more text here\n" * 100,
    "tree/sub/deep/c.txt": "deep\n",
    "calc.bc": "scale=5\n4 * a(1)\n2 ^ 20\n7 / 3\nsqrt(2)\n",
    "edit.ed": "2d\n$a\nappended line\n.\n1,3s/e/E/g\nw\nq\n",
    "change.diff": "--- left.txt\n+++ left.txt\n@@ -2,3 +2,3 @@\n b\n-b\n+B\n c\n",
    "script.sh": "echo \"args: $# $*\"\nn=0\nwhile [ $n -lt 3 ]; do n=$((n + 1)); printf '%s ' $n; done\n"
                 "echo\nf() { local x=$1; echo \"${x}-${x}\"; }\nf \"$2\"\nexit 4\n",
}


def make_fixtures(d):
    for rel, content in FILES.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
    os.chmod(os.path.join(d, "script.sh"), 0o755)
    os.makedirs(os.path.join(d, "tree", "empty"))
    os.symlink("a.txt", os.path.join(d, "tree", "link"))
    words = FILES["words.txt"].encode()
    with open(os.path.join(d, "words.gz"), "wb") as f:
        f.write(gzip.compress(words, mtime=FIXTURE_TIME))
    with open(os.path.join(d, "words.bz2"), "wb") as f:
        f.write(bz2.compress(words))
    with open(os.path.join(d, "encoded.b64"), "wb") as f:
        f.write(base64.encodebytes(words))
    with open(os.path.join(d, "words.xz"), "wb") as f:
        f.write(lzma.compress(words))
    with open(os.path.join(d, "encoded.uu"), "wb") as f:
        f.write(b"begin-base64 600 out.bin\n" + base64.encodebytes(FILES["data.bin"]) + b"====\n")
    with zipfile.ZipFile(os.path.join(d, "pkg.zip"), "w") as z:
        for name, text in [("zipped/one.txt", "first\n"), ("zipped/two.txt", "second\n" * 50)]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2001, 2, 3, 4, 5, 6)), text,
                       compress_type=zipfile.ZIP_DEFLATED)
    with open(os.path.join(d, "sums.md5"), "w") as f:
        for name in ["fruits.txt", "words.txt"]:
            f.write(f"{hashlib.md5(open(os.path.join(d, name), 'rb').read()).hexdigest()}  {name}\n")
        f.write(f"{'0' * 32}  nums.txt\n")
    with tarfile.open(os.path.join(d, "pkg.tar"), "w", format=tarfile.USTAR_FORMAT) as t:
        def add(name, kind, data=b"", mode=0o644, target=""):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime, info.linkname = kind, mode, FIXTURE_TIME, target
            info.uid, info.gid = os.getuid(), os.getgid()
            info.uname, info.gname = "owner", "group"
            info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data else None)
        add("pkg", tarfile.DIRTYPE, mode=0o755)
        add("pkg/hello.txt", tarfile.REGTYPE, b"hello from the archive\n")
        add("pkg/bin", tarfile.DIRTYPE, mode=0o750)
        add("pkg/bin/run.sh", tarfile.REGTYPE, b"#!/bin/sh\necho run\n", mode=0o755)
        add("pkg/latest", tarfile.SYMTYPE, target="hello.txt")
    # Fixed times, innermost first so that no later change touches a parent.
    for root, dirs, files in os.walk(d, topdown=False):
        for name in files + dirs:
            os.utime(os.path.join(root, name), (FIXTURE_TIME, FIXTURE_TIME), follow_symlinks=False)
    os.utime(d, (FIXTURE_TIME, FIXTURE_TIME))


def snapshot(d):
    """What a case left behind: every entry's type, mode, links, size,
    content hash or link target, and its mtime when set on purpose."""
    lines = []
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(root, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, d)
            desc = f"{rel} {stat.filemode(st.st_mode)} nlink={st.st_nlink if not stat.S_ISDIR(st.st_mode) else '-'}"
            if stat.S_ISREG(st.st_mode):
                desc += f" size={st.st_size} sha256={hashlib.sha256(open(path, 'rb').read()).hexdigest()[:16]}"
            elif stat.S_ISLNK(st.st_mode):
                desc += f" -> {os.readlink(path)}"
            if st.st_mtime < RECENT:
                desc += f" mtime={st.st_mtime_ns}"
            lines.append(desc)
    return "\n".join(lines)


# ---- running ---------------------------------------------------------------------

@dataclass
class Outcome:
    transcript: list              # per command: (status, stdout, stderr)
    tree: str


_template = None


def fixture_template():
    """The fixtures, made once per process (compressing them is the slow
    part); each run gets a copy, times included."""
    global _template
    if _template is None:
        _template = tempfile.mkdtemp(prefix="busybox-fixtures-")
        make_fixtures(_template)
    return _template


def run_case(case, prefix, tag):
    d = tempfile.mkdtemp(prefix=f"busybox-{tag}-")
    try:
        shutil.copytree(fixture_template(), d, symlinks=True, dirs_exist_ok=True)
        transcript = []
        for cmd in case.commands:
            stdin = open(os.path.join(d, cmd.stdin), "rb") if cmd.stdin else subprocess.DEVNULL
            try:
                p = subprocess.run(prefix + cmd.argv, cwd=d, env=dict(ENV), stdin=stdin, capture_output=True,
                                   timeout=TIMEOUT)
                status = p.returncode
                out, err = p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                status, out, err = "timeout", e.stdout or b"", e.stderr or b""
            finally:
                if cmd.stdin:
                    stdin.close()
            real = os.path.realpath(d).encode()
            transcript.append((status, out.replace(real, b"$TMP"), err.replace(real, b"$TMP")))
        return Outcome(transcript, snapshot(d))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def show(data, limit=1500):
    text = data.decode(errors="backslashreplace")
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def compare(case, emu, busybox):
    """Returns (passed, report lines)."""
    native = run_case(case, [busybox], "native")
    emulated = run_case(case, [emu, busybox], "emu")
    report = []
    for i, (cmd, n, e) in enumerate(zip(case.commands, native.transcript, emulated.transcript)):
        label = shlex.join(cmd.argv) + (f" < {cmd.stdin}" if cmd.stdin else "")
        if n[0] != e[0]:
            report.append(f"  [{label}] exit status: native {n[0]}, emu {e[0]}")
        if n[1] != e[1]:
            report.append(f"  [{label}] stdout differs\n    native: {show(n[1])!r}\n    emu:    {show(e[1])!r}")
        if "nostderr" not in case.options and n[2] != e[2]:
            report.append(f"  [{label}] stderr differs\n    native: {show(n[2])!r}\n    emu:    {show(e[2])!r}")
    if native.tree != emulated.tree:
        report.append(f"  files left differ\n    native:\n{native.tree}\n    emu:\n{emulated.tree}")
    return not report, report


def applet_bin(busybox):
    """A new directory with a link named after every applet of `busybox`."""
    d = tempfile.mkdtemp(prefix="emu-busybox-bin-")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for name in applets:
        os.symlink(os.path.abspath(busybox), os.path.join(d, name))
    return d


def main(argv):
    if argv[1:2] == ["--list"]:
        print("\n".join(c.name for c in parse_cases()))
        return 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    emu, busybox, names = os.path.abspath(argv[1]), argv[2], argv[3:]
    cases = parse_cases()
    if names:
        by_name = {c.name: c for c in cases}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise SystemExit(f"unknown case(s): {' '.join(missing)}")
        cases = [by_name[n] for n in names]
    fixture_template()
    bin_dir = applet_bin(busybox)
    ENV["PATH"] = bin_dir
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda c: (c, *compare(c, emu, busybox)), cases))
    finally:
        shutil.rmtree(_template, ignore_errors=True)
        shutil.rmtree(bin_dir, ignore_errors=True)
    failed = 0
    for case, passed, report in results:
        print(f"{'PASS' if passed else 'FAIL'} {case.name}")
        for line in report:
            print(line)
        failed += not passed
    print(f"{len(cases) - failed} of {len(cases)} busybox cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
