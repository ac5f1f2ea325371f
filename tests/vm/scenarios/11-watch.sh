# watch: `cgherd watch -f` on the real kernel.  A group OOM kill gives the notice line
# and runs on_oom within 1 s, and the dead leaf is gone within 1 s; a session reading
# more than its cache threshold gets its page cache reclaimed (memory.stat file drops,
# anon stays), at most once per cooldown; a session thrashing above memory.high is
# killed by the pressure guard; the daemon survives leaves vanishing under it and a
# SIGHUP with a bad file (keeps the old configuration, says why); cost with 1,000 idle
# sessions.
WLOG=/tmp/cgh-watch.log
ONOOM=/tmp/cgh-onoom.out

cat >/tmp/cgh-onoom.sh <<'SH'
#!/bin/sh
echo "$*" >>/tmp/cgh-onoom.out
SH
chmod 755 /tmp/cgh-onoom.sh

write_conf <<'CONF'
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "300M"; memory_swap_max = "0"; }; },
  { name = "staff"; match = { group = [ "staff" ]; };
    session = { memory_high = "64M"; memory_swap_max = "0"; }; }
);
watch = {
  on_oom = "/tmp/cgh-onoom.sh %u %U %s %r";
  reclaim_threshold = "20%";
  reclaim_interval = 1;
  reclaim_cooldown = 6;
  pressure_guard = true;
  pressure_stall_us = 100000;
  pressure_window_us = 1000000;
  pressure_grace = 2;
  pressure_kill = true;
};
CONF
cp "$CONF" /tmp/cgh-good.conf

# wlog_count REGEX: lines of the daemon's log matching REGEX
wlog_count() { grep -cE -- "$1" "$WLOG" 2>/dev/null || true; }
wlog_has() { grep -qE -- "$1" "$WLOG" 2>/dev/null; }
watch_alive() { kill -0 "$WPID" 2>/dev/null; }

cgherd watch -f >"$WLOG" 2>&1 &
WPID=$!
# pass or fail, the next scenario gets no daemon of ours and none of the cost's sessions
trap 'kill -TERM "$WPID" 2>/dev/null; pkill -f "^sleep 100000" 2>/dev/null; sleep 1; cgherd gc >/dev/null 2>&1' EXIT
wait_for 10 wlog_has "watching /sys/fs/cgroup/cgherd" || fail "watch did not start: $(cat $WLOG)"
say "daemon $WPID: $(grep watching $WLOG | tail -n 1)"

# --- a bad file on SIGHUP: kept the old one, said why --------------------------------
cat >"$CONF" <<'CONF'
watch = { reclaim_threshold = "150%"; reclaim_interval = 0; colour = "blue"; };
CONF
out=$(cgherd check 2>&1)
assert_eq "$?" 1 "check of the bad watch group"
assert_match "$out" "cgherd.conf:1: watch.reclaim_threshold: invalid percentage" "check: threshold"
assert_match "$out" "watch.reclaim_interval: 0 out of range 1-3600" "check: interval"
assert_match "$out" "watch: unknown setting 'colour'" "check: unknown key"
kill -HUP "$WPID"
wait_for 5 wlog_has "keeping the previous configuration" || fail "bad reload not reported: $(tail -n 5 $WLOG)"
watch_alive || fail "the daemon died on a bad reload"
assert_match "$(cat $WLOG)" "watch.reclaim_threshold: invalid percentage" "bad reload: the cause logged"
write_conf </tmp/cgh-good.conf

# --- OOM group kill: notice, on_oom, dead leaf collected ------------------------------
runuser -u alice -- /usr/local/bin/hog mem 3 150 >/dev/null 2>&1 &
wait_for 10 sh -c "ls -d $BASE/user-1001/session-* >/dev/null 2>&1" || fail "oom: no session"
leaf=$(user_leaves 1001 | head -n 1)
t_kill=
i=0
while [ $i -lt 600 ]; do
	k=$(cg_key "$leaf/memory.events" oom_group_kill)
	if [ -z "$k" ] || [ "$k" -ge 1 ]; then
		t_kill=$(uptime_cs)
		break
	fi
	i=$((i + 1))
	sleep 0.05
done
[ -n "$t_kill" ] || fail "oom: no group kill in 30 s"
wait_for 1 wlog_has "oom-kill user=alice uid=1001 leaf=$leaf rule=students memory.max=314572800 " ||
	fail "oom: no notice within 1 s: $(tail -n 3 $WLOG)"
t_notice=$(uptime_cs)
wait_for 1 sh -c "[ -s $ONOOM ]" || fail "oom: on_oom did not run within 1 s"
t_cmd=$(uptime_cs)
assert_eq "$(cat $ONOOM)" "alice 1001 $leaf students" "on_oom arguments"
wait_for 1 sh -c "[ ! -e $leaf ]" || fail "oom: dead leaf $leaf still there 1 s after the notice"
t_gone=$(uptime_cs)
line=$(grep "oom-kill user=alice" "$WLOG" | head -n 1)
assert_match "$line" "oom_group_kill=[1-9][0-9]*\(\+[1-9]" "notice: group kill count"
assert_match "$line" "memory.peak=[0-9]+ " "notice: peak"
assert_match "$line" "biggest=hog\[[0-9]+\]:[0-9]{8,}$" "notice: the victim (a 150 MB worker)"
say "oom: notice +$(fmt_cs $((t_notice - t_kill)))s, on_oom +$(fmt_cs $((t_cmd - t_kill)))s, leaf gone +$(fmt_cs $((t_gone - t_kill)))s after the kill was seen"
say "notice: ${line#*cgherd: }"
assert_match "$(cat $SYSLOG)" "cgherd\[$WPID\]: oom-kill user=alice" "notice in syslog"
wait_for 10 no_pids_cmd 'hog mem' || fail "oom: hog processes left"

# --- reclaim: page cache above 20% of 300M is dropped, anon stays ---------------------
# a vfat RAM disk: page cache that can be reclaimed (the initramfs' cannot)
for m in brd fat vfat nls_cp437 nls_ascii nls_utf8; do
	insmod "/lib/modules/$(uname -r)/$m.ko" rd_nr=1 rd_size=262144 2>/dev/null
done
[ -b /dev/ram0 ] || fail "reclaim: no /dev/ram0 (brd.ko)"
mkdosfs /dev/ram0 >/dev/null && mkdir -p /mnt/ram && mount -t vfat /dev/ram0 /mnt/ram ||
	fail "reclaim: cannot mount a vfat RAM disk"
dd if=/dev/zero of=/mnt/ram/big bs=1M count=160 2>/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
runuser -u carol -- sh -c '/usr/local/bin/hog mem 1 40 & sleep 1003' >/dev/null 2>&1 &
wait_for 10 has_pids_cmd '^sleep 1003' || fail "reclaim: session did not start"
rleaf=$(leaf_of_pid "$(pids_cmd '^sleep 1003')")
wait_for 20 sh -c "[ \$(awk '\$1 == \"anon\" { print \$2 }' $rleaf/memory.stat) -ge 41943040 ]" ||
	fail "reclaim: the hog did not take 40 MB"
anon0=$(cg_key "$rleaf/memory.stat" anon)
n0=$(wlog_count "reclaimed uid=1003 ")
t0=$(uptime_cs)
# a reader moved into the session's leaf (by root: the test's doing), so that the
# page cache it fills is charged to the session; the daemon is stopped meanwhile so
# that it sees the whole read, not half of it
kill -STOP "$WPID"
sh -c "echo \$\$ >$rleaf/cgroup.procs; exec cat /mnt/ram/big >/dev/null"
sleep 2.5	# memory.stat is flushed every 2 s
kill -CONT "$WPID"
wait_for 5 sh -c "[ \$(grep -c 'reclaimed uid=1003 ' $WLOG) -gt $n0 ]" ||
	fail "reclaim: nothing reclaimed (file=$(cg_key "$rleaf/memory.stat" file))"
t1=$(uptime_cs)
# the file figure the daemon read from memory.stat before reclaiming
file1=$(grep 'reclaimed uid=1003 ' $WLOG | tail -n 1 | sed 's/.* file=\([0-9]*\) .*/\1/')
assert_ge "$file1" 104857600 "reclaim: file before"
# memory.stat lags (the kernel flushes its counters every 2 s): wait on it
wait_for 5 sh -c "[ \$(awk '\$1 == \"file\" { print \$2 }' $rleaf/memory.stat) -le 62914560 ]" ||
	fail "reclaim: file still $(cg_key "$rleaf/memory.stat" file) > 20% of 300M"
file2=$(cg_key "$rleaf/memory.stat" file)
anon2=$(cg_key "$rleaf/memory.stat" anon)
say "reclaim: file $file1 -> $file2 (reclaimed $(fmt_cs $((t1 - t0)))s after the read began), anon $anon0 -> $anon2"
assert_ge "$anon2" $((anon0 - 2097152)) "reclaim: anon untouched"
say "$(grep 'reclaimed uid=1003 ' $WLOG | tail -n 1 | sed 's/^cgherd: //')"

# cooldown: read again at once; no second reclaim before 6 s have passed
sh -c "echo \$\$ >$rleaf/cgroup.procs; exec cat /mnt/ram/big >/dev/null"
wait_for 3 sh -c "[ \$(awk '\$1 == \"file\" { print \$2 }' $rleaf/memory.stat) -ge 104857600 ]" ||
	fail "reclaim: the second read did not fill the cache"
t3=$(uptime_cs)
[ $((t3 - t1)) -lt 450 ] || fail "reclaim: test too slow to check the cooldown"
assert_eq "$(wlog_count 'reclaimed uid=1003 ')" $((n0 + 1)) "reclaim: second one within the cooldown"
wait_for 6 sh -c "[ \$(grep -c 'reclaimed uid=1003 ' $WLOG) -gt $((n0 + 1)) ]" || fail "reclaim: none after the cooldown"
t2=$(uptime_cs)
say "reclaim: second one $(fmt_cs $((t2 - t1)))s after the first (cooldown 6 s)"
assert_ge "$((t2 - t1))" 550 "reclaim: cooldown honoured"
kill "$(pids_cmd '^sleep 1003')"
umount /mnt/ram

# --- pressure guard: a session thrashing above memory.high is killed as a unit -------
runuser -u bob -- /usr/local/bin/hog mem 1 200 >/dev/null 2>&1 &
wait_for 10 sh -c "ls -d $BASE/user-1002/session-* >/dev/null 2>&1" || fail "guard: no session"
gleaf=$(user_leaves 1002 | head -n 1)
wait_for 60 wlog_has "thrashing uid=1002 leaf=$gleaf " || fail "guard: no thrashing line in 60 s (pressure: $(cat $gleaf/memory.pressure 2>/dev/null | head -n 1))"
say "$(grep 'thrashing uid=1002' $WLOG | head -n 1 | sed 's/^cgherd: //')"
wait_for 10 no_pids_cmd 'hog mem 1 200' || fail "guard: the session was not killed"
wait_for 5 sh -c "[ ! -e $gleaf ]" || fail "guard: leaf left"

# --- leaves vanishing under the daemon ------------------------------------------------
i=0 jobs=
while [ $i -lt 30 ]; do
	runuser -u dave -- true &
	jobs="$jobs $!"
	i=$((i + 1))
done
for j in $jobs; do wait "$j"; done
# empty leaves made and removed at once (the daemon may collect them first)
for n in 1 2 3 4 5; do
	mkdir -p "$BASE/user-1004/session-9999$n"
	rmdir "$BASE/user-1004/session-9999$n" 2>/dev/null
done
rmdir "$BASE/user-1004" 2>/dev/null
sleep 1
watch_alive || fail "the daemon died while leaves vanished"
assert_eq "$(count_leaves 1004)" 0 "leaves of dave"

kill -TERM "$WPID"
wait_for 5 sh -c "! kill -0 $WPID 2>/dev/null" || fail "the daemon did not stop on SIGTERM"
wait "$WPID"
assert_eq "$?" 0 "exit status of watch after SIGTERM"

# --- cost with 1,000 idle sessions ----------------------------------------------------
# leaves made by hand, each named for and holding one sleeping process (as a login
# holds its opener: a leaf whose opener is gone would be ended as orphaned), then a
# fresh daemon (default reclaim_interval, pressure guard on) over 1,000 live sessions
sed -e 's/reclaim_interval = 1;//' -e 's/reclaim_cooldown = 6;//' /tmp/cgh-good.conf | write_conf
mkdir -p "$BASE/user-1001"
i=0
while [ $i -lt 1000 ]; do
	sh -c "d=$BASE/user-1001/session-\$\$; mkdir \$d && echo \$\$ >\$d/cgroup.procs; exec sleep 100000" &
	i=$((i + 1))
done
wait_for 60 sh -c "[ \$(ls -d $BASE/user-1001/session-* | wc -l) -ge 1000 ]" || fail "cost: sessions not made"
cgherd watch -f >"$WLOG" 2>&1 &
WPID=$!
wait_for 30 wlog_has "watching /sys/fs/cgroup/cgherd: 1000 sessions" || fail "cost: watch did not start: $(tail -n 3 $WLOG)"
sleep 5
ticks() { awk '{ print $14 + $15 }' "/proc/$WPID/stat"; }
hz=100
c0=$(ticks)
u0=$(uptime_cs)
sleep 30
c1=$(ticks)
u1=$(uptime_cs)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WPID/status")
fds=$(ls "/proc/$WPID/fd" | wc -l)
cpu_permille=$(( (c1 - c0) * 100 * 1000 / hz / (u1 - u0) ))
say "cost: 1000 sessions, $((c1 - c0)) ticks in $(fmt_cs $((u1 - u0)))s = $((cpu_permille / 10)).$((cpu_permille % 10))% of one CPU, VmRSS ${rss} kB, $fds fds"
echo "@@CGH COST sessions=1000 cpu_permille=$cpu_permille rss_kb=$rss fds=$fds"
assert_le "$cpu_permille" 9 "cost: CPU (per mille of one CPU)"
assert_le "$rss" 10240 "cost: VmRSS (kB)"
watch_alive || fail "cost: the daemon died"

kill -TERM "$WPID"
wait "$WPID"
