#!/usr/bin/env python3
"""A test double of the Kubernetes API server's LIST / WATCH / GET wire format.

headroom keeps a live cache of cluster state with LIST+WATCH over HTTPS
(docs: docs/spec/extender-protocol.md, sections 3.2 and 4).  No real
kube-apiserver is available to the tests, so this module imitates the parts of
it that a raw HTTP client sees:

* HTTPS only (TLS 1.2+), HTTP/1.1 with keep-alive, bearer-token and optional
  client-certificate authentication, v1 ``Status`` error bodies;
* LIST with ``limit``/``continue`` pagination over one consistent snapshot,
  ``resourceVersion``/``resourceVersionMatch`` semantics, field and label
  selectors, ``remainingItemCount``, 410 ``Expired`` continue tokens;
* WATCH as a chunked stream of single-line JSON events, synthetic ADDED events
  for ``resourceVersion`` unset/"0", BOOKMARKs, ``timeoutSeconds``, the
  selector rule (stops matching -> DELETED, starts matching -> ADDED) and
  "too old resource version" ERROR events after the history window;
* GET of single objects (e.g. the workload behind an admission request).

Everything a test needs to drive it lives under ``/_control/`` on the same
port (plain JSON, no authentication): apply/patch/delete objects, dump the
state, compact history, rotate tokens, arm faults, run churn, read the request
log.  See tests/apiserver/README.md for the list.

Run as a script::

    fake_apiserver.py --cert server.crt --key server.key --port 0 \
        --token secret --objects snapshot.json

It prints ``{"port": N, "url": "https://127.0.0.1:N", "resourceVersion": "R"}``
on one stdout line once it is listening.  Import it and use :class:`FakeAPIServer` to run it
inside a Python test instead.

Only the Python 3 standard library is used (Debian 12 ``python3``).
"""

import argparse
import base64
import bisect
import collections
import copy
import email.utils
import gzip
import http.server
import json
import os
import random
import re
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

# ---------------------------------------------------------------------------
# Resource table (immutable module constants)
# ---------------------------------------------------------------------------


def _field(*path):
    """Returns a getter producing the field-selector string value at *path*.

    Missing values read as "" and booleans as "true"/"false", like the
    apiserver's field sets (fmt.Sprint on the Go value).
    """
    def get(obj):
        cur = obj
        for part in path:
            if not isinstance(cur, dict):
                return ""
            cur = cur.get(part)
            if cur is None:
                return ""
        if isinstance(cur, bool):
            return "true" if cur else "false"
        if isinstance(cur, (dict, list)):
            return ""
        return str(cur)
    return get


_COMMON_FIELDS = {
    "metadata.name": _field("metadata", "name"),
    "metadata.namespace": _field("metadata", "namespace"),
}
_POD_FIELDS = dict(_COMMON_FIELDS, **{
    "metadata.uid": _field("metadata", "uid"),
    "spec.nodeName": _field("spec", "nodeName"),
    "spec.restartPolicy": _field("spec", "restartPolicy"),
    "spec.schedulerName": _field("spec", "schedulerName"),
    "spec.serviceAccountName": _field("spec", "serviceAccountName"),
    "spec.hostNetwork": _field("spec", "hostNetwork"),
    "status.phase": _field("status", "phase"),
    "status.podIP": _field("status", "podIP"),
    "status.hostIP": _field("status", "hostIP"),
    "status.nominatedNodeName": _field("status", "nominatedNodeName"),
})
_NODE_FIELDS = dict(_COMMON_FIELDS, **{"spec.unschedulable": _field("spec", "unschedulable")})
_NAMESPACE_FIELDS = dict(_COMMON_FIELDS, **{"status.phase": _field("status", "phase")})


class Resource:
    """One API resource: where it is served and what its objects look like."""

    def __init__(self, group, version, plural, kind, namespaced, fields=None):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.fields = fields or _COMMON_FIELDS
        self.api_version = "%s/%s" % (group, version) if group else version
        self.list_kind = kind + "List"
        self.prefix = "/apis/%s/%s" % (group, version) if group else "/api/%s" % version
        # how the apiserver names it in messages: pods, deployments.apps
        self.qualified = plural + ("." + group if group else "")

    def __repr__(self):
        return "Resource(%s)" % self.qualified


RESOURCES = (
    Resource("", "v1", "nodes", "Node", False, _NODE_FIELDS),
    Resource("", "v1", "pods", "Pod", True, _POD_FIELDS),
    Resource("", "v1", "namespaces", "Namespace", False, _NAMESPACE_FIELDS),
    Resource("", "v1", "limitranges", "LimitRange", True),
    Resource("", "v1", "replicationcontrollers", "ReplicationController", True),
    Resource("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", False),
    Resource("apps", "v1", "deployments", "Deployment", True),
    Resource("apps", "v1", "statefulsets", "StatefulSet", True),
    Resource("apps", "v1", "replicasets", "ReplicaSet", True),
)
_RES_BY_KIND = {r.kind.lower(): r for r in RESOURCES}
_RES_BY_PLURAL = {r.plural: r for r in RESOURCES}
_RES_BY_PATH = {(r.prefix, r.plural): r for r in RESOURCES}


def find_resource(name):
    """Looks a resource up by kind ("Pod"), plural ("pods") or "pods.apps"-style name."""
    if isinstance(name, Resource):
        return name
    if not name:
        return None
    low = str(name).lower()
    return _RES_BY_KIND.get(low) or _RES_BY_PLURAL.get(low) or _RES_BY_PLURAL.get(low.split(".")[0])


# ---------------------------------------------------------------------------
# Errors and Status bodies
# ---------------------------------------------------------------------------

_REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 409: "Conflict", 410: "Expired", 422: "Invalid",
    429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
    504: "Timeout",
}
_DEFAULT_MESSAGES = {
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected by fake apiserver",
    503: "The server is currently unable to handle the request",
    504: "The server was unable to return a response in the time allotted, but may still be processing the request",
}
_HTTP_PHRASES = {code: phrase for code, (phrase, _) in http.server.BaseHTTPRequestHandler.responses.items()}

CONTINUE_EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter, or send the next request "
    "with the remaining continue parameter that you received from the 410 response to "
    "continue the list. The list result will be inconsistent.")
LIST_RV_EXPIRED_MESSAGE = "The resourceVersion for the provided list is too old."


def status_body(code, reason=None, message="", details=None, metadata=None):
    """Builds a metav1.Status failure object (field order as the apiserver emits it)."""
    out = {"kind": "Status", "apiVersion": "v1", "metadata": metadata or {},
           "status": "Failure", "message": message, "reason": reason or _REASONS.get(code, "")}
    if details is not None:
        out["details"] = details
    out["code"] = code
    return out


class ApiError(Exception):
    """An error answered as an HTTP status with a v1 Status body."""

    def __init__(self, code, message, reason=None, details=None, metadata=None, headers=None):
        super().__init__(message)
        self.code = code
        self.body = status_body(code, reason, message, details, metadata)
        self.headers = headers or {}


class TooOld(Exception):
    """A resourceVersion older than the retained history."""

    def __init__(self, rv, floor):
        super().__init__("too old resource version: %d (%d)" % (rv, floor))
        self.rv, self.floor = rv, floor


class TooLarge(Exception):
    """A resourceVersion the store has not reached yet."""

    def __init__(self, rv, current):
        super().__init__("Too large resource version: %d, current: %d" % (rv, current))
        self.rv, self.current = rv, current


def too_large_status(exc):
    """The Status the apiserver uses for ResourceVersionTooLarge (HTTP 504)."""
    return status_body(504, "Timeout", str(exc), details={
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
        "retryAfterSeconds": 1})


def dumps(obj):
    """Compact single-line JSON as bytes (newlines inside strings are escaped)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parse_bool(value):
    """Go strconv.ParseBool's true set; everything else is false."""
    return str(value) in ("1", "t", "T", "true", "TRUE", "True")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch; returns a new value, inputs untouched."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# ---------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------


def _split_unescaped(text, sep):
    """Splits on *sep* not preceded by a backslash (escapes kept)."""
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def parse_field_selector(text, res):
    """Parses a fieldSelector into [(field, op, value)] with op "=" or "!=".

    Operators ``=``, ``==``, ``!=``; comma means AND; backslash escapes.
    Raises ApiError 400 for syntax errors and unsupported fields.
    """
    reqs = []
    for term in _split_unescaped(text or "", ","):
        if not term:
            continue
        found = None
        i = 0
        while i < len(term) and found is None:
            if term[i] == "\\":
                i += 2
                continue
            for op in ("!=", "==", "="):
                if term.startswith(op, i):
                    found = (term[:i], op, term[i + len(op):])
                    break
            i += 1
        if found is None:
            raise ApiError(400, "invalid selector: '%s'; can't understand '%s'" % (text, term))
        field, op, value = found
        field = field.strip()
        if field not in res.fields:
            raise ApiError(400, "field label not supported: %s" % field)
        reqs.append((field, "!=" if op == "!=" else "=", _unescape(value)))
    return reqs


_LABEL_SET_RE = re.compile(r"^\s*([^\s!=(),]+)\s+(in|notin)\s*\((.*)\)\s*$")
_LABEL_TOKEN_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$")


def _split_top_level(text):
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_label_selector(text):
    """Parses a labelSelector into [(key, op, values)].

    Supports ``k``, ``!k``, ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``,
    ``k notin (a,b)``.
    """
    reqs = []
    for term in _split_top_level(text or ""):
        term = term.strip()
        if not term:
            continue
        m = _LABEL_SET_RE.match(term)
        if m:
            values = frozenset(v.strip() for v in m.group(3).split(","))
            reqs.append((m.group(1), m.group(2), values))
            continue
        if term.startswith("!"):
            key, op, values = term[1:].strip(), "!", frozenset()
        elif "!=" in term:
            key, _, val = term.partition("!=")
            op, values = "!=", frozenset([val.strip()])
        elif "==" in term:
            key, _, val = term.partition("==")
            op, values = "=", frozenset([val.strip()])
        elif "=" in term:
            key, _, val = term.partition("=")
            op, values = "=", frozenset([val.strip()])
        else:
            key, op, values = term, "exists", frozenset()
        key = key.strip()
        if not _LABEL_TOKEN_RE.match(key) or any(v and not _LABEL_TOKEN_RE.match(v) for v in values):
            raise ApiError(400, "unable to parse requirement: invalid label selector term %r" % term)
        reqs.append((key, op, values))
    return reqs


class Filter:
    """What a LIST or WATCH selects: namespace, field and label requirements."""

    def __init__(self, res, namespace=None, field_selector="", label_selector=""):
        self.res = res
        self.namespace = namespace
        self.fields = parse_field_selector(field_selector, res)
        self.labels = parse_label_selector(label_selector)

    @property
    def has_selectors(self):
        return bool(self.fields or self.labels)

    def matches(self, obj):
        """True if *obj* (a stored object of self.res) is selected."""
        if obj is None:
            return False
        md = obj.get("metadata") or {}
        if self.namespace is not None and md.get("namespace", "") != self.namespace:
            return False
        for field, op, value in self.fields:
            if (self.res.fields[field](obj) == value) != (op == "="):
                return False
        if self.labels:
            labels = md.get("labels") or {}
            for key, op, values in self.labels:
                have = key in labels
                val = labels.get(key)
                if op == "=" and not (have and val in values):
                    return False
                if op == "!=" and have and val in values:
                    return False
                if op == "in" and not (have and val in values):
                    return False
                if op == "notin" and have and val in values:
                    return False
                if op == "exists" and not have:
                    return False
                if op == "!" and have:
                    return False
        return True


# ---------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------


class Event:
    """One change in the history: the new object and the state before it."""

    __slots__ = ("rv", "type", "res", "key", "obj", "prev", "_obj_json", "_prev_json")

    def __init__(self, rv, etype, res, key, obj, prev):
        self.rv, self.type, self.res, self.key = rv, etype, res, key
        self.obj, self.prev = obj, prev
        self._obj_json = None
        self._prev_json = None

    def obj_json(self):
        if self._obj_json is None:
            self._obj_json = dumps(self.obj)
        return self._obj_json

    def prev_as_deleted_json(self):
        """Previous state with this event's resourceVersion (cache_watcher.go)."""
        if self._prev_json is None:
            dead = dict(self.prev)
            dead["metadata"] = dict(self.prev.get("metadata") or {}, resourceVersion=str(self.rv))
            self._prev_json = dumps(dead)
        return self._prev_json

    def for_watcher(self, filt):
        """(type, object JSON bytes) as a watcher with *filt* sees it, or None."""
        if self.res is not filt.res:
            return None
        if self.type == "DELETED":
            return ("DELETED", self.obj_json()) if filt.matches(self.prev) else None
        cur = filt.matches(self.obj)
        old = self.prev is not None and filt.matches(self.prev)
        if cur and old:
            return ("MODIFIED", self.obj_json())
        if cur:
            return ("ADDED", self.obj_json())
        if old:
            return ("DELETED", self.prev_as_deleted_json())
        return None


class Store:
    """In-memory objects with one global resourceVersion counter and history.

    All state is guarded by ``self.lock``; ``self.cond`` (same lock) is
    notified on every change so watchers wake up.  Stored objects are never
    mutated after publication, so they can be shared without copying.
    """

    SNAPSHOT_CACHE = 16

    def __init__(self, initial_rv=100, history_limit=1000):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.rv = int(initial_rv)
        self.floor = self.rv          # a watch from R works iff R >= floor
        self.history_limit = max(1, int(history_limit))
        self.watch_epoch = 0          # bumped by close_watches()
        self.close_mode = "clean"
        self.bookmark_epoch = 0       # bumped by request_bookmark()
        self.continue_gen = 0         # bumped by expire_continue_tokens()
        self._objs = {r.plural: {} for r in RESOURCES}
        self._hist = []
        self._hist_rvs = []
        self._snaps = collections.OrderedDict()

    # -- keys and normalisation --------------------------------------------

    @staticmethod
    def key(res, namespace, name):
        return "%s/%s" % (namespace, name) if res.namespaced else name

    @staticmethod
    def normalize(obj, default_kind=None, default_api_version=None):
        """Validates an incoming object; returns (res, deep copy with kind/apiVersion/namespace)."""
        if not isinstance(obj, dict):
            raise ValueError("object must be a JSON object")
        kind = obj.get("kind") or default_kind
        res = find_resource(kind)
        if res is None or (kind and res.kind.lower() != str(kind).lower()):
            raise ValueError("unsupported kind %r (supported: %s)"
                             % (kind, ", ".join(r.kind for r in RESOURCES)))
        obj = copy.deepcopy(obj)
        obj["kind"] = res.kind
        obj["apiVersion"] = res.api_version
        # keep kind/apiVersion first, like the apiserver's encoding
        obj = dict([("kind", res.kind), ("apiVersion", res.api_version)]
                   + [(k, v) for k, v in obj.items() if k not in ("kind", "apiVersion")])
        md = obj.get("metadata")
        if not isinstance(md, dict) or not md.get("name"):
            raise ValueError("%s without metadata.name" % res.kind)
        md = dict(md)
        obj["metadata"] = md
        if res.namespaced:
            md["namespace"] = md.get("namespace") or "default"
        else:
            md.pop("namespace", None)
        return res, obj

    # -- mutation ------------------------------------------------------------

    def load(self, objects):
        """Adds initial objects without recording history (floor = final RV)."""
        with self.cond:
            for obj in objects:
                self._put(obj, record=False)
            self.floor = self.rv
            self._hist, self._hist_rvs = [], []
            self._snaps.clear()

    def apply(self, obj):
        """Creates or replaces *obj*; returns (event type, stored object)."""
        with self.cond:
            result = self._put(obj, record=True)
            self.cond.notify_all()
            return result

    def _put(self, obj, record):
        res, obj = self.normalize(obj)
        md = obj["metadata"]
        key = self.key(res, md.get("namespace", ""), md["name"])
        objs = self._objs[res.plural]
        old = objs.get(key)
        self.rv += 1
        md["resourceVersion"] = str(self.rv)
        if old is not None:
            omd = old.get("metadata") or {}
            if not md.get("uid"):
                md["uid"] = omd.get("uid") or str(uuid.uuid4())
            if not md.get("creationTimestamp"):
                md["creationTimestamp"] = omd.get("creationTimestamp") or now_rfc3339()
        else:
            md.setdefault("uid", str(uuid.uuid4()))
            if not md.get("creationTimestamp"):
                md["creationTimestamp"] = now_rfc3339()
        objs[key] = obj
        etype = "MODIFIED" if old is not None else "ADDED"
        if record:
            self._record(Event(self.rv, etype, res, key, obj, old))
        return etype, obj

    def patch(self, res, namespace, name, patch):
        """JSON-merge-patches an existing object (MODIFIED); None if absent."""
        res = find_resource(res)
        with self.cond:
            old = self.get(res, namespace, name)
            if old is None:
                return None
            new = merge_patch(old, patch)
            new["metadata"] = dict(new.get("metadata") or {}, name=old["metadata"]["name"])
            if res.namespaced:
                new["metadata"]["namespace"] = old["metadata"]["namespace"]
            new["kind"], new["apiVersion"] = res.kind, res.api_version
            return self.apply(new)[1]

    def delete(self, res, namespace, name, graceful=False):
        """Deletes an object; returns its last state (RV = deletion RV) or None.

        With *graceful*, a MODIFIED event setting metadata.deletionTimestamp
        comes first, like a pod going through graceful termination.
        """
        res = find_resource(res)
        with self.cond:
            key = self.key(res, namespace or "default", name)
            old = self._objs[res.plural].get(key)
            if old is None:
                return None
            if graceful:
                md = dict(old["metadata"], deletionTimestamp=now_rfc3339(),
                          deletionGracePeriodSeconds=30)
                old = self.apply(dict(old, metadata=md))[1]
            self.rv += 1
            dead = dict(old)
            dead["metadata"] = dict(old["metadata"], resourceVersion=str(self.rv))
            del self._objs[res.plural][key]
            self._record(Event(self.rv, "DELETED", res, key, dead, old))
            self.cond.notify_all()
            return dead

    def _record(self, ev):
        self._hist.append(ev)
        self._hist_rvs.append(ev.rv)
        extra = len(self._hist) - self.history_limit
        if extra > 0:
            self._trim(extra)

    def _trim(self, count):
        if count <= 0:
            return
        self.floor = max(self.floor, self._hist_rvs[count - 1])
        del self._hist[:count]
        del self._hist_rvs[:count]
        for k in [k for k in self._snaps if k[1] < self.floor]:
            del self._snaps[k]

    def compact(self, rv=None):
        """Forgets history up to *rv* (default: everything); returns the new floor."""
        with self.cond:
            target = self.rv if rv is None else min(int(rv), self.rv)
            if target > self.floor:
                self._trim(bisect.bisect_right(self._hist_rvs, target))
                self.floor = target
                for k in [k for k in self._snaps if k[1] < self.floor]:
                    del self._snaps[k]
            self.cond.notify_all()
            return self.floor

    def set_history_limit(self, limit):
        with self.cond:
            self.history_limit = max(1, int(limit))
            self._trim(len(self._hist) - self.history_limit)
            self.cond.notify_all()

    def close_watches(self, mode="clean"):
        with self.cond:
            self.watch_epoch += 1
            self.close_mode = mode
            self.cond.notify_all()

    def request_bookmark(self):
        with self.cond:
            self.bookmark_epoch += 1
            self.cond.notify_all()

    def expire_continue_tokens(self):
        with self.cond:
            self.continue_gen += 1

    # -- reads ---------------------------------------------------------------

    def get(self, res, namespace, name):
        res = find_resource(res)
        with self.lock:
            return self._objs[res.plural].get(self.key(res, namespace or "", name))

    def objects(self, res):
        """Current objects of *res*, sorted by key."""
        with self.lock:
            return [v for _, v in sorted(self._objs[find_resource(res).plural].items())]

    def events_since(self, pos):
        """Events with rv > pos and the RV they bring the caller to."""
        with self.lock:
            if pos < self.floor:
                raise TooOld(pos, self.floor)
            i = bisect.bisect_right(self._hist_rvs, pos)
            return self._hist[i:], self.rv

    def wait_for_rv(self, rv, timeout, stop=None):
        """Waits until the store reaches *rv*; raises TooLarge after *timeout*."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.rv < rv:
                left = deadline - time.monotonic()
                if left <= 0 or (stop is not None and stop.is_set()):
                    raise TooLarge(rv, self.rv)
                self.cond.wait(min(left, 0.2))

    def snapshot(self, res, rv=None):
        """(rv, keys, objects) of *res* as of *rv* (default: now), sorted by key.

        Historical states are rebuilt by undoing newer events; raises TooOld
        when the history no longer reaches back to *rv*, TooLarge if *rv* is
        in the future.
        """
        with self.lock:
            if rv is None:
                rv = self.rv
            if rv > self.rv:
                raise TooLarge(rv, self.rv)
            if rv < self.floor:
                raise TooOld(rv, self.floor)
            ck = (res.plural, rv)
            hit = self._snaps.get(ck)
            if hit is not None:
                self._snaps.move_to_end(ck)
                return (rv,) + hit
            state = dict(self._objs[res.plural])
            if rv != self.rv:
                for ev in reversed(self._hist):
                    if ev.rv <= rv:
                        break
                    if ev.res is not res:
                        continue
                    if ev.type == "ADDED":
                        state.pop(ev.key, None)
                    else:
                        state[ev.key] = ev.prev
            items = sorted(state.items())
            hit = ([k for k, _ in items], [v for _, v in items])
            self._snaps[ck] = hit
            while len(self._snaps) > self.SNAPSHOT_CACHE:
                self._snaps.popitem(last=False)
            return (rv,) + hit

    def dump(self, kind=None):
        """Everything (or one kind) with kind/apiVersion, plus RV and floor."""
        with self.lock:
            items = []
            for res in RESOURCES:
                if kind and find_resource(kind) is not res:
                    continue
                items.extend(v for _, v in sorted(self._objs[res.plural].items()))
            return {"resourceVersion": str(self.rv), "floor": str(self.floor),
                    "history": len(self._hist), "items": items}


# ---------------------------------------------------------------------------
# Continue tokens
# ---------------------------------------------------------------------------

_STD_SALT = b"\xfb\xff\xff"   # base64 "+///": forces '+' and '/' into "std" tokens


def encode_continue(rv, start, gen, style="rawurl"):
    """An opaque continue token: base64 of {"v","rv","start"} plus our own fields.

    The default is the apiserver's raw URL-safe base64.  style "std" makes
    padded standard base64 containing '+', '/' and '=' to catch clients that
    do not URL-encode the token.
    """
    payload = {"v": "meta.k8s.io/v1", "rv": rv, "start": start, "gen": gen,
               "iat": round(time.time(), 3)}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    if style == "std":
        raw = _STD_SALT + raw
        if len(raw) % 3 == 0:
            raw += b" "
        return base64.b64encode(raw).decode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_continue(token):
    """Inverse of encode_continue; raises ApiError 400 on junk."""
    try:
        if any(c in token for c in "+/="):
            raw = base64.b64decode(token, validate=True)
        else:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if raw.startswith(_STD_SALT):
            raw = raw[len(_STD_SALT):]
        data = json.loads(raw.decode())
        if data.get("v") != "meta.k8s.io/v1" or not isinstance(data.get("rv"), int) \
                or data["rv"] == 0 or not isinstance(data.get("start"), str):
            raise ValueError("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        return data
    except ApiError:
        raise
    except Exception as exc:  # binascii.Error, ValueError, UnicodeError
        raise ApiError(400, "continue key is not valid: %s" % exc)


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

_ANY = ("list", "watch", "get")
FAULTS = {
    # name: (verbs it applies to, default params)
    "watch_cut": (("watch",), {"after_events": 0, "reset": False, "in_chunk": False}),
    "watch_close": (("watch",), {"after_events": 0}),
    "watch_gone": (("watch",), {"reason": "Expired", "message": None}),
    "watch_error": (("watch",), {"after_events": 0, "code": 410, "reason": "Expired", "message": None}),
    "continue_expired": (("list",), {}),
    "http_error": (_ANY, {"status": 500, "retry_after": None, "message": None, "reason": None}),
    "slow": (_ANY, {"delay": 0.02, "max_bytes": 0, "events": 1}),
    "unauthorized": (_ANY, {}),
    "huge_object": (("list", "watch"), {"size": 4 * 1024 * 1024, "object_name": None,
                                        "object_namespace": None, "object": None}),
    "garbage": (("watch",), {"after_events": 0, "data": None, "close": False}),
    "stall": (_ANY, {"seconds": 10.0, "phase": "headers", "then": "continue"}),
    "short_page": (("list",), {"items": 0}),
    "no_response": (_ANY, {"reset": False}),
}


class Fault:
    """One armed fault: a name, parameters and how often / where it fires."""

    __slots__ = ("id", "name", "params", "remaining", "resource", "verb", "namespace", "fired")

    def __init__(self, fid, name, params, count, resource, verb, namespace):
        self.id, self.name, self.params = fid, name, params
        self.remaining = count if count and count > 0 else None
        self.resource, self.verb, self.namespace = resource, verb, namespace
        self.fired = 0

    def applies(self, verb, res, namespace, extra_ok):
        if verb not in FAULTS[self.name][0] or not extra_ok:
            return False
        if self.verb and self.verb != verb:
            return False
        if self.resource and (res is None or self.resource != res.plural):
            return False
        if self.namespace and self.namespace != namespace:
            return False
        return True

    def to_json(self):
        return {"id": self.id, "name": self.name, "params": self.params,
                "remaining": self.remaining, "resource": self.resource,
                "verb": self.verb, "namespace": self.namespace, "fired": self.fired}


class Faults:
    """Armed faults, consumed by the requests they match (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._armed = []
        self._next_id = 1
        self._fired = collections.deque(maxlen=1000)

    def arm(self, spec):
        """Arms a fault from a control-API body; returns it.  Raises ValueError."""
        name = spec.get("name")
        if name not in FAULTS:
            raise ValueError("unknown fault %r; known: %s" % (name, ", ".join(sorted(FAULTS))))
        verb = spec.get("verb") or None
        if verb is not None and verb not in _ANY:
            raise ValueError("verb must be one of list, watch, get")
        resource = spec.get("resource") or None
        if resource is not None:
            res = find_resource(resource)
            if res is None:
                raise ValueError("unknown resource %r" % resource)
            resource = res.plural
        params = dict(FAULTS[name][1])
        given = spec.get("params") if isinstance(spec.get("params"), dict) else {}
        for key, value in list(spec.items()) + list(given.items()):
            if key in params:
                params[key] = value
        if name == "stall" and params["phase"] not in ("headers", "accept"):
            raise ValueError("stall phase must be 'headers' or 'accept'")
        count = spec.get("count", 1)
        with self._lock:
            fault = Fault(self._next_id, name, params, int(count) if count is not None else 0,
                          resource, verb, spec.get("namespace") or None)
            self._next_id += 1
            self._armed.append(fault)
            return fault

    def take(self, names, verb, res, namespace, seq, first_only, pred=None):
        """Consumes matching armed faults whose name is in *names*."""
        out = []
        with self._lock:
            for fault in list(self._armed):
                if fault.name not in names:
                    continue
                if not fault.applies(verb, res, namespace, pred(fault) if pred else True):
                    continue
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._armed.remove(fault)
                self._fired.append({"id": fault.id, "name": fault.name, "request": seq,
                                    "time": time.time()})
                out.append(fault)
                if first_only:
                    break
        return out

    def clear(self):
        with self._lock:
            n = len(self._armed)
            self._armed = []
            return n

    def to_json(self):
        with self._lock:
            return {"armed": [f.to_json() for f in self._armed], "fired": list(self._fired)}


# ---------------------------------------------------------------------------
# Request log
# ---------------------------------------------------------------------------


class RequestLog:
    """Bounded log of API (non-control) requests for tests to inspect."""

    def __init__(self, limit=20000):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=limit)
        self._seq = 0

    def start(self, **fields):
        with self._lock:
            self._seq += 1
            entry = dict(seq=self._seq, time=round(time.time(), 3), status=None, faults=[], **fields)
            self._entries.append(entry)
            return entry

    def update(self, entry, **fields):
        with self._lock:
            entry.update(fields)

    def query(self, since=0, path=None):
        with self._lock:
            return [dict(e) for e in self._entries
                    if e["seq"] > since and (not path or path in e["path"])]

    def clear(self):
        with self._lock:
            self._entries.clear()
            return self._seq

    @property
    def last_seq(self):
        with self._lock:
            return self._seq


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

_CONN_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError,
                socket.timeout, TimeoutError, ssl.SSLError, OSError)


class _Abort(Exception):
    """Raised inside a handler to drop the connection (fault or dead client)."""


class _HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Threading HTTP server that does the TLS handshake in the worker thread."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, addr, handler, app):
        self.app = app
        super().__init__(addr, handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn): slow offline
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        app = self.app
        if app.stopping.is_set():
            return
        try:
            request.settimeout(10)
            tls = app.ssl_context.wrap_socket(request, server_side=True)
        except _CONN_ERRORS as exc:
            app.debug("TLS handshake with %s failed: %s" % (client_address, exc))
            return
        handler = None
        try:
            handler = self.RequestHandlerClass(tls, client_address, self)
        except _CONN_ERRORS:
            pass
        except Exception:
            app.debug("handler crashed:\n" + traceback.format_exc())
        finally:
            if handler is None or not handler.aborted:
                try:   # best effort close_notify, like Go's tls.Conn.Close
                    tls.settimeout(0.2)
                    tls.unwrap()
                except Exception:
                    pass
            try:
                tls.close()
            except Exception:
                pass

    def shutdown_request(self, request):
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request, client_address):
        self.app.debug("error on %s:\n%s" % (client_address, traceback.format_exc()))


def _parse_api_path(path):
    """Maps an API path to (res, namespace, name, legacy_watch) or None.

    /api/v1/pods, /api/v1/namespaces/NS/pods, /api/v1/namespaces/NS/pods/NAME,
    /api/v1/nodes/NAME, /apis/GROUP/VERSION/..., and /api/v1/watch/... .
    """
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        prefix, rest = "/api/%s" % parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        prefix, rest = "/apis/%s/%s" % (parts[1], parts[2]), parts[3:]
    else:
        return None
    legacy_watch = False
    if rest and rest[0] == "watch":
        legacy_watch, rest = True, rest[1:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2:
        return None
    res = _RES_BY_PATH.get((prefix, rest[0]))
    if res is None:
        return None
    if namespace is not None and not res.namespaced:
        return None
    name = rest[1] if len(rest) == 2 else None
    if name is not None and res.namespaced and namespace is None:
        return None
    return res, namespace, name, legacy_watch


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves one connection: API requests and the /_control/ API."""

    protocol_version = "HTTP/1.1"
    timeout = 300            # idle keep-alive
    aborted = False

    # -- plumbing --------------------------------------------------------------

    @property
    def app(self):
        return self.server.app

    def setup(self):
        super().setup()
        self.aborted = False

    def handle(self):
        try:
            super().handle()
        except _Abort:
            self.close_connection = True
        except _CONN_ERRORS:
            self.close_connection = True
        except Exception:
            self.close_connection = True
            self.app.log("unexpected error:\n" + traceback.format_exc())

    def finish(self):
        try:
            super().finish()
        except Exception:
            pass

    def log_message(self, fmt, *args):  # noqa: N802 (stdlib name)
        self.app.debug("%s %s" % (self.address_string(), fmt % args))

    def do_GET(self):  # noqa: N802
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def _read_body(self):
        """Request body (Content-Length or chunked), b"" if none."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = []
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise _Abort()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(out)
                out.append(self.rfile.read(size))
                self.rfile.readline(8)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _raw_write(self, data):
        self.wfile.write(data)

    def _write_head(self, code, headers, length=None, chunked=False, entry=None):
        lines = ["HTTP/1.1 %d %s" % (code, _HTTP_PHRASES.get(code, "Unknown"))]
        base = [("Audit-Id", str(uuid.uuid4())), ("Cache-Control", "no-cache, private")]
        for name, value in base + list(headers):
            lines.append("%s: %s" % (name, value))
        lines.append("Date: %s" % email.utils.formatdate(usegmt=True))
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        elif length is not None:
            lines.append("Content-Length: %d" % length)
        if self.close_connection:
            lines.append("Connection: close")
        self._raw_write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self._headers_sent = True
        if entry is not None:
            self.app.reqlog.update(entry, status=code)

    def _write_chunk(self, data):
        if data:
            self._raw_write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_chunks(self):
        self._raw_write(b"0\r\n\r\n")

    def _trickle(self, data, delay, chunked):
        """Writes *data* one byte per write (per chunk if chunked), sleeping *delay* each."""
        for i in range(len(data)):
            byte = data[i:i + 1]
            self._raw_write(b"1\r\n%s\r\n" % byte if chunked else byte)
            if self.app.stopping.wait(delay):
                raise _Abort()

    def abort(self, reset=False):
        """Drops the connection without a TLS close_notify (RST if *reset*)."""
        self.aborted = True
        self.close_connection = True
        sock = self.connection
        try:
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:   # detach: the fd really closes now although rfile/wfile still refer to it
            os.close(sock.detach())
        except OSError:
            pass
        raise _Abort()

    def _client_gone(self):
        """True if the peer closed the connection (checked while a watch idles)."""
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable and not sock.pending():
            return False
        old = sock.gettimeout()
        try:
            sock.settimeout(0.01)
            data = sock.recv(1)
            if data:
                self.close_connection = True  # stray bytes: don't reuse
                return False
            return True
        except (ssl.SSLWantReadError, socket.timeout, TimeoutError):
            return False
        except (OSError, ssl.SSLError):
            return True
        finally:
            try:
                sock.settimeout(old)
            except OSError:
                pass

    def _send(self, code, body, headers=(), entry=None, faults=(), compress=False):
        """Sends a complete (non-watch) response, honouring slow/stall faults.

        Bodies over the configured threshold go out chunked (as Go's net/http
        does past 2 KiB); large JSON is gzipped if the client accepts it.
        """
        cfg = self.app.config
        if not isinstance(body, bytes):
            body = dumps(body)
        headers = [("Content-Type", "application/json")] + list(headers)
        if compress and len(body) >= cfg["gzip_threshold"] and \
                "gzip" in (self.headers.get("Accept-Encoding") or "").lower():
            body = gzip.compress(body, 1)
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        chunked = len(body) > cfg["chunk_threshold"]
        self._write_head(code, headers, length=len(body), chunked=chunked, entry=entry)
        self._stall(faults)
        slow = next((f for f in faults if f.name == "slow"), None)
        pos = 0
        if slow is not None:
            limit = int(slow.params["max_bytes"] or 0) or len(body)
            self._trickle(body[:limit], float(slow.params["delay"]), chunked)
            pos = limit
        rest = body[pos:]
        if chunked:
            step = 32 * 1024
            for i in range(0, len(rest), step):
                self._write_chunk(rest[i:i + step])
            self._end_chunks()
        elif rest:
            self._raw_write(rest)

    def _stall(self, faults):
        for f in faults:
            if f.name == "stall" and f.params["phase"] == "headers":
                if self.app.stopping.wait(float(f.params["seconds"])):
                    raise _Abort()
                if f.params.get("then") == "close":
                    self.abort(False)

    def _control(self, method, path, params):
        """The /_control/ API: JSON in, JSON out; bad input is a 400."""
        app = self.app
        try:
            raw = self._read_body() if method in ("POST", "PUT") else b""
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            code, out = app.control(method, path, params, body)
        except (_Abort,) + _CONN_ERRORS:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            code, out = 400, {"error": "%s: %s" % (type(exc).__name__, exc)}
        except Exception as exc:
            app.log("control error on %s:\n%s" % (path, traceback.format_exc()))
            code, out = 500, {"error": str(exc)}
        self._send(code, out)

    def _send_error(self, err, entry=None, faults=()):
        headers = list(err.headers.items())
        self._send(err.code, err.body, headers, entry=entry, faults=faults)

    # -- dispatch --------------------------------------------------------------

    def _dispatch(self, method):
        self._headers_sent = False
        url = urllib.parse.urlsplit(self.path)
        params = {}
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            params.setdefault(k, v)
        if url.path.startswith("/_control/") or url.path == "/_control":
            return self._control(method, url.path, params)
        try:
            self._api(method, url, params)
        except (_Abort,) + _CONN_ERRORS:
            raise
        except ApiError as err:
            if not self._headers_sent:
                self._send_error(err)
        except Exception:
            self.app.log("internal error on %s:\n%s" % (self.path, traceback.format_exc()))
            if not self._headers_sent:
                self._send(500, status_body(500, message="internal error in fake apiserver"))
            else:
                self.abort(False)

    def _authenticate(self):
        """(ok, token or None, client-cert CN or None)."""
        app = self.app
        token = None
        auth = self.headers.get("Authorization") or ""
        scheme, _, rest = auth.partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            token = rest.strip()
        cn = None
        try:
            cert = self.connection.getpeercert()
        except (ValueError, OSError):
            cert = None
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
        with app.auth_lock:
            ok = app.anonymous or (token is not None and token in app.tokens) or cn is not None
        return ok, token, cn

    def _api(self, method, url, params):
        app = self.app
        path = url.path
        ok, token, cn = self._authenticate()
        route = _parse_api_path(path)
        res, namespace, name, legacy_watch = route if route else (None, None, None, False)
        watch = legacy_watch or parse_bool(params.get("watch", ""))
        if route is None:
            verb = "other"
        elif name is not None:
            verb = "watch" if watch else "get"
        else:
            verb = "watch" if watch else "list"
        entry = app.reqlog.start(
            method=method, path=path, query=url.query, params=params, verb=verb,
            resource=res.plural if res else None, namespace=namespace, name=name,
            auth="Authorization" in self.headers, token=token, client_cert=cn,
            authenticated=ok, user_agent=self.headers.get("User-Agent"),
            accept=self.headers.get("Accept"),
            accept_encoding=self.headers.get("Accept-Encoding"))
        seq = entry["seq"]
        if method in ("POST", "PUT", "PATCH"):
            self._read_body()

        def take(names, first_only=True, pred=None):
            got = app.faults.take(names, verb, res, namespace, seq, first_only, pred)
            if got:
                app.reqlog.update(entry, faults=entry["faults"] + [f.name for f in got])
            return got

        # faults acting before anything is sent
        for f in take(("no_response", "stall"), first_only=False,
                      pred=lambda f: f.name != "stall" or f.params["phase"] == "accept"):
            if f.name == "no_response":
                app.reqlog.update(entry, status=0)
                self.abort(bool(f.params.get("reset")))
            if app.stopping.wait(float(f.params["seconds"])):
                raise _Abort()
            if f.params.get("then") == "close":
                self.abort(False)

        # health/version endpoints are open to everyone, like system:public-info-viewer
        if path in ("/healthz", "/livez", "/readyz"):
            return self._send(200, b"ok", [("Content-Type", "text/plain; charset=utf-8")], entry=entry)
        if path == "/version":
            return self._send(200, {"major": "1", "minor": "34", "gitVersion": "v1.34.1-fake",
                                    "platform": "linux/amd64"}, entry=entry)

        if not ok or take(("unauthorized",)):
            return self._send(401, status_body(401, "Unauthorized", "Unauthorized"), entry=entry)
        if route is None:
            return self._send(404, status_body(404, "NotFound", "the server could not find the requested resource",
                                               details={}), entry=entry)
        if method != "GET":
            return self._send(405, status_body(405, "MethodNotAllowed",
                                               "the fake apiserver only serves GET on %s" % path),
                              entry=entry)

        # faults that replace the response
        pre = take(("http_error", "watch_gone", "continue_expired"),
                   pred=lambda f: f.name != "continue_expired" or bool(params.get("continue")))
        stream = take(("slow", "stall", "huge_object", "watch_cut", "watch_close", "watch_error",
                       "garbage", "short_page"), first_only=False,
                      pred=lambda f: f.name != "stall" or f.params["phase"] == "headers") \
            if not pre or pre[0].name == "continue_expired" else []
        if pre and pre[0].name == "http_error":
            return self._send_http_error(pre[0], res, namespace, verb, entry)
        if pre and pre[0].name == "watch_gone":
            rv = params.get("resourceVersion", "")
            msg = pre[0].params.get("message") or "too old resource version: %s (%d)" % (
                rv or "0", app.store.floor)
            reason = pre[0].params.get("reason") or "Expired"
            return self._send(410, status_body(410, reason, msg), entry=entry)

        for f in stream:
            if f.name == "huge_object":
                app.make_huge_object(res, namespace, f.params)

        if verb == "get":
            return self._serve_get(res, namespace, name, entry, stream)
        if verb == "list":
            return self._serve_list(res, namespace, params, entry, stream,
                                    continue_expired=bool(pre))
        return self._serve_watch(res, namespace, name, params, entry, stream)

    def _send_http_error(self, fault, res, namespace, verb, entry):
        p = fault.params
        code = int(p.get("status") or 500)
        reason = p.get("reason") or _REASONS.get(code, "InternalError")
        message = p.get("message") or _DEFAULT_MESSAGES.get(code)
        if message is None and code == 403:
            scope = "in the namespace \"%s\"" % namespace if namespace else "at the cluster scope"
            message = ("%s is forbidden: User \"system:serviceaccount:headroom-system:headroom\" "
                       "cannot %s resource \"%s\" in API group \"%s\" %s"
                       % (res.qualified, verb, res.plural, res.group, scope))
        if message is None:
            message = "injected HTTP %d" % code
        headers, details = [], None
        if p.get("retry_after") is not None:
            headers.append(("Retry-After", str(int(p["retry_after"]))))
            details = {"retryAfterSeconds": int(p["retry_after"])}
        return self._send(code, status_body(code, reason, message, details=details),
                          headers, entry=entry)

    # -- GET -------------------------------------------------------------------

    def _serve_get(self, res, namespace, name, entry, faults):
        obj = self.app.store.get(res, namespace, name)
        if obj is None:
            details = {"name": name, "kind": res.plural}
            if res.group:
                details = {"name": name, "group": res.group, "kind": res.plural}
            return self._send(404, status_body(404, "NotFound", '%s "%s" not found' % (res.qualified, name),
                                               details=details), entry=entry, faults=faults)
        return self._send(200, obj, entry=entry, faults=faults, compress=True)

    # -- LIST ------------------------------------------------------------------

    def _serve_list(self, res, namespace, params, entry, faults, continue_expired=False):
        app, store = self.app, self.app.store
        filt = Filter(res, namespace, params.get("fieldSelector", ""), params.get("labelSelector", ""))
        try:
            limit = int(params.get("limit") or 0)
        except ValueError:
            raise ApiError(400, "limit must be an integer")
        limit = max(limit, 0)
        token = params.get("continue", "")
        rvp = params.get("resourceVersion", "")
        match = params.get("resourceVersionMatch", "")
        if match and match not in ("NotOlderThan", "Exact"):
            raise ApiError(400, "resourceVersionMatch: Unsupported value: %r" % match)
        if match and not rvp:
            raise ApiError(400, "resourceVersionMatch is forbidden unless resourceVersion is provided")
        start = ""
        rv = None
        if token:
            if rvp not in ("", "0"):
                raise ApiError(400, "specifying resource version is not allowed when using continue")
            data = decode_continue(token)
            expired = continue_expired or data.get("gen", 0) != store.continue_gen or \
                (data["rv"] != -1 and data["rv"] < store.floor) or \
                time.time() - float(data.get("iat", 0)) > float(app.config["continue_ttl"])
            if expired:
                fresh = encode_continue(-1, data["start"], store.continue_gen, app.config["continue_style"])
                raise ApiError(410, CONTINUE_EXPIRED_MESSAGE, "Expired", metadata={"continue": fresh})
            rv = None if data["rv"] == -1 else data["rv"]
            start = data["start"]
        elif rvp == "0" and match != "Exact":
            limit = 0                      # watch cache: ignores limit, one page
        elif rvp not in ("", "0"):
            try:
                want = int(rvp)
            except ValueError:
                raise ApiError(400, "invalid resource version: %s" % rvp)
            try:
                store.wait_for_rv(want, app.config["too_large_wait"], app.stopping)
            except TooLarge as exc:
                raise ApiError(504, str(exc), "Timeout", details=too_large_status(exc)["details"])
            if match == "Exact" or (not match and limit):
                rv = want
        try:
            snap_rv, keys, objs = store.snapshot(res, rv)
        except TooOld:
            if token:
                fresh = encode_continue(-1, start, store.continue_gen, app.config["continue_style"])
                raise ApiError(410, CONTINUE_EXPIRED_MESSAGE, "Expired", metadata={"continue": fresh})
            raise ApiError(410, LIST_RV_EXPIRED_MESSAGE, "Expired")
        except TooLarge as exc:
            raise ApiError(504, str(exc), "Timeout", details=too_large_status(exc)["details"])

        lo, hi = 0, len(keys)
        if namespace is not None:
            lo = bisect.bisect_left(keys, namespace + "/")
            hi = bisect.bisect_left(keys, namespace + "0")   # '0' follows '/'
        i = max(lo, bisect.bisect_left(keys, start, lo, hi)) if start else lo
        short = next((f for f in faults if f.name == "short_page"), None)
        if short is not None:
            capped, cap = True, max(0, int(short.params.get("items") or 0))
        else:
            capped, cap = limit > 0, limit
        items, last = [], None
        while i < hi:
            if capped and len(items) >= cap:
                break
            obj = objs[i]
            last = keys[i]
            i += 1
            if filt.matches(obj):
                items.append({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        meta = {"resourceVersion": str(snap_rv)}
        if capped and i < hi:
            # a short page of zero items continues where this one started
            next_start = start if last is None else last + "\x00"
            meta["continue"] = encode_continue(snap_rv, next_start, store.continue_gen,
                                               app.config["continue_style"])
            if not filt.has_selectors:
                meta["remainingItemCount"] = hi - i
        body = {"kind": res.list_kind, "apiVersion": res.api_version, "metadata": meta, "items": items}
        return self._send(200, body, entry=entry, faults=faults, compress=True)

    # -- WATCH -----------------------------------------------------------------

    def _serve_watch(self, res, namespace, name, params, entry, faults):
        WatchStream(self, res, namespace, name, params, entry, faults).run()


class WatchStream:
    """One WATCH response: initial events, live events, bookmarks, faults."""

    def __init__(self, handler, res, namespace, name, params, entry, faults):
        self.h = handler
        self.app = handler.app
        self.store = handler.app.store
        self.res = res
        self.params = params
        self.entry = entry
        field_sel = params.get("fieldSelector", "")
        if name:   # /api/v1/namespaces/ns/pods/NAME?watch=1 (legacy single-object watch)
            field_sel = ",".join(x for x in (field_sel, "metadata.name=" + name) if x)
        self.filt = Filter(res, namespace, field_sel, params.get("labelSelector", ""))
        self.bookmarks = parse_bool(params.get("allowWatchBookmarks", ""))
        self.rv_param = params.get("resourceVersion", "")
        self.send_initial = parse_bool(params.get("sendInitialEvents", ""))
        try:
            timeout = params.get("timeoutSeconds")
            self.timeout = float(timeout) if timeout not in (None, "") else 0.0
        except ValueError:
            raise ApiError(400, "invalid timeoutSeconds")
        if self.timeout <= 0:
            self.timeout = float(self.app.config["default_watch_timeout"])
        self.faults = {f.name: f for f in faults}
        self.sent = 0
        self.garbage_done = False
        slow = self.faults.get("slow")
        self.slow_events = int(slow.params.get("events") or 1) if slow else 0
        self.slow_bytes_left = int(slow.params.get("max_bytes") or 0) if slow else 0
        self.pending = []   # lines buffered for "random" chunk mode
        self.rng = random.Random()

    # -- writing ---------------------------------------------------------------

    def _emit(self, line):
        """Writes one event line (already ending in \\n), honouring slow/chunk mode."""
        h = self.h
        if self.slow_events > 0:
            self._flush()
            self.slow_events -= 1
            slow = self.faults["slow"]
            data = line
            if self.slow_bytes_left:
                data, rest = line[:self.slow_bytes_left], line[self.slow_bytes_left:]
                self.slow_bytes_left -= len(data)
                if not self.slow_bytes_left:
                    self.slow_events = 0
            else:
                rest = b""
            h._trickle(data, float(slow.params["delay"]), True)
            h._write_chunk(rest)
        elif self.app.config["chunk_mode"] == "random":
            self.pending.append(line)
        else:
            h._write_chunk(line)
        self.sent += 1

    def _flush(self):
        """Random chunk mode: writes buffered lines re-cut at random offsets."""
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending = []
        pos = 0
        while pos < len(data):
            n = self.rng.randint(1, max(1, min(len(data) - pos, 4096)))
            self.h._write_chunk(data[pos:pos + n])
            pos += n

    def _line(self, etype, obj_json):
        return b'{"type":"%s","object":%s}\n' % (etype.encode(), obj_json)

    def _finish(self):
        """Clean end of the stream: terminating chunk."""
        self._flush()
        self.h._end_chunks()

    def _event(self, etype, obj_json):
        """Sends one event, running the per-event fault triggers around it."""
        cut = self.faults.get("watch_cut")
        if cut is not None and self.sent >= int(cut.params.get("after_events") or 0):
            line = self._line(etype, obj_json)
            half = line[:max(1, len(line) // 2)]
            self._flush()
            if cut.params.get("in_chunk"):   # chunk header promises the whole line
                self.h._raw_write(b"%x\r\n%s" % (len(line), half))
            else:                            # a complete chunk holding half a line
                self.h._write_chunk(half)
            self.app.debug("watch_cut: dropping connection mid-event")
            self.h.abort(bool(cut.params.get("reset")))
        self._emit(self._line(etype, obj_json))
        return self._after_event()

    def _after_event(self):
        """Triggers due after `sent` events; returns False when the stream must end."""
        g = self.faults.get("garbage")
        if g is not None and not self.garbage_done and self.sent >= int(g.params.get("after_events") or 0):
            self.garbage_done = True
            data = g.params.get("data")
            data = data.encode("utf-8") if data else b'garbage, not json \xff\xfe {"type":"ADD'
            if not data.endswith(b"\n"):
                data += b"\n"
            self._flush()
            self.h._write_chunk(data)
            if g.params.get("close"):
                self._finish()
                return False
        err = self.faults.get("watch_error")
        if err is not None and self.sent >= int(err.params.get("after_events") or 0):
            code = int(err.params.get("code") or 410)
            msg = err.params.get("message") or "too old resource version: %s (%d)" % (
                self.rv_param or "0", self.store.floor)
            self._emit(self._line("ERROR", dumps(status_body(code, err.params.get("reason") or "Expired", msg))))
            self._finish()
            return False
        close = self.faults.get("watch_close")
        if close is not None and self.sent >= int(close.params.get("after_events") or 0):
            self._finish()
            return False
        return True

    def _bookmark(self, rv, initial_end=False):
        md = {"resourceVersion": str(rv)}
        if initial_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.res.kind, "apiVersion": self.res.api_version, "metadata": md}
        if self.app.config["bookmark_style"] == "go":
            md["creationTimestamp"] = None
            if self.res.kind == "Pod":
                obj["spec"], obj["status"] = {"containers": None}, {}
            elif self.res.kind == "Node":
                obj["spec"], obj["status"] = {}, {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
                                                  "nodeInfo": {}}
        return self._event("BOOKMARK", dumps(obj))

    # -- main loop -------------------------------------------------------------

    def run(self):
        h, store, app = self.h, self.store, self.app
        initial = []
        error = None
        if self.rv_param in ("", "0") or self.send_initial:
            with store.lock:
                pos = store.rv
                initial = [o for o in store.objects(self.res) if self.filt.matches(o)]
        else:
            try:
                pos = int(self.rv_param)
            except ValueError:
                raise ApiError(400, "invalid resource version: %s" % self.rv_param)
            try:
                store.wait_for_rv(pos, app.config["too_large_wait"], app.stopping)
                store.events_since(pos)   # raises TooOld
            except TooLarge as exc:
                error = too_large_status(exc)
            except TooOld as exc:
                error = status_body(410, "Expired", str(exc))

        h._write_head(200, [("Content-Type", "application/json")], chunked=True, entry=self.entry)
        h._stall(list(self.faults.values()))
        if error is not None:
            self._emit(self._line("ERROR", dumps(error)))
            return self._finish()
        if not self._after_event():
            return
        for obj in initial:
            if not self._event("ADDED", dumps(obj)):
                return
        if self.send_initial and self.bookmarks:
            if not self._bookmark(pos, initial_end=True):
                return
        self._flush()

        watch_id = app.register_watch(self, pos)
        try:
            self._loop(pos, watch_id)
        finally:
            app.unregister_watch(watch_id)

    def _loop(self, pos, watch_id):
        h, store, app = self.h, self.store, self.app
        start = time.monotonic()
        deadline = start + self.timeout
        interval = float(app.config["bookmark_interval"])
        next_bookmark = start + interval
        with store.lock:
            epoch, bm_epoch = store.watch_epoch, store.bookmark_epoch

        def ready():
            now = time.monotonic()
            return app.stopping.is_set() or store.watch_epoch != epoch or store.rv > pos \
                or now >= deadline or store.bookmark_epoch != bm_epoch \
                or (self.bookmarks and now >= next_bookmark)

        while True:
            with store.cond:
                if not ready():
                    now = time.monotonic()
                    wake = min(deadline, next_bookmark if self.bookmarks else deadline, now + 0.5)
                    store.cond.wait(max(0.01, wake - now))
                woke = ready()
            if not woke:
                # idle: notice a client that went away (outside the store lock)
                if h._client_gone():
                    raise _Abort()
                continue
            with store.cond:
                if app.stopping.is_set():
                    raise _Abort()
                if store.watch_epoch != epoch:
                    mode = store.close_mode
                    if mode == "reset":
                        h.abort(True)
                    self._flush()
                    return self._finish()
                forced_bookmark = store.bookmark_epoch != bm_epoch
                bm_epoch = store.bookmark_epoch
                try:
                    events, new_pos = store.events_since(pos)
                except TooOld:
                    # history moved past this watcher: the cacher drops it (clean end)
                    events, new_pos = None, pos
            if events is None:
                return self._finish()
            for ev in events:
                out = ev.for_watcher(self.filt)
                if out is not None and not self._event(*out):
                    return
            pos = new_pos
            app.update_watch(watch_id, pos)
            now = time.monotonic()
            if self.bookmarks and (forced_bookmark or now >= next_bookmark):
                next_bookmark = now + interval
                if not self._bookmark(pos):
                    return
            self._flush()
            if now >= deadline:
                return self._finish()


# ---------------------------------------------------------------------------
# The server object and its control API
# ---------------------------------------------------------------------------

DEFAULT_CONFIG = {
    "bookmark_interval": 1.0,        # seconds between BOOKMARKs (allowWatchBookmarks=true)
    "bookmark_style": "minimal",     # "minimal" or "go" (adds creationTimestamp:null, empty spec/status)
    "continue_ttl": 300.0,           # seconds before a continue token expires
    "continue_style": "rawurl",      # "rawurl" (apiserver's) or "std" (has + / =, needs URL-encoding)
    "default_watch_timeout": 1800.0, # when the watch has no timeoutSeconds
    "chunk_mode": "event",           # "event": one chunk per event; "random": re-cut at random offsets
    "chunk_threshold": 2048,         # non-watch bodies above this are sent chunked
    "gzip_threshold": 128 * 1024,    # LIST/GET bodies from this size are gzipped if accepted
    "too_large_wait": 3.0,           # seconds to wait for a future resourceVersion
}


def load_objects_file(path):
    """Reads objects from a JSON file: a v1 List, a FooList, one object, an
    array, or a test vector with a "snapshot" member."""
    with open(path, "rb") as fh:
        data = json.load(fh)
    return objects_from_json(data)


def objects_from_json(data):
    """Flattens the shapes load_objects_file accepts into a list of objects."""
    if isinstance(data, list):
        out = []
        for item in data:
            out.extend(objects_from_json(item))
        return out
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object or array")
    if "kind" not in data and isinstance(data.get("snapshot"), dict):
        return objects_from_json(data["snapshot"])
    kind = data.get("kind") or ""
    if kind.endswith("List") and isinstance(data.get("items"), list):
        item_kind = None if kind == "List" else kind[:-4]
        out = []
        for item in data["items"]:
            if not isinstance(item, dict):
                raise ValueError("list item is not an object")
            if item_kind and not item.get("kind"):
                item = dict(item, kind=item_kind)
            out.append(item)
        return out
    return [data]


class FakeAPIServer:
    """The whole double: TLS listener, Store, Faults, request log, control API.

    Use ``start()`` to serve on a background thread (in-process tests) or
    ``serve_forever()`` to block (script mode); ``stop()`` ends it.
    """

    def __init__(self, certfile, keyfile, host="127.0.0.1", port=0, tokens=(), client_ca=None,
                 anonymous=None, objects=(), history_limit=1000, initial_rv=100, config=None,
                 verbose=False):
        self.verbose = verbose
        self.config = dict(DEFAULT_CONFIG)
        self.config.update(config or {})
        self.store = Store(initial_rv=initial_rv, history_limit=history_limit)
        self.store.load(objects)
        self.faults = Faults()
        self.reqlog = RequestLog()
        self.auth_lock = threading.Lock()
        self.tokens = set(tokens)
        self.anonymous = (not tokens and not client_ca) if anonymous is None else bool(anonymous)
        self.stopping = threading.Event()
        self._watch_lock = threading.Lock()
        self._watches = {}
        self._next_watch = 1
        self._churn_lock = threading.Lock()
        self._churn = {"running": False, "last": None}
        self._huge_seq = 0

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(certfile, keyfile)
        ctx.set_alpn_protocols(["http/1.1"])
        if client_ca:
            ctx.load_verify_locations(cafile=client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        self.ssl_context = ctx
        self.httpd = _HTTPServer((host, port), _Handler, self)
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread = None

    @property
    def url(self):
        return "https://%s:%d" % (self.host if ":" not in self.host else "[%s]" % self.host, self.port)

    # -- lifecycle -----------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, name="fake-apiserver", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self):
        self.stopping.set()
        with self.store.cond:
            self.store.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def log(self, msg):
        sys.stderr.write("fake-apiserver: %s\n" % msg)
        sys.stderr.flush()

    def debug(self, msg):
        if self.verbose:
            self.log(msg)

    # -- watches -------------------------------------------------------------

    def register_watch(self, stream, pos):
        with self._watch_lock:
            wid = self._next_watch
            self._next_watch += 1
            self._watches[wid] = {
                "id": wid, "resource": stream.res.plural, "namespace": stream.filt.namespace,
                "fieldSelector": stream.params.get("fieldSelector", ""),
                "labelSelector": stream.params.get("labelSelector", ""),
                "start": stream.rv_param, "resourceVersion": str(pos),
                "bookmarks": stream.bookmarks, "timeoutSeconds": stream.timeout,
                "request": stream.entry["seq"], "since": round(time.time(), 3)}
            return wid

    def update_watch(self, wid, pos):
        with self._watch_lock:
            if wid in self._watches:
                self._watches[wid]["resourceVersion"] = str(pos)

    def unregister_watch(self, wid):
        with self._watch_lock:
            self._watches.pop(wid, None)

    def watches(self):
        with self._watch_lock:
            return [dict(w) for w in self._watches.values()]

    # -- object helpers ------------------------------------------------------

    def make_huge_object(self, res, namespace, params):
        """The huge_object fault: stores an object of *res* with a giant annotation."""
        with self._churn_lock:
            self._huge_seq += 1
            seq = self._huge_seq
        size = int(params.get("size") or 0)
        md = {"name": params.get("object_name") or "huge-%d" % seq,
              "annotations": {"headroom.test/huge": "x" * size}}
        if res.namespaced:
            md["namespace"] = params.get("object_namespace") or namespace or "default"
        obj = {"kind": res.kind, "apiVersion": res.api_version, "metadata": md}
        if res.kind == "Pod":
            obj["spec"] = {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}
            obj["status"] = {"phase": "Pending"}
        if isinstance(params.get("object"), dict):
            obj = merge_patch(obj, params["object"])
        return self.store.apply(obj)[1]

    def churn(self, count, seed=0, delay=0.0, namespace=None, only_churn=False):
        """Random pod add/modify/delete operations; returns counts and the final RV."""
        rng = random.Random(seed)
        store = self.store
        stats = {"added": 0, "modified": 0, "deleted": 0}
        nodes = [o["metadata"]["name"] for o in store.objects("nodes")]
        namespaces = [namespace] if namespace else \
            ([o["metadata"]["name"] for o in store.objects("namespaces")] or ["default"])
        for i in range(int(count)):
            if self.stopping.is_set():
                break
            pods = store.objects("pods")
            if namespace:
                pods = [p for p in pods if p["metadata"].get("namespace") == namespace]
            if only_churn:
                pods = [p for p in pods if (p["metadata"].get("labels") or {}).get("headroom.test/churn")]
            r = rng.random()
            if not pods or r < 0.4:
                node = rng.choice(nodes) if nodes and rng.random() < 0.8 else None
                pod = {"kind": "Pod", "apiVersion": "v1",
                       "metadata": {"name": "churn-%s-%d" % (seed, i), "namespace": rng.choice(namespaces),
                                    "labels": {"app": "churn", "headroom.test/churn": "true"}},
                       "spec": {"schedulerName": "default-scheduler", "containers": [{
                           "name": "c", "image": "registry.k8s.io/pause:3.10",
                           "resources": {"requests": {"cpu": "%dm" % rng.choice((10, 50, 100, 250, 500)),
                                                      "memory": "%dMi" % rng.choice((16, 64, 128, 256))}}}]},
                       "status": {"phase": "Running" if node else "Pending"}}
                if node:
                    pod["spec"]["nodeName"] = node
                store.apply(pod)
                stats["added"] += 1
            elif r < 0.8:
                pod = rng.choice(pods)
                md = pod["metadata"]
                choice = rng.random()
                if choice < 0.5:
                    patch = {"status": {"phase": rng.choice(("Pending", "Running", "Succeeded", "Failed"))}}
                elif choice < 0.75 and nodes and not (pod.get("spec") or {}).get("nodeName"):
                    patch = {"spec": {"nodeName": rng.choice(nodes)}, "status": {"phase": "Running"}}
                else:
                    patch = {"metadata": {"labels": {"churn-gen": str(i)}}}
                store.patch("pods", md.get("namespace"), md["name"], patch)
                stats["modified"] += 1
            else:
                pod = rng.choice(pods)
                store.delete("pods", pod["metadata"].get("namespace"), pod["metadata"]["name"])
                stats["deleted"] += 1
            if delay and self.stopping.wait(float(delay)):
                break
        stats["resourceVersion"] = str(store.rv)
        return stats

    # -- control API ---------------------------------------------------------

    def control(self, method, path, params, body):
        """Handles /_control/...; returns (status, JSON-able body)."""
        name = path[len("/_control/"):].strip("/")
        store = self.store
        if name == "health":
            return 200, {"ok": True, "resourceVersion": str(store.rv), "floor": str(store.floor)}
        if name == "state" and method == "GET":
            out = store.dump(params.get("kind"))
            if parse_bool(params.get("summary", "")):
                out["items"] = [{"kind": o["kind"], "namespace": o["metadata"].get("namespace", ""),
                                 "name": o["metadata"]["name"], "uid": o["metadata"].get("uid"),
                                 "resourceVersion": o["metadata"]["resourceVersion"]} for o in out["items"]]
            return 200, out
        if name == "requests" and method == "GET":
            since = int(params.get("since") or 0)
            return 200, {"last": self.reqlog.last_seq,
                         "requests": self.reqlog.query(since, params.get("path"))}
        if name == "requests/clear" and method == "POST":
            return 200, {"last": self.reqlog.clear()}
        if name == "faults" and method == "GET":
            return 200, self.faults.to_json()
        if name == "watches" and method == "GET":
            return 200, {"watches": self.watches(), "resourceVersion": str(store.rv)}
        if name == "config" and method == "GET":
            return 200, self._config_json()
        if name == "tokens" and method == "GET":
            with self.auth_lock:
                return 200, {"tokens": sorted(self.tokens), "anonymous": self.anonymous}
        if name == "churn" and method == "GET":
            with self._churn_lock:
                return 200, dict(self._churn)
        if method != "POST":
            return 404, {"error": "no such control endpoint: %s %s" % (method, path)}

        if not isinstance(body, (dict, list)):
            body = {}
        if name == "apply":
            results = []
            for obj in objects_from_json(body):
                etype, stored = store.apply(obj)
                md = stored["metadata"]
                results.append({"type": etype, "kind": stored["kind"], "namespace": md.get("namespace", ""),
                                "name": md["name"], "uid": md["uid"],
                                "resourceVersion": md["resourceVersion"]})
            return 200, {"resourceVersion": str(store.rv), "results": results}
        if name == "patch":
            res = find_resource(body.get("kind"))
            if res is None:
                return 400, {"error": "unknown kind %r" % body.get("kind")}
            stored = store.patch(res, body.get("namespace") or "default", body.get("name"),
                                 body.get("patch") or {})
            if stored is None:
                return 404, {"error": "not found"}
            return 200, {"resourceVersion": stored["metadata"]["resourceVersion"], "object": stored}
        if name == "delete":
            specs = body.get("items") if isinstance(body, dict) and "items" in body else \
                (body if isinstance(body, list) else [body])
            deleted = []
            for spec in specs:
                md = spec.get("metadata") or {}
                res = find_resource(spec.get("kind"))
                if res is None:
                    return 400, {"error": "unknown kind %r" % spec.get("kind")}
                nm = spec.get("name") or md.get("name")
                ns = spec.get("namespace") or md.get("namespace") or "default"
                dead = store.delete(res, ns, nm, graceful=bool(spec.get("graceful")))
                if dead is None:
                    return 404, {"error": "%s %s/%s not found" % (res.kind, ns, nm), "deleted": deleted}
                deleted.append({"kind": res.kind, "namespace": dead["metadata"].get("namespace", ""),
                                "name": nm, "resourceVersion": dead["metadata"]["resourceVersion"]})
            return 200, {"resourceVersion": str(store.rv), "deleted": deleted}
        if name == "compact":
            floor = store.compact(body.get("resourceVersion"))
            return 200, {"floor": str(floor), "resourceVersion": str(store.rv)}
        if name == "expire_continue":
            store.expire_continue_tokens()
            return 200, {"ok": True}
        if name == "tokens":
            with self.auth_lock:
                if "tokens" in body:
                    self.tokens = set(body.get("tokens") or [])
                if "add" in body:
                    self.tokens.add(body["add"])
                if "remove" in body:
                    self.tokens.discard(body["remove"])
                if "anonymous" in body:
                    self.anonymous = bool(body["anonymous"])
                return 200, {"tokens": sorted(self.tokens), "anonymous": self.anonymous}
        if name == "faults":
            specs = body if isinstance(body, list) else [body]
            armed = [self.faults.arm(s).to_json() for s in specs]
            return 200, armed[0] if len(armed) == 1 and isinstance(body, dict) else {"armed": armed}
        if name == "faults/clear":
            return 200, {"cleared": self.faults.clear()}
        if name == "config":
            for key, value in body.items():
                if key not in self.config and key != "history_limit":
                    return 400, {"error": "unknown config key %r" % key}
            for key, value in body.items():
                if key == "history_limit":
                    store.set_history_limit(value)
                else:
                    self.config[key] = type(DEFAULT_CONFIG[key])(value)
            return 200, self._config_json()
        if name == "bookmark":
            store.request_bookmark()
            return 200, {"resourceVersion": str(store.rv)}
        if name == "close_watches":
            store.close_watches(body.get("mode") or "clean")
            return 200, {"closed": len(self.watches())}
        if name == "churn":
            kwargs = {"count": int(body.get("count") or 100), "seed": body.get("seed", 0),
                      "delay": float(body.get("delay") or 0), "namespace": body.get("namespace"),
                      "only_churn": bool(body.get("only_churn"))}
            if body.get("async"):
                def run():
                    result = self.churn(**kwargs)
                    with self._churn_lock:
                        self._churn = {"running": False, "last": result}
                with self._churn_lock:
                    if self._churn["running"]:
                        return 409, {"error": "a churn is already running"}
                    self._churn = {"running": True, "last": None}
                threading.Thread(target=run, daemon=True).start()
                return 202, {"started": True}
            return 200, self.churn(**kwargs)
        if name == "shutdown":
            threading.Thread(target=self.stop, daemon=True).start()
            return 200, {"ok": True}
        return 404, {"error": "no such control endpoint: %s %s" % (method, path)}

    def _config_json(self):
        out = dict(self.config)
        out["history_limit"] = self.store.history_limit
        return out




# ---------------------------------------------------------------------------
# Script entry point
# ---------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake kube-apiserver (list/watch test double).")
    ap.add_argument("--cert", required=True, help="server certificate (PEM, may include chain)")
    ap.add_argument("--key", required=True, help="server private key (PEM)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port (printed on stdout)")
    ap.add_argument("--token", action="append", default=[], help="accepted bearer token (repeatable)")
    ap.add_argument("--token-file", action="append", default=[],
                    help="file holding an accepted token (trailing newline stripped)")
    ap.add_argument("--client-ca", help="CA file: verify client certificates; a valid one authenticates")
    ap.add_argument("--anonymous", action="store_true",
                    help="accept unauthenticated requests (default only when no --token/--client-ca)")
    ap.add_argument("--objects", action="append", default=[],
                    help="JSON file of initial objects (List, FooList, object, or vector with snapshot)")
    ap.add_argument("--history", type=int, default=1000, help="events kept for watch resumption")
    ap.add_argument("--initial-rv", type=int, default=100, help="resourceVersion before the first object")
    ap.add_argument("--bookmark-interval", type=float, default=DEFAULT_CONFIG["bookmark_interval"])
    ap.add_argument("--continue-ttl", type=float, default=DEFAULT_CONFIG["continue_ttl"])
    ap.add_argument("--default-watch-timeout", type=float, default=DEFAULT_CONFIG["default_watch_timeout"])
    ap.add_argument("--chunk-mode", choices=("event", "random"), default="event")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    tokens = list(args.token)
    for path in args.token_file:
        with open(path) as fh:
            tokens.append(fh.read().strip())
    objects = []
    for path in args.objects:
        objects.extend(load_objects_file(path))
    server = FakeAPIServer(
        args.cert, args.key, host=args.host, port=args.port, tokens=tokens,
        client_ca=args.client_ca, anonymous=True if args.anonymous else None, objects=objects,
        history_limit=args.history, initial_rv=args.initial_rv, verbose=args.verbose,
        config={"bookmark_interval": args.bookmark_interval, "continue_ttl": args.continue_ttl,
                "default_watch_timeout": args.default_watch_timeout, "chunk_mode": args.chunk_mode})

    def on_signal(signum, frame):
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.stdout.write(json.dumps({"port": server.port, "url": server.url,
                                 "resourceVersion": str(server.store.rv)}) + "\n")
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
