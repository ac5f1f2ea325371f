# reaper: on a plain mount close does not move the opener back; a reaper made in
# the opener's original cgroup ends the leaf once the opener has exited.  Leftovers
# are killed within 1 s of the opener's exit; an opener that lingers after close is
# moved out by the reaper; an origin that cannot take a process (a domain controller in its
# subtree_control, removed, pids.max reached) makes close do it all itself; the host
# sees no child and no SIGCHLD of it, and the reaper holds none of its descriptors;
# a reaper killed with SIGKILL leaves the leaf to collection; 50 + 16 logins leave
# no leaf within 2 s.  Asserted on /proc and the cgroup files.

# pids of live reapers (comm cgherd-reaper)
reapers() {	# shell builtins only: a fork per process is too slow under TCG
	local d c st
	for d in /proc/[0-9]*; do
		read -r c <"$d/comm" 2>/dev/null || continue
		[ "$c" = cgherd-reaper ] || continue
		read -r _ _ st _ <"$d/stat" 2>/dev/null || continue
		[ "$st" = Z ] || echo "${d#/proc/}"
	done
}
has_reaper() { [ -n "$(reapers)" ]; }
no_reaper() { [ -z "$(reapers)" ]; }
field() { echo "$1" | sed -n "s/^$2=//p" | head -n 1; }
here_cg=$(sed -n 's/^0:://p' /proc/$$/cgroup)
# the reaper path is close=auto's on a plain mount (12-admin may leave favordynmods on)
fdm_before=0
if has_fdm; then fdm_before=1; fresh_mount; fi

# 1. kill_on_close = true: a leftover of a runuser session is killed and the leaf
# removed within 1 s of runuser's exit; close logged it as handed to the reaper
close_conf true
syslog_mark
out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup; sleep 1001 >/dev/null 2>&1 </dev/null & echo $!') ||
	fail "runuser login failed"
t0=$(uptime_cs)
cg=$(echo "$out" | head -n 1)
sp=$(echo "$out" | tail -n 1)
leaf=$CG$cg
case $cg in /cgherd/user-1001/session-*) ;; *) fail "session ran in '$cg'" ;; esac
gone() { ! alive "$sp" && [ ! -e "$leaf" ]; }
wait_for 3 gone || fail "3 s after runuser exited: sleep $sp alive? $(alive $sp && echo yes), leaf: $(ls -d $leaf 2>&1)"
t1=$(uptime_cs)
say "leftover killed and leaf removed $(fmt_cs $((t1 - t0))) s after runuser's exit"
assert_le $((t1 - t0)) 100 "centiseconds from runuser's exit to leftover killed and leaf removed"
wait_for 2 sh -c "[ ! -e $BASE/user-1001 ]" || fail "user-1001 left after its last session"
log=$(syslog_since)
assert_match "$log" "closed user=alice uid=1001 .*procs_left=1 leaf_to_reaper" "close log line"
echo "$log" | grep -q 'cgherd-reaper' && fail "the reaper logged: $(echo "$log" | grep cgherd-reaper)"

# 2. the opener is not moved back: still in its leaf right after close; no child and
# no SIGCHLD of the reaper (one SIGCHLD: the command's)
out=$(pamhost runuser alice 0 sh -c 'sleep 1002 >/dev/null 2>&1 </dev/null &') || fail "pamhost failed"
closed=$(field "$out" "closed cgroup")
case $closed in /cgherd/user-1001/session-*) ;; *) fail "after close pamhost was in '$closed', not in its leaf" ;; esac
assert_eq "$(field "$out" children)" none "children of the host after close"
assert_eq "$(field "$out" sigchld)" 1 "SIGCHLDs the host got (its command's only)"
wait_for 2 no_pids_cmd '^sleep 1002' || fail "pamhost's leftover survived"
# this login found the config in the cache: libconfig was not loaded
assert_eq "$(field "$out" libconfig)" no "libconfig mapped in a login with a valid config cache"
wait_for 2 sh -c "[ ! -e $CG$closed ]" || fail "pamhost's leaf $closed left"

# 3. exit status and sshd's log unchanged
as_runuser alice sh -c 'exit 7'
assert_eq "$?" 7 "runuser's exit status"
syslog_mark
for i in 1 2 3; do
	as_ssh alice true || fail "ssh login $i failed"
done
wait_no_leaves 1001 || fail "leaves left after 3 ssh logins: $(user_leaves 1001)"
noise=$(syslog_since | grep -E 'sshd' | grep -Ei 'unknown|child|waitpid|signal|fatal|error')
[ -z "$noise" ] || fail "sshd logged: $noise"

# 4. an opener lingering after close: the reaper holds no descriptor of the host's
# (its stdout is a pipe here), runs in the opener's original cgroup as init's child,
# and moves the opener out after 3 s, then ends the leaf
rm -f /tmp/cgh-linger
pamhost runuser alice 5000 | cat >/tmp/cgh-linger &
wait_for 3 has_reaper || fail "no reaper while the opener lingers"
wait_for 3 sh -c "grep -q '^closed' /tmp/cgh-linger" || fail "pamhost did not close"
closed=$(field "$(cat /tmp/cgh-linger)" "closed cgroup")
r=$(reapers | head -n 1)
fds=$(for f in /proc/$r/fd/*; do readlink "$f"; done | sort | tr '\n' ' ')
say "reaper $r: fds $fds; cmdline '$(tr '\0' ' ' </proc/$r/cmdline)'"
for f in $fds; do
	case $f in /dev/null | /sys/fs/cgroup | "$CG$closed" | "$CG$closed/cgroup.events" | 'anon_inode:[pidfd]') ;;
	*) fail "the reaper holds $f (fds: $fds)" ;;
	esac
done
assert_eq "$(awk '/^PPid:/ { print $2 }' /proc/$r/status)" 1 "the reaper's parent"
assert_eq "$(sed -n 's/^0:://p' /proc/$r/cgroup)" "$here_cg" "the reaper's cgroup (the opener's original)"
sleep 4
wait_for 3 sh -c "grep -q '^after' /tmp/cgh-linger" || fail "pamhost did not end: $(cat /tmp/cgh-linger)"
out=$(cat /tmp/cgh-linger)
closed=$(field "$out" "closed cgroup")
assert_eq "$(field "$out" "after cgroup")" "$here_cg" "the lingering opener's cgroup after 5 s"
assert_absent "$CG$closed" "leaf of the lingering opener"
wait_for 2 no_reaper || fail "reaper $(reapers) still alive"

# 5. kill_on_close = false: the leftover lives on, the leaf is collected once it ends
close_conf false
cg=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup; sleep 1003 >/dev/null 2>&1 </dev/null &') ||
	fail "runuser login failed"
wait_for 2 no_reaper || fail "reaper still alive with kill_on_close=false"
sp=$(pids_cmd '^sleep 1003')
[ -n "$sp" ] || fail "sleep 1003 did not survive with kill_on_close=false"
assert_eq "$(cg_procs $CG$cg)" "$sp" "cgroup.procs of the kept leaf"
kill -9 $sp
wait_for 5 cg_empty "$CG$cg" || fail "leaf still populated 5 s after the leftover died: $(cg_procs $CG$cg)"
cgherd gc >/dev/null 2>&1
assert_absent "$CG$cg" "leaf after its leftover ended and cgherd gc"
close_conf true

# 6. the reaper killed with SIGKILL: the leaf is left empty, to collection; the host
# is not disturbed
pamhost runuser alice 1500 >/tmp/cgh-killed &
hp=$!
wait_for 3 has_reaper || fail "no reaper"
kill -9 $(reapers)
wait $hp
assert_eq "$?" 0 "pamhost's exit status with its reaper killed"
closed=$(field "$(cat /tmp/cgh-killed)" "closed cgroup")
wait_for 2 cg_empty "$CG$closed" || fail "leaf populated after the opener exited"
assert_exists "$CG$closed" "leaf of a session whose reaper was killed"
cgherd gc >/dev/null 2>&1
assert_absent "$CG$closed" "leaf after cgherd gc"
assert_absent "$BASE/user-1001" "user dir after cgherd gc"

# 7. origins that cannot take a process: close does it all itself, before it returns
mkdir -p $CG/cgh-origin
fallback() {	# WHAT SETUP-COMMAND EXPECTED-CGROUP
	syslog_mark
	out=$(sh -c "echo \$\$ >$CG/cgh-origin/cgroup.procs && exec pamhost runuser alice 0 sh -c '$2'") ||
		fail "$1: pamhost failed"
	closed=$(field "$out" "closed cgroup")
	assert_eq "$closed" "$3" "$1: pamhost's cgroup right after close"
	assert_eq "$(count_leaves 1001)" 0 "$1: leaves right after close"
	assert_match "$(syslog_since)" "closed user=alice .* leaf_removed" "$1: close log line"
	no_reaper || fail "$1: a reaper runs: $(reapers)"
}
fallback "a domain controller in the origin's subtree_control" "echo +memory >$CG/cgh-origin/cgroup.subtree_control" /
echo -memory >$CG/cgh-origin/cgroup.subtree_control
fallback "pids.max reached in the origin" "echo 0 >$CG/cgh-origin/pids.max" /cgh-origin
echo max >$CG/cgh-origin/pids.max
fallback "origin removed" "rmdir $CG/cgh-origin" /

# 8. 50 sequential and 16 parallel logins: no leaf 2 s after the last exit
i=0
while [ $i -lt 50 ]; do
	i=$((i + 1))
	as_runuser alice true || fail "sequential login $i failed"
done
i=0
while [ $i -lt 16 ]; do
	i=$((i + 1))
	as_runuser alice true &
done
wait
wait_for 2 sh -c "[ -z \"\$(ls -d $BASE/user-*/session-* 2>/dev/null)\" ]" ||
	fail "leaves 2 s after 50 + 16 logins: $(ls -d $BASE/user-*/session-*)"
no_reaper || fail "reapers left: $(reapers)"

# 9. favordynmods: close=auto moves the opener back and ends the leaf itself (faster
# there, bench section 5b); close=reaper still hands it to the reaper
mount -o remount,favordynmods $CG || fail "cannot remount with favordynmods"
has_fdm || fail "favordynmods not on after the remount"
syslog_mark
out=$(pamhost runuser alice 0 sh -c 'sleep 1003 >/dev/null 2>&1 </dev/null &') || fail "favordynmods: pamhost failed"
assert_eq "$(field "$out" "closed cgroup")" "$here_cg" "favordynmods, close=auto: pamhost's cgroup right after close"
assert_eq "$(count_leaves 1001)" 0 "favordynmods, close=auto: leaves right after close"
no_pids_cmd '^sleep 1003' || fail "favordynmods, close=auto: the leftover lives after close"
assert_match "$(syslog_since)" "closed user=alice .*procs_left=1 leaf_removed" "favordynmods, close=auto: close log line"
no_reaper || fail "favordynmods, close=auto: a reaper runs: $(reapers)"
pam_args close=reaper
out=$(pamhost runuser alice 0 sh -c 'sleep 1004 >/dev/null 2>&1 </dev/null &') || fail "close=reaper: pamhost failed"
closed=$(field "$out" "closed cgroup")
case $closed in /cgherd/user-1001/session-*) ;; *) fail "favordynmods, close=reaper: after close pamhost was in '$closed', not in its leaf" ;; esac
wait_for 2 no_pids_cmd '^sleep 1004' || fail "favordynmods, close=reaper: the leftover survived"
wait_for 2 sh -c "[ ! -e $CG$closed ]" || fail "favordynmods, close=reaper: leaf $closed left"
pam_args
[ "$fdm_before" = 1 ] || fresh_mount
true
