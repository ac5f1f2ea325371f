#!/bin/bash
# Host-side profile of the parts of a login that need no cgroup tree: config
# load with many rules, user lookup with many groups, rule matching.
#   bench/profile.sh [OUTDIR]      (default build/bench/prof; needs valgrind)
# Runs bench/hostprof.c (built against build/libcgherd.a) in a private mount
# namespace (unshare -m) where /etc/passwd and /etc/group are bind-mounted copies
# with a user alice in "students" and, for the groups case, in 500 more groups;
# the host's files are never touched.  Prints wall-clock figures and, from
# callgrind, the instruction counts of the top functions of each case.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-$top/build}
out=${1:-$build/bench/prof}
mkdir -p "$out"
libs="-lpam -lconfig"
nm "$build/libcgherd.a" 2>/dev/null | grep -q ' U sd_' && libs="$libs -lsystemd"
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -I"$top/include" -o "$out/hostprof" \
	"$here/hostprof.c" "$build/libcgherd.a" $libs
lim='memory_max = "500M"; pids_max = 1024; oom_group = true;'
for n in 1 10000; do
	awk -v n=$n -v lim="$lim" -f "$here/genconf.awk" >"$out/rules$n.conf"
	chmod 644 "$out/rules$n.conf"
done
{ grep -v '^alice:' /etc/passwd; echo 'alice:x:1001:1001:Alice:/home/alice:/bin/sh'; } >"$out/passwd"
{ grep -v -E '^(alice|students):' /etc/group; echo 'alice:x:1001:'; echo 'students:x:2000:alice'; } >"$out/group1"
{ cat "$out/group1"; awk 'BEGIN { for (i = 1; i <= 500; i++) printf "g%03d:x:%d:alice\n", i, 3000 + i }'; } >"$out/group500"
echo "host /etc/group has $(wc -l </etc/group) lines; the 500-group file $(wc -l <"$out/group500")"

run() {	# run GROUPFILE CMD...
	local g=$1
	shift
	unshare -m sh -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
		sh "$out/passwd" "$g" "$@"
}
prof() {	# prof NAME GROUPFILE ARGS...
	local name=$1 g=$2
	shift 2
	run "$g" valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" "$out/hostprof" "$@" \
		>/dev/null 2>&1
	echo "== $name: $(callgrind_annotate "$out/$name.callgrind" 2>/dev/null | awk '/PROGRAM TOTALS/ { print $1 " instructions" }')"
	callgrind_annotate --inclusive=yes "$out/$name.callgrind" 2>/dev/null |
		awk '/^-+$/ { n++; next } n >= 3 && NF { print; if (++k >= 14) exit }'
}

echo "--- wall clock on the host (per call) ---"
for g in group1 group500; do
	for n in 1 10000; do
		echo "$g rules=$n: $(run "$out/$g" "$out/hostprof" -c "$out/rules$n.conf" -n 20 all)"
	done
done
echo "--- callgrind (instructions, inclusive) ---"
prof config-1 "$out/group1" -c "$out/rules1.conf" -n 5 config
prof config-10000 "$out/group1" -c "$out/rules10000.conf" -n 5 config
prof identity-1 "$out/group1" -c "$out/rules1.conf" -n 5 identity
prof identity-500 "$out/group500" -c "$out/rules1.conf" -n 5 identity
prof match-10000-500 "$out/group500" -c "$out/rules10000.conf" -n 5 match
