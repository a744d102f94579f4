#!/usr/bin/env python3
"""`headroom capacity` and `headroom version` as a user runs them: answers in
each output format, standard input, and exit codes with clear messages."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import EKS, HEADROOM, TOP, check, eq, run  # noqa: E402

WEB_YAML = os.path.join(TOP, "examples", "pods", "web.yaml")
SPREAD_YAML = os.path.join(TOP, "examples", "pods", "web-spread.yaml")


def headroom(*args, stdin=None):
    p = subprocess.run([HEADROOM] + list(args), input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_version():
    code, out, _ = headroom("version")
    eq(code, 0, "exit code")
    check(out.startswith("headroom ") and "1.34" in out, out)
    code, out, _ = headroom("version", "--help")
    eq((code, out.splitlines()[0]), (0, "usage: headroom version"), "version --help")


def test_capacity_json_from_yaml_pod():
    code, out, err = headroom("capacity", "--snapshot", EKS, "-f", WEB_YAML)
    eq(code, 0, "exit code (%s)" % err)
    a = json.loads(out)
    eq((a["count"], a["message"]), (16, "0/2 nodes are available: 2 Too many pods."), "answer")


def test_capacity_table_with_replicas():
    code, out, _ = headroom("capacity", "--snapshot", EKS, "-f", WEB_YAML, "--replicas", "10", "-o", "table")
    eq(code, 0, "exit code")
    lines = out.splitlines()
    eq(lines[0].split(), ["NODE", "COPIES", "WHY", "NOT", "MORE"], "header")
    eq(lines[1].split()[:2], ["eks-node-a", "7"], "node-a row")
    eq(lines[2].split()[:2], ["eks-node-b", "9"], "node-b row")
    check("Pod web in default: 16 more copies fit; 10 asked: fits" in out, out)


def test_capacity_yaml_output_for_anti_affinity():
    code, out, _ = headroom("capacity", "--snapshot", EKS, "-f", SPREAD_YAML, "-o", "yaml")
    eq(code, 0, "exit code")
    check("count: 2\n" in out and "didn't match pod anti-affinity rules" in out, out)


def test_capacity_reads_stdin():
    with open(WEB_YAML, "rb") as f:
        code, out, _ = headroom("capacity", "--snapshot", EKS, "-f", "-", stdin=f.read())
    eq((code, json.loads(out)["count"]), (0, 16), "stdin")


def test_capacity_merges_separate_node_and_pod_lists():
    d = tempfile.mkdtemp()
    with open(EKS) as f:
        items = json.load(f)["items"]
    for kind in ("Node", "Pod"):
        lst = {"apiVersion": "v1", "kind": kind + "List", "metadata": {"resourceVersion": "77"},
               "items": [{k: v for k, v in i.items() if k not in ("kind", "apiVersion")}
                         for i in items if i["kind"] == kind]}
        with open(os.path.join(d, kind + ".json"), "w") as f:
            json.dump(lst, f)
    code, out, err = headroom("capacity", "--snapshot", os.path.join(d, "Node.json"),
                              "--snapshot", os.path.join(d, "Pod.json"), "-f", WEB_YAML)
    eq(code, 0, err)
    a = json.loads(out)
    eq((a["count"], a["snapshot"]["pods"], a["snapshot"]["resourceVersion"]), (16, 6, "77"), "merged lists")


def test_namespace_of_a_pod_that_names_none():
    with open(WEB_YAML) as f:
        unnamed = f.read().replace("  namespace: default\n", "").encode()
    for args, want in ((("-n", "kube-system"), "kube-system"), (("--default-namespace", "kube-system"), "kube-system"),
                       ((), "default")):
        code, out, err = headroom("capacity", "--snapshot", EKS, "-f", "-", *args, stdin=unnamed)
        eq((code, json.loads(out)["pod"]["namespace"] if code == 0 else err), (0, want), "namespace with %s" % (args,))
    code, out, _ = headroom("capacity", "--snapshot", EKS, "-f", WEB_YAML, "--default-namespace", "kube-system")
    eq(json.loads(out)["pod"]["namespace"], "default", "the file's own over --default-namespace")


def test_make_run_refuses_bad_settings_before_its_banner():
    run_dev = os.path.join(TOP, "scripts", "run-dev.sh")
    for env, fragment in (({"HEADROOM_LISTEN": "9446"}, "HEADROOM_LISTEN=9446 is not ADDR:PORT"),
                          ({"HEADROOM_LISTEN": "127.0.0.1:99999"}, "HEADROOM_LISTEN=127.0.0.1:99999 is not ADDR:PORT"),
                          ({"HEADROOM_LISTEN": "127.0.0.1:0"}, "HEADROOM_LISTEN=127.0.0.1:0 is not ADDR:PORT"),
                          ({"HEADROOM_LISTEN": "a b:1"}, "HEADROOM_LISTEN=a b:1 is not ADDR:PORT"),
                          ({"HEADROOM_SNAPSHOT": "/nonexistent.json"},
                           "cannot read the snapshot /nonexistent.json (HEADROOM_SNAPSHOT)")):
        p = subprocess.run([run_dev, HEADROOM], env=dict(os.environ, **env), capture_output=True, text=True,
                           timeout=60)
        eq((p.returncode, p.stdout), (2, ""), "exit code, no banner (%s)" % env)
        check(fragment in p.stderr, p.stderr)


def test_usage_errors_exit_2():
    for args, fragment in [((), "usage"),
                           (("frobnicate",), "unknown command"),
                           (("capacity", "-f", WEB_YAML), "--snapshot: required"),
                           (("capacity", "--snapshot", EKS), "-f: required"),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "--replicas", "many"), "--replicas"),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "-o", "xml"), "--output"),
                           (("capacity", "--bogus"), "--bogus"),
                           (("serve", "--snapshot", EKS), "--tls-cert"),
                           (("version", "extra"), "unexpected argument"),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "-f", WEB_YAML),
                            "a second file"),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "--per-node", "maybe"),
                            "--per-node"),
                           (("capacity", "--snapshot", TOP, "-f", WEB_YAML), "is a directory, not a file"),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "-n", "kube-system"),
                            'metadata.namespace: "default" does not match the namespace asked for, '
                            '"kube-system"'),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "-n", "Kube"),
                            '--namespace: "Kube": is not a namespace name'),
                           (("capacity", "--snapshot", EKS, "-f", WEB_YAML, "-n", "a",
                             "--default-namespace", "b"), "give --namespace or --default-namespace"),
                           (("capacity", "--snapshot", EKS, "-f", TOP), "is a directory, not a file"),
                           (("serve", "--tls-cert", "x", "--tls-key", "y", "--snapshot", EKS,
                             "--context", "prod"), "--context: only makes sense with --kubeconfig"),
                           (("serve", "--tls-cert", "x", "--tls-key", "y", "--snapshot", EKS,
                             "--listen", "127.0.0.1:1,127.0.0.1:2"), "is not ADDR:PORT")]:
        code, _, err = headroom(*args)
        eq(code, 2, "exit code of %s" % (args,))
        check(fragment in err, "%s: stderr %r should mention %r" % (args, err, fragment))


def test_bad_input_exit_2_with_the_field():
    bad = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    bad.write("kind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n"
              "    resources: {requests: {memory: 12Q}}\n")
    bad.close()
    code, _, err = headroom("capacity", "--snapshot", EKS, "-f", bad.name)
    eq(code, 2, "exit code")
    check("spec.containers[0].resources.requests.memory" in err and "12Q" in err, err)
    code, _, err = headroom("capacity", "--snapshot", "/nonexistent.json", "-f", WEB_YAML)
    eq(code, 2, "missing snapshot")
    check("/nonexistent.json" in err and "cannot open" in err, err)
    broken = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    broken.write('{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "n"}}, {')
    broken.close()
    code, _, err = headroom("capacity", "--snapshot", broken.name, "-f", WEB_YAML)
    eq(code, 2, "truncated snapshot")
    check(broken.name in err, err)
    for f in (bad.name, broken.name):
        os.unlink(f)


def test_capacity_per_node_false_leaves_out_the_rows():
    code, out, err = headroom("capacity", "--snapshot", EKS, "-f", WEB_YAML, "--per-node", "false")
    eq(code, 0, err)
    a = json.loads(out)
    eq((a["count"], "perNode" in a), (16, False), "no perNode")


def test_serve_names_what_is_wrong_with_its_files_and_address():
    from harness import Certs  # noqa: E402
    import socket
    certs = Certs()
    try:
        base = ["serve", "--tls-cert", certs.path("server.crt"), "--tls-key", certs.path("server.key"),
                "--snapshot", EKS]
        code, _, err = headroom(*base, "--client-ca", "/nonexistent-ca.crt", "--listen", "127.0.0.1:1")
        check(code != 0 and "/nonexistent-ca.crt: cannot open CA bundle: No such file or directory" in err, err)
        code, _, err = headroom(*base[:2], TOP, *base[3:], "--listen", "127.0.0.1:1")
        check(code != 0 and "is a directory, not a certificate file" in err, err)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            code, _, err = headroom(*base, "--listen", "127.0.0.1:%d" % port)
        check(code != 0 and "Address already in use" in err, err)
    finally:
        import shutil
        shutil.rmtree(certs.dir)


def test_help_exits_0():
    for args in (("--help",), ("capacity", "--help"), ("serve", "--help")):
        code, out, _ = headroom(*args)
        eq(code, 0, "exit code of %s" % (args,))
        check("usage: headroom" in out, out)


if __name__ == "__main__":
    sys.exit(run(globals()))
