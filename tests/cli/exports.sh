#!/bin/sh
# exports.sh: libsqueaky.so must export only sq_* symbols.
set -eu
: "${LIBSQUEAKY:?}"
bad=$(nm -D --defined-only "$LIBSQUEAKY" | awk '{print $3}' |
      grep -vE '^(sq_|_init$|_fini$|_edata$|_end$|__bss_start$)' || true)
if [ -n "$bad" ]; then
    echo "exports: non-sq_ symbols exported:" >&2
    echo "$bad" >&2
    exit 1
fi
n=$(nm -D --defined-only "$LIBSQUEAKY" | grep -c ' T sq_')
[ "$n" -ge 40 ] || { echo "exports: only $n sq_ functions exported" >&2; exit 1; }
echo "exports: $n sq_ functions, nothing else"
