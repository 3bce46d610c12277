#!/usr/bin/python3
"""f2b_expand.py - print a filter's expanded regexes as fail2ban's own
FilterReader builds them, in f2b_driver -x format, to compare squeaky's
loader with fail2ban's.  Usage: f2b_expand.py CONFDIR SPEC"""
import sys

from fail2ban.client.filterreader import FilterReader
from fail2ban.helpers import extractOptions


def main():
    confdir, spec = sys.argv[1], sys.argv[2]
    name, opts = extractOptions(spec)
    r = FilterReader(name, "j", opts, share_config={}, basedir=confdir)
    if not r.read():
        print("cannot read", file=sys.stderr)
        return 2
    r.getOptions({})
    c = r.getCombined()
    if c.get("prefregex"):
        print("prefregex: %s" % c["prefregex"])
    for key in ("failregex", "ignoreregex"):
        n = 0
        for rx in (c.get(key) or "").split("\n"):
            if rx:
                print("%s %d: %s" % (key, n, rx))
                n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
