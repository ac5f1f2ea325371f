# soak: the driver inside the test VM (busybox sh, run by /vm/suite.sh as the
# scenario "soak", sourced after /vm/lib.sh).  Sizes from /vm/soak/params
# (tests/soak/run.sh): SOAK_SECONDS, SOAK_LOGINS, SOAK_PAR.
#
# For SOAK_SECONDS: SOAK_LOGINS logins (runuser and ssh, alice/bob/carol/dave, a
# short random job each, at most SOAK_PAR at once); meanwhile a killer SIGKILLs
# openers and processes of sessions; `cgherd watch` is SIGKILLed and restarted
# about every 60 s; cgherd.conf is replaced by rename about every 20 s between
# versions A and B (their rules differ in memory.max and pids.max, so a leaf shows
# which file it was made from) and once by an invalid one (X); dave fork-bombs
# against pids_max; carol is OOM-group-killed again and again; once, a process
# outside any session exhausts the VM's memory.  Everything is bounded in count
# and time and stops by itself.  Then tests/soak/analyze.awk prints the figures
# ("@@SOAK FIG name value") and checks ("@@SOAK CHECK PASS|FAIL name: detail");
# the scenario fails if any check failed.
. /vm/soak/params
S=/tmp/soak
SD=/vm/soak
SECS=${SOAK_SECONDS:-600}
N=${SOAK_LOGINS:-2000}
PAR=${SOAK_PAR:-16}

rm -rf $S
mkdir -p $S/info $S/live $S/side $S/err
chmod 1777 $S $S/info
fig() { echo "@@SOAK FIG $*"; }
ev() { echo "E $(uptime_cs) $*" >>$S/events; }
stopping() { [ -e $S/stop ]; }
# nap SECONDS: sleep, but return early (1) once the run is stopping
nap() {
	local end=$(($(uptime_cs) + $1 * 100))
	while [ "$(uptime_cs)" -lt $end ]; do
		stopping && return 1
		sleep 1
	done
	return 0
}
rnd() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# --- the harness stays out of the OOM killer's way ------------------------------
# (logins reset their score to 0 in login.sh; sshd restores its sessions' own)
echo -1000 >/proc/self/oom_score_adj
# and the processes above it (suite.sh, timeout, init): the whole-VM OOM must
# not take the harness down with it
p=$PPID
while [ "${p:-1}" -gt 1 ]; do
	echo -1000 >"/proc/$p/oom_score_adj"
	p=$(awk '{ print $4 }' "/proc/$p/stat")
done
for p in $(pidof syslogd); do echo -1000 >"/proc/$p/oom_score_adj"; done
SSHD=$(cat /run/sshd.pid)
fig guest "kernel $(uname -r), $(nproc) vCPUs, $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) MB"
fig sshd_listener_oom_score_adj "$(cat /proc/$SSHD/oom_score_adj)"
cat /dev/kmsg >$S/kmsg 2>/dev/null &
KMSG=$!
syslog_mark
SYSLOG0=$SYSLOG_MARK

# --- the config versions ----------------------------------------------------------
# conf A|B|X: soak (alice, bob) 300M/200 or 310M/210, oomer (carol) 64M/100 or
# 72M/110, bomber (dave) 400M/64 or 410M/72; X is A with a syntax error
conf() {
	if [ "$1" = B ]; then
		set -- B 310M 210 72M 110 410M 72
	else
		set -- "$1" 300M 200 64M 100 400M 64
	fi
	cat <<CONF
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "600M"; pids_max = 1024; oom_group = true; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "oomer"; match = { user = "carol"; };
    session = { memory_max = "$4"; memory_swap_max = "0"; pids_max = $5; }; },
  { name = "bomber"; match = { user = "dave"; };
    session = { memory_max = "$6"; pids_max = $7; cpu_max = "10%"; }; },
  { name = "soak"; match = { group = [ "students", "staff" ]; };
    session = { memory_max = "$2"; pids_max = $3; }; }
);
watch = { pressure_guard = false; };
CONF
	[ "$1" = X ] && echo 'this is not = = libconfig;'
}
# install VERSION: by rename, the generations "lo hi" in $S/gen bracketing it
GEN=0
install_conf() {
	conf "$1" >$CONF.new
	chown 0:0 $CONF.new
	chmod 644 $CONF.new
	echo "$GEN $((GEN + 1))" >$S/gen.t && mv $S/gen.t $S/gen
	mv -f $CONF.new $CONF
	GEN=$((GEN + 1))
	echo "$GEN $GEN" >$S/gen.t && mv $S/gen.t $S/gen
	echo "G $GEN $1 $(uptime_cs) $(date +%s)" >>$S/gens
	# to the daemon, not to the shell about to exec it (that one dies of it, as a
	# unit's reload before its ExecStart ran would); watch itself takes a SIGHUP
	# from its first instruction on
	local wp
	wp=$(cat $S/watch.pid 2>/dev/null)
	[ -n "$wp" ] && [ "$(cat /proc/$wp/comm 2>/dev/null)" = cgherd ] && kill -HUP "$wp" 2>/dev/null
	return 0
}
install_conf A

# --- background loops -----------------------------------------------------------
# the invalid file and the whole-VM OOM one after the other: in a short run they
# would overlap, and the fat sessions would be refused by the invalid file
exclusive_begin() { while ! mkdir $S/exclusive 2>/dev/null; do sleep 1; done; }
exclusive_end() { rmdir $S/exclusive; }
# cgherd.conf swapped every ~20 s (A, B, A, ...), once X for ~5 s near 40 %
swapper() {
	local v=A bad_at=$((SECS * 40 / 100)) t0=$(uptime_cs) bad_done=
	while nap "$(rnd 18 22)"; do
		if [ -z "$bad_done" ] && [ $(($(uptime_cs) - t0)) -ge $((bad_at * 100)) ]; then
			bad_done=1
			exclusive_begin
			ev invalid-config
			install_conf X
			nap 5
			# a valid file again before anything else, even when the run is
			# stopping: X must not outlive its 5 s
			[ $v = A ] && v=B || v=A
			install_conf $v
			: >$S/invalid.done
			exclusive_end
			stopping && break
			continue
		fi
		[ $v = A ] && v=B || v=A
		install_conf $v
	done
}

# pid is a process that has not ended (a zombie has)
running() {
	local st
	st=$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# watch number N (pid PID) says it is watching, or has ended
up_or_ended() { grep -q 'watching ' $S/watch.$1.log || ! running "$2"; }

# cgherd watch, started with the default OOM score as an init system would, SIGKILLed
# every 50-70 s and started again 2 s later (the unit's RestartSec=2s), as is one
# that ends by itself (one started while the invalid file is in force refuses it);
# not killed during the whole-VM OOM.  At the stop an instance is left running, as
# the unit would: one killed just before is started again (a kill it had not yet
# reported is news to the next one), and $S/watch.last says it is up.
watcher() {
	local n=0 wp rc due why again=0
	while :; do
		n=$((n + 1))
		sh -c 'echo 0 >/proc/self/oom_score_adj; exec cgherd watch -f' >$S/watch.$n.log 2>&1 &
		wp=$!
		echo "$wp" >$S/watch.pid
		echo "W start $n $wp $(uptime_cs)" >>$S/wevents
		wait_for 20 up_or_ended $n "$wp"
		if grep -q 'watching ' $S/watch.$n.log; then
			echo "W adj $n $wp $(cat /proc/$wp/oom_score_adj 2>/dev/null)" >>$S/wevents
		else
			# one started while the invalid file was in force refuses it
			grep -q 'cgherd.conf:[0-9]*:' $S/watch.$n.log && why=invalid-config || why=other
			echo "W noup $n $wp $why" >>$S/wevents
		fi
		# SIGKILLed 48-68 s later; one that ends before is started again 2 s after
		# it ended, as the unit's Restart=on-failure does (at the stop, thrice at most)
		due=$(($(uptime_cs) + $(rnd 48 68) * 100))
		while running "$wp" && [ "$(uptime_cs)" -lt $due ]; do nap 1 || break; done
		while [ -e $S/vmoom.busy ] && running "$wp"; do sleep 1; done
		if ! running "$wp"; then
			wait "$wp"; rc=$?; echo "W died $n $wp $rc $(uptime_cs)" >>$S/wevents
			stopping && again=$((again + 1)) && [ $again -gt 3 ] && break
			sleep 2
			continue
		fi
		stopping && break
		kill -9 "$wp"
		wait "$wp"
		echo "W kill $n $wp $? $(uptime_cs)" >>$S/wevents
		sleep 2
	done
	echo "W last $n $wp" >>$S/wevents
	: >$S/watch.last
}

# SIGKILL of a random opener or a random process of a random session in flight,
# every 2-4 s: "K T ID opener|proc PID LEAF"
orphan_end() {
	local t0 n5 i=0
	t0=$(uptime_cs)
	sleep 5
	n5=$(cat "$2/cgroup.procs" 2>/dev/null | wc -l)
	# (a cgroup file's size is 0 whatever it holds: its populated key tells)
	while cg_populated "$2" && [ $i -lt 250 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if cg_populated "$2"; then
		echo "O $1 $n5 -1" >>$S/kills
	else
		echo "O $1 $n5 $((($(uptime_cs) - t0) / 10))" >>$S/kills
	fi
}
killer() {
	local f id cg leaf opener target kind n pick
	while nap "$(rnd 2 4)"; do
		set -- $(ls $S/live)
		[ $# -gt 0 ] || continue
		shift $((RANDOM % $#))
		id=$1
		[ -s $S/info/$id ] || continue
		read -r _ _ cg _ <$S/info/$id
		leaf=$CG$cg
		opener=$(leaf_pid "$leaf")
		if [ $((RANDOM % 2)) = 0 ]; then
			kind=opener target=$opener
		else
			kind=proc
			set -- $(grep -vx "$opener" "$leaf/cgroup.procs" 2>/dev/null)
			[ $# -gt 0 ] || continue
			shift $((RANDOM % $#))
			target=$1
		fi
		[ "$(leaf_of_pid "$target")" = "$leaf" ] || continue
		kill -9 "$target" 2>/dev/null || continue
		echo "K $(uptime_cs) $id $kind $target $leaf" >>$S/kills
		# what is left of a session whose opener died (close never runs): watch
		# ends it (kill_on_close); "O ID PROCS_5S_LATER TENTHS_UNTIL_EMPTY" (-1: not
		# within 30 s)
		[ $kind = opener ] && orphan_end "$id" "$leaf" &
	done
}

# carol: a login whose job outgrows its leaf (a group kill), again and again
oomer() {
	local n=0 via
	while ! stopping; do
		n=$((n + 1))
		[ $((n % 3)) = 0 ] && via=ssh || via=runuser
		sh $SD/login.sh "oom$n" $via carol oom
		nap "$(rnd 2 5)" || break
	done
}

# dave: a fork bomb against pids_max, 15 s at a time
bomber() {
	local n=0 via
	while ! stopping; do
		n=$((n + 1))
		[ $((n % 2)) = 0 ] && via=ssh || via=runuser
		sh $SD/login.sh "bomb$n" $via dave bomb
		nap "$(rnd 5 10)" || break
	done
}

# every 4 s: "P T SSHD_FDS SSHD_RSS WATCH_PID WATCH_FDS WATCH_RSS WATCH_AGE RUN_FILES RUN_KB
# LIB_FILES LIB_KB LEAVES SSHD_ANON WATCH_ANON" (kB), and "B T LEAF PIDS_CURRENT
# PIDS_MAX PIDS_EVENTS_MAX" for dave's leaves
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS:/ { v = $2 } END { print v + 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# anonymous memory only (heap, stack): what a leak grows; VmRSS also counts the
# pages of the binary and its libraries, which come and go with memory pressure
anon() { awk '/^RssAnon:/ { v = $2 } END { print v + 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# seconds since the process started (field 22 of stat, in clock ticks of 100 Hz)
wage() {
	local st
	st=$(awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] || { echo 0; return; }
	echo $(( $(uptime_cs) / 100 - st / 100 ))
}
dirfig() {
	if [ -d "$1" ]; then
		echo "$(find "$1" -type f | wc -l) $(du -sk "$1" | cut -f1)"
	else
		echo "-1 -1"
	fi
}
# "F T PID FD:TARGET ..." whenever watch's descriptors differ from the last
# sample's: what a change in WATCH_FDS is made of
fdlist() {
	local l
	[ "$1" != 0 ] || return 0
	l=$(cd "/proc/$1/fd" 2>/dev/null && for f in *; do printf ' %s:%s' "$f" "$(readlink "$f")"; done)
	[ "$l" = "$(cat $S/fdlist 2>/dev/null)" ] && return 0
	echo "$l" >$S/fdlist
	echo "F $(uptime_cs) $1$l" >>$S/samples
}
sampler() {
	local t wp l
	while ! stopping; do
		t=$(uptime_cs)
		wp=$(cat $S/watch.pid 2>/dev/null)
		# the daemon itself, not the shell that is about to exec it
		[ "$(cat /proc/$wp/comm 2>/dev/null)" = cgherd ] || wp=0
		fdlist "$wp"
		echo "CS $t $(head -n 1 /proc/stat)" >>$S/samples
		echo "P $t $(fds $SSHD) $(rss $SSHD) ${wp:-0} $(fds "$wp") $(rss "$wp") $(wage "$wp") $(dirfig /run/cgherd) $(dirfig /var/lib/cgherd) $(ls -d $BASE/user-*/session-* 2>/dev/null | wc -l) $(anon $SSHD) $(anon "$wp")" >>$S/samples
		for l in $(user_leaves 1004); do
			echo "B $t $l $(cat $l/pids.current 2>/dev/null) $(cat $l/pids.max 2>/dev/null) $(cg_key $l/pids.events max)" >>$S/samples
		done
		sleep 4
	done
}

# the daemon of watch.pid is running and its start is recorded ("W adj")
watch_up() {
	local wp
	wp=$(cat $S/watch.pid 2>/dev/null)
	[ -n "$wp" ] && [ "$(cat /proc/$wp/comm 2>/dev/null)" = cgherd ] &&
		tail -n 1 $S/wevents | grep -q "^W adj [0-9]* $wp "
}

# once, at ~55 %: two sessions holding 150 MB each, then a root process outside
# any session (its own cgroup, OOM score -800, as a protected system daemon)
# touching more memory than the VM has; ends when the kernel kills it
vm_oom() {
	local mb w i hp f cg
	nap $((SECS * 55 / 100)) || return 0
	# after the invalid file (due at the first swap past 40 %, which a slow host
	# can push past 55 %): that one must never wait for this one
	while [ ! -e $S/invalid.done ]; do nap 1 || return 0; done
	exclusive_begin
	: >$S/vmoom.busy
	sh $SD/login.sh fat1 runuser alice fat &
	sh $SD/login.sh fat2 ssh bob fat &
	# both sessions up and holding their memory (slow on a busy host)
	fat_held() {
		local f c
		for f in fat1 fat2; do
			[ -s $S/info/$f ] || return 1
			read -r _ _ c _ <$S/info/$f
			[ "$(cat "$CG$c/memory.current" 2>/dev/null || echo 0)" -ge 125829120 ] || return 1
		done
	}
	wait_for 120 fat_held || echo "V fat-not-ready" >>$S/events
	mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	mkdir -p $CG/cgh-vmoom
	# the watcher looks at vmoom.busy only before its SIGKILL: one it sent just
	# before is followed by a new daemon 2 s later; that one is watched here
	sleep 3
	wait_for 30 watch_up || echo "V watch-not-up" >>$S/events
	w=$(cat $S/watch.pid)
	echo "V begin $(uptime_cs) sshd=$SSHD watch=$w" >>$S/events
	sh -c "echo \$\$ >$CG/cgh-vmoom/cgroup.procs; echo -800 >/proc/self/oom_score_adj; exec /usr/local/bin/hog mem 1 $mb" >$S/vmoom.out 2>&1 &
	hp=$!
	i=0
	while kill -0 $hp 2>/dev/null && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $hp 2>/dev/null && echo "V hog-still-running" >>$S/events
	wait $hp
	echo "V end $(uptime_cs) sshd_alive=$(alive $SSHD && echo 1 || echo 0) watch_alive=$(alive "$w" && echo 1 || echo 0)" >>$S/events
	rm -f $S/vmoom.busy
	exclusive_end
	# fat sessions the kernel spared end now (the figures say so)
	for f in fat1 fat2; do
		[ -s $S/info/$f ] || continue
		read -r _ _ cg _ <$S/info/$f
		if cg_populated "$CG$cg"; then
			echo "V spared $f $cg" >>$S/events
			echo 1 >"$CG$cg/cgroup.kill"
		fi
	done
	wait
	rmdir $CG/cgh-vmoom 2>/dev/null
}

# --- the logins -------------------------------------------------------------------
START=$(uptime_cs)
STEP=$((SECS * 100 / N))
DEADLINE=$((START + SECS * 100))
# epoch seconds at uptime 0, to place syslog's time stamps
read -r up _ </proc/uptime
echo "S start $START $(($(date +%s) - ${up%.*})) secs=$SECS n=$N par=$PAR sshd_fds=$(fds $SSHD)" >>$S/events
# the guest's CPU time (user nice system idle iowait ...), at the start and after the
# logins: a run that could not keep the pace with its vCPUs busy was CPU-bound
echo "C0 $(head -n 1 /proc/stat)" >>$S/events
JOBS="sleep sleep hold hold cpu io fork linger"
worker() {
	local i=$1 u via job due now
	while [ $i -le $N ]; do
		due=$((START + (i - 1) * STEP))
		now=$(uptime_cs)
		[ $now -ge $DEADLINE ] && break
		[ $now -lt $due ] && sleep "$(fmt_cs $((due - now)))"
		case $((RANDOM % 10)) in
		0) u=carol ;;
		1) u=dave ;;
		[2-5]) u=alice ;;
		*) u=bob ;;
		esac
		[ $((RANDOM % 8)) = 0 ] && via=ssh || via=runuser
		set -- $JOBS
		shift $((RANDOM % $#))
		sh $SD/login.sh "$i" $via $u "$1" live
		i=$((i + PAR))
	done
}

swapper &
SWAPPER=$!
watcher &
WATCHER=$!
wait_for 10 sh -c "[ -s $S/watch.pid ]"
killer &
KILLER=$!
oomer &
OOMER=$!
bomber &
BOMBER=$!
sampler &
SAMPLER=$!
vm_oom &
VMOOM=$!
# the CPU at the deadline too: the pace is about the dispatch, not the tail of
# logins that run on after it with fewer and fewer workers busy
(sleep "$(fmt_cs $((DEADLINE - $(uptime_cs))))"; echo "CD $(head -n 1 /proc/stat)" >>$S/events) &
DEADLINER=$!
workers=
k=1
while [ $k -le $PAR ]; do
	worker $k &
	workers="$workers $!"
	k=$((k + 1))
done
for w in $workers; do wait "$w"; done
DONE=$(uptime_cs)
echo "S dispatched $DONE" >>$S/events
echo "C1 $(head -n 1 /proc/stat)" >>$S/events
kill "$DEADLINER" 2>/dev/null	# the pace kept: C1 is the end
wait "$DEADLINER" 2>/dev/null
: >$S/stop
for p in $SWAPPER $KILLER $OOMER $BOMBER $SAMPLER $VMOOM; do wait "$p"; done
END=$(uptime_cs)
echo "S end $END" >>$S/events
say "logins dispatched in $(fmt_cs $((DONE - START)))s, side loops ended $(fmt_cs $((END - DONE)))s later"

# --- the end: nothing of any session may live on; no leaf 2 s later ---------------------
user_procs() {
	# (cat goes on past processes that are gone; awk would stop at the first)
	cat /proc/[0-9]*/status 2>/dev/null | awk '/^Uid:/ && $2 >= 1001 && $2 <= 1004 { n++ } END { print n + 0 }'
}
no_user_procs() { [ "$(user_procs)" = 0 ]; }
# lingering processes of sessions whose opener was killed end by themselves (25 s)
# (with a watch up, as a host's unit keeps one)
wait_for 30 test -e $S/watch.last
wait_for 40 no_user_procs
LAST=$(uptime_cs)
echo "S quiet $LAST procs=$(user_procs) sshd_fds=$(fds $SSHD)" >>$S/events
sleep 2
echo "S leaves $(uptime_cs) $(ls -d $BASE/user-*/session-* 2>/dev/null | wc -l) users=$(ls -d $BASE/user-* 2>/dev/null | wc -l)" >>$S/events
ls -d $BASE/user-*/session-* >$S/leaves-left 2>/dev/null
for l in $(cat $S/leaves-left); do
	echo "leaf left: $l procs [$(cg_procs $l)] events [$(cg_read $l/cgroup.events)] memory.events [$(cg_read $l/memory.events)]" >>$S/leaves-left.why
done
WP=$(cat $S/watch.pid)
wait "$WATCHER"
echo "W term $WP $(alive "$WP" && echo alive || echo gone)" >>$S/wevents
kill -TERM "$WP"
wait_for 10 sh -c "! kill -0 $WP 2>/dev/null"
echo "W final $WP $(alive "$WP" && echo alive || echo gone)" >>$S/wevents
cat $BASE/memory.events >$S/base.events
sleep 1
kill "$KMSG"
tail -n +$((SYSLOG0 + 1)) $SYSLOG >$S/syslog

# --- figures and checks --------------------------------------------------------
(
	cat $S/events $S/gens $S/res $S/kills $S/wevents $S/samples 2>/dev/null
	cat $S/info/* 2>/dev/null
	sed 's/^/M /' $S/base.events
	for f in $S/err/*; do [ -e "$f" ] && echo "R ${f##*/} $(head -c 200 "$f" | tr '\n' ' ')"; done
	sed 's/^/Y /' $S/syslog
	sed 's/^/Z /' $S/kmsg
) >$S/analysis.in
awk -v secs="$SECS" -v n="$N" -v par="$PAR" -f $SD/analyze.awk $S/analysis.in >$S/verdict
cat $S/verdict
# everything the verdict was made from, for the record: run.sh keeps it as
# build/soak/analysis.in, where analyze.awk can be run on it again
sed 's/^/@@SOAK RAW /' $S/analysis.in
echo "@@SOAK PARAMS secs=$SECS n=$N par=$PAR"
if [ -s $S/leaves-left.why ]; then sed 's/^/@@SOAK LEFT /' $S/leaves-left.why | head -n 20; fi
nfail=$(grep -c '^@@SOAK CHECK FAIL' $S/verdict)
if [ "$nfail" -gt 0 ]; then
	# (less what the invalid file in force says, which the checks above judge)
	grep -E 'cannot herd|\.(err|crit|alert|emerg) ' $S/syslog |
		grep -vE 'cgherd\.conf:[0-9]+: |configuration not loaded|pam_open_session\(\): Cannot make' |
		head -n 60 | sed 's/^/@@SOAK LOG /'
fi
[ "$nfail" -eq 0 ] || fail "$nfail soak checks failed: $(grep '^@@SOAK CHECK FAIL' $S/verdict | sed 's/^@@SOAK CHECK FAIL //; s/:.*//' | tr '\n' ' ')"
