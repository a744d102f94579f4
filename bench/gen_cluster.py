#!/usr/bin/env python3
"""Generates benchmark clusters from kube-scheduler's scheduler_perf templates.

Nodes follow templates/node-default.yaml (capacity only: 4 cpu, 32Gi, pods 110;
allocatable defaults to capacity) spread over 3 zones, every tenth node like
node-with-taint.yaml (foo:NoSchedule); each node runs --pods-per-node copies of
pod-default.yaml (100m/500Mi) bound to it. Realistic object shape: labels,
ownerReferences, images, conditions, so parsing costs what a kubectl dump costs.

  gen_cluster.py --nodes 5000 --pods-per-node 30 --out cluster.json
  gen_cluster.py --nodes 5000 --extender-args names|sampled|nodes --out args.json
"""
import argparse
import json
import sys

ZONES = ["zone-a", "zone-b", "zone-c"]


def node(i):
    name = "node-%05d" % i
    n = {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": name, "uid": "00000000-0000-4000-8000-%012d" % i, "resourceVersion": str(1000 + i),
                      "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                 "kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": ZONES[i % 3],
                                 "node.kubernetes.io/instance-type": "m5.xlarge"}},
         "spec": {"podCIDR": "10.%d.%d.0/24" % (i // 256, i % 256)},
         "status": {"capacity": {"pods": "110", "cpu": "4", "memory": "32Gi"},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                    "message": "kubelet is posting ready status"}],
                    "images": [{"names": ["registry.k8s.io/pause:3.10.1"], "sizeBytes": 320368},
                               {"names": ["registry.example.com/app@sha256:%064d" % i,
                                          "registry.example.com/app:1.%d" % (i % 7)], "sizeBytes": 98765432}],
                    "nodeInfo": {"kubeletVersion": "v1.34.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                 "containerRuntimeVersion": "containerd://1.7.24", "architecture": "amd64",
                                 "operatingSystem": "linux"}}}
    if i % 10 == 9:
        n["spec"]["taints"] = [{"key": "foo", "effect": "NoSchedule"}]
    return n


def pod(i, k, node_name):
    name = "pod-%05d-%03d" % (i, k)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "sched-%d" % (k % 4), "uid": "10000000-0000-4000-8000-%012d" % (i * 1000 + k),
                         "resourceVersion": str(100000 + i * 1000 + k),
                         "labels": {"app": "app-%d" % (k % 10), "pod-template-hash": "5c7d%04d" % (k % 50)},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-%d-5c7d" % (k % 10),
                                              "uid": "20000000-0000-4000-8000-%012d" % (k % 10), "controller": True}]},
            "spec": {"nodeName": node_name, "schedulerName": "default-scheduler", "restartPolicy": "Always",
                     "containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10.1",
                                     "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                     "resources": {"limits": {"cpu": "100m", "memory": "500Mi"},
                                                   "requests": {"cpu": "100m", "memory": "500Mi"}}}],
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300},
                                     {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Running", "podIP": "10.%d.%d.%d" % (i // 256, i % 256, k % 250),
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def write_cluster(out, nodes, per_node):
    out.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"4242"},"items":[')
    first = True
    for i in range(nodes):
        n = node(i)
        out.write(("" if first else ",") + json.dumps(n, separators=(",", ":")))
        first = False
        for k in range(per_node):
            out.write("," + json.dumps(pod(i, k, n["metadata"]["name"]), separators=(",", ":")))
    out.write("]}\n")


PROBE = {"metadata": {"name": "probe-1", "namespace": "sched-0", "uid": "probe", "labels": {"app": "probe"}},
         "spec": {"schedulerName": "default-scheduler",
                  "containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10.1",
                                  "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}}}],
                  "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                                   "tolerationSeconds": 300},
                                  {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                                   "tolerationSeconds": 300}]},
         "status": {"phase": "Pending"}}


def sample_size(nodes):
    """How many feasible nodes kube-scheduler looks for before it stops
    filtering (numFeasibleNodesToFind, adaptive percentageOfNodesToScore):
    all below 100 nodes, else max(100, nodes * max(5, 50 - nodes/125) %)."""
    if nodes < 100:
        return nodes
    pct = max(5, 50 - nodes // 125)
    return max(100, nodes * pct // 100)


def write_args(out, nodes, mode):
    if mode == "names":
        args = {"Pod": PROBE, "Nodes": None, "NodeNames": ["node-%05d" % i for i in range(nodes)]}
    elif mode == "sampled":  # what the extender gets: only the nodes the scheduler sampled
        step = nodes / sample_size(nodes)
        names = ["node-%05d" % int(k * step) for k in range(sample_size(nodes))]
        args = {"Pod": PROBE, "Nodes": None, "NodeNames": names}
    else:
        items = []
        for i in range(nodes):
            n = node(i)
            del n["kind"], n["apiVersion"]
            items.append(n)
        args = {"Pod": PROBE, "Nodes": {"metadata": {}, "items": items}, "NodeNames": None}
    json.dump(args, out, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--pods-per-node", type=int, default=30)
    ap.add_argument("--extender-args", choices=["names", "sampled", "nodes"])
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    if a.extender_args:
        write_args(out, a.nodes, a.extender_args)
    else:
        write_cluster(out, a.nodes, a.pods_per_node)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
