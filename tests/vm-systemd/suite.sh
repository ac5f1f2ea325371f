#!/bin/bash
# The systemd-host suite, run by cgh-suite.service once the VM is up.  Each
# scenario prints "@@CGH PASS name" or "@@CGH FAIL name: reason" on the console;
# the verdicts come from the kernel's cgroup files and from logind.
# shellcheck disable=SC2016 # single quotes: commands for the shell of the login
# shellcheck disable=SC2001 # sed indents output of many lines
# Some scenarios depend on the systemd version ("@@CGH SYSTEMD N"): from
# OOM_POLICY on (the module's CGH_SYSTEMD_OOM_POLICY_VERSION, given by run.sh
# as cgh.oom_policy=N) the module leaves memory.oom.group of a session scope to
# the drop-in session-.scope.d/50-cgherd-oom.conf (OOMPolicy=kill) and refuses
# the herding without it; before, it writes the file itself.
CG=/sys/fs/cgroup
CONF=/etc/security/cgherd.conf
DROPIN=/usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf
SYSTEMD=$(systemctl --version | awk 'NR == 1 { print $2 }')
OOM_POLICY=$(sed -n 's/.*cgh\.oom_policy=\([0-9]*\).*/\1/p' /proc/cmdline)

echo "@@CGH BOOTED $(cut -d' ' -f1 /proc/uptime)"
echo "@@CGH SYSTEMD $SYSTEMD"

fail() { echo "@@CGH FAIL $scenario: $*"; return 1; }
as_ssh() {
	local u=$1
	shift
	ssh -T -n -i /etc/ssh/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=30 "$u@127.0.0.1" "$@"
}
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}
key() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }
conf() {	# backend [on_error]
	cat >"$CONF" <<C
backend = "$1";
on_error = "${2:-deny}";
session = { pids_max = 1024; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = "students"; };
    session = { memory_max = "500M"; memory_swap_max = "0"; cpu_max = "20%"; };
    user = { memory_max = "700M"; }; }
);
C
	chmod 644 "$CONF"
}
no_user_sessions() { [ -z "$(loginctl list-sessions --no-legend | awk '$3 == "alice"')" ]; }
runtime_gone() { [ ! -d /run/user/1001 ]; }

# The login lands in its logind scope, which carries the rule's limits and
# memory.oom.group = 1, and whose unit says OOMPolicy=kill: systemd applied the
# drop-in (252 does too; from OOM_POLICY on, the 1 is systemd's alone, as
# scenario nodropin_allow shows); logind still lists the session; nothing is
# made under cgherd's own base.
scenario_login() {
	local out cg
	out=$(as_ssh alice 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "CG $cg";
		d=/sys/fs/cgroup$cg; u=${d%/*}
		echo "LIM $(cat $d/memory.max) $(cat $d/memory.swap.max) $(cat $d/cpu.max) $(cat $d/pids.max) $(cat $d/memory.oom.group) $(cat $u/memory.max)";
		echo "POLICY $(systemctl show -P OOMPolicy ${d##*/})";
		echo "RUN $(test -d /run/user/1001 && echo yes)";
		loginctl list-sessions --no-legend | awk "\$3 == \"alice\" { print \"LOGIND \" \$1 }"') ||
		{ fail "ssh login refused: $(journalctl -q -b --no-pager | grep -i cgherd | tail -n 3 | tr '\n' ' ')"; return 1; }
	echo "$out" | sed 's/^/  /'
	cg=$(echo "$out" | sed -n 's/^CG //p')
	[[ $cg =~ ^/user\.slice/user-1001\.slice/session-[0-9a-z]+\.scope$ ]] || { fail "session in '$cg', not in a logind scope"; return 1; }
	[ "$(echo "$out" | sed -n 's/^LIM //p')" = "524288000 0 20000 100000 1024 1 734003200" ] ||
		{ fail "scope limits: $(echo "$out" | sed -n 's/^LIM //p'), expected 524288000 0 20000 100000 1024 1 734003200"; return 1; }
	[ "$(echo "$out" | sed -n 's/^POLICY //p')" = kill ] ||
		{ fail "the scope's OOMPolicy is '$(echo "$out" | sed -n 's/^POLICY //p')', not kill: drop-in not applied"; return 1; }
	echo "$out" | grep -q '^LOGIND ' || { fail "loginctl did not list alice's session"; return 1; }
	[ "$(echo "$out" | sed -n 's/^RUN //p')" = yes ] || { fail "no /run/user/1001 during the session"; return 1; }
	[ ! -e $CG/cgherd ] || { fail "$CG/cgherd was created in systemd mode"; return 1; }
}

# cgherd status and explain understand the systemd backend: a live session is
# listed under its logind scope, explain names the backend.
scenario_status() {
	local out
	as_ssh alice 'sleep 30' &
	wait_for 30 sh -c 'loginctl list-sessions --no-legend | grep -q alice' || { fail "session did not start"; return 1; }
	sleep 1
	out=$(cgherd status) || { fail "cgherd status: exit $?"; return 1; }
	echo "$out" | sed 's/^/  /'
	echo "$out" | grep -Eq '^alice +user\.slice/user-1001\.slice/session-[0-9a-z]+\.scope ' ||
		{ fail "status does not list alice's scope"; return 1; }
	out=$(cgherd explain --service sshd alice) || { fail "cgherd explain: exit $?"; return 1; }
	echo "$out" | grep -q '^backend: auto' || { fail "explain does not name the backend"; return 1; }
	echo "$out" | grep -q 'MemoryMax\|memory.max *= 524288000' || { fail "explain: no memory.max"; return 1; }
	pkill -f 'sleep 30' || true
	wait
}

# The hogherder: 3 x 300 MB under 500M without swap, oom_group on the scope: the
# whole session dies (sshd's [priv] included), counted in the user slice.
scenario_hog() {
	local slice=$CG/user.slice/user-1001.slice before after rc=0
	as_ssh alice 'sleep 1' || { fail "first login refused"; return 1; }
	before=$(key $slice/memory.events oom_group_kill)
	as_ssh alice '/usr/local/bin/hog mem 3 300' >/dev/null 2>&1 || rc=$?
	after=$(key $slice/memory.events oom_group_kill)
	echo "  ssh exit $rc, user slice oom_group_kill ${before:-?} -> ${after:-?}"
	[ "$rc" != 0 ] || { fail "the hog session ended normally"; return 1; }
	{ [ -n "$after" ] && [ "$after" -gt "${before:-0}" ]; } || { fail "no group OOM kill counted (${before:-?} -> ${after:-?})"; return 1; }
	wait_for 10 sh -c '! pgrep -f "^/usr/local/bin/hog" >/dev/null' || { fail "hog processes survived: $(pgrep -af hog)"; return 1; }
}

# cgherd watch follows logind's scopes: the hogherder's group kill gives the notice
# and runs on_oom, both naming the scope and alice's uid (rule=?: nothing records a
# rule on a scope); the dead scope is left to systemd, which removes it.
WLOG=/tmp/cgh-watch.log
ONOOM=/tmp/cgh-onoom.out
watch_stop() { kill "$WPID"; wait "$WPID" 2>/dev/null; conf auto; }
scenario_watch() {
	local line scope t_oom
	printf '#!/bin/sh\necho "$(cut -d" " -f1 /proc/uptime) $*" >>%s\n' $ONOOM >/tmp/cgh-onoom.sh
	chmod 755 /tmp/cgh-onoom.sh
	echo 'watch = { on_oom = "/tmp/cgh-onoom.sh %u %U %s %r"; };' >>"$CONF"
	cgherd watch -f >$WLOG 2>&1 &
	WPID=$!
	wait_for 10 grep -q "logind_scopes=$CG/user.slice" $WLOG || { fail "watch did not start: $(cat $WLOG)"; watch_stop; return 1; }
	scenario_hog || { watch_stop; return 1; }
	wait_for 10 test -s $ONOOM || { fail "on_oom did not run: $(grep oom $WLOG)"; watch_stop; return 1; }
	line=$(cat $ONOOM)
	scope=$(echo "$line" | cut -d' ' -f4)
	echo "  on_oom: $line"
	echo "  notice: $(grep -o 'oom-kill user=.*' $WLOG)"
	t_oom=$(dmesg | grep -F "oom_memcg=${scope#"$CG"}," | tail -n 1 | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
	echo "  on_oom ran $(awk -v a="$t_oom" -v b="${line%% *}" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms after the kernel's oom-kill line"
	wait_for 30 test ! -d "$scope"
	watch_stop
	[[ $line =~ ^[0-9.]+\ alice\ 1001\ $CG/user\.slice/user-1001\.slice/session-[0-9a-z]+\.scope\ \?$ ]] ||
		{ fail "on_oom got '$line'"; return 1; }
	[ "$(grep -c "oom-kill user=alice uid=1001 leaf=$scope rule=? memory.max=524288000 " $WLOG)" = 1 ] ||
		{ fail "not one notice for $scope: $(grep oom-kill $WLOG)"; return 1; }
	[ ! -d "$scope" ] || { fail "$scope still there 30 s after the kill"; return 1; }
	! grep -q "collected.*user\.slice" $WLOG || { fail "watch collected a scope: $(grep collected $WLOG)"; return 1; }
	# OOMPolicy=kill (the drop-in) makes systemd stop the scope as failed
	journalctl -q -b --no-pager | grep -q "${scope##*/}: Failed with result 'oom-kill'" ||
		{ fail "systemd did not stop ${scope##*/} for the OOM kill: $(journalctl -q -b --no-pager | grep -F "${scope##*/}:" | tail -n 4 | tr '\n' ' ')"; return 1; }
}

# Notices on a systemd host: the hogherder's group kill in its logind scope, seen
# by watch, is not taken by `ssh host command` (sshd prints nothing for it), and is
# told at alice's next interactive ssh login (a shell and no command: what sshd
# prints PAM's messages for), once: watch sees the shell in the scope and removes
# the record; the login after prints nothing.
interactive_ssh() {	# USER: a login shell that lives 2 s; what the user saw
	printf 'sleep 2\nexit\n' | ssh -T -i /etc/ssh/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=30 "$1@127.0.0.1" 2>&1
}
notice_stop() { watch_stop; rm -rf /var/lib/cgherd; }
scenario_notice() {
	local command first second
	rm -rf /var/lib/cgherd
	cgherd watch -f >$WLOG 2>&1 &
	WPID=$!
	wait_for 10 grep -q "logind_scopes=$CG/user.slice" $WLOG || { fail "watch did not start: $(cat $WLOG)"; notice_stop; return 1; }
	scenario_hog || { notice_stop; return 1; }
	wait_for 20 grep -q "notice recorded for uid=1001 kind=oom_group" $WLOG ||
		{ fail "no record of the group kill: $(grep -iE 'notice|oom' $WLOG)"; notice_stop; return 1; }
	echo "  $(grep -o 'notice recorded for uid=1001 .*' $WLOG)"
	command=$(as_ssh alice true 2>&1)
	first=$(interactive_ssh alice)
	wait_for 5 grep -q "notices for uid=1001: 1 shown at the login of .* removed" $WLOG ||
		{ fail "watch did not take the record: $(grep -E 'shown|notice' $WLOG | tail -n 3)"; notice_stop; return 1; }
	second=$(interactive_ssh alice)
	notice_stop
	! echo "$command" | grep -q '^cgherd:' || { fail "ssh host command printed the notice: $command"; return 1; }
	echo "  the next login saw: $(echo "$first" | grep '^cgherd:')"
	# (the login's facts read from the scope as the kill was seen: systemd removes
	# the scope as soon as the kill has emptied it)
	[ "$(echo "$first" | grep -c '^cgherd: your ssh session from 127\.0\.0\.1 .*memory limit of 500M')" = 1 ] ||
		{ fail "the next login was not told once: $first"; return 1; }
	! echo "$second" | grep -q '^cgherd:' || { fail "the login after was told again: $second"; return 1; }
}

# Penalties on the systemd backend: alice's busy loops (her session's rule caps
# it at 20%, which is over cpu_over's 10%) give her slice the tier's CPUQuota=
# through SetUnitProperties (as systemd reports it,
# and as the kernel has it in the slice's cpu.max); when the tier is over,
# the slice has systemd's own value back.
penalty_stop() { watch_stop; pkill -KILL -u alice || true; rm -rf /var/lib/cgherd; wait; }
scenario_penalty() {
	local slice=user-1001.slice d=$CG/user.slice/user-1001.slice before during after file
	cat >>"$CONF" <<'C'
penalties = ( { name = "hog"; cpu_over = "10%"; window = "2s";
  tiers = ( { cpu_max = "10%"; duration = "8s"; } ); } );
C
	rm -rf /var/lib/cgherd
	before=$(systemctl show -P CPUQuotaPerSecUSec $slice)	# before the login: the penalty may come fast
	cgherd watch -f >$WLOG 2>&1 &
	WPID=$!
	wait_for 10 grep -q "penalties: 1, sampling every 1000 ms" $WLOG || { fail "watch did not start: $(cat $WLOG)"; penalty_stop; return 1; }
	as_ssh alice '/usr/local/bin/hog spin 40 & exec /usr/local/bin/hog spin 40' >/tmp/cgh-penalty-ssh.log 2>&1 &
	wait_for 30 test -d $d || { fail "no $slice"; penalty_stop; return 1; }
	wait_for 30 grep -qsx "10000 100000" $d/cpu.max ||
		{ fail "the slice's cpu.max is '$(cat $d/cpu.max 2>/dev/null)', not the tier's: watch's log: $(tr '\n' '|' <$WLOG); alice's cpu.stat: $(head -n 1 $d/cpu.stat); ssh: $(cat /tmp/cgh-penalty-ssh.log); procs: $(pgrep -u alice -a | tr '\n' '|')"; penalty_stop; return 1; }
	during=$(systemctl show -P CPUQuotaPerSecUSec $slice)
	pkill -KILL -u alice || true	# no new offence after the tier
	grep -o 'penalt.*' $WLOG | sed 's/^/  /'
	# the slice may be gone by now (alice has no session); systemd keeps the
	# property in its runtime drop-in until watch puts it back
	wait_for 30 grep -q "penalty end user=alice" $WLOG || { fail "the tier was not lifted: $(grep penalty $WLOG)"; penalty_stop; return 1; }
	after=$(systemctl show -P CPUQuotaPerSecUSec $slice)
	file=$(cat $d/cpu.max 2>/dev/null || echo absent)
	echo "  CPUQuotaPerSecUSec: $before -> $during -> $after; cpu.max after: $file"
	penalty_stop
	[ "$during" = 100ms ] || { fail "CPUQuotaPerSecUSec during the tier: $during, expected 100ms"; return 1; }
	[ "$after" = "$before" ] || { fail "CPUQuotaPerSecUSec after the tier: $after, expected systemd's $before"; return 1; }
	case $file in "max 100000" | absent) ;; *) fail "the slice's cpu.max after the tier: $file"; return 1 ;; esac
	grep -q "penalty end user=alice uid=1001 penalty=hog tier=1 dir=$d: its duration is over; put back CPUQuotaPerSecUSec=" $WLOG ||
		{ fail "no end line: $(grep penalty $WLOG)"; return 1; }
}

# Logging out leaves the runtime directory to logind: once alice has no session,
# logind removes /run/user/1001 (UserStopDelaySec=10s by default).
scenario_logout() {
	wait_for 30 no_user_sessions || { fail "logind still lists sessions of alice: $(loginctl list-sessions --no-legend)"; return 1; }
	wait_for 40 runtime_gone || { fail "/run/user/1001 still there 40 s after the last logout"; return 1; }
}

# backend = "cgroupfs" on a systemd host: the module refuses to move the login
# out of its logind scope, says why, and leaves nothing behind.
scenario_refuse() {
	local since
	conf cgroupfs
	since=$(date '+%Y-%m-%d %H:%M:%S')
	if as_ssh alice true >/dev/null 2>&1; then
		fail "login allowed with backend=cgroupfs and on_error=deny"
		return 1
	fi
	sleep 1
	journalctl -q --no-pager --since "$since" | grep -q 'pam_cgherd.*logind' ||
		{ fail "no log line about the logind scope: $(journalctl -q --no-pager --since "$since" | grep -i cgherd | tr '\n' ' ')"; return 1; }
	[ ! -e $CG/cgherd/user-1001 ] || { fail "half-made $CG/cgherd/user-1001 left"; return 1; }
	conf auto
}

# systemd >= OOM_POLICY without the drop-in (the last scenarios: they leave it out):
# the scope comes without memory.oom.group, the module does not write it there,
# so it refuses the herding and puts back what the scope's and the slice's
# cgroup files held.  alice lingers, so that her slice exists before the login,
# with a MemoryMax of its own (900M): "back" is then not systemd's default.
SLICE=user-1001.slice
SLICE_MAX=943718400
without_dropin() {
	if [ -e $DROPIN ]; then
		{ mv $DROPIN /root/ && systemctl daemon-reload; } || { fail "cannot remove $DROPIN"; return 1; }
	fi
	loginctl enable-linger alice
	wait_for 30 systemctl -q is-active user@1001.service || { fail "user@1001.service did not start"; return 1; }
	systemctl set-property --runtime $SLICE MemoryMax=$SLICE_MAX
	slice_kept
}
slice_kept() {
	local now
	now="$(systemctl is-active $SLICE) $(systemctl show -P MemoryMax $SLICE) $(cat $CG/user.slice/$SLICE/memory.max)"
	[ "$now" = "active $SLICE_MAX $SLICE_MAX" ] ||
		{ fail "$SLICE (state, MemoryMax, memory.max): $now, expected active $SLICE_MAX $SLICE_MAX"; return 1; }
}
# the line "NAME ..." of $out, less the name
field() { echo "$out" | sed -n "s/^$1 //p"; }
# the module's lines since $1, shown; each further argument must match one
journal_has() {
	local log re
	log=$(journalctl -q --no-pager --since "$1" | grep pam_cgherd)
	echo "$log" | sed 's/^/  /'
	for re in "${@:2}"; do
		echo "$log" | grep -q "$re" || { fail "no log line matching '$re'"; return 1; }
	done
}
REFUSED="cannot herd user=alice: systemd $SYSTEMD did not set memory.oom.group on user.slice/$SLICE/session-[0-9a-z]*\.scope: install the OOMPolicy=kill drop-in for session-\.scope"
PUT_BACK="put session-[0-9a-z]*\.scope's limits back"

# on_error = "deny": the login is refused, the log says why, the slice's limit
# is back (and the scope's, if the scope outlived the refusal).
scenario_nodropin_deny() {
	local since scope
	without_dropin || return 1
	conf auto deny
	since=$(date '+%Y-%m-%d %H:%M:%S')
	! as_ssh alice true >/dev/null 2>&1 || { fail "login allowed without the drop-in and on_error=deny"; return 1; }
	sleep 1
	slice_kept || return 1
	journal_has "$since" "$REFUSED; login refused (on_error=deny)" "put $SLICE's limits back" "$PUT_BACK" || return 1
	scope=$(journalctl -q --no-pager --since "$since" | grep -o "$PUT_BACK" | tail -n 1 | cut -d"'" -f1 | cut -d' ' -f2)
	if systemctl -q is-active "$scope"; then
		[ "$(systemctl show -P MemoryMax "$scope")" = infinity ] || { fail "$scope kept MemoryMax=$(systemctl show -P MemoryMax "$scope")"; return 1; }
	else
		echo "  $scope is gone"
	fi
}

# on_error = "allow": the login goes on in its scope, which has the values
# back that its cgroup files held before (systemd's defaults) and
# memory.oom.group = 0: the module wrote nothing there, and the 1 of scenario
# login (same module, drop-in installed) came from systemd.
scenario_nodropin_allow() {
	local since out cg want
	without_dropin || return 1
	conf auto allow
	since=$(date '+%Y-%m-%d %H:%M:%S')
	out=$(as_ssh alice 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "CG $cg"; d=/sys/fs/cgroup$cg;
		echo "FILES $(cat $d/memory.oom.group) $(cat $d/memory.max) $(cat $d/memory.swap.max) $(cat $d/cpu.max) $(cat $d/pids.max)";
		echo "UNIT $(systemctl show -p MemoryMax -p MemorySwapMax -p CPUQuotaPerSecUSec -p TasksMax ${d##*/} | sort | tr "\n" " ")"') ||
		{ fail "login refused with on_error=allow"; return 1; }
	echo "$out" | sed 's/^/  /'
	cg=$(field CG)
	[[ $cg =~ ^/user\.slice/$SLICE/session-[0-9a-z]+\.scope$ ]] || { fail "session in '$cg', not in its logind scope"; return 1; }
	want="0 max max max 100000 max"
	[ "$(field FILES)" = "$want" ] ||
		{ fail "scope's memory.oom.group, memory.max, memory.swap.max, cpu.max, pids.max: $(field FILES), expected $want"; return 1; }
	want="CPUQuotaPerSecUSec=infinity MemoryMax=infinity MemorySwapMax=infinity TasksMax=infinity "
	[ "$(field UNIT)" = "$want" ] || { fail "scope unit: $(field UNIT), expected $want"; return 1; }
	sleep 1
	journal_has "$since" "$REFUSED; login allowed unconfined (on_error=allow)" "put $SLICE's limits back" \
		"put ${cg##*/}'s limits back" || return 1
	slice_kept
}

# cgherd doctor on the real systemd: with the drop-in, favordynmods and watch
# running, every check is ok (exit 0); without the drop-in, a failure naming it
# (exit 2).  The drop-in is put back.
scenario_doctor() {
	local out rc opts
	# systemd's own options kept (a cgroup2 remount sets all of them anew)
	opts=$(awk -v m=$CG '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 3); exit } }' /proc/self/mountinfo)
	mount -o "remount,${opts#rw,},favordynmods" $CG || { fail "cannot remount $CG with favordynmods"; return 1; }
	cgherd watch -f >$WLOG 2>&1 &
	WPID=$!
	wait_for 10 grep -q "logind_scopes=" $WLOG || { fail "watch did not start: $(cat $WLOG)"; watch_stop; return 1; }
	as_ssh alice true >/dev/null 2>&1	# the cache directory made by a login
	out=$(cgherd doctor)
	rc=$?
	echo "$out" | sed 's/^/  /'
	[ "$rc" = 0 ] || { fail "doctor on the good host: exit $rc: $(echo "$out" | grep -E '^(warn|fail)' | head -n 1)"; watch_stop; return 1; }
	echo "$out" | grep -q "^ok   systemd: version $SYSTEMD$" || { fail "doctor: no systemd version line"; watch_stop; return 1; }
	echo "$out" | grep -q "^ok   systemd: $DROPIN sets OOMPolicy=kill" || { fail "doctor: the drop-in not seen"; watch_stop; return 1; }
	mv $DROPIN /root/ && systemctl daemon-reload
	out=$(cgherd doctor)
	rc=$?
	mv /root/${DROPIN##*/} $DROPIN && systemctl daemon-reload
	watch_stop
	echo "$out" | grep -E '^(warn|fail)' | sed 's/^/  /'
	[ "$rc" = 2 ] || { fail "doctor without the drop-in: exit $rc"; return 1; }
	echo "$out" | grep -q '^fail systemd: no session-.scope drop-in sets OOMPolicy=kill: install config/systemd/50-cgherd-oom.conf as /usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf' ||
		{ fail "doctor without the drop-in does not name it"; return 1; }
}

# Login cost on a systemd host (issue 18's target 4; `make bench-systemd`, never
# in the default list): what pam_systemd adds to a runuser and an ssh login over
# the same stack without it, and what pam_cgherd adds on top.  Three service files
# a service (/etc/pam.d/runuser.nosystemd, .systemd, .cgherd; sshd's with
# common-session inlined), installed in turn login by login by bench/logins.c
# (/usr/local/bin/logins); sizes cgh.bench_runuser=N cgh.bench_ssh=N on the kernel
# command line (40, 15).  alice lingers, so that her user manager runs throughout:
# the figures are a login's steady cost, not the first login's start of
# user@1001.service.  The rule's limits without its cpu_max: under TCG a 20% quota
# throttles the login's own processes for seconds, which is no module's cost (as
# bench/guest.sh's "nocpu").  Then one login of each service with pam_systemd's and
# the module's debug logs, shown with the journal's monotonic timestamps: where
# cgherd's time goes (pam_cgherd runs after pam_systemd's last line).
bench_n() { local v; v=$(sed -n "s/.*cgh\.bench_$1=\([0-9]*\).*/\1/p" /proc/cmdline); echo "${v:-$2}"; }
inline_session() {	# the service file $1 with common-session's lines in place of its @include
	awk '/^@include common-session$/ { while ((getline l < "/etc/pam.d/common-session") > 0)
		if (l !~ /^#/ && l != "") print l; next } { print }' "$1"
}
bench_stacks() {
	local d=/etc/pam.d
	inline_session $d/sshd | grep -v pam_cgherd >$d/sshd.systemd
	grep -v pam_systemd $d/sshd.systemd >$d/sshd.nosystemd
	inline_session $d/sshd >$d/sshd.cgherd
	{ grep -q pam_systemd $d/sshd.cgherd && grep -q pam_cgherd $d/sshd.cgherd; } ||
		{ fail "sshd's stack has no pam_systemd or no pam_cgherd: $(grep session $d/sshd.cgherd | tr '\n' '|')"; return 1; }
	grep -v 'pam_systemd\|pam_cgherd' $d/runuser >$d/runuser.nosystemd
	{ cat $d/runuser.nosystemd; echo "session optional pam_systemd.so"; } >$d/runuser.systemd
	{ cat $d/runuser.systemd; echo "session required pam_cgherd.so"; } >$d/runuser.cgherd
	cp $d/sshd /tmp/sshd.pam
	cp $d/runuser /tmp/runuser.pam
	conf auto
	sed -i 's/ cpu_max = "20%";//' "$CONF"
	! grep -q cpu_max "$CONF" || { fail "cannot take cpu_max out of $CONF"; return 1; }
}
bench_restore() {
	cp /tmp/sshd.pam /etc/pam.d/sshd
	cp /tmp/runuser.pam /etc/pam.d/runuser
	loginctl disable-linger alice
	conf auto
}
# where each stack puts the login: no scope, a logind scope, the scope with the rule's memory.max
bench_verify() {
	local st cg out how
	for st in nosystemd systemd cgherd; do
		cp /etc/pam.d/runuser.$st /etc/pam.d/runuser
		cp /etc/pam.d/sshd.$st /etc/pam.d/sshd
		for how in runuser ssh; do
			if [ $how = runuser ]; then
				out=$(runuser -u alice -- sh -c 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "$cg $(cat /sys/fs/cgroup$cg/memory.max)"') ||
					{ fail "runuser login with stack $st refused"; return 1; }
			else
				out=$(as_ssh alice 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "$cg $(cat /sys/fs/cgroup$cg/memory.max)"') ||
					{ fail "ssh login with stack $st refused"; return 1; }
			fi
			echo "  $how $st: $out"
			cg=${out% *}
			case $st:$cg in
			nosystemd:*/session-*.scope) fail "$how without pam_systemd landed in a logind scope: $cg"; return 1 ;;
			systemd:/user.slice/user-1001.slice/session-*.scope | cgherd:/user.slice/user-1001.slice/session-*.scope) ;;
			nosystemd:*) ;;
			*) fail "$how with stack $st landed in $cg, not in a logind scope"; return 1 ;;
			esac
			[ $st != cgherd ] || [ "${out##* }" = 524288000 ] || { fail "$how with pam_cgherd: memory.max ${out##* }, not the rule's 524288000"; return 1; }
			[ $st = cgherd ] || [ "${out##* }" != 524288000 ] || { fail "$how with stack $st has the rule's memory.max"; return 1; }
		done
	done
}
# one login of each service with the module's debug log, timestamped by the journal
bench_profile() {
	local since
	sed 's/pam_cgherd\.so$/pam_cgherd.so debug/; s/pam_systemd\.so *$/pam_systemd.so debug/' \
		/etc/pam.d/runuser.cgherd >/etc/pam.d/runuser
	sed 's/pam_cgherd\.so$/pam_cgherd.so debug/; s/pam_systemd\.so *$/pam_systemd.so debug/' \
		/etc/pam.d/sshd.cgherd >/etc/pam.d/sshd
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sleep 1
	runuser -u alice -- true
	as_ssh alice true
	sleep 1
	echo "  profile (journal, monotonic s):"
	journalctl -q --no-pager -o short-monotonic --since "$since" |
		grep -E 'pam_cgherd|pam_systemd|pam_unix|systemd-logind|session-[0-9]+\.scope' | tail -n 60 | sed 's/^/    /'
}
scenario_bench() {
	local n_ru n_ssh
	n_ru=$(bench_n runuser 40) n_ssh=$(bench_n ssh 15)
	command -v logins >/dev/null || { fail "no /usr/local/bin/logins in the image (make bench-systemd builds it)"; return 1; }
	bench_stacks || return 1
	loginctl enable-linger alice
	wait_for 60 systemctl -q is-active user@1001.service || { fail "user@1001.service did not start"; bench_restore; return 1; }
	echo "@@BENCH note systemd $SYSTEMD, kernel $(uname -r), $(nproc) vCPUs; mount: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
	bench_verify || { bench_restore; return 1; }
	logins -n "$n_ru" -k systemd-runuser -t /etc/pam.d/runuser nosystemd=/etc/pam.d/runuser.nosystemd \
		systemd=/etc/pam.d/runuser.systemd cgherd=/etc/pam.d/runuser.cgherd -- runuser -u alice -- true ||
		{ fail "runuser logins failed"; bench_restore; return 1; }
	logins -n "$n_ssh" -k systemd-ssh -t /etc/pam.d/sshd -g 100 nosystemd=/etc/pam.d/sshd.nosystemd \
		systemd=/etc/pam.d/sshd.systemd cgherd=/etc/pam.d/sshd.cgherd -- ssh -T -n -i /etc/ssh/user_key \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes \
		-o ConnectTimeout=30 alice@127.0.0.1 true || { fail "ssh logins failed"; bench_restore; return 1; }
	bench_profile
	bench_restore
}

scenarios="login status hog watch notice penalty logout refuse doctor"
[ "$SYSTEMD" -lt "${OOM_POLICY:-253}" ] || scenarios="$scenarios nodropin_deny nodropin_allow"
# flavour package (cgh.flavour=package): the package's scenarios, on its own config
if grep -q 'cgh\.flavour=package' /proc/cmdline; then
	# shellcheck source=tests/vm-systemd/package.sh
	. /vm/package.sh
	scenarios=$PKG_SCENARIOS
fi
# cgh.scenarios=a,b on the kernel command line: only those (run.sh's VM_SYSTEMD_SCENARIOS)
only=$(sed -n 's/.*cgh\.scenarios=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
echo "@@CGH PLAN ${only:-$scenarios}"
[ -n "${PKG_SCENARIOS:-}" ] || conf auto
for scenario in ${only:-$scenarios}; do
	echo "@@CGH BEGIN $scenario"
	t0=$(cut -d' ' -f1 /proc/uptime)
	if "scenario_$scenario"; then
		echo "@@CGH PASS $scenario $(awk -v t="$t0" '{ printf "%.1f", $1 - t }' /proc/uptime)"
	fi
done
echo "--- journal (cgherd) ---"
journalctl -q -b --no-pager | grep -i cgherd | tail -n 30
echo "@@CGH DONE $(cut -d' ' -f1 /proc/uptime)"
