#!/usr/bin/env python3
"""A unix stream socket server that accepts every connection and never answers.

usage: silent_socket.py SOCKET READY_FILE

Stands in for a containerd whose API socket accepts but hangs (a wedged daemon): the
kernel completes connect(), the server reads and discards what it is sent, never writes a
byte, and keeps every connection open until the client gives up. Writes its pid to
READY_FILE once listening; exits on SIGTERM.
"""
import os
import selectors
import signal
import socket
import sys


def main() -> int:
    path, ready = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o600)
    srv.listen(128)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    with open(ready, "w") as f:
        f.write(f"{os.getpid()}\n")
    while True:
        for key, _ in sel.select():
            if key.fileobj is srv:
                conn, _ = srv.accept()
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:  # the client gave up: forget it
                sel.unregister(conn)
                conn.close()


if __name__ == "__main__":
    sys.exit(main())
