# hogherder: a master waiting on 3 workers of 300 MB each, in a session limited to
# 500M without swap and oom_group: the kernel kills the whole session (master and
# opener included), nothing survives, and the next login collects the dead leaf.
# Through runuser and through ssh.
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { pids_max = 1024; oom_group = true; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "500M"; memory_swap_max = "0"; cpu_max = "20%"; oom_group = true; }; }
);
CONF

HOG='/usr/local/bin/hog mem 3 300'

# hogherd VIA: one round through "runuser" or "ssh"
hogherd() {
	via=$1
	assert_eq "$(count_leaves 1001)" 0 "$via: leaves of alice before the login"
	t0=$(uptime_cs)
	if [ "$via" = runuser ]; then
		runuser -u alice -- $HOG >/tmp/cgh-hog.out 2>&1 &
	else
		as_ssh alice "$HOG" >/tmp/cgh-hog.out 2>&1 &
	fi
	client=$!
	wait_for 30 has_pids_cmd '^/usr/local/bin/hog mem' || fail "$via: hog never started: $(cat /tmp/cgh-hog.out)"
	master=$(pids_cmd '^/usr/local/bin/hog mem' | head -n 1)
	leaf=$(leaf_of_pid "$master")
	say "$via: hog $master runs in $leaf (memory.max $(cg_read "$leaf/memory.max"), cpu.max $(cg_read "$leaf/cpu.max"))"
	case $leaf in "$BASE/user-1001/session-"*) ;; *) fail "$via: hog is in '$leaf', not in a leaf of user-1001" ;; esac
	wait_for 150 no_pids_cmd '^/usr/local/bin/hog mem' ||
		fail "$via: hog still running after 150s: $(pids_cmd '^/usr/local/bin/hog mem' | tr '\n' ' ') in $leaf, memory.events: $(cg_read "$leaf/memory.events")"
	wait_for 20 sh -c "! kill -0 $client 2>/dev/null" || fail "$via: the $via client did not end after the session was killed"
	rc=0
	wait "$client" || rc=$?
	t1=$(uptime_cs)
	say "$via: session ended after $(fmt_cs $((t1 - t0)))s, client exit status $rc; hog said: $(tail -n 4 /tmp/cgh-hog.out | tr '\n' '|')"

	assert_ne "$rc" 0 "$via: exit status of the killed session's client"
	assert_exists "$leaf" "$via: dead leaf (close never ran, nothing may remove it yet)"
	ev=$(cg_read "$leaf/memory.events")
	uev=$(cg_read "$BASE/user-1001/memory.events")
	say "$via: leaf memory.events: $ev"
	say "$via: user-1001 memory.events: $uev"
	assert_ge "$(cg_key "$leaf/memory.events" oom_group_kill)" 1 "$via: leaf memory.events oom_group_kill"
	assert_ge "$(cg_key "$leaf/memory.events" oom_kill)" 1 "$via: leaf memory.events oom_kill"
	wait_for 5 cg_empty "$leaf" || fail "$via: leaf still populated: procs $(cg_procs "$leaf")"
	assert_eq "$(cg_procs "$leaf")" "" "$via: leaf cgroup.procs"
	opener=$(leaf_pid "$leaf")
	alive "$opener" && fail "$via: opener $opener ($(tr '\0' ' ' </proc/$opener/cmdline)) survived"
	alive "$master" && fail "$via: hog master $master survived"
	assert_ge "$(cg_key "$BASE/user-1001/memory.events" oom_group_kill)" 1 "$via: user-1001 memory.events oom_group_kill"

	# the next login of alice collects the dead leaf
	as_runuser alice true || fail "$via: next login of alice failed"
	assert_absent "$leaf" "$via: dead leaf after the next login"
	say "$via: next login collected $leaf"
}

hogherd runuser
hogherd ssh
