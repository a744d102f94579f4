#!/usr/bin/env python3
"""Runs every headroom test and prints one total line: `N passed, N failed`.

Unit tests are cmocka binaries in BUILD/tests/ (run with TAP output);
integration tests are tests/integration/test_*.py scripts that print TAP too.
A program that crashes or exits non-zero without reporting a failure counts
as one failed test, so a crash can never look green.
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def run_tap(name, argv, env, timeout):
    """Runs one TAP-printing program; returns (passed, failed_names)."""
    start = time.time()
    try:
        proc = subprocess.run(argv, env=env, cwd=TOP, capture_output=True,
                              text=True, errors="replace", timeout=timeout)
        out, code = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        out += "\nTIMEOUT after %ss" % timeout
        code = -1
    passed, failed, skipped = 0, [], []
    for line in out.splitlines():
        m = re.match(r"^(not ok|ok) \d+ (?:- )?(.*)$", line)
        if not m:
            continue
        if m.group(1) == "ok" and "# SKIP" in m.group(2):
            skipped.append(m.group(2).strip())  # reported, counted neither way
        elif m.group(1) == "ok":
            passed += 1
        else:
            failed.append(m.group(2).strip())
    if code != 0 and not failed:
        failed.append("%s exited with code %s" % (name, code))
    took = time.time() - start
    status = "ok" if not failed else "FAILED"
    print("%-40s %4d passed %4d failed  %6.1fs  %s" % (name, passed, len(failed), took, status))
    for s in skipped:
        print("  skipped: " + s)
    if failed:
        tail = "\n".join(out.splitlines()[-60:])
        print("  failed: " + "\n  failed: ".join(failed))
        print("  --- last output of %s ---\n%s\n  ---" % (name, tail))
    sys.stdout.flush()
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default="", help="substring filter on program names (comma-separated: any)")
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(TOP, args.build))
    env = dict(os.environ)
    env["CMOCKA_MESSAGE_OUTPUT"] = "TAP"
    env["HEADROOM_BIN"] = os.path.join(build, "headroom")
    env["HEADROOM_BUILD"] = build
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")

    programs = []
    tdir = os.path.join(build, "tests")
    for f in sorted(os.listdir(tdir)) if os.path.isdir(tdir) else []:
        p = os.path.join(tdir, f)
        if f.startswith("test_") and os.access(p, os.X_OK) and not f.endswith(".o"):
            programs.append((f, [p], 600))
    idir = os.path.join(HERE, "integration")
    for f in sorted(os.listdir(idir)):
        if f.startswith("test_") and f.endswith(".py"):
            programs.append((f, [sys.executable, os.path.join(idir, f)], 600))

    total_pass, total_fail = 0, 0
    # project rules (banned functions, a pure predicates/, formatting) as one test
    lint = subprocess.run([os.path.join(TOP, "scripts", "lint.sh"), os.path.join(build, "libhrpred.a")],
                          cwd=TOP, capture_output=True, text=True)
    if lint.returncode == 0:
        total_pass += 1
        print("%-40s %4d passed %4d failed" % ("lint", 1, 0))
    else:
        total_fail += 1
        print("%-40s %4d passed %4d failed  FAILED\n%s" % ("lint", 0, 1, lint.stdout + lint.stderr))
    for name, argv, timeout in programs:
        if args.only and not any(o in name for o in args.only.split(",")):
            continue
        p, f = run_tap(name, argv, env, timeout)
        total_pass += p
        total_fail += len(f)
    print("%d passed, %d failed" % (total_pass, total_fail))
    return 0 if total_fail == 0 and total_pass > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
