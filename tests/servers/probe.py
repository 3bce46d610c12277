#!/usr/bin/env python3
"""probe.py - helpers for start-all.sh (test fixture, standard library).

  probe.py freeport            print a port free for TCP and UDP on 127.0.0.1
  probe.py tcp HOST PORT       exit 0 when a TCP connect succeeds
  probe.py http URL            exit 0 when GET URL answers any HTTP status
  probe.py dns HOST PORT NAME  exit 0 when a TXT query for NAME is answered
"""

import socket
import struct
import sys
import urllib.error
import urllib.request


def freeport():
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            t.close()
            u.close()
        print(port)
        return 0
    return 1


def tcp(host, port):
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return 0
    except OSError:
        return 1


def http(url):
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        pass  # any status is an answer
    except OSError:
        return 1
    return 0


def dns(host, port, name):
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p)
    q = struct.pack(">HHHHHH", 0x5153, 0x0100, 1, 0, 0, 0) + qname + b"\0"
    q += struct.pack(">HH", 16, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    try:
        s.sendto(q, (host, int(port)))
        data = s.recv(4096)
    except OSError:
        return 1
    finally:
        s.close()
    return 0 if len(data) >= 12 and data[:2] == q[:2] else 1


def main(argv):
    cmds = {"freeport": (freeport, 0), "tcp": (tcp, 2), "http": (http, 1),
            "dns": (dns, 3)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
