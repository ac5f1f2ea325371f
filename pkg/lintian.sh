#!/bin/sh
# lintian on the .changes and the .deb that `make package` left in DIR:
# fails on any error or warning (overrides, each with its reason, are in
# debian/libpam-cgherd.lintian-overrides), then shows what --pedantic -I adds
# (info and pedantic tags; failing on errors and warnings only).
#   pkg/lintian.sh DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
v=$(dpkg-parsechangelog -l "$(dirname "$0")/../debian/changelog" -S Version)
base=$1/libpam-cgherd_${v}_$(dpkg --print-architecture)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run() {
	echo "lintian $*"
	rc=0
	lintian --fail-on error,warning "$@" >"$out" 2>&1 || rc=$?
	grep -v '^running with root privileges' "$out" || true
	[ "$rc" = 0 ] || { echo "$0: lintian $*: exit $rc" >&2; exit 1; }
}
for f in "$base.changes" "$base.deb"; do
	[ -e "$f" ] || { echo "$0: no $f (make package)" >&2; exit 1; }
	run "$f"
done
run --pedantic -I "$base.changes"
