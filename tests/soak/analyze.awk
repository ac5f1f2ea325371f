# analyze.awk: the soak's figures and checks, from what tests/soak/guest.sh
# collected in the guest (one record per line, the first field its kind; see
# guest.sh).  Prints "@@SOAK FIG name value" and "@@SOAK CHECK PASS|FAIL name: detail".
# Verdicts come from the kernel (leaf files read inside each session, kmsg,
# memory.events, /proc), the clients' exit status and syslog lines, never from
# what the module says about its own success.

function fig(k, v) { printf "@@SOAK FIG %s %s\n", k, v }
function check(name, ok, detail) {
	printf "@@SOAK CHECK %s %s: %s\n", ok ? "PASS" : "FAIL", name, detail
}
# a syslog line's time stamp ("Y Dec  1 19:40:01 vm ...": $4) in uptime
# centiseconds (the run does not cross midnight UTC; "S start" gives the epoch of
# uptime 0)
function stamp(t,   a) {
	split(t, a, ":")
	return ((a[1] * 3600 + a[2] * 60 + a[3]) - (boot_epoch % 86400)) * 100
}
function mean(sum, n) { return n ? sum / n : 0 }
# no growth above 10 % (a drop is fewer connections in flight or pages evicted)
function flat(a, b) { return a > 0 && (b - a) <= a * 0.10 }
function pct(a, b) { return a > 0 ? sprintf("%+.1f%%", (b - a) * 100 / a) : "n/a" }
function ukey(l) { sub(/.*\/user-/, "user-", l); return l }	# leaf paths of kmsg, watch and the module alike

BEGIN {
	# the limits each version gives each user: "memory.max pids.max"
	ver_of["alice", "314572800 200"] = "A"; ver_of["alice", "325058560 210"] = "B"
	ver_of["bob", "314572800 200"] = "A"; ver_of["bob", "325058560 210"] = "B"
	ver_of["carol", "67108864 100"] = "A"; ver_of["carol", "75497472 110"] = "B"
	ver_of["dave", "419430400 64"] = "A"; ver_of["dave", "429916160 72"] = "B"
	uid["alice"] = 1001; uid["bob"] = 1002; uid["carol"] = 1003; uid["dave"] = 1004
	crash_re = "segfault|general protection|traps:|Oops|BUG:|Kernel panic|invalid opcode|[Aa]borted|stack smashing|double free|corrupted|free\\(\\): invalid"
}

$1 == "S" && $2 == "start" { start = $3; boot_epoch = $4; start_sfd = -1; for (k = 5; k <= NF; k++) if ($k ~ /^sshd_fds=/) { start_sfd = $k; sub("sshd_fds=", "", start_sfd); start_sfd += 0 } }
$1 == "S" && $2 == "dispatched" { done = $3 }
$1 == "S" && $2 == "end" { end = $3 }
$1 == "S" && $2 == "quiet" { quiet = $3; sub("procs=", "", $4); procs_left = $4; sub("sshd_fds=", "", $5); quiet_sfd = $5 }
$1 == "S" && $2 == "leaves" { leaves_left = $4; sub("users=", "", $5); users_left = $5 }
# "C0|C1 cpu user nice system idle iowait irq softirq steal ...": jiffies
$1 == "C0" || $1 == "C1" || $1 == "CD" { tot = 0; for (f = 3; f <= NF; f++) tot += $f; cpu_tot[$1] = tot; cpu_idle[$1] = $6 + $7 }
# the sampler's: CS T cpu user nice system idle iowait ...
$1 == "CS" { ns++; cs_t[ns] = $2; tot = 0; for (f = 4; f <= NF; f++) tot += $f; cs_tot[ns] = tot; cs_idle[ns] = $7 + $8 }
$1 == "E" && $3 == "invalid-config" { invalid_at = $2 }
$1 == "G" { ver[$2] = $3; ngen = $2; if ($3 != "X") nswap_valid++; else nswap_invalid++ }
$1 == "L" {
	nl++; id[nl] = $2; via[nl] = $3; user[nl] = $4; job[nl] = $5; rc[nl] = $6
	t0[nl] = $7; t1[nl] = $8; g0[nl] = $9; g1[nl] = $10; cw[nl] = $11; cp[nl] = $12
	row[$2] = nl
}
$1 == "I" { icg[$2] = $3; imem[$2] = $4; ipids[$2] = $5; ilo[$2] = $6; ihi[$2] = $7 }
$1 == "K" { killed[$3] = $4; nkill[$4]++; if ($4 == "opener") opener_killed[$3] = 1 }
$1 == "O" {
	orphaned++; if ($3 > 0) { orphan_alive++; orphan_procs += $3 }
	if ($4 == "-1") orphan_stuck++
	else if ($4 + 0 > orphan_max) orphan_max = $4 + 0
}
$1 == "R" { errtext[$2] = substr($0, length($1) + length($2) + 3) }
$1 == "W" && $2 == "start" { wstarts++; wup[$3] = $5 }
$1 == "W" && $2 == "noup" { wnoup++; if ($5 == "invalid-config") wnoup_x++; else wnoup_other = wnoup_other " " $3 }
$1 == "W" && $2 == "adj" { wadj_n++; if ($5 == "-900") wadj_ok++; else wadj_bad = wadj_bad " " $5 }
$1 == "W" && $2 == "kill" { wkills++; if ($5 != 137) wbad = wbad " kill:" $5; down_from[$3] = $6 }
$1 == "W" && $2 == "died" { wdied++; wdied_rc = wdied_rc " " $5; if ($5 >= 128) wbad = wbad " died:" $5; down_from[$3] = $6 }
$1 == "W" && $2 == "final" { wfinal = $4 }
$1 == "W" && $2 == "term" { wterm = $4 }
$1 == "V" && $2 == "begin" { v_begin = $3; sub("sshd=", "", $4); v_sshd = $4 }
$1 == "V" && $2 == "end" { v_end = $3; v_sshd_alive = ($4 == "sshd_alive=1"); v_watch_alive = ($5 == "watch_alive=1") }
$1 == "V" && $2 == "spared" { v_spared++ }
$1 == "V" && $2 == "hog-still-running" { v_hog_stuck = 1 }
# (runs before the sampler printed 0 for a VmRSS it could not read, when watch was
# down, have one field less there: put it back)
$1 == "P" && NF == 14 { $0 = $1 " " $2 " " $3 " " $4 " " $5 " " $6 " 0 " $7 " " $8 " " $9 " " $10 " " $11 " " $12 " " $13 " " $14 }
$1 == "P" {
	np++; pt[np] = $2; sfd[np] = $3; srss[np] = $4; wpid[np] = $5; wfd[np] = $6; wrss[np] = $7; wage[np] = $8
	if ($9 > run_files) run_files = $9; if ($10 > run_kb) run_kb = $10
	if ($11 > lib_files) lib_files = $11; if ($12 > lib_kb) lib_kb = $12
	lib_seen = lib_seen || $11 >= 0
	if ($13 > leaves_peak) leaves_peak = $13
	sanon[np] = $14; wanon[np] = $15
}
$1 == "B" && NF == 6 {
	nb++; if ($4 > bomb_peak) bomb_peak = $4; if ($4 > $5) bomb_over++
	if ($6 > 0 && !($3 in bomb_hit)) { bomb_hit[$3] = 1; bomb_leaves_hit++ }
}
$1 == "V" && $2 == "fat-not-ready" { v_fat_not_ready = 1 }
$1 == "V" && $2 == "watch-not-up" { v_watch_not_up = 1 }
$1 == "M" { base_ev[$2] = $3 }
$1 == "Y" {
	line = substr($0, 3)
	if (line ~ crash_re) { crash++; crash_lines = crash_lines " | " line }
	if (match(line, /cannot herd user=[a-z]+: /)) {
		nref++
		split(substr(line, RSTART + 17), ua, ":"); ref_user[nref] = ua[1]
		ref_time[nref] = stamp($4)
		ref_why[nref] = substr(line, RSTART + RLENGTH)
	}
	if (match(line, /collected dead session leaf=[^ ]+/)) {
		ncoll++; coll_leaf[ncoll] = substr(line, RSTART + 29, RLENGTH - 29); coll_time[ncoll] = stamp($4)
	}
	if (match(line, /cgherd\[[0-9]+\]: oom-kill /)) {
		np_ = substr(line, RSTART + 7); sub(/\].*/, "", np_)
		if (!(np_ in first_notice)) first_notice[np_] = stamp($4)
		nnotice++
		match(line, /leaf=[^ ]+/); l = substr(line, RSTART + 5, RLENGTH - 5)
		sub("^/sys/fs/cgroup", "", l)
		match(line, /oom_group_kill=[0-9]+\(\+[0-9]+\)/); g = substr(line, RSTART, RLENGTH)
		sub(/.*\(\+/, "", g); sub(/\)/, "", g)
		notice_sum += g
	}
	# the user's record of the kill, one an event, whoever wrote it: watch when it
	# saw the kill, or whoever collected the dead leaf (watch's gc after a restart,
	# the module at the next login) when it did not
	if (match(line, /notice recorded for uid=[0-9]+ kind=oom_group leaf=[^ :]+/)) {
		m = substr(line, RSTART, RLENGTH); sub(/.*uid=/, "", m)
		split(m, mk, " "); sub(/.*leaf=/, "", m)
		noticed["user-" mk[1] "/" m]++; nrecords++
		if (line ~ /pam_cgherd\(/) module_notices++
	}
	if (line ~ /keeping the previous configuration/) watch_kept++
	if (line ~ /closed user=.* leaf_kept/) closed_kept++
}
$1 == "Z" {
	msg = $0; sub(/^Z [^;]*;/, "", msg)
	split($2, kh, ","); kcs = int(kh[3] / 10000)
	if (msg ~ crash_re) { crash++; crash_lines = crash_lines " | kmsg: " msg }
	if (match(msg, /^Tasks in [^ ]+ are going to be killed due to memory.oom.group set/)) {
		split(msg, kw, " "); gk_leaf = kw[3]
		ngk++; gk[ukey(gk_leaf)]++; gk_at[ngk] = kcs; gk_l[ngk] = gk_leaf
		if (v_begin_k == "" || 1) last_gk[gk_leaf] = kcs
	}
	if (msg ~ /^oom-kill:/ && msg ~ /global_oom/) {
		match(msg, /task_memcg=[^,]+/); m = substr(msg, RSTART + 11, RLENGTH - 11)
		match(msg, /task=[^,]+/); tk = substr(msg, RSTART + 5, RLENGTH - 5)
		nglob++; glob_memcg[nglob] = m; glob_task[nglob] = tk; glob_at[nglob] = kcs
	}
}

END {
	# ---- the logins ----
	for (i = 1; i <= nl; i++) {
		k = id[i]; u = user[i]; dur = t1[i] - t0[i]
		mixed_login = k ~ /^[0-9]+$/
		if (mixed_login) { nmix++; n_via[via[i]]++; sum_dur[via[i]] += dur }
		else nside++
		if (rc[i] == 134 || rc[i] == 139 || rc[i] == 132 || rc[i] == 136) { crash++; crash_lines = crash_lines " | login " k " exit " rc[i] }
		if (k in icg) {
			cg = icg[k]
			if (cg !~ ("^/cgherd/user-" uid[u] "/session-[0-9]+(-[0-9]+)?$")) {
				unherded++; bad_rule = bad_rule " " k ":" cg; continue
			}
			herded++
			got = imem[k] " " ipids[k]
			v = ((u, got) in ver_of) ? ver_of[u, got] : "?"
			if (v == "?") { mix++; bad_rule = bad_rule " " k ":" u ":" got; }
			else {
				ok = 0; span = 0
				for (g = g0[i]; g <= ihi[k]; g++) { span++; if (ver[g] == v) ok = 1 }
				if (span > 1) spanning++
				if (!ok) { wrong++; bad_rule = bad_rule " " k ":" v "@" g0[i] "-" ihi[k] }
				ver_count[v]++
			}
			if (rc[i] == 0) { ok_logins++; continue }
			if (k in killed) { expl_killed++; continue }
			if (gk[ukey(cg)] > 0) { expl_oom++; continue }
			if (job[i] == "fat") { expl_fat++; continue }
			unexpl++; unexpl_list = unexpl_list " " k "(" via[i] "," job[i] ",rc=" rc[i] "," (dur >= 30000 ? "timed out after 300 s," : "") errtext[k] ")"
			continue
		}
		# no session came up: refused with a logged reason, or unexplained
		if (rc[i] == 0) { unexpl++; unexpl_list = unexpl_list " " k "(rc=0, no session)"; continue }
		found = 0
		for (r = 1; r <= nref; r++) {
			if (ref_used[r] || ref_user[r] != u) continue
			if (ref_time[r] >= t0[i] - 200 && ref_time[r] <= t1[i] + 200) { found = r; break }
		}
		if (found) {
			ref_used[found] = 1; refused++
			w = ref_why[found]; sub(/: .*/, "", w)
			why_count[w]++
			if (ver[g0[i]] == "X" || ver[g1[i]] == "X") refused_x++
			continue
		}
		if (v_begin != "" && t1[i] >= v_begin && t0[i] <= v_end + 500) { expl_vmoom_early++; continue }
		unexpl++; unexpl_list = unexpl_list " " k "(" via[i] "," job[i] ",rc=" rc[i] ",no session: " errtext[k] ")"
	}
	secs_run = (done - start) / 100
	fig("duration_s", sprintf("%.0f", secs_run))
	fig("logins_mixed", nmix " of " n)
	fig("logins_runuser", n_via["runuser"] + 0)
	fig("logins_ssh", n_via["ssh"] + 0)
	fig("logins_side", nside " (oom, bomb, fat)")
	fig("login_rate_per_s", sprintf("%.2f", secs_run > 0 ? (nmix + nside) / secs_run : 0))
	fig("login_mean_s_runuser", sprintf("%.2f", mean(sum_dur["runuser"], n_via["runuser"]) / 100))
	fig("login_mean_s_ssh", sprintf("%.2f", mean(sum_dur["ssh"], n_via["ssh"]) / 100))
	fig("herded", herded + 0)
	fig("herded_version_A", ver_count["A"] + 0)
	fig("herded_version_B", ver_count["B"] + 0)
	fig("herded_across_a_swap", spanning + 0)
	fig("herded_ok_exit_0", ok_logins + 0)
	fig("herded_failed_killed_by_soak", expl_killed + 0)
	fig("herded_failed_group_oom", expl_oom + 0)
	fig("herded_failed_fat_after_vm_oom", expl_fat + 0)
	fig("refused_logged", refused + 0)
	fig("refused_while_invalid_config", refused_x + 0)
	for (w in why_count) fig("refused_reason", "\"" w "\" x" why_count[w])
	fig("died_before_session_in_vm_oom", expl_vmoom_early + 0)
	fig("unexplained", unexpl + 0)
	fig("kills_opener", nkill["opener"] + 0)
	fig("kills_proc", nkill["proc"] + 0)
	fig("config_swaps", nswap_valid - 1 " valid, " nswap_invalid + 0 " invalid")
	fig("watch_starts", wstarts + 0)
	fig("watch_sigkills", wkills + 0)
	fig("watch_exits_by_itself", (wdied + 0) (wdied ? " (status" wdied_rc ")" : ""))
	fig("watch_kept_previous_config", watch_kept + 0)
	# the pace kept, or the guest's CPUs busy all along (the pace is what the CPU
	# allowed: a slow or busy host); logins stalled with idle CPUs fail
	dt = cpu_tot["C1"] - cpu_tot["C0"]
	busy = dt > 0 ? 1 - (cpu_idle["C1"] - cpu_idle["C0"]) / dt : -1
	fig("guest_cpu_busy_during_logins", busy < 0 ? "not measured" : sprintf("%.1f%%", busy * 100))
	# until the deadline when the dispatch ran to it (CD): the logins still running
	# after it leave CPUs idle as they end, and say nothing of the pace
	c_end = ("CD" in cpu_tot && cpu_tot["CD"] < cpu_tot["C1"]) ? "CD" : "C1"
	dd = cpu_tot[c_end] - cpu_tot["C0"]
	if (c_end == "CD" && dd > 0) {
		busy = 1 - (cpu_idle["CD"] - cpu_idle["C0"]) / dd
		fig("guest_cpu_busy_until_the_deadline", sprintf("%.1f%%", busy * 100))
	}
	# where the idle time was: busy in each tenth of the dispatch (until the
	# deadline when it ran to it, as above), from the sampler
	prof = ""
	t_span = (c_end == "CD" ? secs : secs_run) * 100
	for (k = 1; k < ns; k++) {
		tenth = int((cs_t[k] - start) * 10 / (t_span + 1))
		if (tenth < 0 || tenth > 9 || cs_tot[k + 1] <= cs_tot[k])
			continue
		p_tot[tenth] += cs_tot[k + 1] - cs_tot[k]
		p_idle[tenth] += cs_idle[k + 1] - cs_idle[k]
	}
	for (k = 0; k <= 9; k++)
		prof = prof (k ? " " : "") (p_tot[k] > 0 ? sprintf("%.0f%%", (1 - p_idle[k] / p_tot[k]) * 100) : "-")
	fig("guest_cpu_busy_by_tenth", prof)
	# the logins of each tenth that started more than 1 s after they were due
	# (login I is due at the start + (I - 1) * secs * 100 / n cs): a tenth in
	# which most started on time kept the pace, and its idle CPU is no stall
	# (the first, before a backlog can form)
	pace_step = int(secs * 100 / n)
	for (i = 1; i <= nl; i++) {
		tenth = int((t0[i] - start) * 10 / (t_span + 1))
		if (id[i] !~ /^[0-9]+$/ || tenth < 0 || tenth > 9)
			continue
		pace_n[tenth]++
		if (t0[i] - (start + (id[i] - 1) * pace_step) > 100)
			pace_late[tenth]++
	}
	prof = ""
	for (k = 0; k <= 9; k++)
		prof = prof (k ? " " : "") (pace_late[k] + 0) "/" (pace_n[k] + 0)
	fig("logins_late_by_tenth", prof)
	# a stall of the logins leaves the CPUs idle for long; a side loop's wait (the
	# oomer's, the whole-VM OOM's setup, the invalid file's quick refusals) for a
	# tenth or two: CPU-bound also when 7 of the 10 tenths were at least 95 % busy
	# or kept the pace (a red run at 92.2 % overall had done 330 logins, more than
	# green ones at 97-99 %, with two tenths at 71-82 %)
	for (k = 0; k <= 9; k++)
		full += (p_tot[k] > 0 && 1 - p_idle[k] / p_tot[k] >= 0.95) || (pace_n[k] > 0 && pace_late[k] * 2 < pace_n[k])
	fig("guest_cpu_tenths_busy", (full + 0) " of 10")
	bound = busy >= 0.95 || (busy >= 0 && full >= 7)
	check("logins_done_or_cpu_bound", nmix >= n || bound, nmix " of " n " mixed logins ran in " sprintf("%.0f", secs_run) " s" \
	      (nmix < n && busy < 0 ? ", guest CPU not measured" : "") (nmix < n && busy >= 0 ? sprintf(", the guest's CPUs %.1f%% busy, %d of 10 tenths at 95 %% or more or on time", busy * 100, full) (bound ? " (CPU-bound: the host is too slow or busy for this pace; not a module verdict)" : " (logins stalled with CPU to spare)") : ""))
	check("rule_of_the_file_in_force", wrong + mix + unherded == 0,
	      (wrong + 0) " herded with the other file's rule, " (mix + 0) " with a mix of two files, " (unherded + 0) " not herded" (bad_rule ? ":" bad_rule : ""))
	check("refused_with_a_logged_reason_or_herded", unexpl == 0, (unexpl + 0) " unexplained" (unexpl_list ? ":" substr(unexpl_list, 1, 600) : ""))
	check("invalid_config_refused", nswap_invalid == 0 || refused_x > 0 || watch_kept > 0,
	      refused_x + 0 " logins refused while the invalid file was in force")

	# ---- crashes ----
	fig("crashes", crash + 0)
	fig("watch_stopped_on_sigterm", wfinal == "gone" ? "yes" : "no")
	check("watch_stops_on_sigterm", wterm == "alive" && wfinal == "gone", "the last instance " (wterm != "alive" ? "was not running when SIGTERM was due" : wfinal == "gone" ? "stopped" : "still alive 10 s after SIGTERM"))
	check("no_crash", crash == 0 && wbad == "", (crash + 0) " crash lines" (crash_lines ? ":" substr(crash_lines, 1, 400) : "") (wbad ? "; watch exit statuses:" wbad : ""))

	# ---- the end ----
	fig("session_procs_alive_at_end", procs_left)
	fig("quiet_s_after_dispatch", sprintf("%.1f", (quiet - done) / 100))
	fig("leaves_2s_after_end", leaves_left " (user dirs " users_left ")")
	fig("leaves_peak", leaves_peak + 0)
	check("no_session_process_left", procs_left == 0, procs_left " processes of test users alive at the end")
	check("no_leaf_2s_after_end", leaves_left == 0 && users_left == 0, leaves_left " leaves, " users_left " user dirs")

	# ---- closed sessions end whole; what is left of a session whose opener was killed ----
	for (i = 1; i <= nl; i++) {
		# (a session whose opener was killed never closed: orphaned_sessions_ended)
		if (cw[i] < 0 || id[i] in opener_killed) continue
		nclosed++
		if (cw[i] >= 100 || cp[i] > 0) { close_left++; close_ll = close_ll " " id[i] "(" cp[i] " procs)" }
		else { if (cw[i] > close_max) close_max = cw[i]; close_sum += cw[i] }
	}
	fig("closed_sessions", nclosed + 0)
	fig("closed_leaf_gone_after_exit_s", sprintf("mean %.2f, max %.1f", nclosed ? close_sum / 10 / nclosed : 0, close_max / 10))
	fig("closed_sessions_left_behind", close_left + 0)
	check("closed_sessions_end_whole", close_left == 0, (close_left + 0) " of " (nclosed + 0) " sessions that ended normally still had a leaf 10 s later" substr(close_ll, 1, 300))
	fig("opener_killed_sessions", orphaned + 0)
	fig("opener_killed_sessions_alive_5s_later", (orphan_alive + 0) " (" (orphan_procs + 0) " processes)")
	fig("opener_killed_sessions_emptied_s", "max " sprintf("%.1f", orphan_max / 10) ", " (orphan_stuck + 0) " not within 30 s")
	# watch ends them: its grace of 5 s, a tick, a restart of watch (2 s down)
	check("orphaned_sessions_ended", orphan_stuck == 0, (orphan_stuck + 0) " of " (orphaned + 0) " sessions whose opener was killed still had processes 30 s later; the slowest emptied in " sprintf("%.1f", orphan_max / 10) " s")

	# ---- no leaf removed under a live session ----
	# (the kernel refuses rmdir of a populated cgroup: EBUSY; what can go wrong is a
	# leaf collected as dead while its session is still being set up or running)
	bad = 0
	for (c = 1; c <= ncoll; c++) {
		l = coll_leaf[c]; sub("^/sys/fs/cgroup", "", l)
		for (i = 1; i <= nl; i++) {
			k = id[i]
			if (icg[k] != l || rc[i] != 0 || (k in killed) || gk[ukey(l)] > 0) continue
			if (coll_time[c] > t0[i] + 200 && coll_time[c] < t1[i] - 200) { bad++; badl = badl " " l }
		}
	}
	fig("leaves_collected_dead", ncoll + 0)
	fig("leaves_collected_under_live_session", bad)
	fig("close_kept_leaf", closed_kept + 0)
	check("no_leaf_removed_under_a_live_session", bad == 0, bad " collected while their login ran normally" badl)

	# ---- group kills: the kernel's count against the users' records ----
	kern = base_ev["oom_group_kill"] + 0
	missed = 0; double = 0
	for (l in gk) { d = gk[l] - noticed[l]; if (d > 0) { missed += d; ml = ml " " l } }
	for (l in noticed) { d = noticed[l] - gk[l]; if (d > 0) { double += d; dl = dl " " l } }
	fig("group_kills_kernel_memory_events", kern)
	fig("group_kills_kmsg", ngk + 0)
	fig("group_kill_notices", nnotice + 0 " oom-kill lines of watch (" (notice_sum + 0) " group kills); " (nrecords + 0) " records, " (module_notices + 0) " of them by the module")
	fig("group_kills_missed", missed)
	fig("group_kills_noticed_twice", double)
	check("each_group_kill_noticed_once", kern == ngk && missed == 0 && double == 0,
	      "kernel " kern ", kmsg " ngk ", recorded " (nrecords + 0) "; missed " missed (ml ? " (" substr(ml, 1, 300) ")" : "") ", twice " double (dl ? " (" substr(dl, 1, 300) ")" : ""))
	fig("bomb_pids_peak", bomb_peak + 0)
	fig("bomb_leaves_with_forks_refused", bomb_leaves_hit + 0 " (pids.events max > 0)")
	check("bomb_held_at_pids_max", nb > 0 && bomb_over == 0 && bomb_leaves_hit > 0, (bomb_over + 0) " of " (nb + 0) " samples above pids.max, " (bomb_leaves_hit + 0) " leaves refused forks at it")

	# ---- flat: first and last minute ----
	# descriptors: the fewest in each minute (sshd's listener holds a pipe per
	# connection still authenticating; watch holds nothing per session with the
	# pressure guard off): the floor is what would leak.  Memory: the mean of
	# RssAnon (heap, stack: what a leak grows) is judged; VmRSS, which also counts
	# the pages of the binary and its libraries (evicted under memory pressure,
	# faulted in again on use), is shown.  watch: only samples of an instance
	# taken 4 s or more after its first OOM notice (the last of its code paths
	# to run for the first time: it loads NSS, reads the kernel log); sshd's
	# listener: from its first ssh login done on (its pages for a connection are
	# touched then).
	f_sfd = l_sfd = f_wfd = l_wfd = -1
	ssh_from = done
	for (i = 1; i <= nl; i++) if (via[i] == "ssh" && rc[i] == 0 && t1[i] < ssh_from) ssh_from = t1[i]
	w_from = -1
	for (j = 1; j <= np; j++)
		if (w_from < 0 && wfd[j] > 0 && (wpid[j] in first_notice) && pt[j] >= first_notice[wpid[j]] + 400) w_from = pt[j]
	for (j = 1; j <= np; j++) {
		steady = wfd[j] > 0 && (wpid[j] in first_notice) && pt[j] >= first_notice[wpid[j]] + 400
		if (pt[j] >= ssh_from && pt[j] < ssh_from + 6000) {
			f_n++; f_srss += srss[j]; f_sanon += sanon[j]; if (f_sfd < 0 || sfd[j] < f_sfd) f_sfd = sfd[j]
		}
		if (steady && pt[j] < w_from + 6000) {
			f_wn++; f_wrss += wrss[j]; f_wanon += wanon[j]; if (f_wfd < 0 || wfd[j] < f_wfd) f_wfd = wfd[j]
		}
		if (pt[j] >= done - 6000 && pt[j] <= done) {
			l_n++; l_srss += srss[j]; l_sanon += sanon[j]; if (l_sfd < 0 || sfd[j] < l_sfd) l_sfd = sfd[j]
			if (steady) { l_wn++; l_wrss += wrss[j]; l_wanon += wanon[j]; if (l_wfd < 0 || wfd[j] < l_wfd) l_wfd = wfd[j] }
		}
	}
	# (judged on the count once every login has ended: the last minute's fewest
	# is one higher whenever a connection was in flight at each of its samples)
	a = f_sfd; b = l_sfd
	fig("sshd_listener_fds_min", sprintf("%d -> %d (%s)", a, b, pct(a, b)))
	# (against the fewer of the count before the first login and the first
	# minute's fewest: both are an idle listener)
	if (start_sfd > 0 && start_sfd < a) a = start_sfd
	b = quiet_sfd == "" ? -1 : quiet_sfd + 0
	fig("sshd_listener_fds_before_and_after_the_logins", a " -> " b)
	check("sshd_listener_fds_flat", b >= 0 && flat(a, b), sprintf("%d before the logins, %d once every login had ended", a, b))
	a = mean(f_sanon, f_n); b = mean(l_sanon, l_n)
	fig("sshd_listener_rss_anon_kb", sprintf("%.0f -> %.0f (%s)", a, b, pct(a, b))); check("sshd_listener_rss_flat", flat(a, b), sprintf("RssAnon %.0f -> %.0f kB", a, b))
	a = mean(f_srss, f_n); b = mean(l_srss, l_n)
	fig("sshd_listener_vmrss_kb", sprintf("%.0f -> %.0f (%s)", a, b, pct(a, b)))
	a = f_wfd; b = l_wfd
	fig("watch_fds_min", sprintf("%d -> %d (%s)", a, b, pct(a, b))); check("watch_fds_flat", flat(a, b), sprintf("%d -> %d", a, b))
	a = mean(f_wanon, f_wn); b = mean(l_wanon, l_wn)
	fig("watch_rss_anon_kb", sprintf("%.0f -> %.0f (%s, %d and %d samples)", a, b, pct(a, b), f_wn, l_wn)); check("watch_rss_flat", flat(a, b), sprintf("RssAnon %.0f -> %.0f kB", a, b))
	a = mean(f_wrss, f_wn); b = mean(l_wrss, l_wn)
	fig("watch_vmrss_kb", sprintf("%.0f -> %.0f (%s)", a, b, pct(a, b)))
	fig("run_cgherd_max", run_files " files, " run_kb " kB")
	fig("var_lib_cgherd_max", lib_seen ? lib_files " files, " lib_kb " kB" : "absent")
	check("run_cgherd_bounded", run_files <= 2 * par + 2 && run_kb <= 1024, run_files " files, " run_kb " kB at most")
	check("var_lib_cgherd_bounded", lib_files <= 64 && lib_kb <= 1024, lib_seen ? lib_files " files, " lib_kb " kB at most" : "absent during the whole run")

	# ---- the whole-VM OOM ----
	whole = 0; part = 0; outside = ""
	for (j = 1; j <= nglob; j++) {
		if (glob_at[j] < v_begin || glob_at[j] > v_end + 100) continue
		m = glob_memcg[j]
		if (m ~ /^\/cgherd\//) { nsess_v++; if (ukey(m) in gk) whole++; else { part++; pl = pl " " m } }
		else outside = outside " " glob_task[j] "(" m ")"
	}
	fig("vm_oom_victims_in_sessions", nsess_v + 0)
	fig("vm_oom_victims_whole_sessions", whole)
	fig("vm_oom_victims_outside_sessions", outside == "" ? "none" : outside)
	fig("vm_oom_fat_sessions_spared", v_spared + 0)
	fig("watch_oom_score_adj", (wadj_ok + 0) " of " (wadj_n + 0) " starts at -900" wadj_bad)
	check("vm_oom_happened", v_begin != "" && nglob > 0 && !v_hog_stuck && !v_fat_not_ready, (nglob + 0) " global OOM kills" (v_fat_not_ready ? "; the two fat sessions were not up within 120 s" : ""))
	check("vm_oom_sshd_and_watch_survive", v_sshd_alive && v_watch_alive, "sshd " (v_sshd_alive ? "alive" : "DEAD") ", watch " (v_watch_alive ? "alive" : "DEAD") (v_watch_not_up ? " (no daemon was up within 30 s of the start)" : ""))
	check("vm_oom_victims_whole_sessions", part == 0 && nsess_v > 0, whole " whole, " part " partial" pl)
	check("watch_oom_score_adj", wadj_n > 0 && wadj_ok == wadj_n, (wadj_ok + 0) " of " (wadj_n + 0) wadj_bad)
	fig("watch_starts_refused", (wnoup + 0) " (" (wnoup_x + 0) " on the invalid file)")
	check("watch_up_at_each_start", wnoup_other == "", (wstarts - wnoup) " of " (wstarts + 0) " starts up, " (wnoup_x + 0) " refused the invalid file" (wnoup_other ? "; not up for another reason: start" wnoup_other : ""))
}
