# penalty: `cgherd watch` with a penalty of windows of seconds, judged by
# user-1001's cpu.max.  alice (rule: 150% on her user directory) runs two
# busy loops, about one CPU beside bob's, well over cpu_over = 30%: tier 1
# (30%) within window + 2 s,
# her 150% back when its 5 s are over; the next offence, inside forgive, gets
# tier 2 (20%).  watch SIGKILLed during tier 2 and started again: the
# penalty still ends on time (from /var/lib/cgherd/penalties) and the 150%
# is back.  `cgherd penalty lift alice` during the next one: back at once.
# bob (staff) hogs too and is exempt: his cpu.max never changes.  alice's
# next login (a runuser login shell on a terminal) shows her each start and
# end, the login after that nothing.
WLOG=/tmp/cgh-pwatch.log
STATE=/var/lib/cgherd
U=$BASE/user-1001

write_conf <<'CONF'
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "staff"; match = { group = [ "staff" ]; }; user = { cpu_max = "150%"; }; },
  { name = "students"; match = { group = [ "students" ]; }; user = { cpu_max = "150%"; }; }
);
penalties = (
  { name = "hog"; cpu_over = "30%"; window = "2s"; forgive = "60s";
    exempt = { group = [ "staff" ]; };
    tiers = ( { cpu_max = "30%"; duration = "8s"; },
              { cpu_max = "20%"; duration = "12s"; } ); }
);
CONF
out=$(cgherd check 2>&1) || fail "check: $out"

mkdir -p /var/lib
rm -rf "$STATE"
wlog_has() { grep -qE -- "$1" "$WLOG" 2>/dev/null; }
# The daemon's own times, not the test's polling (slow under a busy TCG host):
# a tier's end from its start line, when it ended from syslog's stamp.
secs() { echo "$1" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }'; }
until_of() { secs "$(sed -n "s/.*penalty start .* tier=$1\/2 .* until=[0-9-]*T\([0-9:]*\)Z.*/\1/p" $WLOG | tail -n 1)"; }
ended_at() { secs "$(grep "penalty end user=alice uid=1001 penalty=hog tier=$1 " $SYSLOG | tail -n 1 | awk '{ print $3 }')"; }
on_time() {	# TIER DURATION: it lasted its duration, ended within 2 s of its end
	local u e
	u=$(until_of "$1")
	e=$(ended_at "$1")
	say "tier $1: until $u, ended at $e (s of the day)"
	[ "$e" -ge "$u" ] && [ "$e" -le $((u + 2)) ] || fail "tier $1 ended at $e, its end was $u"
}
start_watch() {
	cgherd watch -f >>"$WLOG" 2>&1 &
	WPID=$!
	wait_for 10 wlog_has "penalties: 1, sampling every 1000 ms" || fail "watch did not start: $(tail -n 3 $WLOG)"
}
trap 'kill -9 $WPID 2>/dev/null; rm -rf $STATE' EXIT
: >"$WLOG"
start_watch
assert_eq "$(stat -c %a "$STATE")" 700 "mode of $STATE"

runuser -u bob -- /usr/local/bin/hog spin 0 >/dev/null 2>&1 &
runuser -u alice -- sh -c '/usr/local/bin/hog spin 0 & exec /usr/local/bin/hog spin 0' >/dev/null 2>&1 &
wait_for 10 sh -c "[ -d $U ] && ls -d $U/session-* >/dev/null 2>&1" || fail "alice's session did not start"
t0=$(uptime_cs)
login=$(secs "$(date +%T)")
assert_eq "$(cg_read $U/cpu.max)" "150000 100000" "alice's rule on user-1001"
cpumax_is() { [ "$(cg_read $U/cpu.max)" = "$1" ]; }

# --- tier 1 within window + 2 s, restored after its duration ---------------------------
wait_for 20 cpumax_is "30000 100000" || fail "tier 1 not applied: cpu.max $(cg_read $U/cpu.max)"
t1=$(uptime_cs)
say "tier 1 after $(fmt_cs $((t1 - t0)))s: $(grep 'penalty start' $WLOG | tail -n 1 | sed 's/^cgherd: //')"
start=$(( $(until_of 1) - 8 ))
say "tier 1 in force $((start - login)) s after alice's login"
assert_le $((start - login)) 4 "seconds from alice's login to tier 1 (window 2 s + 2 s)"
assert_match "$(cat $WLOG)" "penalty start user=alice uid=1001 penalty=hog cpu=[0-9]+\.[0-9]{2}% threshold=30% window=2s tier=1/2 effect=cpu_max=30% duration=8s until=" "start line"
assert_match "$(cat $STATE/penalties)" "^cgherd-penalties 1 1001 f 1 [01] " "the state file"
assert_eq "$(stat -c %a $STATE/penalties)" 600 "mode of the state file"
wait_for 40 sh -c "grep -q 'penalty end user=alice uid=1001 penalty=hog tier=1 ' $WLOG" || fail "tier 1 not lifted: cpu.max $(cg_read $U/cpu.max)"
t2=$(uptime_cs)
on_time 1
assert_match "$(cat $WLOG)" "penalty end user=alice uid=1001 penalty=hog tier=1 dir=$U: its duration is over; put back cpu_max=150%" "end line"

# --- the next offence within forgive: tier 2 ---------------------------------------------
wait_for 20 cpumax_is "20000 100000" || fail "tier 2 not applied: cpu.max $(cg_read $U/cpu.max)"
t3=$(uptime_cs)
say "tier 2 $(fmt_cs $((t3 - t2)))s after tier 1 ended"
assert_match "$(grep 'penalty start' $WLOG | tail -n 1)" "tier=2/2 effect=cpu_max=20% duration=12s" "tier 2 line"
assert_match "$(cat $STATE/penalties)" "^cgherd-penalties 1 1001 f 1 1 " "tier 2 in the state"

# --- watch SIGKILLed and started again: the penalty still ends on time ----------------
kill -9 "$WPID"
wait "$WPID" 2>/dev/null
assert_eq "$(cg_read $U/cpu.max)" "20000 100000" "tier 2 left in place by the killed daemon"
start_watch
[ "$(secs "$(date +%T)")" -lt "$(until_of 2)" ] || fail "the restart took too long to test anything"
out=$(cgherd penalty list)
assert_match "$out" "alice +1001 hog +2 active" "penalty list"
out=$(cgherd status --json)
assert_match "$out" "\"penalties\": \[\{\"user\": \"alice\", \"uid\": 1001, \"penalty\": \"hog\", \"tier\": 2, \"active\": true" "status --json"
wait_for 40 sh -c "grep -q 'penalty end user=alice uid=1001 penalty=hog tier=2 ' $WLOG" ||
	fail "tier 2 not lifted by the restarted watch: cpu.max $(cg_read $U/cpu.max)"
on_time 2
assert_match "$(cat $WLOG)" "penalty end user=alice uid=1001 penalty=hog tier=2 dir=$U: its duration is over; put back cpu_max=150%" "tier 2 end line"

# --- penalty lift: back at once ----------------------------------------------------------
wait_for 20 cpumax_is "20000 100000" || fail "no third offence: cpu.max $(cg_read $U/cpu.max)"
out=$(cgherd penalty lift alice 2>&1) || fail "penalty lift: $out"
assert_eq "$(cg_read $U/cpu.max)" "150000 100000" "cpu.max right after penalty lift"
assert_match "$out" "alice: 1 penalty lifted" "lift output"
wait_for 20 wlog_has "penalty hog of uid 1001 ended outside watch" || fail "watch did not see the lift"

# --- bob was exempt all along ------------------------------------------------------------
assert_eq "$(cg_read $BASE/user-1002/cpu.max)" "150000 100000" "bob's cpu.max"
assert_match "$(cat $WLOG)" "penalty hog: user=bob uid=1002 over its trigger, but exempt" "exempt line"
kill -TERM "$WPID"
wait "$WPID"

# --- alice's next login shows each start and end (notices, issue 14) ----------------------
# a runuser login shell on a terminal (script(1) gives it a pty; service runuser-l)
tty_runuser() { echo exit | script -qec "runuser -l $1" /dev/null 2>&1; }
out=$(tty_runuser alice)
say "alice's next login printed: $(echo "$out" | grep 'cgherd: ' | tr -d '\r' | head -n 2)"
UNTIL_RE="until [0-9:]+: cpu_max=30%, because your CPU use was [0-9]+\.[0-9]{2}% of one CPU over 2s, over the threshold of 30%\."
assert_match "$out" "cgherd: penalty hog \(tier 1 of 2\) on your processes $UNTIL_RE" "tier 1's start at login"
assert_match "$out" "cgherd: penalty hog \(tier 1 of 2\) on your processes ended at [0-9:]+ \(its duration is over\): cpu_max=30% is lifted, your limits are back\." "tier 1's end at login"
assert_match "$out" "cgherd: penalty hog \(tier 2 of 2\) on your processes until [0-9:]+: cpu_max=20%, because " "tier 2's start at login"
assert_match "$out" "cgherd: penalty hog \(tier 2 of 2\) on your processes ended at [0-9:]+ \(lifted by an administrator\): cpu_max=20% is lifted" "the lift at login"
n=$(echo "$out" | grep -c 'cgherd: penalty hog')
[ "$n" -ge 6 ] || fail "$n penalty lines at login, 3 starts and 3 ends expected: $out"
assert_eq "$(tty_runuser alice | grep -c 'cgherd: ')" 0 "notices shown by the login after"
