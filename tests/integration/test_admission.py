#!/usr/bin/env python3
"""POST /admission: the scale-up pre-check, against `headroom serve
--kubeconfig` on the API-server test double holding the real EKS snapshot
(2 nodes, 11 pods each; 7 + 9 pod slots free) and its coredns Deployment.

A coredns copy (100m/70Mi, linux amd64/arm64) or a web copy (100m/100Mi)
is bound by pod slots: 16 more fit in all."""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, Certs, Fake, Server, check, eq, run, write_kubeconfig  # noqa: E402

FIX = os.path.join(TOP, "tests", "fixtures", "admission")
EKS_DIR = os.path.join(TOP, "tests", "fixtures", "real-clusters", "eks-2node-t3small")
FLAGS = ["--watch-timeout-seconds", "5", "--backoff-max-ms", "1000", "--publish-interval-ms", "50",
         "-v", "2"]


def fixture(fixture_name, **changes):
    with open(os.path.join(FIX, fixture_name)) as f:
        review = json.load(f)
    req = review["request"]
    for path, value in changes.items():
        node = req
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return review


def workload(kind, name, namespace, replicas, cpu="100m", annotations=None, paused=False):
    group = "" if kind == "ReplicationController" else "apps/"
    obj = {"apiVersion": group + "v1", "kind": kind,
           "metadata": {"name": name, "namespace": namespace, "annotations": annotations or {}},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}} if group else {"app": name},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {
                                     "requests": {"cpu": cpu, "memory": "100Mi"}}}]}}}}
    if paused:
        obj["spec"]["paused"] = True
    return obj


def scale(resource, name, namespace, old, new, group="apps", uid="u-scale"):
    return fixture("scale-deployment.json", uid=uid, name=name, namespace=namespace,
                   resource={"group": group, "version": "v1", "resource": resource},
                   object={"kind": "Scale", "apiVersion": "autoscaling/v1",
                           "metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": new}},
                   oldObject={"kind": "Scale", "apiVersion": "autoscaling/v1",
                              "metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": old}})


def setup():
    certs = Certs()
    fake = Fake(certs, extra_objects=[os.path.join(EKS_DIR, "deployments-kube-system.json"),
                                      os.path.join(EKS_DIR, "replicasets-kube-system.json")])
    fake.control("POST", "apply", {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": "strict", "annotations": {"headroom.io/enforce": "deny"}}},
        workload("Deployment", "web", "default", 3),
        workload("StatefulSet", "db", "default", 1),
        workload("ReplicaSet", "web-rs", "default", 1),
        workload("ReplicationController", "legacy", "default", 1),
        workload("Deployment", "paused", "default", 1, paused=True),
        workload("Deployment", "api", "strict", 1),
        workload("Deployment", "relaxed", "strict", 1, annotations={"headroom.io/enforce": "warn"}),
        workload("Deployment", "picky", "default", 1, annotations={"headroom.io/enforce": "deny"}),
    ]})
    kubeconfig = write_kubeconfig(certs, fake.port)
    live = Server(certs, snapshot=None, extra=["--kubeconfig", kubeconfig] + FLAGS)
    # wait until the strict namespace (applied after start) is in the snapshot
    deadline = time.time() + 10
    while time.time() < deadline:
        objs = live.json("GET", "/debug/cache")["Namespace"]["objects"]
        if any(k == "strict" for k, _ in objs):
            break
        time.sleep(0.05)
    return {"certs": certs, "fake": fake, "live": live, "kubeconfig": kubeconfig}


def teardown(st):
    st["live"].stop()
    st["fake"].stop()
    shutil.rmtree(st["certs"].dir)
    shutil.rmtree(os.path.dirname(st["kubeconfig"]))


def review(st, body, server=None, expect=200):
    s = server or st["live"]
    out = s.json("POST", "/admission?timeout=5s", body, expect=expect)
    if expect != 200:
        return out
    eq((out["apiVersion"], out["kind"]), ("admission.k8s.io/v1", "AdmissionReview"), "envelope")
    eq(out["response"]["uid"], body["request"]["uid"], "uid echoed")
    check("patch" not in out["response"], "a validating webhook never patches")
    return out["response"]


ONLY_16_OF = "headroom: only 16 of %d new replicas of %s fit now: 0/2 nodes are available: 2 Too many pods."


def test_scale_subresource_deployment_warns(st):
    r = review(st, fixture("scale-deployment.json"))  # coredns 2 -> 20: 18 new
    eq(r["allowed"], True, "warn mode allows")
    eq(r["warnings"], [ONLY_16_OF % (18, "kube-system/coredns")], "warning")


def test_scale_subresource_each_kind(st):
    for resource, name, group in (("deployments", "web", "apps"), ("statefulsets", "db", "apps"),
                                  ("replicasets", "web-rs", "apps"), ("replicationcontrollers", "legacy", "")):
        r = review(st, scale(resource, name, "default", 1, 10, group=group))
        eq((r["allowed"], r.get("warnings")), (True, None), "%s: 9 new replicas fit" % resource)
        r = review(st, scale(resource, name, "default", 1, 30, group=group))
        eq(r["warnings"], [ONLY_16_OF % (29, "default/" + name)], "%s: 29 new replicas" % resource)


def test_spec_replicas_growth_and_create(st):
    r = review(st, fixture("update-deployment.json"))  # web 3 -> 30
    eq(r["warnings"], [ONLY_16_OF % (27, "default/web")], "Deployment UPDATE")
    # StatefulSet CREATE of 5 db pods at 800m: node-a (1930-350)/800 = 1, node-b (1930-150)/800 = 2
    r = review(st, fixture("create-statefulset.json"))
    eq(r["warnings"], ["headroom: only 3 of 5 new replicas of default/db fit now: 0/2 nodes are "
                       "available: 2 Insufficient cpu."], "StatefulSet CREATE (dryRun)")


def object_review(kind, name, old_replicas, new_replicas, owner=None, dry_run=False, uid="u-object"):
    """CREATE (old_replicas None) or UPDATE of the workload object itself."""
    group = "" if kind == "ReplicationController" else "apps"
    resource = {"Deployment": "deployments", "StatefulSet": "statefulsets", "ReplicaSet": "replicasets",
                "ReplicationController": "replicationcontrollers"}[kind]
    new = workload(kind, name, "default", new_replicas)
    if owner:
        new["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": owner,
                                               "uid": "d-1", "controller": True, "blockOwnerDeletion": True}]
    changes = {"uid": uid, "name": name, "namespace": "default", "dryRun": dry_run,
               "operation": "CREATE" if old_replicas is None else "UPDATE",
               "kind": {"group": group, "version": "v1", "kind": kind},
               "resource": {"group": group, "version": "v1", "resource": resource},
               "object": new,
               "oldObject": None if old_replicas is None else workload(kind, name, "default", old_replicas)}
    return fixture("update-deployment.json", **changes)


def test_object_path_for_each_kind(st):
    # 100m/100Mi copies: 16 fit (pod slots), as on the scale path
    for kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
        r = review(st, object_review(kind, "new-" + kind.lower(), None, 20))
        eq(r["warnings"], [ONLY_16_OF % (20, "default/new-" + kind.lower())], "%s CREATE of 20" % kind)
        r = review(st, object_review(kind, "grow-" + kind.lower(), 2, 12))
        eq((r["allowed"], r.get("warnings")), (True, None), "%s UPDATE 2 -> 12: 10 new fit" % kind)
        r = review(st, object_review(kind, "grow-" + kind.lower(), 2, 40))
        eq(r["warnings"], [ONLY_16_OF % (38, "default/grow-" + kind.lower())], "%s UPDATE 2 -> 40" % kind)


def test_replicaset_of_a_deployment_is_left_to_the_deployment(st):
    # the Deployment controller's rollout steps: allowed at once, nothing computed
    r = review(st, object_review("ReplicaSet", "web-5c7d", 0, 40, owner="web"))
    eq((r["allowed"], r.get("warnings")), (True, None), "owned ReplicaSet scaled 0 -> 40")
    r = review(st, object_review("ReplicaSet", "web-5c7d", None, 40, owner="web"))
    eq((r["allowed"], r.get("warnings")), (True, None), "owned ReplicaSet created with 40")


def test_dry_run_gets_the_same_answer(st):
    for dry in (False, True):
        body = object_review("Deployment", "dry", 1, 30, dry_run=dry, uid="u-dry-%s" % dry)
        r = review(st, body)
        eq((r["allowed"], r["warnings"]), (True, [ONLY_16_OF % (29, "default/dry")]), "dryRun=%s" % dry)
    deny = ["--admission-mode", "deny"]
    s = Server(st["certs"], snapshot=None, extra=["--kubeconfig", st["kubeconfig"]] + FLAGS + deny)
    try:
        answers = [review(st, object_review("Deployment", "dry", 1, 30, dry_run=dry), server=s) for dry in (False, True)]
        eq(answers[0], answers[1], "deny mode: dryRun answered the same")
        eq((answers[0]["allowed"], answers[0]["status"]["code"]), (False, 403), "denied")
    finally:
        s.stop()


def test_scale_down_unchanged_and_unrelated_are_allowed(st):
    for body in (scale("deployments", "web", "default", 10, 3),
                 scale("deployments", "web", "default", 3, 3),
                 fixture("update-deployment.json", **{"object.spec.replicas": 2}),
                 fixture("delete-deployment.json"),
                 fixture("update-configmap.json"),
                 scale("deployments", "paused", "default", 1, 50)):
        r = review(st, body)
        eq((r["allowed"], r.get("warnings")), (True, None), "allowed at once: %s" % body["request"]["name"])
    # the log names a resource that is not a workload as itself (it said ReplicationController)
    logs = st["live"].logs()
    check("UPDATE default/settings configmaps replicas 0->0 decision=allowed" in logs, logs[-2000:])


def test_deny_mode_by_namespace_and_workload_annotations(st):
    r = review(st, scale("deployments", "api", "strict", 1, 30))
    eq(r["allowed"], False, "namespace annotation deny")
    eq(r["status"]["code"], 403, "code")
    eq(r["status"]["message"], ONLY_16_OF[len("headroom: "):] % (29, "strict/api"), "message")
    r = review(st, scale("deployments", "relaxed", "strict", 1, 30))
    eq((r["allowed"], len(r["warnings"])), (True, 1), "workload annotation warn beats namespace deny")
    r = review(st, scale("deployments", "picky", "default", 1, 30))
    eq(r["allowed"], False, "workload annotation deny")
    r = review(st, scale("deployments", "picky", "default", 1, 5))
    eq((r["allowed"], r.get("warnings")), (True, None), "deny only when not everything fits")


def test_flag_modes(st):
    deny = Server(st["certs"], snapshot=None, extra=["--kubeconfig", st["kubeconfig"], "--admission-mode", "deny"] + FLAGS)
    off = Server(st["certs"], snapshot=None, extra=["--kubeconfig", st["kubeconfig"], "--admission-mode", "off"] + FLAGS)
    try:
        eq(review(st, fixture("update-deployment.json"), server=deny)["allowed"], False, "--admission-mode deny")
        r = review(st, fixture("update-deployment.json"), server=off)
        eq((r["allowed"], r.get("warnings")), (True, None), "--admission-mode off")
    finally:
        deny.stop()
        off.stop()


def test_workload_that_cannot_be_fetched_is_allowed_with_a_warning(st):
    r = review(st, scale("deployments", "ghost", "default", 1, 5))
    eq(r["allowed"], True, "fail open")
    check(r["warnings"][0].startswith("headroom: capacity not checked: cannot fetch Deployment default/ghost: HTTP 404"),
          r["warnings"])


def test_api_server_down_fails_open(st):
    certs = st["certs"]
    fake = Fake(certs)
    kc = write_kubeconfig(certs, fake.port)
    live = Server(certs, snapshot=None, extra=["--kubeconfig", kc, "--max-staleness-seconds", "1"] + FLAGS)
    try:
        fake.stop()
        deadline = time.time() + 10
        while live.request("GET", "/readyz")[0] == 200 and time.time() < deadline:
            time.sleep(0.2)
        r = review(st, scale("deployments", "web", "default", 1, 5), server=live)
        eq(r["allowed"], True, "allowed while the API server is gone")
        check("capacity not checked" in r["warnings"][0], r["warnings"])
        r = review(st, fixture("update-deployment.json"), server=live)
        eq(r["allowed"], True, "object path also fails open while not ready")
        check("capacity not checked" in r["warnings"][0], r["warnings"])
    finally:
        live.stop()
        shutil.rmtree(os.path.dirname(kc))


def test_snapshot_mode_checks_objects_and_warns_on_scale(st):
    s = Server(st["certs"])  # the embedded snapshot, no API server
    try:
        r = review(st, fixture("update-deployment.json"), server=s)
        eq(r["warnings"], [ONLY_16_OF % (27, "default/web")], "object path works offline")
        r = review(st, fixture("scale-deployment.json"), server=s)
        check(r["allowed"] and "no API server" in r["warnings"][0], r)
    finally:
        s.stop()


def test_a_count_stopped_by_the_time_bound_is_allowed_unchecked(st):
    # 1000 generated nodes (bench/gen_cluster.py), a zone-spread template: all
    # 30000 copies fit and placing them takes ~10 ms, so a 1 ms bound stops
    # the count early. That count is a lower bound, not a "no": even in deny
    # mode the scale-up is allowed, with a warning saying it was not checked.
    tmp = tempfile.mkdtemp()
    cluster = os.path.join(tmp, "cluster.json")
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen_cluster.py"), "--nodes", "1000",
                    "--pods-per-node", "0", "--out", cluster], check=True)
    with open(os.path.join(TOP, "bench", "pods", "spread.json")) as f:
        spread = json.load(f)
    body = object_review("Deployment", "spread", None, 30000)
    body["request"]["object"]["spec"]["template"] = {"metadata": {"labels": spread["metadata"]["labels"]},
                                                     "spec": spread["spec"]}
    s = Server(st["certs"], snapshot=cluster, extra=["--max-capacity-ms", "1", "--admission-mode", "deny"])
    try:
        r = review(st, body, server=s)
        eq(r["allowed"], True, "a time-limited count does not deny")
        m = re.fullmatch(r"headroom: capacity not checked: the check ran out of time after placing "
                         r"(\d+) of 30000 new replicas", r["warnings"][0])
        check(m and int(m.group(1)) < 30000, r["warnings"])
    finally:
        s.stop()
        shutil.rmtree(tmp)


def test_malformed_reviews_are_400(st):
    s = st["live"]
    for body, fragment in (("{", "not valid JSON near byte 1"),
                           ("", "empty body: send an admission.k8s.io/v1 AdmissionReview"),
                           ("[]", "not a JSON object"),
                           ("[" * 200 + "]" * 200, "nests deeper than 128 levels"),
                           (json.dumps(fixture("scale-deployment.json")) + " junk",
                            "unexpected bytes after the JSON object at byte"),
                           (fixture("scale-deployment.json", uid=5), "request.uid: must be a string, got number"),
                           ({"kind": "AdmissionReview", "request": {}},
                            'got apiVersion "" kind "AdmissionReview"'),
                           ({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {}},
                            "admission.k8s.io/v1"),
                           ({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}, "request"),
                           (fixture("scale-deployment.json", uid=""), "request.uid"),
                           (fixture("update-deployment.json", object="nope"), "request.object"),
                           (fixture("update-deployment.json", **{"object.spec.replicas": "many"}),
                            "request.object.spec.replicas"),
                           (fixture("scale-deployment.json", **{"object.spec.replicas": -3}),
                            "request.object.spec.replicas")):
        status, _, data = s.request("POST", "/admission", body if isinstance(body, str) else json.dumps(body))
        eq(status, 400, "status for %r" % (body if isinstance(body, str) else fragment))
        check(fragment in json.loads(data)["error"], "%r in %r" % (fragment, data))


def test_metrics_count_decisions(st):
    text = st["live"].request("GET", "/metrics")[2].decode()
    for decision in ("allowed", "warned", "denied", "unchecked"):
        line = [l for l in text.splitlines() if l.startswith('headroom_admission_reviews_total{decision="%s"}' % decision)]
        check(line and float(line[0].split()[-1]) > 0, "decision %s counted: %s" % (decision, line))


if __name__ == "__main__":
    sys.exit(run(globals(), setup, teardown))
