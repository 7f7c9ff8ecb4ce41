#!/bin/sh
# A private containerd 1.6 for the containerd image-identity tests.
#
#   containerd-fixture.sh start DIR   start containerd with root/state/socket under DIR (which must
#                                     exist and be empty), import a one-layer busybox OCI image and
#                                     create the test containers; writes DIR/env (KEY=VALUE lines)
#   containerd-fixture.sh stop DIR    stop that containerd (by its recorded pid) and remove DIR
#
# Containers (namespace "ocigate-test"):
#   og-plain    made by `ctr containers create` (no CRI extension): identity is the image's target
#   og-cri      made through the containers API with a CRI metadata extension (ImageRef = config digest)
#   og-badcri   CRI extension whose ImageRef is not a digest
#   og-noimage  no CRI extension, image name that is not in the image store
# Needs root, containerd, ctr, busybox-static and Debian's python3-grpcio.
set -eu

PY=/usr/bin/python3
NS=ocigate-test
IMAGE=localhost/ocigate-bb:1

die() { echo "containerd-fixture: $*" >&2; exit 1; }

start() {
	dir=$1
	[ -d "$dir" ] || die "$dir: not a directory"
	[ "$(id -u)" = 0 ] || die "needs root"
	for c in containerd ctr; do command -v $c >/dev/null || die "$c not installed"; done
	[ -x /bin/busybox ] || die "busybox-static not installed"
	$PY -c 'import grpc' 2>/dev/null || die "python3-grpcio not installed"
	sock=$dir/containerd.sock
	mkdir -p "$dir/root" "$dir/state" "$dir/opt"
	cat >"$dir/config.toml" <<CONF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
CONF
	containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
	echo $! >"$dir/containerd.pid"
	i=0
	until ctr --address "$sock" version >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { tail -20 "$dir/containerd.log" >&2; die "containerd did not come up"; }
		sleep 0.1
	done

	# A one-layer OCI image layout: busybox-static as /bin/busybox and /bin/sh.
	mkdir -p "$dir/rootfs/bin" "$dir/layout"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	ln -s busybox "$dir/rootfs/bin/sh"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir/rootfs" -cf "$dir/layer.tar" .
	$PY - "$dir" "$IMAGE" >"$dir/digests" <<'PYEOF'
import hashlib, json, os, sys
d, name = sys.argv[1], sys.argv[2]
blobs = os.path.join(d, "layout", "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)
layer = open(os.path.join(d, "layer.tar"), "rb").read()
ldig, lsize = put(layer)
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Cmd": ["/bin/busybox", "sleep", "3600"]},
                     "rootfs": {"type": "layers", "diff_ids": [ldig]}}).encode()
cdig, csize = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdig, "size": csize},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ldig, "size": lsize}]}).encode()
mdig, msize = put(manifest)
index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": mdig, "size": msize, "platform": {"architecture": "amd64", "os": "linux"},
    "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": "1"}}]}
with open(os.path.join(d, "layout", "index.json"), "w") as f:
    json.dump(index, f)
with open(os.path.join(d, "layout", "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
print("MANIFEST_DIGEST=" + mdig)
print("CONFIG_DIGEST=" + cdig)
PYEOF
	tar -C "$dir/layout" -cf "$dir/image.tar" .
	ctr --address "$sock" -n $NS images import "$dir/image.tar" >/dev/null
	ctr --address "$sock" -n $NS containers create $IMAGE og-plain >/dev/null
	# shellcheck source=/dev/null
	. "$dir/digests"

	# Containers with (or without) the CRI plugin's extension, written through
	# the containers API as the CRI plugin does: python3-grpcio with hand-encoded
	# protobuf, independent of ocigate's own encoder and HTTP/2 client.
	$PY - "$sock" $NS "$IMAGE" "$CONFIG_DIGEST" <<'PYEOF'
import json, sys, grpc
sock, ns, image, config = sys.argv[1:5]
def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(num, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data
def any_(type_url, value):
    return field(1, type_url) + field(2, value)
def container(cid, img, meta):
    c = field(1, cid) + field(3, img) + field(4, field(1, "io.containerd.runc.v2"))
    c += field(5, any_("types.containerd.io/opencontainers/runtime-spec/1/Spec", '{"ociVersion":"1.0.2"}'))
    c += field(6, "overlayfs")
    if meta is not None:
        c += field(10, field(1, "io.cri-containerd.container.metadata") +
                   field(2, any_("github.com/containerd/containerd/pkg/cri/store/container/Metadata", meta)))
    return field(1, c)
def cri(cid, ref):
    return json.dumps({"Version": "v1", "Metadata": {"ID": cid, "Name": "app", "SandboxID": "0" * 64,
        "Config": {"metadata": {"name": "app"}, "image": {"image": image}}, "ImageRef": ref,
        "LogPath": "", "StopSignal": "", "ProcessLabel": ""}})
ch = grpc.insecure_channel("unix://" + sock)
create = ch.unary_unary("/containerd.services.containers.v1.Containers/Create")
md = (("containerd-namespace", ns),)
create(container("og-cri", image, cri("og-cri", config)), metadata=md, timeout=10)
create(container("og-badcri", image, cri("og-badcri", "busybox:latest")), metadata=md, timeout=10)
create(container("og-noimage", "localhost/not-here:1", None), metadata=md, timeout=10)
PYEOF
	# containerd stored the extension as written (checked with ctr, not with our client).
	ctr --address "$sock" -n $NS containers info og-cri | grep -q '"io.cri-containerd.container.metadata"' ||
		die "og-cri has no CRI extension"
	{
		echo "SOCK=$sock"
		echo "NS=$NS"
		echo "IMAGE=$IMAGE"
		cat "$dir/digests"
	} >"$dir/env"
}

stop() {
	dir=$1
	[ -f "$dir/containerd.pid" ] || die "$dir: no containerd.pid"
	pid=$(cat "$dir/containerd.pid")
	if kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# Unmount anything containerd left mounted below DIR before removing it.
	awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" || true; done
	rm -rf -- "$dir"
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: $0 start DIR"; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
