#!/usr/bin/env python3
"""scripts/kubectl-headroom with a fake `kubectl` on PATH: --offline gives
exactly `headroom capacity` on the snapshot kubectl printed; online mode goes
through `kubectl create --raw` to the service proxy path (the fake kubectl
forwards it to a real `headroom serve`); kubectl's failures pass through."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import EKS, HEADROOM, TOP, Certs, Server, check, eq, run  # noqa: E402

PLUGIN = os.path.join(TOP, "scripts", "kubectl-headroom")
WEB_YAML = os.path.join(TOP, "examples", "pods", "web.yaml")

FAKE_KUBECTL = r'''#!/usr/bin/env bash
# a stand-in for kubectl: prints a snapshot, forwards --raw to headroom
echo "$*" >>"$FAKE_LOG"
if [ -n "${FAKE_KUBECTL_FAIL:-}" ]; then
	echo "error: You must be logged in to the server (Unauthorized)" >&2
	exit 1
fi
[ "$1" = -n ] && shift 2  # KUBECTL_FLAGS="-n NS" comes first
if [ "$1" = config ] && [ "$2" = view ]; then  # --minify -o jsonpath={.contexts[0].context.namespace}
	printf '%s' "${FAKE_CONTEXT_NAMESPACE:-}"
	exit 0
fi
if [ "$1" = get ] && [ "$2" = nodes,pods ]; then
	cat "$FAKE_SNAPSHOT"
	exit 0
fi
if [ "$1" = get ]; then  # the snapshot holds the namespaces; none of the rest
	case ",${FAKE_FAIL_OPTIONAL:-}," in *",$2,"*)
		echo "error: You must be logged in to the server (the server has asked for the client to provide credentials)" >&2
		exit 1 ;;
	esac
	case ",${FAKE_FORBID:-}," in *",$2,"*)
		echo "E1204 17:00:00.000000   12345 memcache.go:265] couldn't get current server API group list: the server is currently unable to handle the request" >&2
		echo "Error from server (Forbidden): $2 is forbidden: User \"alice\" cannot list resource \"$2\" in API group \"\" at the cluster scope" >&2
		exit 1 ;;
	esac
	echo '{"apiVersion": "v1", "kind": "List", "items": []}'
	exit 0
fi
if [ "$1" = create ] && [ "$2" = --raw ]; then
	path=${3#/api/v1/namespaces/headroom/services/https:headroom:443/proxy}
	[ "$path" = "$3" ] && { echo "fake kubectl: unexpected path $3" >&2; exit 1; }
	exec curl -sS --fail-with-body --cacert "$FAKE_CA" --data-binary "@$5" "$FAKE_URL$path"
fi
echo "fake kubectl: unexpected arguments: $*" >&2
exit 1
'''


def setup():
    d = tempfile.mkdtemp(prefix="fake-kubectl-")
    kubectl = os.path.join(d, "kubectl")
    with open(kubectl, "w") as f:
        f.write(FAKE_KUBECTL)
    os.chmod(kubectl, os.stat(kubectl).st_mode | stat.S_IXUSR)
    shutil.copy(HEADROOM, os.path.join(d, "headroom"))
    certs = Certs()
    server = Server(certs)
    env = dict(os.environ, PATH=d + ":" + os.environ["PATH"], FAKE_LOG=os.path.join(d, "log"),
               FAKE_SNAPSHOT=EKS, FAKE_CA=certs.path("ca.crt"), FAKE_URL="https://127.0.0.1:%d" % server.port)
    return {"dir": d, "env": env, "certs": certs, "server": server}


def teardown(st):
    st["server"].stop()
    shutil.rmtree(st["dir"])
    shutil.rmtree(st["certs"].dir)


def plugin(st, *args, env=None, stdin=None):
    p = subprocess.run([PLUGIN] + list(args), env=env or st["env"], capture_output=True, input=stdin, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_offline_matches_headroom_capacity(st):
    for fmt in ("json", "table", "yaml"):
        code, out, err = plugin(st, "--offline", "-f", WEB_YAML, "--replicas", "20", "-o", fmt)
        eq(code, 0, err)
        per_node = "false" if fmt == "table" else "true"  # the table's rows come with `nodes`
        direct = subprocess.run([HEADROOM, "capacity", "--snapshot", EKS, "-f", WEB_YAML, "--replicas", "20",
                                 "-o", fmt, "--per-node", per_node], capture_output=True, text=True).stdout
        if fmt == "json":  # the snapshot's age differs between the two runs
            a, b = json.loads(out), json.loads(direct)
            a["snapshot"].pop("ageSeconds"), b["snapshot"].pop("ageSeconds")
            eq(a, b, "offline json answer")
            eq((a["count"], a["fits"]), (16, False), "16 of 20")
        elif fmt == "yaml":
            strip = lambda t: [l for l in t.splitlines() if "ageSeconds" not in l]
            eq(strip(out), strip(direct), "offline yaml answer")
        else:
            eq(out, direct, "offline table answer")
    with open(st["env"]["FAKE_LOG"]) as f:
        log = f.read()
    for kinds in ("nodes,pods", "namespaces", "limitranges", "runtimeclasses"):
        check("get %s -A -o json" % kinds in log, "the snapshot commands: %s" % log)


def test_offline_answers_without_a_kind_rbac_does_not_let_it_list(st):
    env = dict(st["env"], FAKE_FORBID="limitranges,runtimeclasses")
    code, out, err = plugin(st, "--offline", "-f", WEB_YAML, "-o", "json", env=env)
    eq((code, json.loads(out)["count"]), (0, 16), "answer (%s)" % err)
    eq(err.splitlines(), [
        'kubectl-headroom: warning: answering without limitranges (LimitRange default requests are not applied): '
        'Error from server (Forbidden): limitranges is forbidden: User "alice" cannot list resource "limitranges" '
        'in API group "" at the cluster scope',
        'kubectl-headroom: warning: answering without runtimeclasses (RuntimeClass pod overhead is not added): '
        'Error from server (Forbidden): runtimeclasses is forbidden: User "alice" cannot list resource '
        '"runtimeclasses" in API group "" at the cluster scope'], "warnings")
    # any other failure is kubectl's: its message and exit code, no answer
    env = dict(st["env"], FAKE_FAIL_OPTIONAL="limitranges")
    code, out, err = plugin(st, "--offline", "-f", WEB_YAML, "-o", "json", env=env)
    eq((code, out), (1, ""), "exit code and no answer")
    eq(err, "error: You must be logged in to the server (the server has asked for the client to provide "
       "credentials)\n", "kubectl's error")


def test_default_table_is_the_summary_and_nodes_adds_the_rows(st):
    summary = ("Deployment web in default: 16 more copies fit; 20 asked: does not fit\n"
               "next copy: 0/2 nodes are available: 2 Too many pods.\n")
    rows = ("NODE        COPIES  WHY NOT MORE\n"
            "eks-node-a       7  Too many pods\n"
            "eks-node-b       9  Too many pods\n\n")
    deployment = os.path.join(TOP, "examples", "pods", "web-deployment.yaml")
    for mode in ((), ("--offline",)):
        code, out, err = plugin(st, *mode, "-f", deployment)
        eq((code, out), (0, summary), "summary %s" % (mode,))
        code, out, err = plugin(st, "nodes", *mode, "-f", deployment)
        eq((code, out), (0, rows + summary), "nodes %s" % (mode,))


def test_online_goes_through_the_service_proxy(st):
    code, out, err = plugin(st, "-f", WEB_YAML, "-o", "json", "--replicas", "3")
    eq(code, 0, err)
    a = json.loads(out)
    eq((a["count"], a["replicas"], a["fits"]), (16, 3, True), "answer from the service")
    code, out, err = plugin(st, "nodes", "-f", WEB_YAML)
    eq(code, 0, err)
    check(out.startswith("NODE ") and "eks-node-b       9" in out, out)
    with open(WEB_YAML, "rb") as f:
        code, out, err = plugin(st, "-f", "-", "-o", "json", stdin=f.read())
    eq((code, json.loads(out)["count"]), (0, 16), "pod on stdin")


def test_namespace_as_kubectl_apply_gives_it(st):
    with open(WEB_YAML) as f:
        unnamed = f.read().replace("  namespace: default\n", "")
    check("namespace" not in unnamed, "the file names no namespace")
    for mode in ((), ("--offline",)):
        def ask(*args, env=None, stdin=unnamed):
            code, out, err = plugin(st, *(mode + ("-f", "-", "-o", "json") + args), env=env, stdin=stdin.encode())
            # the fake kubectl's curl prints the 400 body on stdout
            return code, (json.loads(out)["pod"]["namespace"] if code == 0 else out + err)
        # the context's namespace fills in a file that names none, as kubectl apply
        shop = dict(st["env"], FAKE_CONTEXT_NAMESPACE="shop")
        eq(ask(env=shop), (0, "shop"), "%s context namespace" % (mode,))
        eq(ask(), (0, "default"), "%s no context namespace" % (mode,))
        # -n wins over the context's, in each of kubectl's spellings
        for flag in (("-n", "cart"), ("-n=cart",), ("-ncart",), ("--namespace=cart",)):
            eq(ask(*flag, env=shop), (0, "cart"), "%s %s" % (mode, flag))
        eq(ask(env=dict(shop, KUBECTL_FLAGS="-n cart")), (0, "cart"), "%s -n in KUBECTL_FLAGS" % (mode,))
        with open(WEB_YAML) as f:
            named = f.read()
        # a file naming its own keeps it under the context's namespace ...
        eq(ask(env=shop, stdin=named), (0, "default"), "%s file's own namespace" % (mode,))
        # ... and is refused when -n names another, as kubectl refuses it
        code, err = ask("-n", "cart", stdin=named)
        check(code != 0 and "does not match the namespace asked for" in err and "cart" in err,
              "%s -n against the file's: %s" % (mode, err))
    code, out, err = plugin(st, "-f" + WEB_YAML, "-ojson")  # kubectl's joined short flags
    eq((code, json.loads(out)["count"]), (0, 16), "-fFILE -ojson (%s)" % err)
    code, _, err = plugin(st, "-f", WEB_YAML, "-n", "Shop")
    eq(code, 2, "bad -n")
    check('-n "Shop" is not a namespace name' in err, err)
    # the install's namespace goes into the proxy path: only a name
    code, _, err = plugin(st, "-f", WEB_YAML, "--headroom-namespace=x/../../apis")
    eq(code, 2, "bad --headroom-namespace")
    check('--headroom-namespace "x/../../apis" is not a namespace name' in err, err)


def test_kubectl_errors_pass_through(st):
    env = dict(st["env"], FAKE_KUBECTL_FAIL="1")
    for args in (("-f", WEB_YAML), ("--offline", "-f", WEB_YAML)):
        code, out, err = plugin(st, *args, env=env)
        eq(code, 1, "kubectl's exit code")
        check("Unauthorized" in err, err)


def test_misspelled_field_named_in_the_users_file_both_ways(st):
    # resources.request for requests: refused by default, naming the user's
    # file offline (not a temporary copy) and the field's path either way;
    # --validate warn answers with a note.
    d = tempfile.mkdtemp(prefix="typo-")
    typo = os.path.join(d, "typo.yaml")
    with open(WEB_YAML) as f:
        text = f.read()
    check("requests:" in text, "web.yaml has requests")
    with open(typo, "w") as f:
        f.write(text.replace("requests:", "request:"))
    try:
        code, _, err = plugin(st, "--offline", "-f", typo)
        eq(code, 2, "offline exit code")
        check(err.startswith("headroom: %s: spec.containers[0].resources.request: unknown field" % typo), err)
        code, out, err = plugin(st, "-f", typo)  # the fake kubectl's curl prints the 400 body
        check(code != 0 and "spec.containers[0].resources.request: unknown field" in out + err, out + err)
        for mode in ((), ("--offline",)):
            code, out, err = plugin(st, *mode, "-f", typo, "-o", "json", "--validate", "warn")
            eq(code, 0, err)
            check(any("unknown field" in n for n in json.loads(out)["notes"]), out)
        code, out, err = plugin(st, "-f", WEB_YAML, "-o", "wide")
        check(code == 0 and "16 more copies fit" in out, "-o wide is the table: %s %s" % (out, err))
    finally:
        shutil.rmtree(d)


def test_offline_without_the_headroom_binary_says_how_to_fix_it(st):
    env = dict(st["env"], HEADROOM="/nonexistent/headroom")
    code, out, err = plugin(st, "--offline", "-f", WEB_YAML, env=env)
    eq(code, 2, "exit code")
    check("HEADROOM=/path/to/headroom" in err, err)
    with open(st["env"]["FAKE_LOG"]) as f:
        log = f.read()
    code, out, err = plugin(st, "--offline", "-f", WEB_YAML, env=env)
    with open(st["env"]["FAKE_LOG"]) as f:
        eq(f.read(), log, "kubectl not run before the binary is found")


def test_usage_errors(st):
    for args, fragment in ((("-o", "json"), "-f FILE is required"), (("-f", "/nope.yaml"), "cannot read"),
                           (("-f", WEB_YAML, "-o", "xml"), "-o must be"), (("--bogus",), "unknown argument"),
                           (("-f", WEB_YAML, "--replicas", "x"), "--replicas"),
                           (("-f", WEB_YAML, "--validate", "maybe"), "--validate must be"),
                           (("-f",), "-f needs a value"), (("-f", WEB_YAML, "-o"), "-o needs a value"),
                           (("-f", TOP), "is a directory")):
        code, _, err = plugin(st, *args)
        eq(code, 2, "exit code of %s" % (args,))
        check(fragment in err, "%r in %r" % (fragment, err))
    code, out, _ = plugin(st, "--help")
    check(code == 0 and "kubectl headroom -f pod.yaml" in out, out)


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
