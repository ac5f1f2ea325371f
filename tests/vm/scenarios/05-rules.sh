# rules: users in different groups, services and uid ranges get the right values in
# their leaf (and user-<uid>); ignored users stay in the cgroup they were in.
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "1G"; pids_max = 1024; oom_group = true; };
user = { };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "carol"; match = { user = "carol"; service = "runuser"; }; session = { pids_max = 77; }; },
  { name = "students"; match = { group = [ "students" ]; };
    session = { memory_max = "500M"; memory_swap_max = "0"; cpu_max = "20%"; }; },
  { name = "staff"; match = { group = "staff"; service = [ "sshd" ]; };
    session = { memory_max = "800M"; cpu_max = "400%"; pids_max = 300; oom_group = false; };
    user = { memory_max = "900M"; }; },
  { name = "login-shell"; match = { user = "dave"; service = "runuser-l"; }; session = { pids_max = 55; }; },
  { name = "range"; match = { uid = ( 1003, "1004-1010" ); };
    session = { memory_high = "300M"; cpu_weight = 50; cpu_max = "50000 200000"; }; }
);
CONF

# check USER VIA key=value...: log in, run cginfo.sh, compare
check() {
	u=$1 via=$2
	shift 2
	if [ $via = runuser ]; then
		info=$(as_runuser "$u" /vm/cginfo.sh) || fail "$u via $via: login failed"
	elif [ $via = runuser-l ]; then
		info=$(runuser -l "$u" -c /vm/cginfo.sh) || fail "$u via $via: login failed"
	else
		info=$(as_ssh "$u" /vm/cginfo.sh) || fail "$u via $via: login failed"
	fi
	say "$u via $via: $(echo $info)"
	for kv in "$@"; do
		k=${kv%%=*}
		got=$(echo "$info" | sed -n "s/^$k=//p")
		case ${kv#*=} in
		"~"*) assert_match "$got" "${kv#*=~}" "$u via $via: $k" ;;
		*) assert_eq "$got" "${kv#*=}" "$u via $via: $k" ;;
		esac
	done
	uid=$(id -u "$u")
	wait_for 10 sh -c "[ ! -e $BASE/user-$uid ]" || fail "$u via $via: user-$uid left after the session closed: $(ls $BASE/user-$uid)"
}
leafre='^/cgherd/user-%s/session-[0-9]+(-[0-9]+)?$'

# students (alice): 500M, no swap, 20%; top-level pids_max and oom_group kept
check alice runuser "cgroup=~$(printf "$leafre" 1001)" leaf.memory.max=524288000 leaf.memory.swap.max=0 \
	leaf.cpu.max=20000_100000 leaf.pids.max=1024 leaf.memory.oom.group=1
check alice ssh "cgroup=~$(printf "$leafre" 1001)" leaf.memory.max=524288000 leaf.cpu.max=20000_100000
# staff (bob) over ssh: staff rule with the user aggregate
check bob ssh "cgroup=~$(printf "$leafre" 1002)" leaf.memory.max=838860800 leaf.cpu.max=400000_100000 \
	leaf.pids.max=300 leaf.memory.oom.group=0 user.memory.max=943718400
# staff (bob) through runuser: the staff rule is for sshd only -> top-level session
check bob runuser "cgroup=~$(printf "$leafre" 1002)" leaf.memory.max=1073741824 \
	leaf.pids.max=1024 leaf.memory.oom.group=1 user.memory.max=max
# carol (students and staff): rule "carol" for runuser first, "students" over ssh
check carol runuser "cgroup=~$(printf "$leafre" 1003)" leaf.pids.max=77 leaf.memory.max=1073741824
check carol ssh "cgroup=~$(printf "$leafre" 1003)" leaf.memory.max=524288000 leaf.cpu.max=20000_100000 leaf.pids.max=1024
# dave (no group, uid 1004): uid range rule
check dave runuser "cgroup=~$(printf "$leafre" 1004)" leaf.memory.high=314572800 leaf.cpu.weight=50 \
	leaf.cpu.max=50000_200000 leaf.memory.max=1073741824
check dave runuser-l "cgroup=~$(printf "$leafre" 1004)" leaf.pids.max=55 leaf.memory.high=max
check dave ssh "cgroup=~$(printf "$leafre" 1004)" leaf.memory.high=314572800 leaf.cpu.weight=50

# ignored: sys (uid 500) stays in the caller's cgroup, nothing made for it
mine=$(sed -n 's/^0:://p' /proc/$$/cgroup)
theirs=$(as_runuser sys sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "sys via runuser: login failed"
say "sys via runuser: caller in '$mine', session in '$theirs'"
assert_eq "$theirs" "$mine" "sys (ignored) session cgroup"
sshd_cg=$(sed -n 's/^0:://p' /proc/$(cat /run/sshd.pid)/cgroup)
theirs=$(as_ssh sys 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "sys via ssh: login failed"
say "sys via ssh: sshd in '$sshd_cg', session in '$theirs'"
assert_eq "$theirs" "$sshd_cg" "sys (ignored) ssh session cgroup"
assert_absent "$BASE/user-500" "cgroup of the ignored user"

# default_action = "ignore": unmatched users are left alone too
sed -i 's/^default_action = "herd";/default_action = "ignore";/' $CONF
theirs=$(as_runuser bob sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "bob via runuser (default ignore): login failed"
assert_eq "$theirs" "$mine" "bob via runuser with default_action ignore"
check alice runuser "cgroup=~$(printf "$leafre" 1001)" leaf.memory.max=524288000

# a user in many groups: the module looks up the rules' few group names, not
# each of alice's 42 groups; the result must be the same
cp /etc/group /tmp/group.orig
i=1
while [ $i -le 40 ]; do
	printf 'g%02d:x:%d:alice\n' $i $((3000 + i)) >>/etc/group
	i=$((i + 1))
done
write_conf <<'CONF'
default_action = "herd";
session = { pids_max = 1024; };
rules = (
  { name = "g33"; match = { group = [ "nosuchgroup", "g33" ]; service = "runuser-l"; }; session = { pids_max = 33; }; },
  { name = "students"; match = { group = "students"; }; session = { pids_max = 44; }; }
);
CONF
check alice runuser-l "cgroup=~$(printf "$leafre" 1001)" leaf.pids.max=33
check alice runuser "cgroup=~$(printf "$leafre" 1001)" leaf.pids.max=44
check dave runuser "cgroup=~$(printf "$leafre" 1004)" leaf.pids.max=1024
cp /tmp/group.orig /etc/group
