#!/usr/bin/env python3
"""rdap_replay.py - an HTTP server on 127.0.0.1 that answers RDAP queries
with recorded JSON documents.  Test fixture only (standard library).

  rdap_replay.py --map tests/servers/rdap.map --root CORPUS/whois \
      [--port 0] [--port-file FILE] [--delay-ms 50] [--log FILE]

Paths are matched against the map (see replay_common.py); a match is
served as application/rdap+json with status 200, no match is a 404 RDAP
error document.  Fault modes, chosen by path:
  /status/NNN        answers status NNN (429 and 503 carry Retry-After: 2)
  /retry-date        503 with Retry-After as an HTTP-date 5 s ahead
  /slow              sleeps --slow-s seconds (default 10) before answering
  /huge              streams 1 GiB of JSON-looking bytes, no Content-Length
  /huge-cl           the same with Content-Length: 1073741824
  /redirect-loop     302 to itself, for ever
  /redirect/REST     302 to /REST (one good redirect)
A map rule whose FILE is "redirect:/PREFIX" answers 302 to /PREFIX plus
the request path after its first segment (ARIN's legacy-space referral).
A fault mode may also be the first segment of a longer path
(/slow/ip/192.0.2.1), so a registry's base URL can point at it.
  /redirect-file     302 to file:///etc/passwd (must be refused)
  /echo              200 with the request's User-Agent and Accept as JSON
--delay-ms delays every answer; --log gets one line per request path.
The chosen port goes to --port-file once the server listens.
"""

import argparse
import email.utils
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_common as rc  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    server_version = "rdap-replay/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the --log file is enough
        pass

    def send_body(self, code, body, ctype="application/rdap+json", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def rdap_error(self, code, title, extra=()):
        body = json.dumps({"errorCode": code, "title": title}).encode()
        self.send_body(code, body, extra=extra)

    def stream_huge(self, with_length):
        self.send_response(200)
        self.send_header("Content-Type", "application/rdap+json")
        if with_length:
            self.send_header("Content-Length", str(rc.HUGE_BYTES))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            for chunk in rc.huge_chunks():
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def special(self, path):
        """Fault modes, by the first path segment (so that a registry base
        URL such as http://host/slow/ works); True when answered."""
        opts = self.server.opts
        first = "/" + path.lstrip("/").split("/", 1)[0]
        if first in ("/slow", "/huge", "/huge-cl", "/redirect-loop",
                     "/retry-date", "/echo", "/redirect-file"):
            path = first
        if path.startswith("/status/"):
            try:
                code = int(path[len("/status/"):].split("/")[0])
            except ValueError:
                code = 400
            extra = [("Retry-After", "2")] if code in (429, 503) else []
            self.rdap_error(code, "status %d" % code, extra)
        elif path == "/retry-date":
            when = email.utils.formatdate(time.time() + 5, usegmt=True)
            self.rdap_error(503, "unavailable", [("Retry-After", when)])
        elif path == "/slow":
            rc.bounded_sleep(opts.slow_s)
            self.rdap_error(504, "slow")
        elif path in ("/huge", "/huge-cl"):
            self.stream_huge(path == "/huge-cl")
        elif path == "/redirect-loop":
            self.send_body(302, b"", extra=[("Location", "/redirect-loop")])
        elif path == "/redirect-file":
            self.send_body(302, b"", extra=[("Location", "file:///etc/passwd")])
        elif path.startswith("/redirect/"):
            self.send_body(302, b"", extra=[("Location", path[9:])])
        elif path == "/echo":
            body = json.dumps({"user-agent": self.headers.get("User-Agent", ""),
                               "accept": self.headers.get("Accept", "")})
            self.send_body(200, body.encode(), "application/json")
        else:
            return False
        return True

    def do_GET(self):
        opts = self.server.opts
        path = urlsplit(self.path).path
        self.server.reqlog.add(path)
        if opts.delay_ms > 0:
            time.sleep(opts.delay_ms / 1000.0)
        if self.special(path):
            return
        target = rc.lookup(self.server.rules, path)
        if target is not None and "redirect:" in target:
            # "redirect:/ripe" answers 302 to /ripe + the path after its
            # first segment, as ARIN's RDAP does for legacy space that
            # another registry manages.
            to = target[target.index("redirect:") + 9:]
            rest = "/" + path.lstrip("/").split("/", 1)[-1]
            self.send_body(302, b"", extra=[("Location", to + rest)])
            return
        if target is None or not os.path.isfile(target):
            self.rdap_error(404, "Not Found")
            return
        with open(target, "rb") as f:
            self.send_body(200, f.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--map", required=True)
    ap.add_argument("--root")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--slow-s", type=float, default=10.0)
    ap.add_argument("--log")
    opts = ap.parse_args()
    root = opts.root or os.path.dirname(os.path.abspath(opts.map))

    httpd = ThreadingHTTPServer((opts.bind, opts.port), Handler)
    httpd.daemon_threads = True
    httpd.opts = opts
    httpd.rules = rc.load_map(opts.map, root)
    httpd.reqlog = rc.RequestLog(opts.log)
    rc.write_port_file(opts.port_file, httpd.server_address[1])
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
