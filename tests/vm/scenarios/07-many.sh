# many: 100 sequential and 30 parallel runuser logins all succeed, and no leaf is
# left afterwards.
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "200M"; pids_max = 100; };
rules = ( { name = "system"; match = { uid = "0-999"; }; action = "ignore"; } );
CONF

t0=$(uptime_cs)
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "sequential login $i failed"
	case $out in /cgherd/user-1001/session-*) ;; *) fail "sequential login $i not herded: '$out'" ;; esac
done
t1=$(uptime_cs)
say "100 sequential logins in $(fmt_cs $((t1 - t0)))s"
# the last leaf is removed by its reaper once runuser has exited
wait_for 2 sh -c "[ \$(ls -d $BASE/user-1001/session-* 2>/dev/null | wc -l) = 0 ]" ||
	fail "leaves 2 s after 100 sequential logins: $(user_leaves 1001)"

rm -f /tmp/cgh-par.*
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	u=alice
	[ $((i % 3)) = 0 ] && u=bob
	(
		out=$(runuser -u $u -- sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup; sleep 1')
		echo "$? $out" >/tmp/cgh-par.$i
	) &
done
wait
t2=$(uptime_cs)
bad=
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	r=$(cat /tmp/cgh-par.$i 2>/dev/null)
	case $r in "0 /cgherd/user-100"[12]/session-*) ;; *) bad="$bad [$i: '$r']" ;; esac
done
say "30 parallel logins (20 alice, 10 bob) in $(fmt_cs $((t2 - t1)))s"
[ -z "$bad" ] || fail "parallel logins failed or not herded:$bad"
sessions=$(cat /tmp/cgh-par.* | awk '{print $2}' | sort -u | wc -l)
assert_eq "$sessions" 30 "distinct leaves used by the 30 parallel sessions"
wait_for 10 sh -c "[ -z \"\$(ls -d $BASE/user-*/session-* 2>/dev/null)\" ]" || fail "leaves left: $(ls -d $BASE/user-*/session-*)"
wait_for 10 sh -c "[ -z \"\$(ls -d $BASE/user-* 2>/dev/null)\" ]" || fail "user dirs left: $(ls -d $BASE/user-*)"
