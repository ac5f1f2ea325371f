# escape: a user inside a herded session cannot write any control file of its leaf
# or of user-<uid>, cannot make cgroups under them, cannot move its processes out,
# and so cannot raise its limits.  Each attempt runs as the user; the verdict comes
# from what the kernel shows afterwards.
write_conf <<'CONF'
session = { pids_max = 256; };
rules = (
  { name = "system"; match = { uid = "0-999"; }; action = "ignore"; },
  { name = "students"; match = { group = "students"; };
    session = { memory_max = "300M"; cpu_max = "20%"; }; user = { memory_max = "400M"; }; }
);
CONF

# Runs as alice inside her session: tries each escape, prints what worked.
cat >/tmp/cgh-escape.sh <<'ESC'
leaf=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
user=${leaf%/*}
try() { if sh -c "$1" 2>/dev/null; then echo "ESCAPED: $1"; fi; }
for f in memory.max memory.high memory.swap.max memory.oom.group cpu.max pids.max \
	cgroup.subtree_control cgroup.max.descendants cgroup.freeze; do
	try "echo max >$leaf/$f"
	try "echo max >$user/$f"
done
try "echo 0 >$leaf/memory.oom.group"
try "mkdir $leaf/sub"
try "mkdir $user/mine"
try "echo \$\$ >/sys/fs/cgroup/cgroup.procs"
try "echo \$\$ >/sys/fs/cgroup/cgherd/cgroup.procs"
try "echo \$\$ >$user/cgroup.procs"
try "echo \$\$ >/sys/fs/cgroup/cgroup.threads"
echo "LEAF $leaf"
echo "NOW $(sed -n 's/^0:://p' /proc/self/cgroup)"
echo "MEM $(cat $leaf/memory.max) $(cat $user/memory.max) $(cat $leaf/memory.oom.group) $(cat $leaf/pids.max)"
ESC
chmod 755 /tmp/cgh-escape.sh
for via in runuser ssh; do
	if [ $via = runuser ]; then
		out=$(as_runuser alice sh /tmp/cgh-escape.sh) || fail "$via: login failed"
	else
		out=$(as_ssh alice "sh /tmp/cgh-escape.sh") || fail "$via: login failed"
	fi
	say "$via: $(echo "$out" | tr '\n' ';')"
	echo "$out" | grep -q '^ESCAPED' && fail "$via: $(echo "$out" | grep '^ESCAPED' | tr '\n' ' ')"
	leaf=$(echo "$out" | sed -n 's/^LEAF //p')
	case $leaf in "$BASE/user-1001/session-"*) ;; *) fail "$via: session ran in '$leaf'" ;; esac
	assert_eq "$CG$(echo "$out" | sed -n 's/^NOW //p')" "$leaf" "$via: cgroup after the attempts"
	assert_eq "$(echo "$out" | sed -n 's/^MEM //p')" "314572800 419430400 1 256" \
		"$via: memory.max, user memory.max, oom.group, pids.max seen from inside"
done
