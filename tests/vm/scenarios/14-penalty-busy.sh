# penalty-busy: a when_busy penalty is not applied while the host is not busy
# by its measure and is applied once another load makes it busy.  Under TCG
# one busy loop alone already shows CPU pressure (30-40% "some" avg10), so
# the thresholds are chosen to be deterministic: "calm" asks for memory
# pressure over 50%, which nothing here makes, and must never apply although
# alice is over its cpu_over all along; "busy" asks for CPU pressure over
# 60% and must apply once six busy loops of root (outside the herded tree)
# keep tasks waiting all the time.  The rule sets no CPU limit on user-1001:
# the penalty enables the cpu controller for it and puts the kernel's
# "max 100000" back.
WLOG=/tmp/cgh-pwatch.log
STATE=/tmp/cgh-pstate
U=$BASE/user-1001

write_conf <<'CONF'
rules = ( { name = "system"; match = { uid = "0-999"; }; action = "ignore"; } );
penalties = (
  { name = "calm"; cpu_over = "20%"; window = "2s";
    when_busy = { memory_pressure = "50%"; };
    tiers = ( { cpu_weight = 1; duration = "60s"; } ); },
  { name = "busy"; cpu_over = "20%"; window = "2s";
    when_busy = { cpu_pressure = "60%"; };
    tiers = ( { cpu_max = "10%"; duration = "4s"; } ); }
);
CONF
mkdir -m 700 "$STATE"
wlog_has() { grep -qE -- "$1" "$WLOG" 2>/dev/null; }
cgherd watch -f --state-dir "$STATE" >"$WLOG" 2>&1 &
WPID=$!
LOAD=
trap 'kill -9 $WPID $LOAD 2>/dev/null' EXIT
wait_for 10 wlog_has "penalties: 2, sampling every 1000 ms" || fail "watch did not start: $(tail -n 3 $WLOG)"
psi() { sed -n 's/^some avg10=\([0-9.]*\) .*/\1/p' /proc/pressure/cpu; }
say "before: cpu some avg10=$(psi)%"

runuser -u alice -- /usr/local/bin/hog spin 0 >/dev/null 2>&1 &
wait_for 10 sh -c "ls -d $U/session-* >/dev/null 2>&1" || fail "alice's session did not start"
cpumax() { cg_read $U/cpu.max; }

# --- not busy by "calm"'s measure: over cpu_over for three windows, not penalized -------
sleep 6
used=$(cg_key $U/cpu.stat usage_usec)
say "alice: ${used}us of CPU; cpu some avg10=$(psi)%, memory some $(sed -n 's/^some avg10=\([0-9.]*\) .*/\1/p' /proc/pressure/memory)%"
[ "${used:-0}" -ge 2000000 ] || fail "alice's loop used ${used}us: not over cpu_over, the check would prove nothing"

# --- busy: six more loops ----------------------------------------------------------------
for i in 1 2 3 4 5 6; do
	/usr/local/bin/hog spin 40 &
	LOAD="$LOAD $!"
done
t0=$(uptime_cs)
wait_for 60 sh -c "[ \"\$(cat $U/cpu.max 2>/dev/null)\" = '10000 100000' ]" ||
	fail "not penalized on a busy host: cpu.max '$(cpumax)', cpu some avg10=$(psi)%"
t1=$(uptime_cs)
line=$(grep 'penalty start' $WLOG)
say "busy: penalized $(fmt_cs $((t1 - t0)))s after the load began: ${line#cgherd: }"
assert_match "$line" "penalty=busy .*host_pressure=cpu:([6-9][0-9]|100)\.[0-9]{2}%" "the pressure in the start line"
kill $LOAD 2>/dev/null
wait_for 30 sh -c "[ \"\$(cat $U/cpu.max)\" = 'max 100000' ]" || fail "not put back: cpu.max '$(cpumax)'"
say "put back: $(grep 'penalty end' $WLOG | sed 's/^cgherd: //')"
assert_eq "$(cg_read $U/cpu.weight)" 100 "cpu.weight: the calm penalty never applied"
! wlog_has "penalty=calm" || fail "calm applied: $(grep 'penalty=calm' $WLOG)"
kill -TERM "$WPID"
wait "$WPID"
rm -rf "$STATE"
