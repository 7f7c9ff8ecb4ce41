#!/bin/bash
# The bundle sync on nodes: the Kubernetes DaemonSet manifest (packaging/kubernetes/) is valid YAML
# with exactly the mounts and privileges it should have (check_daemonset.py, which is shown to
# catch each kind of mistake on altered copies), and the systemd service's own command line
# (ExecStart of packaging/ocigate-sync.service, environment from packaging/ocigate-sync.default)
# pulls a bundle from a real registry (Debian's docker-registry, lib_registry.sh).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"

DS=$E2E_REPO/packaging/kubernetes/ocigate-sync-daemonset.yaml
SVC=$E2E_REPO/packaging/ocigate-sync.service
CHECK=$E2E_DIR/check_daemonset.py

t_begin "the DaemonSet manifest: one DaemonSet, exact hostPath mounts, no token, no privileges"
if ! python3 -c 'import yaml' 2>/dev/null; then
	fail "python3-yaml is not installed (packaging/install-deps.sh)"
elif ! out=$(python3 "$CHECK" "$DS" 2>&1); then
	fail "check_daemonset.py: $out"
fi
t_end

# Each alteration must be caught: the check is only worth what it refuses.
t_begin "check_daemonset.py refuses a manifest with a token, a wider mount, write access or privileges"
n=0
while IFS='|' read -r what prog; do
	n=$((n + 1))
	python3 - "$DS" "$E2E_WORK/ds-$n.yaml" "$prog" <<'PY' || { fail "cannot alter the manifest ($what)"; continue; }
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
spec = d["spec"]["template"]["spec"]
c = spec["containers"][0]
exec(sys.argv[3])
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
	if python3 "$CHECK" "$E2E_WORK/ds-$n.yaml" >/dev/null 2>&1; then
		fail "not refused: $what"
	fi
done <<'EOF_CASES'
service account token|spec["automountServiceAccountToken"] = True
token setting removed|del spec["automountServiceAccountToken"]
host root mounted|spec["volumes"].append({"name": "root", "hostPath": {"path": "/"}}); c["volumeMounts"].append({"name": "root", "mountPath": "/host"})
/etc/ocigate writable|[m.pop("readOnly") for m in c["volumeMounts"] if m["mountPath"] == "/etc/ocigate"]
/etc/containers writable|[m.update(readOnly=False) for m in c["volumeMounts"] if m["mountPath"] == "/etc/containers"]
state read-only|[m.update(readOnly=True) for m in c["volumeMounts"] if m["mountPath"] == "/var/lib/ocigate"]
state mounted elsewhere|[m.update(mountPath="/state") for m in c["volumeMounts"] if m["mountPath"] == "/var/lib/ocigate"]
privileged|c["securityContext"]["privileged"] = True
privilege escalation|c["securityContext"]["allowPrivilegeEscalation"] = True
a capability added|c["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]
writable root filesystem|c["securityContext"]["readOnlyRootFilesystem"] = False
host network|spec["hostNetwork"] = True
no jitter|c["command"][2] = c["command"][2].replace("/dev/urandom", "/dev/zero").replace("urandom", "")
no pull|c["command"][2] = c["command"][2].replace("bundle pull", "version")
EOF_CASES
[ "$n" -ge 14 ] || fail "only $n alterations tried"
t_end

# The service's ExecStart, with ${VAR} taken from the EnvironmentFile as systemd does (one
# argument each; the units use no $VAR word splitting).
exec_start_argv() { # SERVICE ENVFILE -> one argument per line
	python3 - "$1" "$2" <<'PY'
import re, shlex, sys
svc, envfile = sys.argv[1:3]
env = {}
for line in open(envfile):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        k, v = line.split("=", 1)
        env[k.strip()] = v.strip().strip('"')
lines = [l.split("=", 1)[1] for l in open(svc).read().splitlines() if l.startswith("ExecStart=")]
assert len(lines) == 1, "expected one ExecStart="
for w in shlex.split(lines[0]):
    print(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), w))
PY
}

t_begin "the service's ExecStart is ocigate bundle pull of the node policy and OCIGATE_BUNDLE_REF"
printf 'OCIGATE_BUNDLE_REF=registry.example.com/x/bundle:prod\n' >"$E2E_WORK/sync.env"
got=$(exec_start_argv "$SVC" "$E2E_WORK/sync.env" | tr '\n' ' ')
[ "$got" = "/usr/sbin/ocigate bundle pull --policy /etc/ocigate/policy.json registry.example.com/x/bundle:prod " ] ||
	fail "ExecStart expands to: $got"
grep -qx 'EnvironmentFile=/etc/default/ocigate-sync' "$SVC" || fail "no EnvironmentFile=/etc/default/ocigate-sync"
grep -qx 'OCIGATE_BUNDLE_REF=' "$E2E_REPO/packaging/ocigate-sync.default" ||
	fail "packaging/ocigate-sync.default does not define OCIGATE_BUNDLE_REF"
t_end
