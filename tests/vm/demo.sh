#!/bin/bash
# `make demo`: boot the test VM with the repository's config/cgherd.conf (or a
# built-in copy of the documented example), let a member of "students" log in over
# ssh and run the hogherder, and show limits, memory.events, the module's log and a
# verdict.  Exit status 0 when the verdict is PASS.
# Environment: BUILD (build), MODULE ($BUILD/pam_cgherd.so), VMDIR ($BUILD/vm),
# DEMO_CONF (config to use), plus boot.sh's KERNEL, VM_MEM, VM_SMP.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
module=${MODULE:-$build/pam_cgherd.so}
vmdir=${VMDIR:-$build/vm}/demo
mkdir -p "$vmdir"

conf=${DEMO_CONF:-$top/config/cgherd.conf}
if [ ! -f "$conf" ]; then
	conf=$vmdir/cgherd.conf
	cat >"$conf" <<'EOF'
cgroup_root    = "/sys/fs/cgroup";
base           = "cgherd";
on_error       = "deny";
kill_on_close  = true;
default_action = "herd";
session = { memory_max = "2G"; pids_max = 1024; oom_group = true; };
user    = { };
rules = (
  { name = "system";   match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "500M"; memory_swap_max = "0"; cpu_max = "20%"; }; },
  { name = "staff";    match = { group = "staff"; service = [ "sshd" ]; };
    session = { memory_max = "8G"; cpu_max = "400%"; }; user = { memory_max = "16G"; }; }
);
EOF
	echo "demo: no config/cgherd.conf, using the built-in example" >&2
fi

hog=${VMDIR:-$build/vm}/hog
if [ ! -x "$hog" ] || [ "$here/hog.c" -nt "$hog" ]; then
	${CC:-cc} -static -O2 -Wall -o "$hog" "$here/hog.c"
fi
initrd=$vmdir/initramfs.cpio.gz
"$here/mkinitramfs.sh" "$module" "$hog" "$initrd" "$conf"
log=$vmdir/console.log
rc=0
"$here/boot.sh" "$initrd" "$log" "${VM_TIMEOUT:-300}" cgh.run=demo 2>/dev/null &
bpid=$!
trap 'kill "$bpid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait "$bpid" || rc=$?
trap - EXIT INT TERM

tr -d '\r' <"$log" | sed -n '/@@CGH BOOTED/,/@@CGH DONE/p' | grep -v '@@CGH \(BOOTED\|DONE\)' |
	sed 's/^@@CGH DEMO-VERDICT /VERDICT: /'
if tr -d '\r' <"$log" | grep -q '^@@CGH DEMO-VERDICT PASS'; then
	exit 0
fi
if ! tr -d '\r' <"$log" | grep -q '^@@CGH DEMO-VERDICT'; then
	echo "VERDICT: FAIL: the demo gave no verdict (VM exit status $rc, console in $log)"
fi
exit 1
