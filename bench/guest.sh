# Login-cost benchmark, run inside the test VM as a suite "scenario" (busybox sh,
# sourced after /vm/lib.sh).  Every result is one console line "@@BENCH ...",
# collected by bench/run.sh.  Sizes come from /vm/bench/params (bench/run.sh).
. /vm/bench/params
B=/vm/bench
S=$B/stacks
mkdir -p $S

bench() { echo "@@BENCH $*"; }
# want SECTION: whether SECTIONS (bench/run.sh; "all" by default) names it
want() { [ "$SECTIONS" = all ] || case " $SECTIONS " in *" $1 "*) true ;; *) false ;; esac; }
note() { echo "@@BENCH note $*"; }

# --- PAM stacks: bare (no cgroup module), cgherd, pam_cgroup ----------------------
for svc in runuser sshd; do
	grep -v 'pam_cgherd' /etc/pam.d.tmpl/$svc >$S/$svc.bare
	sed 's/ @ARGS@//' /etc/pam.d.tmpl/$svc >$S/$svc.cgherd
	sed 's|^session *required */lib/security/pam_cgherd.so.*|session  required   pam_cgroup.so|' \
		/etc/pam.d.tmpl/$svc >$S/$svc.pam_cgroup
	sed 's|/lib/security/pam_cgherd.so @ARGS@|/lib/security/pam_cgherd_nosd.so|' \
		/etc/pam.d.tmpl/$svc >$S/$svc.cgherd_nosd
	sed 's|/lib/security/pam_cgherd.so @ARGS@|/lib/security/pam_cgherd_old.so|' \
		/etc/pam.d.tmpl/$svc >$S/$svc.cgherd_old
	# the module's two ways to close (argument close=, pam_cgherd(8)), section 5b
	sed 's| @ARGS@| close=reaper|' /etc/pam.d.tmpl/$svc >$S/$svc.cgherd_reaper
	sed 's| @ARGS@| close=move|' /etc/pam.d.tmpl/$svc >$S/$svc.cgherd_move
done
# the same module built without libsystemd (bench.mk, when the tree links it)
NOSD=
[ -f /lib/security/pam_cgherd_nosd.so ] && NOSD="cgherd_nosd=$S/runuser.cgherd_nosd"
# the same module closing without the reaper (moving the opener back), bench.mk
OLD=
[ -f /lib/security/pam_cgherd_old.so ] && OLD="cgherd_old=$S/runuser.cgherd_old"

# --- cgherd.conf ----------------------------------------------------------------------
# gen_conf N: N rules, the matching one last (bench/genconf.awk), limits $LIMITS
gen_conf() { awk -v n="$1" -v lim="$LIMITS" -f $B/genconf.awk | write_conf; }

# --- the same limits for cgherd and for pam_cgroup (libcgroup 2.0) ---------------------
# cgrules.conf sends alice to cgbench/%u (libcgroup expands it to the user name) in
# the memory, cpu and pids controllers; the template in cgconfig.conf gives that
# group the limits.  libcgroup reads both files itself at every login (no
# cgconfigparser or cgrulesengd needed); it creates the group once and never
# removes it.
# set_limits cpu|nocpu: memory.max 500M, memory.oom.group 1, pids.max 1024 and, with
# "cpu", cpu.max 20%.  "nocpu" is the control: under TCG a login's own processes
# use enough CPU to be throttled by a 20% quota, which is not the module's cost.
set_limits() {
	local cpu_tmpl= ctl=memory,pids
	LIMITS='memory_max = "500M"; pids_max = 1024; oom_group = true;'
	if [ "$1" = cpu ]; then
		LIMITS='memory_max = "500M"; cpu_max = "20%"; pids_max = 1024; oom_group = true;'
		cpu_tmpl='	cpu {
		cpu.max = "20000 100000";
	}'
		ctl=memory,cpu,pids
	fi
	cat >/etc/cgconfig.conf <<EOF
template cgbench/%u {
	memory {
		memory.max = "524288000";
		memory.oom.group = "1";
	}
$cpu_tmpl
	pids {
		pids.max = "1024";
	}
}
EOF
	printf 'alice\t%s\tcgbench/%%u\n' $ctl >/etc/cgrules.conf
	# the persistent pam_cgroup group starts afresh with each setting
	rmdir $CG/cgbench/alice $CG/cgbench 2>/dev/null
	# placement control: a cgroup with the same limits that logins(1) puts the
	# bare-stack login into itself (stack "placed"): what being in a limited
	# cgroup costs a login, whichever module put it there
	P=$CG/cgbench-placed
	mkdir -p $P
	echo 524288000 >$P/memory.max
	echo 1 >$P/memory.oom.group
	echo 1024 >$P/pids.max
	if [ "$1" = cpu ]; then echo "20000 100000" >$P/cpu.max; else echo "max 100000" >$P/cpu.max; fi
	gen_conf 1
}
# libcgroup creates only the group's directories; the controllers must be enabled
# at the root for its writes to succeed.
echo "+memory +cpu +pids" >$CG/cgroup.subtree_control
note "guest kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ {print $2 $3}' /proc/meminfo)"

SSH="ssh -T -n -i /etc/ssh/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=20"

# --- verification: every stack puts alice where it should, with the limits ---------
probe='c=$(sed -n "s/^0:://p" /proc/$$/cgroup); d=/sys/fs/cgroup$c; echo "$c mem=$(cat $d/memory.max 2>/dev/null) cpu=$(cat $d/cpu.max 2>/dev/null | tr " " _) pids=$(cat $d/pids.max 2>/dev/null) oomgroup=$(cat $d/memory.oom.group 2>/dev/null)"'
for lim in cpu nocpu; do
	set_limits $lim
	for st in bare cgherd pam_cgroup; do
		cp $S/runuser.$st /etc/pam.d/runuser
		cp $S/sshd.$st /etc/pam.d/sshd
		r=$(runuser -u alice -- sh -c "$probe" 2>&1) || r="FAILED: $r"
		s=$(as_ssh alice "$probe" 2>&1) || s="FAILED: $s"
		bench "verify limits=$lim stack=$st runuser=[$r] ssh=[$s]"
	done
	wait_no_leaves 1001
done
cp $S/runuser.cgherd /etc/pam.d/runuser
cp $S/sshd.cgherd /etc/pam.d/sshd

# logins_ab TAG N: runuser logins, bare, cgherd and placed alternating
logins_ab() {
	logins -n "$2" -k "runuser:$1" -t /etc/pam.d/runuser \
		bare=$S/runuser.bare cgherd=$S/runuser.cgherd placed=$S/runuser.bare@$P \
		-- runuser -u alice -- true || fail "logins $1 failed"
	cp $S/runuser.cgherd /etc/pam.d/runuser
}
# micro TAG N [microbench options]
micro() {
	tag=$1 n=$2
	shift 2
	out=$(microbench -n "$n" -c /etc/security/cgherd.conf -u alice "$@") || fail "microbench $tag failed"
	bench "micro case=$tag ${out#micro }"
}
elapsed() { bench "time section=$1 secs=$(fmt_cs $(($(uptime_cs) - $2)))"; }

# --- 1. the three stacks, runuser and ssh; with and without the cpu quota -----------
if want 1; then
for lim in cpu nocpu; do
	set_limits $lim
	sfx=
	[ $lim = nocpu ] && sfx=-nocpu
	t0=$(uptime_cs)
	logins -n "$N_RUNUSER" -k runuser$sfx -t /etc/pam.d/runuser \
		bare=$S/runuser.bare cgherd=$S/runuser.cgherd pam_cgroup=$S/runuser.pam_cgroup \
		placed=$S/runuser.bare@$P -- runuser -u alice -- true || fail "runuser logins failed"
	elapsed runuser$sfx $t0
	[ -f $CG/cgbench/alice/cpu.stat ] &&
		bench "throttle limits=$lim pam_cgroup_group $(grep -E 'nr_periods|nr_throttled|throttled_usec' $CG/cgbench/alice/cpu.stat | tr ' \n' '= ')"
	bench "throttle limits=$lim placed_group $(grep -E 'nr_periods|nr_throttled|throttled_usec' $P/cpu.stat | tr ' \n' '= ')"
	t0=$(uptime_cs)
	logins -n "$N_SSH" -k ssh$sfx -t /etc/pam.d/sshd -g 100 \
		bare=$S/sshd.bare cgherd=$S/sshd.cgherd pam_cgroup=$S/sshd.pam_cgroup \
		-- $SSH alice@127.0.0.1 true || fail "ssh logins failed"
	elapsed ssh$sfx $t0
	cp $S/runuser.cgherd /etc/pam.d/runuser
	cp $S/sshd.cgherd /etc/pam.d/sshd
	wait_no_leaves 1001
	micro "rules=1,limits=$lim" "$N_MICRO"
	micro "rules=1,limits=$lim,gap=100" "$N_MICRO_GAP" -g 100
done
# The scale runs below use the limits without the cpu quota, so that they show
# the module's own cost growing, not TCG-slow processes being throttled.
set_limits nocpu
fi

# --- 1b. where a cgherd login's added time goes (runuser, no cpu quota) ----------------
# ignore:   module loaded, config read, user looked up, rule decided: PAM_IGNORE
# minimal:  also a leaf made, the opener moved in and out, the leaf removed, with
#           only pids.max and memory.oom.group written (oom_group = false alone
#           makes the module write memory.oom.group without enabling memory)
# cgherd:   the full session with the limits;  placed: no module, the login run in
#           a cgroup with the same limits (what being limited costs)
if want 1b; then
dconf() {	# dconf NAME BODY: /etc/security/cgherd-NAME.conf and a stack using it
	printf 'cgroup_root = "/sys/fs/cgroup";\nbase = "cgherd";\n%s\n' "$2" >/etc/security/cgherd-$1.conf
	chown 0:0 /etc/security/cgherd-$1.conf
	chmod 644 /etc/security/cgherd-$1.conf
	sed "s|^\(session *required */lib/security/pam_cgherd.so\).*|\1 conf=/etc/security/cgherd-$1.conf|" \
		$S/runuser.cgherd >$S/runuser.$1
}
dconf ignore 'default_action = "ignore";'
dconf minimal 'default_action = "herd"; session = { pids_max = 1024; };'
t0=$(uptime_cs)
logins -n "$N_RUNUSER" -k runuser-parts -t /etc/pam.d/runuser \
	bare=$S/runuser.bare ignore=$S/runuser.ignore minimal=$S/runuser.minimal \
	cgherd=$S/runuser.cgherd placed=$S/runuser.bare@$P $NOSD -- runuser -u alice -- true ||
	fail "decomposition logins failed"
cp $S/runuser.cgherd /etc/pam.d/runuser
elapsed runuser-parts $t0
fi

# --- 2. the sweep of rule counts ------------------------------------------------------
if want 2; then
for r in $RULES; do
	t0=$(uptime_cs)
	gen_conf "$r"
	n=$N_MICRO
	[ "$r" -ge 10000 ] && n=$N_MICRO_BIG
	micro "rules=$r" "$n"
	logins_ab "rules=$r" "$N_SCALE"
	elapsed rules=$r $t0
done

note "config cache after the sweep: $(ls -ln /run/cgherd 2>&1 | awk 'NR > 1 { printf "%s %s %s; ", $1, $5, $9 }')"
fi

# --- 3. alice in 500 groups (with 1 rule, then with 10000 rules) --------------------------
if want 3; then
cp /etc/group /tmp/group.orig
awk 'BEGIN { for (i = 1; i <= 500; i++) printf "g%03d:x:%d:alice\n", i, 3000 + i }' >>/etc/group
note "alice is in $(id -G alice | wc -w) groups"
t0=$(uptime_cs)
gen_conf 1
micro "groups=500" "$N_MICRO_BIG"
logins_ab "groups=500" "$N_SCALE"
gen_conf 10000
micro "groups=500,rules=10000" "$N_MICRO_BIG"
logins_ab "groups=500,rules=10000" "$N_SCALE"
cp /tmp/group.orig /etc/group
elapsed groups $t0
fi

# --- 4. live sessions of another user -----------------------------------------------
if want 4; then
t0=$(uptime_cs)
gen_conf 1
i=0
while [ $i -lt "$N_LIVE" ]; do
	cgherd run -u bob -- sleep 100000 </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
wait_for 180 sh -c "[ \$(ls -d $BASE/user-1002/session-* 2>/dev/null | wc -l) -ge $N_LIVE ]" ||
	note "only $(count_leaves 1002) live sessions of bob"
note "live sessions of bob: $(count_leaves 1002); MemAvailable $(awk '/MemAvailable/ {print $2 $3}' /proc/meminfo)"
elapsed live-start $t0
t0=$(uptime_cs)
micro "live=$N_LIVE" "$N_MICRO"
logins_ab "live=$N_LIVE" "$N_SCALE"
note "live sessions of bob after: $(count_leaves 1002)"
elapsed live $t0
fi

# A remount without favordynmods keeps it (busybox's mount passes the options it
# finds): a plain mount is a fresh one (fresh_mount of /vm/lib.sh), checked.
plain_mount() {
	if has_fdm; then fresh_mount; fi
	! has_fdm || fail "favordynmods still on: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
}

# --- 5. favordynmods: the cost of moving a process between cgroups ------------------
# Without the cgroup2 mount option favordynmods (Linux 6.0+), every write to
# cgroup.procs takes cgroup_threadgroup_rwsem for writing, which waits for an
# RCU grace period unless another migration ran just before.  A login pays
# this once for any module that moves it (pam_cgroup, pam_systemd's scope);
# cgherd_old (close moving the opener back) twice.  The same stacks, adjacent
# in time, without and then with the option.
if want 5; then
t0=$(uptime_cs)
for d in $BASE/user-1002/session-*; do [ -d "$d" ] && echo 1 >"$d/cgroup.kill"; done
# `cgherd run` herds itself, so the kill ends its close too: collect the leaves
wait_for 30 sh -c "[ \$(cat $BASE/user-1002/*/cgroup.procs 2>/dev/null | wc -l) = 0 ]"
cgherd gc >/dev/null
note "live sessions of bob before section 5: $(count_leaves 1002)"
for mode in plain favordynmods; do
	if [ $mode = favordynmods ]; then
		mount -o remount,favordynmods $CG || { note "favordynmods refused by this kernel"; break; }
	fi
	note "mode=$mode mount: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
	for lim in $LIMITS5; do
		set_limits $lim
		logins -n "$N_RUNUSER" -k "runuser-$mode-$lim" -t /etc/pam.d/runuser \
			bare=$S/runuser.bare cgherd=$S/runuser.cgherd pam_cgroup=$S/runuser.pam_cgroup \
			placed=$S/runuser.bare@$P $OLD -- runuser -u alice -- true || fail "logins $mode failed"
		cp $S/runuser.cgherd /etc/pam.d/runuser
		wait_no_leaves 1001
		micro "$mode,limits=$lim" "$N_MICRO"
		micro "$mode,limits=$lim,gap=100" "$N_MICRO_GAP" -g 100
	done
done
elapsed favordynmods $t0
fi

# --- 5s. what the module's syslog lines cost a login (an experiment, named) ---------
# The module logs each open and close through syslog(3): a datagram to /dev/log,
# read here by busybox syslogd; with net.unix.max_dgram_qlen at the kernel's 10
# (systemd hosts raise it to 512) a sender waits while syslogd's queue is full.
# The microbench with favordynmods (no grace period to hide it), syslogd running,
# then stopped (the datagrams are refused at once), then running again.
if want syslog; then
t0=$(uptime_cs)
set_limits nocpu
if ! grep -q favordynmods /proc/mounts; then mount -o remount,favordynmods $CG || note "favordynmods refused"; fi
note "syslog: max_dgram_qlen=$(cat /proc/sys/net/unix/max_dgram_qlen)"
for state in running stopped running-again; do
	if [ $state = stopped ]; then killall syslogd; sleep 0.5; fi
	if [ $state = running-again ]; then syslogd -O /var/log/messages; sleep 0.5; fi
	micro "syslog=$state" "$N_MICRO"
	micro "syslog=$state,gap=100" "$N_MICRO_GAP" -g 100
done
elapsed syslog $t0
fi

# --- 5u. an open while the user has another session (an experiment, named) --------
# Every microbench open above is the user's first session: it makes user-<uid> and
# sets its limits, and its close removes them.  The microbench's
# pam_open_second_us holds another session of the user open meanwhile; here the
# same rows on a plain mount and with favordynmods, no cpu_max.
if want second; then
t0=$(uptime_cs)
set_limits nocpu
for mode in plain favordynmods; do
	if [ $mode = favordynmods ]; then
		mount -o remount,favordynmods $CG || { note "favordynmods refused by this kernel"; break; }
	else
		plain_mount
	fi
	note "second: mode=$mode mount: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
	micro "second,$mode" "$N_MICRO"
	micro "second,$mode,gap=100" "$N_MICRO_GAP" -g 100
done
elapsed second $t0
fi

# --- 5b. which close is faster: the reaper or the move back -------------------------
# The same module with close=reaper (the leaf handed to a reaper made with
# clone3(CLONE_INTO_CGROUP): two forks of the host, no move), close=move (the
# opener moved back, the leaf ended in close: one more cgroup.procs write) and
# close=auto (the default: move on a favordynmods mount), alternating, on a
# plain mount and with favordynmods.  The "close" line names the faster one.
if want 5b; then
set_limits nocpu
t0=$(uptime_cs)
for mode in plain favordynmods; do
	if [ $mode = plain ]; then
		plain_mount
	else
		mount -o remount,favordynmods $CG || { note "favordynmods refused by this kernel"; break; }
	fi
	note "mode=$mode mount: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
	out=$(logins -n "$N_CLOSE" -k "close-$mode" -t /etc/pam.d/runuser bare=$S/runuser.bare \
		reaper=$S/runuser.cgherd_reaper move=$S/runuser.cgherd_move auto=$S/runuser.cgherd \
		-- runuser -u alice -- true) || fail "logins close-$mode failed"
	echo "$out"
	cp $S/runuser.cgherd /etc/pam.d/runuser
	wait_no_leaves 1001
	bench "$(echo "$out" | awk -v mode=$mode '
		$2 == "login" { for (i = 3; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] } m[v["stack"]] = v["median_ms"] }
		END { r = m["reaper"] - m["bare"]; mv = m["move"] - m["bare"]
			printf "close mode=%s reaper_added_median_ms=%.2f move_added_median_ms=%.2f auto_added_median_ms=%.2f faster=%s", mode, r, mv, m["auto"] - m["bare"], r < mv ? "reaper" : "move" }')"
done
plain_mount
elapsed close-paths $t0
fi

# --- 6. how soon a closed session's leaf is gone (the reaper) ----------------------
# reaplat -n: per login, from runuser's exit to its leftover killed and its leaf
# removed; -b: SEQ sequential and PAR parallel logins, then until no leaf is left.
if want 6; then
set_limits nocpu
for mode in $REAP_MODES; do
	if [ $mode = plain ]; then plain_mount; else mount -o remount,favordynmods $CG; fi
	t0=$(uptime_cs)
	note "mode=$mode mount: $(grep ' /sys/fs/cgroup ' /proc/mounts)"
	micro "reap-$mode,limits=nocpu,gap=100" "$N_MICRO_GAP" -g 100
	out=$(reaplat -n "$N_REAP" -u alice -g 100) || note "reaplat -n failed: $out"
	bench "$out mode=$mode"
	out=$(reaplat -b "$N_BURST" -u alice) || note "reaplat -b failed: $out"
	bench "$out mode=$mode"
	wait_no_leaves 1001
	elapsed reap-$mode $t0
done
fi

# --- 7. RCU grace periods a login waits for (plain mount) ------------------------
# The kernel functions that wait for one (synchronize_rcu and its expedited
# form; rcu_sync_enter calls synchronize_rcu when the rwsem's fast path is cold),
# counted with the function tracer over N_GP logins 200 ms apart per stack, and
# who called them (the stack trace's cgroup_* frames).
if want 7; then
plain_mount
N_GP=${N_GP:-10}
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
if [ -w $T/set_ftrace_filter ]; then
	for st in bare cgherd cgherd_old pam_cgroup; do
		[ -f $S/runuser.$st ] || continue
		[ $st = cgherd_old ] && [ -z "$OLD" ] && continue
		cp $S/runuser.$st /etc/pam.d/runuser
		runuser -u alice -- true	# warm-up
		sleep 0.5
		echo 0 >$T/tracing_on
		echo >$T/trace
		echo 'synchronize_rcu synchronize_rcu_expedited rcu_sync_enter' >$T/set_ftrace_filter
		echo function >$T/current_tracer
		echo 1 >$T/options/func_stack_trace
		echo 1 >$T/tracing_on
		i=0
		while [ $i -lt $N_GP ]; do
			runuser -u alice -- true
			sleep 0.2
			i=$((i + 1))
		done
		sleep 1	# the reapers' own work
		echo 0 >$T/tracing_on
		echo 0 >$T/options/func_stack_trace
		sr=$(grep -c ' synchronize_rcu <-' $T/trace)
		se=$(grep -c ' synchronize_rcu_expedited <-' $T/trace)
		rs=$(grep -c ' rcu_sync_enter <-' $T/trace)
		why=$(awk '/=> cgroup_|=> __cgroup|=> percpu_down_write|=> rcu_sync_enter/ { print $2 }' $T/trace |
			sort | uniq -c | sort -rn | head -n 8 | awk '{ printf "%s:%s,", $2, $1 }')
		bench "gp stack=$st n=$N_GP synchronize_rcu=$sr synchronize_rcu_expedited=$se rcu_sync_enter=$rs frames=$why"
		echo nop >$T/current_tracer
		echo >$T/set_ftrace_filter
	done
	cp $S/runuser.cgherd /etc/pam.d/runuser
else
	note "no function tracer in this kernel: grace periods not counted"
fi
fi

# --- 8. where pam_open_session's and pam_close_session's time goes (an experiment,
# only when named) -------
# The microbench's session loop (-t: each open and each close between two
# write(-1) markers), with favordynmods (no grace period) and on a plain mount
# (close hands the leaf to the reaper; cgherd_old's close moves the opener
# back), its system calls recorded by the
# kernel's syscall trace events (no ptrace): per window, the time in each
# syscall and between them (user space), summed over the loop.  Only the
# microbench's own calls are recorded (no event-fork): a reaper's are not.
# "trace" is not in "all".
if [ "$SECTIONS" != all ] && want trace; then
t0=$(uptime_cs)
set_limits nocpu
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
if [ -w $T/events/raw_syscalls/enable ] && [ -d $T/events/syscalls ]; then
	permit=/usr/lib/x86_64-linux-gnu/security/pam_permit.so
	runs="favordynmods,cgherd,0 favordynmods,cgherd,100 favordynmods,permit,100 plain,cgherd,100"
	[ -f /lib/security/pam_cgherd_old.so ] && runs="$runs plain,cgherd_old,100"
	for run in $runs; do
		mode=${run%%,*} gapms=${run##*,} name=${run#*,}
		name=${name%,*} mod=/lib/security/pam_cgherd.so
		[ "$name" = permit ] && mod=$permit
		[ "$name" = cgherd_old ] && mod=/lib/security/pam_cgherd_old.so
		if [ $mode = plain ]; then plain_mount
		elif ! has_fdm; then mount -o remount,favordynmods $CG || note "favordynmods refused"; fi
		tag="trace mount=$mode module=$name gap_ms=$gapms"
		microbench -t -n 5 -m $mod -c /etc/security/cgherd.conf -u alice -g $gapms >/dev/null	# warm-up
		echo 0 >$T/tracing_on
		echo >$T/trace
		echo 16384 >$T/buffer_size_kb
		echo 1 >$T/events/syscalls/enable
		# this shell's pid traced, then exec'ed into the microbench
		sh -c "echo \$\$ >$T/set_event_pid && echo 1 >$T/tracing_on &&
			exec microbench -t -n ${N_TRACE:-20} -m $mod -c /etc/security/cgherd.conf -u alice -g $gapms" \
			>$S/trace.out || fail "microbench -t failed"
		echo 0 >$T/tracing_on
		echo 0 >$T/events/syscalls/enable
		echo >$T/set_event_pid
		bench "$tag $(cat $S/trace.out) trace_lines=$(wc -l <$T/trace)"
		for kind in open close; do
			awk -v kind=$kind -f /vm/bench/trace.awk $T/trace |
				while read -r l; do bench "$tag window=$kind $l"; done
		done
	done
else
	note "no syscall trace events in this kernel: trace section skipped"
fi
elapsed trace $t0
fi
