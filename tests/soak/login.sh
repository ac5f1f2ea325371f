#!/bin/sh
# login.sh ID VIA USER JOB [LIST]: one soak login (as root, in the guest) through
# runuser or ssh, running job.sh ID JOB in the session.  Appends one line to
# $S/res:  L ID VIA USER JOB RC T0 T1 G0 G1 W P
# (T: uptime in centiseconds, G: the config generations in force before the login
# and after it, W and P: see below).  With LIST, the login is listed in $S/LIST/ID
# while it runs (the killer picks its targets there).
. /vm/lib.sh
S=/tmp/soak
id=$1 via=$2 u=$3 job=$4 list=${5:-}
read -r g0 _ <$S/gen
t0=$(uptime_cs)
[ -n "$list" ] && : >"$S/$list/$id"
if [ "$via" = runuser ]; then
	# the opener keeps its pid through the execs (busybox timeout keeps it too);
	# sessions get the default OOM score, not the driver's -1000
	sh -c "echo 0 >/proc/self/oom_score_adj; exec timeout -s KILL 300 runuser -u $u -- sh /vm/soak/job.sh $id $job" \
		</dev/null >/dev/null 2>"$S/err/$id"
	rc=$?
else
	timeout -s KILL 300 ssh -T -n -i /etc/ssh/user_key -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=60 \
		"$u@127.0.0.1" "sh /vm/soak/job.sh $id $job" </dev/null >/dev/null 2>"$S/err/$id"
	rc=$?
fi
t1=$(uptime_cs)
read -r _ g1 <$S/gen
# a session that ended normally must be gone with everything in it within 10 s of
# its opener's exit (the pid in the leaf's name: runuser, or sshd's [priv] process,
# which closes the PAM session after the client has seen the end, on a starved VM
# seconds later; waited for up to 120 s): W = tenths of a second from then until
# its leaf was gone, -1 when the job never ran or failed; P = processes left after
# 10 s
w=-1 p=0
if [ $rc = 0 ] && [ -s "$S/info/$id" ]; then
	read -r _ _ cg _ <"$S/info/$id"
	opener=${cg##*/session-}
	while [ -e "/proc/$opener" ] && [ $(($(uptime_cs) - t1)) -lt 12000 ]; do
		sleep 0.1
	done
	te=$(uptime_cs)
	while [ -e "/sys/fs/cgroup$cg" ] && [ $(($(uptime_cs) - te)) -lt 1000 ]; do
		sleep 0.1
	done
	w=$((($(uptime_cs) - te) / 10))
	[ -e "/sys/fs/cgroup$cg" ] && p=$(wc -l <"/sys/fs/cgroup$cg/cgroup.procs")
fi
[ -s "$S/err/$id" ] || rm -f "$S/err/$id"
[ -n "$list" ] && rm -f "$S/$list/$id"
echo "L $id $via $u $job $rc $t0 $t1 $g0 $g1 $w $p" >>$S/res
