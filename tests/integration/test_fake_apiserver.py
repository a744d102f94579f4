#!/usr/bin/env python3
"""Self-test of the fake kube-apiserver (tests/apiserver/fake_apiserver.py).

Starts the server as a subprocess on port 0 with throwaway certificates made
by the openssl CLI and a snapshot from tests/vectors (plus a few extra
objects written to a temp dir), then talks to it with the standard library
only: http.client for plain requests and a small raw TLS client for watch
streams, so chunk framing, partial lines and missing final chunks are visible.

Prints TAP (`ok N - name` / `not ok N - name`) and exits 0 only if every
check passed.  Run from the repository top: python3 tests/integration/test_fake_apiserver.py
"""

import http.client
import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(TOP, "tests", "apiserver", "fake_apiserver.py")
VECTOR_CANDIDATES = [
    os.environ.get("HEADROOM_VECTORS", ""),
    os.path.join(TOP, "tests", "vectors"),
]
TOKEN = "good-token"


# ---------------------------------------------------------------------------
# TAP
# ---------------------------------------------------------------------------

class Tap:
    """Numbered TAP lines; a failed check prints diagnostics as # comments."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, cond, diag=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(diag).splitlines()[:40]:
                print("# " + line)
        sys.stdout.flush()
        return cond

    def run(self, name, fn):
        """Runs a check function; an exception is a failure with its traceback."""
        try:
            result = fn()
        except Exception:
            return self.check(name, False, traceback.format_exc())
        if isinstance(result, tuple):
            return self.check(name, bool(result[0]), result[1])
        return self.check(name, result is None or bool(result), "returned %r" % (result,))


# ---------------------------------------------------------------------------
# Certificates and fixtures
# ---------------------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certs(tmp):
    """CA, server cert (SAN IP:127.0.0.1, DNS:localhost) and a client cert."""
    with open(os.path.join(tmp, "server.ext"), "w") as fh:
        fh.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                 "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    with open(os.path.join(tmp, "client.ext"), "w") as fh:
        fh.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                 "extendedKeyUsage=clientAuth\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "2", "-subj", "/CN=fake-apiserver-test-ca", cwd=tmp)
    for name, cn in (("server", "localhost"), ("client", "system:serviceaccount:headroom-system:headroom")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + cn, cwd=tmp)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext", cwd=tmp)


def find_vector():
    for d in VECTOR_CANDIDATES:
        p = os.path.join(d, "basic-1000.json") if d else ""
        if p and os.path.isfile(p):
            return p
    return None


EXTRAS = {"kind": "List", "apiVersion": "v1", "items": [
    {"kind": "Deployment", "apiVersion": "apps/v1",
     "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
     "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}},
                           "spec": {"containers": [{"name": "web", "image": "nginx",
                                                    "resources": {"requests": {"cpu": "250m"}}}]}}}},
    {"kind": "StatefulSet", "apiVersion": "apps/v1", "metadata": {"name": "db", "namespace": "team-a"},
     "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "db", "image": "pg"}]}}}},
    {"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": "web-abc", "namespace": "default"},
     "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}}},
    {"kind": "ReplicationController", "apiVersion": "v1", "metadata": {"name": "legacy", "namespace": "default"},
     "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "x", "image": "busybox"}]}}}},
    {"kind": "RuntimeClass", "apiVersion": "node.k8s.io/v1", "metadata": {"name": "gvisor"},
     "handler": "runsc", "overhead": {"podFixed": {"cpu": "100m", "memory": "64Mi"}}},
    {"kind": "LimitRange", "apiVersion": "v1", "metadata": {"name": "defaults", "namespace": "team-a"},
     "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m"}}]}},
]}


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------

class Client:
    """http.client wrapper: one request per fresh connection, JSON helpers."""

    def __init__(self, port, ctx, token=TOKEN):
        self.port, self.ctx, self.token = port, ctx, token

    def request(self, method, path, body=None, token="default", headers=None, timeout=10, ctx=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx or self.ctx, timeout=timeout)
        try:
            hdrs = {"Accept": "application/json"}
            tok = self.token if token == "default" else token
            if tok:
                hdrs["Authorization"] = "Bearer " + tok
            if body is not None:
                body = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
            hdrs.update(headers or {})
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def get_json(self, path, **kw):
        status, headers, data = self.request("GET", path, **kw)
        return status, headers, json.loads(data.decode()) if data else None

    def control(self, name, body=None, method=None):
        method = method or ("GET" if body is None else "POST")
        status, _, data = self.request(method, "/_control/" + name, body=body, token=None)
        out = json.loads(data.decode()) if data else None
        if status >= 300:
            raise AssertionError("control %s -> %d %r" % (name, status, out))
        return out

    def fault(self, fault_name, **spec):
        spec["name"] = fault_name
        return self.control("faults", spec)

    def list_all(self, path, limit, **params):
        """Follows continue tokens; returns (pages, items)."""
        pages, items, token = [], [], None
        for _ in range(1000):
            q = dict(params, limit=str(limit))
            if token:
                q["continue"] = token
            status, _, page = self.get_json(path + "?" + urllib.parse.urlencode(q))
            if status != 200:
                raise AssertionError("list page -> %d %r" % (status, page))
            pages.append(page)
            items.extend(page["items"])
            token = page["metadata"].get("continue")
            if not token:
                return pages, items
        raise AssertionError("pagination never ended")


class RawStream:
    """A minimal HTTP/1.1 client over TLS that exposes chunk framing.

    Parses the status line and headers, then (for chunked bodies) the chunks:
    `body` is the de-chunked bytes so far, `clean_end` is set by the final
    zero-size chunk, `eof` when the peer closed the connection.
    """

    def __init__(self, port, ctx, path, token=TOKEN, timeout=10):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        req = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: application/json\r\n" % (path, port)
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        self.sock.sendall((req + "\r\n").encode())
        self.buf = b""
        self.body = b""
        self.chunks = []
        self.clean_end = False
        self.eof = False
        self.error = None
        self.status = None
        self.headers = {}
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            if not self._recv(deadline - time.monotonic()):
                raise AssertionError("no response headers (eof=%s, buf=%r)" % (self.eof, self.buf[:200]))
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        self.length = int(self.headers.get("content-length", "-1"))
        self._parse()

    def _recv(self, timeout):
        if self.eof:
            return False
        if timeout <= 0:
            return False
        if not self.sock.pending():
            r, _, _ = select.select([self.sock], [], [], timeout)
            if not r:
                return False
        try:
            data = self.sock.recv(65536)
        except ssl.SSLWantReadError:
            return True
        except (OSError, ssl.SSLError) as exc:
            self.error = exc
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _parse(self):
        if not self.chunked:
            self.body += self.buf
            self.buf = b""
            if self.length >= 0 and len(self.body) >= self.length:
                self.clean_end = True
            return
        while not self.clean_end:
            line, sep, rest = self.buf.partition(b"\r\n")
            if not sep:
                return
            size = int(line.split(b";")[0], 16)
            if size == 0:
                if rest.startswith(b"\r\n"):
                    self.clean_end = True
                    self.buf = rest[2:]
                return
            if len(rest) < size + 2:
                return
            self.chunks.append(size)
            self.body += rest[:size]
            self.buf = rest[size + 2:]

    def pump(self, timeout):
        """Reads what arrives within *timeout*; False once the stream is over."""
        if self.clean_end or self.eof:
            return False
        got = self._recv(timeout)
        self._parse()
        return got or not (self.clean_end or self.eof)

    def wait(self, pred, timeout=5.0):
        """Pumps until pred(self) is true, the stream ends, or *timeout* passes."""
        deadline = time.monotonic() + timeout
        while not pred(self):
            left = deadline - time.monotonic()
            if left <= 0 or self.clean_end or self.eof:
                break
            self._recv(min(left, 0.2))
            self._parse()
        return pred(self)

    def wait_end(self, timeout=5.0):
        return self.wait(lambda s: s.clean_end or s.eof, timeout)

    @property
    def lines(self):
        return [l for l in self.body.split(b"\n")[:-1]]

    @property
    def partial(self):
        return self.body.split(b"\n")[-1]

    def events(self):
        return [json.loads(l) for l in self.lines]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

def q(**params):
    return "?" + urllib.parse.urlencode(params)


def main():
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="fake-apiserver-test-")
    proc = None
    try:
        if not shutil.which("openssl"):
            tap.check("openssl CLI available", False, "openssl not found on PATH")
            return 1
        make_certs(tmp)
        vector = find_vector()
        if not tap.check("basic-1000.json vector found", vector is not None, str(VECTOR_CANDIDATES)):
            return 1
        snap = os.path.join(tmp, "snapshot.json")
        with open(vector) as fh:
            json.dump(json.load(fh)["snapshot"], open(snap, "w"))
        extras = os.path.join(tmp, "extras.json")
        with open(extras, "w") as fh:
            json.dump(EXTRAS, fh)

        proc = subprocess.Popen(
            [sys.executable, SERVER, "--cert", os.path.join(tmp, "server.crt"),
             "--key", os.path.join(tmp, "server.key"), "--port", "0", "--token", TOKEN,
             "--client-ca", os.path.join(tmp, "ca.crt"), "--objects", snap, "--objects", extras,
             "--bookmark-interval", "0.3", "--history", "1000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=TOP)
        r, _, _ = select.select([proc.stdout], [], [], 15)
        first = proc.stdout.readline().decode() if r else ""
        try:
            port = json.loads(first)["port"]
        except Exception:
            tap.check("server starts and prints its port", False,
                      "stdout: %r\nstderr: %s" % (first, proc.stderr.read1(4000) if proc.poll() is not None else ""))
            return 1
        tap.check("server starts and prints its port as JSON", isinstance(port, int) and port > 0)

        ctx = ssl.create_default_context(cafile=os.path.join(tmp, "ca.crt"))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        cli = Client(port, ctx)
        run_tests(tap, cli, port, ctx, tmp, proc)
    finally:
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            err = proc.stderr.read().decode(errors="replace")
            if err.strip():
                print("# server stderr:")
                for line in err.splitlines()[-30:]:
                    print("#   " + line)
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % tap.n)
    return 0 if tap.failed == 0 and tap.n > 0 else 1


def run_tests(tap, cli, port, ctx, tmp, proc):
    state = cli.control("state")
    pods_in_state = sorted((o["metadata"]["namespace"], o["metadata"]["name"])
                           for o in state["items"] if o["kind"] == "Pod")

    # -- TLS and auth --------------------------------------------------------
    def tls12_only():
        c = ssl.create_default_context(cafile=os.path.join(tmp, "ca.crt"))
        c.maximum_version = ssl.TLSVersion.TLSv1_2
        status, _, _ = cli.request("GET", "/api/v1/namespaces", ctx=c)
        return status == 200, status
    tap.run("TLS 1.2 client accepted, certificate verifies for 127.0.0.1", tls12_only)

    def unauth():
        want = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
        s1, _, b1 = cli.get_json("/api/v1/pods", token=None)
        s2, _, b2 = cli.get_json("/api/v1/pods", token="wrong")
        return (s1 == 401 and s2 == 401 and b1 == want and b2 == want), (s1, b1, s2, b2)
    tap.run("401 with v1 Status body for missing and wrong token", unauth)

    def client_cert():
        c = ssl.create_default_context(cafile=os.path.join(tmp, "ca.crt"))
        c.load_cert_chain(os.path.join(tmp, "client.crt"), os.path.join(tmp, "client.key"))
        status, _, body = cli.get_json("/api/v1/nodes", token=None, ctx=c)
        return status == 200 and body["kind"] == "NodeList", (status, body)
    tap.run("client certificate signed by --client-ca authenticates", client_cert)

    def rotation():
        cli.control("tokens", {"tokens": ["rotated-token"]})
        try:
            s_old, _, _ = cli.request("GET", "/api/v1/nodes")
            s_new, _, _ = cli.request("GET", "/api/v1/nodes", token="rotated-token")
        finally:
            cli.control("tokens", {"tokens": [TOKEN]})
        s_back, _, _ = cli.request("GET", "/api/v1/nodes")
        return (s_old, s_new, s_back) == (401, 200, 200), (s_old, s_new, s_back)
    tap.run("token rotation via /_control/tokens", rotation)

    # -- LIST ------------------------------------------------------------------
    def paginated():
        pages, items = cli.list_all("/api/v1/pods", 5)
        rvs = {p["metadata"]["resourceVersion"] for p in pages}
        got = sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in items)
        ok = (len(pages) > 2 and got == pods_in_state and len(rvs) == 1
              and all(p["kind"] == "PodList" and p["apiVersion"] == "v1" for p in pages)
              and all("kind" not in i and "apiVersion" not in i for i in items)
              and all(isinstance(i["metadata"]["resourceVersion"], str) and i["metadata"].get("uid")
                      for i in items)
              and all(p["metadata"].get("remainingItemCount", 0) > 0 for p in pages[:-1])
              and "continue" not in pages[-1]["metadata"]
              and "remainingItemCount" not in pages[-1]["metadata"]
              and list(rvs)[0] == state["resourceVersion"])
        return ok, "pages=%d rvs=%s got=%d want=%d" % (len(pages), rvs, len(got), len(pods_in_state))
    tap.run("paginated LIST returns every pod once, one stable RV, remainingItemCount", paginated)

    def rv0():
        status, _, body = cli.get_json("/api/v1/pods" + q(limit=2, resourceVersion=0))
        return status == 200 and len(body["items"]) == len(pods_in_state) and \
            "continue" not in body["metadata"], (status, len(body["items"]))
    tap.run("resourceVersion=0 ignores limit", rv0)

    def consistent_continue():
        status, _, p1 = cli.get_json("/api/v1/pods" + q(limit=3))
        rv = p1["metadata"]["resourceVersion"]
        # change the world between pages: add a pod at the end, delete one not yet seen
        cli.control("apply", {"kind": "Pod", "apiVersion": "v1",
                              "metadata": {"name": "zz-late", "namespace": "team-a"},
                              "spec": {"containers": [{"name": "c", "image": "x"}]},
                              "status": {"phase": "Running"}})
        cli.control("delete", {"kind": "Pod", "namespace": "team-a", "name": "p-6"})
        items, token, rvs = list(p1["items"]), p1["metadata"]["continue"], {rv}
        while token:
            status, _, page = cli.get_json("/api/v1/pods" + q(limit=3, **{"continue": token}))
            assert status == 200, page
            items += page["items"]
            rvs.add(page["metadata"]["resourceVersion"])
            token = page["metadata"].get("continue")
        names = sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in items)
        return names == pods_in_state and rvs == {rv}, (rvs, len(names), len(pods_in_state))
    tap.run("continue pages stay on the first page's snapshot despite changes", consistent_continue)

    def expired_continue():
        _, _, p1 = cli.get_json("/api/v1/pods" + q(limit=3))
        cli.control("expire_continue", {})
        status, _, body = cli.get_json("/api/v1/pods" + q(limit=3, **{"continue": p1["metadata"]["continue"]}))
        ok = status == 410 and body["kind"] == "Status" and body["reason"] == "Expired" and \
            body["code"] == 410 and "too old to display a consistent list" in body["message"]
        return ok, (status, body)
    tap.run("expired continue token (control invalidation) -> 410 Expired Status", expired_continue)

    def continue_fault():
        _, _, p1 = cli.get_json("/api/v1/nodes" + q(limit=2))
        cli.fault("continue_expired", resource="nodes")
        s1, _, b1 = cli.get_json("/api/v1/nodes" + q(limit=2, **{"continue": p1["metadata"]["continue"]}))
        s2, _, _ = cli.get_json("/api/v1/nodes" + q(limit=2, **{"continue": p1["metadata"]["continue"]}))
        return s1 == 410 and b1["reason"] == "Expired" and s2 == 200, (s1, b1, s2)
    tap.run("continue_expired fault -> 410 on the next continued page only", continue_fault)

    def short_page():
        cli.fault("short_page", resource="pods", items=0)
        _, _, first = cli.get_json("/api/v1/pods" + q(limit=5))
        _, items = cli.list_all("/api/v1/pods", 500)
        token = first["metadata"].get("continue")
        _, _, rest = cli.get_json("/api/v1/pods" + q(limit=500, **{"continue": token}))
        ok = first["items"] == [] and token and len(rest["items"]) == len(items) and \
            rest["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
        return ok, (first["metadata"], len(rest["items"]), len(items))
    tap.run("short_page fault: empty page with a continue token, nothing lost", short_page)

    def field_selector():
        sel = "status.phase!=Succeeded,status.phase!=Failed"
        _, items = cli.list_all("/api/v1/pods", 4, fieldSelector=sel)
        phases = {i["status"]["phase"] for i in items}
        st = cli.control("state")
        want = sorted(o["metadata"]["name"] for o in st["items"] if o["kind"] == "Pod"
                      and o["status"]["phase"] not in ("Succeeded", "Failed"))
        got = sorted(i["metadata"]["name"] for i in items)
        _, _, node00 = cli.get_json("/api/v1/pods" + q(fieldSelector="spec.nodeName=node-00"))
        s_bad, _, bad = cli.get_json("/api/v1/pods" + q(fieldSelector="spec.bogus=1"))
        ok = got == want and not phases & {"Succeeded", "Failed"} and \
            all(i["spec"].get("nodeName") == "node-00" for i in node00["items"]) and node00["items"] and \
            s_bad == 400 and bad["reason"] == "BadRequest"
        return ok, (got, want, s_bad, bad)
    tap.run("fieldSelector on status.phase / spec.nodeName; unknown field -> 400", field_selector)

    def namespaced_and_kinds():
        _, _, ns_pods = cli.get_json("/api/v1/namespaces/team-a/pods")
        _, _, nss = cli.get_json("/api/v1/namespaces")
        _, _, lrs = cli.get_json("/api/v1/limitranges")
        _, _, rcs = cli.get_json("/apis/node.k8s.io/v1/runtimeclasses")
        ok = ns_pods["items"] and all(i["metadata"]["namespace"] == "team-a" for i in ns_pods["items"]) and \
            nss["kind"] == "NamespaceList" and lrs["kind"] == "LimitRangeList" and len(lrs["items"]) == 1 and \
            rcs["kind"] == "RuntimeClassList" and rcs["apiVersion"] == "node.k8s.io/v1" and \
            rcs["items"][0]["handler"] == "runsc"
        return ok, (ns_pods["kind"], nss["kind"], lrs, rcs)
    tap.run("namespaced LIST, namespaces, limitranges, runtimeclasses", namespaced_and_kinds)

    def get_one():
        s1, _, dep = cli.get_json("/apis/apps/v1/namespaces/default/deployments/web")
        s2, _, miss = cli.get_json("/apis/apps/v1/namespaces/default/deployments/nope")
        s3, _, rc = cli.get_json("/api/v1/namespaces/default/replicationcontrollers/legacy")
        s4, _, sts = cli.get_json("/apis/apps/v1/namespaces/team-a/statefulsets/db")
        ok = s1 == 200 and dep["kind"] == "Deployment" and dep["apiVersion"] == "apps/v1" and \
            dep["spec"]["template"]["spec"]["containers"][0]["name"] == "web" and \
            s2 == 404 and miss["reason"] == "NotFound" and miss["message"] == 'deployments.apps "nope" not found' and \
            s3 == 200 and rc["kind"] == "ReplicationController" and s4 == 200 and sts["kind"] == "StatefulSet"
        return ok, (s1, s2, miss, s3, s4)
    tap.run("GET deployment / rc / statefulset; 404 NotFound Status for a missing one", get_one)

    # -- WATCH ----------------------------------------------------------------
    def watch_basic():
        _, _, lst = cli.get_json("/api/v1/pods" + q(limit=500))
        rv = lst["metadata"]["resourceVersion"]
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, resourceVersion=rv, timeoutSeconds=20))
        try:
            assert w.status == 200 and w.chunked, (w.status, w.headers)
            assert w.headers.get("content-type") == "application/json", w.headers
            pod = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "w-1", "namespace": "default"},
                   "spec": {"containers": [{"name": "c", "image": "x"}]}, "status": {"phase": "Pending"}}
            cli.control("apply", pod)
            cli.control("patch", {"kind": "Pod", "namespace": "default", "name": "w-1",
                                  "patch": {"status": {"phase": "Running"}, "spec": {"nodeName": "node-00"}}})
            cli.control("delete", {"kind": "Pod", "namespace": "default", "name": "w-1"})
            w.wait(lambda s: len(s.lines) >= 3)
            ev = w.events()
            types = [e["type"] for e in ev]
            rvs = [e["object"]["metadata"]["resourceVersion"] for e in ev]
            ok = types == ["ADDED", "MODIFIED", "DELETED"] and \
                all(e["object"]["kind"] == "Pod" and e["object"]["apiVersion"] == "v1" for e in ev) and \
                ev[1]["object"]["status"]["phase"] == "Running" and \
                len(set(rvs)) == 3 and all(int(r) > int(rv) for r in rvs) and \
                all(b" " not in l[:12] for l in w.lines) and w.partial == b""
            return ok, (types, rvs, w.lines[:3])
        finally:
            w.close()
    tap.run("WATCH from list RV: ADDED/MODIFIED/DELETED, one JSON line per event, chunked", watch_basic)

    def watch_selector():
        sel = "status.phase!=Succeeded,status.phase!=Failed"
        rv = cli.control("health")["resourceVersion"]
        cli.control("apply", {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "sel-1", "namespace": "default"},
                              "spec": {"containers": [{"name": "c", "image": "x"}]}, "status": {"phase": "Running"}})
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch="true", resourceVersion=rv, fieldSelector=sel,
                                                    timeoutSeconds=20))
        try:
            patch = {"kind": "Pod", "namespace": "default", "name": "sel-1"}
            cli.control("patch", dict(patch, patch={"metadata": {"labels": {"x": "1"}}}))   # MODIFIED
            cli.control("patch", dict(patch, patch={"status": {"phase": "Succeeded"}}))     # -> DELETED
            cli.control("patch", dict(patch, patch={"metadata": {"labels": {"x": "2"}}}))   # invisible
            cli.control("patch", dict(patch, patch={"status": {"phase": "Running"}}))       # -> ADDED
            w.wait(lambda s: len(s.lines) >= 4)
            ev = w.events()
            types = [e["type"] for e in ev]
            deleted = ev[2]["object"] if len(ev) > 2 else {}
            ok = types == ["ADDED", "MODIFIED", "DELETED", "ADDED"] and \
                deleted["status"]["phase"] == "Running" and \
                int(deleted["metadata"]["resourceVersion"]) > int(ev[1]["object"]["metadata"]["resourceVersion"])
            return ok, types
        finally:
            w.close()
    tap.run("WATCH with fieldSelector: stops matching -> DELETED, matches again -> ADDED", watch_selector)

    def watch_rv0():
        w = RawStream(port, ctx, "/api/v1/namespaces/team-a/pods" + q(watch=1, resourceVersion=0, timeoutSeconds=1))
        try:
            w.wait_end(5)
            ev = w.events()
            st = cli.control("state")
            want = sorted(o["metadata"]["name"] for o in st["items"]
                          if o["kind"] == "Pod" and o["metadata"]["namespace"] == "team-a")
            got = sorted(e["object"]["metadata"]["name"] for e in ev)
            return all(e["type"] == "ADDED" for e in ev) and got == want and w.clean_end, (got, want)
        finally:
            w.close()
    tap.run("WATCH with resourceVersion=0 starts with synthetic ADDED for current objects", watch_rv0)

    def bookmarks():
        rv = cli.control("health")["resourceVersion"]
        t0 = time.monotonic()
        w = RawStream(port, ctx, "/api/v1/nodes" + q(watch=1, resourceVersion=rv, allowWatchBookmarks="true",
                                                     timeoutSeconds=1))
        try:
            w.wait_end(5)
            took = time.monotonic() - t0
            ev = w.events()
            bms = [e for e in ev if e["type"] == "BOOKMARK"]
            ok = bms and all(e["object"] == {"kind": "Node", "apiVersion": "v1",
                                             "metadata": {"resourceVersion": rv}} for e in bms) and \
                w.clean_end and not w.eof and 0.8 <= took < 3
            return ok, (ev, took, w.clean_end)
        finally:
            w.close()
    tap.run("BOOKMARKs with allowWatchBookmarks; timeoutSeconds ends the stream cleanly", bookmarks)

    def compaction():
        old = cli.control("health")["resourceVersion"]
        cli.control("patch", {"kind": "Node", "name": "node-00", "patch": {"metadata": {"labels": {"c": "1"}}}})
        cli.control("compact", {})
        w = RawStream(port, ctx, "/api/v1/nodes" + q(watch=1, resourceVersion=old))
        try:
            w.wait_end(5)
            ev = w.events()
            ok = w.status == 200 and len(ev) == 1 and ev[0]["type"] == "ERROR" and \
                ev[0]["object"]["code"] == 410 and ev[0]["object"]["reason"] == "Expired" and \
                ev[0]["object"]["message"].startswith("too old resource version: %s (" % old) and w.clean_end
            return ok, (w.status, ev)
        finally:
            w.close()
    tap.run("WATCH from an RV before compaction -> 200 + ERROR 410 Expired event", compaction)

    def watch_gone():
        rv = cli.control("health")["resourceVersion"]
        cli.fault("watch_gone", resource="pods")
        s, _, body = cli.get_json("/api/v1/pods" + q(watch=1, resourceVersion=rv))
        return s == 410 and body["reason"] == "Expired" and body["kind"] == "Status", (s, body)
    tap.run("watch_gone fault: the watch request itself answered 410", watch_gone)

    def watch_error():
        rv = cli.control("health")["resourceVersion"]
        cli.fault("watch_error", resource="pods", after_events=0)
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, resourceVersion=rv))
        try:
            w.wait_end(5)
            ev = w.events()
            return len(ev) == 1 and ev[0]["type"] == "ERROR" and ev[0]["object"]["code"] == 410 and w.clean_end, ev
        finally:
            w.close()
    tap.run("watch_error fault: ERROR 410 event inside a 200 stream", watch_error)

    def watch_cut():
        rv = cli.control("health")["resourceVersion"]
        cli.fault("watch_cut", resource="pods", after_events=1)
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, resourceVersion=rv, timeoutSeconds=20))
        try:
            for i in range(2):
                cli.control("apply", {"kind": "Pod", "apiVersion": "v1",
                                      "metadata": {"name": "cut-%d" % i, "namespace": "default"},
                                      "spec": {"containers": [{"name": "c", "image": "x"}]}})
            w.wait_end(5)
            ok = len(w.lines) == 1 and json.loads(w.lines[0])["type"] == "ADDED" and \
                w.partial.startswith(b'{"type":"ADDED"') and w.eof and not w.clean_end
            return ok, (w.lines, w.partial[:80], w.eof, w.clean_end)
        finally:
            w.close()
    tap.run("watch_cut fault: one full event, half a line, EOF without final chunk", watch_cut)

    def watch_close():
        cli.fault("watch_close", resource="pods", after_events=2)
        w = RawStream(port, ctx, "/api/v1/namespaces/team-a/pods" + q(watch=1, timeoutSeconds=20))
        try:
            w.wait_end(5)
            return len(w.lines) == 2 and w.clean_end and w.partial == b"", (len(w.lines), w.clean_end)
        finally:
            w.close()
    tap.run("watch_close fault: clean end after K events", watch_close)

    def garbage():
        rv = cli.control("health")["resourceVersion"]
        cli.fault("garbage", resource="nodes", close=True)
        w = RawStream(port, ctx, "/api/v1/nodes" + q(watch=1, resourceVersion=rv, timeoutSeconds=5))
        try:
            w.wait_end(5)
            bad = 0
            for line in w.lines:
                try:
                    json.loads(line)
                except ValueError:
                    bad += 1
            return bad == 1 and w.clean_end, w.lines
        finally:
            w.close()
    tap.run("garbage fault: a non-JSON line in the watch stream", garbage)

    def http_errors():
        cli.fault("http_error", resource="pods", verb="list", status=503, retry_after=2)
        s1, h1, b1 = cli.get_json("/api/v1/pods")
        cli.fault("http_error", resource="pods", verb="watch", status=500)
        s2, _, b2 = cli.get_json("/api/v1/pods" + q(watch=1))
        s3, _, _ = cli.get_json("/api/v1/pods" + q(limit=1))
        ok = s1 == 503 and h1.get("retry-after") == "2" and b1["reason"] == "ServiceUnavailable" and \
            b1["details"]["retryAfterSeconds"] == 2 and s2 == 500 and b2["reason"] == "InternalError" and s3 == 200
        return ok, (s1, h1, b1, s2, b2, s3)
    tap.run("http_error fault: 503 + Retry-After on list, 500 on watch, then normal", http_errors)

    def unauthorized_fault():
        cli.fault("unauthorized", count=1)
        s1, _, _ = cli.request("GET", "/api/v1/nodes")
        s2, _, _ = cli.request("GET", "/api/v1/nodes")
        return (s1, s2) == (401, 200), (s1, s2)
    tap.run("unauthorized fault: 401 despite a good token, once", unauthorized_fault)

    def slow():
        cli.fault("slow", verb="get", delay=0.002)
        t0 = time.monotonic()
        s, _, body = cli.get_json("/apis/node.k8s.io/v1/runtimeclasses/gvisor")
        took = time.monotonic() - t0
        size = len(json.dumps(body, separators=(",", ":")))
        return s == 200 and body["handler"] == "runsc" and took >= size * 0.002 * 0.8, (s, took, size)
    tap.run("slow fault: body trickled byte by byte, still intact", slow)

    def slow_watch():
        cli.fault("slow", verb="watch", resource="namespaces", delay=0.001, events=1)
        w = RawStream(port, ctx, "/api/v1/namespaces" + q(watch=1, resourceVersion=0, timeoutSeconds=1))
        try:
            w.wait_end(8)
            ev = w.events()
            return len(ev) == 2 and w.chunks.count(1) >= 50 and w.clean_end, (len(ev), w.chunks[:5])
        finally:
            w.close()
    tap.run("slow fault on watch: first event in 1-byte chunks, reassembled", slow_watch)

    def stall():
        cli.fault("stall", verb="list", resource="namespaces", seconds=1.0)
        t0 = time.monotonic()
        w = RawStream(port, ctx, "/api/v1/namespaces")
        try:
            head_at = time.monotonic() - t0
            w.wait_end(5)
            body_at = time.monotonic() - t0
            body = json.loads(w.body)
            return w.status == 200 and head_at < 0.8 and body_at >= 0.9 and body["kind"] == "NamespaceList", \
                (head_at, body_at)
        finally:
            w.close()
    tap.run("stall fault: headers at once, body only after the stall", stall)

    def huge():
        rv = cli.control("health")["resourceVersion"]
        cli.fault("huge_object", resource="pods", verb="watch", size=3 * 1024 * 1024, object_name="huge-pod")
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, resourceVersion=rv, timeoutSeconds=20))
        try:
            w.wait(lambda s: len(s.lines) >= 1, 10)
            ev = w.events()
            ann = ev[0]["object"]["metadata"]["annotations"]["headroom.test/huge"] if ev else ""
            return len(ev) == 1 and ev[0]["type"] == "ADDED" and len(ann) == 3 * 1024 * 1024, \
                (len(ev), len(w.body))
        finally:
            w.close()
            cli.control("delete", {"kind": "Pod", "namespace": "default", "name": "huge-pod"})
    tap.run("huge_object fault: multi-megabyte pod arrives as one event line", huge)

    def no_response():
        cli.fault("no_response", resource="nodes", verb="list")
        try:
            status, _, _ = cli.request("GET", "/api/v1/nodes")
            first = "status %d" % status
        except (http.client.HTTPException, OSError) as exc:
            first = "error %s" % type(exc).__name__
        s2, _, _ = cli.request("GET", "/api/v1/nodes")
        return first.startswith("error") and s2 == 200, (first, s2)
    tap.run("no_response fault: connection dropped without an answer, then normal", no_response)

    def random_chunks():
        cli.control("config", {"chunk_mode": "random"})
        try:
            w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, timeoutSeconds=1))
            w.wait_end(5)
            ev = w.events()
        finally:
            cli.control("config", {"chunk_mode": "event"})
            w.close()
        pods = [o for o in cli.control("state")["items"] if o["kind"] == "Pod"]
        return len(ev) == len(pods) and w.clean_end and len(w.chunks) != len(ev), (len(ev), len(pods), len(w.chunks))
    tap.run("random chunk mode: events split/merged across chunks still parse", random_chunks)

    def churn():
        _, _, lst = cli.get_json("/api/v1/pods" + q(limit=500))
        cache = {(i["metadata"]["namespace"], i["metadata"]["name"]): i for i in lst["items"]}
        rv = lst["metadata"]["resourceVersion"]
        w = RawStream(port, ctx, "/api/v1/pods" + q(watch=1, resourceVersion=rv, allowWatchBookmarks="true",
                                                    timeoutSeconds=30))
        try:
            result = cli.control("churn", {"count": 300, "seed": 7})
            final_rv = result["resourceVersion"]
            w.wait(lambda s: any(b'"BOOKMARK"' in l and final_rv.encode() in l for l in s.lines) or
                   (s.lines and json.loads(s.lines[-1])["object"]["metadata"]["resourceVersion"] == final_rv), 10)
            for e in w.events():
                o = e["object"]
                key = (o["metadata"].get("namespace"), o["metadata"]["name"])
                if e["type"] in ("ADDED", "MODIFIED"):
                    cache[key] = o
                elif e["type"] == "DELETED":
                    cache.pop(key, None)
            st = [o for o in cli.control("state")["items"] if o["kind"] == "Pod"]
            want = {(o["metadata"]["namespace"], o["metadata"]["name"]): o["metadata"]["resourceVersion"] for o in st}
            got = {k: v["metadata"]["resourceVersion"] for k, v in cache.items()}
            n = result["added"] + result["modified"] + result["deleted"]
            return got == want and n == 300, (result, len(got), len(want))
        finally:
            w.close()
    tap.run("churn: LIST + WATCH reproduces /_control/state exactly", churn)

    def request_log():
        log = cli.control("requests")["requests"]
        paged = [e for e in log if e["path"] == "/api/v1/pods" and "continue" in e["params"]]
        bm = [e for e in log if e["params"].get("allowWatchBookmarks") == "true"
              and e["params"].get("timeoutSeconds")]
        rvw = [e for e in log if e["verb"] == "watch" and e["params"].get("resourceVersion")]
        no_auth = [e for e in log if not e["auth"]]
        ok = paged and bm and rvw and no_auth and all("status" in e and "token" in e for e in log)
        return ok, (len(log), len(paged), len(bm), len(rvw), len(no_auth))
    tap.run("request log records paths, params, auth presence, verbs", request_log)

    def faults_listed():
        f = cli.control("faults")
        return not f["armed"] and len(f["fired"]) >= 10, f
    tap.run("every armed fault was consumed and is in the fired list", faults_listed)

    def survived():
        _, items = cli.list_all("/api/v1/pods", 50)
        alive = proc.poll() is None
        health = cli.control("health")
        return alive and health["ok"] and len(items) > 0, (alive, health)
    tap.run("server survived every fault: final LIST works", survived)

    def importable():
        sys.dont_write_bytecode = True      # keep the source tree clean
        sys.path.insert(0, os.path.join(TOP, "tests", "apiserver"))
        import fake_apiserver as fa
        srv = fa.FakeAPIServer(os.path.join(tmp, "server.crt"), os.path.join(tmp, "server.key"),
                               tokens=["t"], objects=fa.objects_from_json(EXTRAS)).start()
        try:
            c = Client(srv.port, ctx, token="t")
            s, _, body = c.get_json("/apis/apps/v1/namespaces/default/deployments/web")
            return s == 200 and body["metadata"]["name"] == "web", (s, body)
        finally:
            srv.stop()
    tap.run("module import: FakeAPIServer runs in-process", importable)


if __name__ == "__main__":
    sys.exit(main())
