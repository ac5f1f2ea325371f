# user aggregate: two concurrent sessions of one user (runuser and ssh) both sit under
# user-<uid>, whose memory.max/pids.max are the rule's user limits.
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "2G"; pids_max = 1024; };
user = { pids_max = 4000; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "300M"; };
    user = { memory_max = "700M"; pids_max = 500; }; }
);
CONF

runuser -u alice -- sleep 1011 &
c1=$!
as_ssh alice 'sleep 1012' &
c2=$!
wait_for 20 has_pids_cmd '^sleep 1011' || fail "first session did not start"
wait_for 20 has_pids_cmd '^sleep 1012' || fail "second (ssh) session did not start"
l1=$(leaf_of_pid $(pids_cmd '^sleep 1011'))
l2=$(leaf_of_pid $(pids_cmd '^sleep 1012'))
say "runuser session: $l1"
say "ssh session:     $l2"
assert_ne "$l1" "$l2" "the two sessions' leaves"
ud=$BASE/user-1001
assert_eq "${l1%/*}" "$ud" "parent of the first leaf"
assert_eq "${l2%/*}" "$ud" "parent of the second leaf"
assert_eq "$(count_leaves 1001)" 2 "number of leaves of alice"
say "user-1001: memory.max $(cg_read $ud/memory.max), pids.max $(cg_read $ud/pids.max), memory.current $(cg_read $ud/memory.current), pids.current $(cg_read $ud/pids.current)"
assert_eq "$(cg_read $ud/memory.max)" 734003200 "user-1001 memory.max"
assert_eq "$(cg_read $ud/pids.max)" 500 "user-1001 pids.max"
assert_eq "$(cg_read $l1/memory.max)" 314572800 "first leaf memory.max"
assert_eq "$(cg_read $l2/memory.max)" 314572800 "second leaf memory.max"
assert_eq "$(cg_read $l1/pids.max)" 1024 "first leaf pids.max"
# user-<uid> holds no process itself, and counts both sessions' processes
assert_eq "$(cg_procs $ud)" "" "user-1001 cgroup.procs"
assert_ge "$(cg_read $ud/pids.current)" 4 "user-1001 pids.current (2 openers + 2 sleeps)"

# closing one session leaves the user dir and the other session alone
kill $(pids_cmd '^sleep 1011')
wait $c1
wait_for 10 sh -c "[ ! -e $l1 ]" || fail "first leaf left after its session closed"
assert_exists "$l2" "second leaf while its session runs"
assert_eq "$(cg_read $ud/memory.max)" 734003200 "user-1001 memory.max with one session left"
kill $(pids_cmd '^sleep 1012')
wait $c2
wait_for 10 sh -c "[ ! -e $l2 ]" || fail "second leaf left after its session closed"
wait_for 10 sh -c "[ ! -e $ud ]" || fail "user-1001 left after both sessions closed: $(ls $ud)"
