#!/bin/bash
# Login cost on a systemd host (issue 18's target 4), what `make bench-systemd` runs:
# boots the systemd VM suite (tests/vm-systemd, flavour stable: Debian 12's
# systemd 252) with its scenario "bench" alone, which times runuser and ssh
# logins through three PAM stacks alternating login by login: without
# pam_systemd, with it, with it and pam_cgherd (bench/logins.c).  Keeps the
# "@@BENCH" lines in $BUILD/bench/systemd-results.txt and prints, per service,
# what pam_systemd adds, what cgherd adds on top and their ratio (target: at
# most 0.5), as a row for bench/RESULTS.md.
# Environment: BUILD (build), N_SD_RUNUSER (40), N_SD_SSH (15), VM_TIMEOUT
# (run.sh's, 600 s by default: more for large n), VM_SYSTEMD_FLAVOUR (stable).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
flavour=${VM_SYSTEMD_FLAVOUR:-stable}
[ -x "$build/bench/logins" ] || { echo "bench-systemd: $build/bench/logins missing (make bench-systemd)" >&2; exit 1; }
dir=$build/vm-systemd
[ "$flavour" = stable ] || dir=$build/vm-systemd-$flavour
out=$build/bench/systemd-results.txt
mkdir -p "$build/bench"
rc=0
BUILD=$build VM_SYSTEMD_SCENARIOS=bench \
	VM_SYSTEMD_APPEND="cgh.bench_runuser=${N_SD_RUNUSER:-40} cgh.bench_ssh=${N_SD_SSH:-15}" \
	"$top/tests/vm-systemd/run.sh" "$flavour" || rc=$?
{
	echo "@@BENCH host date=$(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
		"tree=\"$(git -C "$top" describe --always --dirty 2>/dev/null)\" flavour=$flavour"
	tr -d '\r' <"$dir/console.txt" | grep -a '@@BENCH' | sed 's/^.*@@BENCH/@@BENCH/'
} >"$out"
tr -d '\r' <"$dir/console.txt" | sed -n '/^  profile (journal/,/^@@CGH /p' | grep -v '^@@CGH' >"$build/bench/systemd-profile.txt" || true
grep -a '^@@BENCH \(login\|note\|host\)' "$out" | sed 's/^@@BENCH //'
awk '
function v(k,   i, a) { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "" }
$2 == "login" { n[v("kind")] = v("n") }
$2 == "ratio" && v("cgherd_over_pam_systemd_median") != "" {
	k = v("kind"); sub(/^systemd-/, "", k)
	r = v("cgherd_over_pam_systemd_median")
	row = row sprintf("%s%s (n=%s): pam_systemd +%.1f ms, cgherd +%.1f ms on top (medians; p90 +%.1f, +%.1f), **%.2f**",
		row == "" ? "" : "; ", k, n[v("kind")], v("pam_systemd_added_median_ms"), v("cgherd_added_median_ms"),
		v("pam_systemd_added_p90_ms"), v("cgherd_added_p90_ms"), r)
	ok = ok && (r + 0 <= 0.5); seen++
}
BEGIN { ok = 1 }
END {
	if (!seen) { print "bench-systemd: no ratio lines (see the console)"; exit 1 }
	printf "| 4 | systemd host: cgherd'"'"'s addition <= 0.5x pam_systemd'"'"'s | %s | %s |\n", row, ok ? "**met**" : "**missed**"
}' "$out" || rc=1
echo "bench-systemd: lines in $out, the module's timeline in $build/bench/systemd-profile.txt" >&2
exit $rc
