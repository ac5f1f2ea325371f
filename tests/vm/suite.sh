#!/bin/sh
# Run scenarios inside the VM:  suite.sh TIMEOUT NAME... ("all" = every scenario).
# Console protocol read by run.sh:
#   @@CGH BEGIN name
#   @@CGH PASS name SECONDS | @@CGH FAIL name SECONDS: reason
. /vm/lib.sh

timeout=$1
shift
names=
for n in "$@"; do
	if [ "$n" = all ]; then
		for f in /vm/scenarios/*.sh; do
			names="$names $(basename "$f" .sh)"
		done
	else
		names="$names $n"
	fi
done

for name in $names; do
	echo "@@CGH BEGIN $name"
	vm_reset
	t0=$(uptime_cs)
	if [ ! -f "/vm/scenarios/$name.sh" ]; then
		rc=127
		echo "no such scenario" >/tmp/cgh.reason
	else
		timeout "$timeout" sh -c ". /vm/lib.sh; . /vm/scenarios/$name.sh" </dev/null
		rc=$?
	fi
	t1=$(uptime_cs)
	secs=$(fmt_cs $((t1 - t0)))
	if [ "$rc" -eq 0 ]; then
		echo "@@CGH PASS $name $secs"
	else
		reason=$(tail -n 1 /tmp/cgh.reason 2>/dev/null)
		if [ -z "$reason" ]; then
			case $rc in
			143 | 137) reason="timed out after ${timeout}s" ;;
			*) reason="exit status $rc" ;;
			esac
		fi
		echo "@@CGH FAIL $name $secs: $reason"
		echo "--- last syslog lines ---"
		tail -n 15 /var/log/messages
		echo "---"
	fi
done
vm_reset
