#!/usr/bin/env python3
"""Helpers for tests/e2e/test_bundle*.sh: forge and break trust bundles, and bad registries.

  bundle_tool.py hostile-tar OUT symlink|dotdot|absolute   a tar the strict reader must refuse
  bundle_tool.py retar LAYOUT TITLE TAR OCIGATE KEY...      replace layer TITLE of the layout
        `ocigate bundle create` wrote with TAR, name it in the descriptor and re-sign the
        descriptor with each root KEY (`ocigate trust sign`: the same format): a correctly signed
        bundle whose layer is hostile
  bundle_tool.py tamper FILE                               flip one byte in the middle of FILE
  bundle_tool.py layer-blob LAYOUT TITLE                   print the blob path of layer TITLE
  bundle_tool.py server garbage|silent READY_FILE          a TCP "registry" on 127.0.0.1 that
        answers every request with garbage, or accepts and never answers; writes its port to
        READY_FILE; runs until SIGTERM
"""
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading

TITLE = "org.opencontainers.image.title"


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def put_blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, digest), "wb") as f:
        f.write(data)
    return digest, len(data)


def load_manifest(layout):
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    with open(blob_path(layout, index["manifests"][0]["digest"]), "rb") as f:
        return index, json.load(f)


def save_manifest(layout, index, manifest):
    data = json.dumps(manifest, separators=(",", ":")).encode()
    digest, size = put_blob(layout, data)
    index["manifests"][0]["digest"] = digest
    index["manifests"][0]["size"] = size
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f, separators=(",", ":"))


def layer(manifest, title):
    for l in manifest["layers"]:
        if l.get("annotations", {}).get(TITLE) == title:
            return l
    raise SystemExit("no layer " + title)


def hostile_tar(out, kind):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        d = tarfile.TarInfo("sha256")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        t.addfile(d)
        if kind == "symlink":
            s = tarfile.TarInfo("sha256/evil")
            s.type = tarfile.SYMTYPE
            s.linkname = "/etc/passwd"
            t.addfile(s)
        else:
            name = {"dotdot": "../../evil", "absolute": "/tmp/ocigate-e2e-evil"}[kind]
            data = b"evil\n"
            f = tarfile.TarInfo("x")
            f.size = len(data)
            t.addfile(f, io.BytesIO(data))
            # tarfile normalises names; write the hostile one into the header by hand.
    raw = bytearray(buf.getvalue())
    if kind in ("dotdot", "absolute"):
        name = {"dotdot": b"../../evil", "absolute": b"/tmp/ocigate-e2e-evil"}[kind]
        off = 512  # the second header: after the directory's
        raw[off:off + 100] = name.ljust(100, b"\0")
        raw[off + 148:off + 156] = b" " * 8
        csum = sum(raw[off:off + 512])
        raw[off + 148:off + 156] = b"%06o\0 " % csum
    with open(out, "wb") as f:
        f.write(raw)


def retar(layout, title, tar, ocigate, keys):
    index, manifest = load_manifest(layout)
    with open(tar, "rb") as f:
        digest, size = put_blob(layout, f.read())
    l = layer(manifest, title)
    l["digest"], l["size"] = digest, size
    dl = layer(manifest, "bundle.json")
    with open(blob_path(layout, dl["digest"]), "rb") as f:
        desc = json.load(f)
    for c in desc["contents"]:
        if c["name"] == title:
            c["digest"], c["size"] = digest, size
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bundle.json")
        with open(path, "w") as f:
            json.dump(desc, f, indent=2)
        for k in keys:
            subprocess.run([ocigate, "trust", "sign", "--key", k, path], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        for name in ("bundle.json", "bundle.json.sig"):
            with open(os.path.join(tmp, name), "rb") as f:
                d, s = put_blob(layout, f.read())
            ll = layer(manifest, name)
            ll["digest"], ll["size"] = d, s
    save_manifest(layout, index, manifest)


def tamper(path):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        i = len(data) // 2
        data[i] ^= 0x01
        f.seek(0)
        f.write(data)


def serve(kind, ready):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held = []

    def garbage(c):
        try:
            c.recv(65536)
            body = os.urandom(4096)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
                      b"Content-Length: %d\r\nDocker-Distribution-API-Version: registry/2.0\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            c.close()

    with open(ready + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(ready + ".tmp", ready)
    while True:
        c, _ = srv.accept()
        if kind == "garbage":
            threading.Thread(target=garbage, args=(c,), daemon=True).start()
        else:
            held.append(c)  # accepted, never answered


def main():
    cmd = sys.argv[1]
    if cmd == "hostile-tar":
        hostile_tar(sys.argv[2], sys.argv[3])
    elif cmd == "retar":
        retar(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    elif cmd == "tamper":
        tamper(sys.argv[2])
    elif cmd == "layer-blob":
        _, manifest = load_manifest(sys.argv[2])
        print(blob_path(sys.argv[2], layer(manifest, sys.argv[3])["digest"]))
    elif cmd == "server":
        serve(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
