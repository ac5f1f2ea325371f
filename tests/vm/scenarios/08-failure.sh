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
# 1. syntax error
printf '%s\nthis is not = = libconfig;\n' "$GOOD" | write_conf
try_login "syntax error" deny 'cgherd\.conf'
pam_args on_error=allow
try_login "syntax error" allow 'cgherd\.conf'
pam_args ""

# 2. config writable by others
echo "$GOOD" | write_conf
chmod 666 $CONF
try_login "mode 0666" deny 'cgherd\.conf.*(writ|mode|perm|insecure|unsafe)|(writ|mode|perm|insecure|unsafe).*cgherd\.conf'
pam_args on_error=allow
try_login "mode 0666" allow 'cgherd\.conf.*(writ|mode|perm|insecure|unsafe)|(writ|mode|perm|insecure|unsafe).*cgherd\.conf'
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
try_login "no memory controller" deny 'memory' $CG/cgh-nomem/root
sed -i 's/^on_error = "deny";/on_error = "allow";/' $CONF
try_login "no memory controller" allow 'memory' $CG/cgh-nomem/root
ls -d $CG/cgh-nomem/root/cgherd/* 2>/dev/null && fail "left under the cgroup root: $(ls -d $CG/cgh-nomem/root/cgherd/*)"

# 4. and a good config works again
echo "$GOOD" | write_conf
out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup') || fail "login with the good config failed"
assert_match "$out" '^/cgherd/user-1001/session-' "session with the good config"
