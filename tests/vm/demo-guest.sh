#!/bin/sh
# The `make demo` story, run inside the VM by /init (cgh.run=demo): alice, a member
# of "students", logs in over ssh with the shipped config and runs the hogherder.
. /vm/lib.sh

verdict() {
	echo
	echo "@@CGH DEMO-VERDICT $1"
	exit 0
}
bad() { verdict "FAIL: $*"; }

echo "=== pam_cgherd demo on $(uname -sr) ==="
[ -f /vm/demo.conf ] || bad "no /vm/demo.conf in the image"
write_conf </vm/demo.conf
echo "config: /etc/security/cgherd.conf (the repository's config/cgherd.conf)"
echo "user:   $(id alice)"
echo "root cgroup controllers: $(cat $CG/cgroup.controllers)"
echo
echo "--- alice logs in over ssh and runs: hog mem 3 300"
echo "    (a master that waits on 3 workers, each touching 300 MB)"
syslog_mark
t0=$(uptime_cs)
as_ssh alice '/usr/local/bin/hog mem 3 300' >/tmp/cgh-demo.out 2>&1 &
client=$!
wait_for 30 has_pids_cmd '^/usr/local/bin/hog mem' || bad "the hog never started: $(cat /tmp/cgh-demo.out)"
master=$(pids_cmd '^/usr/local/bin/hog mem' | head -n 1)
leaf=$(leaf_of_pid "$master")
opener=$(leaf_pid "$leaf")
echo
echo "--- the session's leaf: ${leaf#$CG}"
echo "    opener (sshd [priv]) pid $opener: $(tr '\0' ' ' </proc/$opener/cmdline 2>/dev/null)"
for f in memory.max memory.high memory.swap.max memory.oom.group cpu.max cpu.weight pids.max; do
	printf '    %-17s %s\n' "$f" "$(cg_read "$leaf/$f" || true)"
done
echo "    cgroup.procs      $(cg_procs "$leaf")"
limits="memory.max $(cg_read "$leaf/memory.max"), memory.swap.max $(cg_read "$leaf/memory.swap.max"), cpu.max $(cg_read "$leaf/cpu.max")"
wait_for 150 no_pids_cmd '^/usr/local/bin/hog mem' || bad "the hog still runs after 150 s"
wait_for 20 sh -c "! kill -0 $client 2>/dev/null"
rc=0
wait "$client" || rc=$?
t1=$(uptime_cs)
echo
echo "--- the session ended after $(fmt_cs $((t1 - t0))) s; ssh exit status $rc; what the session printed:"
sed 's/^/    /' /tmp/cgh-demo.out
echo
echo "--- the kernel's memory.events of the leaf:"
sed 's/^/    /' "$leaf/memory.events" 2>/dev/null || echo "    (leaf gone)"
gk=$(cg_key "$leaf/memory.events" oom_group_kill)
echo "    cgroup.events: $(cg_read "$leaf/cgroup.events")"
survivors=$(pids_cmd '^/usr/local/bin/hog mem')
alive "$opener" && survivors="$survivors opener:$opener"
echo "    survivors: ${survivors:-none}"
echo
echo "--- alice logs in again (collects the dead leaf)"
as_runuser alice true || bad "alice's next login failed"
collected=no
[ -e "$leaf" ] || collected=yes
echo "    dead leaf removed: $collected"
echo
echo "--- what pam_cgherd logged:"
syslog_since | grep cgherd | sed 's/^/    /'

echo
[ "$rc" != 0 ] || bad "the ssh session was not killed"
[ "${gk:-0}" -ge 1 ] 2>/dev/null || bad "memory.events oom_group_kill is '${gk}', not >= 1"
[ -z "$survivors" ] || bad "processes of the session survived: $survivors"
[ "$collected" = yes ] || bad "the dead leaf was not collected by the next login"
verdict "PASS: the students session was capped ($limits), the kernel killed it as a whole (oom_group_kill=$gk), nothing survived, and the next login cleaned up."
