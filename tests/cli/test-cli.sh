#!/bin/sh
# Tests of the admin tool cgherd(8): exit status, standard output and
# standard error of each command, against temporary configuration files.
#
#   tests/cli/test-cli.sh            (from the repository root, as root)
#   CGHERD=path/to/cgherd tests/cli/test-cli.sh
#
# Prints "ok - ..." or "not ok - ...: why" per check, then
# "N passed, N failed"; exits non-zero if any check failed.
# Nothing in the real cgroup tree is changed: the cgroup tests point
# cgroup_root at a plain directory, or at a cgroup2 mount with a base
# that does not exist (read only).
set -u

# CGHERD, if given, is relative to the current directory; the default,
# build/cgherd, to the repository root, where the checks run.
case ${CGHERD:-} in
'') ;;
/*) ;;
*) CGHERD=$PWD/$CGHERD ;;
esac
cd "$(dirname "$0")/../.." || exit 1
CGHERD=${CGHERD:-$PWD/build/cgherd}

. tests/cli/lib.sh

usage_line='usage: cgherd check'
example=config/cgherd.conf
nouser=cgherd-no-such-user
if getent passwd "$nouser" >/dev/null 2>&1; then
	echo "# warning: user $nouser exists; the unknown-user checks will fail"
fi

# ---- command line -----------------------------------------------------

cg --help
rc_is 0; out_has "$usage_line"; out_has 'cgherd run'; err_empty
done_check "--help: exit 0, usage on stdout"

cg --version
rc_is 0; out_re '^cgherd [0-9]+\.[0-9]+'; err_empty
done_check "--version: exit 0, version on stdout"

cg
rc_is 2; out_empty; err_has "$usage_line"
done_check "no arguments: exit 2, usage on stderr"

cg frobnicate
rc_is 2; out_empty; err_has "unknown command 'frobnicate'"; err_has "$usage_line"
done_check "unknown command: exit 2, named on stderr"

cg check --conf "$example" extra
rc_is 2; out_empty; err_has "$usage_line"
done_check "check with an extra operand: exit 2"

# ---- check ------------------------------------------------------------

cg check --conf "$example"
# a note on how /sys/fs/cgroup is mounted follows where it is a cgroup2 mount
out=${out%%$'\n'note: *}
rc_is 0; out_is "$example: OK (3 rules)"; err_empty
done_check "check $example: exit 0, OK (3 rules)"

# Two errors, on lines 5 and 9; both must be reported.
broken=$(conf broken.conf <<'EOF'
# a broken configuration
base = "cgherd";
session = {
  memory_max  = "2G";
  memroy_high = "1G";
};
rules = (
  { name = "x";
    session = { pids_max = 0; };
  }
);
EOF
)
cg check --conf "$broken"
rc_is 1; out_empty
err_has "$broken:5: session: unknown setting 'memroy_high'"
err_has "$broken:9: rules[0].session.pids_max:"
err_lines 2
done_check "check of a broken config: exit 1, every error as FILE:LINE: setting: message"

cg check --conf "$broken"
err_re "^$broken:5: [a-z_.]*session: "
done_check "check of a broken config: the error names the setting and the right line"

writable=$(conf writable.conf <<'EOF'
session = { memory_max = "2G"; };
EOF
)
chmod 666 "$writable"
cg check --conf "$writable"
rc_is 1; out_empty; err_has "$writable"; err_has "writable"
done_check "check of a config writable by others: exit 1"

cg check --conf "$tmp/missing.conf"
rc_is 1; out_empty; err_has "$tmp/missing.conf"; err_has "No such file"
done_check "check of a missing file: exit 1"

# ---- explain ----------------------------------------------------------

cg explain --conf "$example" root
rc_is 0; err_empty
out_re '^user: +root \(uid 0\)$'
out_re '^service: +cgherd$'
out_re '^rule: +system \(rules\[0\], line [0-9]+\)$'
out_re '^action: +ignore$'
done_check "explain root: rule system, action ignore"

cg explain --conf "$example" nobody
rc_is 0; err_empty
out_re '^rule: +no rule: default_action$'
out_re '^action: +herd$'
out_re '^leaf: +/sys/fs/cgroup/cgherd/user-[0-9]+/session-<pid>$'
out_re '^ +memory\.max += 2147483648 \(2G\)$'
out_re '^ +pids\.max += 1024 \(1024\)$'
done_check "explain nobody: default_action, memory.max = 2147483648 (2G)"

svc=$(conf service.conf <<'EOF'
# the service decides
rules = (
  { name = "ssh-root";
    match = { user = "root"; service = "sshd"; };
    session = { memory_max = "1G"; cpu_max = "20%"; };
  },
  { name = "rest"; action = "ignore"; }
);
EOF
)
cg explain --conf "$svc" --service sshd root
rc_is 0; err_empty
out_re '^service: +sshd$'
out_re '^rule: +ssh-root \(rules\[0\], line 3\)$'
out_re '^ +memory\.max += 1073741824 \(1G\)$'
out_re '^ +cpu\.max += 20000 100000 \(20%\)$'
done_check "explain --service sshd root: the sshd rule"

cg explain --conf "$svc" root
rc_is 0; err_empty
out_re '^service: +cgherd$'
out_re '^rule: +rest \(rules\[1\], line 7\)$'
out_re '^action: +ignore$'
done_check "explain root without --service: service cgherd, the other rule"

cg explain --conf "$svc" -s sshd -u root
rc_is 0; out_re '^rule: +ssh-root '
done_check "explain -s sshd -u root: short options"

cg explain --conf "$example" "$nouser"
rc_is 3; out_empty; err_has "unknown user"; err_lines 1
done_check "explain of an unknown user: exit 3"

cg explain --conf "$example"
rc_is 2; out_empty; err_has "$usage_line"
done_check "explain without a user: exit 2"

cg explain --conf "$broken" root
rc_is 1; out_empty; err_has "$broken:5:"
done_check "explain with a broken config: exit 1"

# ---- status and gc on something that is not cgroup2 -------------------

mkdir "$tmp/notcg"
plain=$(conf plain.conf <<EOF
cgroup_root = "$tmp/notcg";
EOF
)
for sub in status "status --json" gc; do
	# shellcheck disable=SC2086
	cg $sub --conf "$plain"
	rc_is 4; out_empty; err_lines 1; err_has "not a cgroup2 mount"; err_has "$tmp/notcg"
	done_check "$sub with cgroup_root a plain directory: exit 4, one line on stderr"
done
[ -z "$(ls -A "$tmp/notcg")" ] || note "files left in cgroup_root: $(ls -A "$tmp/notcg")"
done_check "status and gc wrote nothing into the plain directory"

# ---- status and gc on a real cgroup2 mount, base absent (read only) ---

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts 2>/dev/null)
if [ -n "$cg2" ]; then
	absent=$(conf absent.conf <<EOF
cgroup_root = "$cg2";
base = "cgherd-cli-test-$$";
EOF
)
	cg status --conf "$absent"
	rc_is 0; err_empty; out_re '^USER +LEAF +PROCS'
	[ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] || note "more than the header: $out"
	done_check "status on cgroup2 without sessions: exit 0, header only"

	cg status --json --conf "$absent"
	rc_is 0; err_empty; out_is "[]"
	done_check "status --json on cgroup2 without sessions: []"

	cg gc --conf "$absent"
	rc_is 0; err_empty; out_is "collected 0 dead sessions"
	done_check "gc on cgroup2 without sessions: collected 0"
	[ ! -e "$cg2/cgherd-cli-test-$$" ] || note "created $cg2/cgherd-cli-test-$$"
	done_check "status and gc created nothing in $cg2"
else
	skip_check "status, gc on a cgroup2 mount" "no cgroup2 mount"
fi

# ---- run --------------------------------------------------------------

cg run --conf "$plain" -- true
rc_is 2; out_empty; err_has "$usage_line"
done_check "run without -u: exit 2"

cg run --conf "$plain" -u nobody
rc_is 2; out_empty; err_has "$usage_line"
done_check "run without a command: exit 2"

cg run --conf "$plain" -u nobody --
rc_is 2; out_empty; err_has "$usage_line"
done_check "run with -- and no command: exit 2"

cg run --conf "$plain" -u "$nouser" -- true
rc_is 3; out_empty; err_has "unknown user"
done_check "run as an unknown user: exit 3"

# on_error = "deny" (the default): cannot herd, so the command never runs.
cg run --conf "$plain" -u nobody -- sh -c 'echo ran'
rc_is 4; out_empty; err_has "not a cgroup2 mount"; err_has "on_error=deny"
done_check "run that cannot herd with on_error=deny: exit 4, command not run"

allow=$(conf allow.conf <<EOF
cgroup_root = "$tmp/notcg";
on_error = "allow";
EOF
)
cg run --conf "$allow" -u nobody -- sh -c 'id -un; exit 7'
rc_is 7; out_is nobody; err_has "on_error=allow"
done_check "run with on_error=allow: runs unconfined as the user, its exit status"

cg run --conf "$allow" -u nobody -- /nonexistent-cgherd-test/command
rc_is 127; out_empty; err_has "cannot run"
done_check "run of a missing command: exit 127"

cg run --conf "$allow" -u nobody -- /etc/passwd
rc_is 126; out_empty; err_has "cannot run /etc/passwd"
done_check "run of a file that is not executable: exit 126"

cg run --conf "$allow" -u nobody -- sh -c 'kill -TERM $$'
rc_is 143
done_check "run of a command killed by SIGTERM: exit 128+15"

# ---- notices ------------------------------------------------------------

cg check --conf "$(conf notices-bad.conf <<'EOF'
notices = {
  at_login = "yes";
  help = "two
lines";
  colour = 1;
};
EOF
)"
rc_is 1; err_re 'notices-bad\.conf:2: notices\.at_login: expected a boolean'
err_re 'notices-bad\.conf:3: notices\.help: only printable ASCII'
err_re "notices-bad\.conf:5: notices: unknown setting 'colour' \(at_login, tty, help\)"
done_check "check: the notices group validated, errors with file:line"

nconf=$(conf notices.conf <<'EOF'
notices = { tty = false; help = "Limits on this host: https://example.org/limits"; };
EOF
)
cg explain --conf "$nconf" nobody
rc_is 0; out_has 'notices: at_login=true tty=false help="Limits on this host: https://example.org/limits"'
done_check "explain: the notices settings"

cg notices --conf "$nconf" --dir "$tmp/no-store"
rc_is 0; out_has "no notices ($tmp/no-store does not exist)"; err_empty
done_check "notices: no store yet"

mkdir -m 700 "$tmp/store"
nuid=$(id -u nobody)
printf 'v=1 kind=oom_group when=1796135460 uid=%s leaf=session-812 event=3 started=1796133720 service=sshd tty=ssh rhost=10.0.0.5 rule=students limit=524288000 peak=524288000 killed=3 biggest=memhog\n' \
	"$nuid" >"$tmp/store/user-$nuid"
chmod 600 "$tmp/store/user-$nuid"
cg notices --conf "$nconf" --dir "$tmp/store" nobody
rc_is 0; err_empty
out_re "^nobody \(uid $nuid\): cgherd: your ssh session from 10\.0\.0\.5 \(started [0-9: -]+\) was ended at [0-9: -]+: it reached its memory limit of 500M \(peak 500M\), 3 processes killed \(biggest: memhog\)\. Rule: students\. Limits on this host: https://example.org/limits$"
done_check "notices USER: the pending record, as the user will read it"

cg notices --conf "$nconf" --dir "$tmp/store"
rc_is 0; out_re "^nobody \(uid $nuid\): cgherd: your ssh session"
[ -s "$tmp/store/user-$nuid" ] || note "listing removed the record"
done_check "notices: every user's, the records kept"

cg notices --conf "$nconf" --dir "$tmp/store" root
rc_is 0; out_is "no notices"
done_check "notices root: none"

cg notices --conf "$nconf" --dir "$tmp/store" "$nouser"
rc_is 3
done_check "notices of an unknown user: exit 3"

chmod 644 "$tmp/store/user-$nuid"
cg notices --conf "$nconf" --dir "$tmp/store" nobody
rc_is 5; err_has "mode 0644"; err_has "refused"
done_check "notices: a file others can read is refused, exit 5"
chmod 600 "$tmp/store/user-$nuid"

chmod 755 "$tmp/store"
cg notices --conf "$nconf" --dir "$tmp/store"
rc_is 5; err_has "mode 0755 gives group or others access"
done_check "notices: a store others can enter is refused, exit 5"
# ---- penalties ----------------------------------------------------------

pen=$(conf pen.conf <<EOF
cgroup_root = "$tmp/notcg";
penalties = (
  { name = "cpu"; cpu_over = "200%"; window = "10m";
    when_busy = { cpu_pressure = "20%"; };
    forgive = "4h";
    exempt = { user = [ "root" ]; };
    tiers = ( { cpu_max = "100%"; duration = "30m"; },
              { cpu_max = "50%";  duration = "2h"; } ); }
);
EOF
)
cg check --conf "$pen"
rc_is 0; out_has "$pen: OK"; err_empty
done_check "check of the issue's penalties syntax: exit 0"

badpen=$(conf badpen.conf <<'EOF'
penalties = (
  { name = "cpu"; cpu_over = "200%"; window = "10";
    tiers = ( { cpu_max = "100%"; duration = "30m"; },
              { pids_max = 10; duration = "2h"; } ); }
);
EOF
)
cg check --conf "$badpen"
rc_is 1; out_empty
err_has "$badpen:2: penalties[0].window: invalid duration \"10\""
err_has "$badpen:4: penalties[0].tiers[1]: unknown setting 'pids_max'"
err_lines 2
done_check "check of bad penalties: exit 1, each error with file:line"

cg explain --conf "$pen" root
rc_is 0; out_has "penalties (on $tmp/notcg/cgherd/user-0 or user-0.slice, by cgherd watch):"
out_has "cpu (line 3): CPU over 200% of one CPU, over 600s"; out_has "root is exempt"
out_has "tier 2: cpu_max=50% for 7200s"
done_check "explain: the penalties section, the user exempt"

cg explain --conf "$pen" nobody
rc_is 0; out_has "nobody is not exempt"
done_check "explain: a user not exempt"

sdir=$tmp/state
mkdir -m 700 "$sdir"
cg penalty --conf "$pen" --state-dir "$sdir" list
rc_is 0; out_re '^USER +UID +PENALTY +TIER +STATE +UNTIL'; err_empty
done_check "penalty list without a state: exit 0, the header only"

nuid=$(id -u nobody)
printf 'cgherd-penalties 1\n%s f 1 1 1700000000 4102444800 8 300000 100000 100 18446744073709551615 cgherd/user-%s cpu\nend 1\n' \
	"$nuid" "$nuid" >"$sdir/penalties"
chmod 600 "$sdir/penalties"
cg penalty --conf "$pen" --state-dir "$sdir" list
rc_is 0; out_re "^nobody +$nuid +cpu +2 +active +2100-01-01T00:00:00Z"; out_has "cpu_max=50%"
done_check "penalty list: a running penalty, its tier, end and effect"

cg penalty --conf "$pen" --state-dir "$sdir" --json list
rc_is 0; out_has "\"user\": \"nobody\", \"uid\": $nuid, \"penalty\": \"cpu\", \"tier\": 2, \"active\": true, \"effect\": \"cpu_max=50%\""
done_check "penalty list --json"

chmod 644 "$sdir/penalties"
cg penalty --conf "$pen" --state-dir "$sdir" list
rc_is 4; err_has "refused: must be a regular file"
done_check "penalty list of a state readable by others: refused, exit 4"
chmod 600 "$sdir/penalties"

cg penalty --conf "$pen" --state-dir "$sdir" lift "$nouser"
rc_is 3
done_check "penalty lift of an unknown user: exit 3"

cg penalty --conf "$pen" --state-dir "$sdir" lift nobody
rc_is 4; err_has "not a cgroup2 mount"
grep -q "^$nuid f 1 1 " "$sdir/penalties" || note "the state changed: $(cat "$sdir/penalties")"
done_check "penalty lift without a cgroup tree: exit 4, the record kept"

cg penalty --conf "$pen" lift
rc_is 2; err_has "$usage_line"
done_check "penalty lift without a user: exit 2"

cg penalty --conf "$pen" show
rc_is 2
done_check "penalty with an unknown subcommand: exit 2"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
