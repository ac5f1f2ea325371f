# close: `sleep 1000 &` left by a session is killed at close when kill_on_close is
# true (leaf gone, no sleep left); with false the leaf stays with the sleep in it,
# and the next login collects it once the sleep is killed.

# kill_on_close = true
close_conf true
for via in runuser ssh; do
	cmd='sed -n "s/^0:://p" /proc/$$/cgroup; sleep 1001 >/dev/null 2>&1 </dev/null &'
	if [ $via = runuser ]; then
		cg=$(as_runuser alice sh -c "$cmd") || fail "$via: login failed"
	else
		cg=$(as_ssh alice "$cmd") || fail "$via: login failed"
	fi
	leaf=$CG$cg
	say "$via, kill_on_close=true: session was $leaf"
	case $leaf in "$BASE/user-1001/session-"*) ;; *) fail "$via: session ran in '$cg', not in a leaf of user-1001" ;; esac
	wait_for 10 no_pids_cmd '^sleep 1001' || fail "$via: sleep 1001 survived the close (pids $(pids_cmd '^sleep 1001'), in $(leaf_of_pid $(pids_cmd '^sleep 1001' | head -n 1)))"
	wait_for 10 sh -c "[ ! -e $leaf ]" || fail "$via: leaf $leaf left after close: procs '$(cg_procs $leaf)'"
done

# kill_on_close = false
close_conf false
for via in runuser ssh; do
	cmd='sed -n "s/^0:://p" /proc/$$/cgroup; sleep 1002 >/dev/null 2>&1 </dev/null &'
	if [ $via = runuser ]; then
		cg=$(as_runuser alice sh -c "$cmd") || fail "$via: login failed"
	else
		cg=$(as_ssh alice "$cmd") || fail "$via: login failed"
	fi
	leaf=$CG$cg
	say "$via, kill_on_close=false: session was $leaf"
	sleep 1
	sp=$(pids_cmd '^sleep 1002')
	[ -n "$sp" ] || fail "$via: sleep 1002 did not survive the close with kill_on_close=false"
	assert_exists "$leaf" "$via: leaf holding the sleep"
	assert_eq "$(cg_procs "$leaf")" "$sp" "$via: cgroup.procs of the leaf"
	say "$via: leaf kept with the sleep ($sp) in it"
	# a login while the sleep lives must not collect the leaf
	as_runuser alice true || fail "$via: second login failed"
	assert_exists "$leaf" "$via: populated leaf after another login"
	kill -9 $sp
	wait_for 5 cg_empty "$leaf" || fail "$via: leaf still populated after killing the sleep"
	as_runuser alice true || fail "$via: collecting login failed"
	assert_absent "$leaf" "$via: leaf after the sleep died and alice logged in again"
	say "$via: next login collected it"
done
