#!/usr/bin/python3
"""report_check.py DUMPDIR SCHEMADIR - check the reports report_build_test
--dump wrote, with parsers that share no code with squeaky:

- every XARF v4 document (bare, and the JSON attached to the xarf-mail)
  validates against xarf-v4-master.json with jsonschema (draft 2020-12,
  format checks on; the referenced schemas are the local files, mapped
  by their $id: no network);
- ARF, parsed by Python's email package: multipart/report with
  report-type=feedback-report, 3 parts (text/plain, message/feedback-
  report, message/rfc822 or text/rfc822-headers) and the feedback fields
  one by one (RFC 5965 section 3.1 / RFC 6650);
- X-ARF 0.2: X-ARF: YES, 3 parts, the YAML report fields;
- redaction: no secret (case-insensitive) in any byte of any file, nor in
  any decoded header or decoded part at any depth (base64 and QP parts,
  encoded words, nested messages, XARF evidence payloads); the text
  parts of the redacted original decode to the original's text with
  exactly the secrets replaced.

Prints one line per failure and a summary; exit 1 on any failure.
"""
import base64
import email
import email.policy
import email.utils
import hashlib
import ipaddress
import json
import os
import re
import sys
import urllib.parse

import jsonschema
import yaml

FAILS = []
CHECKS = [0]
FEEDBACK = {"spam": "abuse", "phishing": "fraud", "malware": "virus"}
TOKENS = ["redacted@redacted.invalid", "redacted.invalid", "redacted-ip",
          "[redacted]"]


def check(cond, msg):
    CHECKS[0] += 1
    if not cond:
        FAILS.append(msg)


def load_validator(schemadir):
    store = {}
    for root, _, files in os.walk(schemadir):
        for f in files:
            if f.endswith(".json"):
                with open(os.path.join(root, f)) as fh:
                    doc = json.load(fh)
                if "$id" in doc:
                    store[doc["$id"]] = doc
    master = store["https://xarf.org/schemas/v4/xarf-v4-master.json"]
    resolver = jsonschema.RefResolver.from_schema(master, store=store)
    return jsonschema.Draft202012Validator(
        master, resolver=resolver,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def secret_hits(data, secrets):
    low = data.lower() if isinstance(data, bytes) else data.encode(
        "utf-8", "replace").lower()
    return [s for _, s in secrets if s.encode() in low]


def no_secret(where, data, secrets):
    hits = secret_hits(data, secrets)
    check(not hits, f"{where}: secret {hits} survives")


def walk_message(where, msg, secrets, depth=0):
    """Every decoded header and part of msg, recursively."""
    for name, value in msg.items():
        no_secret(f"{where} header {name}", str(value), secrets)
    if msg.is_multipart():
        for i, part in enumerate(msg.iter_parts() if hasattr(
                msg, "iter_parts") else msg.get_payload()):
            walk_message(f"{where}/{i}", part, secrets, depth + 1)
        # message/rfc822 parts hold the message as their payload
        if msg.get_content_type() == "message/rfc822":
            for sub in msg.get_payload():
                walk_message(f"{where}/rfc822", sub, secrets, depth + 1)
        return
    payload = msg.get_payload(decode=True) or b""
    no_secret(f"{where} body {msg.get_content_type()}", payload, secrets)
    if msg.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
        sub = email.message_from_bytes(payload, policy=email.policy.default)
        walk_message(f"{where}/embedded", sub, secrets, depth + 1)
    if msg.get_content_type() == "application/json":
        check_xarf_doc(f"{where} json", payload, secrets)


VALIDATOR = None


def check_xarf_doc(where, data, secrets, kind=None):
    try:
        doc = json.loads(data)
    except ValueError as e:
        check(False, f"{where}: not JSON: {e}")
        return
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: e.path)
    check(not errors, f"{where}: schema: " +
          "; ".join(f"{list(e.path)}: {e.message[:120]}" for e in errors[:3]))
    for i, ev in enumerate(doc.get("evidence", [])):
        raw = base64.b64decode(ev["payload"], validate=True)
        want = "sha256:" + hashlib.sha256(raw).hexdigest()
        check(ev.get("hash") == want, f"{where}: evidence {i} hash")
        check(ev.get("size") == len(raw), f"{where}: evidence {i} size")
        no_secret(f"{where} evidence {i}", raw, secrets)
        if ev["content_type"] in ("message/rfc822", "text/rfc822-headers"):
            sub = email.message_from_bytes(raw, policy=email.policy.default)
            walk_message(f"{where} evidence {i}", sub, secrets)
    if kind is not None:
        return doc
    return None


def check_xarf_expect(where, doc, expect):
    check(doc.get("source_identifier") == expect["source_ip"],
          f"{where}: source_identifier")
    check(doc.get("source_port") == (expect.get("source_port") or None),
          f"{where}: source_port {doc.get('source_port')}")
    if expect["kind"] == "spam":
        want = "smtp" if expect.get("source_port") else "other"
        check(doc.get("protocol") == want,
              f"{where}: protocol {doc.get('protocol')} want {want}")
    if expect["kind"] in ("spam", "phishing", "malware"):
        ct = [e["content_type"] for e in doc.get("evidence", [])]
        want = ("text/rfc822-headers" if expect.get("headers_only") and
                "huge" in where else "message/rfc822")
        check(ct == [want], f"{where}: evidence {ct} want {want}")


def feedback_fields(part):
    """The fields of a message/feedback-report part, as (name, value)."""
    payload = part.get_payload()
    if isinstance(payload, list):  # email parses message/* as messages
        return [(k, str(v)) for k, v in payload[0].items()]
    text = part.get_payload(decode=True).decode("ascii")
    return [tuple(x.strip() for x in line.split(":", 1))
            for line in text.splitlines() if ":" in line]


def check_arf(where, msg, expect, reference=False):
    check(msg.get_content_type() == "multipart/report",
          f"{where}: content type {msg.get_content_type()}")
    check(msg.get_param("report-type") == "feedback-report",
          f"{where}: report-type")
    for h in ("From", "To", "Subject", "Date", "MIME-Version") + (
            () if reference else ("Message-ID",)):
        check(msg[h] is not None, f"{where}: no {h} header")
    parts = msg.get_payload()
    check(len(parts) == 3, f"{where}: {len(parts)} parts, want 3")
    if len(parts) != 3:
        return
    check(parts[0].get_content_type() == "text/plain", f"{where}: part 1")
    check(parts[1].get_content_type() == "message/feedback-report",
          f"{where}: part 2 {parts[1].get_content_type()}")
    want3 = ("text/rfc822-headers" if expect.get("headers_only")
             else "message/rfc822")
    check(parts[2].get_content_type() == want3,
          f"{where}: part 3 {parts[2].get_content_type()}, want {want3}")
    fields = feedback_fields(parts[1])
    f = {}
    for k, v in fields:
        f.setdefault(k.lower(), []).append(v)
    check(f.get("feedback-type") == [FEEDBACK[expect["kind"]]],
          f"{where}: Feedback-Type {f.get('feedback-type')}")
    check(len(f.get("user-agent", [])) == 1 and
          (reference or f["user-agent"][0].startswith("squeaky/")),
          f"{where}: User-Agent")
    check(f.get("version") == ["1"], f"{where}: Version {f.get('version')}")
    check(f.get("source-ip") == [expect["source_ip"]], f"{where}: Source-IP")
    sport = 0 if reference else expect.get("source_port", 0)
    check(f.get("source-port") == ([str(sport)] if sport else None),
          f"{where}: Source-Port {f.get('source-port')} want {sport}")
    ipaddress.ip_address(f["source-ip"][0])
    for d in f.get("arrival-date", []):
        check(email.utils.parsedate_to_datetime(d) is not None,
              f"{where}: Arrival-Date {d}")
    if reference:  # the RFC's example predates Arrival-Date and Source-Port
        check(len(f.get("reported-uri", [])) == expect["nuri"],
              f"{where}: Reported-URI count")
        return
    check(len(f.get("arrival-date", [])) == 1, f"{where}: one Arrival-Date")
    for r in f.get("original-rcpt-to", []):
        check(r in ("redacted@redacted.invalid", "[redacted]",
                    "<redacted@redacted.invalid>"),
              f"{where}: Original-Rcpt-To not redacted: {r}")
    for m in f.get("original-mail-from", []):
        check(m.startswith("<") and m.endswith(">"),
              f"{where}: Original-Mail-From {m}")
    for u in f.get("reported-uri", []):
        p = urllib.parse.urlsplit(u)
        check(p.scheme in ("http", "https", "ftp") and p.netloc,
              f"{where}: Reported-URI {u}")
        check(all(0x20 < ord(c) < 0x7f for c in u), f"{where}: URI 7-bit")
    doms = f.get("reported-domain", [])
    check(len(doms) == len(set(doms)), f"{where}: a Reported-Domain twice")
    check(all(d.strip() for d in doms), f"{where}: an empty Reported-Domain")
    check(len(f.get("reported-uri", [])) == min(expect["nuri"], 32),
          f"{where}: {len(f.get('reported-uri', []))} Reported-URI, "
          f"want {expect['nuri']}")


def check_x02(where, msg, expect):
    check(msg["X-ARF"] == "YES", f"{where}: X-ARF header")
    parts = msg.get_payload()
    check(msg.get_content_type() == "multipart/mixed" and len(parts) == 3,
          f"{where}: shape")
    if len(parts) != 3:
        return
    check(parts[1].get_param("name") == "report.txt", f"{where}: report.txt")
    text = parts[1].get_payload(decode=True).decode()
    try:
        fields = yaml.safe_load(text)
    except yaml.YAMLError as e:
        check(False, f"{where}: report.txt is not YAML: {e}")
        return
    check(isinstance(fields, dict), f"{where}: report.txt is a mapping")
    for k in ("Reported-From", "Category", "Report-Type", "Service",
              "Version", "User-Agent", "Date", "Source-Type", "Source",
              "Schema-URL", "Attachment", "Report-ID", "TZ"):
        check(k in fields, f"{where}: no {k}")
    check(str(fields.get("Version")) == "0.2", f"{where}: Version")
    check(fields.get("Source") == expect["source_ip"], f"{where}: Source")
    check(fields.get("Source-Type") in ("ipv4", "ipv6"), f"{where}: type")
    check(isinstance(fields.get("TZ"), str) and
          re.fullmatch(r"[+-]\d{4}", fields["TZ"]), f"{where}: TZ string")
    check(email.utils.parsedate_to_datetime(fields.get("Date", "")) is not
          None, f"{where}: Date")
    check(fields.get("Category") in ("abuse", "fraud"), f"{where}: Category")
    want = ("message/rfc822" if expect["kind"] in FEEDBACK else "text/plain")
    check(fields.get("Attachment") == want, f"{where}: Attachment")
    check(parts[2].get_content_type() == want or (
        want == "message/rfc822" and
        parts[2].get_content_type() == "text/rfc822-headers"),
        f"{where}: evidence part {parts[2].get_content_type()}")


def redaction_regex(secrets):
    alts = []
    for kind, s in sorted(secrets, key=lambda x: -len(x[1])):
        e = re.escape(s)
        if kind == 0:
            e = e.replace("@", "(?:@|%40)")
        elif kind == 2 and ":" in s:
            e = r"(?<![0-9a-fA-F:])" + e + r"(?![0-9a-fA-F:])"
        elif kind == 2:
            e = r"(?<![0-9A-Za-z.])" + e + r"(?![0-9A-Za-z])(?!\.[0-9A-Za-z])"
        elif kind == 3:
            e = r"(?<![0-9A-Za-z])" + e + r"(?![0-9A-Za-z])"
        alts.append((kind, e))
    big = "|".join(f"(?P<k{i}_{k}>{e})" for i, (k, e) in enumerate(alts))
    return re.compile(big.encode(), re.I) if alts else None


def expected_redaction(data, rx):
    def repl(m):
        kind = int(m.lastgroup.split("_")[1])
        if kind == 0 and b"@" not in m.group(0):
            return b"redacted%40redacted.invalid"
        return TOKENS[kind].encode()
    return rx.sub(repl, data) if rx else data


def text_parts(msg):
    out = []
    for p in msg.walk():
        if p.get_content_maintype() == "text" and not p.is_multipart():
            out.append(p)
    return out


def check_equivalence(where, original, redacted, secrets):
    """Text parts decode to the original's text with secrets replaced."""
    rx = redaction_regex(secrets)
    o = email.message_from_bytes(original, policy=email.policy.default)
    r = email.message_from_bytes(redacted, policy=email.policy.default)
    op, rp = text_parts(o), text_parts(r)
    n = 0
    for a, b in zip(op, rp):
        ab = a.get_payload(decode=True) or b""
        bb = b.get_payload(decode=True) or b""
        if b"[squeaky: this part was removed" in bb:
            continue
        # line ends are the transport's (the report is written with LF)
        want = expected_redaction(ab, rx).replace(b"\r\n", b"\n")
        bb = bb.replace(b"\r\n", b"\n")
        check(want == bb, f"{where}: text part {n} ({a.get_content_type()}, "
              f"{a.get('Content-Transfer-Encoding')}) differs from the "
              f"original beyond the redactions")
        check(b.get("Content-Transfer-Encoding") ==
              a.get("Content-Transfer-Encoding"),
              f"{where}: text part {n} changed its transfer encoding")
        n += 1
    return n


def check_case(case_dir, name):
    with open(os.path.join(case_dir, "secrets.txt")) as fh:
        secrets = [(int(k), s) for k, s in
                   (line.rstrip("\n").split(" ", 1) for line in fh)]
    with open(os.path.join(case_dir, "expect.json")) as fh:
        expect = json.load(fh)
    for fname in sorted(os.listdir(case_dir)):
        if fname in ("secrets.txt", "expect.json", "original.eml"):
            continue
        path = os.path.join(case_dir, fname)
        with open(path, "rb") as fh:
            data = fh.read()
        where = f"{name}/{fname}"
        no_secret(where, data, secrets)
        if fname == "xarf.json":
            doc = check_xarf_doc(where, data, secrets, expect)
            if doc is not None:
                check_xarf_expect(where, doc, expect)
            continue
        msg = email.message_from_bytes(data, policy=email.policy.default)
        walk_message(where, msg, secrets)
        if fname == "arf":
            check_arf(where, msg, expect)
            orig = os.path.join(case_dir, "original.eml")
            part = msg.get_payload()[2] if msg.is_multipart() else None
            if os.path.exists(orig) and part is not None and \
                    part.get_content_type() == "message/rfc822":
                with open(orig, "rb") as fh:
                    original = fh.read()
                redacted = part.get_payload(decode=True)
                if redacted is None:  # parsed as a message: re-serialise
                    redacted = part.get_payload()[0].as_bytes()
                NPARTS[0] += check_equivalence(where, original, redacted,
                                               secrets)
        elif fname == "x-arf":
            check_x02(where, msg, expect)


NPARTS = [0]


def main():
    global VALIDATOR
    dump, schemadir = sys.argv[1], sys.argv[2]
    VALIDATOR = load_validator(schemadir)
    if len(sys.argv) > 3:  # the RFC 5965 B.2 example: the checker reads it
        with open(sys.argv[3], "rb") as fh:
            ref = email.message_from_bytes(fh.read(),
                                           policy=email.policy.default)
        before = len(FAILS)
        check_arf("rfc5965-example", ref, {"kind": "spam",
                                           "source_ip": "192.0.2.2",
                                           "nuri": 2}, reference=True)
        check(len(FAILS) == before, "the RFC 5965 example passes check_arf")
    cases = sorted(os.listdir(dump))
    for c in cases:
        check_case(os.path.join(dump, c), c)
    for f in FAILS:
        print("FAIL:", f)
    print(f"report_check: {len(cases)} cases, {CHECKS[0]} checks, "
          f"{NPARTS[0]} text parts compared, {len(FAILS)} failures")
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
