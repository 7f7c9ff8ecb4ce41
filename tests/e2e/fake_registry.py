#!/usr/bin/env python3
"""A registry that misbehaves, for the delivery tests' fault cases (plain HTTP, 127.0.0.1).

usage: fake_registry.py MODE PORTFILE
  garbage  /v2/ answers, every manifest request gets 200 with bytes that are not JSON
  slow     accepts connections and never answers (the client's deadline must end it)
  huge     every manifest request gets a valid-looking OCI manifest of about 9 MiB
Writes the port it listens on to PORTFILE, then serves until killed.
"""
import http.server
import json
import socket
import sys
import threading
import time

MODE = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/v2/":
            return self.send(200, b"{}")
        if "/manifests/" in self.path:
            if MODE == "garbage":
                return self.send(200, b"\x00\x01garbage<html>not a manifest" * 10,
                                 "application/vnd.oci.image.manifest.v1+json")
            if MODE == "huge":
                layers = [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                           "digest": "sha256:" + "%064x" % i, "size": 100,
                           "annotations": {"pad": "x" * 200}} for i in range(24000)]
                body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                   "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                              "digest": "sha256:" + "0" * 64, "size": 2},
                                   "layers": layers}).encode()
                return self.send(200, body, "application/vnd.oci.image.manifest.v1+json")
        return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')

    do_HEAD = do_GET


def stall():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    open(sys.argv[2], "w").write(str(s.getsockname()[1]))
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # never answered, never closed


def main():
    if MODE == "slow":
        stall()
        return
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    open(sys.argv[2], "w").write(str(srv.server_address[1]))
    srv.serve_forever()


if __name__ == "__main__":
    main()
