#!/usr/bin/env python3
"""Prints make bench's table from the rows bench/run.sh collected.

  table.py RESULTS_DIR WRK_CONNECTIONS
"""
import datetime
import glob
import os
import platform
import re
import sys

# cluster-capacity (kube-scheduler 1.26 framework) on the same question,
# measured on these 2-core machines (issue #7): seconds by node count.
CLUSTER_CAPACITY_S = {100: 1.6, 1000: 36.0, 5000: 224.0}


def rows(path):
    out = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f and f[0] in ("row", "wrk", "server"):
            out.append(f)
    return out


def size_of(path):
    return int(re.search(r"-(\d+)\.tsv$", path).group(1))


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main():
    d, conns = sys.argv[1], sys.argv[2]
    inproc = {size_of(p): rows(p) for p in glob.glob(os.path.join(d, "inproc-*.tsv"))}
    e2e = {size_of(p): rows(p) for p in glob.glob(os.path.join(d, "e2e-*.tsv"))}
    wrk = {size_of(p): rows(p) for p in glob.glob(os.path.join(d, "wrk-*.tsv"))}
    server = {size_of(p): rows(p) for p in glob.glob(os.path.join(d, "server-*.tsv"))}
    print("headroom bench, %s; %s, %d cores; Linux %s" %
          (datetime.date.today().isoformat(), cpu_model(), os.cpu_count(), platform.release()))
    print()
    print("| nodes | measurement | runs | median ms | p99 ms | result |")
    print("|---:|---|---:|---:|---:|---|")
    found = {}
    for n in sorted(inproc):
        for f in inproc[n]:
            print("| %d | %s (in-process) | %s | %s | %s | %s |" % (n, f[1], f[2], f[3], f[4], f[5]))
            found[(n, f[1])] = f
        for f in e2e.get(n, []):
            print("| %d | %s (end to end) | %s | %s | %s | %s |" % (n, f[1], f[2], f[3], f[4], f[5]))
            found[(n, f[1] + " e2e")] = f
        for f in wrk.get(n, []):
            reqs, rps, p50, p99, errors = f[2], float(f[3]), f[4], f[5], f[6]
            print("| %d | %s (wrk, %s connections over TLS) | %s | %s | %s | %.0f requests/s, %s errors |" %
                  (n, f[1], conns, reqs, p50, p99, rps, errors))
            found[(n, f[1] + " wrk")] = f
        for f in server.get(n, []):
            print("| %d | headroom serve RSS after loading | | | | %.0f MiB |" % (n, int(f[2]) / 1024))
    print()
    for n in sorted(inproc):
        fast = found.get((n, "capacity fast"))
        if fast and n in CLUSTER_CAPACITY_S:
            ratio = CLUSTER_CAPACITY_S[n] * 1e3 / float(fast[3])
            print("capacity at %d nodes: cluster-capacity %.1f s, headroom %s ms: %.0fx faster" %
                  (n, CLUSTER_CAPACITY_S[n], fast[3], ratio))
    n = max(inproc) if inproc else None
    if n is None:
        return
    print()
    print("targets at %d nodes:" % n)

    def target(label, value, limit, unit, le=True):
        ok = value <= limit if le else value >= limit
        print("  %-52s %10.3f %-4s (target %s %g): %s" %
              (label, value, unit, "<=" if le else ">=", limit, "met" if ok else "MISSED"))

    def med(key, col=3):
        f = found.get((n, key))
        return float(f[col]) if f else None

    if med("capacity fast") is not None:
        target("capacity fast path, median", med("capacity fast"), 5, "ms")
    if med("filter names") is not None:
        target("filter NodeNames, server-side p99", med("filter names", 4), 1, "ms")
    if med("filter names wrk") is not None:
        target("filter NodeNames over TLS, wrk", med("filter names wrk"), 4000, "req/s", le=False)
    if med("filter sampled wrk") is not None:
        target("same, the names kube-scheduler samples, wrk", med("filter sampled wrk"), 4000, "req/s",
               le=False)
    if med("snapshot build") is not None:
        target("snapshot build from kubectl JSON", med("snapshot build") / 1e3, 3, "s")
        rss = re.search(r"peak (\d+) MiB", found[(n, "snapshot build")][5])
        if rss:
            target("snapshot build peak RSS", float(rss.group(1)), 150, "MiB")
    for pod in ("anti-affinity", "spread"):
        if med("capacity " + pod) is not None:
            target("coupled capacity (%s), median" % pod, med("capacity " + pod), 100, "ms")
    if med("filter nodes") is not None and med("scan nodes") is not None:
        print("  %-52s %10.1f x   (one validating pass over the request = 1)" %
              ("filter full Nodes / reading the request", med("filter nodes") / med("scan nodes")))


if __name__ == "__main__":
    main()
