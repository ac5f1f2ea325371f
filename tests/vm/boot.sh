#!/bin/bash
# Boot the test VM once and capture its serial console.
#
#   tests/vm/boot.sh INITRD LOG TIMEOUT_SECONDS KERNEL_ARGS...
#
# QEMU runs under `timeout`, and is killed if this script is interrupted, so nothing
# is left running.  With VM_VERBOSE=1 the console is copied to stderr as it comes,
# else only the harness's progress lines (@@CGH ...).
# Environment: KERNEL (default: newest /boot/vmlinuz-*), VM_MEM (MB, 1024), VM_SMP (2),
# QEMU (qemu-system-x86_64), VM_ACCEL (tcg).
set -eu

[ $# -ge 3 ] || { echo "usage: $0 INITRD LOG TIMEOUT KERNEL_ARGS..." >&2; exit 2; }
initrd=$1 log=$2 limit=$3
shift 3

kernel=${KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "boot.sh: no readable kernel (set KERNEL=)" >&2; exit 1; }
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || { echo "boot.sh: $qemu not found" >&2; exit 1; }

: >"$log"
timeout -k 5 "$limit" "$qemu" -accel "${VM_ACCEL:-tcg}" -cpu max -m "${VM_MEM:-1024}" \
	-smp "${VM_SMP:-2}" -nographic -no-reboot -nodefaults -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=1 panic=-1 cgroup_no_v1=all $*" \
	</dev/null >"$log" 2>&1 &
qpid=$!
tpid=
cleanup() {
	kill "$qpid" 2>/dev/null || true
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${VM_VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$log" | tr -d '\r' >&2 &
else
	tail -n +1 -f --pid="$qpid" "$log" | tr -d '\r' | grep --line-buffered -o '@@CGH \(BOOTED\|BEGIN\|PASS\|FAIL\|DONE\).*' \
		| sed -u 's/^@@CGH /vm: /' >&2 &
fi
tpid=$!
rc=0
wait "$qpid" || rc=$?
wait "$tpid" 2>/dev/null || true
tpid=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "boot.sh: VM killed after ${limit}s" >&2
fi
exit "$rc"
