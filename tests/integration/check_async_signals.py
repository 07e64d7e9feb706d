#!/usr/bin/env python3
"""Asynchronous signals end a guest as they end the native program.

usage: check_async_signals.py EMU BUSYBOX SIGNALS_BINARY

  - `busybox sleep 10` gets SIGINT after 0.3 s: it must die by SIGINT, well
    before the 10 s are up (the host nanosleep is interrupted);
  - `busybox yes` writing into a pipe whose reader has gone (as in
    `yes | head -1`): it must die by SIGPIPE;
  - the same with SIGTERM.
Each is run natively first; the emulated run must end the same way.

And what execve keeps: `signals inherited` started with SIGHUP and SIGINT
ignored (as nohup and a background job start) and SIGUSR1 and SIGTERM
blocked must see them so under emu too.
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


def inherited_state(cmd):
    def prepare():
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
    p = subprocess.run(cmd + ["inherited"], capture_output=True, timeout=60, preexec_fn=prepare)
    return p.returncode, p.stdout.decode()


def main():
    emu, busybox, signals_binary = sys.argv[1], sys.argv[2], sys.argv[3]
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
    native_state, emulated_state = inherited_state([signals_binary]), inherited_state([emu, signals_binary])
    expected = {"signal 1 ignored", "signal 2 ignored", "signal 10 blocked", "signal 15 blocked"}
    ok = native_state == emulated_state and native_state[0] == 0 and expected <= set(native_state[1].splitlines())
    print(f"inherited ignored and blocked signals: native {native_state}, emu {emulated_state}: "
          f"{'ok' if ok else 'FAIL'}")
    failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
