#!/usr/bin/env python3
"""The libFuzzer targets (fuzz/) as part of `make test`: one TAP line per target.

Builds them (make fuzz-build: clang, ASan + UBSan, into build/fuzz), then for each
target replays every committed input (fuzz/corpus/<t>/ and the crash reproducers in
tests/fuzz/regressions/<t>/) and fuzzes for FUZZ_SMOKE_SECONDS (8) seconds, two
targets at a time (fuzz/run.py; about a minute in all). A crash, leak, sanitizer report
or an input slower than FUZZ_SMOKE_TIMEOUT (5) seconds fails that target.

Under `make test-asan` (HEADROOM_BUILD is build/asan) only the committed inputs are
replayed: the fuzz targets are sanitizer builds anyway, and `make test` fuzzes them.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def main():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    build = subprocess.run(["make", "-s", "-j2", "fuzz-build"], cwd=TOP, env=env,
                           capture_output=True, text=True, errors="replace")
    if build.returncode != 0:
        print("1..1")
        print("not ok 1 - fuzz targets build (make fuzz-build)")
        print("# " + "\n# ".join((build.stdout + build.stderr).splitlines()[-30:]))
        return 1
    argv = [sys.executable, os.path.join(TOP, "fuzz", "run.py"), "--tap", "--jobs", "2",
            "--timeout", os.environ.get("FUZZ_SMOKE_TIMEOUT", "5"),
            "--seconds", os.environ.get("FUZZ_SMOKE_SECONDS", "8")]
    if "asan" in os.environ.get("HEADROOM_BUILD", ""):
        argv.append("--replay-only")
    return subprocess.run(argv, cwd=TOP, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
