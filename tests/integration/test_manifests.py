#!/usr/bin/env python3
"""manifests/ renders with `kubectl kustomize`, and every object has what a
Kubernetes component needs: probes, security context, least-privilege RBAC,
a webhook that matches the admission spec, and an extender stanza that
matches spec/extender-protocol.md §2 field for field. Also the overlay that
certs/install.sh writes (Secrets and the caBundle)."""
import base64
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, Skip, check, eq, run  # noqa: E402

BUILD = os.environ.get("HEADROOM_BUILD", os.path.join(TOP, "build"))
YAML2JSON = os.path.join(BUILD, "tools", "yaml2json")


def render(path):
    k = subprocess.run(["kubectl", "kustomize", path], capture_output=True, timeout=120)
    eq(k.returncode, 0, "kubectl kustomize %s: %s" % (path, k.stderr.decode()))
    j = subprocess.run([YAML2JSON], input=k.stdout, capture_output=True, timeout=60)
    eq(j.returncode, 0, "yaml2json: %s" % j.stderr.decode())
    return json.loads(j.stdout)


def find(objs, kind, name, namespace=None):
    for o in objs:
        m = o["metadata"]
        if o["kind"] == kind and m["name"] == name and (namespace is None or m.get("namespace") == namespace):
            return o
    raise AssertionError("no %s %s in the rendered manifests" % (kind, name))


def setup():
    return {"objs": render(os.path.join(TOP, "manifests"))}


def test_renders_the_component(st):
    kinds = sorted((o["kind"], o["metadata"]["name"]) for o in st["objs"])
    for want in [("Namespace", "headroom"), ("ServiceAccount", "headroom"), ("ClusterRole", "headroom"),
                 ("ClusterRoleBinding", "headroom"), ("Deployment", "headroom"), ("Service", "headroom"),
                 ("ValidatingWebhookConfiguration", "headroom-scale-check"),
                 ("ConfigMap", "headroom-scheduler-config"), ("Deployment", "headroom-scheduler")]:
        check(want in kinds, "%s %s rendered" % want)


def test_deployment(st):
    d = find(st["objs"], "Deployment", "headroom", "headroom")
    spec = d["spec"]["template"]["spec"]
    eq(d["spec"]["replicas"], 2, "replicas")
    eq(spec["serviceAccountName"], "headroom", "service account")
    eq(spec["securityContext"]["runAsNonRoot"], True, "non-root")
    c = spec["containers"][0]
    eq(c["livenessProbe"]["httpGet"]["path"], "/healthz", "liveness on /healthz")
    eq(c["readinessProbe"]["httpGet"]["path"], "/readyz", "readiness on /readyz")
    eq(c["livenessProbe"]["httpGet"]["scheme"], "HTTPS", "probes over HTTPS")
    check(c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"], "requests")
    check(c["resources"]["limits"]["memory"], "memory limit")
    sc = c["securityContext"]
    eq((sc["readOnlyRootFilesystem"], sc["allowPrivilegeEscalation"], sc["capabilities"]["drop"]),
       (True, False, ["ALL"]), "container security context")
    args = c["args"]
    eq(args[0], "serve", "command")
    for flag in ("--tls-cert=/etc/headroom/tls/tls.crt", "--tls-key=/etc/headroom/tls/tls.key",
                 "--client-ca=/etc/headroom/tls/ca.crt"):
        check(flag in args, "%s in args" % flag)
    # filter and admission only for the client certificate certs/ issues
    names = [a.split("=", 1)[1] for a in args if a.startswith("--allowed-client-names=")]
    with open(os.path.join(TOP, "certs", "make-certs.sh")) as f:
        cn = re.search(r'^issue client "/CN=([^"/]+)"', f.read(), re.M).group(1)
    eq(names, [cn], "--allowed-client-names is the CN of certs/' client certificate")
    eq(spec["volumes"][0]["secret"]["secretName"], "headroom-tls", "certificates from a Secret")


def test_service_maps_443_to_the_serving_port(st):
    s = find(st["objs"], "Service", "headroom", "headroom")
    eq((s["spec"]["ports"][0]["port"], s["spec"]["ports"][0]["targetPort"]), (443, "https"), "ports")


def test_rbac_is_least_privilege(st):
    role = find(st["objs"], "ClusterRole", "headroom")
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"])): tuple(r["verbs"]) for r in role["rules"]}
    eq(rules, {(("",), ("nodes", "pods", "namespaces", "limitranges")): ("get", "list", "watch"),
               (("node.k8s.io",), ("runtimeclasses",)): ("get", "list", "watch"),
               (("apps",), ("deployments", "statefulsets", "replicasets")): ("get",),
               (("",), ("replicationcontrollers",)): ("get",)}, "ClusterRole rules")
    b = find(st["objs"], "ClusterRoleBinding", "headroom")
    eq(b["subjects"], [{"kind": "ServiceAccount", "name": "headroom", "namespace": "headroom"}], "binding")


def test_webhook(st):
    w = find(st["objs"], "ValidatingWebhookConfiguration", "headroom-scale-check")["webhooks"][0]
    eq((w["admissionReviewVersions"], w["sideEffects"], w["failurePolicy"], w["timeoutSeconds"]),
       (["v1"], "None", "Ignore", 5), "webhook basics")
    eq(w["clientConfig"]["service"], {"namespace": "headroom", "name": "headroom", "port": 443,
                                      "path": "/admission"}, "service reference")
    resources = sorted(r for rule in w["rules"] for r in rule["resources"])
    eq(resources, sorted(["deployments/scale", "statefulsets/scale", "replicasets/scale", "deployments", "replicasets",
                          "statefulsets", "replicationcontrollers/scale", "replicationcontrollers"]), "rules")
    check("objectSelector" not in w, "no objectSelector (a Scale has no labels)")
    eq(w["namespaceSelector"]["matchExpressions"][0]["values"], ["kube-system", "headroom"], "excluded namespaces")


def yaml_file(path):
    with open(path, "rb") as f:
        j = subprocess.run([YAML2JSON], input=f.read(), capture_output=True, timeout=60)
    eq(j.returncode, 0, "yaml2json %s: %s" % (path, j.stderr.decode()))
    docs = json.loads(j.stdout)  # one entry per YAML document
    eq(len(docs), 1, "documents in %s" % path)
    return docs[0]


def test_api_server_webhook_credentials_match_the_webhook(st):
    # The API server picks webhook credentials by the webhook's host, for a
    # Service reference <service>.<namespace>.svc: a mismatch means no client
    # certificate, a refused call, and (failurePolicy Ignore) no check at all.
    kubeadm = os.path.join(TOP, "manifests", "kubeadm")
    ac = yaml_file(os.path.join(kubeadm, "admission-config.yaml"))
    eq((ac["apiVersion"], ac["kind"]), ("apiserver.config.k8s.io/v1", "AdmissionConfiguration"), "kind")
    plugin = [p for p in ac["plugins"] if p["name"] == "ValidatingAdmissionWebhook"][0]["configuration"]
    eq((plugin["apiVersion"], plugin["kind"]), ("apiserver.config.k8s.io/v1", "WebhookAdmissionConfiguration"),
       "plugin configuration kind")
    eq(plugin["kubeConfigFile"], "/etc/kubernetes/headroom/webhook-kubeconfig.yaml", "kubeconfig path")
    kc = yaml_file(os.path.join(kubeadm, "webhook-kubeconfig.yaml"))
    svc = find(st["objs"], "ValidatingWebhookConfiguration", "headroom-scale-check")["webhooks"][0]
    svc = svc["clientConfig"]["service"]
    eq([u["name"] for u in kc["users"]], ["%s.%s.svc" % (svc["name"], svc["namespace"])], "user matches the host")
    eq(kc["users"][0]["user"], {"client-certificate": "/etc/kubernetes/headroom/tls.crt",
                                "client-key": "/etc/kubernetes/headroom/tls.key"}, "client certificate files")


def test_scheduler_extender_stanza_matches_the_spec(st):
    cm = find(st["objs"], "ConfigMap", "headroom-scheduler-config", "headroom")
    j = subprocess.run([YAML2JSON], input=cm["data"]["config.yaml"].encode(), capture_output=True)
    cfg = json.loads(j.stdout)[0]
    eq((cfg["apiVersion"], cfg["kind"]), ("kubescheduler.config.k8s.io/v1", "KubeSchedulerConfiguration"), "config")
    eq(cfg["profiles"], [{"schedulerName": "headroom-scheduler"}], "profile")
    ext = cfg["extenders"][0]
    allowed = {"urlPrefix", "filterVerb", "prioritizeVerb", "preemptVerb", "bindVerb", "weight", "enableHTTPS",
               "tlsConfig", "httpTimeout", "nodeCacheCapable", "managedResources", "ignorable"}
    check(set(ext) <= allowed, "only extender fields, exactly cased: %s" % sorted(set(ext) - allowed))
    eq(ext["urlPrefix"], "https://headroom.headroom.svc:443", "urlPrefix")
    eq((ext["filterVerb"], ext["nodeCacheCapable"], ext["enableHTTPS"], ext["httpTimeout"]),
       ("filter", True, True, "5s"), "verbs and transport")
    check(isinstance(ext["ignorable"], bool), "ignorable chosen")
    tls = ext["tlsConfig"]
    check(set(tls) <= {"insecure", "serverName", "certFile", "keyFile", "caFile", "certData", "keyData", "caData"},
          "tlsConfig fields")
    eq((tls["insecure"], tls["serverName"]), (False, "headroom.headroom.svc"), "verified TLS")
    check(tls["caFile"] and tls["certFile"] and tls["keyFile"], "CA and client certificate for mTLS")
    d = find(st["objs"], "Deployment", "headroom-scheduler", "headroom")
    c = d["spec"]["template"]["spec"]["containers"][0]
    check(c["image"].startswith("registry.k8s.io/kube-scheduler:"), "upstream kube-scheduler image")
    check("--config=/etc/headroom-scheduler/config.yaml" in c["command"], "--config")


def test_kubeadm_scheduler_config_has_the_same_extender(st):
    cm = find(st["objs"], "ConfigMap", "headroom-scheduler-config", "headroom")
    j = subprocess.run([YAML2JSON], input=cm["data"]["config.yaml"].encode(), capture_output=True)
    second = json.loads(j.stdout)[0]["extenders"][0]
    kubeadm = os.path.join(TOP, "manifests", "kubeadm")
    cfg = yaml_file(os.path.join(kubeadm, "kube-scheduler-config.yaml"))
    eq((cfg["apiVersion"], cfg["kind"]), ("kubescheduler.config.k8s.io/v1", "KubeSchedulerConfiguration"), "config")
    eq(cfg["clientConnection"]["kubeconfig"], "/etc/kubernetes/scheduler.conf", "kubeadm's scheduler kubeconfig")
    ext = cfg["extenders"][0]
    # the host network reaches the Service by ClusterIP; the files live on the host
    eq(ext["urlPrefix"], "https://HEADROOM_CLUSTER_IP:443", "urlPrefix placeholder")
    eq(ext["tlsConfig"], {"insecure": False, "serverName": second["tlsConfig"]["serverName"],
                          "caFile": "/etc/kubernetes/headroom/ca.crt",
                          "certFile": "/etc/kubernetes/headroom/tls.crt",
                          "keyFile": "/etc/kubernetes/headroom/tls.key"}, "tlsConfig")
    same = lambda e: {k: v for k, v in e.items() if k not in ("urlPrefix", "tlsConfig")}
    eq(same(ext), same(second), "the rest of the stanza, field for field")
    with open(os.path.join(kubeadm, "README.md")) as f:
        readme = f.read()
    for path in ("HEADROOM_CLUSTER_IP", "/etc/kubernetes/headroom"):
        check(path in readme, "the kubeadm README says how to fill %s" % path)


def kubectl_minor():
    p = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True, timeout=60)
    try:
        return int(re.sub(r"\D", "", json.loads(p.stdout)["clientVersion"]["minor"]))
    except (ValueError, KeyError):
        return 0


def test_install_overlay_fills_secrets_and_ca_bundle(st):
    if kubectl_minor() < 21:  # Debian 12's kubernetes-client is 1.20: kustomize v2 lacks `patches`
        raise Skip("kubectl %s embeds a kustomize too old for the overlay's patches" % kubectl_minor())
    out = tempfile.mkdtemp()
    try:
        p = subprocess.run([os.path.join(TOP, "certs", "install.sh"), "--out", out], capture_output=True, timeout=120)
        eq(p.returncode, 0, p.stderr.decode())
        objs = render(os.path.join(out, "kustomize"))
        with open(os.path.join(out, "ca.crt"), "rb") as f:
            ca = f.read()
        w = find(objs, "ValidatingWebhookConfiguration", "headroom-scale-check")["webhooks"][0]
        eq(base64.b64decode(w["clientConfig"]["caBundle"]), ca, "caBundle is the CA")
        tls = find(objs, "Secret", "headroom-tls", "headroom")
        eq(sorted(tls["data"]), ["ca.crt", "tls.crt", "tls.key"], "serving Secret keys")
        eq(base64.b64decode(tls["data"]["ca.crt"]), ca, "client CA in the Secret")
        client = find(objs, "Secret", "headroom-scheduler-client", "headroom")
        check(b"BEGIN CERTIFICATE" in base64.b64decode(client["data"]["tls.crt"]), "client certificate")
    finally:
        shutil.rmtree(out)


def test_install_image_flag_sets_the_deployment_image(st):
    if kubectl_minor() < 21:
        raise Skip("kubectl %s embeds a kustomize too old for the overlay's patches" % kubectl_minor())
    out = tempfile.mkdtemp()
    try:
        p = subprocess.run([os.path.join(TOP, "certs", "install.sh"), "--out", out, "--image",
                            "registry.example.com:5000/team/headroom:0.2.0"], capture_output=True, timeout=120)
        eq(p.returncode, 0, p.stderr.decode())
        objs = render(os.path.join(out, "kustomize"))
        d = find(objs, "Deployment", "headroom", "headroom")
        eq(d["spec"]["template"]["spec"]["containers"][0]["image"],
           "registry.example.com:5000/team/headroom:0.2.0", "image")
        bad = subprocess.run([os.path.join(TOP, "certs", "install.sh"), "--out", out, "--image",
                              "registry.example.com:5000/team/headroom"], capture_output=True, timeout=120)
        eq(bad.returncode, 2, "an image without a tag is refused")
        check(b"NAME:TAG" in bad.stderr, bad.stderr.decode())
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    sys.exit(run(globals(), setup))
