#!/bin/sh
# job.sh ID KIND: what one soak login runs, as the user, inside its session.
# First it records what the kernel shows of its leaf (path, memory.max, pids.max)
# and the config generation the driver says is in force (tests/soak/guest.sh),
# then it runs a short job of the given kind.
S=/tmp/soak
id=$1
read -r cg </proc/$$/cgroup
cg=${cg#0::}
d=/sys/fs/cgroup$cg
mm=none pm=none
read -r mm <"$d/memory.max"
read -r pm <"$d/pids.max"
read -r lo hi <$S/gen
read -r up _ </proc/uptime
# one write: the killer reads it only once it is not empty
echo "I $id $cg $mm $pm $lo $hi $up $$" >"$S/info/$id"
case $2 in
sleep) sleep "0.$((RANDOM % 10))" ;;
hold) sleep $((2 + RANDOM % 4)) ;;
cpu)
	i=0
	while [ $i -lt 1000 ]; do i=$((i + 1)); done
	;;
io) dd if=/dev/zero of=/dev/null bs=64k count=100 2>/dev/null ;;
fork)
	i=0
	while [ $i -lt 8 ]; do
		(sleep 0.2) &
		i=$((i + 1))
	done
	wait
	;;
# leaves a process behind: close must kill it (kill_on_close = true)
linger) sleep 25 </dev/null >/dev/null 2>&1 & sleep 0.3 ;;
# the OOM user: 2 x 48 MB against a 64-72 MB leaf: a group kill
oom) exec /usr/local/bin/hog mem 2 48 ;;
# the fork bomber against pids_max, until the driver says stop
bomb) exec /usr/local/bin/hog bomb 15 $S/stop ;;
# memory held until the whole-VM OOM kills the session
fat) exec /usr/local/bin/hog mem 1 150 ;;
esac
