#!/usr/bin/env python3
"""Build a one-layer OCI image-layout tar from a root filesystem directory.

The tar is what `ctr images import` (containerd) and `podman load` (as an oci-archive) accept, so the
same bytes, and therefore the same config digest (the image ID on both engines), feed both engine
tests. Nothing is fetched from a registry.

usage: oci_image.py --rootfs DIR --name REF --out FILE.tar [--entrypoint ARG ...] [--cmd ARG ...]
                    [--user UID[:GID]] [--label K=V ...] [--created RFC3339|none]
                    [--annotation K=V ...] [--extra-layers N]
prints CONFIG_DIGEST=sha256:... MANIFEST_DIGEST=sha256:... LAYER_DIGEST=sha256:... (KEY=VALUE lines)

The layer is reproducible (sorted names, mtime 0, uid/gid 0), so the digests only change when the
rootfs or the options do.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"


def layer_tar(rootfs):
    """The rootfs as an uncompressed tar, entries sorted, owned by 0:0, mtime 0."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs + files):
                paths.append(os.path.join(top, name))
        for path in sorted(paths, key=lambda p: os.path.relpath(p, rootfs)):
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--name", required=True, help="full reference, e.g. localhost/ocigate-bb:1")
    ap.add_argument("--out", required=True)
    ap.add_argument("--entrypoint", nargs="*", default=None)
    ap.add_argument("--cmd", nargs="*", default=None)
    ap.add_argument("--user", default="")
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--created", default="1970-01-01T00:00:00Z", help="config created; 'none' leaves it out")
    ap.add_argument("--annotation", action="append", default=[], help="manifest annotation K=V")
    ap.add_argument("--extra-layers", type=int, default=0, help="add N small distinct layers")
    a = ap.parse_args()

    blobs = {}

    def put(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest, len(data)

    layer = layer_tar(a.rootfs)
    ldig, lsize = put(layer)
    layers = [(ldig, lsize)]
    for i in range(a.extra_layers):
        # One small file per layer, so each layer (and its diff id) is distinct.
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            data = ("layer %d\n" % i).encode()
            info = tarfile.TarInfo("extra-%d" % i)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
        layers.append(put(buf.getvalue()))
    cfg = {"Env": ["PATH=/bin"], "WorkingDir": "/"}
    if a.entrypoint is not None:
        cfg["Entrypoint"] = a.entrypoint
    if a.cmd is not None:
        cfg["Cmd"] = a.cmd
    if a.user:
        cfg["User"] = a.user
    if a.label:
        cfg["Labels"] = dict(kv.split("=", 1) for kv in a.label)
    doc = {"architecture": "amd64", "os": "linux",
           "config": cfg, "rootfs": {"type": "layers", "diff_ids": [d for d, _ in layers]},
           "history": [{"created_by": "ocigate e2e oci_image.py"} for _ in layers]}
    if a.created != "none":
        doc["created"] = a.created
    config = json.dumps(doc, sort_keys=True).encode()
    cdig, csize = put(config)
    mdoc = {"schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
            "config": {"mediaType": MEDIA_CONFIG, "digest": cdig, "size": csize},
            "layers": [{"mediaType": MEDIA_LAYER, "digest": d, "size": n} for d, n in layers]}
    if a.annotation:
        mdoc["annotations"] = dict(kv.split("=", 1) for kv in a.annotation)
    manifest = json.dumps(mdoc, sort_keys=True).encode()
    mdig, msize = put(manifest)
    # containerd reads io.containerd.image.name; podman load names the image after
    # org.opencontainers.image.ref.name, so both carry the full reference.
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": MEDIA_MANIFEST, "digest": mdig, "size": msize,
                            "platform": {"architecture": "amd64", "os": "linux"},
                            "annotations": {"io.containerd.image.name": a.name,
                                            "org.opencontainers.image.ref.name": a.name}}]}

    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as out:
        def add(name, data, mode=0o644):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            out.addfile(info, io.BytesIO(data))
        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index).encode())
        dirinfo = tarfile.TarInfo("blobs")
        dirinfo.type, dirinfo.mode = tarfile.DIRTYPE, 0o755
        out.addfile(dirinfo)
        dirinfo = tarfile.TarInfo("blobs/sha256")
        dirinfo.type, dirinfo.mode = tarfile.DIRTYPE, 0o755
        out.addfile(dirinfo)
        for digest in sorted(blobs):
            add("blobs/sha256/" + digest.split(":", 1)[1], blobs[digest])
    os.replace(tmp, a.out)
    print("CONFIG_DIGEST=" + cdig)
    print("MANIFEST_DIGEST=" + mdig)
    print("LAYER_DIGEST=" + ldig)
    return 0


if __name__ == "__main__":
    sys.exit(main())
