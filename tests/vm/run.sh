#!/bin/bash
# Run the pam_cgherd scenarios on a real kernel under QEMU.
#
#   tests/vm/run.sh [scenario...]        (names as in tests/vm/scenarios/NN-name.sh,
#                                         with or without NN- and .sh; default: all)
#
# Prints one line per scenario, "PASS name" or "FAIL name: reason", then
# "N passed, N failed"; exits 0 only if every scenario passed.  A guest found
# stuck (boot.sh's heartbeat watch) is booted again once, for the scenarios it
# gave no result of.
# Environment: BUILD (build), MODULE ($BUILD/pam_cgherd.so, or "none"), VMDIR
# ($BUILD/vm), VM_SCENARIO_TIMEOUT (in-guest limit per scenario, 240), VM_TIMEOUT
# (whole boot), VM_VERBOSE=1 (show the console), plus boot.sh's KERNEL, VM_MEM, VM_SMP,
# VM_STALL.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
module=${MODULE:-$build/pam_cgherd.so}
vmdir=${VMDIR:-$build/vm}
mkdir -p "$vmdir"

# resolve scenario names
all=$(cd "$here/scenarios" && ls -1 [0-9]*.sh | sed 's/\.sh$//')
names=
if [ $# -eq 0 ]; then
	names=$all
else
	for a in "$@"; do
		a=${a%.sh}
		a=${a##*/}
		m=$(echo "$all" | grep -x -e "$a" -e "[0-9][0-9]-$a" | head -n 1 || true)
		if [ -z "$m" ]; then
			echo "run.sh: no scenario '$a' (have: $(echo $all))" >&2
			exit 2
		fi
		names="$names $m"
	done
fi
names=$(echo $names)
n=$(echo "$names" | wc -w)

# hog helper (vm.mk builds it too)
hog=$vmdir/hog
if [ ! -x "$hog" ] || [ "$here/hog.c" -nt "$hog" ]; then
	${CC:-cc} -static -O2 -Wall -o "$hog" "$here/hog.c"
fi

# the PAM host of the reaper scenario (dynamic: it needs libpam)
pamhost=$vmdir/pamhost
if [ ! -x "$pamhost" ] || [ "$here/pamhost.c" -nt "$pamhost" ]; then
	${CC:-cc} -O2 -Wall -o "$pamhost" "$here/pamhost.c" -lpam
fi

initrd=$vmdir/initramfs.cpio.gz
"$here/mkinitramfs.sh" "$module" "$hog" "$initrd"

per=${VM_SCENARIO_TIMEOUT:-240}
limit=${VM_TIMEOUT:-$((120 + n * per))}
log=$vmdir/console.log
clean=$vmdir/console.txt
# boot LOG NAMES...: one VM running the scenarios NAMES; its exit status in rc
boot() {
	local log=$1 bpid
	shift
	rc=0
	"$here/boot.sh" "$initrd" "$log" "$limit" "cgh.run=$(echo "$*" | tr ' ' ',')" "cgh.timeout=$per" &
	bpid=$!
	trap 'kill "$bpid" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	wait "$bpid" || rc=$?
	trap - EXIT INT TERM
}
# without_result: the scenarios of $names that $clean shows no result of
without_result() {
	local s
	for s in $names; do
		grep -q "@@CGH \(PASS\|FAIL\) ${s}[ :]" "$clean" || echo "$s"
	done
}
t0=$(date +%s.%N)
boot "$log" $names
tr -d '\r' <"$log" >"$clean"
# a guest that stopped (boot.sh: no heartbeat, status 75; seen under TCG, both
# vCPUs in soft lockups for good) is booted again, once, for the scenarios it
# gave no result of; the first console is kept as console.stuck.log
rerun=
if [ "$rc" = 75 ]; then
	rerun=$(without_result | tr '\n' ' ' | sed 's/ $//')
	echo "vm: the guest was stuck ($(cat "$log.stuck")); booting again for: ${rerun:-nothing}" >&2
	mv "$log" "$vmdir/console.stuck.log"
	if [ -n "$rerun" ]; then
		boot "$log" $rerun
		{ cat "$vmdir/console.stuck.log"; cat "$log"; } | tr -d '\r' >"$clean"
	fi
fi
t1=$(date +%s.%N)
passed=0 failed=0
booted=$(grep -o '@@CGH BOOTED [0-9.]*' "$clean" | head -n 1 | awk '{print $3}')
for s in $names; do
	line=$(grep -o "@@CGH \(PASS\|FAIL\) ${s}[ :].*" "$clean" | tail -n 1 || true)
	case $line in
	"@@CGH PASS $s "*)
		echo "PASS $s"
		echo "vm: $s took ${line##* }s" >&2
		passed=$((passed + 1))
		;;
	"@@CGH FAIL $s "*)
		rest=${line#"@@CGH FAIL $s "}
		echo "FAIL $s: ${rest#*: }"
		echo "vm: $s took ${rest%%:*}s" >&2
		failed=$((failed + 1))
		;;
	*)
		if grep -q "@@CGH BEGIN $s\$" "$clean"; then
			why="started but gave no result (VM exit status $rc)"
		elif [ -z "$booted" ]; then
			why="VM did not boot (exit status $rc, see $log)"
		else
			why="never ran (VM exit status $rc)"
		fi
		echo "FAIL $s: $why"
		failed=$((failed + 1))
		;;
	esac
done
printf 'vm: guest booted to /init in %ss, whole run %.1fs; console in %s\n' \
	"${booted:-?}" "$(awk "BEGIN { print $t1 - $t0 }")" "$clean" >&2
[ -z "$rerun" ] || echo "vm: run again after a stuck guest: $rerun" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$n" ]
