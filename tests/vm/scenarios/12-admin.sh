# admin: on the real kernel, watch's metrics_file has a session's series while
# the session lives and not after; after a hogherder kill the rule's OOM and
# group-kill counters have risen and stay risen once the leaf is gone; status
# --format openmetrics ends in # EOF; cgherd doctor passes here (exit 0) and
# names the fix on hosts made wrong on purpose: a hybrid mount (fail), no
# favordynmods (warn), pam_cgherd before pam_systemd (fail).
WLOG=/tmp/cgh-watch.log
PROM=/tmp/cgh-metrics.prom

write_conf <<'CONF'
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "300M"; memory_swap_max = "0"; }; }
);
watch = { metrics_file = "/tmp/cgh-metrics.prom"; metrics_interval = "1s"; };
CONF

prom_has() { grep -qF -- "$1" "$PROM" 2>/dev/null; }
prom_lacks() { ! grep -qF -- "$1" "$PROM" 2>/dev/null; }
# prom_value METRIC_AND_LABELS: the value of the first matching sample, or ""
prom_value() { grep -F -- "$1" "$PROM" 2>/dev/null | head -n 1 | awk '{ print $NF }'; }

cgherd watch -f >"$WLOG" 2>&1 &
WPID=$!
wait_for 10 sh -c "grep -q 'watching /sys/fs/cgroup/cgherd' $WLOG 2>/dev/null" || fail "watch did not start: $(cat $WLOG)"
wait_for 5 sh -c "[ -s $PROM ]" || fail "no metrics file: $(tail -n 3 $WLOG)"
say "watch $WPID writes $PROM"

# --- a session's series come and go with it ---------------------------------------
runuser -u alice -- sleep 1001 >/dev/null 2>&1 &
wait_for 10 has_pids_cmd '^sleep 1001' || fail "no session"
leaf=$(leaf_of_pid "$(pids_cmd '^sleep 1001')")
sess=${leaf##*/}
say "session $leaf"
series="cgherd_session_memory_max_bytes{user=\"alice\",uid=\"1001\",rule=\"students\",session=\"$sess\",backend=\"cgroupfs\"} 314572800"
wait_for 3 prom_has "$series" || fail "the live session's series are missing: $(grep "$sess" $PROM | head -n 2)"
cur=$(prom_value "cgherd_session_memory_bytes{user=\"alice\",uid=\"1001\",rule=\"students\",session=\"$sess\"")
assert_ge "$cur" 1 "memory_bytes of the session"
om=$(cgherd status --format openmetrics)
assert_eq "$(echo "$om" | tail -n 1)" "# EOF" "openmetrics: last line"
assert_match "$om" "cgherd_session_memory_max_bytes\{user=\"alice\",uid=\"1001\",rule=\"students\",session=\"$sess\",backend=\"cgroupfs\"\} 314572800" "openmetrics: the session"
kill "$(pids_cmd '^sleep 1001')"
wait_for 5 sh -c "[ ! -e $leaf ]" || fail "the leaf stayed"
wait_for 3 prom_lacks "session=\"$sess\"" || fail "the ended session's series stayed"
say "series of $sess appeared and went with it"

# --- a hogherder kill: counters rise and stay -------------------------------------
runuser -u alice -- /usr/local/bin/hog mem 3 150 >/dev/null 2>&1 &
wait_for 10 sh -c "ls -d $BASE/user-1001/session-* >/dev/null 2>&1" || fail "oom: no session"
leaf=$(user_leaves 1001 | head -n 1)
wait_for 30 sh -c "[ \"\$(awk '\$1 == \"oom_group_kill\" { print \$2 }' $leaf/memory.events 2>/dev/null || echo 1)\" -ge 1 ]" ||
	fail "oom: no group kill"
wait_for 5 sh -c "[ ! -e $leaf ]" || fail "oom: the dead leaf stayed"
wait_for 3 prom_has 'cgherd_rule_oom_group_kills_total{rule="students"} ' || fail "no group-kill counter: $(grep cgherd_rule $PROM)"
sleep 1.5	# one more write: the leaf is gone by now
gk=$(prom_value 'cgherd_rule_oom_group_kills_total{rule="students"}')
ok=$(prom_value 'cgherd_rule_oom_kills_total{rule="students"}')
assert_ge "$gk" 1 "group kills of rule students after the leaf is gone"
assert_ge "$ok" 1 "OOM kills of rule students after the leaf is gone"
prom_lacks "session=\"${leaf##*/}\"" || fail "the killed session still has series"
say "after the kill, leaf gone: oom_group_kills_total=$gk oom_kills_total=$ok"

# --- doctor ---------------------------------------------------------------------------
# A mount without favordynmods: a warning naming the remount.  10-cli may have
# turned it on (busybox's remount carries the current options over, so only a
# fresh mount of the same hierarchy turns it off); it is put back at the end.
fdm_before=0
grep -q ' /sys/fs/cgroup .*favordynmods' /proc/self/mountinfo && fdm_before=1
[ "$fdm_before" = 0 ] || fresh_mount
out=$(cgherd doctor)
rc=$?
assert_eq "$rc" 1 "doctor without favordynmods: $(echo "$out" | grep -E '^(warn|fail)' | head -n 2)"
assert_match "$out" "warn cgroup: /sys/fs/cgroup is mounted without favordynmods.*mount -o remount,favordynmods" "doctor: the fix"

printf 'session required pam_cgherd.so\nsession optional pam_systemd.so\n' >/etc/pam.d/cgh-order
out=$(cgherd doctor)
rc=$?
rm -f /etc/pam.d/cgh-order
assert_eq "$rc" 2 "doctor with pam_cgherd before pam_systemd"
assert_match "$out" "fail pam: cgh-order: pam_cgherd \(cgh-order:1\) comes before pam_systemd \(cgh-order:2\): move" "doctor: the order"

mkdir -p /tmp/cgh-hybrid
mount -t tmpfs tmpfs /tmp/cgh-hybrid && mkdir /tmp/cgh-hybrid/unified &&
	mount -t cgroup2 cgroup2 /tmp/cgh-hybrid/unified || fail "cannot build a hybrid layout"
{ echo 'cgroup_root = "/tmp/cgh-hybrid";'; cat "$CONF"; } >/tmp/cgh-hybrid.conf
chmod 644 /tmp/cgh-hybrid.conf
out=$(cgherd doctor --conf /tmp/cgh-hybrid.conf)
rc=$?
umount /tmp/cgh-hybrid/unified
umount /tmp/cgh-hybrid
rmdir /tmp/cgh-hybrid
assert_eq "$rc" 2 "doctor on a hybrid layout"
assert_match "$out" "fail cgroup: /tmp/cgh-hybrid is a hybrid hierarchy .*systemd.unified_cgroup_hierarchy=1" "doctor: hybrid"

# with favordynmods and watch running, every check is ok
mount -o remount,favordynmods /sys/fs/cgroup || fail "cannot remount with favordynmods"
out=$(cgherd doctor)
rc=$?
echo "$out" | sed 's/^/    /' >&2
assert_eq "$rc" 0 "doctor on the VM (favordynmods on, watch running): $(echo "$out" | grep -E '^(warn|fail)' | head -n 1)"
assert_match "$out" "ok   kernel: clone3 into a cgroup \(CLONE_INTO_CGROUP\)" "doctor: clone3 probed"

kill "$WPID"
wait "$WPID" 2>/dev/null
# the mount as this scenario found it, for the scenarios after it
if [ "$fdm_before" = 1 ]; then
	mount -o remount,favordynmods /sys/fs/cgroup || fail "cannot remount with favordynmods"
else
	fresh_mount
fi
true
