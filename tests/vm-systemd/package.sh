# Scenarios of flavour "package", sourced by suite.sh (cgh.flavour=package):
# the image has no pam_cgherd of its own, only /vm/pkg/libpam-cgherd_*.deb in
# two versions.  They run in order, each on what the one before left:
#   pkg_install  apt-get install ./libpam-cgherd_V1.deb: installed, nothing enabled
#   pkg_login    pam-auth-update --enable cgherd; an ssh login herded by the
#                installed module with the installed (shipped) cgherd.conf
#   pkg_upgrade  cgherd.conf edited, then V2: the edit stays and is in force
#   pkg_purge    apt-get purge: common-session* byte-identical to before the
#                install, no file of the package left, /run/cgherd and
#                /var/lib/cgherd gone, logins still work, unherded
# Verdicts from dpkg's database, the PAM files and the kernel's cgroup files.
# shellcheck shell=bash
# shellcheck disable=SC2016 # single quotes: commands for the shell of the login
# shellcheck disable=SC2001 # sed indents output of many lines
# shellcheck disable=SC2034 # read by suite.sh
PKG_SCENARIOS="pkg_install pkg_login pkg_upgrade pkg_purge"
PKG=libpam-cgherd
SAVED=/root/before-install
MODULE=/usr/lib/x86_64-linux-gnu/security/pam_cgherd.so
pkg_deb() { local f; for f in /vm/pkg/"${PKG}_$1"_*.deb; do [ -e "$f" ] && echo "${f##*/}"; done; }
pkg_versions() { local f; for f in /vm/pkg/"${PKG}"_*.deb; do f=${f##*/"${PKG}"_}; echo "${f%%_*}"; done | sort -V; }
V1=$(pkg_versions | head -n 1)
V2=$(pkg_versions | tail -n 1)
pkg_status() { dpkg-query -W -f '${db:Status-Abbrev}${Version}' $PKG 2>/dev/null; }
step() { echo "  [$(cut -d' ' -f1 /proc/uptime)] $*"; }
apt_local() {	# apt-get install/purge, no network; output kept for the verdict
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@" >/tmp/apt.out 2>&1 ||
		{ fail "apt-get $*: $(tail -n 5 /tmp/apt.out | tr '\n' ' ')"; return 1; }
	sed 's/^/  | /' /tmp/apt.out | grep -v '^  | \(Reading\|Building\|Selecting\|(Reading\)' | head -n 12
}
# the session of one ssh login as alice: "CG <cgroup>" and "LIM" with its
# memory.max memory.swap.max cpu.max pids.max memory.oom.group, user slice's memory.max
login_limits() {
	as_ssh alice 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo "CG $cg"; d=/sys/fs/cgroup$cg; u=${d%/*}
		echo "LIM $(cat $d/memory.max) $(cat $d/memory.swap.max) $(cat $d/cpu.max) $(cat $d/pids.max) $(cat $d/memory.oom.group) $(cat $u/memory.max)"
		echo "POLICY $(systemctl show -P OOMPolicy ${d##*/})"'
}

scenario_pkg_install() {
	local deb
	{ [ -n "$V1" ] && [ "$V1" != "$V2" ]; } || { fail "want two versions in /vm/pkg, have: $(pkg_versions | tr '\n' ' ')"; return 1; }
	{ [ ! -e $MODULE ] && [ ! -e /etc/security/cgherd.conf ]; } || { fail "pam_cgherd is on the image before the install"; return 1; }
	mkdir -p $SAVED
	cp -p /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive $SAVED/
	deb=$(pkg_deb "$V1")
	step "apt-get install ./$deb"
	(cd /vm/pkg && apt_local install "./$deb") || return 1
	step installed
	[ "$(pkg_status)" = "ii $V1" ] || { fail "dpkg: '$(pkg_status)', expected 'ii $V1'"; return 1; }
	dpkg -L $PKG >/root/pkg-files
	for f in $MODULE /usr/sbin/cgherd /etc/security/cgherd.conf /usr/share/pam-configs/cgherd \
		/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf /lib/systemd/system/cgherd-watch.service \
		/usr/share/man/man8/pam_cgherd.8.gz /usr/share/man/man8/cgherd.8.gz /usr/share/man/man5/cgherd.conf.5.gz; do
		{ grep -qx "$f" /root/pkg-files && [ -e "$f" ]; } || { fail "$f not installed by the package"; return 1; }
	done
	dpkg-query -W -f '${Conffiles}\n' $PKG | grep -q '^ /etc/security/cgherd.conf ' ||
		{ fail "/etc/security/cgherd.conf is not a conffile"; return 1; }
	# safe by default: the profile is known to pam-auth-update but not enabled,
	# cgherd-watch neither enabled nor running
	grep -qx cgherd /var/lib/pam/seen || { fail "pam-auth-update --package did not register the profile"; return 1; }
	{ cmp -s /etc/pam.d/common-session $SAVED/common-session &&
		cmp -s /etc/pam.d/common-session-noninteractive $SAVED/common-session-noninteractive; } ||
		{ fail "the install changed common-session: $(grep cgherd /etc/pam.d/common-session*)"; return 1; }
	[ "$(systemctl is-enabled cgherd-watch.service)" = disabled ] || { fail "cgherd-watch is $(systemctl is-enabled cgherd-watch.service) after the install"; return 1; }
	! systemctl -q is-active cgherd-watch.service || { fail "cgherd-watch was started by the install"; return 1; }
	cgherd check >/dev/null || { fail "cgherd check on the shipped cgherd.conf: exit $?"; return 1; }
}

# The installed module, the installed config: its rule "students" (alice) gives
# 500M, no swap, 20% CPU, 1024 pids, the OOM group; no user limits.
PKG_LIM="524288000 0 20000 100000 1024 1 max"
scenario_pkg_login() {
	# the admin's command; no terminal here, so no debconf frontend either
	step "pam-auth-update --enable cgherd"
	DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cgherd || { fail "pam-auth-update --enable cgherd: exit $?"; return 1; }
	{ grep -Eq '^session\s+optional\s+pam_cgherd\.so' /etc/pam.d/common-session &&
		grep -Eq '^session\s+optional\s+pam_cgherd\.so' /etc/pam.d/common-session-noninteractive; } ||
		{ fail "pam_cgherd not in common-session*: $(grep -c cgherd /etc/pam.d/common-session*)"; return 1; }
	[ "$(dpkg -S $MODULE 2>/dev/null)" = "$PKG: $MODULE" ] || { fail "$MODULE is not the package's"; return 1; }
	[ "$(md5sum </etc/security/cgherd.conf | cut -d' ' -f1)" = "$(dpkg-query -W -f '${Conffiles}\n' $PKG | awk '$1 == "/etc/security/cgherd.conf" { print $2 }')" ] ||
		{ fail "/etc/security/cgherd.conf is not the shipped one"; return 1; }
	step "ssh login"
	out=$(login_limits) || { fail "ssh login refused: $(journalctl -q -b --no-pager | grep -i cgherd | tail -n 3 | tr '\n' ' ')"; return 1; }
	echo "$out" | sed 's/^/  /'
	[[ $(field CG) =~ ^/user\.slice/user-1001\.slice/session-[0-9a-z]+\.scope$ ]] || { fail "session in '$(field CG)', not in its logind scope"; return 1; }
	[ "$(field LIM)" = "$PKG_LIM" ] || { fail "scope limits: $(field LIM), expected $PKG_LIM"; return 1; }
	[ "$(field POLICY)" = kill ] || { fail "the scope's OOMPolicy is '$(field POLICY)': the package's drop-in not applied"; return 1; }
	[ -d /run/cgherd ] || { fail "no /run/cgherd (the module's config cache) after a login"; return 1; }
}

# An edited conffile survives the upgrade (dpkg keeps it: the shipped one did
# not change), the profile stays enabled, the next login has the edited limit.
scenario_pkg_upgrade() {
	sed -i 's/memory_max      = "500M";/memory_max      = "400M";/' /etc/security/cgherd.conf
	grep -q '"400M"' /etc/security/cgherd.conf || { fail "could not edit cgherd.conf"; return 1; }
	cp -p /etc/security/cgherd.conf /root/cgherd.conf.edited
	step "apt-get install ./$(pkg_deb "$V2")"
	(cd /vm/pkg && apt_local install "./$(pkg_deb "$V2")") || return 1
	step upgraded
	[ "$(pkg_status)" = "ii $V2" ] || { fail "dpkg: '$(pkg_status)', expected 'ii $V2'"; return 1; }
	cmp -s /etc/security/cgherd.conf /root/cgherd.conf.edited || { fail "the upgrade changed the edited cgherd.conf: $(diff /root/cgherd.conf.edited /etc/security/cgherd.conf | tr '\n' ' ')"; return 1; }
	{ [ ! -e /etc/security/cgherd.conf.dpkg-new ] && [ ! -e /etc/security/cgherd.conf.dpkg-dist ]; } || { fail "dpkg left a new cgherd.conf beside the edited one"; return 1; }
	grep -Eq '^session\s+optional\s+pam_cgherd\.so' /etc/pam.d/common-session || { fail "the upgrade disabled the profile"; return 1; }
	[ "$(systemctl is-enabled cgherd-watch.service)" = disabled ] || { fail "cgherd-watch is $(systemctl is-enabled cgherd-watch.service) after the upgrade"; return 1; }
	out=$(login_limits) || { fail "ssh login refused after the upgrade"; return 1; }
	echo "$out" | sed 's/^/  /'
	[ "$(field LIM)" = "419430400 0 20000 100000 1024 1 max" ] || { fail "after the upgrade: $(field LIM), expected the edited 400M (419430400)"; return 1; }
}

# Purge: the PAM files as they were before the install, byte for byte; no file
# of the package left, nor an empty directory of its; the
# runtime and state directories gone; a login still works and is not herded.
scenario_pkg_purge() {
	local p left=""
	mkdir -p /var/lib/cgherd && touch /var/lib/cgherd/state
	[ -d /run/cgherd ] || { fail "no /run/cgherd before the purge: nothing to show"; return 1; }
	step "apt-get purge $PKG"
	apt_local purge $PKG || return 1
	step purged
	! pkg_status | grep -qv '^un' || { fail "dpkg still knows $PKG: $(pkg_status)"; return 1; }
	for p in common-session common-session-noninteractive; do
		cmp /etc/pam.d/$p $SAVED/$p || { fail "/etc/pam.d/$p differs from before the install: $(diff $SAVED/$p /etc/pam.d/$p | tr '\n' ' ')"; return 1; }
	done
	# a directory (or, merged /usr, a symlink to one: /lib) is left behind
	# when it is still there and empty; one that holds other packages' files
	# is theirs too
	while read -r p; do
		if [ -d "$p" ]; then
			[ -n "$(ls -A "$p")" ] || left="$left $p/"
		elif [ -e "$p" ] || [ -L "$p" ]; then
			left="$left $p"
		fi
	done </root/pkg-files
	[ -z "$left" ] || { fail "left behind:$left"; return 1; }
	ls /etc/security/cgherd.conf* >/dev/null 2>&1 && { fail "left behind: $(ls /etc/security/cgherd.conf*)"; return 1; }
	{ [ ! -e /run/cgherd ] && [ ! -e /var/lib/cgherd ]; } || { fail "purge left /run/cgherd or /var/lib/cgherd"; return 1; }
	out=$(login_limits) || { fail "ssh login refused after the purge"; return 1; }
	[ "$(field LIM | cut -d' ' -f1)" = max ] || { fail "a login is still herded after the purge: $(field LIM)"; return 1; }
	echo "  $(wc -l </root/pkg-files) paths of $PKG checked; common-session* identical to before the install"
}
