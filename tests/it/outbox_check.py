#!/usr/bin/env python3
"""outbox_check.py - report files for the outbox tests, and the checks
of what OpenSMTPD delivered, read with Python's email package (an
independent parser).

  gen DIR N LABEL        write N report messages DIR/<sha256>.eml
  single  --maildir M --list L --reports R --dest D --from F
          --reply-to T --verp-domain V [--count N]
        every report to D in state sent was delivered exactly once:
        Return-Path <bounces+TAG@V> with the report's VERP tag, From and
        Reply-To as configured, Message-ID as stored, the other header
        fields and the body bytes as written (line ends aside)
  digest  --maildir M --list L --reports R --dest D --from F --verp-domain V
        the reports to D arrived in one multipart/mixed mail, each part a
        message/rfc822 whose body bytes are the report's
  crash   --maildir M --list L [--all-sent]
        no Message-ID delivered twice; sent -> exactly one delivery,
        queued/deferred -> none, held -> at most one; every delivery is a
        known report (--all-sent: every report sent)
  resolve --maildir M --list L
        what a person does with held reports: "confirm ID" when its
        Message-ID was delivered, "retry ID" when not
Prints what it checked; exits 1 on the first failure.
"""
import argparse
import email
import email.policy
import hashlib
import os
import sys


def fail(msg):
    print("outbox_check: FAIL: " + msg)
    sys.exit(1)


def gen(d, n, label):
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        hdr = [
            "From: Original Reporter <orig@reporter.example>",
            "To: abuse@example.test",
            f"Subject: [{label}] abuse report {i}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        if i % 2 == 0:
            hdr.append(f"Message-ID: <{label}-{i}@reports.example>")
        body = [
            f"Report {i} of {label}: spam from 192.0.2.{i % 250 + 1}",
            ".a line that starts with a dot",
            "..two dots",
            ".",
            "From the start of a line",
            "trailing blanks   ",
            "UTF-8: Gr\u00fc\u00dfe \u2013 \u2713",
            "x" * 700,
            "",
            "end",
        ]
        data = ("\r\n".join(hdr) + "\r\n\r\n" + "\r\n".join(body) +
                "\r\n").encode("utf-8")
        name = hashlib.sha256(data).hexdigest()
        with open(os.path.join(d, name + ".eml"), "wb") as f:
            f.write(data)


def read_list(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows.append(dict(id=p[0], state=p[1], attempts=int(p[2]),
                             verp=p[3], msgid=p[4], dest=p[5], evidence=p[6],
                             error=p[7] if len(p) > 7 else ""))
    return rows


def maildir(m):
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(m, sub)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                raw = f.read()
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append((raw, msg))
    return out


def norm(b):
    return b.replace(b"\r\n", b"\n")


def split(raw):
    raw = norm(raw)
    i = raw.find(b"\n\n")
    return (raw, b"") if i < 0 else (raw[:i + 1], raw[i + 2:])


def msgid(msg):
    v = str(msg.get("Message-ID", "")).strip()
    return v[1:-1] if v.startswith("<") and v.endswith(">") else v


def header_fields(head):
    """Unfolded header fields of a raw header block, as (name, value)."""
    fields = []
    for line in head.split(b"\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b" " + line.strip()
        elif b":" in line:
            k, v = line.split(b":", 1)
            fields.append([k.strip().lower(), v.strip()])
    return fields


def check_single(a):
    rows = [r for r in read_list(a.list) if r["dest"] == a.dest]
    sent = [r for r in rows if r["state"] == "sent"]
    if a.count is not None and len(sent) != a.count:
        fail(f"{len(sent)} reports to {a.dest} sent, want {a.count}")
    got = {}
    for raw, msg in maildir(a.maildir):
        got.setdefault(msgid(msg), []).append((raw, msg))
    checked = 0
    for r in sent:
        hits = got.get(r["msgid"], [])
        if len(hits) != 1:
            fail(f"report {r['id']} <{r['msgid']}> delivered {len(hits)} "
                 "times")
        raw, msg = hits[0]
        want_rp = f"<bounces+{r['verp']}@{a.verp_domain}>"
        if str(msg["Return-Path"]) != want_rp:
            fail(f"report {r['id']}: Return-Path {msg['Return-Path']} "
                 f"want {want_rp}")
        if msg.get_all("From") != [a.sender_from]:
            fail(f"report {r['id']}: From {msg.get_all('From')}")
        if a.reply_to and msg.get_all("Reply-To") != [a.reply_to]:
            fail(f"report {r['id']}: Reply-To {msg.get_all('Reply-To')}")
        with open(os.path.join(a.reports, r["evidence"] + ".eml"), "rb") as f:
            orig = f.read()
        ohead, obody = split(orig)
        dhead, dbody = split(raw)
        if dbody != obody:
            fail(f"report {r['id']}: body bytes differ")
        dfields = header_fields(dhead)
        for k, v in header_fields(ohead):
            if k in (b"from", b"reply-to"):
                continue
            if [k, v] not in dfields:
                fail(f"report {r['id']}: header {k!r} changed or lost")
        if hashlib.sha256(orig).hexdigest() != r["evidence"]:
            fail(f"report {r['id']}: evidence hash mismatch")
        checked += 1
    print(f"outbox_check: {checked} reports to {a.dest} delivered once "
          "each, Return-Path/From/Reply-To/Message-ID/headers/body checked")


def check_digest(a):
    rows = [r for r in read_list(a.list) if r["dest"] == a.dest]
    if not rows or any(r["state"] != "sent" for r in rows):
        fail(f"digest reports not all sent: {[r['state'] for r in rows]}")
    digests = [(raw, m) for raw, m in maildir(a.maildir)
               if m.get_content_type() == "multipart/mixed"
               and str(m["To"]) == a.dest]
    if len(digests) != 1:
        fail(f"{len(digests)} digest mails to {a.dest}, want 1")
    raw, m = digests[0]
    if str(m["Return-Path"]) != f"<bounces+{rows[0]['verp']}@{a.verp_domain}>":
        fail(f"digest Return-Path {m['Return-Path']}")
    if str(m["From"]) != a.sender_from:
        fail(f"digest From {m['From']}")
    parts = [p for p in m.iter_parts()
             if p.get_content_type() == "message/rfc822"]
    if len(parts) != len(rows):
        fail(f"digest has {len(parts)} reports, want {len(rows)}")
    # The parts' raw bytes: the email package would re-serialise them.
    boundary = m.get_boundary().encode()
    chunks = norm(raw).split(b"\n--" + boundary)[1:]
    raws = [split(c.split(b"\n", 1)[1])[1] for c in chunks
            if c.startswith(b"\n") and b"message/rfc822" in split(c)[0]]
    if len(raws) != len(rows):
        fail(f"digest: {len(raws)} raw message/rfc822 parts")
    by_id = {r["msgid"]: r for r in rows}
    for inner_raw in raws:
        inner = email.message_from_bytes(inner_raw,
                                         policy=email.policy.default)
        r = by_id.pop(msgid(inner), None)
        if r is None:
            fail(f"digest part with unknown Message-ID {inner['Message-ID']}")
        with open(os.path.join(a.reports, r["evidence"] + ".eml"), "rb") as f:
            obody = split(f.read())[1]
        ibody = split(inner_raw)[1]
        if not ibody.endswith(b"\n"):
            ibody += b"\n"
        if ibody != obody:
            fail(f"digest part for report {r['id']}: body bytes differ")
    print(f"outbox_check: one digest to {a.dest} with {len(parts)} "
          "message/rfc822 reports, bodies intact")


def check_crash(a):
    rows = read_list(a.list)
    count = {}
    for raw, m in maildir(a.maildir):
        count[msgid(m)] = count.get(msgid(m), 0) + 1
    known = {r["msgid"] for r in rows if r["msgid"]}
    for k, n in count.items():
        if n > 1:
            fail(f"<{k}> delivered {n} times")
        if k not in known:
            fail(f"delivered <{k}> is no known report")
    states = {}
    for r in rows:
        n = count.get(r["msgid"], 0) if r["msgid"] else 0
        states[r["state"]] = states.get(r["state"], 0) + 1
        if r["state"] == "sent" and n != 1:
            fail(f"report {r['id']} sent but delivered {n} times")
        if r["state"] in ("queued", "deferred") and n != 0:
            fail(f"report {r['id']} {r['state']} but delivered {n} times: "
                 "a later run would send it twice")
        if r["state"] not in ("sent", "queued", "deferred", "held"):
            fail(f"report {r['id']} in state {r['state']}")
        if a.all_sent and r["state"] != "sent":
            fail(f"report {r['id']} is {r['state']}, want sent")
    print(f"outbox_check: {len(rows)} reports {states}, "
          f"{sum(count.values())} deliveries, none twice, none lost")


def resolve(a):
    rows = read_list(a.list)
    count = {}
    for raw, m in maildir(a.maildir):
        count[msgid(m)] = count.get(msgid(m), 0) + 1
    for r in rows:
        if r["state"] == "held":
            verb = "confirm" if count.get(r["msgid"], 0) else "retry"
            print(f"{verb} {r['id']}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["single", "digest", "crash", "resolve"])
    p.add_argument("--all-sent", action="store_true")
    p.add_argument("--maildir", required=True)
    p.add_argument("--list", required=True)
    p.add_argument("--reports")
    p.add_argument("--dest")
    p.add_argument("--from", dest="sender_from")
    p.add_argument("--reply-to")
    p.add_argument("--verp-domain")
    p.add_argument("--count", type=int)
    a = p.parse_args()
    {"single": check_single, "digest": check_digest,
     "crash": check_crash, "resolve": resolve}[a.mode](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
