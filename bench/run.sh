#!/bin/bash
# Login-cost benchmark of pam_cgherd on a real kernel (QEMU, tests/vm harness):
#   bench/run.sh            (what `make bench` runs)
# Boots the test VM once with bench/guest.sh as its only scenario, keeps every
# "@@BENCH" line of the console in $BUILD/bench/results.txt and prints a summary
# (bench/summary.sh).  Environment: BUILD (build), N_RUNUSER (40), N_SSH (15),
# N_MICRO (200), N_MICRO_BIG (20), N_MICRO_GAP (30), N_SCALE (15), N_LIVE (200), RULES ("0 100 1000
# 10000"), N_REAP (200), N_BURST ("200,50": sequential,parallel logins), SECTIONS ("all",
# or some of "1 1b 2 3 4 5 5b 6 7", see bench/guest.sh; the experiments "syslog" and "second", and "trace" (N_TRACE opens, 20), which "all" leaves out), N_CLOSE (section 5b: 40), LIMITS5 (section 5: "nocpu cpu"), REAP_MODES
# (section 6: "favordynmods plain"), BENCH_WAIT_IDLE (seconds to wait for other qemu processes to end, 300),
# plus boot.sh's KERNEL, VM_MEM, VM_SMP, VM_VERBOSE.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
out=$build/bench
mkdir -p "$out"

for f in "$build/pam_cgherd.so" "$build/cgherd" "$build/vm/hog" "$out/microbench" "$out/logins" "$out/reaplat"; do
	[ -e "$f" ] || { echo "bench: $f missing (run make bench)" >&2; exit 1; }
done

cat >"$out/params" <<P
N_RUNUSER=${N_RUNUSER:-40}
N_SSH=${N_SSH:-15}
N_MICRO=${N_MICRO:-200}
N_MICRO_BIG=${N_MICRO_BIG:-20}
N_MICRO_GAP=${N_MICRO_GAP:-30}
N_SCALE=${N_SCALE:-15}
N_LIVE=${N_LIVE:-200}
RULES="${RULES:-0 100 1000 10000}"
N_REAP=${N_REAP:-200}
N_CLOSE=${N_CLOSE:-40}
N_BURST=${N_BURST:-200,50}
N_TRACE=${N_TRACE:-20}
SECTIONS="${SECTIONS:-all}"
LIMITS5="${LIMITS5:-nocpu cpu}"
REAP_MODES="${REAP_MODES:-favordynmods plain}"
P

BENCH_BUILD=$out BENCH_SRC=$here VM_EXTRA_HOOK=$here/hook.sh \
	"$top/tests/vm/mkinitramfs.sh" "$build/pam_cgherd.so" "$build/vm/hog" "$out/initramfs.cpio.gz"

# other VMs on this 2-core machine would skew the timings: wait for them
wait=${BENCH_WAIT_IDLE:-300}
# qemu processes other than ours (ours boots $out/initramfs.cpio.gz)
others() {
	local p
	for p in $(pgrep -f 'qemu-system' || true); do
		grep -q "$out/initramfs" "/proc/$p/cmdline" 2>/dev/null || echo "$p"
	done
}
t=0
while [ -n "$(others)" ] && [ "$t" -lt "$wait" ]; do
	[ "$t" = 0 ] && echo "bench: waiting up to ${wait}s for other qemu processes to end" >&2
	sleep 5
	t=$((t + 5))
done
busy_before=$(others | wc -l)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

log=$out/console.log
t0=$(date +%s)
rc=0
"$top/tests/vm/boot.sh" "$out/initramfs.cpio.gz" "$log" "${VM_TIMEOUT:-1800}" \
	cgh.run=bench "cgh.timeout=${VM_SCENARIO_TIMEOUT:-1700}" &
bpid=$!
trap 'kill "$bpid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
# sample every 5 s whether another VM shares the machine with ours
samples=0 busy=0
while kill -0 "$bpid" 2>/dev/null; do
	samples=$((samples + 1))
	[ -n "$(others)" ] && busy=$((busy + 1))
	sleep 5
done
wait "$bpid" || rc=$?
trap - EXIT INT TERM
t1=$(date +%s)
busy_after=$(others | wc -l)

tr -d '\r' <"$log" >"$out/console.txt"
{
	echo "@@BENCH host date=$(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) kernel=$(uname -r)" \
		"cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\"" \
		"other_qemu_before=$busy_before other_qemu_after=$busy_after" \
		"shared_samples=$busy/$samples loadavg_before=\"$load_before\"" \
		"tree=\"$(git -C "$top" describe --always --dirty 2>/dev/null)\"" \
		"module_needs=\"$(readelf -d "$build/pam_cgherd.so" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')\"" \
		"vm_secs=$((t1 - t0))"
	grep -a '^@@BENCH' "$out/console.txt" || true
	grep -a '@@CGH \(PASS\|FAIL\) bench' "$out/console.txt" || echo "@@CGH FAIL bench: no result (VM exit $rc)"
} >"$out/results.txt"
"$here/summary.sh" "$out/results.txt" | tee "$out/summary.txt"
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import matplotlib' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -n "$py" ]; then
	"$py" "$here/plot.py" "$out/results.txt" "$out/rules.png" && echo "bench: plot in $out/rules.png"
else
	echo "bench: no matplotlib, no plot (bench/plot.py $out/results.txt OUT.png makes it)"
fi
grep -q '@@CGH PASS bench' "$out/results.txt"
