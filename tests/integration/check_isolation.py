#!/usr/bin/env python3
"""The guest reaches only its own memory (tests/integration/guests/isolation.c).

usage: check_isolation.py EMU ISOLATION_GUEST

proc   every /proc file that would reach an emulator's host memory (ours, via
       several spellings, and a child's) is refused, and so are
       process_vm_readv/writev and ptrace.
probe  while the guest waits, this script reads emu's own host memory map
       (/proc/PID/maps of the emu process) and sends the guest addresses in
       every host mapping that the guest's map does not cover: the start,
       the middle and the last byte of each. A load from each must be
       SIGSEGV and write(2) from each EFAULT.
(The "fds" mode is a native-vs-emu comparison in meson.build.)
"""
import subprocess
import sys

EXPECTED_PROC = [
    "/proc/self/mem", "/proc/self/pagemap", "/proc/self/map_files", "/proc/PID/mem",
    "/proc/self/task/TID/mem", "/proc/thread-self/mem", "openat(/proc/self, mem)",
    "/proc/self/fd/../mem", "/proc/self/cwd/../../proc/self/mem",
    "process_vm_readv(self)", "process_vm_writev(self)", "/proc/CHILD/mem",
    "process_vm_readv(child)", "ptrace(PTRACE_ATTACH, child)", "ptrace(PTRACE_PEEKDATA, child)",
    "ptrace(PTRACE_TRACEME)",
]

failures = []


def report(name, problems):
    print(f"{'ok  ' if not problems else 'FAIL'} {name}")
    for pr in problems[:20]:
        print(f"     {pr}")
    if problems:
        failures.append(name)


def parse_ranges(lines):
    out = []
    for line in lines:
        field = line.split(" ", 1)[0]
        if "-" not in field:
            continue
        lo, hi = field.split("-")
        out.append((int(lo, 16), int(hi, 16)))
    return out


def check_proc(emu, guest):
    p = subprocess.run([emu, guest, "proc"], capture_output=True, text=True, timeout=60)
    lines = dict(line.split(": ", 1) for line in p.stdout.splitlines() if ": " in line)
    problems = [] if p.returncode == 0 else [f"status {p.returncode}: {p.stderr[-500:]}"]
    for what in EXPECTED_PROC:
        result = lines.get(what)
        if result is None or not result.startswith("refused "):
            problems.append(f"{what}: {result!r}, expected refused")
    report("/proc/PID/mem, pagemap, map_files, process_vm_readv and ptrace are refused", problems)


def check_probe(emu, guest):
    p = subprocess.Popen([emu, guest, "probe"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    guest_map = []
    for line in p.stdout:
        if line.strip() == "ready":
            break
        guest_map.append(line)
    guest_ranges = parse_ranges(guest_map)
    with open(f"/proc/{p.pid}/maps") as f:
        host_ranges = parse_ranges(f.read().splitlines())

    def in_guest(a):
        return any(lo <= a < hi for lo, hi in guest_ranges)

    probes = []
    for lo, hi in host_ranges:
        for a in (lo, lo + ((hi - lo) // 2 & ~0xfff), hi - 1):
            if not in_guest(a) and a not in probes:
                probes.append(a)
    out, err = p.communicate("".join(f"{a:x}\n" for a in probes), timeout=120)
    results = dict(line.split(" ", 1) for line in out.splitlines())
    problems = [] if p.returncode == 0 else [f"status {p.returncode}: {err[-500:]}"]
    for a in probes:
        r = results.get(f"{a:x}")
        if r != "load:SIGSEGV write:EFAULT":
            problems.append(f"host address {a:#x}: {r!r}, expected load:SIGSEGV write:EFAULT")
    if len(probes) < 10:
        problems.append(f"only {len(probes)} host addresses to probe")
    report(f"{len(probes)} addresses in {len(host_ranges)} emu host mappings: guest loads fault, "
           f"write(2) is EFAULT", problems)


def main():
    emu, guest = sys.argv[1:3]
    check_proc(emu, guest)
    check_probe(emu, guest)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
