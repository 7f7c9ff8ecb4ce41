#!/bin/bash
# The bundle sync on nodes: the Kubernetes DaemonSet manifest (packaging/kubernetes/) is valid YAML
# with exactly the mounts and privileges it should have (check_daemonset.py, which is shown to
# catch each kind of mistake on altered copies), and the systemd service's own command line
# (ExecStart of packaging/ocigate-sync.service, environment from packaging/ocigate-sync.default)
# pulls a bundle from a real registry (Debian's docker-registry, lib_registry.sh).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
. "$(dirname "$0")/lib.sh"
e2e_init "$@"
. "$E2E_DIR/lib_registry.sh"
. "$E2E_DIR/lib_image.sh"
img_init

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

# ---------------------------------------------------------------- the service against a registry
# The node is this test's private mount namespace with /etc and /var/lib overlaid on a tmpfs, so
# the unit's fixed paths are real: /etc/ocigate/policy.json, the state and bundle directories under
# /var/lib/ocigate (the policy's defaults), /etc/containers/certs.d for the registry's CA; the
# credentials come from REGISTRY_AUTH_FILE set in the EnvironmentFile, as an administrator would.
# Only the binary is $OCIGATE_BIN (the installed /usr/sbin/ocigate when test-packages.sh runs this).
t_begin "ocigate-sync.service's ExecStart pulls a bundle from a TLS registry with auth; runc starts allowed after"
need=$(reg_need)
[ -z "$need$IMG_NEED" ] || fail "missing commands: $need $IMG_NEED (packaging/install-deps.sh)"
overlay_node() {
	local d up
	mkdir -p "$E2E_WORK/node" && mount -t tmpfs tmpfs "$E2E_WORK/node" || return 1
	for d in /etc /var/lib; do
		up=$E2E_WORK/node/$(basename "$d")
		mkdir -p "$up.up" "$up.work"
		mount -t overlay overlay -o "lowerdir=$d,upperdir=$up.up,workdir=$up.work" "$d" || return 1
	done
}
if [ -z "$need$IMG_NEED" ] && ! overlay_node; then
	fail "cannot overlay /etc and /var/lib in the test's mount namespace"
elif [ -z "$need$IMG_NEED" ] && ! reg_start tls; then
	fail "the registry did not start"
elif [ -z "$need$IMG_NEED" ]; then
	# CI: keys, a root-signed store trusting ci for team-a, the image signed, a clean verdict.
	img_key root ec && img_key ci ed25519 || fail "openssl cannot make keys"
	img_trust_env ci
	img_store_write 1 "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" "[$(img_store_key ci "$IMG_SCOPE_A")]"
	img_store_sign root
	img_make synced
	img_sign ci "$IMG_REPO_A" "$IMG_CONFIG"
	mkdir -p "$IMG_DIR/reports-synced"
	jq -n --arg c "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg id "$IMG_CONFIG" --arg rd "$IMG_REPO_A@$IMG_MANIFEST" \
		--arg repo "$IMG_REPO_A" '{SchemaVersion: 2, CreatedAt: $c, ArtifactName: $repo, ArtifactType: "container_image",
		Metadata: {ImageID: $id, RepoDigests: [$rd]}, Results: [{Target: $repo, Class: "os-pkgs", Type: "alpine",
		Vulnerabilities: []}]}' >"$IMG_DIR/reports-synced/app.json"
	REF=$REG_HOST/platform/ocigate-bundle:prod
	run_ocigate bundle create --out "$IMG_DIR/layout" --version 1 --expires 7d --key "$IMG_DIR/keys/root.pem" \
		--trust-store "$TRUST_STORE" --signatures-dir "$TRUST_SIGS" --reports "$IMG_DIR/reports-synced"
	[ "$RC" -eq 0 ] || fail "bundle create: $(cat "$RUN_ERR")"
	run_ocigate bundle push "${REG_OPTS[@]}" "$IMG_DIR/layout" "$REF"
	[ "$RC" -eq 0 ] || fail "bundle push: $(cat "$RUN_ERR")"

	# The node: its policy with the packaged defaults (state /var/lib/ocigate, bundle below it).
	mkdir -p /etc/ocigate /var/lib/ocigate "/etc/containers/certs.d/$REG_HOST"
	chmod 700 /var/lib/ocigate
	cp "$IMG_DIR/keys/root.pub" /etc/ocigate/root.pub
	cp "$REG_DIR/ca.pem" "/etc/containers/certs.d/$REG_HOST/ca.crt"
	jq -n --arg ann "$IMG_ANNOTATION" '{version: 1, mode: "enforce", on_error: "deny",
		runtime: {preset: "restricted"}, image: {identity: [{annotation: $ann, kind: "config"}]},
		trust: {root_keys: ["/etc/ocigate/root.pub"]},
		scan: {required: true, max: {critical: 0, high: 0}},
		bundle: {max_age: "72h", warn_before_expiry: "24h"}}' >/etc/ocigate/policy.json
	printf 'OCIGATE_BUNDLE_REF=%s\nREGISTRY_AUTH_FILE=%s\n' "$REF" "$REG_AUTHFILE" >"$E2E_WORK/ocigate-sync.env"
	mapfile -t argv < <(exec_start_argv "$SVC" "$E2E_WORK/ocigate-sync.env")
	argv[0]=$OCIGATE_BIN
	# The process environment systemd gives it: the EnvironmentFile's assignments.
	mapfile -t envs < <(grep -E '^[A-Z_]+=' "$E2E_WORK/ocigate-sync.env")
	run_sync() {
		RUN_OUT=$E2E_WORK/out/sync.out RUN_ERR=$E2E_WORK/out/sync.err
		log_begin
		env "${envs[@]}" timeout 120 "${argv[@]}" \
			</dev/null >"$RUN_OUT" 2>"$RUN_ERR"
		RC=$?
		log_end
	}
	run_sync
	[ "$RC" -eq 0 ] || fail "the service's command failed ($RC): $(cat "$RUN_ERR")"
	gen=$(readlink /var/lib/ocigate/bundle/current)
	case $gen in gen-1-[0-9a-f]*) ;; *) fail "no generation installed (current -> '$gen')" ;; esac
	assert_log_contains "ocigate.*version 1" "no syslog line from the pull naming the installed version"
	grep -F "$gen" "$RUN_OUT" >/dev/null || fail "the pull does not name the generation it installed"
	b=$(img_bundle synced /etc/ocigate/policy.json "$IMG_CONFIG_HEX")
	id=$(new_id synced)
	img_expect_allowed "$b" "$id"
	img_make not-synced
	b=$(img_bundle not-synced /etc/ocigate/policy.json "$IMG_CONFIG_HEX")
	img_expect_denied "$b" "$(new_id not-synced)" trust.signature "no signature in /var/lib/ocigate/bundle/$gen/signatures"
	# The timer's next run: the registry serves the same bundle, nothing changes.
	run_sync
	[ "$RC" -eq 0 ] || fail "the second run failed ($RC): $(cat "$RUN_ERR")"
	grep -qi "up to date" "$RUN_OUT" "$RUN_ERR" || fail "the second run did not say the bundle is up to date"
	[ "$(readlink /var/lib/ocigate/bundle/current)" = "$gen" ] || fail "the second run changed current"
fi
t_end
