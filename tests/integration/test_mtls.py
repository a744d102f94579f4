#!/usr/bin/env python3
"""Client-certificate access control (--client-ca): filter needs a verified
client certificate, probes never do, capacity/metrics need one unless
--anonymous-read; certificates from another CA fail the handshake."""
import json
import os
import shutil
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Certs, Server, check, eq, run  # noqa: E402

ARGS = {"Pod": {"metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "10m"}}}]}},
        "Nodes": None, "NodeNames": ["eks-node-a"]}
POD = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}


def setup():
    certs = Certs()
    other = Certs()
    return {"certs": certs, "other": other,
            "strict": Server(certs, client_ca=True),
            "open": Server(certs, client_ca=True, extra=["--anonymous-read"])}


def teardown(st):
    for name in ("strict", "open"):
        st[name].stop()
    shutil.rmtree(st["certs"].dir)
    shutil.rmtree(st["other"].dir)


def test_filter_requires_a_client_certificate(st):
    s = st["strict"]
    status, _, body = s.request("POST", "/filter", json.dumps(ARGS), client_cert=False)
    eq(status, 403, "without a certificate")
    check(b"client certificate" in body, body)
    r = s.json("POST", "/filter", ARGS)
    eq(r["NodeNames"], ["eks-node-a"], "with a certificate")


def test_probes_never_need_one(st):
    for path in ("/healthz", "/readyz", "/livez", "/version"):
        eq(st["strict"].request("GET", path, client_cert=False)[0], 200, path)


def test_read_routes_need_one_unless_anonymous_read(st):
    eq(st["strict"].request("POST", "/capacity", json.dumps(POD), client_cert=False)[0], 403, "strict capacity")
    eq(st["strict"].request("GET", "/metrics", client_cert=False)[0], 403, "strict metrics")
    eq(st["strict"].request("POST", "/capacity", json.dumps(POD))[0], 200, "strict capacity with cert")
    eq(st["open"].request("POST", "/capacity", json.dumps(POD), client_cert=False)[0], 200, "open capacity")
    eq(st["open"].request("GET", "/metrics", client_cert=False)[0], 200, "open metrics")
    eq(st["open"].request("POST", "/filter", json.dumps(ARGS), client_cert=False)[0], 403, "open filter still gated")


def test_certificate_from_another_ca_fails_the_handshake(st):
    ctx = ssl.create_default_context(cafile=st["certs"].path("ca.crt"))
    ctx.load_cert_chain(st["other"].path("client.crt"), st["other"].path("client.key"))
    import http.client
    conn = http.client.HTTPSConnection("127.0.0.1", st["strict"].port, context=ctx, timeout=10)
    try:
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        raise AssertionError("handshake with a foreign client certificate succeeded: %s" % status)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        conn.close()


def test_server_certificate_verifies_for_127_0_0_1_and_localhost(st):
    import http.client
    for host in ("127.0.0.1", "localhost"):
        ctx = st["certs"].client_context()
        conn = http.client.HTTPSConnection(host, st["strict"].port, context=ctx, timeout=10)
        conn.request("GET", "/healthz")
        eq(conn.getresponse().status, 200, host)
        conn.close()


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
