#!/usr/bin/env python3
"""Client-certificate access control (--client-ca): filter needs a verified
client certificate, probes never do, capacity/metrics need one unless
--anonymous-read; certificates from another CA fail the handshake;
--allowed-client-names restricts the gate routes to certificates whose CN or
a DNS SAN is listed. TLS: 1.2 and 1.3 only, forward-secret AEAD suites only
(checked with openssl s_client, suite by suite)."""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HEADROOM, Certs, Server, check, eq, run  # noqa: E402

ARGS = {"Pod": {"metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "10m"}}}]}},
        "Nodes": None, "NodeNames": ["eks-node-a"]}
POD = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}


ALLOWED = "system:kube-scheduler,webhook-client.kube-system.svc"


def setup():
    certs = Certs()
    other = Certs()
    certs.issue("sched", "/CN=system:kube-scheduler")
    certs.issue("apiserver", "/CN=kube-apiserver", sans=["DNS:webhook-client.kube-system.svc"])
    certs.issue("intruder", "/CN=intruder", sans=["DNS:intruder.example", "IP:127.0.0.1"])
    return {"certs": certs, "other": other,
            "strict": Server(certs, client_ca=True),
            "open": Server(certs, client_ca=True, extra=["--anonymous-read"]),
            "names": Server(certs, client_ca=True, extra=["--allowed-client-names", ALLOWED])}


def teardown(st):
    for name in ("strict", "open", "names"):
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


# ---- --allowed-client-names -----------------------------------------------------

def request_as(server, cert, method, path, body=None):
    """A request presenting the certificate NAME.crt of the test CA (None: no certificate)."""
    ctx = ssl.create_default_context(cafile=server.certs.path("ca.crt"))
    if cert:
        ctx.load_cert_chain(server.certs.path(cert + ".crt"), server.certs.path(cert + ".key"))
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=ctx, timeout=10)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "admission",
                       "scale-deployment.json")) as f:
    SCALE = json.load(f)


def test_allowed_names_may_use_gate_routes(st):
    s = st["names"]
    status, body = request_as(s, "sched", "POST", "/filter", ARGS)
    eq(status, 200, "CN system:kube-scheduler (%s)" % body[:200])
    eq(json.loads(body)["NodeNames"], ["eks-node-a"], "filter answer")
    status, body = request_as(s, "apiserver", "POST", "/filter", ARGS)
    eq(status, 200, "DNS SAN webhook-client.kube-system.svc (%s)" % body[:200])
    status, body = request_as(s, "apiserver", "POST", "/admission", SCALE)
    eq(status, 200, "admission for the API server's identity (%s)" % body[:200])
    check(json.loads(body)["response"]["allowed"] is True, body)


def test_other_verified_certificates_get_403_naming_why(st):
    s = st["names"]
    for path, body in (("/filter", ARGS), ("/admission", SCALE)):
        status, data = request_as(s, "intruder", "POST", path, body)
        eq(status, 403, path)
        err = json.loads(data)["error"]
        eq(err, '%s: the client certificate (CN "intruder", DNS intruder.example) has no name listed in '
                "--allowed-client-names" % path, "error")
    # exact names: CN "kube-scheduler" is not "system:kube-scheduler"
    status, data = request_as(s, "client", "POST", "/filter", ARGS)
    eq(status, 403, "CN kube-scheduler")
    check(b'CN \\"kube-scheduler\\"' in data, data)


def test_allow_list_needs_a_certificate_and_leaves_other_routes_alone(st):
    s = st["names"]
    status, data = request_as(s, None, "POST", "/filter", ARGS)
    eq(status, 403, "no certificate")
    check(b"needs a client certificate" in data, data)
    eq(request_as(s, "intruder", "POST", "/capacity", POD)[0], 200, "capacity: any verified certificate")
    eq(request_as(s, "intruder", "GET", "/metrics")[0], 200, "metrics: any verified certificate")
    eq(request_as(s, None, "GET", "/metrics")[0], 403, "metrics without a certificate (no --anonymous-read)")
    eq(request_as(s, None, "GET", "/readyz")[0], 200, "probes: no certificate")
    c = s.json("GET", "/configz")["headroom"]
    eq(c["allowedClientNames"], ALLOWED.split(","), "configz")


def test_allow_list_flag_needs_client_ca(st):
    out = subprocess.run([HEADROOM, "serve", "--tls-cert", "c", "--tls-key", "k", "--allowed-client-names", "x"],
                         capture_output=True, text=True)
    eq(out.returncode, 2, "exit code")
    check("--allowed-client-names: only makes sense with --client-ca" in out.stderr, out.stderr)


# ---- TLS versions and cipher suites ------------------------------------------------

def s_client(server, *args):
    """openssl s_client against the server; (handshake ok, output)."""
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % server.port, "-servername",
                          "localhost", "-CAfile", server.certs.path("ca.crt")] + list(args),
                         input="", capture_output=True, text=True, timeout=20)
    text = out.stdout + out.stderr
    return "Cipher is (NONE)" not in text and out.returncode == 0, text


def test_tls_1_0_and_1_1_are_refused_by_the_server(st):
    for version in ("-tls1", "-tls1_1"):
        # SECLEVEL=0 lets this client offer them, so the refusal is the server's
        ok, text = s_client(st["strict"], version, "-cipher", "DEFAULT@SECLEVEL=0")
        check(not ok, "%s handshake succeeded:\n%s" % (version, text))
        check("alert protocol version" in text, "%s: the server should answer protocol_version:\n%s" % (version, text))


def test_only_forward_secret_aead_suites_are_accepted(st):
    suites = subprocess.run(["openssl", "ciphers", "-s", "-tls1_2", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                            capture_output=True, text=True, check=True).stdout.strip().split(":")
    tls12 = [c for c in suites if not c.startswith("TLS_")]
    accepted = [c for c in tls12 if s_client(st["strict"], "-tls1_2", "-cipher", c + "@SECLEVEL=0")[0]]
    print("# TLS 1.2: %d of %d suites accepted: %s" % (len(accepted), len(tls12), " ".join(accepted)))
    check(accepted, "some TLS 1.2 suite must work")
    for c in accepted:
        check(c.startswith("ECDHE-") and ("-GCM-" in c or "CHACHA20-POLY1305" in c), "weak suite accepted: " + c)
    for weak in ("RC4", "3DES", "DES-CBC", "NULL", "EXP", "MD5", "CBC", "ADH", "AECDH", "PSK"):
        check(not any(weak in c for c in accepted), weak)
    for v13 in ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"):
        ok, text = s_client(st["strict"], "-tls1_3", "-ciphersuites", v13)
        check(ok and "TLSv1.3" in text, "TLS 1.3 %s:\n%s" % (v13, text[-500:]))
    ok, text = s_client(st["strict"], "-tls1_2")
    check(ok and "TLSv1.2" in text, "TLS 1.2 with the default offer")


def test_an_rsa_serving_and_client_certificate(st):
    # cert-manager issues RSA 2048 keys by default: the ECDHE-RSA suites and
    # TLS 1.3 serve them; RSA key exchange (no forward secrecy) stays refused
    certs = st["certs"]
    certs.issue("rsa-server", "/CN=headroom", usage="serverAuth", sans=["IP:127.0.0.1", "DNS:localhost"], rsa=True)
    certs.issue("rsa-sched", "/CN=system:kube-scheduler", rsa=True)
    s = Server(certs, client_ca=True, tls=(certs.path("rsa-server.crt"), certs.path("rsa-server.key")),
               extra=["--allowed-client-names", ALLOWED])
    try:
        ok, text = s_client(s, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
        check(ok and "ECDHE-RSA-AES128-GCM-SHA256" in text, "TLS 1.2 ECDHE-RSA:\n" + text[-500:])
        ok, text = s_client(s, "-tls1_3")
        check(ok and "TLSv1.3" in text, "TLS 1.3 with an RSA key:\n" + text[-500:])
        for weak in ("AES128-GCM-SHA256", "AES256-SHA", "ECDHE-RSA-AES128-SHA"):
            check(not s_client(s, "-tls1_2", "-cipher", weak + "@SECLEVEL=0")[0], "weak suite accepted: " + weak)
        status, body = request_as(s, "rsa-sched", "POST", "/filter", ARGS)
        eq((status, json.loads(body)["NodeNames"]), (200, ["eks-node-a"]), "filter with an RSA client certificate")
    finally:
        s.stop()


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
