# cli: cgherd check, explain, status (text and JSON) against a live session, run (a
# herded command as a user, exit status passed through) and gc after a group OOM
# kill, on the real kernel.
write_conf <<'CONF'
session = { pids_max = 1024; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "500M"; memory_swap_max = "0"; cpu_max = "20%"; }; }
);
CONF

out=$(cgherd check) || fail "check: exit $?: $out"
assert_eq "$out" "$CONF: OK (2 rules)
note: /sys/fs/cgroup is mounted without favordynmods: each move of a login into its leaf and back waits for an RCU grace period (often 10-30 ms); see PERFORMANCE in pam_cgherd(8)" "check"
# the note is about the mount as the kernel has it now
mount -o remount,nsdelegate,favordynmods $CG || fail "remount with favordynmods"
out=$(cgherd check)
mount -o remount,nsdelegate $CG || fail "remount without favordynmods"
assert_eq "$out" "$CONF: OK (2 rules)" "check with favordynmods"

out=$(cgherd explain --service sshd alice) || fail "explain: exit $?"
assert_match "$out" "rule: +students \(rules\[1\], line 4\)" "explain rule"
assert_match "$out" "memory.max += 524288000 \(500M\)" "explain memory.max"
assert_match "$out" "cpu.max += 20000 100000 \(20%\)" "explain cpu.max"
out=$(cgherd explain sys) || fail "explain sys: exit $?"
assert_match "$out" "action: +ignore" "explain of a system user"

# status against a live session
runuser -u alice -- sleep 1003 &
wait_for 10 has_pids_cmd '^sleep 1003' || fail "status: the session did not start"
sp=$(pids_cmd '^sleep 1003')
leaf=$(leaf_of_pid "$sp")
out=$(cgherd status) || fail "status: exit $?"
assert_match "$out" "alice +${leaf#$CG/} " "status line of alice's session"
json=$(cgherd status --json) || fail "status --json: exit $?"
assert_match "$json" "\"user\": \"alice\", \"uid\": 1001, \"leaf\": \"$leaf\", \"procs\": 2, " "status --json"
assert_match "$json" "\"memory_max\": 524288000, " "status --json memory_max"
kill "$sp"
wait_for 10 sh -c "[ ! -e $leaf ]" || fail "status: leaf $leaf left after the session"

# run: herded like a login, exit status passed through
out=$(cgherd run -u alice -- sh -c 'id -un; sed -n "s/^0:://p" /proc/self/cgroup; cat /sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)/memory.max') ||
	fail "run: exit $?: $out"
assert_match "$out" "^alice /cgherd/user-1001/session-[0-9]+ 524288000$" "run: user, cgroup, memory.max"
cgherd run -u alice -- sh -c 'exit 7'
assert_eq "$?" 7 "run: exit status of the command"
assert_eq "$(count_leaves 1001)" 0 "run: leaves left after the runs"

# gc after a group OOM kill: the session dies with its opener (cgherd run itself),
# so nobody closes it; cgherd gc collects it and logs its figures.
syslog_mark
cgherd run -u alice -- /usr/local/bin/hog mem 3 300 >/dev/null 2>&1
rc=$?
assert_ge "$rc" 128 "run of the hog: killed by a signal"
dead=$(user_leaves 1001)
[ -n "$dead" ] || fail "gc: no dead leaf left to collect"
assert_ge "$(cg_key "$dead/memory.events" oom_group_kill)" 1 "gc: oom_group_kill of the dead leaf"
wait_for 10 cg_empty "$dead" || fail "gc: dead leaf still populated"
out=$(cgherd gc) || fail "gc: exit $?"
assert_match "$out" "collected 1 dead session" "gc output"
assert_absent "$dead" "gc: dead leaf"
assert_absent "$BASE/user-1001" "gc: user directory"
assert_match "$(syslog_since)" "collected dead session leaf=$dead .*oom_group_kill=1" "gc: logged figures"
