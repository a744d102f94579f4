#!/usr/bin/env python3
"""A short run of `make bench` (bench/run.sh) on a 100-node cluster: the
benchmark still builds its clusters, answers every row with the right values
and prints the table. Timings are not checked (benchmarks are not tests)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, check, run  # noqa: E402

BUILD = os.environ.get("HEADROOM_BUILD", os.path.join(TOP, "build"))


def bench_output():
    env = dict(os.environ, BENCH_SIZES="100", BENCH_RUNS="5", BENCH_WRK_SECONDS="1",
               BENCH_WRK_CONNECTIONS="4")
    p = subprocess.run([os.path.join(TOP, "bench", "run.sh"), BUILD], env=env,
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "bench/run.sh failed: %s%s" % (p.stdout, p.stderr))
    return p.stdout


OUT = None


def setup():
    global OUT
    OUT = bench_output()
    return OUT


def row(out, what):
    for line in out.splitlines():
        if line.startswith("| 100 | %s" % what):
            return line
    raise AssertionError("no row for %r in:\n%s" % (what, out))


def test_in_process_rows_have_the_right_answers(out):
    check("count 1000 |" in row(out, "capacity fast (in-process)"), "fast path count")
    check("count 90, coupled" in row(out, "capacity anti-affinity"), "one copy per untainted node")
    check("count 900, coupled" in row(out, "capacity spread"), "spread count")
    check("90 of 100 nodes pass" in row(out, "filter names (in-process)"), "names mode")
    check("90 of 100 nodes pass" in row(out, "filter nodes (in-process)"), "nodes mode")
    check("100 nodes, 3000 pods" in row(out, "snapshot build"), "snapshot size")


def test_end_to_end_and_wrk_rows(out):
    for what in ("filter names (end to end)", "filter nodes (end to end)", "capacity fast (end to end)"):
        check("over TLS keep-alive" in row(out, what), what)
    for mode in ("names", "nodes"):
        line = row(out, "filter %s (wrk" % mode)
        check(re.search(r"\d+ requests/s, 0 errors", line), "wrk without errors: " + line)


def test_comparison_and_targets(out):
    check(re.search(r"capacity at 100 nodes: cluster-capacity 1.6 s, headroom [\d.]+ ms: \d+x faster", out),
          "comparison line")
    check("targets at 100 nodes:" in out, "targets block")


if __name__ == "__main__":
    sys.exit(run(globals(), setup=setup))
