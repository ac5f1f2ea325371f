# Helper library of the pam_cgherd VM scenarios (busybox sh, sourced).
# A scenario is a shell fragment run by suite.sh; it passes by ending normally and
# fails by calling `fail REASON` (or any non-zero exit).

CG=/sys/fs/cgroup
BASE=$CG/cgherd
CONF=/etc/security/cgherd.conf
SYSLOG=/var/log/messages

# uids of the test users (see mkinitramfs.sh)
UID_sys=500 UID_alice=1001 UID_bob=1002 UID_carol=1003 UID_dave=1004

say() { echo "  $*"; }

fail() {
	echo "$*" | tr '\n' ' ' | sed 's/ *$//' >/tmp/cgh.reason
	echo >>/tmp/cgh.reason
	echo "  FAIL: $*"
	exit 1
}

# --- assertions ----------------------------------------------------------
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
assert_ne() { [ "$1" != "$2" ] || fail "${3:-value}: expected not '$2'"; }
assert_ge() { [ "$1" -ge "$2" ] 2>/dev/null || fail "${3:-value}: expected >= $2, got '$1'"; }
assert_le() { [ "$1" -le "$2" ] 2>/dev/null || fail "${3:-value}: expected <= $2, got '$1'"; }
assert_exists() { [ -e "$1" ] || fail "${2:-path} $1 does not exist"; }
assert_absent() { [ ! -e "$1" ] || fail "${2:-path} $1 still exists"; }
# assert_match STRING EXTENDED_REGEX [WHAT]
assert_match() { echo "$1" | tr '\n' ' ' | sed 's/ *$//' | grep -Eqi -- "$2" || fail "${3:-value}: '$1' does not match /$2/"; }

# --- time ------------------------------------------------------------------
# uptime in centiseconds
uptime_cs() {
	local u
	read -r u _ </proc/uptime
	echo $(( ${u%.*} * 100 + 1${u#*.} - 100 ))
}
fmt_cs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
wait_for() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# --- cgroup files ----------------------------------------------------------
# cg_read FILE: the file's content, one line ("" if missing)
cg_read() { cat "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//'; }
# cg_key FILE KEY: value of KEY in a flat-keyed file (memory.events, cpu.stat, ...)
cg_key() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "" }' "$1" 2>/dev/null; }
# cg_procs DIR: pids in DIR/cgroup.procs, space separated
cg_procs() { cat "$1/cgroup.procs" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//'; }
cg_populated() { [ "$(cg_key "$1/cgroup.events" populated)" = 1 ]; }
cg_empty() { [ "$(cg_key "$1/cgroup.events" populated)" = 0 ]; }

user_dir() { echo "$BASE/user-$1"; }
# user_leaves UID: the session leaves of a user, one per line
user_leaves() { ls -d "$BASE/user-$1"/session-* 2>/dev/null; }
count_leaves() { user_leaves "$1" | grep -c . ; }
# wait_no_leaves UID: wait (10 s) until the user has no leaf left (sshd closes the PAM
# session after the client has already seen the end of the channel)
wait_no_leaves() { wait_for 10 sh -c "! ls -d $BASE/user-$1/session-* >/dev/null 2>&1"; }
# leaf_of_pid PID: absolute cgroup directory of a process
leaf_of_pid() { echo "$CG$(sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null)"; }

# --- processes -------------------------------------------------------------
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# pids_cmd REGEX: pids whose command line (spaces for NULs) matches REGEX
pids_cmd() {
	local d c
	for d in /proc/[0-9]*; do
		c=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue
		[ -n "$c" ] || continue
		echo "$c" | grep -Eq -- "$1" && ! grep -q '^State:.*Z' "$d/status" 2>/dev/null && echo "${d#/proc/}"
	done
}
no_pids_cmd() { [ -z "$(pids_cmd "$1")" ]; }
has_pids_cmd() { [ -n "$(pids_cmd "$1")" ]; }

# leaf_pid LEAF: the opener's pid from a leaf's name (session-<pid>[-<n>])
leaf_pid() { local p=${1##*/session-}; echo "${p%%-*}"; }

# favordynmods on the cgroup2 mount: has_fdm; fresh_mount: mounted again without it
# (busybox's remount carries the current options over)
has_fdm() { grep -q ' /sys/fs/cgroup .*favordynmods' /proc/self/mountinfo; }
fresh_mount() {
	umount -l /sys/fs/cgroup && mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup ||
		fail "cannot mount cgroup2 again"
	! has_fdm || fail "favordynmods still on"
}

# --- config and PAM ----------------------------------------------------------
# write_conf: stdin -> /etc/security/cgherd.conf, root-owned, 0644
write_conf() {
	cat >"$CONF"
	chown 0:0 "$CONF"
	chmod 644 "$CONF"
}

# close_conf true|false: herd everyone but uid < 1000 with pids_max 1024 and
# kill_on_close as given
close_conf() {
	write_conf <<CONF
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = $1;
default_action = "herd";
session = { pids_max = 1024; };
rules = ( { name = "system"; match = { uid = "0-999"; }; action = "ignore"; } );
CONF
}

# pam_args ARGS...: module arguments of pam_cgherd in every PAM stack
pam_args() {
	local f
	for f in /etc/pam.d.tmpl/*; do
		sed "s|@ARGS@|$*|" "$f" >"/etc/pam.d/${f##*/}"
	done
}

# syslog_mark: remember the end of the log; syslog_since: what was logged after it
syslog_mark() { SYSLOG_MARK=$(wc -l <"$SYSLOG" 2>/dev/null || echo 0); }
syslog_since() { sleep 0.3; tail -n +$((SYSLOG_MARK + 1)) "$SYSLOG" 2>/dev/null; }

# --- logins ------------------------------------------------------------------
# as_runuser USER CMD...: a PAM session through runuser (service "runuser")
as_runuser() {
	local u=$1
	shift
	runuser -u "$u" -- "$@"
}
# as_ssh USER 'SHELL COMMAND': a PAM session through sshd (service "sshd")
as_ssh() {
	local u=$1
	shift
	ssh -T -n -i /etc/ssh/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=20 "$u@127.0.0.1" "$@"
}

# try_login CASE MODE REASON_REGEX [ROOT]: one runuser login of alice, checked.
# MODE "deny": refused (runuser fails, the command did not run); "allow": let in
# unconfined (in the caller's cgroup); "herd": herded in a leaf of user-1001 in spite
# of the fault.  REASON_REGEX must match the module's error lines (deny, allow), or
# any of its lines (herd: run with the module argument `debug` to see its debug
# lines); deny and allow lines must say what became of the login.  Nothing half-made
# may be left: no user-1001 under ROOT/cgherd (ROOT: $CG) once the login is over.
try_login() {
	local case=$1 mode=$2 why=$3 root=${4:-$CG} rc=0 out lines log mine
	mine=$(sed -n 's/^0:://p' /proc/$$/cgroup)
	rm -f /tmp/cgh-ran
	syslog_mark
	out=$(runuser -u alice -- sh -c 'touch /tmp/cgh-ran; sed -n "s/^0:://p" /proc/$$/cgroup' 2>&1) || rc=$?
	lines=$(syslog_since | grep -i cgherd)
	[ "$mode" = herd ] || lines=$(echo "$lines" | grep -E '\.(err|crit|alert|emerg) ')
	lines=$(echo "$lines" | sed 's/^.*pam_cgherd([^)]*): //')
	say "$case, $mode: runuser exit $rc; $([ "$mode" = herd ] && echo lines || echo errors) logged:"
	echo "$lines" | sed 's/^/      /'
	log=$(echo "$lines" | tr "\n" " ")
	case $mode in
	deny)
		assert_ne "$rc" 0 "$case, deny: runuser exit status"
		assert_absent /tmp/cgh-ran "$case, deny: the command ran anyway:"
		;;
	allow)
		assert_eq "$rc" 0 "$case, allow: runuser exit status (output: $out)"
		assert_exists /tmp/cgh-ran "$case, allow: file made by the command"
		assert_eq "$(echo "$out" | tail -n 1)" "$mine" "$case, allow: cgroup of the unconfined session"
		;;
	herd)
		assert_eq "$rc" 0 "$case, herd: runuser exit status (output: $out)"
		assert_match "$(echo "$out" | tail -n 1)" "^/cgherd/user-1001/session-[0-9]+(-[0-9]+)?$" "$case, herd: cgroup of the session"
		;;
	esac
	[ -n "$log" ] || fail "$case, $mode: no line from the module in syslog"
	assert_match "$log" "$why" "$case, $mode: syslog lines (reason)"
	case $mode in
	deny) assert_match "$log" "refus|deni|deny" "$case, deny: syslog error line (says the login was refused)" ;;
	allow) assert_match "$log" "allow|unconfined|let in|without" "$case, allow: syslog error line (says the login was allowed)" ;;
	esac
	wait_for 5 sh -c "[ ! -e $root/cgherd/user-1001 ]" || fail "$case, $mode: half-made or left user dir: $(ls $root/cgherd/user-1001 2>&1 | tr '\n' ' ')"
}

# --- reset between scenarios ----------------------------------------------------
# kill everything below a cgroup directory and remove the directories
cg_destroy() {
	local d=$1
	[ -d "$d" ] || return 0
	echo 1 >"$d/cgroup.kill" 2>/dev/null
	wait_for 5 cg_empty "$d" 2>/dev/null
	find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	[ ! -d "$d" ]
}

vm_reset() {
	local d uid pid
	# processes of test users, and login clients left over
	for d in /proc/[0-9]*; do
		uid=$(awk '/^Uid:/ { print $2 }' "$d/status" 2>/dev/null)
		case $uid in 500 | 100[1-4]) kill -9 "${d#/proc/}" 2>/dev/null ;; esac
	done
	for pid in $(pids_cmd '^(runuser|ssh) '); do
		kill -9 "$pid" 2>/dev/null
	done
	cg_destroy "$BASE"
	for d in "$CG"/cgh-*; do
		[ -d "$d" ] && cg_destroy "$d"
	done
	rm -f "$CONF" /tmp/cgh.reason /tmp/cgh-*
	pam_args ""
	return 0
}
