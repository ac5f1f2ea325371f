#!/bin/bash
# Build rpm/pam_cgherd.spec with rpmbuild -bb into DIR (its _topdir), from a
# tarball of the tree made by `git archive` (committed files, with the
# uncommitted changes to tracked files: `git stash create`).
#   pkg/build-rpm.sh [--check] DIR
# On Debian, rpmbuild runs with --nodeps: the spec's BuildRequires
# (pam-devel, libconfig-devel, systemd-devel) are RPM names that no RPM
# database here provides; the build uses Debian's headers and libraries
# instead.  The result shows that the spec builds and installs the files it
# lists; it is not an RPM for RHEL (built against Debian 12's glibc).
# --check: also check the rpm's file list, its config file and its version.
set -euo pipefail
check=no
[ "${1:-}" != --check ] || { check=yes; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--check] DIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
# Nothing of the caller's make reaches the package's own: MAKEFLAGS carries
# its command-line variables, and a BUILD in the environment (vm-systemd.mk
# gives run.sh one) would point the package build's `make clean` at the
# caller's build directory.
unset MAKEFLAGS MFLAGS MAKELEVEL BUILD PREFIX DESTDIR SBINDIR MANDIR SYSCONFDIR PAMDIR UNITDIR \
	SYSTEMDUNITDIR INITDIR PAMCONFDIR DOCDIR WITH_SYSTEMD CFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS
mkdir -p "$1"
dir=$(cd "$1" && pwd)
spec=$top/rpm/pam_cgherd.spec
version=$(sed -n 's/^Version: *//p' "$spec")
upstream=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
[ "$version" = "$upstream" ] || { echo "$0: $spec says $version, the Makefile's VERSION is $upstream" >&2; exit 1; }

rm -rf "$dir"/{BUILD,BUILDROOT,RPMS,SOURCES,SRPMS}
mkdir -p "$dir/SOURCES"
tree=$(git -C "$top" stash create 2>/dev/null || true)
git -C "$top" archive --format=tar.gz --prefix="pam_cgherd-$version/" -o "$dir/SOURCES/pam_cgherd-$version.tar.gz" "${tree:-HEAD}"
rpmbuild --define "_topdir $dir" --nodeps -bb "$spec" >"$dir/rpmbuild.log" 2>&1 ||
	{ tail -n 30 "$dir/rpmbuild.log" >&2; echo "$0: rpmbuild failed, see $dir/rpmbuild.log" >&2; exit 1; }
rpms=("$dir"/RPMS/*/pam_cgherd-"$version"-*.rpm)
rpm=${rpms[0]}
echo "$rpm"
[ "$check" = yes ] || exit 0

failed=0
list=$(rpm -qlp "$rpm" 2>/dev/null)
libdir=$(rpm --eval '%{_libdir}')
for f in "$libdir/security/pam_cgherd.so" /usr/sbin/cgherd /etc/security/cgherd.conf \
	/usr/lib/systemd/system/cgherd-watch.service /usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf \
	/usr/share/man/man5/cgherd.conf.5 /usr/share/man/man8/cgherd.8 /usr/share/man/man8/pam_cgherd.8; do
	# man pages: compressed by RHEL's brp-compress, not by Debian's rpm
	grep -Eqx "$f(\.gz)?" <<<"$list" || { echo "FAIL rpm: $f not in $rpm"; failed=1; }
done
for f in /usr/share/pam-configs/cgherd /etc/init.d/cgherd-watch; do
	! grep -qx "$f" <<<"$list" || { echo "FAIL rpm: $f in $rpm"; failed=1; }
done
[ "$(rpm -qcp "$rpm" 2>/dev/null)" = /etc/security/cgherd.conf ] || { echo "FAIL rpm: config files: $(rpm -qcp "$rpm" | tr '\n' ' ')"; failed=1; }
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" 2>/dev/null | grep -qx 'cn /etc/security/cgherd.conf' ||
	{ echo "FAIL rpm: cgherd.conf is not %config(noreplace)"; failed=1; }
[ "$failed" = 0 ] && echo "PASS rpm: $(wc -l <<<"$list") files, module in $libdir/security, cgherd.conf %config(noreplace)"
[ "$failed" = 0 ]
