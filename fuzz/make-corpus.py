#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the repository's own test data.

Sources: tests/vectors (pods and cluster snapshots answered by kube-scheduler),
tests/fixtures (real clusters, admission reviews, scheduler-perf templates), examples/,
and strings taken from the unit tests (tests/predicates, tests/extender). Seeds are
small (a few KB), at most 20 per target. Run it again after changing a harness's input
format; `make fuzz` never writes to fuzz/corpus itself.
"""
import glob
import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MAX_SEEDS = 20
MAX_BYTES = 6000


def rel(*p):
    return os.path.join(TOP, *p)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def vector(name):
    with open(rel("tests", "vectors", name + ".json")) as f:
        return json.load(f)


def read(*p):
    with open(rel(*p), "rb") as f:
        return f.read()


def items(*p):
    with open(rel(*p)) as f:
        return json.load(f)["items"]


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    kept = 0
    for name, data in seeds:
        if isinstance(data, str):
            data = data.encode()
        if len(data) > MAX_BYTES or kept == MAX_SEEDS:
            continue
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        kept += 1
    print("%-14s %2d seeds" % (target, kept))


# Namespaces, LimitRanges and RuntimeClasses (the shapes of tests/predicates/test_admit.c).
CLUSTER_OBJECTS = [
    {"kind": "Namespace", "metadata": {"name": "team-a", "labels": {"team": "a"},
                                       "annotations": {"headroom.io/enforce": "deny"}}},
    {"kind": "LimitRange", "metadata": {"name": "lr", "namespace": "team-a"}, "spec": {"limits": [
        {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
         "defaultRequest": {"cpu": "100m"}, "max": {"cpu": "2"}, "min": {"memory": "1Mi"},
         "maxLimitRequestRatio": {"cpu": "4"}},
        {"type": "Pod", "max": {"cpu": "3"}},
        {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}}]}},
    {"kind": "RuntimeClass", "apiVersion": "node.k8s.io/v1", "metadata": {"name": "kata"},
     "handler": "kata", "overhead": {"podFixed": {"cpu": "250m", "memory": "120Mi"}},
     "scheduling": {"nodeSelector": {"runtime": "kata"}, "tolerations": [
         {"key": "kata", "operator": "Exists", "effect": "NoSchedule"},
         {"operator": "Exists", "tolerationSeconds": 30, "effect": "NoExecute"}]}},
    {"kind": "RuntimeClass", "metadata": {"name": "runc"}, "handler": "runc"},
]

# Pods whose specs between them use every field the decoder reads.
POD_VECTORS = ["basic-1002", "basic-1003", "basic-1006", "basic-1026", "basic-1028",
               "basic-1034", "basic-1039", "coupled-2000", "coupled-2001", "coupled-2002",
               "coupled-2015"]

QUANTITIES = ["250m", "1Gi", "2", "129e6", "0.35", "1.5Ki", "-1", "+4", "1e-9", "100n",
              "5u", "1E3", "1.", ".5", "12x", "", "1Ei", "9223372036854775807", " 1Mi ",
              "0.000000001Gi"]


def seeds_quantity():
    return [("q%02d" % i, q) for i, q in enumerate(QUANTITIES)]


def seeds_selector():
    env = [
        {"selector": {"matchLabels": {"app": "web"}}, "labels": {"app": "web"}},
        {"selector": {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["3"]},
                                           {"key": "tier", "operator": "DoesNotExist"}]},
         "labels": {"cores": "4"}, "nodeName": "n1"},
        {"selector": {}, "nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": ["n1", "n2"]}]}],
         "labels": {}, "nodeName": "n1"},
        {"selector": {"matchExpressions": [{"key": "env", "operator": "NotIn",
                                            "values": ["prod", "staging"]}]},
         "nodeSelectorTerms": [{"matchExpressions": [
             {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a"]}]},
             {"matchExpressions": [{"key": "disk", "operator": "Exists"}]}],
         "labels": {"topology.kubernetes.io/zone": "a", "env": "dev"}},
        {"selector": {"matchExpressions": [{"key": "n", "operator": "Lt", "values": ["-2"]}]},
         "nodeSelectorTerms": [{"matchExpressions": [{"key": "n", "operator": "Gt",
                                                      "values": ["007"]}]}],
         "labels": {"n": "8"}},
        {"selector": {"matchExpressions": [{"key": "bad key!", "operator": "In", "values": []}]},
         "nodeSelectorTerms": [], "labels": {"example.com/a-b_c.d": "x" * 63}},
        {"selector": None, "nodeSelectorTerms": [{}], "labels": {"a": ""}},
        {"selector": {"matchLabels": {"a": "b"}, "matchExpressions": [
            {"key": "a", "operator": "Exists", "values": ["x"]}]},
         "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Foo"}]}],
         "labels": {"a": "b"}},
    ]
    seeds = [("env%02d" % i, compact(e)) for i, e in enumerate(env)]
    # node affinity terms and selectors exactly as the vectors' pods write them
    for name in ["basic-1026", "basic-1028", "basic-1039", "coupled-2002", "coupled-2015"]:
        spec = vector(name)["pod"]["spec"]
        aff = spec.get("affinity", {})
        terms = aff.get("nodeAffinity", {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms")
        sel = None
        for kind in ("podAffinity", "podAntiAffinity"):
            for t in aff.get(kind, {}).get("requiredDuringSchedulingIgnoredDuringExecution", []):
                sel = t.get("labelSelector")
        for c in spec.get("topologySpreadConstraints", []):
            sel = sel or c.get("labelSelector")
        seeds.append((name, compact({"selector": sel, "nodeSelectorTerms": terms,
                                     "labels": spec.get("nodeSelector", {"app": "x"}),
                                     "nodeName": "node-01"})))
    return seeds


def seeds_pod():
    seeds = [(n, compact(vector(n)["pod"])) for n in POD_VECTORS]
    pods = items("tests", "fixtures", "real-clusters", "eks-arm64-tainted-2node", "pods.json")
    seeds += [("eks-pod%d" % i, compact(p)) for i, p in enumerate(pods[:4])]
    seeds.append(("team-a-limitranger", compact(
        {"metadata": {"name": "p", "namespace": "team-a"},
         "spec": {"containers": [{"name": "c", "resources": {"limits": {"memory": "1Gi"}}}],
                  "initContainers": [{"name": "i"}]}})))
    seeds.append(("kata-runtimeclass", compact(
        {"metadata": {"name": "p", "namespace": "default"},
         "spec": {"runtimeClassName": "kata", "containers": [{"name": "c"}],
                  "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}}})))
    seeds.append(("sidecar-ports", compact(
        {"metadata": {"name": "p", "namespace": "default"},
         "spec": {"hostNetwork": True, "initContainers": [
             {"name": "s", "restartPolicy": "Always", "ports": [{"containerPort": 9000}],
              "resources": {"requests": {"cpu": "200m"}}}],
             "containers": [{"name": "c", "ports": [{"containerPort": 80, "protocol": "UDP",
                                                     "hostIP": "10.0.0.1"}]}],
             "overhead": {"cpu": "10m"}, "schedulingGates": [{"name": "g"}],
             "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "x"}}]},
         "status": {"phase": "Pending", "containerStatuses": [
             {"name": "c", "resources": {"requests": {"cpu": "1"}},
              "allocatedResources": {"cpu": "1"}}]}})))
    return seeds


def seeds_node():
    seeds = []
    for cluster, n in [("eks-arm64-tainted-2node", 1), ("openshift-gcp-6node", 1),
                       ("openshift-lab-2node", 1)]:
        for i, node in enumerate(items("tests", "fixtures", "real-clusters", cluster,
                                       "nodes.json")[:n]):
            node.setdefault("kind", "Node")
            node["metadata"].pop("managedFields", None)
            node["status"].pop("images", None)
            seeds.append(("%s-%d" % (cluster, i), compact(node)))
    for name in ["basic-1034", "basic-1002", "coupled-2001"]:
        for it in vector(name)["snapshot"]["items"]:
            if it["kind"] == "Node":
                seeds.append((name + "-node", compact(it)))
                break
    for i, obj in enumerate(CLUSTER_OBJECTS):
        seeds.append(("obj-%s-%d" % (obj["kind"], i), compact(obj)))
    return seeds


def seeds_snapshot():
    seeds = []
    for name in ["basic-1034", "basic-1105", "basic-1026", "basic-1136", "coupled-2032"]:
        seeds.append((name, compact(vector(name)["snapshot"])))
    nodes = {"apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "77"},
             "items": []}
    for node in items("tests", "fixtures", "real-clusters", "eks-arm64-tainted-2node",
                      "nodes.json")[:1]:
        node.pop("kind", None)
        node["metadata"].pop("managedFields", None)
        node["status"].pop("images", None)
        nodes["items"].append(node)
    seeds.append(("nodelist-kindless", compact(nodes)))
    seeds.append(("list-admission-objects", compact(
        {"kind": "List", "apiVersion": "v1",
         "items": CLUSTER_OBJECTS + vector("basic-1034")["snapshot"]["items"]})))
    seeds.append(("single-node", compact(vector("basic-1034")["snapshot"]["items"][2])))
    seeds.append(("kind-after-items", '{"items":[{"kind":"Namespace","metadata":{"name":"a"}}],'
                  '"metadata":{"resourceVersion":"9"},"kind":"List"}'))
    seeds.append(("empty-list", '{"kind":"PodList","items":[]}'))
    return seeds


def seeds_jsonspan():
    seeds = [
        ("list", '{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"12\\u003345"},'
                 '"items":[{"kind":"Node","metadata":{"name":"node-\\u00e9\\ud83d\\ude00"}},12,'
                 '-0.5e+3,0,"str\\u0041ing \xc3\xbc \xe6\x97\xa5 \xf0\x9f\x98\x80",true,false,'
                 'null,[],{},[1,[2,[3]],{"k":[4,"]"]}],1E9]}'),
        ("array", '[1, "two", {"three": [3]}, null]'),
        ("scalar", '"a\\"b\\\\c\\/\\b\\f\\n\\r\\t"'),
        ("deep", "[" * 40 + "]" * 40),
        ("dupkeys", '{"items":[1],"items":[2],"na\\u006de":"x","name":"y"}'),
        ("ws", ' \t\r\n{ "metadata" : { "name" : "n" } , "items" : null } \n'),
        ("surrogate", '{"k\\ud800":"\\udc00\\ud800"}'),
        ("numbers", '[0,-0,1.5e-3,1E+2,-12.0e0,123456789012345678901234567890]'),
    ]
    seeds.append(("vector-1034", compact(vector("basic-1034")["snapshot"])))
    seeds.append(("extender-args", read("examples", "extender-args.json")))
    return seeds


def seeds_extender_args():
    base = json.loads(read("examples", "extender-args.json"))
    seeds = [("nodenames", compact(base))]
    names = dict(base, NodeNames=["node-a", "node-b", "node-c", "nope"])
    seeds.append(("nodenames-fixed", compact(names)))
    snap = vector("basic-1034")["snapshot"]["items"]
    nodes = dict(base, NodeNames=None,
                 Nodes={"items": [it for it in snap if it["kind"] == "Node"]})
    seeds.append(("nodes-mode", compact(nodes)))
    for name in ["coupled-2001", "basic-1028", "basic-1002"]:
        pod = vector(name)["pod"]
        seeds.append((name, compact({"pod": pod, "nodenames": ["node-a", "node-b", "node-c"]})))
    seeds.append(("lowercase-keys", '{"pod":{"metadata":{"name":"p"},"spec":{"containers":'
                  '[{"name":"c"}]}},"nodes":null,"nodeNames":["node-b"]}'))
    return seeds


def seeds_capacity():
    seeds = [(os.path.basename(p), read(p)) for p in sorted(glob.glob(rel("examples", "pods",
                                                                           "*.yaml")))]
    for p in ["pod-with-pod-anti-affinity.yaml", "pod-with-topology-spreading.yaml",
              "pod-with-node-affinity.yaml", "pod-hostport-80.yaml",
              "pod-with-extended-resource.yaml", "unschedulable-pod-taint-toleration.yaml"]:
        seeds.append(("perf-" + p, read("tests", "fixtures", "scheduler-perf", "templates", p)))
    for name in ["coupled-2000", "coupled-2002", "basic-1006", "basic-1039"]:
        seeds.append((name + ".json", compact(vector(name)["pod"])))
    tmpl = {"metadata": {"labels": {"app": "w"}},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "300m"}}}]}}
    seeds.append(("envelope.json", compact({"template": {"kind": "Deployment", "metadata": {
        "name": "w", "namespace": "team-a"}, "spec": {"replicas": 5, "template": tmpl}},
        "replicas": 9, "max": 20})))
    seeds.append(("cronjob.json", compact({"apiVersion": "batch/v1", "kind": "CronJob",
                                           "metadata": {"name": "cj"}, "spec": {
                                               "jobTemplate": {"spec": {"template": tmpl}}}})))
    seeds.append(("statefulset.yaml", "kind: StatefulSet\napiVersion: apps/v1\nmetadata:\n"
                  "  name: s\nspec:\n  replicas: 3\n  template:\n    spec:\n      "
                  "runtimeClassName: kata\n      containers:\n      - name: c\n"))
    return seeds


def seeds_admission():
    seeds = [(os.path.basename(p), read(p)) for p in sorted(glob.glob(
        rel("tests", "fixtures", "admission", "*.json")))]
    scale = json.loads(read("tests", "fixtures", "admission", "scale-deployment.json"))
    scale["fetched"] = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "web", "namespace": "team-a", "annotations": {"headroom.io/enforce": "warn"}},
        "spec": {"replicas": 2, "template": {"spec": {"affinity": {"podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {
                "matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}},
            "containers": [{"name": "c"}]}, "metadata": {"labels": {"app": "web"}}}}}
    seeds.append(("scale-with-fetched.json", compact(scale)))
    return seeds


KUBECONFIG = """apiVersion: v1
clusters:
- cluster:
%s  name: c1
contexts:
- context:
    cluster: c1
    user: u1
    namespace: team-a
  name: ctx1
- context:
    cluster: c1
  name: fuzz
current-context: ctx1
kind: Config
preferences: {}
users:
- name: u1
  user:
%s"""

CA_B64 = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRR"
          "EFqQWpNU0V3SHdZRFZRUUREQmhyTTNNdGMyVnkKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=")


def seeds_kubeconfig():
    server = "    server: https://10.0.0.1:6443/\n"
    variants = [
        (server + "    certificate-authority-data: %s\n" % CA_B64,
         "    token: abc.def\n"),
        (server + "    certificate-authority: ca.crt\n",
         "    client-certificate: certs/c.crt\n    client-key: /abs/c.key\n"),
        (server + "    insecure-skip-tls-verify: true\n",
         "    client-certificate-data: %s\n    client-key-data: %s\n" % (CA_B64, CA_B64[:-1])),
        (server, "    tokenFile: sa/token\n    token: t\n"),
        (server, "    username: admin\n    password: pw\n"),
        (server, "    exec:\n      command: aws\n"),
        ("    server: http://plain\n", "    token: x\n"),
        (server + "    proxy-url: http://proxy\n", "    auth-provider: {name: gcp}\n"),
        (server + "    certificate-authority-data: 'Zm9v\n      YmFy'\n", "    token: \"\\u00e9\"\n"),
    ]
    return [("kc%02d" % i, KUBECONFIG % v) for i, v in enumerate(variants)] + [
        ("flow", '{"current-context":"x","contexts":[{"name":"x","context":{"cluster":"c",'
                 '"user":"u"}}],"clusters":[{"name":"c","cluster":{"server":"https://h"}}],'
                 '"users":[{"name":"u"}]}'),
    ]


def seeds_watch():
    def stream(kind_index, sizes, lines):
        head = bytes([(kind_index << 4) | len(sizes)]) + bytes(sizes)
        return head + "".join(l + "\n" for l in lines).encode()

    pods = [vector(n)["pod"] for n in ["basic-1002", "coupled-2001"]]
    for i, p in enumerate(pods):
        p["metadata"]["resourceVersion"] = str(100 + i)
        p["spec"]["nodeName"] = "node-00"
    node = vector("basic-1034")["snapshot"]["items"][2]
    node["metadata"]["resourceVersion"] = "7"
    ns = {"kind": "Namespace", "metadata": {"name": "x", "resourceVersion": "8"}}
    ev = lambda t, o: compact({"type": t, "object": o})
    return [
        ("pods", stream(1, [3, 200, 17], [ev("ADDED", pods[0]), ev("MODIFIED", pods[1]),
                                          ev("DELETED", pods[0]),
                                          ev("BOOKMARK", {"metadata": {"resourceVersion": "9"}})])),
        ("node", stream(0, [255], [ev("ADDED", node), "", ev("DELETED", node) + "\r"])),
        ("ns-error", stream(2, [1, 2], [ev("ADDED", ns), ev("ERROR", {
            "kind": "Status", "code": 410, "reason": "Expired", "message": "too old"})])),
        ("bad-line", stream(1, [], ['{"type":"ADDED","object":{}}  ', '{"type":"NOPE"}'])),
        ("trailing", stream(3, [5], ['{"type":"ADDED","object":{"metadata":{"name":"l",'
                                     '"namespace":"d"},"spec":{"limits":[]}}} x'])),
        ("runtimeclass", stream(4, [], [ev("ADDED", {"metadata": {"name": "kata"},
                                                     "handler": "kata"})])),
    ]


def seeds_yaml():
    seeds = [(os.path.basename(p), read(p)) for p in sorted(glob.glob(rel("examples", "pods",
                                                                           "*.yaml")))]
    seeds += [("perf-" + os.path.basename(p), read(p)) for p in sorted(glob.glob(rel(
        "tests", "fixtures", "scheduler-perf", "templates", "*affinity*.yaml")))]
    seeds += [
        ("anchors", "base: &b {cpu: 100m, memory: 1Gi}\nreq: *b\nlist: [*b, *b]\n"),
        ("types", "a: yes\nb: 0x1F\nc: 0o17\nd: 017\ne: 0b101\nf: 1_000\ng: .5\nh: 1e3\n"
                  "i: ~\nj: Null\nk: 1e400\nl: 2024-01-02\nm: '08'\nn: 08\n"),
        ("tags", "a: !!str 1\nb: !!int \"3\"\nc: !!float 1\nd: !custom x\ne: !!bool true\n"),
        ("multi", "---\n---\na: 1\n---\n- b\n- c\n...\n---\n~\n"),
        ("blocks", "lit: |\n  line1\n  line2\nfold: >-\n  a\n  b\nq: \"tab\\there\\u00e9\"\n"),
        ("flow", "{a: [1, {b: c}], \"d\": 'e''f', ? g : h}\n"),
        ("bad", "a: b: c\n"),
        ("keys", "1: a\ntrue: b\n0x10: c\n\"x\": d\n"),
    ]
    return seeds


TARGETS = {
    "quantity": seeds_quantity,
    "selector": seeds_selector,
    "pod": seeds_pod,
    "node": seeds_node,
    "snapshot": seeds_snapshot,
    "jsonspan": seeds_jsonspan,
    "extender_args": seeds_extender_args,
    "capacity": seeds_capacity,
    "admission": seeds_admission,
    "kubeconfig": seeds_kubeconfig,
    "watch": seeds_watch,
    "yaml": seeds_yaml,
}


def main():
    wanted = sys.argv[1:] or sorted(TARGETS)
    for t in wanted:
        write(t, TARGETS[t]())


if __name__ == "__main__":
    main()
