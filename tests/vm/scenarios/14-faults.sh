# faults: one at a time, each with its log line, the on_error outcome and nothing
# half-made: /run full and read-only (the config cache: the login is herded, the
# cache is skipped and its temporary file gone), cgroup.max.descendants reached on
# the base (no user dir, then no leaf: refused with "deny", unconfined with "allow"),
# pids.max reached on the base (the module herds, the opener cannot fork: the leaf and
# user dir go at close), the memory controller taken out of the base's
# cgroup.subtree_control behind cgherd's back (put back at the next login),
# /var/lib/cgherd read-only (a notice not recorded: logged, the login herded) and the
# cgroup2 root remounted read-only.
GOOD='on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "500M"; pids_max = 1024; };
rules = ( { name = "system"; match = { uid = "0-999"; }; action = "ignore"; } );'
echo "$GOOD" | write_conf
CACHE=/run/cgherd
# whatever happens, the next scenario gets the VM back as it was
trap 'umount /run 2>/dev/null; umount /var/lib/cgherd 2>/dev/null; mount -o remount,rw,nsdelegate $CG 2>/dev/null
	[ -d $BASE ] && echo max >$BASE/pids.max && echo max >$BASE/cgroup.max.descendants
	rm -rf /tmp/cgh-run' EXIT
# a fresh config: the cache holds the old one, so the login must write it anew
touch_conf() { sleep 1.1; echo "$GOOD" | sed "s/500M/50${1}M/" | write_conf; sleep 1.1; }
no_cache_tmp() { [ -z "$(ls $CACHE 2>/dev/null | grep '\.tmp-')" ] || fail "$1: temporary cache file left: $(ls $CACHE)"; }

# --- /run full, then read-only: the config cache cannot be written ---------------
as_runuser alice true || fail "first login"
ls $CACHE/*.cache >/dev/null 2>&1 || fail "no config cache written in $CACHE: $(ls -la $CACHE 2>&1)"
cp -a /run /tmp/cgh-run
mount -t tmpfs -o size=256k,mode=755 tmpfs /run || fail "cannot mount a small /run"
cp -a /tmp/cgh-run/. /run/
dd if=/dev/zero of=/run/fill bs=4k 2>/dev/null
say "/run: $(df -k /run | tail -n 1 | awk '{ print $3 " kB used, " $4 " kB free" }')"
pam_args debug
touch_conf 1
try_login "/run full" herd "config cache cgherd-[0-9a-f]+\.cache not written: .*No space left on device"
no_cache_tmp "/run full"
mount -o remount,ro /run || fail "cannot remount /run read-only"
touch_conf 2
try_login "/run read-only" herd "config cache cgherd-[0-9a-f]+\.cache not written: .*Read-only file system"
no_cache_tmp "/run read-only"
# no cache dir at all, and none can be made
mount -o remount,rw /run && rm -rf $CACHE && mount -o remount,ro /run || fail "cannot remove $CACHE"
touch_conf 3
try_login "/run read-only, no cache dir" herd "config cache not used: .*Read-only file system"
assert_absent $CACHE "cache dir on a read-only /run"
umount /run || fail "cannot unmount the small /run"
rm -rf /tmp/cgh-run
pam_args ""
echo "$GOOD" | write_conf

# --- cgroup.max.descendants reached on the base -------------------------------------
as_runuser alice true || fail "login before max.descendants"
echo 0 >$BASE/cgroup.max.descendants
try_login "max.descendants 0" deny "cgherd/user-1001.*Resource temporarily unavailable"
echo 1 >$BASE/cgroup.max.descendants
try_login "max.descendants 1 (user dir, no leaf)" deny "session-[0-9]+.*Resource temporarily unavailable"
pam_args on_error=allow
try_login "max.descendants 1 (user dir, no leaf)" allow "session-[0-9]+.*Resource temporarily unavailable"
pam_args ""
echo max >$BASE/cgroup.max.descendants

# --- pids.max reached on the base ------------------------------------------------------
# the move of the opener is not held back by pids.max; its fork is
syslog_mark
echo 1 >$BASE/pids.max
rc=0
out=$(runuser -u alice -- sh -c 'echo ran' 2>&1) || rc=$?
echo max >$BASE/pids.max
log=$(syslog_since)
say "pids.max 1 on the base: runuser exit $rc: $out"
echo "$log" | grep -E 'pam_cgherd|runuser' | sed 's/^.*: pam_cgherd([^)]*): /      /'
assert_ne "$rc" 0 "pids.max 1: runuser exit status"
assert_match "$out" "fork|Resource temporarily unavailable" "pids.max 1: runuser's error"
assert_match "$log" "herded user=alice .*leaf=$BASE/user-1001/session-" "pids.max 1: herded line"
assert_match "$log" "closed user=alice .*(leaf_removed|leaf_to_reaper)" "pids.max 1: closed line (the leaf removed by close or by its reaper)"
wait_for 5 sh -c "[ ! -e $BASE/user-1001 ]" || fail "pids.max 1: left: $(ls -R $BASE/user-1001)"

# --- memory taken out of the base's cgroup.subtree_control behind cgherd's back -------
as_runuser alice true || fail "login before -memory"
# the leaf's reaper removes user-1001 just after runuser's exit; a user dir with
# memory in its subtree_control would keep memory in the base's
wait_for 5 sh -c "[ ! -e $BASE/user-1001 ]" || fail "user dir left: $(ls -R $BASE/user-1001)"
echo "-memory" >$BASE/cgroup.subtree_control || fail "cannot take memory out of $BASE"
say "base subtree_control: $(cg_read $BASE/cgroup.subtree_control)"
info=$(as_runuser alice /vm/cginfo.sh) || fail "login after -memory failed"
say "after -memory: $(echo $info)"
assert_match "$info" "leaf.memory.max=524288000" "memory.max of the leaf after -memory on the base"
assert_match "$(cg_read $BASE/cgroup.subtree_control)" "memory" "base subtree_control after the login"

# --- /var/lib/cgherd unwritable: a notice cannot be recorded ---------------------------
# a session group-killed with nobody watching; the next login collects its leaf and
# its notice, which cannot be written: logged, the login herded all the same (a
# notice is not worth a refused login), nothing written there
echo "$GOOD" | sed 's/500M/64M/' | write_conf
mkdir -p -m 700 /var/lib/cgherd
mount -t tmpfs -o ro,mode=700 tmpfs /var/lib/cgherd || fail "cannot mount a read-only /var/lib/cgherd"
as_runuser alice /usr/local/bin/hog mem 3 40 >/dev/null 2>&1 && fail "the hog session was not killed"
assert_match "$(cg_read $BASE/memory.events)" "oom_group_kill [1-9]" "group kill before /var/lib/cgherd read-only"
try_login "/var/lib/cgherd read-only" herd "collected dead session leaf=.* notice for uid=1001 not recorded: .*Read-only file system|notice for uid=1001 not recorded: .*Read-only file system"
assert_eq "$(ls -A /var/lib/cgherd)" "" "/var/lib/cgherd read-only: files in it"
umount /var/lib/cgherd || fail "cannot unmount the read-only /var/lib/cgherd"
echo "$GOOD" | write_conf

# --- the cgroup2 root remounted read-only ------------------------------------------------
mount -o remount,ro,nsdelegate $CG || fail "cannot remount $CG read-only"
try_login "cgroup2 read-only" deny "Read-only file system"
pam_args on_error=allow
try_login "cgroup2 read-only" allow "Read-only file system"
pam_args ""
mount -o remount,rw,nsdelegate $CG || fail "cannot remount $CG read-write"
out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "login after the faults failed"
assert_match "$out" '^/cgherd/user-1001/session-' "session after the faults"
