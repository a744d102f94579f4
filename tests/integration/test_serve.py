#!/usr/bin/env python3
"""`headroom serve` over real HTTPS on 127.0.0.1: every route, both filter
modes, bad input, SIGHUP reload, TLS versions, keep-alive, slow clients.

The cluster is the embedded real EKS snapshot (examples/clusters): two nodes
with allocatable cpu 1930m, memory 1471840Ki (1437.34Mi), pods 11.
eks-node-a runs 4 pods (350m cpu, 140Mi), eks-node-b 2 pods (150m, 0 memory).
"""
import copy
import json
import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import EKS, TOP, Certs, Server, capacity_path, check, eq, run  # noqa: E402

WEB = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}}}]}}


def pod(cpu="100m", memory="100Mi", **spec):
    p = copy.deepcopy(WEB)
    p["spec"]["containers"][0]["resources"]["requests"] = {"cpu": cpu, "memory": memory}
    p["spec"].update(spec)
    return p


def scheduler_pod(memory):
    """A pod as kube-scheduler sends it: admitted (DefaultTolerationSeconds added)."""
    p = pod(memory=memory)
    p["spec"]["tolerations"] = [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    del p["kind"], p["apiVersion"]
    return p


def setup():
    certs = Certs()
    return {"certs": certs, "server": Server(certs)}


def teardown(st):
    eq(st["server"].stop(), 0, "exit code after SIGTERM")
    shutil.rmtree(st["certs"].dir)


# ---- probes ------------------------------------------------------------------

def test_healthz_livez_readyz(st):
    s = st["server"]
    for path in ("/healthz", "/livez", "/readyz"):
        status, headers, body = s.request("GET", path, client_cert=False)
        eq((status, body), (200, b"ok"), path)
        eq(headers.get("Content-Type"), "text/plain; charset=utf-8", path + " content type")
    status, _, body = s.request("GET", "/readyz?verbose")
    check(b"[+]cluster-snapshot ok" in body and body.endswith(b"readyz check passed\n"), body)


def test_version_and_configz(st):
    v = st["server"].json("GET", "/version")
    check(v["version"] and v["kubeScheduler"] == "1.34", v)
    c = st["server"].json("GET", "/configz")["headroom"]
    eq(c["snapshotFiles"], [EKS], "configz snapshot files")
    eq((c["clusterSource"], c["admissionMode"], c["maxCapacityMs"], c["listPageSize"],
        c["watchTimeoutSeconds"], c["publishIntervalMs"], c["maxStalenessSeconds"]),
       ("snapshot", "warn", 2000, 500, 300, 100, 60), "configz shows every setting")
    check("key" not in json.dumps(c).lower().replace("keepalive", ""), "configz must not show key material")


# ---- capacity ---------------------------------------------------------------------

def test_capacity_counts_pod_slots_on_eks(st):
    # eks-node-a: 11 pods - 4 running = 7 slots (cpu allows 15, memory 12);
    # eks-node-b: 11 - 2 = 9 slots (cpu 17, memory 14): 16 copies, bound by pods.
    a = st["server"].json("POST", "/capacity", WEB)
    eq(a["count"], 16, "count")
    eq([(n["node"], n["count"], n.get("reason")) for n in a["perNode"]],
       [("eks-node-a", 7, "Too many pods"), ("eks-node-b", 9, "Too many pods")], "perNode")
    eq(a["message"], "0/2 nodes are available: 2 Too many pods.", "message")
    eq(a["snapshot"]["nodes"], 2, "snapshot nodes")
    eq(a["snapshot"]["pods"], 6, "snapshot pods")
    eq(a["admission"], ["DefaultTolerationSeconds"], "admission")
    check("replicas" not in a and "fits" not in a, "no replicas asked")


def test_capacity_memory_bound(st):
    # 300Mi: node-a (1437.34 - 140)/300 = 4, node-b 1437.34/300 = 4 -> 8
    a = st["server"].json("POST", "/capacity", pod(memory="300Mi"))
    eq(a["count"], 8, "count")
    eq(a["message"], "0/2 nodes are available: 2 Insufficient memory.", "message")


def test_capacity_beyond_int64_milli_is_insufficient_not_refused(st):
    # The API server accepts 9Pi and 1Ei; 9Pi is 1.01e19 milli-bytes, past
    # int64: held at the cap (predicates/sat.h), it fits no node.
    for memory in ("9Pi", "1Ei"):
        a = st["server"].json("POST", "/capacity", pod(memory=memory))
        eq(a["count"], 0, memory + " count")
        eq(a["message"], "0/2 nodes are available: 2 Insufficient memory.", memory + " message")
    a = st["server"].json("POST", "/capacity", pod(cpu="1e16"))
    eq(a["message"], "0/2 nodes are available: 2 Insufficient cpu.", "1e16 cores")


def test_capacity_cpu_bound_and_replicas(st):
    # 500m: node-a (1930 - 350)/500 = 3, node-b (1930 - 150)/500 = 3 -> 6
    a = st["server"].json("POST", "/capacity?replicas=7", pod(cpu="500m", memory="10Mi"))
    eq((a["count"], a["replicas"], a["fits"]), (6, 7, False), "count/replicas/fits")
    a = st["server"].json("POST", "/capacity?replicas=6", pod(cpu="500m", memory="10Mi"))
    eq(a["fits"], True, "6 fit")


def test_capacity_yaml_deployment_and_table(st):
    with open(os.path.join(TOP, "examples", "pods", "web-deployment.yaml"), "rb") as f:
        yaml = f.read()
    a = st["server"].json("POST", "/capacity", yaml, headers={"Content-Type": "application/yaml"})
    eq((a["count"], a["replicas"], a["fits"]), (16, 20, False), "deployment answer")
    eq(a["pod"], {"kind": "Deployment", "name": "web", "namespace": "default"}, "pod")
    status, headers, body = st["server"].request("POST", "/capacity?output=table", yaml)
    eq(status, 200, "table status")
    check(body.startswith(b"NODE ") and b"16 more copies fit; 20 asked: does not fit" in body, body)
    status, headers, body = st["server"].request("POST", "/capacity?output=yaml", yaml)
    check(status == 200 and b"count: 16\n" in body and headers["Content-Type"] == "application/yaml", body)


def test_capacity_envelope_and_max(st):
    a = st["server"].json("POST", "/capacity", {"template": WEB, "replicas": 3, "max": 5})
    eq((a["count"], a["limited"], a["fits"]), (5, True, True), "limited at max")
    eq(a["message"], "", "no FitError when limited")
    check(any("counting stopped" in n for n in a["notes"]), a["notes"])
    # stopped at 5 of 10 asked: a lower bound cannot say whether 10 fit (16 do)
    a = st["server"].json("POST", "/capacity", {"template": WEB, "replicas": 10, "max": 5})
    eq((a["count"], a["limited"], a["fits"]), (5, True, None), "cannot tell below the bound")
    status, _, body = st["server"].request("POST", "/capacity?output=table&replicas=10&max=5", WEB)
    eq(body.decode().splitlines()[:4], ["NODE        COPIES  WHY NOT MORE",
                                        "eks-node-a       5  (counting stopped)",
                                        "eks-node-b       0  (counting stopped)", ""], "table rows")
    check("5 more copies fit (at least); 10 asked: cannot tell (counting stopped first)\n" in body.decode(), body)
    body = st["server"].request("POST", "/capacity?output=table&max=1&perNode=false", WEB)[2].decode()
    check(body.startswith("Pod web in default: 1 more copy fits (at least)\n"), body)


def test_capacity_refuses_a_misspelled_field_unless_asked_not_to(st):
    # "request" for "requests": read as absent, the pod would ask for nothing
    # and the count would be pod slots whatever the cpu. The API server's
    # strict field validation refuses it; so does headroom, naming the path.
    typo = copy.deepcopy(pod(cpu="500m", memory="10Mi"))
    res = typo["spec"]["containers"][0]["resources"]
    res["request"] = res.pop("requests")
    expect_error(st["server"], "POST", "/capacity", typo, 400,
                 "spec.containers[0].resources.request: unknown field")
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}],
                                          "tolerations": [{"operator": "Exists", "efect": "NoSchedule"}]}}}}
    expect_error(st["server"], "POST", "/capacity", dep, 400,
                 "spec.template.spec.tolerations[0].efect: unknown field")
    # validate=warn answers as the API server would store it (the field
    # dropped: no requests, 16 pod slots) and says so; ignore says nothing.
    a = st["server"].json("POST", "/capacity?validate=warn", typo)
    eq(a["count"], 16, "count with the field dropped")
    check(any('unknown field "spec.containers[0].resources.request"' in n for n in a["notes"]),
          a["notes"])
    a = st["server"].json("POST", "/capacity?validate=ignore", typo)
    check(not any("unknown field" in n for n in a["notes"]), a["notes"])
    expect_error(st["server"], "POST", "/capacity?validate=maybe", typo, 400,
                 "validate: want strict, warn or ignore")
    # Spelled right: cpu bounds it (3 + 3).
    eq(st["server"].json("POST", "/capacity", pod(cpu="500m", memory="10Mi"))["count"], 6,
       "count spelled right")


def test_a_newline_in_the_path_cannot_forge_a_log_line(st):
    # civetweb percent-decodes the path the request log line carries
    st["server"].request("GET", "/x%0AE1204%2012:00:00.000000%20forged")
    logs = st["server"].wait_log("path=/x?E1204 12:00:00.000000 forged status=404")
    check("path=/x?E1204 12:00:00.000000 forged status=404" in logs, logs[-1000:])
    check("\nE1204 12:00:00.000000 forged" not in logs, logs[-1000:])


def test_json_logs_are_one_valid_json_object_per_line(st):
    s = Server(st["certs"], extra=["--log-format", "json", "-v", "2"])
    try:
        s.request("GET", "/x%22%0Ay%FFz")  # a quote, a newline, a byte that is not UTF-8
        s.request("POST", "/capacity", WEB)
        # every byte of the path escaped: 6 times as long, still one whole line
        eq(s.request("GET", "/long" + "%FF" * 700)[0], 404, "long path status")
        for n in (2, 3, 4):  # each request's line is written by its own worker
            s.wait_log('"msg":"request id=%d ' % n)
        with open(s.log.name, "rb") as f:
            lines = f.read().decode("utf-8").splitlines()  # strict: the log is UTF-8
    finally:
        s.stop()
    events = [json.loads(line) for line in lines]
    for e in events:
        check({"ts", "level", "caller", "msg"} <= set(e), e)
    msgs = [e["msg"] for e in events]
    check(any(m.startswith('request id=2 method=GET path=/x"\ny\ufffdz status=404 ') for m in msgs), msgs)
    check(any(m.startswith("request id=3 method=POST path=/capacity status=200 ") for m in msgs), msgs)
    check(any(m.startswith("request id=4 method=GET path=/long" + "\ufffd" * 700 + " status=404 ") for m in msgs),
          msgs)
    eq(events[0]["level"], "info", "level name")


def test_capacity_namespace_parameters_as_kubectl(st):
    s = st["server"]
    unnamed = copy.deepcopy(WEB)
    unnamed["metadata"].pop("namespace", None)
    ns = lambda a: (a["pod"]["namespace"], a["count"])
    eq(ns(s.json("POST", "/capacity", unnamed)), ("default", 16), "no namespace anywhere")
    eq(ns(s.json("POST", "/capacity?namespace=kube-system", unnamed)), ("kube-system", 16), "namespace=")
    eq(ns(s.json("POST", "/capacity?defaultNamespace=kube-system", unnamed)), ("kube-system", 16),
       "defaultNamespace=")
    eq(ns(s.json("POST", "/capacity?defaultNamespace=kube-system", WEB)), ("default", 16),
       "the pod's own namespace over the default")
    envelope = {"template": unnamed, "replicas": 2}
    eq(ns(s.json("POST", "/capacity?namespace=kube-system", envelope)), ("kube-system", 16), "envelope")
    expect_error(s, "POST", "/capacity?namespace=kube-system", WEB, 400,
                 'metadata.namespace: "default" does not match the namespace asked for, "kube-system"')
    expect_error(s, "POST", "/capacity?namespace=Kube_System", WEB, 400,
                 'query parameter namespace: "Kube_System" is not a namespace name')
    expect_error(s, "POST", "/capacity?defaultNamespace=" + "a" * 64, WEB, 400,
                 'query parameter value too long "defaultNamespace"')
    expect_error(s, "POST", "/capacity?defaultNamespace=a.b", WEB, 400,
                 'query parameter defaultNamespace: "a.b" is not a namespace name')
    # a misspelled parameter is refused, not ignored
    expect_error(s, "POST", "/capacity?replica=3", WEB, 400, 'unknown query parameter "replica" (it takes replicas,')
    expect_error(s, "GET", "/capacity?pod=%7B%7D&outptu=table", None, 400, 'unknown query parameter "outptu"')
    # nor is one read as absent: twice, without a value, too long, nameless
    for query, fragment in (("replicas=3&replicas=1000", 'query parameter given twice "replicas"'),
                            ("replicas", 'query parameter without a value (name=value) "replicas"'),
                            ("output=" + "table" + "e" * 60, 'query parameter value too long "output"'),
                            ("replicas=" + "0" * 70 + "3", 'query parameter value too long "replicas"'),
                            ("=3", 'a query value without a name ""'),
                            ("namespace=a&defaultNamespace=b", "namespace and defaultNamespace: give one"),
                            ("namespace=a%00b", 'query parameter value with a NUL byte (%00) "namespace"'),
                            ("replicas=3%00junk", 'query parameter value with a NUL byte (%00) "replicas"'),
                            ("pod=%7B%7D", 'unknown query parameter "pod"')):  # POST: the body is the pod
        expect_error(s, "POST", "/capacity?" + query, WEB, 400, fragment)
    eq(s.json("POST", "/capacity?&&replicas=3&", WEB)["replicas"], 3, "empty pairs are nothing")
    eq(s.json("POST", "/capacity?replicas=" + "0" * 60 + "3", WEB)["replicas"], 3, "a long value that fits")
    # a pod whose YAML metadata line is empty (null) still gets the asked namespace
    status, _, body = s.request("POST", "/capacity?namespace=kube-system",
                                b"kind: Pod\napiVersion: v1\nmetadata:\nspec:\n  containers: [{name: c}]\n",
                                headers={"Content-Type": "application/yaml"})
    eq((status, json.loads(body)["pod"]["namespace"]), (200, "kube-system"), "null metadata")
    # a workload's own metadata names the pod's namespace: a wrong type is not "none"
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": 5},
                  "spec": {"template": {"spec": WEB["spec"]}}}
    expect_error(s, "POST", "/capacity?namespace=kube-system", deployment, 400,
                 "metadata.namespace: must be a string, got number")
    deployment["metadata"] = "d"
    expect_error(s, "POST", "/capacity?namespace=kube-system", deployment, 400, "metadata: must be an object, got string")
    # the envelope is headroom's own: a key it does not take is refused
    expect_error(s, "POST", "/capacity", {"template": WEB, "replica": 3}, 400,
                 "replica: unknown field in the envelope (it takes template, replicas and max)")


def test_capacity_get_routes(st):
    a = st["server"].json("GET", capacity_path(WEB, replicas=2))
    eq((a["count"], a["fits"]), (16, True), "GET /capacity")
    path = "/statistics/user/add_pod?" + __import__("urllib.parse").parse.urlencode({"config": json.dumps(WEB)})
    eq(st["server"].json("GET", path)["count"], 16, "original route")


def test_capacity_unreachable_taint_tolerated_by_admission(st):
    # A pod written without tolerations gets DefaultTolerationSeconds, as in a
    # real cluster, so NoExecute not-ready/unreachable taints do not block it.
    with open(EKS) as f:
        doc = json.load(f)
    for item in doc["items"]:
        if item["kind"] == "Node":
            item["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(doc, tmp)
    tmp.close()
    s = Server(st["certs"], snapshot=tmp.name)
    try:
        eq(s.json("POST", "/capacity", WEB)["count"], 16, "unreachable NoExecute tolerated")
        # a toleration that names the key with effect NoSchedule does not cover
        # NoExecute, so DefaultTolerationSeconds still adds its own
        own = pod()
        own["spec"]["tolerations"] = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                       "effect": "NoSchedule"}]
        eq(s.json("POST", "/capacity", own)["count"], 16, "NoSchedule toleration plus the default one")
    finally:
        s.stop()
    # the NoSchedule variant of the taint still filters a pod written without tolerations
    for item in doc["items"]:
        if item["kind"] == "Node":
            item["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]
    with open(tmp.name, "w") as f:
        json.dump(doc, f)
    s = Server(st["certs"], snapshot=tmp.name)
    try:
        a = s.json("POST", "/capacity", WEB)
        eq(a["count"], 0, "NoSchedule unreachable taint")
        eq(a["message"], "0/2 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.",
           "message")
    finally:
        s.stop()
        os.unlink(tmp.name)


# ---- filter -----------------------------------------------------------------

def test_filter_node_names_mode(st):
    # 1300Mi: node-a has 1437.34 - 140 = 1297.34Mi free (fails), node-b 1437.34Mi (fits)
    args = {"Pod": scheduler_pod("1300Mi"), "Nodes": None, "NodeNames": ["eks-node-a", "eks-node-b", "ghost"]}
    r = st["server"].json("POST", "/filter", args)
    eq(r["NodeNames"], ["eks-node-b"], "NodeNames")
    eq(r["Nodes"], None, "Nodes")
    eq(r["FailedNodes"], {"eks-node-a": "Insufficient memory",
                          "ghost": "node(s) were not found in headroom's cluster snapshot"}, "FailedNodes")
    eq(r["FailedAndUnresolvableNodes"], {}, "unresolvable")
    eq(r["Error"], "", "Error")


def test_filter_unresolvable_goes_to_its_map(st):
    args = {"Pod": scheduler_pod("2000Mi"), "Nodes": None, "NodeNames": ["eks-node-a", "eks-node-b"]}
    r = st["server"].json("POST", "/filter", args)
    eq(r["NodeNames"], [], "none fit")
    eq(r["FailedAndUnresolvableNodes"], {"eks-node-a": "Insufficient memory", "eks-node-b": "Insufficient memory"},
       "request > allocatable is unresolvable")


def test_filter_full_nodes_mode_returns_objects_byte_for_byte(st):
    with open(EKS) as f:
        nodes = [i for i in json.load(f)["items"] if i["kind"] == "Node"]
    for n in nodes:
        del n["kind"], n["apiVersion"]
    # unusual but valid JSON formatting that a re-encoder would change
    texts = [json.dumps(n, indent=1).replace('"pods": "11"', '"pods" :  "11"') for n in nodes]
    texts[1] = texts[1].replace('"kubernetes.io/hostname"', '"kubernetes.io\\/hostname"')
    body = '{"Pod": %s, "Nodes": {"metadata": {}, "items": [%s]}, "NodeNames": null}' % (
        json.dumps(scheduler_pod("1300Mi")), ", ".join(texts))
    status, _, data = st["server"].request("POST", "/filter", body)
    eq(status, 200, "status")
    check(texts[1].encode() in data, "node-b must come back exactly as sent")
    check(texts[0].encode() not in data, "node-a must not come back")
    r = json.loads(data)
    eq([n["metadata"]["name"] for n in r["Nodes"]["items"]], ["eks-node-b"], "Nodes.items")
    eq(r["NodeNames"], None, "NodeNames is null in Nodes mode")
    eq(r["FailedNodes"], {"eks-node-a": "Insufficient memory"}, "FailedNodes")


def test_filter_full_nodes_mode_uses_sent_objects(st):
    # a node the snapshot does not know, and node-b tainted in the request only
    with open(EKS) as f:
        nodes = [i for i in json.load(f)["items"] if i["kind"] == "Node"]
    extra = copy.deepcopy(nodes[0])
    extra["metadata"]["name"] = "eks-node-new"
    extra["metadata"]["resourceVersion"] = "1"
    nodes[1]["spec"]["taints"] = [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    nodes[1]["metadata"]["resourceVersion"] = "changed"
    args = {"Pod": scheduler_pod("100Mi"), "Nodes": {"metadata": {}, "items": nodes + [extra]}, "NodeNames": None}
    r = st["server"].json("POST", "/filter", args)
    eq([n["metadata"]["name"] for n in r["Nodes"]["items"]], ["eks-node-a", "eks-node-new"], "passed")
    eq(r["FailedAndUnresolvableNodes"], {"eks-node-b": "node(s) had untolerated taint {dedicated: gpu}"}, "taint")


def test_filter_prefilter_conflict_rejects_every_node(st):
    p = scheduler_pod("100Mi")
    p["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["x"]},
                                               {"key": "metadata.name", "operator": "In", "values": ["y"]}]}]}}}
    r = st["server"].json("POST", "/filter", {"Pod": p, "Nodes": None, "NodeNames": ["eks-node-a"]})
    eq(r["FailedAndUnresolvableNodes"], {"eks-node-a": "pod affinity terms conflict"}, "conflict")


def test_filter_accepts_lowercase_keys(st):
    r = st["server"].json("POST", "/filter", {"pod": scheduler_pod("100Mi"), "nodenames": ["eks-node-a"]})
    eq(r["NodeNames"], ["eks-node-a"], "case-insensitive keys")


# ---- bad input --------------------------------------------------------------

def expect_error(s, method, path, body, status, fragment, headers=None):
    got, headers, data = s.request(method, path, body, headers=headers)
    eq(got, status, "%s %s status (body %r)" % (method, path, data[:300]))
    err = json.loads(data)["error"]
    check(fragment in err, "error %r should mention %r" % (err, fragment))


def test_bad_requests_get_4xx_naming_the_problem(st):
    s = st["server"]
    expect_error(s, "POST", "/filter", "{", 400, "not valid JSON")
    expect_error(s, "POST", "/filter", "[]", 400, "must be a JSON object")
    expect_error(s, "POST", "/filter", {"Nodes": None, "NodeNames": []}, 400, "Pod")
    expect_error(s, "POST", "/filter", {"Pod": scheduler_pod("1Mi")}, 400, "NodeNames or Nodes")
    expect_error(s, "POST", "/filter", {"Pod": scheduler_pod("1Mi"), "NodeNames": [1]}, 400, "NodeNames")
    bad = scheduler_pod("1Mi")
    bad["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "12x"
    expect_error(s, "POST", "/filter", {"Pod": bad, "NodeNames": []}, 400,
                 "Pod.spec.containers[0].resources.requests.cpu")
    expect_error(s, "POST", "/capacity", "", 400, "empty body")
    expect_error(s, "POST", "/capacity", "{\"kind\": \"Pod\", \"spec\": 3}", 400, "spec")
    expect_error(s, "POST", "/capacity", pod(cpu="lots"), 400, "spec.containers[0].resources.requests.cpu")
    expect_error(s, "POST", "/capacity", {"kind": "ConfigMap"}, 400, "ConfigMap")
    expect_error(s, "POST", "/capacity", "kind: Pod\nspec: [unclosed", 400, "line")
    expect_error(s, "POST", "/capacity", "[" * 100000 + "]" * 100000, 400, "nests deeper")
    expect_error(s, "POST", "/capacity?replicas=-1", WEB, 400, "replicas")
    expect_error(s, "POST", "/capacity?output=xml", WEB, 400, "output")
    expect_error(s, "POST", "/capacity?perNode=maybe", WEB, 400, "perNode: want true or false")
    expect_error(s, "POST", "/capacity", json.dumps(WEB) + " garbage", 400,
                 "unexpected bytes after the JSON object")
    expect_error(s, "POST", "/filter", {"Pod": scheduler_pod("1Mi"), "Nodes": "x"}, 400,
                 "Nodes: must be a NodeList object, got string")
    expect_error(s, "POST", "/filter", {"Pod": scheduler_pod("1Mi"), "NodeNames": {}}, 400,
                 "NodeNames: must be an array of node names, got object")
    expect_error(s, "POST", "/filter", {"Pod": [], "NodeNames": []}, 400,
                 "Pod: must be a Pod object, got array")
    expect_error(s, "GET", "/capacity", None, 400, "pod")
    expect_error(s, "GET", "/capacity?pod=%ZZ%", None, 400, "bad percent-encoding at byte 4")
    expect_error(s, "GET", "/capacity?pod=", None, 400, "query parameter pod is empty")
    expect_error(s, "GET", "/nope", None, 404, "/nope")
    expect_error(s, "POST", "/filter", WEB, 400,
                 "Pod: required: the body is kube-scheduler's ExtenderArgs {\"Pod\": ..., \"NodeNames\": [...]}; "
                 "for a pod alone, POST it to /capacity")
    # every byte of the path escaped in the error: 6 times as long, still a 404
    expect_error(s, "GET", "/long" + "%01" * 300 + "%FF" * 400, None, 404, "no route /long\u0001")
    expect_error(s, "DELETE", "/capacity", None, 405, "DELETE")
    expect_error(s, "GET", "/filter", None, 405, "GET")
    limit = pod(cpu="1", memory="1Gi")
    limit["spec"]["containers"][0]["resources"]["limits"] = {"cpu": "500m"}
    expect_error(s, "POST", "/capacity", limit, 400, "must be less than or equal to its limit")


def test_body_over_the_limit_is_413(st):
    s = Server(st["certs"], extra=["--max-body-bytes", "4096"])
    try:
        expect_error(s, "POST", "/capacity", "x" * 5000, 413, "limit of 4096")
        eq(s.json("POST", "/capacity", WEB)["count"], 16, "small bodies still work")
        # chunked: no declared length, the limit holds all the same
        for size, status in ((5000, 413), (70000, 413), (4096, 400)):
            conn = s.connection()
            try:
                conn.request("POST", "/capacity", body=iter([b" " * (size - 1), b"x"]),
                             encode_chunked=True)
                r = conn.getresponse()
                data = r.read()
            finally:
                conn.close()
            eq(r.status, status, "chunked body of %d bytes: %s" % (size, data[:200]))
        conn = s.connection()
        try:
            conn.request("POST", "/capacity", body=iter([json.dumps(WEB).encode()]),
                         encode_chunked=True)
            r = conn.getresponse()
            eq((r.status, json.loads(r.read())["count"]), (200, 16), "small chunked body")
        finally:
            conn.close()
    finally:
        s.stop()


def raw_exchange(s, data, read_until_close=True, timeout=5):
    """Sends bytes over TLS as they are and returns what came back."""
    ctx = s.certs.client_context(True)
    with socket.create_connection(("127.0.0.1", s.port), timeout=timeout) as sock:
        with ctx.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(data)
            out = b""
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ssl.SSLError, ConnectionError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
                if not read_until_close and b"\r\n\r\n" in out:
                    break
            return out


def test_media_types_methods_and_http_layer_errors_are_json(st):
    s = st["server"]
    expect_error(s, "POST", "/capacity", WEB, 415, "Content-Type application/xml is not supported",
                 headers={"Content-Type": "application/xml"})
    expect_error(s, "POST", "/filter", "{}", 415, "application/vnd.kubernetes.protobuf",
                 headers={"Content-Type": "application/vnd.kubernetes.protobuf"})
    expect_error(s, "POST", "/capacity", WEB, 415, "Content-Encoding gzip is not supported",
                 headers={"Content-Encoding": "gzip"})
    for ctype in ("application/json; charset=utf-8", "application/yaml",
                  "application/x-www-form-urlencoded", "text/plain"):
        status, _, _ = s.request("POST", "/capacity", WEB, headers={"Content-Type": ctype})
        eq(status, 200, ctype)
    status, headers, _ = s.request("GET", "/filter")
    eq((status, headers.get("Allow")), (405, "POST"), "405 names what is allowed")
    status, headers, _ = s.request("DELETE", "/capacity")
    eq((status, headers.get("Allow")), (405, "GET, HEAD, POST"), "405 on /capacity")
    # errors civetweb raises before a route is chosen: JSON too
    for request, status in ((b"TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
                            (b"POST /capacity HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"411"),
                            (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"400")):
        reply = raw_exchange(s, request)
        head, _, body = reply.partition(b"\r\n\r\n")
        check(head.split(b" ")[1] == status, head[:100])  # HTTP/1.0 when unparsable
        check(b"application/json" in head, head)
        check("error" in json.loads(body), body)


def test_expect_100_continue_is_answered(st):
    """curl sends Expect: 100-continue for bodies over 1 MiB and waits a second
    for it; the server answers at once and the reply follows."""
    s = st["server"]
    body = json.dumps(WEB).encode()
    ctx = s.certs.client_context(True)
    with socket.create_connection(("127.0.0.1", s.port), timeout=5) as sock:
        with ctx.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"POST /capacity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
            start = time.monotonic()
            interim = tls.recv(4096)
            waited = time.monotonic() - start
            check(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            check(waited < 0.5, "100 Continue came after %.2f s" % waited)
            tls.sendall(body)
            reply = interim[25:]
            while b"\r\n\r\n" not in reply or len(reply.partition(b"\r\n\r\n")[2]) < 50:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                reply += chunk
    head, _, rest = reply.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200"), head)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    eq(json.loads(rest[:length])["count"], 16, "the answer after 100 Continue")


# ---- transport -----------------------------------------------------------------

def test_keep_alive_serves_many_requests_on_one_connection(st):
    conn = st["server"].connection()
    try:
        for _ in range(20):
            conn.request("POST", "/capacity?perNode=false", json.dumps(WEB))
            resp = conn.getresponse()
            eq(json.loads(resp.read())["count"], 16, "count")
            check("perNode" not in resp.headers, "perNode=false")
    finally:
        conn.close()


def test_tls_below_1_2_is_refused(st):
    warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is the point here
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(st["certs"].path("ca.crt"))
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        return  # this OpenSSL cannot even offer TLS 1.1
    with socket.create_connection(("127.0.0.1", st["server"].port), timeout=5) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1"):
                raise AssertionError("a TLS 1.1 handshake succeeded")
        except ssl.SSLError:
            pass
    conn = st["server"].connection(max_version=ssl.TLSVersion.TLSv1_2)
    conn.request("GET", "/healthz")
    eq(conn.getresponse().status, 200, "TLS 1.2 works")
    conn.close()


def test_plain_http_is_not_served(st):
    with socket.create_connection(("127.0.0.1", st["server"].port), timeout=5) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = raw.recv(100)
        except ConnectionResetError:
            data = b""
        check(not data.startswith(b"HTTP/1.1 200"), "plain HTTP must not be answered")


def test_slow_client_is_cut_off_and_others_are_served(st):
    s = Server(st["certs"], extra=["--request-timeout-ms", "1000"])
    try:
        ctx = st["certs"].client_context()
        raw = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(b"POST /capacity HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        start = time.time()
        eq(s.json("POST", "/capacity", WEB)["count"], 16, "a well-behaved request meanwhile")
        check(time.time() - start < 2, "well-behaved request was not delayed")
        tls.settimeout(10)
        try:
            data = tls.recv(4096)
        except (ssl.SSLError, OSError):
            data = b""
        check(time.time() - start < 8, "the slow client was dropped within the timeout")
        check(b"200 OK" not in data, data)
        tls.close()
    finally:
        s.stop()


# ---- reload -----------------------------------------------------------------------

def test_sighup_reloads_and_keeps_old_on_bad_file(st):
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    with open(EKS) as f:
        doc = json.load(f)
    json.dump(doc, tmp)
    tmp.close()
    s = Server(st["certs"], snapshot=tmp.name)
    try:
        eq(s.json("POST", "/capacity", WEB)["count"], 16, "before")
        # drop the two pods on node-b except aws-node: kube-proxy frees a slot
        doc["items"] = [i for i in doc["items"] if i["metadata"]["name"] != "kube-proxy-82mb2"]
        with open(tmp.name, "w") as f:
            json.dump(doc, f)
        s.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while s.json("POST", "/capacity", WEB)["count"] != 17 and time.time() < deadline:
            time.sleep(0.05)
        eq(s.json("POST", "/capacity", WEB)["count"], 17, "after reload")
        with open(tmp.name, "w") as f:
            f.write('{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": 5}}]}')
        s.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "snapshot reload refused" not in s.logs() and time.time() < deadline:
            time.sleep(0.05)
        check("snapshot reload refused" in s.logs() and "items[0].metadata.name" in s.logs(), s.logs())
        eq(s.json("POST", "/capacity", WEB)["count"], 17, "old snapshot kept")
        eq(s.request("GET", "/readyz")[0], 200, "still ready")
    finally:
        s.stop()
        os.unlink(tmp.name)


def test_reload_under_concurrent_requests(st):
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    shutil.copyfile(EKS, tmp.name)
    s = Server(st["certs"], snapshot=tmp.name)
    errors = []

    def client():
        try:
            conn = s.connection()
            for _ in range(40):
                conn.request("POST", "/capacity", json.dumps(WEB))
                r = conn.getresponse()
                body = r.read()
                if r.status != 200 or json.loads(body)["count"] != 16:
                    errors.append((r.status, body[:200]))
            conn.close()
        except Exception as e:  # any transport error is a failure here
            errors.append(repr(e))

    try:
        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for _ in range(20):
            s.signal(signal.SIGHUP)
            time.sleep(0.02)
        for t in threads:
            t.join()
        eq(errors, [], "errors during reloads")
    finally:
        s.stop()
        os.unlink(tmp.name)


def test_metrics_count_requests(st):
    s = st["server"]
    before = s.request("GET", "/metrics")[2].decode()
    s.json("POST", "/capacity", WEB)
    after = s.request("GET", "/metrics")[2].decode()

    def value(text, prefix):
        for line in text.splitlines():
            if line.startswith(prefix):
                return float(line.split()[-1])
        return 0.0

    key = 'headroom_http_requests_total{route="/capacity",code="200"}'
    eq(value(after, key) - value(before, key), 1.0, "capacity counter moved by one")
    check("headroom_snapshot_nodes 2" in after, "snapshot gauge")


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
