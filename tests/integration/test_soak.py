#!/usr/bin/env python3
"""A short run of scripts/soak.py (the load and soak test: wrk over TLS, 64
kept-alive connections plus connection churn, filter in both modes and
capacity): no non-2xx response, no socket error, RSS levels off after the
warm-up, no fd growth. `scripts/soak.py` alone runs it for 60 s."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HEADROOM, TOP, check, run  # noqa: E402


def test_short_soak():
    argv = [sys.executable, os.path.join(TOP, "scripts", "soak.py"), "--duration", "8", "--warmup", "6",
            "--headroom", HEADROOM]
    if "asan" in os.environ.get("HEADROOM_BUILD", ""):
        argv.append("--no-rss-check")  # AddressSanitizer quarantines freed memory
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    for line in (out.stdout + out.stderr).splitlines():
        print("# " + line)
    check(out.returncode == 0, "soak.py exited with %d" % out.returncode)


if __name__ == "__main__":
    sys.exit(run(globals()))
