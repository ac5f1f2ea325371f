#!/bin/bash
# Tests of what cgherd shows the admin: status --format openmetrics and
# prometheus (checked by promtool), watch's metrics_file served by a real
# node_exporter, top (batch, and driven in tmux), and doctor on hosts made
# good and wrong on purpose.  Everything runs on trees in a temporary
# directory, read by the test build of cgherd (CGHERD_FAKE, over the
# emulated cgroupfs of tests/common/fakefs.c); nothing of this host's
# cgroups is read or changed, except by the one doctor run on the host
# itself, which only reads.
#
#   CGHERD=build/cgherd CGHERD_FAKE=build/tests/cgherd_fake tests/cli/test-admin.sh
set -u

resolve() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}
REAL=$(resolve "${CGHERD:-build/cgherd}")
CGHERD=$(resolve "${CGHERD_FAKE:-build/tests/cgherd_fake}")
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

pids_to_kill=
cleanup() {
	for p in $pids_to_kill; do kill "$p" 2>/dev/null; done
	tmux kill-session -t "cgherd-top-$$" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# the penalties' state and the notices: never the host's /var/lib/cgherd
nostate=$tmp/no-state

# ---- a tree ----------------------------------------------------------------

cg=$tmp/cg
# cgroup REL MEM PIDS [RULE]: a live cgroup with every file the figures read.
cgroup() {
	d=$cg/$1
	mkdir -p "$d"
	printf 'populated 1\nfrozen 0\n' >"$d/cgroup.events"
	echo "$2" >"$d/memory.current"
	echo "$2" >"$d/memory.peak"
	echo 1073741824 >"$d/memory.max"
	echo max >"$d/memory.high"
	echo 0 >"$d/memory.swap.current"
	echo 0 >"$d/memory.swap.max"
	printf 'anon %s\nfile 4096\n' "$2" >"$d/memory.stat"
	printf 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 10\nnr_throttled 3\nthrottled_usec 250000\n' >"$d/cpu.stat"
	echo "20000 100000" >"$d/cpu.max"
	echo "$3" >"$d/pids.current"
	echo 1024 >"$d/pids.max"
	printf 'low 0\nhigh 2\nmax 5\noom 1\noom_kill 1\noom_group_kill 1\n' >"$d/memory.events"
	for r in cpu memory io; do
		printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n' >"$d/$r.pressure"
	done
	: >"$d/cgroup.kill"
	: >"$d/memory.reclaim"
	echo 4242 >"$d/cgroup.procs"
	[ -z "${4:-}" ] || printf '%s' "$4" >"$d/.xattr-trusted.cgherd.rule"
}

mkdir -p "$cg"
echo "cpu memory pids" >"$cg/cgroup.controllers"
: >"$cg/cgroup.subtree_control"
cgroup init.scope 1000000 1
cgroup cgherd/user-0 419430400 55
cgroup cgherd/user-0/session-100 314572800 5 admins
cgroup cgherd/user-0/session-200 104857600 50 'batch"x'
cgroup cgherd/user-0/session-300 1 1 dead
printf 'populated 0\nfrozen 0\n' >"$cg/cgherd/user-0/session-300/cgroup.events"
cgroup user.slice/user-0.slice 10485760 2
cgroup user.slice/user-0.slice/session-3.scope 10485760 2

conf=$(conf tree.conf <<EOF
cgroup_root = "$cg";
rules = ( { name = "admins"; match = { user = "root"; }; session = { memory_max = "1G"; }; } );
EOF
)

# ---- status --format ---------------------------------------------------------

cg status --conf "$conf" --state-dir "$nostate" --format prometheus
prom=$out
rc_is 0; err_empty
out_has 'cgherd_session_memory_bytes{user="root",uid="0",rule="admins",session="session-100",backend="cgroupfs"} 314572800'
out_has 'rule="batch\"x",session="session-200"'
out_has 'cgherd_session_memory_bytes{user="root",uid="0",rule="",session="session-3.scope",backend="systemd"} 10485760'
out_has 'cgherd_user_memory_bytes{user="root",uid="0",backend="cgroupfs"} 419430400'
out_has 'cgherd_session_cpu_usage_seconds_total{user="root",uid="0",rule="admins",session="session-100",backend="cgroupfs"} 1.500000'
out_has 'cgherd_session_pressure_some_seconds_total{user="root",uid="0",rule="admins",session="session-100",backend="cgroupfs",resource="io"} 2.500000'
out_has 'event="oom_group_kill"} 1'
case $out in *session-300*) note "a dead session has series" ;; esac
case $out in *init.scope*) note "a cgroup outside the trees has series" ;; esac
done_check "status --format prometheus: a series per live session and user, labels escaped"

printf '%s\n' "$prom" >"$tmp/status.prom"
promtool check metrics <"$tmp/status.prom" >"$tmp/promtool.out" 2>&1
rc=$?
echo "# promtool check metrics (status --format prometheus): exit $rc, '$(cat "$tmp/promtool.out")'"
rc_is 0; [ ! -s "$tmp/promtool.out" ] || note "promtool says: $(cat "$tmp/promtool.out")"
done_check "promtool check metrics passes on status --format prometheus"

cg status --conf "$conf" --state-dir "$nostate" --format openmetrics
rc_is 0; err_empty
[ "$(printf '%s\n' "$out" | tail -n 1)" = "# EOF" ] || note "the last line is not # EOF"
out_has '# TYPE cgherd_session_cpu_usage_seconds counter'
out_has '# UNIT cgherd_session_memory_bytes bytes'
[ "$(printf '%s\n' "$out" | grep -v '^#')" = "$(printf '%s\n' "$prom" | grep -v '^#')" ] ||
	note "the samples differ from the text format's"
done_check "status --format openmetrics: # EOF, counter families without _total, the same samples"

# (promtool 2.42 lints the 0.0.4 text format only: the OpenMetrics output is
# checked above to carry exactly the samples promtool passed.)

# A series per running penalty (the state file), none for one that ended.
sdir=$tmp/pstate
mkdir -m 700 "$sdir"
printf 'cgherd-penalties 1\n%s\n%s\nend 2\n' \
	'0 f 1 1 1700000000 4102444800 8 300000 100000 100 18446744073709551615 cgherd/user-0 cpu' \
	'0 f 0 0 1700000000 1700000600 8 300000 100000 100 18446744073709551615 cgherd/user-0 old' \
	>"$sdir/penalties"
chmod 600 "$sdir/penalties"
cg status --conf "$conf" --state-dir "$sdir" --format prometheus
rc_is 0; err_empty
out_has '# TYPE cgherd_user_penalty_tier gauge'
out_has 'cgherd_user_penalty_tier{user="root",uid="0",penalty="cpu"} 2'
out_has 'cgherd_user_penalty_until_timestamp_seconds{user="root",uid="0",penalty="cpu"} 4102444800'
case $out in *'penalty="old"'*) note "an ended penalty has series" ;; esac
printf '%s\n' "$out" >"$tmp/status-pen.prom"
promtool check metrics <"$tmp/status-pen.prom" >"$tmp/promtool.out" 2>&1 || note "promtool: $(cat "$tmp/promtool.out")"
[ ! -s "$tmp/promtool.out" ] || note "promtool says: $(cat "$tmp/promtool.out")"
prom=$out
cg status --conf "$conf" --state-dir "$sdir" --format openmetrics
rc_is 0
out_has '# UNIT cgherd_user_penalty_until_timestamp_seconds seconds'
[ "$(printf '%s\n' "$out" | grep -v '^#')" = "$(printf '%s\n' "$prom" | grep -v '^#')" ] ||
	note "the penalty samples differ from the text format's"
done_check "status --format: a series per running penalty (tier, until), promtool check metrics passes"

noage() { printf '%s\n' "$1" | sed 's/"age_seconds": [0-9]*//'; }
cg status --conf "$conf" --state-dir "$nostate" --json
json=$(noage "$out")
cg status --conf "$conf" --state-dir "$nostate" --format json
rc_is 0; [ "$(noage "$out")" = "$json" ] || note "--format json differs from --json"
out_has '"leaf": "'"$cg"'/cgherd/user-0/session-100"'
done_check "status --format json is --json"

cg status --conf "$conf" --state-dir "$nostate" --format yaml
rc_is 2; err_has 'usage: cgherd check'
done_check "status --format of an unknown format: exit 2"

# ---- the example alert rules -------------------------------------------------------

out=$(promtool check rules config/cgherd-alerts.yml 2>&1)
rc=$?
rc_is 0; out_has "SUCCESS: 2 rules found"
done_check "promtool check rules config/cgherd-alerts.yml"
out=$(promtool test rules tests/cli/cgherd-alerts-test.yml 2>&1)
rc=$?
rc_is 0; out_has "SUCCESS"
[ "$rc" -eq 0 ] || note "$out"
done_check "promtool test rules: the alerts fire on the series cgherd writes, and only then"

# ---- watch's metrics file and node_exporter ----------------------------------

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE|URL TEXT: up to 10 s; 0 when found.
wait_for() {
	for _ in $(seq 1 100); do
		case $1 in
		http*) curl -s --max-time 2 "$1" >"$tmp/wait" 2>/dev/null ;;
		*) cat "$1" >"$tmp/wait" 2>/dev/null ;;
		esac
		grep -qF -- "$2" "$tmp/wait" && return 0
		sleep 0.1
	done
	return 1
}

mkdir "$tmp/textfile"
wconf=$(conf watch.conf <<EOF
cgroup_root = "$cg";
rules = ( { name = "admins"; match = { user = "root"; }; session = { memory_max = "1G"; }; } );
watch = { metrics_file = "$tmp/textfile/cgherd.prom"; metrics_interval = "1s"; };
EOF
)
"$CGHERD" watch -f --conf "$wconf" --state-dir "$tmp/watch-state" >"$tmp/watch.out" 2>&1 &
watch_pid=$!
pids_to_kill="$pids_to_kill $watch_pid"
series='cgherd_session_memory_bytes{backend="cgroupfs",rule="admins",session="session-100",uid="0",user="root"} 3.145728e+08'
wait_for "$tmp/textfile/cgherd.prom" 'session="session-100"' || note "no metrics file: $(cat "$tmp/watch.out")"
promtool check metrics <"$tmp/textfile/cgherd.prom" >"$tmp/promtool.out" 2>&1 || note "promtool: $(cat "$tmp/promtool.out")"
[ -z "$(find "$tmp/textfile" -name '.*' -type f)" ] || note "temporary files left: $(ls -A "$tmp/textfile")"
done_check "watch writes metrics_file (promtool check metrics passes, no temporary file left)"

if command -v prometheus-node-exporter >/dev/null; then
	port=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tmp/textfile" >"$tmp/ne.out" 2>&1 &
	ne_pid=$!
	pids_to_kill="$pids_to_kill $ne_pid"
	url=http://127.0.0.1:$port/metrics
	wait_for "$url" "$series" || note "node_exporter does not serve '$series': $(grep cgherd_session_memory_bytes "$tmp/wait" | head -3; tail -3 "$tmp/ne.out")"
	grep -q '^node_textfile_scrape_error 0$' "$tmp/wait" || note "node_exporter: $(grep textfile "$tmp/wait")"
	done_check "node_exporter's textfile collector serves the cgherd series over HTTP on 127.0.0.1:$port"

	# a group kill in the session, then the session ends: its series go, the
	# rule's counters stay
	printf 'low 0\nhigh 2\nmax 5\noom 2\noom_kill 3\noom_group_kill 2\n' >"$cg/cgherd/user-0/session-100/memory.events"
	kills='cgherd_rule_oom_group_kills_total{rule="admins"} 1'
	wait_for "$url" "$kills" || note "the group kill is not counted: $(grep cgherd_rule "$tmp/wait")"
	printf 'populated 0\nfrozen 0\n' >"$cg/cgherd/user-0/session-100/cgroup.events"
	for _ in $(seq 1 50); do
		curl -s --max-time 2 "$url" >"$tmp/wait"
		grep -q 'session="session-100"' "$tmp/wait" || break
		sleep 0.1
	done
	! grep -q 'session="session-100"' "$tmp/wait" || note "the ended session is still served"
	grep -qF 'session="session-200"' "$tmp/wait" || note "the live session is gone too"
	grep -qF "$kills" "$tmp/wait" || note "the counter went with the session"
	grep -qF 'cgherd_rule_oom_kills_total{rule="admins"} 2' "$tmp/wait" || note "oom_kill not counted"
	done_check "a group kill counts for the rule; the session ends: its series go, the counters stay"
	kill "$ne_pid"
	wait "$ne_pid" 2>/dev/null
else
	note "prometheus-node-exporter is not installed (tests/setup-debian installs it)"
	done_check "node_exporter serves the cgherd series"
fi
kill "$watch_pid"
wait "$watch_pid" 2>/dev/null
# back to life for what follows (watch collected the dead leaf: make it anew)
cgroup cgherd/user-0/session-100 314572800 5 admins

# ---- top ---------------------------------------------------------------------

cg top --conf "$conf" --state-dir "$nostate" -b -n 2 -d 0.2
rc_is 0; err_empty
[ "$(printf '%s\n' "$out" | grep -c '^cgherd top - ')" -eq 2 ] || note "not 2 frames"
out_re '^root +0 admins +session-100 +300M +1G +max +[0-9.]+ +20% +[0-9.]+ +5 +1024 cgroupfs$'
out_re '^root +0 [?] +session-3.scope .* systemd$'
first=$(printf '%s\n' "$out" | grep -m1 -E ' session-(100|200) ')
case $first in *session-100*) ;; *) note "not sorted by memory: $first" ;; esac
done_check "top -b -n 2: two plain frames, the session with its rule and limits, sorted by memory"

cg top --conf "$conf" --state-dir "$nostate" -b -n 1 -S pids
first=$(printf '%s\n' "$out" | grep -m1 -E ' session-(100|200) ')
rc_is 0; case $first in *session-200*) ;; *) note "not sorted by pids: $first" ;; esac
done_check "top -S pids: the session with the most tasks first"

cg top --conf "$conf" --state-dir "$nostate" -b -n 1 -S colour
rc_is 2; err_has "unknown sort key 'colour'"
done_check "top -S of an unknown key: exit 2"

cg top --conf "$conf" --state-dir "$sdir" -b -n 1
rc_is 0; err_empty
out_re '^root +0 +user-0 .* cgroupfs penalty=cpu tier=2 until=[0-9]{2}:[0-9]{2}:[0-9]{2}$'
out_re '^root +0 admins +session-100 .* cgroupfs$'
case $out in *'penalty=old'*) note "an ended penalty is shown" ;; esac
done_check "top: a penalized user's row says the penalty, its tier and until when"

if command -v tmux >/dev/null; then
	s=cgherd-top-$$
	tmux new-session -d -s "$s" -x 150 -y 30 \
		"'$CGHERD' top --conf '$conf'; echo \"exit=\$?\" >'$tmp/top.rc'; sleep 60"
	pane() { tmux capture-pane -p -t "$s"; }
	first_session() { pane | grep -m1 -E ' session-(100|200) '; }
	for _ in $(seq 1 50); do pane | grep -q 'session-200' && break; sleep 0.1; done
	pane >"$tmp/top.screen"
	grep -qE '^root +0 admins +session-100 +300M +1G ' "$tmp/top.screen" || note "no session row with rule and limits: $(cat "$tmp/top.screen")"
	grep -q 'sorted by memory' "$tmp/top.screen" || note "not sorted by memory at first"
	case $(first_session) in *session-100*) ;; *) note "memory order: $(first_session)" ;; esac
	tmux send-keys -t "$s" n
	for _ in $(seq 1 30); do pane | grep -q 'sorted by pids' && break; sleep 0.1; done
	case $(first_session) in *session-200*) ;; *) note "after n: $(first_session)" ;; esac
	tmux send-keys -t "$s" m
	for _ in $(seq 1 30); do pane | grep -q 'sorted by memory' && break; sleep 0.1; done
	case $(first_session) in *session-100*) ;; *) note "after m: $(first_session)" ;; esac
	tmux send-keys -t "$s" q
	for _ in $(seq 1 30); do [ -s "$tmp/top.rc" ] && break; sleep 0.1; done
	[ "$(cat "$tmp/top.rc" 2>/dev/null)" = "exit=0" ] || note "q: $(cat "$tmp/top.rc" 2>/dev/null)"
	tmux kill-session -t "$s"
	echo "# top's screen:"; sed 's/^/#   /' "$tmp/top.screen" | sed -n 1,8p
	done_check "top in tmux: the session with rule and limits, n and m change the order, q exits 0"
else
	note "tmux is not installed (tests/setup-debian installs it)"
	done_check "top in tmux"
fi

# ---- doctor --------------------------------------------------------------------

host=$tmp/host
# good_host: everything as the module wants it.
good_host() {
	rm -rf "$host"
	mkdir -p "$host/proc/self" "$host/proc/sys/kernel" "$host/proc/4711" "$host/etc/pam.d" \
		"$host/usr/share/pam-configs" "$host/run/cgherd" "$host/bin"
	printf '35 24 0:30 / %s rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot,favordynmods\n' "$cg" >"$host/proc/self/mountinfo"
	echo 6.1.0-28-amd64 >"$host/proc/sys/kernel/osrelease"
	echo 0::/ >"$host/proc/self/cgroup"
	printf '/usr/local/sbin/cgherd\0watch\0' >"$host/proc/4711/cmdline"
	chmod 700 "$host/run/cgherd"
	cat >"$host/etc/pam.d/common-session" <<'EOF'
session	[default=1]	pam_permit.so
session	requisite	pam_deny.so
session	required	pam_unix.so
session	optional	pam_systemd.so
session	optional	pam_cgherd.so
EOF
	cat >"$host/etc/pam.d/sshd" <<'EOF'
# sshd
@include common-auth
@include common-session
session    required     pam_cgherd.so
EOF
	cp config/pam-configs/cgherd "$host/usr/share/pam-configs/cgherd"
	printf '#!/bin/sh\necho "systemd 252 (252.30-1~deb12u2)"\n' >"$host/bin/systemctl"
	chmod 755 "$host/bin/systemctl"
}
doctor() { PATH=$host/bin:$PATH cg doctor --conf "$conf" --root "$host"; }
no_fail_lines() { printf '%s\n' "$out" | grep -E '^(warn|fail) ' && note "not all ok"; }

good_host
doctor
rc_is 0; err_empty; no_fail_lines
out_has "ok   cgroup: $cg is cgroup2, the unified hierarchy"
out_has 'ok   cgroup: mounted with favordynmods'
out_has 'ok   controllers: memory available; +memory not enabled'
out_has 'ok   kernel: cgroup.kill'
out_has 'ok   kernel: clone3 into a cgroup there (by the kernel'
out_has 'ok   pam: common-session:5: session optional pam_cgherd.so'
out_has 'ok   pam: sshd:4: session required pam_cgherd.so'
out_has 'ok   pam: pam_cgherd after pam_systemd in every stack with both (2)'
out_has 'ok   watch: cgherd watch runs (pid 4711)'
out_re '^[0-9]+ ok, 0 warnings, 0 failures$'
done_check "doctor on a good host: exit 0, every line ok"
echo "# doctor on the good host:"; printf '%s\n' "$out" | sed 's/^/#   /'

good_host
printf '24 1 0:22 / %s ro,nosuid - tmpfs tmpfs ro,mode=755\n35 24 0:30 / %s/unified rw - cgroup2 cgroup2 rw,nsdelegate\n' "$cg" "$cg" >"$host/proc/self/mountinfo"
doctor
rc_is 2; out_re "^fail cgroup: $cg is a hybrid hierarchy .*systemd.unified_cgroup_hierarchy=1"
done_check "doctor on a hybrid hierarchy: fail naming the boot option, exit 2"

good_host
echo "cpu pids" >"$cg/cgroup.controllers"
doctor
echo "cpu memory pids" >"$cg/cgroup.controllers"
rc_is 2; out_re '^fail controllers: the rules need memory; .* lacks memory: boot without cgroup_disable=memory'
done_check "doctor with the memory controller missing: fail, exit 2"

good_host
sed -i 's/,favordynmods//' "$host/proc/self/mountinfo"
doctor
rc_is 1; out_re "^warn cgroup: .*without favordynmods.*mount -o remount,favordynmods $cg"
printf '%s\n' "$out" | grep -q '^fail ' && note "a failure besides"
done_check "doctor without favordynmods: warn naming the remount, exit 1"

good_host
printf 'session\toptional\tpam_cgherd.so\nsession\trequired\tpam_unix.so\nsession\toptional\tpam_systemd.so\n' >"$host/etc/pam.d/common-session"
doctor
rc_is 2
out_re '^fail pam: common-session: pam_cgherd \(common-session:1\) comes before pam_systemd \(common-session:3\): move its session line after'
out_re '^fail pam: sshd: pam_cgherd \(common-session:1\) comes before pam_systemd \(common-session:3\)'
done_check "doctor with pam_cgherd before pam_systemd (through @include): fail per stack, exit 2"

good_host
rm "$host/usr/share/pam-configs/cgherd"
printf 'auth required pam_cgherd.so\nsession sufficient pam_cgherd.so\n' >"$host/etc/pam.d/cron"
doctor
rc_is 1
out_re '^warn pam: common-session names pam_cgherd but /usr/share/pam-configs/cgherd is missing'
out_re "^warn pam: cron:1: pam_cgherd as 'auth': it provides the session type only"
out_re '^warn pam: cron:2: session sufficient pam_cgherd.so: use required'
done_check "doctor: the profile missing, a wrong type and control: warnings naming the fix"

good_host
mkdir -p "$host/run/systemd/system"
doctor
rc_is 2; out_has 'ok   systemd: version 252'
out_re '^fail systemd: no session-.scope drop-in sets OOMPolicy=kill: install config/systemd/50-cgherd-oom.conf as /usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf'
done_check "doctor on a systemd host without the drop-in: fail naming it, exit 2"

mkdir -p "$host/usr/lib/systemd/system/session-.scope.d" "$host/etc/systemd/system/session-.scope.d"
cp config/systemd/50-cgherd-oom.conf "$host/usr/lib/systemd/system/session-.scope.d/"
doctor
rc_is 0; out_re '^ok   systemd: /usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf sets OOMPolicy=kill'
printf '[Scope]\nOOMPolicy=continue\n' >"$host/etc/systemd/system/session-.scope.d/90-local.conf"
doctor
rc_is 2; out_re '^fail systemd: /etc/systemd/system/session-.scope.d/90-local.conf sets OOMPolicy=continue'
done_check "doctor with the drop-in: ok; overridden by a later one: fail"

good_host
rm "$host/proc/4711/cmdline"
chmod 755 "$host/run/cgherd"
doctor
rc_is 1; out_re '^warn watch: cgherd watch is not running: systemctl enable --now cgherd-watch'
out_re '^warn cache: /run/cgherd is owned by uid 0 with mode 0755: .*chmod 700 /run/cgherd'
done_check "doctor: watch not running, cache dir open to others: warnings, exit 1"

good_host
bad=$(conf bad.conf <<EOF
cgroup_root = "$cg";
sesion = { };
EOF
)
PATH=$host/bin:$PATH cg doctor --conf "$bad" --root "$host"
rc_is 2; out_re "^fail config: $bad: $bad:2: .*unknown setting 'sesion'.*cgherd check --conf $bad"
out_has "ok   pam: sshd:4: session required pam_cgherd.so"
out_re '^(ok  |fail) cgroup: .*/sys/fs/cgroup'
done_check "doctor with an invalid configuration: fail; the other checks run, on the defaults"

# The real build on this host: only reads; its exit status matches its lines.
CGHERD=$REAL cg doctor --conf config/cgherd.conf
summary=$(printf '%s\n' "$out" | tail -n 1)
want=0
printf '%s\n' "$out" | grep -q '^warn ' && want=1
printf '%s\n' "$out" | grep -q '^fail ' && want=2
rc_is "$want"; case $summary in *" ok, "*" warnings, "*" failures") ;; *) note "summary: $summary" ;; esac
done_check "doctor on this host (read only): exit $want, as its lines say"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
