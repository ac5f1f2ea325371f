#!/bin/bash
# Boot the test VM once and capture its serial console.
#
#   tests/vm/boot.sh INITRD LOG TIMEOUT_SECONDS KERNEL_ARGS...
#
# QEMU runs under `timeout`, and is killed if this script is interrupted, so nothing
# is left running.  With VM_VERBOSE=1 the console is copied to stderr as it comes,
# else only the harness's progress lines (@@CGH ...).
# The guest's /init writes a heartbeat to its second serial port every 10 s
# (LOG.alive here); when none has come for VM_STALL seconds (180; 0: no watch),
# the guest is taken as stuck (seen under TCG: both vCPUs in soft lockups, for
# good), the VM is killed, LOG.stuck says why, and the exit status is 75.
# Environment: KERNEL (default: newest /boot/vmlinuz-*), VM_MEM (MB, 1024), VM_SMP (2),
# QEMU (qemu-system-x86_64), VM_ACCEL (tcg), VM_STALL.
set -eu

[ $# -ge 3 ] || { echo "usage: $0 INITRD LOG TIMEOUT KERNEL_ARGS..." >&2; exit 2; }
initrd=$1 log=$2 limit=$3
shift 3

kernel=${KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || { echo "boot.sh: no readable kernel (set KERNEL=)" >&2; exit 1; }
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || { echo "boot.sh: $qemu not found" >&2; exit 1; }

stall=${VM_STALL:-180}
: >"$log"
: >"$log.alive"
rm -f "$log.stuck"
timeout -k 5 "$limit" "$qemu" -accel "${VM_ACCEL:-tcg}" -cpu max -m "${VM_MEM:-1024}" \
	-smp "${VM_SMP:-2}" -nographic -no-reboot -nodefaults -serial stdio \
	-serial "file:$log.alive" -monitor none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=1 panic=-1 cgroup_no_v1=all $*" \
	</dev/null >"$log" 2>&1 &
qpid=$!
tpid= wpid=
cleanup() {
	kill "$qpid" 2>/dev/null || true
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null || true
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null || true
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

# watch_heartbeat: kills the VM once LOG.alive has not grown for $stall seconds
watch_heartbeat() {
	local size=-1 seen=$SECONDS s
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 5
		s=$(stat -c %s "$log.alive" 2>/dev/null || echo 0)
		if [ "$s" != "$size" ]; then
			size=$s seen=$SECONDS
		elif [ $((SECONDS - seen)) -ge "$stall" ]; then
			echo "no heartbeat from the guest for ${stall}s (at $(date -u +%H:%M:%S) UTC," \
				"${SECONDS}s after the boot): VM killed" >"$log.stuck"
			kill "$qpid" 2>/dev/null	# timeout passes it on to QEMU
			sleep 10
			pkill -KILL -P "$qpid" 2>/dev/null
			return
		fi
	done
}
if [ "$stall" -gt 0 ]; then
	watch_heartbeat </dev/null >/dev/null 2>&1 &
	wpid=$!
fi
rc=0
wait "$qpid" || rc=$?
wait "$tpid" 2>/dev/null || true
tpid=
if [ -n "$wpid" ]; then
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	wpid=
fi
if [ -e "$log.stuck" ]; then
	echo "boot.sh: $(cat "$log.stuck")" >&2
	exit 75
fi
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "boot.sh: VM killed after ${limit}s" >&2
fi
exit "$rc"
