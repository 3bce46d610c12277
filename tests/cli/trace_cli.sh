#!/bin/sh
# trace_cli.sh: the `squeaky` program end to end - help, exit codes,
# JSON shape, mbox labels, config errors, flags, bad input, limits.
set -u
: "${SQUEAKY:?}" "${SRCDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sqcli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_CONFIG_HOME="$T/xdg" HOME="$T/home"
fails=0
ex="$SRCDIR/examples"

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect_rc CODE NAME CMD...: run CMD, stdout to $T/out, stderr to $T/err
expect_rc() {
    want=$1 name=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$name: exit $got, want $want: $(head -c 300 "$T/err")"
}
json_ok() { # every stdout line parses as JSON
    python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$T/out" || fail "$1: invalid JSON"
}

expect_rc 0 "--version" "$SQUEAKY" --version
grep -q '^squeaky [0-9]' "$T/out" || fail "--version output"
expect_rc 0 "--help" "$SQUEAKY" --help
for c in trace config "trust learn"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$c --help" "$SQUEAKY" $c --help
    grep -q usage "$T/out" || fail "$c --help prints usage"
done
expect_rc 2 "no command" "$SQUEAKY"
expect_rc 2 "unknown command" "$SQUEAKY" frobnicate
expect_rc 2 "unknown option" "$SQUEAKY" trace --frob "$ex/spam-001.eml"
grep -q 'unknown option --frob' "$T/err" || fail "unknown option message"

# one message, JSON shape
expect_rc 0 "trace json" "$SQUEAKY" trace --json "$ex/spam-002.eml"
json_ok "trace json"
python3 - "$T/out" <<'PY' || fail "trace json fields"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["source"].endswith("spam-002.eml#1"), o["source"]  # starts with a From_ line: an mbox of one
assert o["origin"]["ip"] and o["origin"]["confidence"] in ("high", "medium", "low")
assert isinstance(o["origin"]["hop"], int) and o["origin"]["hop"] >= 1
r = o["relays"][0]
for k in ("ip","rdns","helo","by","ident","envfrom","id","auth","msa",
          "trusted","internal","time","notes"):
    assert k in r, k
assert isinstance(o["warnings"], list)
PY

# trust config from a file and from flags gives the corpus' expected origin
expect_rc 0 "config file" "$SQUEAKY" trace --json --config "$ex/dnsbl.config" "$ex/spam-dnsbl.eml"
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); assert o["origin"]["ip"]=="212.17.35.14", o["origin"]' "$T/out" || fail "dnsbl origin with config"
expect_rc 0 "flag" "$SQUEAKY" trace --json --trusted-networks "10.,150.51.53.1" "$ex/spam-dnsbl.eml"
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); assert o["origin"]["ip"]=="212.17.35.14", o["origin"]' "$T/out" || fail "dnsbl origin with flag"

# mbox: one line per message, labels path#N
expect_rc 0 "mbox" "$SQUEAKY" trace --json "$ex/spam.mbox"
json_ok "mbox"
[ "$(wc -l <"$T/out")" -eq 8 ] || fail "mbox: want 8 lines, got $(wc -l <"$T/out")"
grep -q 'spam.mbox#8"' "$T/out" || fail "mbox label #8"
# a Maildir (cur/ and new/, tmp/ ignored) and a directory of messages
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp" "$T/dir"
cp "$ex/spam-001.eml" "$T/md/cur/1:2,S"
cp "$ex/spam-002.eml" "$T/md/new/2"
cp "$ex/spam-dnsbl.eml" "$T/md/tmp/3"
expect_rc 0 "maildir" "$SQUEAKY" trace --json "$T/md"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "maildir: want 2 messages, got $(wc -l <"$T/out")"
grep -q '/md/new/2' "$T/out" || fail "maildir: label names the file"
cp "$ex/spam-001.eml" "$ex/nice-001.eml" "$T/dir/"
expect_rc 0 "directory" "$SQUEAKY" trace --json --jobs 2 "$T/dir"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "directory: want 2 messages"

# --jobs: the same bytes in the same order whatever the thread count
"$SQUEAKY" trace --json --jobs 1 "$ex/spam.mbox" "$ex/spam.mbox" >"$T/j1" 2>/dev/null
"$SQUEAKY" trace --json --jobs 3 "$ex/spam.mbox" "$ex/spam.mbox" >"$T/j3" 2>/dev/null
cmp -s "$T/j1" "$T/j3" || fail "--jobs 3 output differs from --jobs 1"
expect_rc 2 "bad --jobs" "$SQUEAKY" trace --jobs 0 "$ex/spam.mbox"
# stdin
expect_rc 0 "stdin" sh -c "\"$SQUEAKY\" trace --json - < \"$ex/spam-001.eml\""
grep -q '"source":"-"' "$T/out" || fail "stdin source label"

# attacker-controlled text never reaches the terminal raw
printf 'Received: from evil\033[2J (x [11.2.3.4]) by mx.example.net with SMTP; 1 Jan 2020 00:00:00 +0000\n\nbody\n' >"$T/esc.eml"
expect_rc 0 "escape" "$SQUEAKY" trace "$T/esc.eml"
if grep -q "$(printf '\033')" "$T/out"; then fail "ESC byte printed raw"; fi
grep -q 'evil\\x1b' "$T/out" || fail "ESC shown as \\x1b: $(cat "$T/out")"
expect_rc 0 "escape json" "$SQUEAKY" trace --json "$T/esc.eml"
json_ok "escape json"

# no external origin: exit 1
printf 'Received: from a (localhost [127.0.0.1]) by b with SMTP; 1 Jan 2020 00:00:00 +0000\nSubject: x\n\nbody\n' >"$T/local.eml"
expect_rc 1 "no origin" "$SQUEAKY" trace --json "$T/local.eml"
grep -q '"origin":null' "$T/out" || fail "no origin gives null"

# bad input: exit 2 with a one-line message
expect_rc 2 "missing file" "$SQUEAKY" trace "$T/nope.eml"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "missing file: one-line error"
: >"$T/empty.eml"
expect_rc 2 "empty file" "$SQUEAKY" trace "$T/empty.eml"
head -c 4096 /dev/urandom >"$T/binary.bin"
printf '\211PNG\r\n\032\n' | cat - "$T/binary.bin" >"$T/binary.png"
expect_rc 2 "binary file" "$SQUEAKY" trace --json "$T/binary.png"
json_ok "binary file json"

# config errors: file:line: message, all reported, exit 2
printf 'trusted_networks = 10.\nbogus_key = 1\nmax_headers = 5\n' >"$T/bad.config"
expect_rc 2 "bad config" "$SQUEAKY" trace --config "$T/bad.config" "$ex/spam-001.eml"
grep -q "bad.config:2:" "$T/err" || fail "bad config: line 2 reported"
grep -q "bad.config:3:" "$T/err" || fail "bad config: line 3 reported"
expect_rc 2 "bad netset flag" "$SQUEAKY" trace --trusted-networks "1.2.3.4/99" "$ex/spam-001.eml"

# limits: 100,000 Received headers and a 100 MB header line stay bounded
python3 - "$T/many.eml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("Received: from h%d (h%d [11.0.%d.%d]) by mx.example.net with SMTP id %d; 1 Jan 2020 00:00:00 +0000\n" % (i, i, i // 250 % 250, i % 250 + 1, i))
    f.write("Subject: many\n\nbody\n")
PY
expect_rc 0 "100k Received" "$SQUEAKY" trace --json "$T/many.eml"
grep -q 'max_received' "$T/out" || fail "100k Received: limit warning in JSON"
{ printf 'Subject: '; head -c 100000000 /dev/zero | tr '\0' a; printf '\n\nbody\n'; } >"$T/longline.eml"
"$SQUEAKY" trace --json "$T/longline.eml" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -le 2 ] || fail "100 MB line: exit $rc"

# squeaky config shows keys and validates the file
expect_rc 0 "config" "$SQUEAKY" config --json
json_ok "config json"
grep -q '"trusted_networks"' "$T/out" || fail "config lists keys"

# trust learn: nothing common in unrelated spam -> exit 1, no config
expect_rc 1 "trust learn unrelated" "$SQUEAKY" trust learn --quiet "$ex/spam.mbox"
[ ! -f "$XDG_CONFIG_HOME/squeaky/config" ] || fail "trust learn wrote a config from nothing"
# a mailbox received through one site's chain: learn it, write it, use it
python3 - "$T/site.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(6):
        f.write("From x@example.com Mon Jan  6 10:00:00 2020\n")
        f.write("Received: from mx1.example.org (mx1.example.org [203.0.113.10]) by imap.example.org (Postfix) with ESMTP id A%d; Mon, 6 Jan 2020 10:00:0%d +0000\n" % (i, i))
        f.write("Received: from s%d.example.com (s%d.example.com [11.1.%d.1]) by mx1.example.org (Postfix) with ESMTP id B%d; Mon, 6 Jan 2020 10:00:0%d +0000\n" % (i, i, i, i, i))
        f.write("From: a@example.com\nSubject: m%d\n\nbody\n\n" % i)
PY
expect_rc 0 "trust learn" "$SQUEAKY" trust learn "$T/site.mbox"
cfg="$XDG_CONFIG_HOME/squeaky/config"
[ -f "$cfg" ] || fail "trust learn wrote no config"
grep -q '^trusted_by_hosts = .*mx1.example.org' "$cfg" || fail "learned hosts: $(cat "$cfg")"
expect_rc 0 "config after learn" "$SQUEAKY" config
expect_rc 0 "trace after learn" "$SQUEAKY" trace --json "$T/site.mbox"
python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    o = json.loads(l)
    assert o["origin"]["ip"] == "11.1.%d.1" % i, o["origin"]
    assert o["origin"]["confidence"] == "high", o["origin"]' "$T/out" || fail "origin after learn"

# a directory holding only directories: an error, not silence
mkdir -p "$T/dirs/sub" && cp "$SRCDIR/examples/spam-dnsbl.eml" "$T/dirs/sub/"
for j in 1 2; do
    expect_rc 2 "directory of directories (--jobs $j)" "$SQUEAKY" trace --jobs "$j" "$T/dirs"
    grep -q 'no messages' "$T/err" || fail "directory of directories: $(cat "$T/err")"
done

[ "$fails" -eq 0 ] || { echo "trace_cli: $fails failures" >&2; exit 1; }
echo "trace_cli: all checks passed"
