# cgherd.conf with n rules in all, the matching one ("students", alice's group)
# last; n=0: no rules, alice herded by the top-level limits.  The other rules
# alternate between a user name and a group name nobody has, so that matching
# looks at every rule.  lim: the session limits, e.g.
#   awk -v n=10000 -v lim='memory_max = "500M"; pids_max = 1024;' -f genconf.awk
BEGIN {
	print "cgroup_root = \"/sys/fs/cgroup\";"
	print "base = \"cgherd\";"
	print "on_error = \"deny\";"
	print "kill_on_close = true;"
	print "default_action = \"herd\";"
	print "session = { " lim " };"
	if (n == 0)
		exit
	print "rules = ("
	for (i = 1; i < n; i++) {
		if (i % 2)
			printf "  { name = \"r%d\"; match = { user = [ \"nouser%d\" ]; }; session = { memory_max = \"1G\"; }; },\n", i, i
		else
			printf "  { name = \"r%d\"; match = { group = [ \"nogroup%d\" ]; }; session = { memory_max = \"1G\"; }; },\n", i, i
	}
	print "  { name = \"students\"; match = { group = [ \"students\" ]; }; session = { " lim " }; }"
	print ");"
}
