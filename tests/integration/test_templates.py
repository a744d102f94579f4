#!/usr/bin/env python3
"""kube-scheduler's scheduler_perf pod templates through `headroom capacity`
(YAML input, as the files are) on a generated cluster of its node templates.

The cluster: 30 nodes from node-default.yaml (capacity 4 cpu, 32Gi, 110 pods,
no allocatable, so allocatable = capacity), zones zone1..zone3 by index mod 3,
every fifth node (index 4, 9, ...) from node-with-taint.yaml (foo:NoSchedule).
Node k runs k mod 4 copies of pod-default (100m/500Mi) in namespace sched-0;
nodes with k mod 6 == 0 also run a green pod (color: green, sched-0), nodes
in zone2 with k mod 2 == 1 a blue one (color: blue, sched-1), both 100m.
Every expected count below is computed from those rules, not by headroom.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HEADROOM, TOP, check, eq, run  # noqa: E402

TEMPLATES = os.path.join(TOP, "tests", "fixtures", "scheduler-perf", "templates")
N = 30
ZONES = ["zone1", "zone2", "zone3"]


def tainted(k):
    return k % 5 == 4


def zone(k):
    return ZONES[k % 3]


def green(k):
    return k % 6 == 0


def blue(k):
    return zone(k) == "zone2" and k % 2 == 1


def used_cpu(k):
    return 100 * (k % 4 + green(k) + blue(k))


def pods_on(k):
    return k % 4 + green(k) + blue(k)


def free_copies(k):
    """100m/500Mi copies that fit on node k: cpu binds (memory allows 65, pods 110)."""
    return (4000 - used_cpu(k)) // 100


def cluster():
    items = []
    for k in range(N):
        name = "node-%02d" % k
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                      "topology.kubernetes.io/zone": zone(k)}},
                "spec": {},
                "status": {"capacity": {"pods": "110", "cpu": "4", "memory": "32Gi"}}}
        if tainted(k):
            node["spec"]["taints"] = [{"effect": "NoSchedule", "key": "foo"}]
        items.append(node)

        def add(pname, labels, ns):
            items.append({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": pname, "namespace": ns, "labels": labels},
                          "spec": {"nodeName": name, "containers": [{"name": "pause", "resources": {
                              "requests": {"cpu": "100m", "memory": "500Mi"}}}]},
                          "status": {"phase": "Running"}})
        for i in range(k % 4):
            add("default-%02d-%d" % (k, i), {"app": "filler"}, "sched-0")
        if green(k):
            add("green-%02d" % k, {"color": "green"}, "sched-0")
        if blue(k):
            add("blue-%02d" % k, {"color": "blue"}, "sched-1")
    return {"apiVersion": "v1", "kind": "List", "items": items}


def setup():
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(cluster(), f)
    f.close()
    return {"cluster": f.name}


def teardown(st):
    os.unlink(st["cluster"])


def capacity(st, template, namespace=None, replace=None, args=(), want_exit=0):
    with open(os.path.join(TEMPLATES, template)) as f:
        text = f.read()
    if namespace:
        text = text.replace("metadata:\n", "metadata:\n  namespace: %s\n" % namespace, 1)
    for old, new in (replace or {}).items():
        check(old in text, "template %s has %r" % (template, old))
        text = text.replace(old, new)
    p = subprocess.run([HEADROOM, "capacity", "--snapshot", st["cluster"], "-f", "-", *args],
                       input=text.encode(), capture_output=True, timeout=120)
    eq(p.returncode, want_exit, "exit code (%s)" % p.stderr.decode())
    return json.loads(p.stdout) if want_exit == 0 else p.stderr.decode()


UNTAINTED = [k for k in range(N) if not tainted(k)]
TAINT_REASON = "node(s) had untolerated taint {foo: }"


def test_pod_default_fills_every_untainted_node_to_its_cpu(st):
    a = capacity(st, "pod-default.yaml")
    eq(a["count"], sum(free_copies(k) for k in UNTAINTED), "count")
    eq(a["message"], "0/30 nodes are available: 24 Insufficient cpu, 6 %s." % TAINT_REASON, "message")


def test_node_affinity_template_keeps_to_zone1_and_zone2(st):
    a = capacity(st, "pod-with-node-affinity.yaml")
    want = sum(free_copies(k) for k in UNTAINTED if zone(k) in ("zone1", "zone2"))
    eq(a["count"], want, "count")
    # zone3 has 10 nodes, 2 of them tainted (4, 19... index 4 is zone2): count reasons
    z3_untainted = sum(1 for k in UNTAINTED if zone(k) == "zone3")
    check("%d node(s) didn't match Pod's node affinity/selector" % z3_untainted in a["message"], a["message"])


def test_anti_affinity_template_one_copy_per_node_without_green_pods(st):
    # In sched-0 the copy matches its own term (color green, namespaces
    # sched-0/sched-1, hostname): one copy per untainted node that has no
    # green pod in those namespaces.
    a = capacity(st, "pod-with-pod-anti-affinity.yaml", namespace="sched-0")
    eq(a["count"], sum(1 for k in UNTAINTED if not green(k)), "count")
    check(a["exact"], "anti-affinity on hostname does not depend on tie-breaking")
    # In the template's own namespace ("default") the copies do not match the
    # term (it names sched-0 and sched-1): only nodes with green pods are out.
    b = capacity(st, "pod-with-pod-anti-affinity.yaml")
    eq(b["count"], sum(free_copies(k) for k in UNTAINTED if not green(k)), "count in default")


def test_pod_affinity_template_stays_in_the_blue_zone(st):
    # Blue pods (sched-1) exist only in zone2: copies go to zone2's untainted
    # nodes and fill them (each copy is blue too, in sched-0: it keeps zone2 valid).
    a = capacity(st, "pod-with-pod-affinity.yaml", namespace="sched-0")
    eq(a["count"], sum(free_copies(k) for k in UNTAINTED if zone(k) == "zone2"), "count")


def test_topology_spreading_template_max_skew_5_over_zones(st):
    # maxSkew 5 on zones, color blue, namespace default (no existing blue
    # pods there). Each zone z holds C_z copies; once the smallest zone is
    # full the others can exceed it by 5 at most: sum of min(C_z, C_min + 5).
    caps = {z: sum(free_copies(k) for k in UNTAINTED if zone(k) == z) for z in ZONES}
    lo = min(caps.values())
    a = capacity(st, "pod-with-topology-spreading.yaml")
    eq(a["count"], sum(min(c, lo + 5) for c in caps.values()), "count (zone capacities %s)" % caps)


def test_node_inclusion_policy_template(st):
    # The template spells NodeAffinityPolicy/NodeTaintsPolicy with capital
    # letters, which are not Kubernetes field names (the API server decodes
    # case-sensitively; scheduler_perf's own YAML decoder does not). Under
    # kubectl's default --validate=strict the API server refuses the pod, and
    # so does headroom, naming the field.
    err = capacity(st, "pod-with-node-inclusion-policy.yaml", want_exit=2)
    check("spec.topologySpreadConstraints[0].NodeAffinityPolicy: unknown field" in err, err)
    # --validate=warn: the API server drops unknown fields, so the defaults
    # apply (taints Ignore). Tainted nodes are then domains stuck at 0
    # copies, the global minimum stays 0 and maxSkew 1 allows one copy per
    # untainted node. The answer says what it ignored.
    a = capacity(st, "pod-with-node-inclusion-policy.yaml", args=("--validate", "warn"))
    eq(a["count"], len(UNTAINTED), "count with the default policies")
    check(any('unknown field "spec.topologySpreadConstraints[0].NodeAffinityPolicy"' in n
              for n in a["notes"]), "note names the field: %s" % a["notes"])
    # Spelled right, nodeTaintsPolicy: Honor leaves tainted nodes out of the
    # domains: nodes fill level, one copy each round, up to the smallest
    # node's room + 1 on the others.
    b = capacity(st, "pod-with-node-inclusion-policy.yaml",
                 replace={"NodeAffinityPolicy": "nodeAffinityPolicy", "NodeTaintsPolicy": "nodeTaintsPolicy"})
    room = [free_copies(k) for k in UNTAINTED]
    eq(b["count"], sum(min(r, min(room) + 1) for r in room), "count with nodeTaintsPolicy Honor")


def test_unschedulable_interpod_affinity_template(st):
    # affinity to app=non-existing-app, and the pod does not match its own
    # term (its label is type=unsched): no node qualifies; tainted nodes fail
    # earlier, on the taint.
    a = capacity(st, "unschedulable-pod-interpod-affinity.yaml")
    eq(a["count"], 0, "count")
    eq(a["message"], "0/30 nodes are available: 24 node(s) didn't match pod affinity rules, 6 %s."
       % TAINT_REASON, "message")


def test_large_cpu_and_pod_level_templates_never_fit(st):
    eq(capacity(st, "pod-large-cpu.yaml")["count"], 0, "cpu 9 on 4-cpu nodes")
    a = capacity(st, "unschedulable-pod-node-resourcesfit.yaml")
    eq(a["count"], 0, "pod-level 1000 cpu / 500Gi")
    check("24 Insufficient cpu, 24 Insufficient memory" in a["message"], a["message"])


def test_daemonset_template_pins_one_node(st):
    # matchFields metadata.name In [...]: NodeAffinity's PreFilter restricts
    # the search to that node; the others count as "didn't satisfy plugin(s)".
    # The template names "scheduler-perf-node", which is not in this cluster.
    a = capacity(st, "daemonset-pod.yaml")
    eq((a["count"], a["message"]), (0, "0/30 nodes are available: 30 node(s) didn't satisfy plugin(s) "
                                       "[NodeAffinity]."), "placeholder node name")
    # Pinned to node-07 (untainted, 3 pods): the pod requests nothing, so only
    # its 110 pod slots bound it: 107 copies.
    b = capacity(st, "daemonset-pod.yaml", replace={"scheduler-perf-node": "node-07"})
    eq((b["count"], b["message"]), (110 - pods_on(7), "0/30 nodes are available: 1 Too many pods, "
                                    "29 node(s) didn't satisfy plugin(s) [NodeAffinity]."), "node-07")


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
