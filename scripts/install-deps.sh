#!/bin/sh
# install-deps.sh: install every Debian package squeaky's build, tests,
# fuzzers and benchmarks need. Idempotent; run as root (or via sudo).
set -eu

PKGS="build-essential cmake ninja-build pkg-config git
clang clang-14 libclang-rt-14-dev clang-format clang-tidy cppcheck
libjansson-dev libcurl4-openssl-dev libsqlite3-dev libc-ares-dev
libidn2-dev libpsl-dev libpq-dev libmaxminddb-dev libgmime-3.0-dev libpcre2-dev zlib1g-dev
libmaxmind-db-writer-perl mmdb-bin
nsd whois sqlite3 postgresql opensmtpd openssl python3-jsonschema python3-yaml fail2ban
spamassassin perl python3"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
