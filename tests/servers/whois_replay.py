#!/usr/bin/env python3
"""whois_replay.py - a port-43 whois server on 127.0.0.1 answering from
recorded texts.  Test fixture only (standard library).

  whois_replay.py --map tests/servers/whois.map --root CORPUS/whois \
      [--port 0] [--port-file FILE] [--delay-ms 50] [--log FILE]

It reads one query line (up to CRLF or LF, at most 4 KiB, 10 s), matches
it as received against the map (see replay_common.py) and sends the
file's bytes unchanged, then closes.  No match: "%ERROR:101: no entries
found".  Fault-mode queries:
  slow      waits --slow-s seconds (default 10) before answering
  huge      streams 1 GiB of text
  blocked   a RIPE-style "%ERROR:201: access denied" answer
  silent    closes without a byte
--delay-ms delays every answer; --log gets one line per query.
--bind6 ::1 adds an IPv6 listener on the same port when the host has one.
"""

import argparse
import os
import socket
import socketserver
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_common as rc  # noqa: E402

BLOCKED = (
    b"% This is the RIPE Database query service.\n"
    b"% The objects are in RPSL format.\n"
    b"%\n"
    b"% The RIPE Database is subject to Terms and Conditions.\n"
    b"% See http://www.ripe.net/db/support/db-terms-conditions.pdf\n"
    b"\n"
    b"%ERROR:201: access denied for 127.0.0.1\n"
    b"%\n"
    b"% Sorry, access from your host has been permanently\n"
    b"% denied because of a repeated excessive querying.\n"
    b"% For more information, see\n"
    b"% http://www.ripe.net/data-tools/db/faq/faq-db/why-did-you-block-me\n"
    b"\n"
    b"% This query was served by the RIPE Database Query Service version "
    b"1.88 (replay)\n"
    b"\n"
)
NOT_FOUND = b"%ERROR:101: no entries found\n%\n% No entries found in source.\n"


class Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def read_query(self):
        """The query line, or None when the peer sent nothing at all (a
        connect probe): that is not logged."""
        line = self.rfile.readline(4096)
        if not line:
            return None
        return line.rstrip(b"\r\n").decode("latin-1")

    def handle(self):
        srv = self.server
        try:
            query = self.read_query()
        except (OSError, ValueError):
            return
        if query is None:
            return
        srv.reqlog.add(query)
        if srv.opts.delay_ms > 0:
            time.sleep(srv.opts.delay_ms / 1000.0)
        try:
            self.answer(query)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass

    def answer(self, query):
        srv = self.server
        if query == "slow":
            rc.bounded_sleep(srv.opts.slow_s)
            self.wfile.write(NOT_FOUND)
        elif query == "huge":
            for chunk in rc.huge_chunks():
                self.wfile.write(chunk)
        elif query == "blocked":
            self.wfile.write(BLOCKED)
        elif query == "silent":
            return
        else:
            target = rc.lookup(srv.rules, query)
            if target is not None and "builtin:" in target:
                self.builtin(target[target.index("builtin:") + 8:])
                return
            if target is None or not os.path.isfile(target):
                self.wfile.write(NOT_FOUND)
                return
            with open(target, "rb") as f:
                self.wfile.write(f.read())


    def builtin(self, name):
        """Map rules whose FILE is builtin:NAME, so that an address can
        lead to a fault: refer-self (an ARIN-style referral back to this
        very server: an endless loop), blocked, slow, huge."""
        srv = self.server
        if name == "refer-self":
            host, port = self.request.getsockname()[:2]
            self.wfile.write(("NetRange: 45.45.0.0 - 45.45.255.255\r\n"
                              "ReferralServer: whois://%s:%d\r\n"
                              % (host, port)).encode())
        elif name in ("blocked", "slow", "huge"):
            self.answer(name)
        else:
            self.wfile.write(NOT_FOUND)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class Server6(Server):
    address_family = socket.AF_INET6


def start_v6(opts, port, rules, reqlog):
    """Also answer on [--bind6]:port (same port) in a thread; a host
    without IPv6 only gets a note on stderr."""
    try:
        srv6 = Server6((opts.bind6, port), Handler)
    except OSError as e:
        sys.stderr.write("whois_replay: no IPv6 listener: %s\n" % e)
        return
    srv6.opts, srv6.rules, srv6.reqlog = opts, rules, reqlog
    threading.Thread(target=srv6.serve_forever, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--map", required=True)
    ap.add_argument("--root")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--bind6", help="also listen here, same port (e.g. ::1)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--slow-s", type=float, default=10.0)
    ap.add_argument("--log")
    opts = ap.parse_args()
    root = opts.root or os.path.dirname(os.path.abspath(opts.map))

    srv = Server((opts.bind, opts.port), Handler)
    srv.opts = opts
    srv.rules = rc.load_map(opts.map, root)
    srv.reqlog = rc.RequestLog(opts.log)
    if opts.bind6:
        start_v6(opts, srv.server_address[1], srv.rules, srv.reqlog)
    rc.write_port_file(opts.port_file, srv.server_address[1])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
