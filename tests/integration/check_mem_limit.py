#!/usr/bin/env python3
"""--mem-limit holds on every allocation path (tests/integration/guests/mem_hog.c).

usage: check_mem_limit.py EMU MEM_HOG

Each path asks for 4x the limit, touching every page. The guest must be
stopped: an allocation call refused with ENOMEM (emu charges commit like
vm.overcommit_memory=2), a touch killed like the kernel's OOM killer
(SIGKILL, one line from emu), or for the stack, SIGSEGV when it can grow
no further, as natively. And emu's max RSS must stay within the limit plus
emu's own memory (SLACK_MIB), except in a sanitizer build (EMU_SANITIZED).
"""
import os
import re
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import measure  # noqa: E402

LIMIT_MIB = 64
ASK_MIB = 4 * LIMIT_MIB
SLACK_MIB = 24
# path -> what may end it: "enomem", "oom" (SIGKILL), "segv"
PATHS = {
    "mmap": {"enomem"}, "populate": {"enomem"}, "shared": {"enomem"}, "file": {"enomem"},
    "brk": {"enomem"}, "mremap": {"enomem"}, "malloc": {"enomem"},
    "noreserve": {"oom"}, "stack": {"segv", "oom"},
}


def main():
    emu, hog = sys.argv[1:3]
    failures = 0
    sanitized = bool(os.environ.get("EMU_SANITIZED"))
    # The stack may grow to 1 GiB: only the memory limit stops it.
    old = resource.getrlimit(resource.RLIMIT_STACK)
    resource.setrlimit(resource.RLIMIT_STACK, (1 << 30, old[1] if old[1] != resource.RLIM_INFINITY else 1 << 30))
    for path, allowed in PATHS.items():
        r = measure.run([emu, f"--mem-limit={LIMIT_MIB}M", hog, path, str(ASK_MIB)])
        out = r.stdout.decode(errors="replace")
        err = r.stderr.decode(errors="replace")
        ended = None
        m = re.search(r"stopped by ENOMEM after (\d+) MiB", out)
        if r.status == 0 and m:
            ended = "enomem"
        elif r.status == -9 and "out of guest memory" in err:
            ended = "oom"
        elif r.status == -11:
            ended = "segv"
        problems = []
        if ended not in allowed:
            problems.append(f"status {r.status}, stdout {out.strip()!r}, stderr {err.strip()[-300:]!r}; "
                            f"expected {' or '.join(sorted(allowed))}")
        if m and int(m.group(1)) > LIMIT_MIB:
            problems.append(f"got {m.group(1)} MiB past a {LIMIT_MIB} MiB limit")
        if not sanitized and r.max_rss_kib > (LIMIT_MIB + SLACK_MIB) * 1024:
            problems.append(f"emu max RSS {r.max_rss_kib} KiB > {LIMIT_MIB + SLACK_MIB} MiB")
        how = {"enomem": f"ENOMEM after {m.group(1) if m else '?'} MiB", "oom": "OOM-killed",
               "segv": "SIGSEGV"}.get(ended, "?")
        print(f"{'ok  ' if not problems else 'FAIL'} {path}: {how}, emu max RSS {r.max_rss_kib} KiB "
              f"(limit {LIMIT_MIB} MiB)")
        for pr in problems:
            print(f"     {pr}")
        failures += bool(problems)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
