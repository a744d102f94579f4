#!/usr/bin/env python3
"""`POST /filter` with coupled pods (inter-pod affinity and anti-affinity,
topology spread) against the embedded real EKS snapshot (examples/clusters),
checking kube-scheduler's exact reasons (spec/predicates.md §2.7, §2.8) and
which map they land in: Unschedulable -> FailedNodes, UnschedulableAndUnresolvable
-> FailedAndUnresolvableNodes.

What the snapshot holds that matters here:
  eks-node-a  topology.kubernetes.io/zone us-east-1a, kubernetes.io/hostname eks-node-a
              kube-system pods: coredns x2 (k8s-app=kube-dns), kube-proxy (k8s-app=kube-proxy),
              aws-node (k8s-app=aws-node)
  eks-node-b  zone us-east-1b, hostname eks-node-b
              kube-system pods: kube-proxy (k8s-app=kube-proxy), aws-node
No existing pod has a required (anti-)affinity term; the last test adds one in
a copy of the snapshot. Both nodes have room for the 100m / 100Mi pods used here,
so only the coupled plugins can reject them.
"""
import copy
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import EKS, Certs, Server, eq, run  # noqa: E402

NODES = ["eks-node-a", "eks-node-b"]
ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"

ANTI = "node(s) didn't match pod anti-affinity rules"
AFFINITY = "node(s) didn't match pod affinity rules"
SPREAD = "node(s) didn't match pod topology spread constraints"
SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"
EXISTING_ANTI = "node(s) didn't satisfy existing pods anti-affinity rules"


def scheduler_pod(namespace="kube-system", labels=None, **spec):
    """A 100m / 100Mi pod as kube-scheduler sends it (admitted: the
    DefaultTolerationSeconds tolerations are there)."""
    p = {"metadata": {"name": "incoming", "namespace": namespace, "uid": "1f0e2a52-0000-4000-8000-000000000001",
                      "labels": labels if labels is not None else {"k8s-app": "kube-dns"}},
         "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
                                  "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}}}],
                  "tolerations": [
                      {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                       "tolerationSeconds": 300},
                      {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                       "tolerationSeconds": 300}]},
         "status": {"phase": "Pending"}}
    p["spec"].update(spec)
    return p


def term(key, selector, **extra):
    t = {"labelSelector": {"matchLabels": selector}, "topologyKey": key}
    t.update(extra)
    return t


def anti(*terms):
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def spread(key, selector, max_skew=1, **extra):
    c = {"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": "DoNotSchedule",
         "labelSelector": {"matchLabels": selector}}
    c.update(extra)
    return c


def filter_names(server, pod, names=NODES):
    return server.json("POST", "/filter", {"Pod": pod, "Nodes": None, "NodeNames": names})


def expect(r, passed, failed=None, unresolvable=None, what=""):
    eq(r["NodeNames"], passed, what + ": NodeNames")
    eq(r["FailedNodes"], failed or {}, what + ": FailedNodes")
    eq(r["FailedAndUnresolvableNodes"], unresolvable or {}, what + ": FailedAndUnresolvableNodes")
    eq(r["Error"], "", what + ": Error")


def setup():
    certs = Certs()
    return {"certs": certs, "server": Server(certs)}


def teardown(st):
    eq(st["server"].stop(), 0, "exit code after SIGTERM")
    shutil.rmtree(st["certs"].dir)


# ---- InterPodAffinity: the incoming pod's anti-affinity ---------------------------------

def test_anti_affinity_hostname_and_zone(st):
    # coredns (k8s-app=kube-dns, kube-system) runs only on eks-node-a: a kube-system pod
    # refusing kube-dns on its host or zone fails there (Unschedulable) and fits eks-node-b.
    for key in (HOST, ZONE):
        r = filter_names(st["server"], scheduler_pod(affinity=anti(term(key, {"k8s-app": "kube-dns"}))))
        expect(r, ["eks-node-b"], {"eks-node-a": ANTI}, what=key)


def test_anti_affinity_term_namespaces(st):
    s = st["server"]
    # no namespaces / namespaceSelector: the pod's own namespace (default) only: coredns
    # is in kube-system, so nothing matches and both nodes pass
    p = scheduler_pod(namespace="default", affinity=anti(term(HOST, {"k8s-app": "kube-dns"})))
    expect(filter_names(s, p), NODES, what="own namespace")
    # namespaceSelector {} selects every namespace
    p = scheduler_pod(namespace="default", affinity=anti(term(HOST, {"k8s-app": "kube-dns"},
                                                              namespaceSelector={})))
    expect(filter_names(s, p), ["eks-node-b"], {"eks-node-a": ANTI}, what="namespaceSelector {}")
    # namespaceSelector on the Namespace's labels (the snapshot holds the Namespaces)
    sel = {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
    p = scheduler_pod(namespace="default", affinity=anti(term(HOST, {"k8s-app": "kube-dns"},
                                                              namespaceSelector=sel)))
    expect(filter_names(s, p), ["eks-node-b"], {"eks-node-a": ANTI}, what="namespaceSelector labels")
    # listed namespaces
    p = scheduler_pod(namespace="default", affinity=anti(term(ZONE, {"k8s-app": "kube-dns"},
                                                              namespaces=["kube-system"])))
    expect(filter_names(s, p), ["eks-node-b"], {"eks-node-a": ANTI}, what="namespaces")


def test_anti_affinity_on_both_nodes(st):
    # kube-proxy runs on both nodes: anti-affinity to it per host fails everywhere
    p = scheduler_pod(affinity=anti(term(HOST, {"k8s-app": "kube-proxy"})))
    expect(filter_names(st["server"], p), [], {"eks-node-a": ANTI, "eks-node-b": ANTI}, what="kube-proxy")


def test_required_affinity_is_unresolvable(st):
    # affinity to kube-dns per host: only eks-node-a has a matching pod; eks-node-b fails
    # UnschedulableAndUnresolvable
    p = scheduler_pod(labels={"app": "dns-client"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, {"k8s-app": "kube-dns"})]}})
    expect(filter_names(st["server"], p), ["eks-node-a"], unresolvable={"eks-node-b": AFFINITY})
    # nothing matches anywhere and the pod does not match its own term: every node fails
    p = scheduler_pod(labels={"app": "dns-client"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term(ZONE, {"app": "nowhere"})]}})
    expect(filter_names(st["server"], p), [], unresolvable={"eks-node-a": AFFINITY, "eks-node-b": AFFINITY},
           what="no match")
    # ... but the first pod of a group that matches its own term may go anywhere
    p = scheduler_pod(labels={"app": "nowhere"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term(ZONE, {"app": "nowhere"})]}})
    expect(filter_names(st["server"], p), NODES, what="first of its group")


# ---- PodTopologySpread (DoNotSchedule) ---------------------------------------------------

def test_spread_max_skew_by_zone(st):
    # k8s-app=kube-dns in kube-system per zone: us-east-1a 2 (the coredns pods), us-east-1b 0,
    # global minimum 0. The incoming pod matches its own selector (+1):
    # eks-node-a 2 + 1 - 0 = 3 > maxSkew 1 fails (Unschedulable); eks-node-b 0 + 1 - 0 = 1 passes.
    p = scheduler_pod(topologySpreadConstraints=[spread(ZONE, {"k8s-app": "kube-dns"})])
    expect(filter_names(st["server"], p), ["eks-node-b"], {"eks-node-a": SPREAD})
    # maxSkew 3 allows 3 on eks-node-a
    p = scheduler_pod(topologySpreadConstraints=[spread(ZONE, {"k8s-app": "kube-dns"}, max_skew=3)])
    expect(filter_names(st["server"], p), NODES, what="maxSkew 3")


def test_spread_min_domains(st):
    # k8s-app=kube-proxy: one per zone, global minimum 1: each node 1 + 1 - 1 = 1 <= 1, both pass.
    p = scheduler_pod(labels={"k8s-app": "kube-proxy"},
                      topologySpreadConstraints=[spread(ZONE, {"k8s-app": "kube-proxy"})])
    expect(filter_names(st["server"], p), NODES, what="minDomains 1")
    # minDomains 3 > 2 zones: the global minimum counts as 0, so each node 1 + 1 - 0 = 2 > 1
    p = scheduler_pod(labels={"k8s-app": "kube-proxy"},
                      topologySpreadConstraints=[spread(ZONE, {"k8s-app": "kube-proxy"}, minDomains=3)])
    expect(filter_names(st["server"], p), [], {"eks-node-a": SPREAD, "eks-node-b": SPREAD}, what="minDomains 3")


def test_spread_missing_topology_key_is_unresolvable(st):
    p = scheduler_pod(topologySpreadConstraints=[spread("example.com/rack", {"k8s-app": "kube-dns"})])
    expect(filter_names(st["server"], p), [],
           unresolvable={"eks-node-a": SPREAD_LABEL, "eks-node-b": SPREAD_LABEL})


def test_spread_runs_before_inter_pod_affinity(st):
    # Both plugins reject eks-node-a; PodTopologySpread comes first in the Filter order
    # and the first rejection is the only reason recorded.
    p = scheduler_pod(topologySpreadConstraints=[spread(ZONE, {"k8s-app": "kube-dns"})],
                      affinity=anti(term(HOST, {"k8s-app": "kube-dns"})))
    expect(filter_names(st["server"], p), ["eks-node-b"], {"eks-node-a": SPREAD})


def test_coupled_pod_in_full_nodes_mode(st):
    # the same answer when kube-scheduler sends whole Node objects (nodeCacheCapable false)
    with open(EKS) as f:
        nodes = [i for i in json.load(f)["items"] if i["kind"] == "Node"]
    p = scheduler_pod(affinity=anti(term(ZONE, {"k8s-app": "kube-dns"})))
    r = st["server"].json("POST", "/filter", {"Pod": p, "Nodes": {"metadata": {}, "items": nodes},
                                               "NodeNames": None})
    eq([n["metadata"]["name"] for n in r["Nodes"]["items"]], ["eks-node-b"], "Nodes.items")
    eq(r["NodeNames"], None, "NodeNames")
    eq(r["FailedNodes"], {"eks-node-a": ANTI}, "FailedNodes")
    eq(r["FailedAndUnresolvableNodes"], {}, "FailedAndUnresolvableNodes")


# ---- an existing pod's anti-affinity (a copy of the snapshot with one more pod) ---------

def test_existing_pod_anti_affinity(st):
    with open(EKS) as f:
        doc = json.load(f)
    guard = copy.deepcopy(next(i for i in doc["items"] if i["kind"] == "Pod"
                               and i["spec"].get("nodeName") == "eks-node-b"))
    guard["metadata"] = {"name": "guard", "namespace": "default", "uid": "2f0e2a52-0000-4000-8000-000000000002",
                         "labels": {"app": "guard"}}
    guard["spec"] = {"nodeName": "eks-node-b", "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}],
                     "affinity": anti(term(ZONE, {"app": "web"}))}
    guard["status"] = {"phase": "Running"}
    doc["items"].append(guard)
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(doc, tmp)
    tmp.close()
    s = Server(st["certs"], snapshot=tmp.name)
    try:
        # the guard on eks-node-b (us-east-1b) refuses app=web pods of its namespace in its zone
        web = scheduler_pod(namespace="default", labels={"app": "web"})
        expect(filter_names(s, web), ["eks-node-a"], {"eks-node-b": EXISTING_ANTI}, what="app=web")
        # a pod in another namespace, or with other labels, is not concerned
        expect(filter_names(s, scheduler_pod(namespace="kube-system", labels={"app": "web"})), NODES,
               what="other namespace")
        expect(filter_names(s, scheduler_pod(namespace="default", labels={"app": "api"})), NODES,
               what="other labels")
    finally:
        eq(s.stop(), 0, "exit code after SIGTERM")
        os.unlink(tmp.name)


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
