#!/usr/bin/env python3
"""The API server killed and restarted repeatedly while filter is under load.

README (live cache): requests never wait for the API server; while it is
unreachable, answers come from the last snapshot; /readyz is 200 only while
no watch has been failing for longer than --max-staleness-seconds (then 500,
as kube-scheduler's own readyz), and /healthz stays 200. So: no filter call
may fail, /readyz must stay 200 for the staleness window after each kill,
turn 500 after it, and come back to 200 once the API server is back.
"""
import json
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Certs, Fake, Server, check, eq, free_port, run, write_kubeconfig  # noqa: E402

STALENESS_S = 2
CYCLES = 3
ARGS = {"Pod": {"metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m",
                                                                                 "memory": "1300Mi"}}}]}},
        "Nodes": None, "NodeNames": ["eks-node-a", "eks-node-b"]}


class Load:
    """Filter calls in a loop from a few kept-alive clients; /readyz and
    /healthz polled every 50 ms."""

    def __init__(self, server, clients=4):
        self.server, self.stopping = server, False
        self.calls, self.failures, self.ready, self.healthz = 0, [], [], []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.filter_loop) for _ in range(clients)]
        self.threads.append(threading.Thread(target=self.probe_loop))
        for t in self.threads:
            t.start()

    def filter_loop(self):
        conn = self.server.connection(timeout=10)
        while not self.stopping:
            try:
                conn.request("POST", "/filter", json.dumps(ARGS))
                r = conn.getresponse()
                body = r.read()
                ok = r.status == 200 and json.loads(body)["NodeNames"] == ["eks-node-b"]
                with self.lock:
                    self.calls += 1
                    if not ok:
                        self.failures.append((r.status, body[:200]))
            except Exception as e:  # a transport failure is a failed call too
                with self.lock:
                    self.failures.append(repr(e))
                conn.close()
                conn = self.server.connection(timeout=10)
        conn.close()

    def probe_loop(self):
        while not self.stopping:
            now = time.time()
            self.ready.append((now, self.server.request("GET", "/readyz", timeout=10)[0]))
            self.healthz.append(self.server.request("GET", "/healthz", timeout=10)[0])
            time.sleep(0.05)

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=30)


def kill(fake):
    fake.proc.kill()  # SIGKILL: no goodbye on the watch streams
    fake.proc.wait()
    fake.proc.stdout.close()


def first_status_after(samples, since, want, until=None):
    for t, status in samples:
        if t >= since and (until is None or t <= until) and status == want:
            return t
    return None


def test_filter_never_fails_and_readiness_follows_the_api_server():
    certs = Certs()
    port = free_port()
    fake = Fake(certs, port=port)
    kubeconfig = write_kubeconfig(certs, port)
    live = Server(certs, snapshot=None, extra=[
        "--kubeconfig", kubeconfig, "--max-staleness-seconds", str(STALENESS_S), "--backoff-max-ms", "500",
        "--watch-timeout-seconds", "5", "--publish-interval-ms", "50"])
    load = None
    try:
        eq(live.request("GET", "/readyz")[0], 200, "ready after the first list")
        load = Load(live)
        time.sleep(0.5)
        for cycle in range(CYCLES):
            killed = time.time()
            kill(fake)
            deadline = killed + STALENESS_S + 5
            while time.time() < deadline and first_status_after(load.ready, killed, 500) is None:
                time.sleep(0.05)
            down = first_status_after(load.ready, killed, 500)
            check(down is not None, "cycle %d: /readyz never turned 500" % cycle)
            time.sleep(0.5)
            restarted = time.time()
            fake = Fake(certs, port=port)
            deadline = restarted + 15
            while time.time() < deadline and first_status_after(load.ready, restarted + 0.01, 200) is None:
                time.sleep(0.05)
            up = first_status_after(load.ready, restarted + 0.01, 200)
            check(up is not None, "cycle %d: /readyz not 200 again within 15 s" % cycle)
            early = [s for t, s in load.ready if killed <= t < killed + STALENESS_S - 0.2 and s != 200]
            eq(early, [], "cycle %d: /readyz stays 200 within --max-staleness-seconds" % cycle)
            print("# cycle %d: /readyz 500 %.2f s after the kill (staleness %d s), 200 again %.2f s after the "
                  "restart; %d filter calls so far" % (cycle, down - killed, STALENESS_S, up - restarted, load.calls))
            time.sleep(0.3)
        load.stop()
        print("# %d filter calls, %d failed; /readyz samples: %d x 200, %d x 500; /healthz always 200: %s" % (
            load.calls, len(load.failures), sum(1 for _, s in load.ready if s == 200),
            sum(1 for _, s in load.ready if s == 500), set(load.healthz) == {200}))
        eq(load.failures, [], "failed filter calls")
        eq(set(s for _, s in load.ready), {200, 500}, "/readyz statuses")
        eq(set(load.healthz), {200}, "/healthz statuses")
        check(load.calls > 100, "the load ran: %d calls" % load.calls)
    finally:
        if load:
            load.stop()
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)
        shutil.rmtree(os.path.dirname(kubeconfig))


if __name__ == "__main__":
    sys.exit(run(globals()))
