#!/bin/bash
# The systemd-host suite: build the image, boot Debian's kernel on it under
# QEMU (TCG) with the host's initrd (virtio and ext4 as modules), collect the
# verdicts from the console.  Last line: "N passed, N failed".
#   BUILD=build tests/vm-systemd/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-build}
dir=$build/vm-systemd
mkdir -p "$dir"
"$here/mkimage.sh" "$build" "$dir/disk.img"

kernel=${KERNEL:-$(ls -1 /boot/vmlinuz-* | sort -V | tail -n 1)}
initrd=${INITRD:-/boot/initrd.img-${kernel#/boot/vmlinuz-}}
log=$dir/console.txt
expected="login status hog watch logout refuse"
t0=$(date +%s)
timeout -k 5 "${VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -drive "file=$dir/disk.img,format=raw,if=virtio" \
	-append "console=ttyS0 root=/dev/vda rw quiet loglevel=1 panic=-1 systemd.show_status=0" \
	</dev/null >"$log" 2>&1 || echo "run.sh: qemu exited $? (timeout or crash)" >&2
tr -d '\r' <"$log" | sed -n 's/.*@@CGH //p' >"$dir/results"
echo "vm-systemd: $(sed -n 's/^BOOTED //p' "$dir/results")s to the suite, $(( $(date +%s) - t0 ))s in all; console in $log" >&2
passed=0 failed=0
for s in $expected; do
	if grep -q "^PASS $s " "$dir/results"; then
		echo "PASS systemd-$s"
		passed=$((passed + 1))
	else
		echo "FAIL systemd-$s: $(grep "^FAIL $s: " "$dir/results" | cut -d' ' -f3- || true)$(grep -q "^BEGIN $s" "$dir/results" || echo 'never ran')"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
