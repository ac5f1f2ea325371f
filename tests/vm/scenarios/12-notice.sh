# notice: a user is told why a session was killed.  A hogherder killed over ssh while
# the same user has a second ssh session with a pty: the line reaches that session's
# terminal within 2 s (what its ssh client printed), and the next interactive login
# (a runuser login shell on a terminal) prints it once, the one after nothing, while logins without
# a terminal keep it; with watch running, `ssh host cmd` keeps it (sshd does not print
# it: the module cannot know at open) and an ssh login with a shell takes it once watch
# sees the shell; the same with watch not running (the module's collection writes
# the record), shown by an ssh login with a pty, which takes it.  A leaf that names another user's
# terminal, a symlink or a file gets nothing written there; a huge, symlinked or
# foreign record file and an open directory are refused with a log line, not shown.
WLOG=/tmp/cgh-watch.log
HELP='Limits on this host: https://example.org/limits'
STORE=/var/lib/cgherd
write_conf <<CONF
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "100M"; memory_swap_max = "0"; oom_group = true; }; }
);
notices = { at_login = true; tty = true; help = "$HELP"; };
CONF
pam_args debug
rm -rf "$STORE"
# the reaper path (close=auto's on a plain mount): 10-cli and 12-admin may leave
# favordynmods on, where close ends the leaf itself and records the close-kill notice
fdm_before=0
if has_fdm; then fdm_before=1; fresh_mount; fi

SSH_OPTS="-i /etc/ssh/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=20"
HOG='/usr/local/bin/hog mem 3 60'
LINE_RE="it reached its memory limit of 100M \(peak 100M\), [0-9]+ processes killed \(biggest: hog\)\. Rule: students\. $HELP"

# pty_session USER OUT SECS: an ssh session with a pty running sleep SECS, and
# another in a session of its own (which outlives the pty); what its client
# prints goes to OUT.  Prints the client's pid.
pty_session() {
	sleep "$3" | ssh -tt $SSH_OPTS "$1@127.0.0.1" "setsid sleep $3 </dev/null >/dev/null 2>&1 & sleep $3" >"$2" 2>&1 &
	echo $!
}
# tty_runuser USER: a runuser login shell on a terminal (script(1) gives it a pty;
# runuser prints PAM's messages only for a login shell, service runuser-l)
tty_runuser() { echo exit | script -qec "runuser -l $1" /dev/null 2>&1; }
# tty_ssh USER: an interactive ssh login with a pty (no command), which exits at once
tty_ssh() { echo exit | ssh -tt $SSH_OPTS "$1@127.0.0.1" 2>&1; }
notices_of() { grep -c 'cgherd: ' ; }
# group_kill UID CMD...: runs CMD (a login of UID that hogs memory) in the
# background and waits for the kernel to kill its session as a group (watch may
# collect the leaf at once); the new leaf in KLEAF.  Only cgroup files are polled:
# scanning /proc is too slow under TCG for a session that lives a few seconds.
group_kill() {
	local uid=$1 old i=0
	shift
	old=" $(user_leaves "$uid" | tr '\n' ' ') "
	"$@" >/dev/null 2>&1 &
	KLEAF=
	while [ -z "$KLEAF" ] && [ $i -lt 200 ]; do
		for l in $(user_leaves "$uid"); do
			case $old in *" $l "*) ;; *) KLEAF=$l ;; esac
		done
		i=$((i + 1))
		[ -n "$KLEAF" ] || sleep 0.1
	done
	[ -n "$KLEAF" ] || fail "no new session of uid $uid: $*"
	wait_for 30 group_killed "$KLEAF" || fail "no group kill in $KLEAF: $(cg_read "$KLEAF/memory.events")"
	wait_for 10 leaf_done "$KLEAF" || fail "$KLEAF still populated: $(cg_procs "$KLEAF")"
}
group_killed() { [ ! -e "$1" ] || [ "$(cg_key "$1/memory.events" oom_group_kill)" -ge 1 ] 2>/dev/null; }
leaf_done() { [ ! -e "$1" ] || cg_empty "$1"; }
wlog_has() { grep -qE -- "$1" "$WLOG" 2>/dev/null; }
leaves_at_least() { [ "$(count_leaves "$1")" -ge "$2" ]; }

# --- watch running: at once on the other terminal, then at the next login ---------------
cgherd watch -f >"$WLOG" 2>&1 &
WPID=$!
wait_for 10 wlog_has "watching /sys/fs/cgroup/cgherd" || fail "watch did not start: $(cat $WLOG)"
syslog_mark
T2=$(pty_session alice /tmp/cgh-tty2.out 40)
wait_for 15 leaves_at_least 1001 1 || fail "the pty session did not start"
leaf2=$(user_leaves 1001 | head -n 1)
logged() { syslog_since | grep -q -- "$1"; }
# sshd opens the PAM session before it makes the pty: PAM_TTY says "ssh"; the line
# finds the terminal as the controlling terminal of the session's processes
wait_for 5 logged "login recorded on cgherd/user-1001/${leaf2##*/}: service=sshd tty=ssh rhost=127.0.0.1" ||
	fail "the pty session's login: $(syslog_since | grep 'login recorded' | tail -n 2)"
say "pty session $T2 in $leaf2; hogherder over ssh"
group_kill 1001 as_ssh alice "$HOG"
hleaf=$KLEAF
t_kill=$(uptime_cs)
wait_for 2 grep -q 'cgherd: ' /tmp/cgh-tty2.out || fail "no notice on the other terminal within 2 s: $(cat /tmp/cgh-tty2.out)"
t_tty=$(uptime_cs)
line=$(grep 'cgherd: ' /tmp/cgh-tty2.out | tr -d '\r')
say "on the pty session's terminal $(fmt_cs $((t_tty - t_kill)))s after the kill was seen: $line"
assert_match "$line" "^cgherd: your ssh session from 127\.0\.0\.1 \(started [0-9]{2}:[0-9]{2}\) was ended at [0-9]{2}:[0-9]{2}: $LINE_RE$" "the line on the terminal"
assert_eq "$(notices_of </tmp/cgh-tty2.out)" 1 "lines on the other terminal"
wait_for 3 sh -c "[ ! -e $hleaf ]" || fail "watch did not collect $hleaf"
out=$(cgherd notices alice)
assert_match "$out" "^alice \(uid 1001\): cgherd: your ssh session from 127\.0\.0\.1 .*$LINE_RE" "cgherd notices alice"
# a login without a terminal keeps it
out=$(as_runuser alice true 2>&1)
assert_eq "$(echo "$out" | notices_of)" 0 "runuser without a terminal"
assert_eq "$(cgherd notices alice | notices_of)" 1 "records after a login without a terminal"
out=$(tty_runuser alice)
say "runuser on a terminal printed: $(echo "$out" | grep 'cgherd: ' | tr -d '\r')"
assert_eq "$(echo "$out" | notices_of)" 1 "notices shown by the next runuser login on a terminal"
assert_match "$out" "$LINE_RE" "the line at login"
out=$(tty_runuser alice)
assert_eq "$(echo "$out" | notices_of)" 0 "notices shown by the login after"
assert_eq "$(cgherd notices alice)" "no notices" "cgherd notices after the login"
kill "$WPID"
wait "$WPID"
# the pty session's client goes away: the hangup ends its foreground sleep (not
# told: it ended by itself, and so does a nohup one), sshd closes it with the
# setsid sleep left, which kill_on_close kills: the reaper (close hands it the
# leaf) records a notice of that once sshd has exited, and writes its line to the
# terminal of alice's third session
# a third session with a pty, alive at that close: the reaper writes the line there
sleep 60 | ssh -tt $SSH_OPTS alice@127.0.0.1 "sleep 60" >/tmp/cgh-tty3.out 2>&1 &
T3=$!
wait_for 15 leaves_at_least 1001 2 || fail "the third pty session did not start"
# (up once a process of it has the pty as its controlling terminal, which is how
# close finds it: tty_nr of /proc/PID/stat; a descriptor on /dev/pts is not
# enough, as sshd's monitor can hold the new pty's slave on fd 0 before the
# session's shell exists, and a close then finds no terminal: a red CI)
tty3_up() {
	for l in $(user_leaves 1001); do
		[ "$l" = "$leaf2" ] && continue
		for p in $(cg_procs "$l"); do
			case $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f5) in
			'' | 0) ;;
			*) return 0 ;;
			esac
		done
	done
	return 1
}
wait_for 15 tty3_up || fail "the third session has no terminal yet"
kill "$T2" 2>/dev/null
wait_for 10 sh -c "[ ! -e $leaf2 ]" || fail "the pty session was not closed"
wait_for 5 grep -q 'left running in it was killed' /tmp/cgh-tty3.out ||
	fail "the reaper's kill at close did not reach the third terminal: $(cat /tmp/cgh-tty3.out)"
say "on the third terminal: $(grep 'cgherd: ' /tmp/cgh-tty3.out | tr -d '\r')"
assert_match "$(grep 'cgherd: ' /tmp/cgh-tty3.out | tr -d '\r')" "^cgherd: when your ssh session from 127\.0\.0\.1 \(started [0-9:]{5}\) ended at [0-9:]{5}, 1 process left running in it was killed\. Rule: students\. $HELP$" "the reaper's line on the third terminal"
kill "$T3" 2>/dev/null
no_leaves() { [ "$(count_leaves "$1")" = 0 ]; }
wait_for 15 no_leaves 1001 || fail "the third session was not closed: $(user_leaves 1001)"
out=$(cgherd notices alice)
assert_match "$out" "^alice \(uid 1001\): cgherd: when your ssh session from 127\.0\.0\.1 \(started [0-9:]{5}\) ended at [0-9:]{5}, 1 process left running in it was killed\. Rule: students\. $HELP$" "notice of the kill at close (syslog: $(syslog_since | grep -E 'reaper|kill at close' | tail -n 3))"
assert_eq "$(tty_runuser alice | notices_of)" 1 "the close notice shown"

# --- watch running: `ssh host cmd` is shown the record but does not print it -------------
# (sshd opens the session before it knows): the record stays, the leaf marked, until
# watch sees a login shell in an ssh session; then it goes
cgherd watch -f >"$WLOG" 2>&1 &
WPID=$!
wait_for 10 wlog_has "watching /sys/fs/cgroup/cgherd" || fail "watch did not start: $(cat $WLOG)"
say "hogherder over ssh; then ssh host command, then ssh with a shell"
group_kill 1001 as_ssh alice "$HOG"
wait_for 5 sh -c "cgherd notices alice | grep -q 'cgherd: '" || fail "no record of the kill"
syslog_mark
out=$(as_ssh alice true 2>&1)
assert_eq "$(echo "$out" | notices_of)" 0 "notices printed by ssh host command"
assert_match "$(syslog_since)" "notices for uid=1001: 1 shown, kept until a login shell is seen" "the module kept it"
sleep 2	# watch's looks (every second) find no login shell there
assert_eq "$(cgherd notices alice | notices_of)" 1 "records after ssh host command"
out=$(printf 'sleep 3\nexit\n' | ssh -tt $SSH_OPTS alice@127.0.0.1 2>&1)
say "ssh with a shell printed: $(echo "$out" | grep 'cgherd: ' | tr -d '\r')"
assert_eq "$(echo "$out" | notices_of)" 1 "notices printed by ssh with a shell"
wait_for 5 wlog_has "notices for uid=1001: 1 shown at the login of .* removed \(a login shell runs there\)" ||
	fail "watch did not take the record: $(grep 'shown' $WLOG | tail -n 3)"
assert_eq "$(cgherd notices alice)" "no notices" "records after ssh with a shell"
assert_eq "$(tty_ssh alice | notices_of)" 0 "notices shown by the ssh login after"
kill "$WPID"
wait "$WPID"

# --- watch not running: the module's collection writes it --------------------------------
say "watch stopped; hogherder through runuser"
group_kill 1001 runuser -u alice -- $HOG
dleaf=$KLEAF
assert_eq "$(cgherd notices alice)" "no notices" "records before the collection"
out=$(as_runuser alice true 2>&1)	# collects the dead leaf, shows nothing
assert_absent "$dleaf" "the dead leaf after the next login"
assert_eq "$(echo "$out" | notices_of)" 0 "runuser without a terminal"
out=$(cgherd notices alice)
assert_match "$out" "^alice \(uid 1001\): cgherd: your runuser session \(started [0-9:]{5}\) was ended at [0-9:]{5}: it reached its memory limit of 100M \(peak 100M\), [0-9]+ processes killed\. Rule: students\." "record written by the module"
out=$(tty_ssh alice)
say "ssh with a pty printed: $(echo "$out" | grep 'cgherd: ' | tr -d '\r')"
assert_eq "$(echo "$out" | notices_of)" 1 "notices shown by the next ssh login with a pty"
out=$(tty_ssh alice)
assert_eq "$(echo "$out" | notices_of)" 0 "notices shown by the ssh login after"

# --- the line goes to no one else's terminal, no symlink, no file ------------------------
say "forged terminals"
TB=$(pty_session bob /tmp/cgh-bob.out 40)
wait_for 15 leaves_at_least 1002 1 || fail "bob's pty session did not start"
bob_tty() {
	for p in $(cat "$(user_leaves 1002 | head -n 1)/cgroup.procs"); do
		t=$(readlink "/proc/$p/fd/0" 2>/dev/null)
		case $t in /dev/pts/*) bobtty=$t; return 0 ;; esac
	done
	return 1
}
wait_for 10 bob_tty || fail "bob's terminal"
case $bobtty in /dev/pts/*) ;; *) fail "bob's terminal: '$bobtty'" ;; esac
: >/tmp/cgh-file
chmod 666 /tmp/cgh-file
ln -sf /tmp/cgh-file /dev/shm/cgh-link
ln -sf "$bobtty" /dev/shm/cgh-link-bob
for t in "$bobtty" /dev/shm/cgh-link /dev/shm/cgh-link-bob /tmp/cgh-file; do
	runuser -u alice -- sleep 1001 &
done
wait_for 10 leaves_at_least 1001 4 || fail "alice's sessions"
set -- "$bobtty" /dev/shm/cgh-link /dev/shm/cgh-link-bob /tmp/cgh-file
for l in $(user_leaves 1001); do
	/usr/local/bin/hog setxattr "$l" trusted.cgherd.login "started=1 service=sshd tty=$1" || fail "setxattr $l"
	shift
done
syslog_mark
group_kill 1001 runuser -u alice -- $HOG
as_runuser alice true || fail "collecting login"
log=$(syslog_since)
assert_match "$log" "notice recorded for uid=1001 kind=oom_group" "the record"
assert_match "$log" "to $bobtty of .*: /dev/pts/[0-9]+: owned by uid 1002, not the user's 1001: refused" "bob's terminal refused"
assert_match "$log" "to /dev/shm/cgh-link of .*: /dev/shm/cgh-link: a symlink: refused" "symlink to a file refused"
assert_match "$log" "to /dev/shm/cgh-link-bob of .*: /dev/shm/cgh-link-bob: a symlink: refused" "symlink to bob's terminal refused"
assert_match "$log" "to /tmp/cgh-file of .*: not a name under /dev: refused" "a file refused"
assert_eq "$(wc -c </tmp/cgh-file)" 0 "bytes written to the file"
assert_eq "$(notices_of </tmp/cgh-bob.out)" 0 "lines on bob's terminal"
kill "$TB" 2>/dev/null

# --- hostile record files and directory: refused, logged, not shown ------------------------
say "hostile record files"
rec=$(cat "$STORE/user-1001")
[ -n "$rec" ] || fail "no record file to play with"
try_hostile() {	# WHAT LOG_REGEX
	syslog_mark
	out=$(tty_runuser alice)
	assert_eq "$(echo "$out" | notices_of)" 0 "$1: notices shown"
	assert_match "$(syslog_since)" "notices for uid=1001 not shown: .*$2" "$1: log line"
}
head -c 20000 /dev/zero | tr '\0' x >"$STORE/user-1001"
try_hostile "a huge file" "20000 bytes, more than 8192: refused"
echo "$rec" >/tmp/cgh-records
rm -f "$STORE/user-1001"
ln -s /tmp/cgh-records "$STORE/user-1001"
try_hostile "a symlink" "a symlink: refused"
rm -f "$STORE/user-1001"
echo "$rec" >"$STORE/user-1001"
chown 1001 "$STORE/user-1001"
try_hostile "alice's own file" "owner 1001, mode 0644"
chown 0 "$STORE/user-1001"
chmod 600 "$STORE/user-1001"
chmod 755 "$STORE"
try_hostile "an open directory" "mode 0755 gives group or others access"
chmod 700 "$STORE"
out=$(tty_runuser alice)
assert_eq "$(echo "$out" | notices_of)" 1 "the same record, made safe again, shown: $(echo "$out" | grep "cgherd: " | tr -d "\r")"
[ "$fdm_before" = 0 ] || mount -o remount,favordynmods $CG || fail "cannot remount with favordynmods"
true
