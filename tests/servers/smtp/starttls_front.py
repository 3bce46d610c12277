#!/usr/bin/env python3
"""starttls_front.py - STARTTLS and AUTH in front of a plain OpenSMTPD.

Debian 12's OpenSMTPD 6.8.0p2 cannot do server-side TLS with OpenSSL 3
(every handshake fails with "EVP lib": OpenSMTPD issues #1171, #1239),
and it allows AUTH only on TLS listeners.  This front end (python3
standard library only) speaks the TLS and AUTH part of the session
itself and relays every other command, and the message, line by line to
OpenSMTPD's plain listener, which does the real work: envelope checks,
the reject filters, queueing and Maildir delivery.

    EHLO       relayed; STARTTLS (before TLS) or AUTH PLAIN LOGIN (after)
               added to the server's capability list
    STARTTLS   answered here; the client socket is wrapped in TLS
    AUTH       PLAIN and LOGIN, checked against --user/--password,
               only after STARTTLS (538 before)
    MAIL       530 until authenticated, then relayed
    anything else, and the DATA lines, relayed as they are

A second listener on a free port does the same with TLS from the start
(smtps).  --port-file receives "STARTTLS_PORT SMTPS_PORT".

Usage: starttls_front.py --upstream PORT --cert C --key K --user U
       --password P --port-file F [--port N] [--log L]
"""
import argparse
import base64
import os
import socket
import ssl
import sys
import threading


def read_reply(up):
    """A whole (possibly multi-line) reply from the upstream file."""
    lines = []
    while True:
        line = up.readline(4096)
        if not line:
            raise EOFError("upstream closed")
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines


class Session:
    def __init__(self, conn, args, ctx, log, implicit):
        self.args, self.ctx, self.log = args, ctx, log
        if implicit:  # smtps: TLS before the banner
            conn = ctx.wrap_socket(conn, server_side=True)
        self.conn = conn
        self.cf = conn.makefile("rb")
        self.tls = implicit
        self.authed = False
        self.caps = None
        self.up = socket.create_connection(("127.0.0.1", args.upstream))
        self.uf = self.up.makefile("rb")

    def send(self, data):
        self.conn.sendall(data)

    def relay(self, line):
        self.up.sendall(line)
        reply = read_reply(self.uf)
        self.send(b"".join(reply))
        return reply

    def ehlo(self, line):
        # OpenSMTPD answers one EHLO per session: the first is relayed
        # and its capabilities kept; the one after STARTTLS is answered
        # here from them.
        if self.caps is None:
            self.up.sendall(line)
            reply = read_reply(self.uf)
            if not reply[0].startswith(b"250"):
                self.send(b"".join(reply))
                return
            self.caps = [r[4:].rstrip(b"\r\n") for r in reply]
            self.caps = [c for c in self.caps
                         if not c.upper().startswith(b"STARTTLS")]
        extra = b"AUTH PLAIN LOGIN" if self.tls else b"STARTTLS"
        body = self.caps + [extra]
        out = b"".join(b"250-" + b + b"\r\n" for b in body[:-1])
        self.send(out + b"250 " + body[-1] + b"\r\n")

    def starttls(self):
        if self.tls:
            self.send(b"503 5.5.1 TLS already active\r\n")
            return
        self.send(b"220 2.0.0 Ready to start TLS\r\n")
        self.conn = self.ctx.wrap_socket(self.conn, server_side=True)
        self.cf = self.conn.makefile("rb")
        self.tls = True

    def check(self, user, password):
        ok = user == self.args.user and password == self.args.password
        self.log(f"auth user={user!r} ok={ok}")
        if ok:
            self.authed = True
            self.send(b"235 2.0.0 Authentication succeeded\r\n")
        else:
            self.send(b"535 5.7.8 Authentication credentials invalid\r\n")

    def ask(self, prompt):
        self.send(b"334 " + base64.b64encode(prompt) + b"\r\n")
        return base64.b64decode(self.cf.readline(4096).strip() or b"")

    def auth(self, words):
        if not self.tls:
            self.send(b"538 5.7.11 Encryption required for AUTH\r\n")
            return
        mech = words[1].upper() if len(words) > 1 else b""
        try:
            if mech == b"PLAIN":
                raw = base64.b64decode(words[2]) if len(words) > 2 \
                    else self.ask(b"")
                _, user, password = raw.split(b"\0", 2)
            elif mech == b"LOGIN":
                user = base64.b64decode(words[2]) if len(words) > 2 \
                    else self.ask(b"Username:")
                password = self.ask(b"Password:")
            else:
                self.send(b"504 5.5.4 Unrecognized authentication type\r\n")
                return
        except (ValueError, base64.binascii.Error):
            self.send(b"501 5.5.2 Malformed AUTH\r\n")
            return
        self.check(user.decode("utf-8", "replace"),
                   password.decode("utf-8", "replace"))

    def data(self, line):
        reply = self.relay(line)
        if not reply[0].startswith(b"354"):
            return
        while True:
            chunk = self.cf.readline(1 << 20)
            if not chunk:
                raise EOFError("client closed in DATA")
            self.up.sendall(chunk)
            if chunk in (b".\r\n", b".\n"):
                break
        reply = read_reply(self.uf)
        self.log("data " + reply[-1].decode("ascii", "replace").strip())
        self.send(b"".join(reply))

    def run(self):
        self.send(b"".join(read_reply(self.uf)))
        while True:
            line = self.cf.readline(4096)
            if not line:
                return
            words = line.split()
            verb = words[0].upper() if words else b""
            self.log("cmd " + (verb.decode("ascii", "replace")))
            if verb in (b"EHLO", b"HELO"):
                self.ehlo(line)
            elif verb == b"STARTTLS":
                self.starttls()
            elif verb == b"AUTH":
                self.auth(words)
            elif verb == b"MAIL" and not self.authed:
                self.send(b"530 5.7.0 Authentication required\r\n")
            elif verb == b"DATA":
                self.data(line)
            else:
                reply = self.relay(line)
                if verb == b"QUIT":
                    return

    def close(self):
        for s in (self.conn, self.up):
            try:
                s.close()
            except OSError:
                pass


def serve(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    lock = threading.Lock()
    logf = open(args.log, "a", buffering=1) if args.log else None

    def log(msg):
        if logf:
            with lock:
                logf.write(msg + "\n")

    def listen(port):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen(64)
        return srv

    srv, tls_srv = listen(args.port), listen(0)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{srv.getsockname()[1]} {tls_srv.getsockname()[1]}")
    os.rename(args.port_file + ".tmp", args.port_file)

    def handle(conn, implicit):
        s = None
        try:
            s = Session(conn, args, ctx, log, implicit)
            s.run()
        except (OSError, EOFError, ssl.SSLError) as e:
            log(f"session ended: {e}")
        finally:
            if s:
                s.close()
            else:
                conn.close()

    def accept(sock, implicit):
        while True:
            conn, _ = sock.accept()
            threading.Thread(target=handle, args=(conn, implicit),
                             daemon=True).start()

    threading.Thread(target=accept, args=(tls_srv, True), daemon=True).start()
    accept(srv, False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--log")
    serve(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
