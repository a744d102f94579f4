"""Shared helpers for headroom's integration tests (Python 3 standard library only).

Each test script defines functions named test_*; `run(globals())` runs them in
definition order and prints TAP ("ok N - name" / "not ok N - name") for
tests/run.py. Servers run as real processes over HTTPS on 127.0.0.1 with
certificates made by certs/make-certs.sh.

HR_VALGRIND=1 runs every `headroom serve` under valgrind memcheck (with
tests/valgrind.supp, and --threads 64 unless a test sets it: valgrind allows
500 threads); stopping a server then fails when valgrind found an error or a
definite leak. HR_ONLY_TESTS="test_live.py:test_a,test_live.py:test_b" runs
only the named tests of the scripts it names (make test-valgrind uses both).
"""
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
import traceback
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADROOM = os.environ.get("HEADROOM_BIN", os.path.join(TOP, "build", "headroom"))
EKS = os.path.join(TOP, "examples", "clusters", "eks-2node-t3small.json")
VALGRIND = os.environ.get("HR_VALGRIND") == "1"
VALGRIND_EXIT = 99
VALGRIND_SUPP = os.path.join(TOP, "tests", "valgrind.supp")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Certs:
    """A CA with server and client certificates, in a temporary folder."""

    def __init__(self, sans=None):
        self.dir = tempfile.mkdtemp(prefix="headroom-certs-")
        argv = [os.path.join(TOP, "certs", "make-certs.sh"), "--out", self.dir]
        for san in sans or []:
            argv += ["--san", san]
        subprocess.run(argv, check=True, capture_output=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def issue(self, name, subject, usage="clientAuth", sans=(), rsa=False):
        """Another certificate from this CA, as make-certs.sh makes them:
        NAME.crt and NAME.key, e.g. issue("other", "/CN=other", sans=["DNS:x"]);
        rsa: an RSA 2048 key (cert-manager's default) instead of P-256."""
        key, csr, crt, ext = (self.path(name + s) for s in (".key", ".csr", ".crt", ".ext"))
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n" % usage)
            if sans:
                f.write("subjectAltName=%s\n" % ",".join(sans))
        newkey = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        subprocess.run(["openssl", "req"] + newkey + ["-nodes", "-subj", subject, "-keyout", key, "-out", csr],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", self.path("ca.crt"), "-CAkey",
                        self.path("ca.key"), "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                        "-days", "30", "-extfile", ext, "-out", crt], check=True, capture_output=True)
        os.unlink(csr)
        os.unlink(ext)
        return crt, key

    def client_context(self, client_cert=True, max_version=None):
        ctx = ssl.create_default_context(cafile=self.path("ca.crt"))
        if client_cert:
            ctx.load_cert_chain(self.path("client.crt"), self.path("client.key"))
        if max_version:
            ctx.maximum_version = max_version
        return ctx


class Server:
    """`headroom serve` on a free port; stopped with SIGTERM."""

    def __init__(self, certs, snapshot=EKS, extra=(), client_ca=False, wait=True, tls=None, env=None):
        """tls: (cert, key[, client CA]) files to serve with instead of certs';
        env: the process environment (default: this one's)."""
        self.certs = certs
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="headroom-log-", delete=False)
        cert, key, ca = (tuple(tls) + (None,))[:3] if tls else (
            certs.path("server.crt"), certs.path("server.key"), certs.path("ca.crt"))
        argv = [HEADROOM, "serve", "--listen", "127.0.0.1:%d" % self.port,
                "--tls-cert", cert, "--tls-key", key, "-v", "2"]
        if snapshot:
            argv += ["--snapshot", snapshot]
        if client_ca:
            argv += ["--client-ca", ca or certs.path("ca.crt")]
        argv += list(extra)
        self.valgrind_log = None
        if VALGRIND:
            self.valgrind_log = self.log.name + ".valgrind"
            if "--threads" not in extra:
                argv += ["--threads", "64"]
            argv = ["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite",
                    "--errors-for-leak-kinds=definite", "--error-exitcode=%d" % VALGRIND_EXIT,
                    "--num-callers=40", "--suppressions=" + VALGRIND_SUPP,
                    "--log-file=" + self.valgrind_log] + argv
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, env=env)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=120 if VALGRIND else 20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("headroom exited with %s:\n%s" % (self.proc.returncode, self.logs()))
            try:
                status, _, _ = self.request("GET", "/readyz", client_cert=False)
                if status == 200:
                    return
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise AssertionError("headroom not ready after %ss:\n%s" % (timeout, self.logs()))

    def connection(self, client_cert=True, timeout=30, max_version=None):
        ctx = self.certs.client_context(client_cert, max_version)
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=timeout)

    def request(self, method, path, body=None, headers=None, client_cert=True, timeout=30):
        conn = self.connection(client_cert, timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, dict(resp.getheaders()), data
        finally:
            conn.close()

    def json(self, method, path, body=None, expect=200, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        if status != expect:
            raise AssertionError("%s %s: status %s, want %s: %s" % (method, path, status, expect, data[:500]))
        return json.loads(data)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def logs(self):
        with open(self.log.name, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_log(self, text, seconds=None):
        """The logs once they hold text: a request's log line is written after
        its answer is sent, so a test that reads the logs at once can be early."""
        deadline = time.time() + (seconds or (60 if VALGRIND else 5))
        while True:
            logs = self.logs()
            if text in logs or time.time() > deadline:
                return logs
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=180 if VALGRIND else 10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("headroom did not stop on SIGTERM")
        os.unlink(self.log.name)
        if self.valgrind_log:
            self.check_valgrind()
        return self.proc.returncode

    def check_valgrind(self):
        """Prints valgrind's summary lines; raises on errors or definite leaks."""
        with open(self.valgrind_log, errors="replace") as f:
            text = f.read()
        os.unlink(self.valgrind_log)
        for line in text.splitlines():
            if any(k in line for k in ("ERROR SUMMARY", "in use at exit", "definitely lost", "All heap blocks")):
                print("# valgrind: " + line.split("== ", 1)[-1])
        if self.proc.returncode == VALGRIND_EXIT or "ERROR SUMMARY: 0 errors" not in text:
            raise AssertionError("valgrind found errors (exit %s):\n%s" % (self.proc.returncode, text[-20000:]))


TOKEN = "headroom-test-token"
FAKE = os.path.join(TOP, "tests", "apiserver", "fake_apiserver.py")


class Fake:
    """The test API server as a subprocess."""

    def __init__(self, certs, port=0, objects=EKS, client_ca=False, extra_objects=()):
        self.certs = certs
        self.log = tempfile.NamedTemporaryFile(prefix="fake-apiserver-", delete=False)
        argv = [sys.executable, FAKE, "--cert", certs.path("server.crt"), "--key", certs.path("server.key"),
                "--port", str(port), "--bookmark-interval", "1"]
        argv += ["--client-ca", certs.path("ca.crt")] if client_ca else ["--token", TOKEN]
        for obj in ([objects] if objects else []) + list(extra_objects):
            argv += ["--objects", obj]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("fake API server did not start: " + open(self.log.name).read())
        self.port = json.loads(line)["port"]
        self.ctx = ssl.create_default_context(cafile=certs.path("ca.crt"))

    def control(self, method, path, body=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=60)
        try:
            conn.request(method, "/_control/" + path, body=json.dumps(body) if body is not None else None,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                raise AssertionError("control %s: %s %s" % (path, r.status, data[:300]))
            return json.loads(data) if data else None
        finally:
            conn.close()

    def fault(self, **spec):
        return self.control("POST", "faults", spec)

    def state(self):
        return self.control("GET", "state?summary=1")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        if os.path.exists(self.log.name):
            os.unlink(self.log.name)


def write_kubeconfig(certs, port, token_file=None):
    """A kubeconfig with a relative CA path and a token (or tokenFile)."""
    d = tempfile.mkdtemp(prefix="headroom-kubeconfig-")
    shutil.copy(certs.path("ca.crt"), os.path.join(d, "ca.crt"))
    user = "    tokenFile: %s\n" % token_file if token_file else "    token: %s\n" % TOKEN
    text = ("apiVersion: v1\nkind: Config\ncurrent-context: test\n"
            "clusters:\n- name: fake\n  cluster:\n    server: https://127.0.0.1:%d\n"
            "    certificate-authority: ca.crt\n"
            "contexts:\n- name: test\n  context: {cluster: fake, user: headroom, namespace: default}\n"
            "users:\n- name: headroom\n  user:\n%s" % (port, user))
    path = os.path.join(d, "kubeconfig")
    with open(path, "w") as f:
        f.write(text)
    return path


def capacity_path(pod, **params):
    q = urllib.parse.urlencode(dict(pod=json.dumps(pod) if not isinstance(pod, str) else pod, **params))
    return "/capacity?" + q


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def eq(got, want, what="value"):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


class Skip(Exception):
    """Raised by a test that cannot run here (reported as TAP SKIP, not passed)."""


def only_tests():
    """The test names HR_ONLY_TESTS selects for this script (None: all)."""
    me = os.path.basename(sys.argv[0])
    names = [e.split(":", 1)[1] for e in os.environ.get("HR_ONLY_TESTS", "").split(",")
             if e.startswith(me + ":")]
    return names or None


def run(namespace, setup=None, teardown=None):
    """Runs every test_* function of a module namespace and prints TAP."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = only_tests()
    if only:
        tests = [(n, f) for n, f in tests if n in only]
    print("1..%d" % len(tests))
    failed = 0
    state = setup() if setup else None
    try:
        for i, (name, fn) in enumerate(tests, 1):
            start = time.time()
            try:
                fn(state) if setup and fn.__code__.co_argcount else fn()
                print("ok %d - %s (%.2fs)" % (i, name, time.time() - start))
            except Skip as why:
                print("ok %d - %s # SKIP %s" % (i, name, why))
            except Exception:  # a failing check or an unexpected error
                failed += 1
                print("not ok %d - %s" % (i, name))
                for line in traceback.format_exc().splitlines():
                    print("# " + line)
            sys.stdout.flush()
    finally:
        if teardown:
            teardown(state)
    return 1 if failed else 0
