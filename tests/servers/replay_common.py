"""replay_common.py - what rdap_replay.py and whois_replay.py share.

Test fixture only (python3 standard library), never part of libsqueaky.

Map files: one rule a line, "REGEX  FILE": FILE is the last
whitespace-separated word, the regex everything before it (so a whois
query regex may hold spaces).  Blank lines and lines starting with '#'
are skipped.  A JSON map ({"regex": "file", ...} or [["regex", "file"],
...]) is accepted too.  Rules are tried in order; the first whose regex
matches the whole request (re.fullmatch) wins.  FILE is relative to
--root (default: the map file's directory).
"""

import json
import os
import re
import sys
import threading
import time


def load_map(path, root):
    """[(compiled regex, absolute file path)] from a map file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pairs = []
    if text.lstrip().startswith(("{", "[")):
        data = json.loads(text)
        items = data.items() if isinstance(data, dict) else data
        pairs = [(str(k), str(v)) for k, v in items]
    else:
        for lineno, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.rsplit(None, 1)
            if len(parts) != 2:
                sys.exit("%s:%d: want 'REGEX  FILE'" % (path, lineno))
            pairs.append((parts[0].strip(), parts[1]))
    rules = []
    for rx, rel in pairs:
        try:
            rules.append((re.compile(rx), os.path.join(root, rel)))
        except re.error as e:
            sys.exit("%s: bad regex %r: %s" % (path, rx, e))
    return rules


def lookup(rules, key):
    for rx, path in rules:
        if rx.fullmatch(key):
            return path
    return None


class RequestLog:
    """One line per request, flushed at once (tests count queries)."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8") if path else None

    def add(self, line):
        if self.f is None:
            return
        safe = "".join(c if 32 <= ord(c) < 127 else "?" for c in line)
        with self.lock:
            self.f.write(safe + "\n")
            self.f.flush()


def write_port_file(path, port):
    """Write the port atomically: a reader never sees a partial file."""
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def bounded_sleep(seconds, stop=None):
    """Sleep up to seconds in small steps (stop(): give up early)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if stop is not None and stop():
            return
        time.sleep(0.05)


HUGE_BYTES = 1 << 30  # what /huge and "huge" stream: 1 GiB, lazily


def huge_chunks(total=HUGE_BYTES, size=65536):
    """JSON-looking bytes, generated chunk by chunk (never held whole)."""
    head = b'{"objectClassName":"ip network","remarks":[{"description":["'
    yield head
    sent = len(head)
    block = (b"x" * 63 + b" ") * (size // 64)
    while sent < total:
        chunk = block[: min(size, total - sent)]
        yield chunk
        sent += len(chunk)
