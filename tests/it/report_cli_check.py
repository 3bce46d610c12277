#!/usr/bin/python3
"""report_cli_check.py DIR SCHEMADIR SECRET... - check the files
`squeaky report --output DIR` wrote, with parsers that share no code
with squeaky (Python's email package, jsonschema through the helpers of
report_check.py):

- every .eml parses; ARF ones are multipart/report; feedback-report with
  3 parts, Feedback-Type, Version 1, User-Agent, Source-IP;
- every .json is an XARF v4 document valid against the v4 schemas
  (SCHEMADIR "-" skips the schema when it is absent);
- no SECRET (case-insensitive) survives in any byte of any file, any
  decoded header or any decoded part at any depth.

Prints "To<TAB>file" per file, failures, a summary; exit 1 on a failure.
"""
import email
import email.policy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_check as rc  # noqa: E402


def check_eml(path, secrets):
    with open(path, "rb") as f:
        raw = f.read()
    rc.no_secret(path, raw, secrets)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    rc.check(msg["To"] is not None, f"{path}: no To")
    rc.walk_message(path, msg, secrets)
    if msg.get_content_type() == "multipart/report":
        parts = list(msg.iter_parts())
        rc.check(msg.get_param("report-type") == "feedback-report",
                 f"{path}: report-type")
        rc.check(len(parts) == 3, f"{path}: {len(parts)} parts")
        fb = parts[1].get_payload()
        fb = fb[0] if isinstance(fb, list) else fb
        text = fb.as_string() if hasattr(fb, "as_string") else str(fb)
        for field in ("Feedback-Type:", "Version: 1", "User-Agent:",
                      "Source-IP:"):
            rc.check(field in text, f"{path}: feedback-report lacks {field}")
    print(f"{msg['To']}\t{os.path.basename(path)}")


def main():
    outdir, schemadir, secrets = sys.argv[1], sys.argv[2], sys.argv[3:]
    secrets = [("secret", s.lower()) for s in secrets]
    if schemadir != "-":
        rc.VALIDATOR = rc.load_validator(schemadir)
    for name in sorted(os.listdir(outdir)):
        path = os.path.join(outdir, name)
        if name.endswith(".eml"):
            check_eml(path, secrets)
        elif name.endswith(".json"):
            with open(path, "rb") as f:
                raw = f.read()
            rc.no_secret(path, raw, secrets)
            if rc.VALIDATOR is not None:
                rc.check_xarf_doc(path, raw, secrets)
            print(f"-\t{name}")
        else:
            rc.check(False, f"{path}: unexpected file")
    for f in rc.FAILS:
        print("FAIL:", f)
    print(f"report_cli_check: {rc.CHECKS[0]} checks, {len(rc.FAILS)} failures",
          file=sys.stderr)
    return 1 if rc.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
