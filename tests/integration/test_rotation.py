#!/usr/bin/env python3
"""Certificate rotation under load.

The serving certificate, key and client CA live in a folder laid out the way
kubelet mounts a Secret (files are symlinks into ..data, which is swapped
atomically when cert-manager or a script updates the Secret). While clients
call filter over kept-alive connections and others open fresh ones, the pair
is replaced: new handshakes must present the new certificate, the kept-alive
connections must keep working, and no request may fail. A bad new pair
(mismatched key, garbage) is refused once with a log line and the current
certificate kept. The client CA is rotated the same way.
"""
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Certs, Server, check, eq, run  # noqa: E402

ARGS = {"Pod": {"metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "10m"}}}]}},
        "Nodes": None, "NodeNames": ["eks-node-a", "eks-node-b"]}
SANS = ["IP:127.0.0.1", "DNS:localhost"]


class SecretVolume:
    """A folder like a mounted Secret: NAME -> ..data/NAME, ..data -> ..<version>."""

    def __init__(self, files):
        self.dir = tempfile.mkdtemp(prefix="headroom-secret-")
        self.version = 0
        self.update(files)
        for name in files:
            os.symlink(os.path.join("..data", name), os.path.join(self.dir, name))

    def path(self, name):
        return os.path.join(self.dir, name)

    def update(self, files):
        """files: {name: bytes}; swapped in with one rename, as kubelet does."""
        self.version += 1
        d = "..v%d" % self.version
        os.mkdir(os.path.join(self.dir, d))
        for name, data in files.items():
            with open(os.path.join(self.dir, d, name), "wb") as f:
                f.write(data)
        tmp = os.path.join(self.dir, "..data_tmp")
        os.symlink(d, tmp)
        os.replace(tmp, os.path.join(self.dir, "..data"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fingerprint_of_file(path):
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(read(path).decode())).hexdigest()


def presented(server, cert=None):
    """sha256 of the certificate a fresh handshake presents."""
    ctx = ssl.create_default_context(cafile=server.certs.path("ca.crt"))
    if cert:
        ctx.load_cert_chain(*cert)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


class Load:
    """Kept-alive filter clients (a closed connection is an error, never
    reopened) and a client that opens a fresh connection per request."""

    def __init__(self, server, kept=6):
        self.server, self.stopping = server, False
        self.errors, self.counts, self.fresh = [], [0] * kept, 0
        self.threads = [threading.Thread(target=self.kept, args=(i,)) for i in range(kept)]
        self.threads.append(threading.Thread(target=self.fresh_loop))
        for t in self.threads:
            t.start()

    def kept(self, i):
        conn = self.server.connection()
        conn.auto_open = 0  # never reconnect behind our back
        try:
            conn.connect()
            while not self.stopping:
                conn.request("POST", "/filter", json.dumps(ARGS))
                r = conn.getresponse()
                body = r.read()
                if r.status != 200 or json.loads(body)["NodeNames"] != ["eks-node-a", "eks-node-b"]:
                    self.errors.append(("kept", r.status, body[:200]))
                self.counts[i] += 1
        except Exception as e:  # any failure of a kept-alive connection counts
            self.errors.append(("kept", repr(e)))
        finally:
            conn.close()

    def fresh_loop(self):
        while not self.stopping:
            try:
                status, _, body = self.server.request("POST", "/filter", json.dumps(ARGS))
                if status != 200:
                    self.errors.append(("fresh", status, body[:200]))
                self.fresh += 1
            except Exception as e:  # a failed handshake or request
                self.errors.append(("fresh", repr(e)))

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=30)


def wait_for(what, cond, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def metric(server, name):
    for line in server.request("GET", "/metrics")[2].decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def setup():
    certs = Certs()
    for name in ("second", "third"):
        certs.issue(name, "/CN=headroom", usage="serverAuth", sans=SANS)
    return {"certs": certs}


def teardown(st):
    shutil.rmtree(st["certs"].dir)


def test_serving_pair_rotates_under_load(st):
    certs = st["certs"]
    vol = SecretVolume({"tls.crt": read(certs.path("server.crt")), "tls.key": read(certs.path("server.key")),
                        "ca.crt": read(certs.path("ca.crt"))})
    s = Server(certs, client_ca=True, tls=(vol.path("tls.crt"), vol.path("tls.key"), vol.path("ca.crt")),
               extra=["--cert-check-seconds", "1"])
    first, second, third = (fingerprint_of_file(certs.path(n + ".crt")) for n in ("server", "second", "third"))
    load = None
    try:
        eq(presented(s), first, "the first certificate")
        load = Load(s)
        time.sleep(0.5)

        # a good new pair: new handshakes present it within a check interval or two
        before = list(load.counts)
        swapped = time.time()
        vol.update({"tls.crt": read(certs.path("second.crt")), "tls.key": read(certs.path("second.key")),
                    "ca.crt": read(certs.path("ca.crt"))})
        wait_for("the second certificate", lambda: presented(s) == second, seconds=5)
        print("# new certificate presented %.2f s after the swap (--cert-check-seconds 1)" % (time.time() - swapped))
        time.sleep(0.5)
        check(all(after > b for after, b in zip(load.counts, before)),
              "every kept-alive connection kept answering: %s -> %s" % (before, load.counts))

        # bad pairs: refused once each with a log line, the second certificate kept
        for files, why in (({"tls.crt": read(certs.path("third.crt")), "tls.key": read(certs.path("second.key"))},
                            "the key does not match the certificate"),
                           ({"tls.crt": b"-----BEGIN CERTIFICATE-----\ngarbage\n", "tls.key": b"nope"},
                            "not a PEM certificate")):
            files["ca.crt"] = read(certs.path("ca.crt"))
            vol.update(files)
            wait_for("the refusal", lambda: why in s.logs(), seconds=5)
            time.sleep(1.5)  # more checks go by: the same files are not retried
            refusals = [line for line in s.logs().splitlines() if "new TLS credentials refused" in line]
            check(len([line for line in refusals if why in line]) == 1, "refused once: %s" % refusals)
            eq(presented(s), second, "the second certificate kept after: " + why)
        eq(metric(s, "headroom_tls_reload_failures_total"), 2.0, "failures counted")

        # and a good pair again
        vol.update({"tls.crt": read(certs.path("third.crt")), "tls.key": read(certs.path("third.key")),
                    "ca.crt": read(certs.path("ca.crt"))})
        wait_for("the third certificate", lambda: presented(s) == third, seconds=5)
        time.sleep(0.3)
        load.stop()
        print("# filter calls during the rotations: %d on %d kept-alive connections (%s), %d on fresh ones" % (
            sum(load.counts), len(load.counts), " ".join(map(str, load.counts)), load.fresh))
        eq(load.errors, [], "failed requests")
        eq(metric(s, "headroom_tls_reloads_total"), 2.0, "reloads counted")
    finally:
        if load:
            load.stop()
        s.stop()
        shutil.rmtree(vol.dir)


def test_client_ca_rotates(st):
    """A client certificate from a second CA is refused until the client CA
    file holds both CAs; connections made under the old CA keep working; a
    garbage CA file is refused and the current CAs kept."""
    certs, other = st["certs"], Certs()
    vol = SecretVolume({"tls.crt": read(certs.path("server.crt")), "tls.key": read(certs.path("server.key")),
                        "ca.crt": read(certs.path("ca.crt"))})
    s = Server(certs, client_ca=True, tls=(vol.path("tls.crt"), vol.path("tls.key"), vol.path("ca.crt")),
               extra=["--cert-check-seconds", "1"])
    newcomer = (other.path("client.crt"), other.path("client.key"))
    try:
        # (under TLS 1.3 the refusal arrives with the first read, hence a request)
        check(not accepts(s, newcomer), "a client certificate from an unknown CA was accepted")
        old = s.connection()
        old.auto_open = 0
        old.connect()
        base = {"tls.crt": read(certs.path("server.crt")), "tls.key": read(certs.path("server.key"))}
        vol.update(dict(base, **{"ca.crt": read(certs.path("ca.crt")) + read(other.path("ca.crt"))}))
        wait_for("the second CA", lambda: accepts(s, newcomer), seconds=5)
        old.request("POST", "/filter", json.dumps(ARGS))
        r = old.getresponse()
        r.read()
        eq(r.status, 200, "a connection from before the rotation")
        vol.update(dict(base, **{"ca.crt": b"garbage"}))
        wait_for("the refusal", lambda: "not a PEM CA bundle" in s.logs(), seconds=5)
        check(accepts(s, newcomer), "the current CAs are kept")
        eq(s.request("POST", "/filter", json.dumps(ARGS))[0], 200, "the first CA's client still works")
        old.close()
    finally:
        s.stop()
        shutil.rmtree(vol.dir)
        shutil.rmtree(other.dir)


def accepts(server, cert):
    ctx = ssl.create_default_context(cafile=server.certs.path("ca.crt"))
    ctx.load_cert_chain(*cert)
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=ctx, timeout=10)
    try:
        conn.request("POST", "/filter", json.dumps(ARGS))
        return conn.getresponse().status == 200
    except (ssl.SSLError, OSError):
        return False
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
