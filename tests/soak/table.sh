#!/bin/sh
# table.sh [RESULTS]: the figures and checks of a soak run (build/soak/results.txt)
# as the Markdown tables of tests/soak/RESULTS.md.
f=${1:-build/soak/results.txt}
[ -r "$f" ] || { echo "table.sh: cannot read $f" >&2; exit 1; }
echo '```'
sed -n 's/^@@SOAK HOST //p' "$f"
echo '```'
echo
echo '| figure | value |'
echo '|---|---|'
sed -n 's/^@@SOAK FIG \([^ ]*\) \(.*\)/| \1 | \2 |/p' "$f"
echo
echo '| check | verdict | detail |'
echo '|---|---|---|'
sed -n 's/^@@SOAK CHECK \(PASS\|FAIL\) \([^:]*\): \(.*\)/| \2 | \1 | \3 |/p' "$f" | sed 's/ | PASS | / | pass | /'
