#!/bin/sh
# Summary of a benchmark run:  bench/summary.sh build/bench/results.txt
f=${1:-build/bench/results.txt}
awk '
function v(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return substr($i, length(k) + 2) } return "" }
$1 != "@@BENCH" { if ($0 ~ /@@CGH/) print; next }
$2 == "host" || $2 == "note" || $2 == "verify" { sub(/^@@BENCH /, ""); print; next }
$2 == "login" { printf "login %-30s %-10s n=%-3s mean %8.2f ms  median %8.2f ms  (min %.2f, sd %.2f)\n", v("kind"), v("stack"), v("n"), v("mean_ms"), v("median_ms"), v("min_ms"), v("sd_ms"); next }
$2 == "ratio" { sub(/^@@BENCH /, ""); print; next }
$2 == "micro" && v("open_floor_us") != "" { printf "micro %-34s pam_open_session %8.1f us  open floor (mkdir, limits, one move) %7.1f  open/floor %.2f%s%s%s\n", v("case"), v("pam_open_us"), v("open_floor_us"), v("pam_open_us") / v("open_floor_us"), (v("pam_open_kept_us") + 0 > 0) ? sprintf("  module kept loaded %.1f us (%.2f)", v("pam_open_kept_us"), v("pam_open_kept_us") / v("open_floor_us")) : "", (v("pam_open_permit_us") + 0 > 0) ? sprintf("  pam_permit alone %.1f us; cgherd over it %.1f (%.2f)", v("pam_open_permit_us"), v("pam_open_us") - v("pam_open_permit_us"), (v("pam_open_us") - v("pam_open_permit_us")) / v("open_floor_us")) : "", (v("pam_open_second_us") + 0 > 0) ? sprintf("  second session %.1f us (%.2f; over pam_permit %.2f)", v("pam_open_second_us"), v("pam_open_second_us") / v("open_floor_us"), (v("pam_open_permit_us") + 0 > 0) ? (v("pam_open_second_us") - v("pam_open_permit_us")) / v("open_floor_us") : 0) : "" }
$2 == "micro" { printf "micro %-34s n=%-3s pam pair %8.1f us  config %8.1f  cached %7.1f  identity %7.1f  setup %7.1f  close %7.1f  floor %7.1f  pair/floor %.2f  (setup+close)/floor %.2f\n", v("case"), v("n"), v("pam_pair_us"), v("config_us"), v("config_cached_us"), v("identity_us"), v("setup_us"), v("close_us"), v("floor_us"), v("pam_pair_us") / v("floor_us"), (v("setup_us") + v("close_us")) / v("floor_us"); next }
$2 == "reap" || $2 == "burst" || $2 == "gp" || $2 == "close" { sub(/^@@BENCH /, ""); print; next }
$2 == "time" { sub(/^@@BENCH /, ""); print; next }
' "$f"
