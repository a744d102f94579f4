#!/usr/bin/env python3
"""The live cache: `headroom serve --kubeconfig` (or the in-cluster service
account) against the API-server test double (tests/apiserver/fake_apiserver.py),
through every wire fault the double can inject, on every kind's reflector.
After each fault the cache must converge to exactly the server's objects and
resourceVersion, kind by kind, and capacity must answer from the new state,
the same as `headroom capacity --snapshot` on a dump of the same objects."""
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import EKS, HEADROOM, TOKEN, Certs, Fake, Server, check, eq, free_port, run, write_kubeconfig  # noqa: E402

WEB = {"kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}}}]}}


LIVE_FLAGS = ["--watch-timeout-seconds", "5", "--backoff-max-ms", "1000", "--publish-interval-ms", "50",
              "--max-staleness-seconds", "3"]


def start_live(certs, kubeconfig, extra=()):
    return Server(certs, snapshot=None, extra=["--kubeconfig", kubeconfig] + LIVE_FLAGS + list(extra))


KINDS = ("Node", "Pod", "Namespace", "LimitRange", "RuntimeClass")
PATHS = {"nodes": "/api/v1/nodes", "pods": "/api/v1/pods", "namespaces": "/api/v1/namespaces",
         "limitranges": "/api/v1/limitranges", "runtimeclasses": "/apis/node.k8s.io/v1/runtimeclasses"}


def server_objects(fake):
    """{kind: {key: resourceVersion}} as the API server has them (every kind,
    empty ones too), and its RV. Succeeded and Failed pods hold nothing, and
    the cache never keeps them."""
    st = fake.control("GET", "state")
    out = {k: {} for k in KINDS}
    for it in st["items"]:
        kind, meta = it["kind"], it["metadata"]
        if kind not in KINDS:
            continue
        if kind == "Pod" and it.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            continue
        key = "%s/%s" % (meta["namespace"], meta["name"]) if kind in ("Pod", "LimitRange") else meta["name"]
        out[kind][key] = meta["resourceVersion"]
    return out, st["resourceVersion"]


def cache_objects(live):
    c = live.json("GET", "/debug/cache")
    return {k: {key: rv for key, rv in c[k]["objects"]} for k in KINDS}, c


def converge(st, timeout=20, rv=True):
    """Waits until the cache holds exactly the server's objects of every kind,
    every kind is listed and (rv) every kind's resourceVersion is the server's.
    The API server has one resourceVersion for all kinds; a kind without
    events of its own catches up through a BOOKMARK, which this asks the test
    server to send now rather than within --bookmark-interval."""
    deadline = time.time() + timeout
    poked = 0
    while True:
        want, want_rv = server_objects(st["fake"])
        got, raw = cache_objects(st["live"])
        rvs = {k: raw[k]["resourceVersion"] for k in KINDS}
        synced = all(raw[k]["synced"] for k in KINDS)
        if got == want and synced and (not rv or set(rvs.values()) == {want_rv}):
            return want
        if got == want and time.time() - poked > 0.3:
            st["fake"].control("POST", "bookmark", {})
            poked = time.time()
        if time.time() > deadline:
            diff = {k: (sorted(set(got[k].items()) ^ set(want[k].items()))[:6]) for k in KINDS}
            raise AssertionError("cache did not converge: diff %s, synced %s, cache rvs %s, server rv %s\n%s" % (
                diff, {k: raw[k]["synced"] for k in KINDS}, rvs, want_rv, st["live"].logs()[-3000:]))
        time.sleep(0.1)


def pod(name, node, cpu="500m", phase="Running", namespace="default"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                             "labels": {"app": "filler"}},
            "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
            "status": {"phase": phase}}


def count(st, body=WEB):
    return st["live"].json("POST", "/capacity", body)["count"]


# ---- capacity from the live cache against `headroom capacity --snapshot` ----------

ANSWER_FIELDS = ("count", "exact", "limited", "perNode", "message", "admission", "notes")


def dump_server(fake, kinds=KINDS):
    """The server's objects of kinds as a List file (the caller unlinks it)."""
    items = fake.control("GET", "state")["items"]
    dump = tempfile.NamedTemporaryFile("w", prefix="headroom-dump-", suffix=".json", delete=False)
    json.dump({"apiVersion": "v1", "kind": "List", "items": [i for i in items if i["kind"] in kinds]}, dump)
    dump.close()
    return dump.name


def offline_answer(dump, body):
    """`headroom capacity --snapshot DUMP -f POD` (JSON)."""
    with tempfile.NamedTemporaryFile("w", prefix="headroom-pod-", suffix=".json", delete=False) as f:
        json.dump(body, f)
    try:
        p = subprocess.run([HEADROOM, "capacity", "--snapshot", dump, "-f", f.name],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        raise AssertionError("headroom capacity exited %d: %s" % (p.returncode, p.stderr))
    return json.loads(p.stdout)


def per_node(answer):
    return {n["node"]: n["count"] for n in answer["perNode"]}


def expect_capacity(st, body, want, timeout=5, kinds=KINDS):
    """The live /capacity answer for body has want ({node: count}) and the
    total, and equals `headroom capacity --snapshot` on a dump of the
    server's objects (of kinds: those headroom may read). Call after
    converge(): the snapshot answers come from is published from the cache
    up to --publish-interval-ms later."""
    deadline = time.time() + timeout
    while True:
        live = st["live"].json("POST", "/capacity", body)
        if per_node(live) == want or time.time() > deadline:
            break
        time.sleep(0.05)
    eq(per_node(live), want, "capacity per node for %s" % body["metadata"]["name"])
    eq(live["count"], sum(want.values()), "capacity for %s" % body["metadata"]["name"])
    dump = dump_server(st["fake"], kinds)
    try:
        offline = offline_answer(dump, body)
    finally:
        os.unlink(dump)
    for k in ANSWER_FIELDS:
        eq(live[k], offline[k], "%s of the live answer against --snapshot on a dump" % k)
    return live


def setup():
    certs = Certs()
    fake = Fake(certs)
    kubeconfig = write_kubeconfig(certs, fake.port)
    live = start_live(certs, kubeconfig)
    return {"certs": certs, "fake": fake, "live": live, "kubeconfig": kubeconfig}


def teardown(st):
    st["live"].stop()
    st["fake"].stop()
    shutil.rmtree(st["certs"].dir)
    shutil.rmtree(os.path.dirname(st["kubeconfig"]))


# ---- sync and events -----------------------------------------------------------

def test_first_list_matches_the_server_and_answers(st):
    converge(st)
    eq(count(st), 16, "capacity from the live cache (same as the snapshot file)")
    req = st["fake"].control("GET", "requests?path=/api/v1/pods")["requests"]
    lists = [r for r in req if r["verb"] == "list"]
    watches = [r for r in req if r["verb"] == "watch"]
    check(lists and "status.phase!=Succeeded,status.phase!=Failed" in lists[0]["query"].replace("%21", "!")
          .replace("%3D", "=").replace("%2C", ","), "pods listed with the terminal-phase field selector")
    check(watches and "allowWatchBookmarks=true" in watches[0]["query"], "watch with bookmarks")
    eq(lists[0]["token"], TOKEN, "bearer token")


def test_events_reach_capacity(st):
    st["fake"].control("POST", "apply", pod("filler-1", "eks-node-b", cpu="1"))
    converge(st)
    # node-b: 1930 - 150 - 1000 = 780m -> 7 copies, and 8 slots: now 7 + 7 = 14
    eq(count(st), 14, "after a 1-cpu pod on node-b")
    st["fake"].control("POST", "patch", {"kind": "Pod", "namespace": "default", "name": "filler-1",
                                         "patch": {"status": {"phase": "Succeeded"}}})
    converge(st)
    eq(count(st), 16, "a pod that turns Succeeded leaves the cache (arrives as DELETED)")
    st["fake"].control("POST", "delete", {"kind": "Pod", "namespace": "default", "name": "filler-1"})
    converge(st)


def test_metrics_follow_the_snapshot_resource_version(st):
    # a gauge, not a label: one series however many events arrive
    st["fake"].control("POST", "apply", pod("rv-probe", "eks-node-a"))
    converge(st)
    want_rv = server_objects(st["fake"])[1]
    deadline = time.time() + 10
    while True:
        text = st["live"].request("GET", "/metrics")[2].decode()
        got = [l.split()[-1] for l in text.splitlines() if l.startswith("headroom_snapshot_resource_version ")]
        if got == [want_rv] or time.time() > deadline:
            break
        time.sleep(0.05)
    eq(got, [want_rv], "headroom_snapshot_resource_version")
    info = [l for l in text.splitlines() if l.startswith("headroom_snapshot_info")]
    check(len(info) == 1 and "resource_version" not in info[0] and 'source="' in info[0], info)
    st["fake"].control("POST", "delete", {"kind": "Pod", "namespace": "default", "name": "rv-probe"})
    converge(st)


def test_node_events(st):
    with open(EKS) as f:
        node = [i for i in json.load(f)["items"] if i["kind"] == "Node"][1]
    node = json.loads(json.dumps(node))
    node["metadata"]["name"] = "eks-node-c"
    for k in ("uid", "resourceVersion"):
        node["metadata"].pop(k, None)
    st["fake"].control("POST", "apply", node)
    converge(st)
    eq(count(st), 27, "a third empty node adds 11 pod slots")
    st["fake"].control("POST", "delete", {"kind": "Node", "name": "eks-node-c"})
    converge(st)
    eq(count(st), 16, "back to two nodes")


# ---- faults ---------------------------------------------------------------------

# Capacity answers on the test cluster: eks-node-a holds 4 pods, eks-node-b 2,
# each allows 11, so WEB (100m, 100Mi) fits 7 + 9 copies by the pod count.
# Free cpu: 1930m - 325m = 1605m on node-a, 1930m - 125m = 1805m on node-b.
BASE = {"eks-node-a": 7, "eks-node-b": 9}
NODE_PODS = {"eks-node-a": 4, "eks-node-b": 2}
# no requests of its own: a LimitRange's default request decides
BARE = {"kind": "Pod", "metadata": {"name": "bare", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}
# WEB that may not share a node with kube-dns pods (both on node-a) of the
# namespaces labelled headroom.test/team=dns
ANTI = {"kind": "Pod", "metadata": {"name": "anti", "namespace": "default"},
        "spec": {"containers": WEB["spec"]["containers"], "affinity": {"podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                "namespaceSelector": {"matchLabels": {"headroom.test/team": "dns"}},
                "topologyKey": "kubernetes.io/hostname"}]}}}}
# WEB run with the RuntimeClass "kata"
KATA = {"kind": "Pod", "metadata": {"name": "kata", "namespace": "default"},
        "spec": {"runtimeClassName": "kata", "containers": WEB["spec"]["containers"]}}


class Change:
    """A change to the API server's objects that moves a capacity answer:
    probe's answer per node is before without it and after with it."""

    def __init__(self, what, probe, do, undo, before, after):
        self.what, self.probe, self.do, self.undo = what, probe, do, undo
        self.before, self.after = before, after


def patch(fake, kind, name, body, namespace="default"):
    fake.control("POST", "patch", {"kind": kind, "namespace": namespace, "name": name, "patch": body})


def delete(fake, kind, name, namespace="default"):
    fake.control("POST", "delete", {"kind": kind, "namespace": namespace, "name": name})


def add_pod(name, node="eks-node-a"):
    """A 10m pod takes one of node's pod slots: one copy of WEB fewer there."""
    return Change("pod %s on %s" % (name, node), WEB,
                  lambda f: f.control("POST", "apply", pod(name, node, cpu="10m")),
                  lambda f: delete(f, "Pod", name), BASE, dict(BASE, **{node: BASE[node] - 1}))


def taint_node(node="eks-node-b"):
    """A NoSchedule taint WEB does not tolerate: no copy on node."""
    taint = {"key": "headroom.test/dedicated", "value": "x", "effect": "NoSchedule"}
    return Change("taint on %s" % node, WEB,
                  lambda f: patch(f, "Node", node, {"spec": {"taints": [taint]}}),
                  lambda f: patch(f, "Node", node, {"spec": {"taints": None}}),
                  BASE, dict(BASE, **{node: 0}))


def shrink_node(node="eks-node-a", pods=5):
    """Allocatable pods 11 -> pods: what the bound pods leave of it."""
    return Change("allocatable pods %d on %s" % (pods, node), WEB,
                  lambda f: patch(f, "Node", node, {"status": {"allocatable": {"pods": str(pods)}}}),
                  lambda f: patch(f, "Node", node, {"status": {"allocatable": {"pods": "11"}}}),
                  BASE, dict(BASE, **{node: pods - NODE_PODS[node]}))


def label_namespace():
    """kube-system labelled team=dns: ANTI avoids node-a (its kube-dns pods)."""
    return Change("namespace label", ANTI,
                  lambda f: patch(f, "Namespace", "kube-system", {"metadata": {"labels": {"headroom.test/team": "dns"}}}),
                  lambda f: patch(f, "Namespace", "kube-system", {"metadata": {"labels": {"headroom.test/team": None}}}),
                  BASE, dict(BASE, **{"eks-node-a": 0}))


def limit_range_object(cpu):
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "defaults", "namespace": "default"},
            "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": cpu}}]}}


def limit_range(default_request="1", before_request=None):
    """A LimitRange in default whose default cpu request is 1: BARE fits once
    per node (1605m and 1805m free). With before_request, the LimitRange
    exists with that default (small enough for the pod count to decide) and
    the change modifies it; without, the change creates and deletes it."""
    lr = limit_range_object
    after = {"eks-node-a": 1, "eks-node-b": 1}
    if before_request:
        return Change("LimitRange default %s -> %s" % (before_request, default_request), BARE,
                      lambda f: f.control("POST", "apply", lr(default_request)),
                      lambda f: f.control("POST", "apply", lr(before_request)), BASE, after)
    return Change("LimitRange default %s" % default_request, BARE,
                  lambda f: f.control("POST", "apply", lr(default_request)),
                  lambda f: delete(f, "LimitRange", "defaults"), BASE, after)


KATA_CLASS = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "kata"}, "handler": "kata"}


def runtime_class_overhead(create):
    """900m of pod overhead on KATA's 100m: 1 cpu a copy, one copy per node.
    create: the change creates and deletes the RuntimeClass; otherwise it
    exists already and the change sets and removes its overhead."""
    overhead = {"podFixed": {"cpu": "900m"}}
    after = {"eks-node-a": 1, "eks-node-b": 1}
    if create:
        return Change("RuntimeClass with overhead", KATA,
                      lambda f: f.control("POST", "apply", dict(KATA_CLASS, overhead=overhead)),
                      lambda f: delete(f, "RuntimeClass", "kata"), BASE, after)
    return Change("RuntimeClass overhead", KATA,
                  lambda f: patch(f, "RuntimeClass", "kata", {"overhead": overhead}),
                  lambda f: patch(f, "RuntimeClass", "kata", {"overhead": None}), BASE, after)


def came_back(fake, path, since, timeout=15):
    """Waits until a request to path after the faulted one succeeded: the
    reflector recovered from the fault itself, not from something later."""
    deadline = time.time() + timeout
    while True:
        reqs = fake.control("GET", "requests?since=%d&path=%s" % (since, path))["requests"]
        faulted = [r["seq"] for r in reqs if r["faults"]]
        if faulted and any(r["seq"] > max(faulted) and r["status"] == 200 for r in reqs):
            return reqs
        if time.time() > deadline:
            raise AssertionError("no successful %s request after the fault: %s" % (
                path, [(r["seq"], r["verb"], r["status"], r["faults"]) for r in reqs]))
        time.sleep(0.1)


def fault_then_change(st, name, resource="pods", change=None, relist=False, reconnects=True, **params):
    """Arms a fault on resource's requests, ends the open watches so the
    reflector meets it, and makes change (default: a pod on eks-node-a) and
    then undoes it: after each, the cache converges, capacity answers from
    the new state and equals --snapshot on a dump of the server."""
    fake = st["fake"]
    change = change or add_pod("after-%s" % name.replace("_", "-"))
    since = fake.control("GET", "requests")["last"]
    fake.control("POST", "faults/clear", {})
    fake.fault(name=name, resource=resource, verb=params.pop("verb", "watch"), **params)
    if relist:  # make the next request a LIST
        fake.fault(name="watch_gone", resource=resource, verb="watch")
    fake.control("POST", "close_watches", {"mode": "clean"})
    change.do(fake)
    converge(st)
    expect_capacity(st, change.probe, change.after)
    change.undo(fake)
    converge(st)
    expect_capacity(st, change.probe, change.before)
    eq(fake.control("GET", "faults")["armed"], [], "the fault fired")
    if reconnects:
        came_back(fake, PATHS[resource], since)


def test_stream_cut_mid_event(st):
    fault_then_change(st, "watch_cut", after_events=1)


def test_stream_cut_mid_chunk_with_reset(st):
    fault_then_change(st, "watch_cut", after_events=1, in_chunk=True, reset=True)


def test_stream_closed_cleanly(st):
    fault_then_change(st, "watch_close", after_events=1)


def test_watch_request_answered_410_relists(st):
    before = st["fake"].control("GET", "requests?path=/api/v1/pods")["last"]
    fault_then_change(st, "watch_gone")
    after = st["fake"].control("GET", "requests?since=%d&path=/api/v1/pods" % before)["requests"]
    check(any(r["verb"] == "list" for r in after), "a 410 on WATCH leads to a LIST")


def test_error_event_410_relists(st):
    fault_then_change(st, "watch_error", after_events=1)


def test_history_compacted_while_disconnected(st):
    st["fake"].control("POST", "apply", pod("gap", "eks-node-a", cpu="10m"))
    st["fake"].control("POST", "compact", {})
    st["fake"].control("POST", "close_watches", {"mode": "reset"})
    converge(st)
    expect_capacity(st, WEB, dict(BASE, **{"eks-node-a": 6}))
    st["fake"].control("POST", "delete", {"kind": "Pod", "namespace": "default", "name": "gap"})
    converge(st)
    expect_capacity(st, WEB, BASE)


def test_server_errors_back_off_and_resume(st):
    fault_then_change(st, "http_error", status=500, count=3)
    fault_then_change(st, "http_error", status=429, retry_after=1)
    fault_then_change(st, "http_error", status=503, verb="list", count=2, relist=True)


def test_slow_trickle(st):
    fault_then_change(st, "slow", delay=0.002, events=3, reconnects=False)  # slow, not broken


def test_garbage_bytes_in_the_stream(st):
    fault_then_change(st, "garbage", after_events=1)


def test_stalled_then_dropped_stream(st):
    fault_then_change(st, "stall", seconds=2, then="close")


def test_connection_dropped_without_answer(st):
    fault_then_change(st, "no_response", reset=True)


def test_huge_object(st):
    st["fake"].control("POST", "faults/clear", {})
    st["fake"].fault(name="huge_object", resource="pods", verb="watch", size=3 * 1024 * 1024,
                     object_name="huge", object_namespace="default",
                     object={"spec": {"nodeName": "eks-node-b"}})
    st["fake"].control("POST", "close_watches", {"mode": "clean"})
    deadline = time.time() + 20
    while st["fake"].control("GET", "faults")["armed"] and time.time() < deadline:
        time.sleep(0.1)
    objs = converge(st, timeout=30)
    check("default/huge" in objs["Pod"], "the 3 MiB pod is in the cache")
    expect_capacity(st, WEB, dict(BASE, **{"eks-node-b": 8}))  # bound there, though Pending
    st["fake"].control("POST", "delete", {"kind": "Pod", "namespace": "default", "name": "huge"})
    converge(st)
    expect_capacity(st, WEB, BASE)


def test_unauthorized_then_recovers(st):
    fault_then_change(st, "unauthorized", verb="watch", count=2)


# Every reflector meets the same faults as the Pod one: 410 on WATCH (relist),
# the stream cut in the middle of the change's event (resume from the last
# resourceVersion), and 5xx on the LIST that follows a 410 (back off, list
# again), each with a change of that kind that moves a capacity answer.

def kind_faults(st, resource, changes):
    first, second, third = changes
    fault_then_change(st, "watch_gone", resource=resource, change=first)
    fault_then_change(st, "watch_cut", resource=resource, change=second, after_events=0)
    fault_then_change(st, "http_error", resource=resource, change=third, status=503, verb="list",
                      count=2, relist=True)


def test_node_faults(st):
    kind_faults(st, "nodes", (taint_node("eks-node-b"), shrink_node("eks-node-a", 5), taint_node("eks-node-a")))


def test_namespace_faults(st):
    kind_faults(st, "namespaces", (label_namespace(), label_namespace(), label_namespace()))


def test_limit_range_faults(st):
    fault_then_change(st, "watch_gone", resource="limitranges", change=limit_range("1"))
    st["fake"].control("POST", "apply", limit_range_object("10m"))  # a default too small to matter
    fault_then_change(st, "watch_cut", resource="limitranges", change=limit_range("1", before_request="10m"),
                      after_events=0)
    delete(st["fake"], "LimitRange", "defaults")
    fault_then_change(st, "http_error", resource="limitranges", change=limit_range("1"), status=503,
                      verb="list", count=2, relist=True)


def test_runtime_class_faults(st):
    st["fake"].control("POST", "apply", KATA_CLASS)
    kind_faults(st, "runtimeclasses", (runtime_class_overhead(create=False), runtime_class_overhead(create=False),
                                       runtime_class_overhead(create=False)))
    delete(st["fake"], "RuntimeClass", "kata")
    fault_then_change(st, "watch_cut", resource="runtimeclasses", change=runtime_class_overhead(create=True),
                      after_events=0)


def wait_cache(st, cond, what, timeout=15):
    deadline = time.time() + timeout
    while True:
        got, raw = cache_objects(st["live"])
        if cond(got):
            return got
        if time.time() > deadline:
            raise AssertionError("%s: cache %s\n%s" % (what, got, st["live"].logs()[-3000:]))
        time.sleep(0.1)


def test_forbidden_optional_kind_is_left_empty():
    """LimitRanges, RuntimeClasses and Namespaces are optional: a 403 (RBAC
    without them) or 404 leaves the kind empty, whether it comes at the first
    LIST or once the cache holds the kind's objects, and the rest goes on."""
    certs = Certs()
    fake = Fake(certs)
    fake.control("POST", "apply", limit_range_object("1"))
    fake.control("POST", "apply", dict(KATA_CLASS, overhead={"podFixed": {"cpu": "900m"}}))
    fake.fault(name="http_error", resource="runtimeclasses", verb="list", status=403, count=0)
    kc = write_kubeconfig(certs, fake.port)
    live = start_live(certs, kc)
    try:
        st = {"fake": fake, "live": live}
        seen = ("Node", "Pod", "Namespace", "LimitRange")
        got = wait_cache(st, lambda c: "default/defaults" in c["LimitRange"], "the LimitRange is listed")
        eq(got["RuntimeClass"], {}, "RuntimeClasses answered 403: none")
        expect_capacity(st, BARE, {"eks-node-a": 1, "eks-node-b": 1}, kinds=seen)
        expect_capacity(st, KATA, BASE, kinds=seen)  # the overhead is not known
        # RBAC loses limitranges while the cache holds one: watch and list refused
        fake.fault(name="http_error", resource="limitranges", verb="watch", status=403, count=0)
        fake.fault(name="http_error", resource="limitranges", verb="list", status=403, count=0)
        fake.control("POST", "close_watches", {"mode": "clean"})
        wait_cache(st, lambda c: c["LimitRange"] == {}, "a LimitRange no longer readable is dropped")
        seen = ("Node", "Pod", "Namespace")
        expect_capacity(st, BARE, BASE, kinds=seen)
        eq(live.request("GET", "/readyz")[0], 200, "ready: the kind is optional")
        fake.control("POST", "apply", pod("after-403", "eks-node-a", cpu="10m"))
        wait_cache(st, lambda c: "default/after-403" in c["Pod"], "pods still flow")
        expect_capacity(st, WEB, dict(BASE, **{"eks-node-a": 6}), kinds=seen)
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)


def test_expired_continue_token_restarts_the_list():
    certs = Certs()
    fake = Fake(certs)
    kc = write_kubeconfig(certs, fake.port)
    fake.fault(name="continue_expired", resource="pods", verb="list", count=1)
    live = start_live(certs, kc, extra=["--list-page-size", "2"])
    try:
        st = {"fake": fake, "live": live}
        converge(st)
        req = fake.control("GET", "requests?path=/api/v1/pods")["requests"]
        pages = [r for r in req if r["verb"] == "list"]
        print("# list requests: %s" % [(r["status"], r["params"].get("continue", [""])[0][:8]) for r in pages])
        check(len(pages) >= 5, "pages of 2 (6 pods), one expired and the list restarted: %d" % len(pages))
        fired = fake.control("GET", "faults")["fired"]
        eq([f["name"] for f in fired], ["continue_expired"], "the expired continue fired")
        expect_capacity(st, WEB, BASE)
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)


def test_rotated_token_file_is_reread():
    certs = Certs()
    fake = Fake(certs)
    d = tempfile.mkdtemp()
    token_file = os.path.join(d, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    kc = write_kubeconfig(certs, fake.port, token_file=token_file)
    live = start_live(certs, kc)
    try:
        st = {"fake": fake, "live": live}
        converge(st)
        with open(token_file, "w") as f:
            f.write("rotated-token\n")
        fake.control("POST", "tokens", {"tokens": ["rotated-token"]})
        fake.control("POST", "close_watches", {"mode": "clean"})
        fake.control("POST", "apply", pod("after-rotation", "eks-node-a", cpu="10m"))
        converge(st)
        expect_capacity(st, WEB, dict(BASE, **{"eks-node-a": 6}))
        req = fake.control("GET", "requests?path=/api/v1/pods")["requests"]
        check(any(r["token"] == "rotated-token" and r["status"] == 200 for r in req), "new token used")
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)
        shutil.rmtree(d)


def write_service_account(sa_dir, ca, token, namespace):
    """A pod's mounted service account as the kubelet lays it out: token,
    ca.crt and namespace link through ..data to a timestamped folder, and a
    rotation writes a new folder and swaps ..data in one rename."""
    stamp = "..%s_%d" % (time.strftime("%Y_%m_%d_%H_%M_%S"), time.monotonic_ns())
    os.mkdir(os.path.join(sa_dir, stamp))
    shutil.copy(ca, os.path.join(sa_dir, stamp, "ca.crt"))
    for name, text in (("token", token), ("namespace", namespace)):
        with open(os.path.join(sa_dir, stamp, name), "w") as f:
            f.write(text)
    os.symlink(stamp, os.path.join(sa_dir, "..data_tmp"))
    os.replace(os.path.join(sa_dir, "..data_tmp"), os.path.join(sa_dir, "..data"))
    for name in ("token", "ca.crt", "namespace"):
        if not os.path.islink(os.path.join(sa_dir, name)):
            os.symlink(os.path.join("..data", name), os.path.join(sa_dir, name))


def test_in_cluster_service_account_and_token_rotation():
    """No kubeconfig: KUBERNETES_SERVICE_HOST/PORT and a service-account
    folder, as in a pod. Then the kubelet rotates the token and the API
    server refuses the old one: the cache keeps converging with the new."""
    certs = Certs()
    fake = Fake(certs)
    sa = tempfile.mkdtemp(prefix="headroom-sa-")
    write_service_account(sa, certs.path("ca.crt"), TOKEN, "headroom-system\n")
    env = dict(os.environ, KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(fake.port))
    env.pop("POD_NAMESPACE", None)
    live = Server(certs, snapshot=None, env=env, extra=["--service-account-dir", sa] + LIVE_FLAGS)
    try:
        st = {"fake": fake, "live": live}
        eq(live.request("GET", "/readyz")[0], 200, "ready once every kind is listed")
        converge(st)
        expect_capacity(st, WEB, BASE)
        check("in-cluster https://127.0.0.1:%d" % fake.port in live.logs(), "the in-cluster source is used")
        req = fake.control("GET", "requests")["requests"]
        eq(sorted({r["resource"] for r in req if r["verb"] == "list"}), sorted(PATHS), "every kind listed")
        eq({r["token"] for r in req}, {TOKEN}, "the service account's token")

        since = fake.control("GET", "requests")["last"]
        write_service_account(sa, certs.path("ca.crt"), "rotated-sa-token", "headroom-system\n")
        fake.control("POST", "tokens", {"tokens": ["rotated-sa-token"]})
        fake.control("POST", "close_watches", {"mode": "clean"})
        fake.control("POST", "apply", pod("after-sa-rotation", "eks-node-a", cpu="10m"))
        converge(st)
        expect_capacity(st, WEB, dict(BASE, **{"eks-node-a": 6}))
        taint_node("eks-node-b").do(fake)
        converge(st)
        expect_capacity(st, WEB, {"eks-node-a": 6, "eks-node-b": 0})
        req = fake.control("GET", "requests?since=%d" % since)["requests"]
        check(any(r["token"] == TOKEN and r["status"] == 401 for r in req), "the old token was refused")
        for res, path in PATHS.items():
            check(any(r["resource"] == res and r["token"] == "rotated-sa-token" and r["status"] == 200
                      for r in req), "%s requested with the new token" % path)
        last_old = max((r["seq"] for r in req if r["token"] == TOKEN), default=0)
        eq([r["status"] for r in req if r["seq"] > last_old and r["status"] not in (200, None)], [],
           "no refusal once the new token is read")
        eq(live.request("GET", "/readyz")[0], 200, "still ready")
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)
        shutil.rmtree(sa)


def test_client_certificate_and_inline_data():
    """A kubeconfig with certificate-authority-data, client-certificate-data
    and client-key-data (base64 PEM), against a server that wants a client
    certificate and accepts no token."""
    import base64
    certs = Certs()
    fake = Fake(certs, client_ca=True)
    d = tempfile.mkdtemp()

    def b64(name):
        with open(certs.path(name), "rb") as f:
            return base64.b64encode(f.read()).decode()
    path = os.path.join(d, "kubeconfig")
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Config\ncurrent-context: other\nclusters:\n"
                "- name: fake\n  cluster:\n    server: https://127.0.0.1:%d/\n"
                "    certificate-authority-data: %s\n"
                "- name: unused\n  cluster: {server: 'https://192.0.2.1:6443'}\n"
                "contexts:\n- name: unused\n  context: {cluster: unused, user: nobody}\n"
                "- name: other\n  context: {cluster: fake, user: cert}\n"
                "users:\n- name: nobody\n  user: {token: nope}\n"
                "- name: cert\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n"
                % (fake.port, b64("ca.crt"), b64("client.crt"), b64("client.key")))
    live = start_live(certs, path)
    try:
        converge({"fake": fake, "live": live})
        req = fake.control("GET", "requests?path=/api/v1/nodes")["requests"]
        check(req and all(r["client_cert"] for r in req), "client certificate presented")
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)
        shutil.rmtree(d)


def test_readiness_follows_the_api_server():
    certs = Certs()
    port = free_port()
    fake = Fake(certs, port=port)
    kc = write_kubeconfig(certs, port)
    live = start_live(certs, kc)
    try:
        eq(live.request("GET", "/readyz")[0], 200, "ready after the first list")
        fake.stop()
        deadline = time.time() + 15
        while live.request("GET", "/readyz")[0] == 200 and time.time() < deadline:
            time.sleep(0.2)
        eq(live.request("GET", "/readyz")[0], 500, "not ready once the API server is gone > 3 s")
        eq(live.json("POST", "/capacity", WEB)["count"], 16, "still answering from the last snapshot")
        fake = Fake(certs, port=port)
        deadline = time.time() + 20
        while live.request("GET", "/readyz")[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        eq(live.request("GET", "/readyz")[0], 200, "ready again")
    finally:
        live.stop()
        fake.stop()
        shutil.rmtree(certs.dir)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_churn_converges_and_memory_levels_off(st):
    rss = []
    for seed in range(4):
        st["fake"].control("POST", "churn", {"count": 1500, "seed": seed, "namespace": "churn"})
        converge(st, timeout=60)
        rss.append(rss_kb(st["live"].proc.pid))
    print("# RSS after each churn round (kB): %s" % rss)
    if "asan" in os.environ.get("HEADROOM_BUILD", ""):
        return  # AddressSanitizer quarantines freed memory; LeakSanitizer checks leaks instead
    check(rss[3] < rss[1] * 1.3 + 2048, "memory levels off: %s" % rss)


def test_live_answers_equal_snapshot_answers(st):
    """A dump of the server's objects through `serve --snapshot` gives the same answers."""
    converge(st)
    dump = dump_server(st["fake"])
    offline = Server(st["certs"], snapshot=dump)
    try:
        for cpu in ("50m", "300m", "1"):
            body = json.loads(json.dumps(WEB))
            body["spec"]["containers"][0]["resources"]["requests"]["cpu"] = cpu
            a = st["live"].json("POST", "/capacity", body)
            b = offline.json("POST", "/capacity", body)
            for k in ANSWER_FIELDS:
                eq(a[k], b[k], "%s for cpu %s" % (k, cpu))
            c = offline_answer(dump, body)
            for k in ANSWER_FIELDS:
                eq(a[k], c[k], "%s for cpu %s against `headroom capacity`" % (k, cpu))
    finally:
        offline.stop()
        os.unlink(dump)


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
