# pids: a fork bomb in a pids_max=64 session is contained (pids.events max > 0,
# pids.current <= 64), and another user still logs in meanwhile.
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { pids_max = 1024; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "bomber"; match = { user = "alice"; }; session = { pids_max = 64; }; }
);
CONF

rm -f /tmp/cgh-bomb.stop
runuser -u alice -- /usr/local/bin/hog bomb 150 /tmp/cgh-bomb.stop >/tmp/cgh-bomb.out 2>&1 &
client=$!
wait_for 20 has_pids_cmd '^/usr/local/bin/hog bomb' || fail "the bomb never started: $(cat /tmp/cgh-bomb.out)"
pid=$(pids_cmd '^/usr/local/bin/hog bomb' | head -n 1)
leaf=$(leaf_of_pid "$pid")
case $leaf in "$BASE/user-1001/session-"*) ;; *) fail "the bomb is in '$leaf', not in a leaf of user-1001" ;; esac
say "bomb in $leaf, pids.max $(cg_read "$leaf/pids.max")"
wait_for 20 sh -c "[ \$(awk '\$1==\"max\"{print \$2}' $leaf/pids.events) -gt 0 ]" ||
	fail "pids.events max stayed 0: $(cg_read "$leaf/pids.events"), pids.current $(cg_read "$leaf/pids.current")"
peak=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	c=$(cg_read "$leaf/pids.current")
	[ -n "$c" ] && [ "$c" -gt "$peak" ] && peak=$c
	sleep 0.2
done
say "during the bomb: pids.current peaked at $peak, pids.events: $(cg_read "$leaf/pids.events")"
max=$(cg_key "$leaf/pids.events" max)
assert_ge "$max" 1 "pids.events max"
assert_le "$peak" 64 "pids.current"
assert_ge "$peak" 32 "pids.current (is the bomb running?)"

# another user logs in while the bomb runs
t0=$(uptime_cs)
out=$(as_runuser bob sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "bob could not log in during the bomb"
say "bob logged in during the bomb in $(fmt_cs $(($(uptime_cs) - t0)))s, into $out"
assert_match "$out" "^/cgherd/user-1002/session-" "bob's session"
t0=$(uptime_cs)
out=$(as_ssh bob 'echo ok') || fail "bob could not log in over ssh during the bomb"
say "bob logged in over ssh during the bomb in $(fmt_cs $(($(uptime_cs) - t0)))s"
assert_eq "$out" ok "bob's ssh session output"

kill -0 $client 2>/dev/null || fail "the bomb ended before the other logins were done: make it last longer"
say "the bomb still runs after bob's logins: pids.current $(cg_read "$leaf/pids.current"), pids.events: $(cg_read "$leaf/pids.events")"
touch /tmp/cgh-bomb.stop
wait_for 60 sh -c "! kill -0 $client 2>/dev/null" || fail "the bomb's session did not end: pids.current $(cg_read "$leaf/pids.current")"
say "bomb said: $(cat /tmp/cgh-bomb.out)"
wait_for 10 no_pids_cmd '^/usr/local/bin/hog bomb' || fail "bomb processes left after the session: $(pids_cmd '^/usr/local/bin/hog bomb' | wc -l)"
wait_for 10 sh -c "[ ! -e $leaf ]" || fail "leaf $leaf left after the session closed"
