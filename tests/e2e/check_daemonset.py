#!/usr/bin/env python3
"""Check packaging/kubernetes/ocigate-sync-daemonset.yaml: a DaemonSet that runs
`ocigate bundle pull` in a loop with jitter, mounts exactly /etc/ocigate (ro),
/var/lib/ocigate (rw), /etc/containers (ro) from the host and a registry auth
secret (ro), has no service account token and no privileges.
usage: check_daemonset.py FILE    exit 1 with one line per problem."""
import sys

import yaml

WANT_HOST = {"/etc/ocigate": True, "/var/lib/ocigate": False, "/etc/containers": True}


def problems(doc):
    out = []
    if not isinstance(doc, dict) or doc.get("kind") != "DaemonSet" or doc.get("apiVersion") != "apps/v1":
        return ["not an apps/v1 DaemonSet"]
    tmpl = doc.get("spec", {}).get("template", {})
    spec = tmpl.get("spec", {})
    sel = doc["spec"].get("selector", {}).get("matchLabels", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        out.append("the selector does not match the pod template's labels")
    if spec.get("automountServiceAccountToken") is not False:
        out.append("automountServiceAccountToken is not false (the pod must have no API access)")
    if spec.get("serviceAccountName") not in (None, "default"):
        out.append("a service account is named")
    for k in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(k):
            out.append(f"{k} is set")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    host = {v["hostPath"]["path"]: n for n, v in vols.items() if "hostPath" in v}
    if set(host) != set(WANT_HOST):
        out.append(f"hostPath volumes are {sorted(host)}, want exactly {sorted(WANT_HOST)}")
    secrets = [n for n, v in vols.items() if "secret" in v]
    if len(secrets) != 1:
        out.append("no (or more than one) registry auth secret volume")
    others = [n for n, v in vols.items() if not ({"hostPath", "secret", "emptyDir"} & set(v))]
    if others:
        out.append(f"other volume kinds: {others}")
    ctrs = spec.get("containers", [])
    if len(ctrs) != 1 or spec.get("initContainers"):
        out.append("expected exactly one container")
        return out
    c = ctrs[0]
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    for path, ro in WANT_HOST.items():
        n = host.get(path)
        m = mounts.get(n) if n else None
        if m is None or m.get("mountPath") != path:
            out.append(f"{path} is not mounted at the same path")
        elif bool(m.get("readOnly")) != ro:
            out.append(f"{path} is mounted {'read-write' if not m.get('readOnly') else 'read-only'}, want "
                       f"{'read-only' if ro else 'read-write'}")
    for n in secrets:
        if not mounts.get(n, {}).get("readOnly"):
            out.append("the auth secret is not mounted read-only")
    sc = c.get("securityContext", {})
    if sc.get("privileged"):
        out.append("privileged")
    if sc.get("allowPrivilegeEscalation") is not False:
        out.append("allowPrivilegeEscalation is not false")
    if sc.get("readOnlyRootFilesystem") is not True:
        out.append("readOnlyRootFilesystem is not true")
    if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
        out.append("capabilities are not exactly drop: [ALL]")
    seccomp = sc.get("seccompProfile") or spec.get("securityContext", {}).get("seccompProfile") or {}
    if seccomp.get("type") != "RuntimeDefault":
        out.append("no RuntimeDefault seccomp profile")
    script = " ".join(c.get("command", []) + c.get("args", []))
    if "ocigate bundle pull" not in script or "while" not in script or "urandom" not in script:
        out.append("the container does not run `ocigate bundle pull` in a loop with a random delay")
    if "--policy /etc/ocigate/policy.json" not in script:
        out.append("the pull does not read the node's policy")
    return out


def main():
    with open(sys.argv[1]) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) != 1:
        print(f"expected one document, found {len(docs)}")
        return 1
    p = problems(docs[0])
    for line in p:
        print(line)
    return 1 if p else 0


if __name__ == "__main__":
    sys.exit(main())
