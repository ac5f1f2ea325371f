#!/bin/bash
# The systemd-host suite: build the image, boot Debian's kernel on it under
# QEMU (TCG) with the host's initrd (virtio and ext4 as modules), collect the
# verdicts from the console.  Last line: "FLAVOUR: N passed, N failed".
#   BUILD=build tests/vm-systemd/run.sh [stable|backports|package]
# stable: Debian 12's systemd 252; backports: systemd 254 from bookworm-backports;
# package: Debian 12 with the package libpam-cgherd installed, enabled, upgraded
# and purged (the .deb of `make package` in $BUILD/pkg, and a rebuild of it as
# the next version, made here).
# On a systemd at or above the module's CGH_SYSTEMD_OOM_POLICY_VERSION (253),
# where the module relies on the OOMPolicy=kill drop-in, the suite adds the
# scenarios without the drop-in.
# VM_SYSTEMD_SCENARIOS="login nodropin_deny": only those (the suite's names).
# VM_SYSTEMD_APPEND: more words for the kernel command line (the bench
# scenario's sizes, bench/systemd.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-build}
flavour=${1:-stable}
case $flavour in	# new: whether the flavour's systemd is 253 or later
stable)
	dir=$build/vm-systemd name=systemd new=0 ;;
backports)
	dir=$build/vm-systemd-backports name=systemd-backports new=1 ;;
package)	# apt and maintainer scripts under TCG: more time
	dir=$build/vm-systemd-package name=systemd-package new=0 timeout=900 ;;
*)
	echo "usage: $0 [stable|backports|package]" >&2
	exit 2 ;;
esac
oom_policy=$(sed -n 's/^#define CGH_SYSTEMD_OOM_POLICY_VERSION \([0-9]*\).*/\1/p' "$here/../../include/systemd/cgh_systemd.h")
[ -n "$oom_policy" ] || { echo "run.sh: no CGH_SYSTEMD_OOM_POLICY_VERSION in include/systemd/cgh_systemd.h" >&2; exit 1; }
only=${VM_SYSTEMD_SCENARIOS:-}
mkdir -p "$dir"
t0=$(date +%s)
debs=()
if [ "$flavour" = package ]; then
	# the package of `make package`, and the same source rebuilt as the next
	# Debian version (a changelog entry in the copy only): the upgrade
	arch=$(dpkg --print-architecture)
	v1=$(dpkg-parsechangelog -l "$here/../../debian/changelog" -S Version)
	v2=$v1+upgradetest
	deb1=$build/pkg/libpam-cgherd_${v1}_$arch.deb deb2=$dir/upgrade/libpam-cgherd_${v2}_$arch.deb
	[ -e "$deb1" ] || { echo "run.sh: no $deb1 (make package)" >&2; exit 1; }
	if [ ! "$deb2" -nt "$deb1" ]; then
		DEB_BUILD_OPTIONS=nocheck "$here/../../pkg/build-deb.sh" "$dir/upgrade" "$v2" >/dev/null
	fi
	debs=("$deb1" "$deb2")
fi
"$here/mkimage.sh" "$build" "$dir/disk.img" "$flavour" "${debs[@]}"
t1=$(date +%s)

kernel=${KERNEL:-$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)}
initrd=${INITRD:-/boot/initrd.img-${kernel#/boot/vmlinuz-}}
log=$dir/console.txt
timeout -k 5 "${VM_TIMEOUT:-${timeout:-600}}" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -drive "file=$dir/disk.img,format=raw,if=virtio" \
	-append "console=ttyS0 root=/dev/vda rw quiet loglevel=1 panic=-1 systemd.show_status=0 cgh.oom_policy=$oom_policy cgh.flavour=$flavour${only:+ cgh.scenarios=${only// /,}}${VM_SYSTEMD_APPEND:+ $VM_SYSTEMD_APPEND}" \
	</dev/null >"$log" 2>&1 || echo "run.sh: qemu exited $? (timeout or crash)" >&2
tr -d '\r' <"$log" | sed -n 's/.*@@CGH //p' >"$dir/results"
v=$(sed -n 's/^SYSTEMD //p' "$dir/results")
echo "vm-systemd ($flavour, systemd ${v:-?}): image $((t1 - t0))s, $(sed -n 's/^BOOTED //p' "$dir/results")s to the suite, $(($(date +%s) - t1))s in the VM; console in $log" >&2
passed=0 failed=0
if [[ $v =~ ^[0-9]+$ ]] && [ $((v >= 253)) = "$new" ]; then
	echo "PASS $name-version $v"
	passed=$((passed + 1))
else
	echo "FAIL $name-version: the VM reports systemd '${v:-nothing}', not what flavour $flavour installs"
	failed=$((failed + 1))
fi
expected="login status hog watch notice penalty logout refuse doctor"
[[ ! $v =~ ^[0-9]+$ ]] || [ "$v" -lt "$oom_policy" ] || expected="$expected nodropin_deny nodropin_allow"
[ "$flavour" != package ] || expected="pkg_install pkg_login pkg_upgrade pkg_purge"
for s in ${only:-$expected}; do
	if grep -q "^PASS $s " "$dir/results"; then
		echo "PASS $name-$s $(grep "^PASS $s " "$dir/results" | cut -d' ' -f3)s"
		passed=$((passed + 1))
	else
		echo "FAIL $name-$s: $(grep "^FAIL $s: " "$dir/results" | cut -d' ' -f3- || true)$(grep -q "^BEGIN $s" "$dir/results" || echo 'never ran')"
		failed=$((failed + 1))
	fi
done
echo "$flavour: $passed passed, $failed failed"
[ "$failed" = 0 ]
