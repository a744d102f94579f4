#!/usr/bin/env python3
"""Slow and hostile clients against `headroom serve`.

civetweb serves each open connection on a worker thread of its own, so idle
and slow connections take threads away from kube-scheduler. With hundreds of
them open (idle TCP, idle TLS, idle after a request, headers and bodies sent a
byte a second; cut ones reconnect at once), filter calls over fresh
connections must still be answered quickly, and every kind of slow client
must be cut off after its configured timeout. Oversized bodies and too-deep
JSON get a 4xx naming the limit.

`python3 test_hostile.py --measure [serve flags...]` prints the figures for
other server flags (e.g. --threads 64, the default before the fix) instead of
running the tests; HOSTILE_CALLS=N sets the number of filter calls (100).
"""
import json
import os
import select
import shutil
import socket
import ssl
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, Certs, Server, check, eq, run  # noqa: E402

with open(os.path.join(TOP, "examples", "extender-args.json"), "rb") as f:
    ARGS = f.read()  # a real ExtenderArgs, NodeNames mode

REQUEST_TIMEOUT_MS = 2000
KEEP_ALIVE_TIMEOUT_MS = 3000
FLAGS = ["--request-timeout-ms", str(REQUEST_TIMEOUT_MS), "--keep-alive-timeout-ms", str(KEEP_ALIVE_TIMEOUT_MS),
         "-v", "0"]
# how many of each kind stay open: 300 idle + 100 slow
MIX = {"tcp": 50, "tls": 200, "kept": 50, "headers": 50, "body": 50}


class Hostile(threading.Thread):
    """One connection of a kind, reopened whenever the server cuts it:
    tcp      connects and sends nothing (not even a TLS handshake)
    tls      completes the handshake and sends nothing
    kept     sends one good request, reads the answer, then idles (keep-alive)
    headers  sends request headers a byte a second (slowloris)
    body     sends headers, then a 100 kB body a byte a second
    Records how long each connection lived (open_now says whether one is up)."""

    def __init__(self, port, ctx, kind):
        super().__init__(daemon=True)
        self.port, self.ctx, self.kind = port, ctx, kind
        self.lifetimes = []  # seconds from the last byte sent before idling (or connect) to the cut
        self.open_now = False
        self.stopping = False
        self.start()

    def run(self):
        while not self.stopping:
            try:
                self.once()
            except (OSError, ssl.SSLError):
                pass
            self.open_now = False

    def wait_cut(self, sock, seconds):
        """True when the server closed (or answered) within seconds."""
        r, _, _ = select.select([sock], [], [], seconds)
        if not r:
            return False
        sock.setblocking(False)
        try:
            sock.recv(65536)
        except (ssl.SSLWantReadError, BlockingIOError):
            return False  # TLS bytes that were not application data (a session ticket)
        except (OSError, ssl.SSLError):
            pass
        finally:
            sock.settimeout(30)
        return True  # EOF, an error status or a reset: cut

    def once(self):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        with raw:
            sock = raw if self.kind == "tcp" else self.ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            self.open_now = True
            since = time.time()
            if self.kind == "kept":
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while not data.endswith(b"ok"):
                    data += sock.recv(4096)
                since = time.time()
            drip = {"headers": b"POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nX-Pad: " + b"a" * 100000,
                    "body": b" " * 100000}.get(self.kind, b"")
            if self.kind == "body":
                sock.sendall(b"POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
                since = time.time()
            i = 0
            while not self.stopping:
                if drip:
                    sock.sendall(drip[i:i + 1])
                    i += 1
                if self.wait_cut(sock, 1.0):
                    self.lifetimes.append(time.time() - since)
                    return


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


def filter_latencies(server, calls):
    """Filter calls over fresh connections (TLS handshake included); ms."""
    out, failures = [], []
    for _ in range(calls):
        start = time.time()
        try:
            status, _, body = server.request("POST", "/filter", ARGS, timeout=60)
            if status != 200 or json.loads(body)["NodeNames"] != ["eks-node-b"]:
                failures.append((status, body[:200]))
        except (OSError, ssl.SSLError) as e:
            failures.append(repr(e))
        out.append((time.time() - start) * 1000)
    return out, failures


def open_mix(server, mix):
    ctx = server.certs.client_context()
    pool = [Hostile(server.port, ctx, kind) for kind, n in mix.items() for _ in range(n)]
    want = sum(mix.values())
    deadline = time.time() + 30
    while sum(h.open_now for h in pool) < want * 0.9 and time.time() < deadline:
        time.sleep(0.05)
    return pool


def close_mix(pool):
    for h in pool:
        h.stopping = True
    for h in pool:
        h.join(timeout=5)


def measure(server, mix, calls=100):
    base, fails = filter_latencies(server, 20)
    check(not fails, "failures before: %s" % fails[:3])
    pool = open_mix(server, mix)
    try:
        opened = sum(h.open_now for h in pool)
        lat, fails = filter_latencies(server, calls)
        still = sum(h.open_now for h in pool)
    finally:
        close_mix(pool)
    print("# %s hostile connections open (%d when done): %s" % (opened, still, mix))
    print("# filter latency, fresh TLS connection per call: alone median %.1f ms; with them open "
          "median %.1f ms, p99 %.1f ms, max %.1f ms, %d of %d failed" % (
              statistics.median(base), statistics.median(lat), pct(lat, 0.99), max(lat), len(fails), calls))
    return opened, lat, fails, pool


def setup():
    certs = Certs()
    return {"certs": certs, "server": Server(certs, extra=FLAGS)}


def teardown(st):
    eq(st["server"].stop(), 0, "exit code after SIGTERM")
    shutil.rmtree(st["certs"].dir)


def test_filter_stays_fast_with_hundreds_of_idle_and_slow_connections(st):
    opened, lat, fails, pool = measure(st["server"], MIX)
    check(opened >= 0.9 * sum(MIX.values()), "only %d hostile connections opened" % opened)
    eq(fails, [], "failed filter calls")
    check(statistics.median(lat) < 500, "median filter latency %.1f ms" % statistics.median(lat))
    st["pool"] = pool


def test_slow_clients_are_cut_off_after_their_timeouts(st):
    """Each kind's connections live about as long as its timeout: the TLS
    handshake, the headers and the whole body --request-timeout-ms each, an
    idle kept-alive connection --keep-alive-timeout-ms. Slowloris headers are
    noticed at the next byte after the deadline, a second at most."""
    pool = open_mix(st["server"], {k: 10 for k in MIX})
    time.sleep(max(REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS) / 1000 + 2.5)
    close_mix(pool)
    pool += st.get("pool", [])
    t, k = REQUEST_TIMEOUT_MS / 1000, KEEP_ALIVE_TIMEOUT_MS / 1000
    bounds = {"tcp": (t, t + 0.5), "tls": (t, t + 0.5), "kept": (k, k + 0.5), "headers": (t, t + 1.5),
              "body": (t, t + 0.5)}
    for kind, (low, high) in bounds.items():
        lives = [x for h in pool if h.kind == kind for x in h.lifetimes]
        check(lives, "no %s connection was cut" % kind)
        print("# %-8s cut after %.2f-%.2f s (median %.2f s, %d connections), bound [%.1f, %.1f] s" % (
            kind, min(lives), max(lives), statistics.median(lives), len(lives), low, high))
        check(low - 0.1 <= statistics.median(lives) <= high and max(lives) <= high + 1.0,
              "%s connections cut after %s s, want [%s, %s]" % (kind, sorted(lives)[::max(1, len(lives) // 8)],
                                                                  low, high))


def expect_error(server, path, body, status, fragment):
    got, headers, data = server.request("POST", path, body)
    eq(got, status, "%s status (body %r)" % (path, data[:300]))
    err = json.loads(data)["error"]
    check(fragment in err, "error %r should name %r" % (err, fragment))
    return headers


def test_oversized_body_and_deep_json_name_the_limit(st):
    s = Server(st["certs"], extra=FLAGS + ["--max-body-bytes", "65536"])
    try:
        h = expect_error(s, "/filter", b" " * 70000, 413, "exceeds the limit of 65536 bytes (--max-body-bytes)")
        eq(h.get("Connection"), "close", "a connection with an unread body is closed")
        # the boundary: exactly the limit is read (and is not JSON), one byte more is not
        expect_error(s, "/filter", b" " * 65536, 400, "not valid JSON")
        expect_error(s, "/filter", b" " * 65537, 413, "exceeds the limit of 65536 bytes (--max-body-bytes)")
        chunked = s.connection()
        chunked.request("POST", "/capacity", body=iter([b" " * 30000] * 3), encode_chunked=True)
        r = chunked.getresponse()
        eq((r.status, json.loads(r.read())["error"]), (413, "body exceeds the limit of 65536 bytes "
                                                              "(--max-body-bytes)"), "a chunked body over the limit")
        chunked.close()
        deep = "[" * 200 + "]" * 200
        expect_error(s, "/filter", '{"Pod": {"spec": {"x": %s}}, "NodeNames": []}' % deep, 400,
                     "nests deeper than 128")
        expect_error(s, "/capacity", '{"kind": "Pod", "spec": {"x": %s}}' % deep, 400, "nests deeper than 64")
        expect_error(s, "/capacity", "kind: Pod\nspec: " + deep, 400, "nesting deeper than 64 levels")
        expect_error(s, "/admission", '{"request": %s}' % deep, 400, "nests deeper than 128 levels")
        eq(s.request("POST", "/filter", ARGS)[0], 200, "a good request afterwards")
    finally:
        s.stop()


def tls_socket(server):
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return server.certs.client_context().wrap_socket(raw, server_hostname="127.0.0.1")


def read_reply(sock, seconds=10):
    sock.settimeout(seconds)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    return data


def first_bytes_then_close(sock):
    """(seconds to the first answer byte, seconds to the close, all bytes)."""
    start = time.time()
    sock.settimeout(10)
    first = sock.recv(65536)
    answered = time.time() - start
    data = first + read_reply(sock)
    return answered, time.time() - start, data


def test_a_declared_huge_body_is_refused_at_once(st):
    """413 from Content-Length alone, before any body byte; the connection
    closes after at most --request-timeout-ms of discarding, not after the
    999 GB the client announced."""
    with tls_socket(st["server"]) as sock:
        sock.sendall(b"POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n")
        answered, closed, data = first_bytes_then_close(sock)
    check(data.startswith(b"HTTP/1.1 413") and b"(--max-body-bytes)" in data, data[:300])
    check(b"Connection: close" in data, data[:300])
    check(answered < 1, "answered at once, not after %.2f s" % answered)
    check(closed < REQUEST_TIMEOUT_MS / 1000 + 1, "closed after %.2f s" % closed)


def test_a_refused_body_can_still_be_sent_and_the_answer_read(st):
    """A client that sends its whole (too large) body before reading gets
    the 413, not a reset: the rest is read and dropped for a while."""
    s = Server(st["certs"], extra=FLAGS + ["--max-body-bytes", "65536"])
    try:
        for size in (70000, 4 << 20):
            expect_error(s, "/filter", b" " * size, 413, "exceeds the limit of 65536 bytes (--max-body-bytes)")
        eq(s.request("POST", "/filter", ARGS)[0], 200, "a good request afterwards")
    finally:
        s.stop()


def test_a_slow_body_gets_408_naming_the_timeout(st):
    with tls_socket(st["server"]) as sock:
        sock.sendall(b"POST /capacity HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        start = time.time()
        sock.settimeout(0.5)
        data = b""
        while time.time() - start < 10 and not data:
            try:
                sock.sendall(b" ")
                data = sock.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        took = time.time() - start
        data += read_reply(sock, 2)
    check(data.startswith(b"HTTP/1.1 408"), data[:300])
    check(b"arrived within 2000 ms, the limit (--request-timeout-ms)" in data, data[-300:])
    check(REQUEST_TIMEOUT_MS / 1000 - 0.1 <= took < REQUEST_TIMEOUT_MS / 1000 + 1, "cut after %.2f s" % took)


def test_an_unread_body_is_not_drained_at_the_clients_pace(st):
    """A route that answers without reading the body (404 here) answers at
    once and closes the connection within --request-timeout-ms, however
    slowly the client goes on sending."""
    with tls_socket(st["server"]) as sock:
        sock.sendall(b"POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab")
        stop = threading.Event()

        def drip():
            while not stop.wait(0.5):
                try:
                    sock.send(b" ")
                except (OSError, ssl.SSLError):
                    return
        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            answered, closed, data = first_bytes_then_close(sock)
        finally:
            stop.set()
            dripper.join()
    check(data.startswith(b"HTTP/1.1 404") and b"Connection: close" in data, data[:300])
    check(answered < 1, "answered at once, not after %.2f s" % answered)
    check(closed < REQUEST_TIMEOUT_MS / 1000 + 1, "closed after %.2f s" % closed)


def test_oversized_headers_are_refused(st):
    with tls_socket(st["server"]) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
        data = read_reply(sock)
    check(data.startswith(b"HTTP/1.0 400") or data.startswith(b"HTTP/1.1 4") or data == b"", data[:200])
    eq(st["server"].request("GET", "/healthz")[0], 200, "still serving")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        certs = Certs()
        server = Server(certs, extra=FLAGS + sys.argv[2:])
        try:
            measure(server, MIX, calls=int(os.environ.get("HOSTILE_CALLS", "100")))
        finally:
            server.stop()
            shutil.rmtree(certs.dir)
        sys.exit(0)
    sys.exit(run(globals(), setup, teardown))
