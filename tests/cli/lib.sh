# Shared by the CLI tests (sourced from the repository root, with CGHERD
# set): a temporary directory, running the tool, assertions, the tally.
# shellcheck shell=sh
passed=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cgherd-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if [ ! -x "$CGHERD" ]; then
	echo "not ok - $CGHERD is not executable (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
[ "$(id -u)" -eq 0 ] || echo "# warning: not root; file ownership and run checks may fail"

# ---- helpers ----------------------------------------------------------

# cg ARGS...: runs the tool; sets rc, out (stdout) and err (stderr).
cg() {
	"$CGHERD" "$@" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
	rc=$?
	out=$(cat "$tmp/stdout")
	err=$(cat "$tmp/stderr")
}

# A check is: cg ..., then assertions, each of which records the first
# reason for failure in $why, then done_check "description".
why=
note() { [ -n "$why" ] || why=$1; }
rc_is() { [ "$rc" -eq "$1" ] || note "exit status $rc, expected $1"; }
out_has() { case $out in *"$1"*) ;; *) note "stdout lacks '$1'";; esac; }
err_has() { case $err in *"$1"*) ;; *) note "stderr lacks '$1'";; esac; }
err_lacks() { case $err in *"$1"*) note "stderr has '$1'";; esac; }
out_is() { [ "$out" = "$1" ] || note "stdout is '$out', expected '$1'"; }
# out_re / err_re ERE: some line matches.
out_re() { printf '%s\n' "$out" | grep -Eq -- "$1" || note "no stdout line matches /$1/"; }
err_re() { printf '%s\n' "$err" | grep -Eq -- "$1" || note "no stderr line matches /$1/"; }
out_empty() { [ -z "$out" ] || note "stdout not empty: $(printf '%s' "$out" | head -n 1)"; }
err_empty() { [ -z "$err" ] || note "stderr not empty: $(printf '%s' "$err" | head -n 1)"; }
err_lines() {
	n=$(printf '%s\n' "$err" | grep -c .)
	[ "$n" -eq "$1" ] || note "stderr has $n lines, expected $1: $err"
}

done_check() {
	if [ -z "$why" ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1: $why"
		failed=$((failed + 1))
	fi
	why=
}

skip_check() { echo "ok - $1 # SKIP $2"; }

# conf NAME: writes stdin to $tmp/NAME, mode 644, and prints the path.
conf() {
	cat >"$tmp/$1" && chmod 644 "$tmp/$1" && printf '%s\n' "$tmp/$1"
}

