#!/bin/sh
# setup-data.sh SQUEAKY: fetch the embedded default prefix data and build
# the offline database, so a fresh machine answers origin AS and AS
# organisation with no network.
#
# The data is the npm package @ip-location-db/asn (asn-ipv4.csv,
# asn-ipv6.csv; CC-BY-4.0, by sapics, from RouteViews, DB-IP and the NRO
# statistics).  It is kept under $XDG_DATA_HOME/squeaky/ip-location-db/
# and imported with `squeaky db import`, which writes
# $XDG_DATA_HOME/squeaky/prefix.db and remembers the files for later
# imports.  npm comes from Debian (package npm) when the machine has none.
#
# Exit: 0 database built; 1 download or build failed (one line says why).
set -eu

squeaky=${1:-build/release/squeaky}
[ -x "$squeaky" ] || { echo "setup-data: $squeaky: not built" >&2; exit 1; }
data=${XDG_DATA_HOME:-$HOME/.local/share}/squeaky
dir=$data/ip-location-db
mkdir -p "$dir"

if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends npm >/dev/null ||
        { echo "setup-data: cannot install npm" >&2; exit 1; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup-data: fetching @ip-location-db/asn with npm" >&2
if ! (cd "$tmp" && npm pack --silent @ip-location-db/asn >pack.log 2>&1); then
    echo "setup-data: npm pack @ip-location-db/asn failed: $(tail -n 1 "$tmp/pack.log")" >&2
    exit 1
fi
tar -xzf "$tmp"/ip-location-db-asn-*.tgz -C "$tmp"
for f in asn-ipv4.csv asn-ipv6.csv DBIP-LICENSE ROUTEVIEWS-LICENSE package.json; do
    [ -f "$tmp/package/$f" ] ||
        { echo "setup-data: the package has no $f" >&2; exit 1; }
    mv "$tmp/package/$f" "$dir/$f"
done
"$squeaky" db import --format ip-location-db \
    "$dir/asn-ipv4.csv" "$dir/asn-ipv6.csv"
"$squeaky" db info >&2
