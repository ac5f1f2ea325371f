# failure: a broken config (syntax error), a config writable by others, and a cgroup
# root without the memory controller: the login is refused with on_error "deny"
# (runuser fails, the command did not run) and let in unconfined with "allow"; the
# module's syslog line says why; nothing half-made is left.
GOOD='cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
kill_on_close = true;
default_action = "herd";
session = { memory_max = "500M"; pids_max = 1024; };
rules = ( { name = "system"; match = { uid = "0-999"; }; action = "ignore"; } );'
mine=$(sed -n 's/^0:://p' /proc/$$/cgroup)

# attempt CASE MODE REASON_REGEX [ROOT]: one login of alice, checked
attempt() {
	case=$1 mode=$2 why=$3 root=${4:-$CG}
	rm -f /tmp/cgh-ran
	syslog_mark
	rc=0
	out=$(runuser -u alice -- sh -c 'touch /tmp/cgh-ran; sed -n "s/^0:://p" /proc/$$/cgroup' 2>&1) || rc=$?
	errs=$(syslog_since | grep -i cgherd | grep -E '\.(err|crit|alert|emerg) ' | sed 's/^.*pam_cgherd([^)]*): //')
	log=$(echo "$errs" | tail -n 1)
	say "$case, on_error=$mode: runuser exit $rc; errors logged:"
	echo "$errs" | sed 's/^/      /'
	log=$(echo "$errs" | tr "\n" " ")
	if [ "$mode" = deny ]; then
		assert_ne "$rc" 0 "$case, deny: runuser exit status"
		assert_absent /tmp/cgh-ran "$case, deny: the command ran anyway:"
	else
		assert_eq "$rc" 0 "$case, allow: runuser exit status (output: $out)"
		assert_exists /tmp/cgh-ran "$case, allow: file made by the command"
		assert_eq "$(echo "$out" | tail -n 1)" "$mine" "$case, allow: cgroup of the unconfined session"
	fi
	[ -n "$log" ] || fail "$case, $mode: no error line from the module in syslog"
	assert_match "$log" "$why" "$case, $mode: syslog error lines (reason)"
	if [ "$mode" = deny ]; then
		assert_match "$log" "refus|deni|deny" "$case, deny: syslog error line (says the login was refused)"
	else
		assert_match "$log" "allow|unconfined|let in|without" "$case, allow: syslog error line (says the login was allowed)"
	fi
	assert_absent "$root/cgherd/user-1001" "$case, $mode: half-made user dir"
}

# 1. syntax error
printf '%s\nthis is not = = libconfig;\n' "$GOOD" | write_conf
attempt "syntax error" deny 'cgherd\.conf'
pam_args on_error=allow
attempt "syntax error" allow 'cgherd\.conf'
pam_args ""

# 2. config writable by others
echo "$GOOD" | write_conf
chmod 666 $CONF
attempt "mode 0666" deny 'cgherd\.conf.*(writ|mode|perm|insecure|unsafe)|(writ|mode|perm|insecure|unsafe).*cgherd\.conf'
pam_args on_error=allow
attempt "mode 0666" allow 'cgherd\.conf.*(writ|mode|perm|insecure|unsafe)|(writ|mode|perm|insecure|unsafe).*cgherd\.conf'
pam_args ""
chmod 644 $CONF

# 3. a cgroup root whose controllers lack memory: cgh-nomem enables only cpu and pids
# for its child "root", which the config names as cgroup_root
echo "+cpu +pids" >$CG/cgroup.subtree_control
mkdir -p $CG/cgh-nomem
echo "+cpu +pids" >$CG/cgh-nomem/cgroup.subtree_control || fail "cannot enable cpu pids in cgh-nomem"
mkdir -p $CG/cgh-nomem/root
say "cgroup_root $CG/cgh-nomem/root has controllers: $(cg_read $CG/cgh-nomem/root/cgroup.controllers)"
echo "$GOOD" | sed 's|^cgroup_root = .*|cgroup_root = "/sys/fs/cgroup/cgh-nomem/root";|' | sed 's/^base/on_error = "deny";\nbase/' | write_conf
attempt "no memory controller" deny 'memory' $CG/cgh-nomem/root
sed -i 's/^on_error = "deny";/on_error = "allow";/' $CONF
attempt "no memory controller" allow 'memory' $CG/cgh-nomem/root
ls -d $CG/cgh-nomem/root/cgherd/* 2>/dev/null && fail "left under the cgroup root: $(ls -d $CG/cgh-nomem/root/cgherd/*)"

# 4. and a good config works again
echo "$GOOD" | write_conf
out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "login with the good config failed"
assert_match "$out" '^/cgherd/user-1001/session-' "session with the good config"
