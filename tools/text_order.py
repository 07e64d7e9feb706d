#!/usr/bin/env python3
"""Regenerates emu/text_order.txt: the functions of emu that typical runs
execute, in the order gold should place them (--section-ordering-file).

Why: the kernel maps an executable's page-cache folios whole, so emu's
resident text follows how its executed code is laid out, not only how much
of it runs. Placing the functions a run touches next to each other cut
emu's RSS on a static hello world by ~340 KiB. A stale list is harmless:
names that no longer exist match nothing and the link is unchanged.

usage: tools/text_order.py   (after ./setup.sh; needs valgrind)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
EMU = os.path.join(ROOT, "build", "emu", "emu")
EX = os.path.join(ROOT, "build", "examples")
RUNS = [
    [os.path.join(EX, "hello-glibc"), "a"],
    [os.path.join(EX, "hello-musl"), "a"],
    [os.path.join(EX, "mmap_stress-glibc"), "1000"],
    [os.path.join(EX, "mmap_stress-musl"), "1000"],
    [os.path.join(EX, "page_loop-musl"), "300", "3"],
    [os.path.join(EX, "mmap_churn-glibc"), "300"],
    [os.path.join(EX, "brk_churn-musl"), "300"],
    [os.path.join(EX, "madvise_churn-musl"), "300"],
    [os.path.join(EX, "mremap_churn-glibc"), "300"],
    [os.path.join(EX, "malloc_churn-musl"), "3000"],
    [os.path.join(EX, "malloc_churn-glibc"), "3000"],
    ["/bin/busybox", "echo", "hi"],
    ["/bin/busybox", "sha256sum", os.path.join(ROOT, "README.md")],
    ["/bin/busybox", "wc", os.path.join(ROOT, "README.md")],
]
NAME = re.compile(r"^c?fn=\(\d+\) (\S+)", re.M)


def main():
    order, seen = [], set()
    for run in RUNS:
        with tempfile.NamedTemporaryFile(suffix=".cg") as out:
            subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out.name}",
                            EMU] + run, check=True, capture_output=True)
            text = open(out.name).read()
        for name in NAME.findall(text):
            name = re.sub(r"'\d+$", "", name)
            if name.startswith(("0x", "(")) or name in seen:
                continue
            seen.add(name)
            order.append(name)
    path = os.path.join(ROOT, "emu", "text_order.txt")
    with open(path, "w") as f:
        for name in order:
            f.write(f".text.{name}\n")
    print(f"{path}: {len(order)} functions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
