# cpu: a busy loop in a cpu_max="20%" session uses 20% +- 3 points of one CPU over
# 10 s, and two busy loops in a "150%" session use 150% +- 10 (leaf cpu.stat usage_usec).
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { pids_max = 1024; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "fifth"; match = { user = "alice"; }; session = { cpu_max = "20%"; }; },
  { name = "one-and-a-half"; match = { user = "bob"; }; session = { cpu_max = "150%"; }; }
);
CONF

# measure USER UID EXPECTED_PCT TOLERANCE_PCT SHELL_COMMAND
measure() {
	u=$1 uid=$2 want=$3 tol=$4 cmd=$5
	runuser -u "$u" -- sh -c "$cmd" >/dev/null 2>&1 &
	client=$!
	wait_for 20 has_pids_cmd '^/usr/local/bin/hog spin' || fail "$u: busy loop never started"
	sleep 1
	pid=$(pids_cmd '^/usr/local/bin/hog spin' | head -n 1)
	leaf=$(leaf_of_pid "$pid")
	case $leaf in "$BASE/user-$uid/session-"*) ;; *) fail "$u: busy loop is in '$leaf', not in a leaf of user-$uid" ;; esac
	cpumax=$(cg_read "$leaf/cpu.max")
	u0=$(cg_key "$leaf/cpu.stat" usage_usec) t0=$(uptime_cs)
	sleep 10
	u1=$(cg_key "$leaf/cpu.stat" usage_usec) t1=$(uptime_cs)
	thr=$(cg_key "$leaf/cpu.stat" nr_throttled)
	du=$((u1 - u0)) dcs=$((t1 - t0))
	# tenths of a percent of one CPU: du us / (dcs * 10000 us) * 1000
	p10=$((du / (dcs * 10)))
	say "$u: cpu.max '$cpumax': $du us of CPU in $(fmt_cs $dcs) s = $((p10 / 10)).$((p10 % 10))% of one CPU (nr_throttled $thr; want $want% +- $tol)"
	kill -9 $(pids_cmd '^/usr/local/bin/hog spin') 2>/dev/null
	wait "$client" 2>/dev/null
	# the session's reaper ends what is left once runuser has exited
	wait_for 5 no_pids_cmd '^/usr/local/bin/hog spin' || fail "$u: busy loops left after the session"
	if [ "$p10" -lt $(((want - tol) * 10)) ] && [ "${thr:-0}" -eq 0 ]; then
		fail "$u: the VM got only $((p10 / 10)).$((p10 % 10))% and was never throttled: the host is too busy to test cpu_max=$want% (not a module verdict)"
	fi
	assert_ge "$p10" $(((want - tol) * 10)) "$u: CPU use in tenths of a percent"
	assert_le "$p10" $(((want + tol) * 10)) "$u: CPU use in tenths of a percent"
	assert_ge "$thr" 1 "$u: cpu.stat nr_throttled"
}

say "vCPUs: $(nproc)"
measure alice 1001 20 3 '/usr/local/bin/hog spin 30'
measure bob 1002 150 10 '/usr/local/bin/hog spin 30 & /usr/local/bin/hog spin 30; wait'
