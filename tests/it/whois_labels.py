#!/usr/bin/env python3
"""whois_labels.py - every labelled RDAP/whois response of the shared
corpus through `squeaky whois --response` and through the live path
against the local replay servers (tests/servers/start-all.sh).

  whois_labels.py SQUEAKY CORPORA_WHOIS_DIR

Live mode runs when SQ_TEST_RDAP_URL and SQ_TEST_WHOIS are set.  For each
label the set of registered abuse contacts squeaky returns (role abuse,
not fallback) must equal the label's abuse_emails (domains compared
case-insensitively), and no placeholder/NIR address may come first.
Exit 0 all pass, 1 a mismatch, 77 corpus absent.
"""

import json
import os
import re
import subprocess
import sys

SQ, CORP = sys.argv[1], sys.argv[2]
if not os.path.isdir(CORP):
    print("whois_labels: SKIP: %s absent" % CORP)
    sys.exit(77)


def norm(e):
    local, _, dom = e.strip().partition("@")
    return local.lower() + "@" + dom.lower()


def labels():
    for group in ("ipwhois", "whoisit", "whois-parser-fork"):
        path = os.path.join(CORP, group, "labels.jsonl")
        for line in open(path, encoding="utf-8"):
            if line.strip():
                rec = json.loads(line)
                rec["_dir"] = os.path.join(CORP, group)
                yield rec


def run(args):
    p = subprocess.run([SQ, "whois", "--json"] + args, capture_output=True,
                       text=True, timeout=120)
    if p.returncode not in (0, 1):
        return None, p.stderr.strip()
    line = p.stdout.strip().splitlines()
    return (json.loads(line[0]) if line else None), p.stderr.strip()


def abuse_set(ans):
    """Where a report goes: the registered abuse contacts, or when there
    is none, the abuse addresses of medium or high confidence that the
    registry wrote only in free text (labelled so in the corpus)."""
    cs = [c for c in ans.get("contacts", []) if c["role"] == "abuse"]
    reg = {norm(c["email"]) for c in cs if not c["fallback"]}
    if reg:
        return reg
    return {norm(c["email"]) for c in cs
            if c["confidence"] in ("high", "medium")}


def compare(mode, rec, ans, err):
    want = {norm(e) for e in rec.get("abuse_emails", [])}
    if ans is None:
        return "%s %s: no answer (%s)" % (mode, rec["file"], err)
    got = abuse_set(ans)
    if got != want:
        return "%s %s: abuse %s, label %s" % (mode, rec["file"], sorted(got),
                                             sorted(want))
    if want and norm(ans["contacts"][0]["email"]) not in want:
        return "%s %s: first contact %s not a labelled abuse address" % (
            mode, rec["file"], ans["contacts"][0]["email"])
    return None


def response_mode(rec):
    args = ["--response", os.path.join(rec["_dir"], rec["file"])]
    if rec.get("server"):
        args += ["--server", rec["server"]]
    if rec.get("query") and not rec["query"].isalpha():
        args.append(rec["query"])
    return compare("response", rec, *run(args))


def live_args():
    url = os.environ["SQ_TEST_RDAP_URL"].rstrip("/")
    whois = os.environ["SQ_TEST_WHOIS"]
    rdap = " ".join("%s=%s/%s/" % (reg, url, p) for reg, p in (
        ("arin", "arin"), ("ripencc", "ripe"), ("apnic", "apnic"),
        ("lacnic", "lacnic"), ("afrinic", "afrinic")))
    return rdap, whois


def load_map(name):
    """The replay servers' rules: [(regex, file relative to the corpus)]."""
    here = os.path.dirname(os.path.abspath(__file__))
    rules = []
    for line in open(os.path.join(here, "..", "servers", name)):
        line = line.strip()
        if line and not line.startswith("#"):
            rx, f = line.rsplit(None, 1)
            rules.append((re.compile(rx.strip()), f))
    return rules


def served(rules, key):
    for rx, f in rules:
        if rx.fullmatch(key):
            return f
    return None


RDAP_PATHS = {"arin": "arin", "ripe": "ripe", "apnic": "apnic",
              "lacnic": "lacnic", "afrinic": "afrinic"}


def live_mode(rec, rdap, whois):
    """Live only where the replay server serves this very file for the
    query (several corpus files answer the same address)."""
    f = rec["file"]
    q = rec.get("query", "")
    if not q or q.isalpha() or "nir_raw" in f or "entity" in f:
        return "skip"
    group = os.path.basename(rec["_dir"])
    if "whois_raw" in f or f.endswith(".txt"):
        if served(WHOIS_MAP, q) != group + "/" + f:
            return "skip"
        rdap = "*=http://127.0.0.1:9/"  # RDAP fails: the whois path runs
    elif not any(served(RDAP_MAP, "/%s/ip/%s" % (p, q)) == group + "/" + f
                 for p in RDAP_PATHS):
        return "skip"
    args = ["--no-dns", "--no-cache", "--rdap-servers", rdap,
            "--whois-servers", "*=" + whois, "--lookup-timeout", "3000", q]
    return compare("live", rec, *run(args))


RDAP_MAP = load_map("rdap.map")
WHOIS_MAP = load_map("whois.map")


def main():
    live = "SQ_TEST_RDAP_URL" in os.environ and "SQ_TEST_WHOIS" in os.environ
    rdap, whois = live_args() if live else (None, None)
    fails, n_resp, n_live = [], 0, 0
    for rec in labels():
        if not rec.get("file"):
            continue
        r = response_mode(rec)
        n_resp += 1
        if r:
            fails.append(r)
        if live:
            r = live_mode(rec, rdap, whois)
            if r == "skip":
                continue
            n_live += 1
            if r:
                fails.append(r)
    for f in fails:
        print("FAIL " + f)
    print("whois_labels: %d response + %d live cases, %d failed"
          % (n_resp, n_live, len(fails)))
    sys.exit(1 if fails else 0)


main()
