# Reads /sys/kernel/tracing/trace with the syscall events of the microbench
# run with -t (bench/guest.sh, section trace); each open lies between the
# markers write(-1, "@@open-begin", 12) and write(-1, "@@open-end", 10), each
# close between write(-1, "@@close-begin", 13) and write(-1, "@@close-end", 11);
# -v kind=close sums the closes, else the opens.
# Prints, per open (the mean over the windows): its time, the time in system
# calls and between them (user space); each syscall's count and time; the
# longest stretches of user space with the syscalls around them; and the
# sequence of an open's syscalls, each as POS:NAME:MS_IN:MS_BEFORE (the user
# space before it), averaged over the windows whose sequence is that of the
# second (the first may differ: glibc's first try of nscd, say).
BEGIN {	# the markers' lengths in hex, as the trace prints a write's count
	if (kind == "close") { cbegin = "d"; cend = "b" } else { kind = "open"; cbegin = "c"; cend = "a" }
}
function ms(x) { return sprintf("%.3f", x * 1000 / (w > 0 ? w : 1)) }
function end_window(   p, same) {
	w++; total += ts - start; user += ts - last
	gapsum[prev " > end"] += ts - last
	if (w == 2) { nref = pos; for (p = 1; p <= pos; p++) ref[p] = wname[p] }
	if (w < 2 || pos != nref)
		return
	same = 1
	for (p = 1; p <= pos; p++)
		if (wname[p] != ref[p]) same = 0
	if (!same)
		return
	nsame++
	for (p = 1; p <= pos; p++) { seqt[p] += wdur[p]; seqg[p] += wgap[p] }
	seqg[pos + 1] += ts - last
}
{
	for (i = 1; i <= NF; i++)
		if ($i ~ /^[0-9]+\.[0-9]+:$/)
			break
	if (i >= NF)
		next
	ts = substr($i, 1, length($i) - 1) + 0
	rest = $0
	sub(/^.*[0-9]+\.[0-9]+: /, "", rest)
	name = rest
	sub(/[( ].*/, "", name)
	sub(/^sys_/, "", name)
	if (rest ~ /^sys_[a-z0-9_]+\(/) {
		if (name == "write" && rest ~ /fd: f+,/) {
			if (rest ~ ("count: " cbegin "\\)")) { inwin = 1; start = ts; last = ts; prev = "begin"; pos = 0 }
			else if (inwin && rest ~ ("count: " cend "\\)")) { inwin = 0; end_window() }
			next
		}
		if (!inwin)
			next
		user += ts - last
		gapsum[prev " > " name] += ts - last
		cur = name; cstart = ts; pos++
		wname[pos] = name; wgap[pos] = ts - last; wdur[pos] = 0
	} else if (rest ~ /^sys_[a-z0-9_]+ -> / && inwin && name == cur) {
		d = ts - cstart
		insys += d; per[name] += d; cnt[name]++; wdur[pos] = d
		last = ts; prev = name; cur = ""
	}
}
END {
	if (w == 0) { print "windows=0 (no markers seen)"; exit }
	printf "windows=%d " kind "_ms=%s in_syscalls_ms=%s user_space_ms=%s syscalls=%s\n",
		w, ms(total), ms(insys), ms(user), sprintf("%.1f", ncalls())
	# each syscall by its time, largest first
	nk = by_value(per, keys)
	for (a = 1; a <= nk; a++)
		printf "sys=%s n=%.1f ms=%s\n", keys[a], cnt[keys[a]] / w, ms(per[keys[a]])
	# user space between syscalls, the 10 longest stretches by their neighbours
	ng = by_value(gapsum, gk)
	for (a = 1; a <= ng && a <= 10; a++)
		printf "user_between=\"%s\" ms=%s\n", gk[a], ms(gapsum[gk[a]])
	if (nsame == 0) { print "seq (no two windows alike)"; exit }
	printf "seq windows_alike=%d of %d, calls=%d, user space after the last %.3f\n",
		nsame, w - 1, nref, seqg[nref + 1] * 1000 / nsame
	line = "seq"
	for (p = 1; p <= nref; p++) {
		line = line sprintf(" %d:%s:%.3f:%.3f", p, ref[p], seqt[p] * 1000 / nsame, seqg[p] * 1000 / nsame)
		if (p % 10 == 0) { print line; line = "seq" }
	}
	if (line != "seq") print line
}
function ncalls(   k, s) { for (k in cnt) s += cnt[k]; return s / w }
# by_value(arr, keys): keys[1..n] the keys of arr, the largest value first; n
function by_value(arr, keys,   k, n, a, b, t) {
	for (k in arr) keys[++n] = k
	for (a = 1; a <= n; a++)
		for (b = a + 1; b <= n; b++)
			if (arr[keys[b]] > arr[keys[a]]) { t = keys[a]; keys[a] = keys[b]; keys[b] = t }
	return n
}
