#!/usr/bin/env python3
"""Runs the libFuzzer targets in BUILD (fuzz/fuzz.mk builds them).

For each target: first every committed input (fuzz/corpus/<t>/ and the
reproducers in tests/fuzz/regressions/<t>/) is run once, then the fuzzer runs
for --seconds on a scratch copy of them in BUILD/work/<t>/, so the committed
corpus never grows. Prints one line per target (executions, exec/s,
coverage, features, new inputs, slowest input by the clock, result) and exits
non-zero if any target crashed, leaked, hit a sanitizer report or a timeout.
A crashing input is kept in BUILD/work/<t>/artifacts/ and its path printed.

Timeouts: an input that takes more than --timeout seconds (FUZZ_TIMEOUT, 1)
fails the target when it also takes that long in CPU time once re-run alone;
libFuzzer's own wall-clock limit is set to ten times that, so that a machine
busy with other work does not turn slow clocks into failures.

--tap prints TAP ("ok N - fuzz_<t>") for tests/run.py instead of the table.
--replay-only runs the committed inputs without fuzzing; --resume starts from
the scratch corpus the previous run left (for long runs done in steps).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

# Longest input per target: big enough for the seeds, small enough to keep
# each execution fast.
MAX_LEN = {
    "quantity": 128,
    "selector": 4096,
    "pod": 16384,
    "node": 16384,
    "snapshot": 65536,
    "jsonspan": 16384,
    "extender_args": 32768,
    "capacity": 16384,
    "admission": 16384,
    "kubeconfig": 8192,
    "watch": 32768,
    "yaml": 16384,
}


def targets_in(build):
    names = []
    for f in sorted(os.listdir(build)) if os.path.isdir(build) else []:
        p = os.path.join(build, f)
        if f.startswith("fuzz_") and os.access(p, os.X_OK) and os.path.isfile(p):
            names.append(f[len("fuzz_"):])
    return names


def committed_dirs(name):
    dirs = [os.path.join(HERE, "corpus", name),
            os.path.join(TOP, "tests", "fuzz", "regressions", name)]
    return [d for d in dirs if os.path.isdir(d) and os.listdir(d)]


# Which dictionary (fuzz/dict/) each target's mutations draw tokens from.
DICT = {
    "quantity": "quantity",
    "yaml": "yaml",
    "kubeconfig": "yaml",
}


def dict_args(name):
    d = os.path.join(HERE, "dict", DICT.get(name, "k8s-json") + ".dict")
    return ["-dict=" + d] if os.path.isfile(d) else []


def sanitizer_env():
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=1:symbolize=1:" + env.get("FUZZ_ASAN_OPTIONS", "")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


def last_int(pattern, text):
    found = re.findall(pattern, text)
    return int(found[-1]) if found else None


def run_target(build, name, seconds, timeout, replay_only, resume):
    """Returns a dict with the outcome of one target."""
    exe = os.path.join(build, "fuzz_" + name)
    res = {"name": name, "ok": True, "why": "", "execs": 0, "eps": 0, "cov": None,
           "ft": None, "new": 0, "corpus": 0, "seconds": 0.0, "artifact": "", "slowest": 0}
    env = sanitizer_env()
    max_len = MAX_LEN.get(name, 16384)
    work = os.path.join(build, "work", name)
    seeds_dir = os.path.join(work, "seeds")
    corpus = os.path.join(work, "corpus")
    artifacts = os.path.join(work, "artifacts")
    for d in [seeds_dir, artifacts] + ([] if resume or replay_only else [corpus]):
        shutil.rmtree(d, ignore_errors=True)
    for d in (seeds_dir, corpus, artifacts):
        os.makedirs(d, exist_ok=True)
    seeds = []
    for d in committed_dirs(name):
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if os.path.isfile(p):
                seeds.append(p)
                shutil.copy(p, os.path.join(seeds_dir, "%s-%s" % (os.path.basename(d), f)))
    res["corpus"] = len(seeds)
    start = time.time()
    # libFuzzer's -timeout is wall-clock time, which a loaded machine stretches; it
    # only catches hangs here (10x). Inputs slower than `timeout` are saved as
    # slow units and timed again in CPU seconds (check_slow).
    common = ["-timeout=%d" % (10 * timeout), "-report_slow_units=%d" % timeout,
              "-rss_limit_mb=2048", "-max_len=%d" % max_len,
              "-artifact_prefix=" + artifacts + "/", "-print_final_stats=1"] + dict_args(name)
    # 1. every committed input once (a reproducer that crashes again fails here)
    if seeds:
        proc = subprocess.run([exe, "-runs=0"] + common + [seeds_dir], env=env, cwd=work,
                              capture_output=True, text=True, errors="replace",
                              timeout=max(120, 30 * timeout + len(seeds)))
        out = proc.stdout + proc.stderr
        if proc.returncode != 0:
            res.update(ok=False, why="a committed input fails", log=out)
            res["seconds"] = time.time() - start
            return finish(res, artifacts, exe, env, timeout)
    if replay_only:
        res["seconds"] = time.time() - start
        res["execs"] = len(seeds)
        return finish(res, artifacts, exe, env, timeout)
    for f in os.listdir(seeds_dir):
        shutil.copy(os.path.join(seeds_dir, f), os.path.join(corpus, f))
    # 2. fuzz for `seconds`
    argv = [exe, "-max_total_time=%d" % seconds, "-reload=0", "-use_value_profile=1"] + common + [corpus]
    try:
        proc = subprocess.run(argv, env=env, cwd=work, capture_output=True, text=True,
                              errors="replace", timeout=seconds * 3 + 120)
        out, code = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stderr if isinstance(exc.stderr, str) else (exc.stderr or b"").decode(errors="replace")
        out += "\nthe fuzzer did not stop in time"
        code = -1
    res["seconds"] = time.time() - start
    res["execs"] = last_int(r"stat::number_of_executed_units:\s*(\d+)", out) or last_int(r"^#(\d+)", out) or 0
    res["eps"] = last_int(r"stat::average_exec_per_sec:\s*(\d+)", out) or 0
    res["new"] = last_int(r"stat::new_units_added:\s*(\d+)", out) or 0
    res["cov"] = last_int(r"cov: (\d+)", out)
    res["ft"] = last_int(r"ft: (\d+)", out)
    res["slowest"] = last_int(r"stat::slowest_unit_time_sec:\s*(\d+)", out) or 0
    if code != 0:
        kind = "crash"
        if "ERROR: libFuzzer: timeout" in out:
            kind = "timeout"
        elif "ERROR: LeakSanitizer" in out:
            kind = "leak"
        elif "runtime error:" in out:
            kind = "UBSan report"
        elif "out-of-memory" in out:
            kind = "out of memory"
        elif "ERROR: AddressSanitizer" in out:
            kind = "ASan report"
        res.update(ok=False, why=kind, log=out)
    return finish(res, artifacts, exe, env, timeout)


def cpu_seconds(exe, env, path):
    """CPU time (user + system) of one run of exe on the input at path."""
    proc = subprocess.Popen([exe, "-runs=1", path], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_utime + usage.ru_stime


def finish(res, artifacts, exe, env, timeout):
    found = sorted(os.listdir(artifacts)) if os.path.isdir(artifacts) else []
    failures = [f for f in found if not f.startswith("slow-unit-")]
    if failures:
        res["artifact"] = os.path.join(artifacts, failures[0])
        res["ok"] = False
        res["why"] = res["why"] or "artifact written"
    # an input that was slow by the clock must also be slow in CPU time to fail
    for f in [f for f in found if f.startswith("slow-unit-")][-3:]:
        cpu = cpu_seconds(exe, env, os.path.join(artifacts, f))
        res["slow_cpu"] = max(res.get("slow_cpu", 0.0), cpu)
        if cpu > timeout and res["ok"]:
            res.update(ok=False, why="timeout: %.1f s of CPU for one input" % cpu,
                       artifact=os.path.join(artifacts, f))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/fuzz")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=1, help="seconds one input may take")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--replay-only", action="store_true")
    ap.add_argument("--resume", action="store_true",
                    help="keep the scratch corpus of the last run (long runs in steps)")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    build = os.path.abspath(os.path.join(TOP, args.build))
    names = targets_in(build)
    if args.targets:
        unknown = [t for t in args.targets if t not in names]
        if unknown:
            print("fuzz: no such target built: %s (have: %s)" % (" ".join(unknown), " ".join(names)))
            return 2
        names = [n for n in names if n in args.targets]
    if not names:
        print("fuzz: no targets in %s (run make fuzz-build)" % build)
        return 2
    if args.tap:
        print("1..%d" % len(names))
    else:
        print("%-14s %10s %8s %6s %7s %5s %5s %6s  %s" % ("target", "execs", "exec/s", "cov",
                                                          "ft", "new", "slow", "secs", "result"))
    sys.stdout.flush()
    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_target, build, n, args.seconds, args.timeout, args.replay_only,
                               args.resume)
                   for n in names]
        for i, fut in enumerate(futures, 1):
            r = fut.result()
            if not r["ok"]:
                failed += 1
            verdict = "ok" if r["ok"] else "FAILED: %s" % r["why"]
            if r["artifact"]:
                verdict += " (input: %s)" % os.path.relpath(r["artifact"], TOP)
            line = "%-14s %10d %8d %6s %7s %5d %5s %6.1f  %s" % (
                r["name"], r["execs"], r["eps"], r["cov"] if r["cov"] is not None else "-",
                r["ft"] if r["ft"] is not None else "-", r["new"], "%ds" % r["slowest"],
                r["seconds"], verdict)
            if args.tap:
                print("%s %d - fuzz_%s  # %s" % ("ok" if r["ok"] else "not ok", i, r["name"],
                                                 line.strip()))
            else:
                print(line)
            if not r["ok"] and r.get("log"):
                tail = r["log"].splitlines()[-40:]
                print("  --- last output of fuzz_%s ---\n  %s\n  ---" % (r["name"], "\n  ".join(tail)))
            sys.stdout.flush()
    if not args.tap:
        print("fuzz: %d targets, %d failed" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
