#!/usr/bin/env python3
"""Asynchronous signals end a guest as they end the native program.

usage: check_async_signals.py EMU BUSYBOX

  - `busybox sleep 10` gets SIGINT after 0.3 s: it must die by SIGINT, well
    before the 10 s are up (the host nanosleep is interrupted);
  - `busybox yes` writing into a pipe whose reader has gone (as in
    `yes | head -1`): it must die by SIGPIPE;
  - the same with SIGTERM.
Each is run natively first; the emulated run must end the same way.
"""
import signal
import subprocess
import sys
import time


def sleep_interrupted(cmd, sig):
    p = subprocess.Popen(cmd + ["sleep", "10"])
    time.sleep(0.3)
    start = time.monotonic()
    p.send_signal(sig)
    code = p.wait(timeout=20)
    return code, time.monotonic() - start


def yes_into_closed_pipe(cmd):
    p = subprocess.Popen(cmd + ["yes"], stdout=subprocess.PIPE)
    line = p.stdout.readline()
    p.stdout.close()
    return p.wait(timeout=20), line


def main():
    emu, busybox = sys.argv[1], sys.argv[2]
    native, emulated = [busybox], [emu, busybox]
    failures = 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        (n_code, _), (e_code, e_delay) = sleep_interrupted(native, sig), sleep_interrupted(emulated, sig)
        ok = n_code == e_code == -sig and e_delay < 5
        print(f"sleep 10 + {sig.name}: native {n_code}, emu {e_code} after {e_delay:.2f} s: {'ok' if ok else 'FAIL'}")
        failures += not ok
    (n_code, n_line), (e_code, e_line) = yes_into_closed_pipe(native), yes_into_closed_pipe(emulated)
    ok = n_code == e_code == -signal.SIGPIPE and n_line == e_line == b"y\n"
    print(f"yes | head -1: native {n_code}, emu {e_code}: {'ok' if ok else 'FAIL'}")
    failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
