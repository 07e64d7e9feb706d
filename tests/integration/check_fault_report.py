#!/usr/bin/env python3
"""A fatal guest fault is reported the way Linux would deliver it: runs
`faults MODE` (examples/faults.c) under emu and passes when the guest died by
the expected signal and emu's one-line report on stderr names the si_code
and the faulting address the program printed ("fault address 0x...") just
before faulting.

Expected signal and si_code per mode follow Linux (arch/x86/mm/fault.c:
SEGV_MAPERR when no mapping covers the address, SEGV_ACCERR when one does
but forbids the access; mm/filemap.c: SIGBUS with BUS_ADRERR for a file
page wholly past EOF). When strace is installed, the native run's signal
line confirms the expectation first, so the table cannot drift from Linux.

usage: check_fault_report.py EMU PROGRAM MODE
"""
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import measure  # noqa: E402

EXPECTED = {
    "segv-maperr": (signal.SIGSEGV, "SEGV_MAPERR"),
    "segv-accerr": (signal.SIGSEGV, "SEGV_ACCERR"),
    "segv-prot-none": (signal.SIGSEGV, "SEGV_ACCERR"),
    "bus": (signal.SIGBUS, "BUS_ADRERR"),
}


def printed_address(stdout):
    m = re.search(rb"^fault address (0x[0-9a-f]+)$", stdout, re.M)
    return int(m.group(1), 16) if m else None


def native_signal_line(program, mode):
    """strace's '--- SIGSEGV {si_signo=..., si_code=..., si_addr=...} ---'."""
    strace = shutil.which("strace")
    if not strace:
        return None
    proc = subprocess.run([strace, "-qq", "-e", "trace=none", program, mode],
                          capture_output=True, timeout=60)
    m = re.search(rb"--- (SIG\w+) \{.*?si_code=(\w+), si_addr=(0x[0-9a-f]+)", proc.stderr)
    if not m:
        return None  # ptrace not permitted here: rely on the table
    return m.group(1).decode(), m.group(2).decode(), int(m.group(3), 16)


def main():
    emu, program, mode = sys.argv[1:4]
    signo, code = EXPECTED[mode]
    native = measure.run([program, mode])
    addr = printed_address(native.stdout)
    if native.status != -signo or addr is None:
        print(f"FAIL: natively, status {native.status} (expected {-signo}), stdout {native.stdout!r}")
        return 1
    seen = native_signal_line(program, mode)
    if seen is not None:
        print(f"native (strace): {seen[0]} {seen[1]} at 0x{seen[2]:x}")
        if seen != (signo.name, code, addr):
            print(f"FAIL: the native signal is not the expected {signo.name} {code} at 0x{addr:x}")
            return 1

    emulated = measure.run([emu, program, mode])
    stderr = emulated.stderr.decode(errors="replace")
    report = next((line for line in stderr.splitlines() if line.startswith("emu:")), "")
    print(f"emu: status {emulated.status}; report: {report!r}")
    ok = True
    if emulated.status != -signo:
        print(f"FAIL: emu's guest did not die by {signo.name} (status {emulated.status})")
        ok = False
    if emulated.stdout != native.stdout:
        print(f"FAIL: stdout differs: native {native.stdout!r}, emu {emulated.stdout!r}")
        ok = False
    if code not in report:
        print(f"FAIL: the report does not name the si_code {code}")
        ok = False
    if not re.search(rf"\b0x0*{addr:x}\b", report, re.I):
        print(f"FAIL: the report does not name the faulting address 0x{addr:x}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
