# smoke: runuser and ssh logins work and are herded into user-<uid>/session-<pid>
write_conf <<'CONF'
cgroup_root = "/sys/fs/cgroup";
base = "cgherd";
on_error = "deny";
kill_on_close = true;
default_action = "herd";
session = { pids_max = 500; };
CONF

out=$(as_runuser alice sh -c 'sed -n "s/^0:://p" /proc/$$/cgroup; id -un') || fail "runuser login failed ($?)"
say "runuser: $(echo $out)"
assert_match "$out" "^/cgherd/user-1001/session-[0-9]+(-[0-9]+)? alice" "runuser session cgroup"

out=$(as_ssh alice 'sed -n "s/^0:://p" /proc/$$/cgroup; id -un') || fail "ssh login failed ($?)"
say "ssh: $(echo $out)"
assert_match "$out" "^/cgherd/user-1001/session-[0-9]+(-[0-9]+)? alice" "ssh session cgroup"

wait_for 5 sh -c "! ls -d $BASE/user-1001/session-* >/dev/null 2>&1" || fail "leaves left after both sessions closed: $(user_leaves 1001)"
