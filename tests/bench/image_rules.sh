#!/bin/bash
# The image rules' cost: `ocigate hook` on one container whose image is recorded in a
# containers/storage graph root written here (containers.json, images.json, the manifest and
# config big-data files, as `podman load` lays them out), with the restricted runtime preset,
# (a) without image rules (no identity lookup), (b) with the identity lookup only (a scan section
# that requires nothing), (c) with every image rule on but image.base (no trust store here).
# Warm: identical runs. Cold: every store file touched before each run (the rules keep no cache,
# so this only shows that nothing is cached). `make bench` runs it as its section 7; root.
# usage: tests/bench/image_rules.sh [RUNS [OTHER_IMAGES]]   (OTHER_IMAGES default 200: the
# images.json entries besides the one run, as on a busy node)
# env: OCIGATE_BIN, the binary to measure (default build/ocigate; make bench passes its snapshot)
set -eu
runs=${1:-300}
others=${2:-200}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${OCIGATE_BIN:-$root/build/ocigate}
w=$(mktemp -d /tmp/ocigate-bench-image.XXXXXX)
trap 'rm -rf "$w"' EXIT
cc -O2 -o "$w/spawnbench" "$root/tests/bench/spawnbench.c"
python3 - "$w" "$others" <<'PY'
import base64, hashlib, json, os, sys
w = sys.argv[1]
g = w + "/graph"
def d(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def name(k):
    return k if all(c == "." or c.isdigit() or "a" <= c <= "z" for c in k) else "=" + base64.b64encode(k.encode()).decode()
cfg = json.dumps({"created": "2026-11-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                  "config": {"User": "1000", "Labels": {"org.opencontainers.image.source": "https://x"}},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "1" * 64]}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": d(cfg), "size": len(cfg)},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + "1" * 64, "size": 2000000}]}).encode()
iid = d(cfg)[7:]
cid = hashlib.sha256(b"bench container").hexdigest()
os.makedirs(g + "/overlay-images/" + iid)
os.makedirs(g + "/overlay-containers")
open(g + "/overlay-images/%s/%s" % (iid, name("manifest-" + d(man))), "wb").write(man)
open(g + "/overlay-images/%s/%s" % (iid, name(d(cfg))), "wb").write(cfg)
# Other images in the record, as on a busy node.
imgs = [{"id": hashlib.sha256(b"other %d" % i).hexdigest(), "digest": d(b"m%d" % i), "names": ["localhost/other:%d" % i],
         "big-data-names": []} for i in range(int(sys.argv[2]))]
imgs.append({"id": iid, "digest": d(man), "names": ["localhost/bench/app:1"],
             "big-data-names": [d(cfg), "manifest-" + d(man), "manifest"]})
json.dump(imgs, open(g + "/overlay-images/images.json", "w"))
json.dump([{"id": cid, "image": iid}], open(g + "/overlay-containers/containers.json", "w"))
os.makedirs(w + "/bundle/rootfs")
cfgjson = {"ociVersion": "1.0.2", "root": {"path": "rootfs", "readonly": True},
           "process": {"user": {"uid": 1000, "gid": 1000}, "args": ["true"], "cwd": "/", "noNewPrivileges": True,
                       "capabilities": {"bounding": [], "effective": [], "permitted": []}},
           "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
                     "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
                     "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}}}
json.dump(cfgjson, open(w + "/bundle/config.json", "w"))
json.dump({"ociVersion": "1.0.2", "id": cid, "status": "creating", "pid": 1, "bundle": w + "/bundle"},
          open(w + "/state.json", "w"))
PY
mkdir -p "$w/verdicts"
ident='"identity":[{"source":"podman","graphroot":"'$w/graph'"}]'
echo '{"version":1,"runtime":{"preset":"restricted"}}' >"$w/none.json"
echo '{"version":1,"runtime":{"preset":"restricted"},"image":{'"$ident"'},"scan":{"required":false,"cache_dir":"'$w/verdicts'"}}' >"$w/identity.json"
echo '{"version":1,"runtime":{"preset":"restricted"},"image":{'"$ident"',"registries":{"allowed":["localhost/bench/*"]},"max_age":{"max":"3650d"},"max_layers":{"max":10},"max_size":{"max":"1GiB"},"user":true,"labels":{"required":["org.opencontainers.image.source"]}}}' >"$w/rules.json"
for p in none identity rules; do
	"$bin" hook --policy "$w/$p.json" --stage createRuntime <"$w/state.json" ||
		{ echo "the $p policy does not allow the bench container" >&2; exit 1; }
done
touch_cmd="touch $w/graph/overlay-images/images.json $w/graph/overlay-images/*/* $w/graph/overlay-containers/containers.json"
printf '| policy | warm median (min) us | cold median (min) us |\n|---|---|---|\n'
for p in none identity rules; do
	warm=$(cd "$w/bundle" && "$w/spawnbench" -w 20 "$runs" "$w/state.json" "$bin" hook --policy "$w/$p.json" --stage createRuntime)
	cold=$(cd "$w/bundle" && "$w/spawnbench" -w 20 -p "$touch_cmd" "$runs" "$w/state.json" "$bin" hook --policy "$w/$p.json" --stage createRuntime)
	med() { printf '%s' "$1" | sed -n 's/.*median_us=\([0-9]*\).*min_us=\([0-9]*\).*fails=\([0-9]*\).*/\1 (\2), fails \3/p'; }
	printf '| %s | %s | %s |\n' "$p" "$(med "$warm")" "$(med "$cold")"
done
