#!/bin/bash
# The soak of pam_cgherd on a real kernel (QEMU, the tests/vm image and harness):
#   tests/soak/run.sh        (what `make soak` and `make check-soak` run)
# Boots the test VM once with tests/soak/guest.sh as its only scenario and prints
# the figures and checks it reports (tests/soak/analyze.awk); exits 0 only if every
# check passed.  Environment: BUILD (build), SOAK_SECONDS (600), SOAK_LOGINS (2000),
# SOAK_PAR (16), plus boot.sh's KERNEL, VM_MEM (1024), VM_SMP (2), VM_VERBOSE, VM_STALL.
# Output: $BUILD/soak/results.txt (a host line, every figure and check),
# analysis.in (what they were made from), console.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
out=$build/soak
mkdir -p "$out"
secs=${SOAK_SECONDS:-600}
for f in "$build/pam_cgherd.so" "$build/cgherd" "$build/vm/hog"; do
	[ -e "$f" ] || { echo "soak: $f missing (run make soak)" >&2; exit 1; }
done
cat >"$out/params" <<P
SOAK_SECONDS=$secs
SOAK_LOGINS=${SOAK_LOGINS:-2000}
SOAK_PAR=${SOAK_PAR:-16}
P

SOAK_SRC=$here SOAK_PARAMS=$out/params VM_EXTRA_HOOK=$here/hook.sh \
	"$top/tests/vm/mkinitramfs.sh" "$build/pam_cgherd.so" "$build/vm/hog" "$out/initramfs.cpio.gz"

# SOAK_SECONDS of logins, then the side loops' and the last logins' end (slow on a
# busy host: a login may take minutes) and the checks
per=$((secs + 720))
log=$out/console.log
t0=$(date +%s)
load=$(cut -d' ' -f1-3 /proc/loadavg)
boot() { "$top/tests/vm/boot.sh" "$out/initramfs.cpio.gz" "$log" "$((per + 300))" cgh.run=soak "cgh.timeout=$per"; }
rc=0
boot || rc=$?
# a guest whose kernel the emulator left stuck (soft lockups on every vCPU from the
# setup on, no verdict: seen once in a fresh-clone CI; boot.sh kills it once its
# heartbeat stops, status 75) is booted again, once; the first console is kept as
# console.stuck.log
if [ "$rc" != 0 ] && ! grep -q '@@CGH \(PASS\|FAIL\) soak' "$log" &&
	{ [ "$rc" = 75 ] || grep -q 'soft lockup' "$log"; }; then
	echo "soak: the guest's kernel was stuck (no heartbeat or a soft lockup, no verdict): booting it again" >&2
	mv "$log" "$out/console.stuck.log"
	rc=0
	boot || rc=$?
fi
t1=$(date +%s)
tr -d '\r' <"$log" >"$out/console.txt"
{
	echo "@@SOAK HOST date=$(date -u -d @"$t0" +%Y-%m-%dT%H:%MZ) wall_s=$((t1 - t0)) nproc=$(nproc)" \
		"cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\"" \
		"kernel=$(basename "${KERNEL:-$(ls -1 /boot/vmlinuz-* | sort -V | tail -n 1)}")" \
		"accel=${VM_ACCEL:-tcg} mem=${VM_MEM:-1024} smp=${VM_SMP:-2} loadavg_before=\"$load\"" \
		"loadavg_after=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
		"tree=$(git -C "$top" describe --always --dirty 2>/dev/null)"
	grep '^@@SOAK ' "$out/console.txt" | grep -v '^@@SOAK RAW ' || true
} >"$out/results.txt"
# what the guest's verdict was made from: awk -v secs=.. -v n=.. -v par=.. \
#   -f tests/soak/analyze.awk build/soak/analysis.in   gives it again
sed -n 's/^@@SOAK RAW //p' "$out/console.txt" >"$out/analysis.in"
sed -n 's/^@@SOAK //p' "$out/results.txt"
result=$(grep -o '@@CGH \(PASS\|FAIL\) soak.*' "$out/console.txt" | tail -n 1 || true)
echo "${result#@@CGH }"
nfail=$(grep -c '^@@SOAK CHECK FAIL' "$out/results.txt" || true)
npass=$(grep -c '^@@SOAK CHECK PASS' "$out/results.txt" || true)
# the failed checks once more, last, where a CI log's tail shows them
grep '^@@SOAK \(CHECK FAIL\|LEFT\) ' "$out/results.txt" | sed 's/^@@SOAK //' >&2 || true
echo "soak: $npass checks passed, $nfail failed (VM exit status $rc, $((t1 - t0)) s); console in $out/console.txt" >&2
case $result in "@@CGH PASS soak "*) ;; *) exit 1 ;; esac
[ "$nfail" = 0 ] && [ "$npass" -gt 0 ]
