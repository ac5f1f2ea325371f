#!/bin/bash
# The build notices its configuration ($(BUILD)/config.mk): a tree built with
# WITH_SYSTEMD=no, then made again with WITH_SYSTEMD=yes and no `make clean`,
# has the systemd backend in the module and in cgherd, and back again; an
# unchanged configuration rebuilds nothing, a changed CFLAGS everything.
# The verdicts are the binaries' strings: the backend's dlsym names
# (sd_bus_open_system) are in a build with it, "built without libsystemd" in
# one without.
#   tests/build/test-config.sh      (needs libsystemd-dev)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
b=$tmp/build
targets=("$b/pam_cgherd.so" "$b/cgherd")
passed=0 failed=0
ok() { echo "PASS build-config: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL build-config: $*"; failed=$((failed + 1)); }
build() { nice make -s --no-print-directory -j2 -C "$top" BUILD="$b" "$@" "${targets[@]}" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; echo "FAIL build-config: make $*"; exit 1; }; }
backend() {	# yes: both binaries have the systemd backend; no: neither
	local f want=$1 with without
	for f in "${targets[@]}"; do
		with=$(strings "$f" | grep -c '^sd_bus_open_system$' || true)
		without=$(strings "$f" | grep -c 'built without libsystemd' || true)
		case $want in
		yes) [ "$with" -ge 1 ] && [ "$without" = 0 ] || return 1 ;;
		no) [ "$with" = 0 ] && [ "$without" -ge 1 ] || return 1 ;;
		esac
	done
}
up_to_date() { make -q --no-print-directory -C "$top" BUILD="$b" "$@" "${targets[@]}" >/dev/null 2>&1; }

build WITH_SYSTEMD=no
if backend no && grep -qx 'WITH_SYSTEMD = no' "$b/config.mk"; then ok "WITH_SYSTEMD=no: no systemd backend"; else bad "WITH_SYSTEMD=no built a systemd backend"; fi
if up_to_date WITH_SYSTEMD=no; then ok "same configuration: up to date"; else bad "make with the same configuration would rebuild"; fi
if up_to_date WITH_SYSTEMD=yes; then bad "WITH_SYSTEMD=yes: make thinks the tree is up to date"; else ok "WITH_SYSTEMD=yes: not up to date"; fi
build WITH_SYSTEMD=yes
if backend yes; then ok "WITH_SYSTEMD=yes without make clean: systemd backend built"; else bad "WITH_SYSTEMD=yes after a build without it: no systemd backend in the module or cgherd"; fi
if up_to_date WITH_SYSTEMD=yes CFLAGS=-O1; then bad "CFLAGS=-O1: make thinks the tree is up to date"; else ok "CFLAGS changed: not up to date"; fi
build WITH_SYSTEMD=no
if backend no; then ok "back to WITH_SYSTEMD=no: backend gone"; else bad "back to WITH_SYSTEMD=no: the systemd backend is still there"; fi
echo "build-config: $passed passed, $failed failed"
[ "$failed" = 0 ]
