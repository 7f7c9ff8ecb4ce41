#!/usr/bin/env python3
"""Minimal syslog receiver for the e2e tests.

Binds an AF_UNIX SOCK_DGRAM socket (what syslog(3) writes to through /dev/log)
and appends every datagram to OUTFILE as exactly one line. Bytes that are not
printable ASCII (control characters, newlines, invalid UTF-8) are written as
\\xNN and such a line starts with "!RAW ", so a test can prove the hook never
sends them (the hook's own sanitizing writes the text "\\x0a", which stays as
it is and is not marked). The file READY is
created once the socket is bound, so callers can wait for it.

usage: syslog_listener.py SOCKET OUTFILE READY
"""
import os
import signal
import socket
import sys


def escape(data: bytes) -> str:
    out = []
    raw = False
    for b in data:
        if 0x20 <= b < 0x7f:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
            raw = True
    return ("!RAW " if raw else "") + "".join(out)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, outfile, ready = sys.argv[1:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    with open(outfile, "a", buffering=1, encoding="ascii") as out:
        with open(ready, "w", encoding="ascii") as r:
            r.write("%d\n" % os.getpid())
        while True:
            data = sock.recv(65536)
            # syslog(3) ends nothing with a newline, logger(1) may: drop one.
            if data.endswith(b"\n"):
                data = data[:-1]
            out.write(escape(data) + "\n")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
