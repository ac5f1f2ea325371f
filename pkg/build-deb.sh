#!/bin/bash
# Build the Debian package libpam-cgherd from a copy of the source tree, so
# that dpkg-buildpackage writes its output (which goes to the parent of the
# tree it builds) into OUT_DIR and nothing into the checkout.
#
#   pkg/build-deb.sh OUT_DIR [VERSION]
#
# Leaves OUT_DIR/libpam-cgherd_*.deb, .changes and .buildinfo (and the copy
# it built, OUT_DIR/libpam-cgherd-VERSION/).  VERSION: a newer Debian version
# of the same upstream release, given a changelog entry of its own in the
# copy only (the upgrade test in tests/vm-systemd builds one).
# The copy holds the files git knows of (tracked or not ignored), so local
# edits are packaged and build output is not.
set -euo pipefail
{ [ $# -ge 1 ] && [ $# -le 2 ]; } || { echo "usage: $0 OUT_DIR [VERSION]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
# Nothing of the caller's make reaches the package's own: MAKEFLAGS carries
# its command-line variables, and a BUILD in the environment (vm-systemd.mk
# gives run.sh one) would point the package build's `make clean` at the
# caller's build directory.
unset MAKEFLAGS MFLAGS MAKELEVEL BUILD PREFIX DESTDIR SBINDIR MANDIR SYSCONFDIR PAMDIR UNITDIR \
	SYSTEMDUNITDIR INITDIR PAMCONFDIR DOCDIR WITH_SYSTEMD CFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS
mkdir -p "$1"
out=$(cd "$1" && pwd)
version=${2:-}

cd "$top"
changelog_version=$(dpkg-parsechangelog -S Version)
upstream=$(sed -n 's/^VERSION *:= *//p' Makefile)
[ "${changelog_version%-*}" = "$upstream" ] ||
	{ echo "$0: debian/changelog says $changelog_version, the Makefile's VERSION is $upstream" >&2; exit 1; }

src=$out/libpam-cgherd-${version:-$changelog_version}
rm -rf "$src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src" 2>/dev/null ||
		{ git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ ! -e "$f" ] || cp --parents -t "$src" "$f"; done; }
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

if [ -n "$version" ]; then
	maint=$(cd "$src" && dpkg-parsechangelog -S Maintainer)
	{
		printf 'libpam-cgherd (%s) bookworm; urgency=medium\n\n' "$version"
		printf '  * Rebuild of %s as %s.\n\n' "$changelog_version" "$version"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi

v=$(cd "$src" && dpkg-parsechangelog -S Version)
rm -f "$out"/libpam-cgherd_"$v"_* "$out"/libpam-cgherd-dbgsym_"$v"_*
cd "$src"
dpkg-buildpackage -us -uc -b >"$out/build-$v.log" 2>&1 ||
	{ tail -n 30 "$out/build-$v.log" >&2; echo "$0: dpkg-buildpackage failed, see $out/build-$v.log" >&2; exit 1; }
ls "$out"/libpam-cgherd_"$v"_*.deb "$out"/libpam-cgherd_"$v"_*.changes
