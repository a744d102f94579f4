#!/usr/bin/env python3
"""soak.py: load and soak test of `headroom serve` over TLS with wrk.

Starts `headroom serve` on the embedded EKS snapshot with certificates made by
certs/make-certs.sh, warms it up, then drives it with wrk for a bounded time:
64 kept-alive connections (by default) sending a mix of filter (NodeNames and
full Nodes ExtenderArgs) and capacity requests (scripts/soak.lua), and beside
them 8 connections that send "Connection: close", so handshakes and connection
teardown run all along. The warm-up (a quarter of it churn only, as civetweb
serves each connection on one of its --threads workers and RSS only levels
off once every worker has served one, then the same mix) comes first.
Reports requests, requests/s, latency median/p99, non-2xx responses, and the
server's RSS and open file descriptors after the warm-up and at the end (both
measured once wrk has closed its connections).

Exit status 1 when any response was not 2xx, any socket error happened, RSS
grew by more than --rss-tolerance-mib after the warm-up or does not level off
(a leak grows as much in the second half of the run as in the first; allocator
caches filling up grow less and less), or file descriptors grew; 2 on bad
usage or when the server cannot start.

  scripts/soak.py [--duration 60] [--warmup 10] [--connections 64] [--threads 2]
                  [--rss-tolerance-mib 8] [--no-rss-check] [--headroom build/headroom]
"""
import argparse
import copy
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EKS = os.path.join(TOP, "examples", "clusters", "eks-2node-t3small.json")
CHURN_CONNECTIONS = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_bodies(folder):
    """filter-names.json (examples/extender-args.json), filter-nodes.json
    (the same pod with the snapshot's Node objects), capacity.json."""
    with open(os.path.join(TOP, "examples", "extender-args.json")) as f:
        names = json.load(f)
    with open(EKS) as f:
        nodes = [i for i in json.load(f)["items"] if i["kind"] == "Node"]
    full = {"Pod": names["Pod"], "Nodes": {"metadata": {}, "items": nodes}, "NodeNames": None}
    pod = copy.deepcopy(names["Pod"])
    pod.update({"apiVersion": "v1", "kind": "Pod"})
    pod["spec"]["containers"][0]["resources"]["requests"]["memory"] = "100Mi"
    for name, doc in (("filter-names.json", names), ("filter-nodes.json", full), ("capacity.json", pod)):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(doc, f)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class Headroom:
    def __init__(self, binary, certs, log):
        self.port = free_port()
        self.ca = os.path.join(certs, "ca.crt")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:%d" % self.port, "--snapshot", EKS,
             "--tls-cert", os.path.join(certs, "server.crt"), "--tls-key", os.path.join(certs, "server.key")],
            stdout=log, stderr=log)

    def get(self, path):
        ctx = ssl.create_default_context(cafile=self.ca)
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=10)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        finally:
            conn.close()

    def wait_ready(self, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline and self.proc.poll() is None:
            try:
                if self.get("/readyz") == 200:
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def settled_fds(self, want, seconds=5):
        """The fd count once closed connections are gone (at most `seconds`)."""
        deadline = time.time() + seconds
        n = fd_count(self.proc.pid)
        while n > want and time.time() < deadline:
            time.sleep(0.1)
            n = fd_count(self.proc.pid)
        return n

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9
        return self.proc.returncode


def wrk(args, port, seconds, bodies, connections=None, close=False):
    """Starts wrk; finish() waits and returns its SOAK numbers."""
    env = dict(os.environ, SOAK_BODIES=bodies)
    connections = connections or args.connections
    argv = ["wrk", "-t", str(min(args.threads, connections)), "-c", str(connections), "-d", "%ds" % seconds,
            "--timeout", "10s", "-s", os.path.join(TOP, "scripts", "soak.lua")]
    argv += ["-H", "Connection: close"] if close else []
    proc = subprocess.Popen(argv + ["https://127.0.0.1:%d" % port], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

    def finish():
        out, err = proc.communicate(timeout=seconds + 60)
        for line in out.splitlines():
            if line.startswith("SOAK "):
                return json.loads(line[5:])
        raise RuntimeError("wrk printed no SOAK line (exit %d):\n%s%s" % (proc.returncode, out, err))
    finish.running = lambda: proc.poll() is None
    return finish


def mix(args, port, seconds, bodies, wait=True):
    """The soak load: kept-alive connections and, beside them, connections
    closed after each request. Returns both finish functions, or waits."""
    kept = wrk(args, port, seconds, bodies)
    churn = wrk(args, port, seconds, bodies, connections=CHURN_CONNECTIONS, close=True)
    if wait:
        kept(), churn()
    return kept, churn


def socket_errors(r):
    return r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=60, help="seconds of load after the warm-up (default 60)")
    ap.add_argument("--warmup", type=int, default=10, help="seconds of warm-up load (default 10)")
    ap.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--rss-tolerance-mib", type=float, default=8.0,
                    help="allowed RSS growth after the warm-up (default 8 MiB)")
    ap.add_argument("--no-rss-check", action="store_true",
                    help="report RSS but do not judge it (AddressSanitizer builds quarantine freed memory)")
    ap.add_argument("--headroom", default=os.path.join(TOP, "build", "headroom"), help="the binary")
    args = ap.parse_args()
    if args.duration < 1 or args.warmup < 1 or args.connections < 1 or args.threads < 1:
        ap.error("--duration, --warmup, --connections and --threads must be positive")
    if not shutil.which("wrk"):
        print("soak: wrk is not installed (scripts/install-deps.sh installs it)", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="headroom-soak-")
    certs, bodies = os.path.join(work, "certs"), os.path.join(work, "bodies")
    os.makedirs(bodies)
    subprocess.run([os.path.join(TOP, "certs", "make-certs.sh"), "--out", certs], check=True,
                   capture_output=True)
    write_bodies(bodies)
    log = open(os.path.join(work, "headroom.log"), "wb")
    server = Headroom(args.headroom, certs, log)
    failures = []
    try:
        if not server.wait_ready():
            log.flush()
            print("soak: headroom did not become ready:\n" + open(log.name).read(), file=sys.stderr)
            return 2
        pid = server.proc.pid
        idle_fds = fd_count(pid)
        churn_first = max(1, args.warmup // 4)
        wrk(args, server.port, churn_first, bodies, close=True)()
        mix(args, server.port, max(1, args.warmup - churn_first), bodies)
        rss0, fds0 = rss_kib(pid), server.settled_fds(idle_fds)
        kept, churn = mix(args, server.port, args.duration, bodies, wait=False)
        trend = [rss0]
        while kept.running() or churn.running():
            time.sleep(1)
            trend.append(rss_kib(pid))
        r, c = kept(), churn()
        rss1, fds1 = rss_kib(pid), server.settled_fds(fds0)
        seconds = max(r["duration_us"], c["duration_us"]) / 1e6
        total = r["requests"] + c["requests"]
        print("soak: %.1f s, %d requests, %.1f requests/s" % (seconds, total, total / seconds))
        print("soak: %d kept-alive connections: %d requests, latency median %.2f ms, p99 %.2f ms, max %.2f ms" % (
            args.connections, r["requests"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["max_us"] / 1000))
        print("soak: %d connections closed after each request: %d requests (as many handshakes), latency median "
              "%.2f ms, p99 %.2f ms" % (CHURN_CONNECTIONS, c["requests"], c["p50_us"] / 1000, c["p99_us"] / 1000))
        print("soak: non-2xx %d, socket errors %d (connect %d, read %d, write %d, timeout %d)" % (
            r["non2xx"] + c["non2xx"], socket_errors(r) + socket_errors(c),
            r["connect_errors"] + c["connect_errors"], r["read_errors"] + c["read_errors"],
            r["write_errors"] + c["write_errors"], r["timeouts"] + c["timeouts"]))
        quarters = [trend[min(len(trend) - 1, len(trend) * q // 4)] for q in range(5)]
        print("soak: RSS after warm-up %.1f MiB, at the end %.1f MiB (%+.1f MiB, tolerance %.1f MiB; at each "
              "quarter of the run %s MiB); open fds after warm-up %d, at the end %d" % (
                  rss0 / 1024, rss1 / 1024, (rss1 - rss0) / 1024, args.rss_tolerance_mib,
                  " ".join("%.1f" % (x / 1024) for x in quarters), fds0, fds1))
        r = {k: r[k] + c[k] for k in ("requests", "non2xx", "connect_errors", "read_errors", "write_errors",
                                      "timeouts")}
        errors = socket_errors(r)
        if r["requests"] == 0:
            failures.append("no requests were answered")
        if r["non2xx"]:
            failures.append("%d responses were not 2xx" % r["non2xx"])
        if errors:
            failures.append("%d socket errors" % errors)
        if rss1 - rss0 > args.rss_tolerance_mib * 1024 and not args.no_rss_check:
            failures.append("RSS grew by %.1f MiB" % ((rss1 - rss0) / 1024))
        first, second = quarters[2] - quarters[0], quarters[4] - quarters[2]
        if second > first / 2 + 1024 and not args.no_rss_check:
            failures.append("RSS does not level off: +%.1f MiB in the first half of the run, +%.1f MiB in the "
                            "second" % (first / 1024, second / 1024))
        if fds1 > fds0:
            failures.append("open fds grew from %d to %d" % (fds0, fds1))
    finally:
        code = server.stop()
        log.close()
        if code != 0:
            failures.append("headroom exited with %s on SIGTERM" % code)
        if failures:
            print("soak: headroom log tail:\n" + "".join(open(log.name).readlines()[-20:]), file=sys.stderr)
        shutil.rmtree(work)
    print("soak: " + ("FAILED: " + "; ".join(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
