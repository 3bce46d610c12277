#!/bin/sh
# check-banned.sh: fail when a banned C function is called anywhere in
# src/, include/, tests/, fuzz/ or bench/ (see docs/ARCHITECTURE.md).
# Banned: strcpy strcat sprintf vsprintf strtok atoi gets, and sscanf
# (untrusted text must go through the project's bounded parsers).
set -eu
cd "$(dirname "$0")/.."
pattern='(^|[^_[:alnum:]])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|gets|sscanf)[[:space:]]*\('
hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' \
       src include tests fuzz bench 2>/dev/null |
       grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//|/\*)' || true)
if [ -n "$hits" ]; then
    echo "banned functions used:" >&2
    echo "$hits" >&2
    exit 1
fi
echo "check-banned: clean"
