#!/usr/bin/env python3
"""Write cosign's registry layout into a real registry, over the distribution API (urllib).

Debian's skopeo has sigstore signing patched out, so the tests write what cosign writes
themselves, per cosign's specs/SIGNATURE_SPEC.md:

  sig      the `sha256-<hex>.sig` tag of an image digest: an OCI image manifest whose config is
           a small image config and whose layers (one per signature) have media type
           application/vnd.dev.cosign.simplesigning.v1+json, blob = the simple-signing payload,
           annotation dev.cosignproject.cosign/signature = base64 signature (+ for keyless
           dev.sigstore.cosign/certificate, /chain, /bundle, exact bytes).
  bundle   a Sigstore bundle as an OCI 1.1 referrer, in the referrers-tag form used with
           registries without the referrers API: tag `sha256-<hex>` holding an OCI index whose
           manifests each have artifactType application/vnd.dev.sigstore.bundle.v0.3+json and
           one layer = the bundle JSON.
  manifest put raw manifest bytes under a tag (what the tests need for odd cases).

A signature is given as a containers/image signature file (`\\0sigstore-json\\n{...}`, the
fixtures' original-signature-file.bin: its payload and annotations are used verbatim) with
--sigfile, or as --payload FILE --signature-b64 FILE.

usage: cosign_layout.py --registry HOST:PORT [--ca FILE] [--user U:P] [--http]
         sig --repo REPO --digest sha256:HEX (--sigfile F | --payload F --signature-b64 F)...
         bundle --repo REPO --digest sha256:HEX --bundle F...
         manifest --repo REPO --tag TAG --file F --media-type MT
prints the digest of the manifest (or index) it put.
"""
import argparse
import base64
import hashlib
import json
import ssl
import sys
import urllib.error
import urllib.request

SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"


class Registry:
    def __init__(self, a):
        self.base = ("http://" if a.http else "https://") + a.registry
        self.ctx = None
        if not a.http:
            self.ctx = ssl.create_default_context(cafile=a.ca)
        self.auth = None
        if a.user:
            self.auth = "Basic " + base64.b64encode(a.user.encode()).decode()

    def req(self, method, path, data=None, headers=None):
        url = path if path.startswith("http") else self.base + path
        r = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if self.auth:
            r.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(r, context=self.ctx, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            body = e.read()[:500]
            raise SystemExit("cosign_layout.py: %s %s: HTTP %d: %s" % (method, url, e.code, body))

    def blob(self, repo, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        _, h, _ = self.req("POST", "/v2/%s/blobs/uploads/" % repo, b"")
        loc = h.get("Location") or h.get("location")
        if loc.startswith("/"):
            loc = self.base + loc
        loc += ("&" if "?" in loc else "?") + "digest=" + digest
        self.req("PUT", loc, data, {"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    def manifest(self, repo, ref, data, media_type):
        self.req("PUT", "/v2/%s/manifests/%s" % (repo, ref), data, {"Content-Type": media_type})
        return "sha256:" + hashlib.sha256(data).hexdigest()


def read_sigfile(path):
    """containers/image's signature file: \\0sigstore-json\\n then JSON."""
    raw = open(path, "rb").read()
    prefix = b"\x00sigstore-json\n"
    if not raw.startswith(prefix):
        raise SystemExit("cosign_layout.py: %s: not a sigstore-json signature file" % path)
    doc = json.loads(raw[len(prefix):])
    return base64.b64decode(doc["payload"]), doc.get("annotations", {})


def cmd_sig(reg, a):
    sigs = []
    for f in a.sigfile or []:
        sigs.append(read_sigfile(f))
    if a.payload:
        if len(a.payload) != len(a.signature_b64 or []):
            raise SystemExit("cosign_layout.py: one --signature-b64 per --payload")
        for p, s in zip(a.payload, a.signature_b64):
            sig = open(s, "rb").read().decode().strip()
            sigs.append((open(p, "rb").read(), {"dev.cosignproject.cosign/signature": sig}))
    if not sigs and not a.allow_empty:
        raise SystemExit("cosign_layout.py: sig needs at least one signature")
    layers = []
    for payload, ann in sigs:
        d = reg.blob(a.repo, payload)
        layers.append({"mediaType": a.layer_media_type or SIMPLESIGNING, "size": d["size"],
                       "digest": d["digest"], "annotations": ann})
    # cosign's config: an image config whose diff_ids are the layer digests.
    config = json.dumps({"architecture": "", "created": "0001-01-01T00:00:00Z",
                         "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                         "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]},
                         "config": {}}, separators=(",", ":")).encode()
    c = reg.blob(a.repo, config)
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
         "config": {"mediaType": OCI_CONFIG, "size": c["size"], "digest": c["digest"]},
         "layers": layers}
    tag = a.digest.replace(":", "-") + ".sig"
    print(reg.manifest(a.repo, tag, json.dumps(m, separators=(",", ":")).encode(), OCI_MANIFEST))


def cmd_bundle(reg, a):
    empty = reg.blob(a.repo, b"{}")
    entries = []
    for f in a.bundle:
        data = open(f, "rb").read()
        layer = reg.blob(a.repo, data)
        m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE_TYPE,
             "config": {"mediaType": OCI_EMPTY, "size": empty["size"], "digest": empty["digest"]},
             "layers": [{"mediaType": BUNDLE_TYPE, "size": layer["size"], "digest": layer["digest"]}],
             "subject": {"mediaType": OCI_MANIFEST, "digest": a.digest, "size": a.subject_size},
             "annotations": {"dev.sigstore.bundle.content": "message-signature",
                             "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1"}}
        raw = json.dumps(m, separators=(",", ":")).encode()
        dg = "sha256:" + hashlib.sha256(raw).hexdigest()
        reg.manifest(a.repo, dg, raw, OCI_MANIFEST)
        entries.append({"mediaType": OCI_MANIFEST, "size": len(raw), "digest": dg,
                        "artifactType": BUNDLE_TYPE})
    idx = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    print(reg.manifest(a.repo, a.digest.replace(":", "-"), json.dumps(idx, separators=(",", ":")).encode(),
                       OCI_INDEX))


def cmd_manifest(reg, a):
    print(reg.manifest(a.repo, a.tag, open(a.file, "rb").read(), a.media_type))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--registry", required=True)
    ap.add_argument("--ca")
    ap.add_argument("--user")
    ap.add_argument("--http", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sig")
    s.add_argument("--repo", required=True)
    s.add_argument("--digest", required=True)
    s.add_argument("--sigfile", action="append")
    s.add_argument("--payload", action="append")
    s.add_argument("--signature-b64", action="append")
    s.add_argument("--layer-media-type")
    s.add_argument("--allow-empty", action="store_true")
    b = sub.add_parser("bundle")
    b.add_argument("--repo", required=True)
    b.add_argument("--digest", required=True)
    b.add_argument("--subject-size", type=int, default=0)
    b.add_argument("--bundle", action="append", required=True)
    m = sub.add_parser("manifest")
    m.add_argument("--repo", required=True)
    m.add_argument("--tag", required=True)
    m.add_argument("--file", required=True)
    m.add_argument("--media-type", default=OCI_MANIFEST)
    a = ap.parse_args()
    reg = Registry(a)
    {"sig": cmd_sig, "bundle": cmd_bundle, "manifest": cmd_manifest}[a.cmd](reg, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
