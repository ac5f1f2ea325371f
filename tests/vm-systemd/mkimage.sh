#!/bin/bash
# Build the disk image of the systemd VM test: Debian 12 with systemd, logind,
# dbus, pam_systemd and sshd (debootstrap, cached), plus pam_cgherd as
# `make install` puts it (module, cgherd, the session-.scope drop-in), test
# users, ssh keys and the test suite.
#
#   tests/vm-systemd/mkimage.sh BUILD_DIR OUT.img [FLAVOUR [DEB...]]
#
# FLAVOUR "stable" (the default): Debian 12's own systemd (252).  "backports":
# systemd, systemd-sysv, libpam-systemd and their libraries from
# bookworm-backports (254), installed with apt over the stable tree.
# "package": the stable tree without `make install`; the DEBs (libpam-cgherd,
# two versions) go to /vm/pkg/ for the suite to install, upgrade and purge.
#
# The trees are cached in $CGH_VM_CACHE (/var/cache/cgherd-vm) under names that
# change with the flavour and the package lists, so a machine builds each once;
# a fresh machine builds them from scratch from the Debian mirror (stable: about
# 75 seconds under debootstrap; backports: that, then some 10 to 20 seconds of
# apt).
set -eu

[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR OUT.img [stable|backports|package [DEB...]]" >&2; exit 2; }
build=$(cd "$1" && pwd) out=$2 flavour=${3:-stable}
shift $(($# < 3 ? $# : 3))
debs=("$@")
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
mirror=${CGH_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
pkgs=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,openssh-client,iproute2,procps,libconfig9
# everything built from systemd's source that the stable tree has, so that no
# two versions of it are mixed
bpo_pkgs="systemd systemd-sysv libpam-systemd libsystemd0 libsystemd-shared libudev1"
cachedir=${CGH_VM_CACHE:-/var/cache/cgherd-vm}
cache=$cachedir/$suite-$(echo "$pkgs" | md5sum | cut -c1-8)

if [ ! -e "$cache/.complete" ]; then
	echo "mkimage: debootstrap $suite into $cache (once per machine)" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	debootstrap --variant=minbase --include="$pkgs" "$suite" "$cache" "$mirror" >"$cache.log" 2>&1 ||
		{ echo "mkimage: debootstrap failed, see $cache.log" >&2; exit 1; }
	rm -rf "$cache"/var/cache/apt/archives/*.deb
	touch "$cache/.complete"
fi

# The backports tree: a copy of the stable one, upgraded by apt in a chroot
# (its own mount namespace: /proc and resolv.conf go away with it; no service
# is started), then checked: one systemd version throughout, 253 or later.
if [ "$flavour" = backports ]; then
	base=$cache
	cache=$cachedir/$suite-backports-$(echo "$pkgs $bpo_pkgs" | md5sum | cut -c1-8)
	if [ ! -e "$cache/.complete" ]; then
		echo "mkimage: systemd from $suite-backports into $cache (once per machine)" >&2
		rm -rf "$cache"
		cp -a "$base" "$cache"
		rm -f "$cache/.complete"
		echo "deb $mirror $suite-backports main" >"$cache/etc/apt/sources.list.d/backports.list"
		printf '#!/bin/sh\nexit 101\n' >"$cache/usr/sbin/policy-rc.d"
		chmod 755 "$cache/usr/sbin/policy-rc.d"
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --mount --propagation private sh -ec '
			mount -t proc proc "$1/proc"
			mount --bind /etc/resolv.conf "$1/etc/resolv.conf"
			chroot "$1" apt-get -q update
			chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
				--no-install-recommends -t "$2" install $3
			chroot "$1" apt-get clean' sh "$cache" "$suite-backports" "$bpo_pkgs" >"$cache.log" 2>&1 ||
			{ echo "mkimage: apt-get install from $suite-backports failed, see $cache.log" >&2; exit 1; }
		rm -f "$cache/usr/sbin/policy-rc.d"
		rm -rf "$cache"/var/lib/apt/lists/*
		# shellcheck disable=SC2086 # a list of names
		versions=$(chroot "$cache" dpkg-query -W -f "\${Version}\n" $bpo_pkgs | sort -u)
		major=${versions%%[.-]*}
		{ [ "$(echo "$versions" | wc -l)" = 1 ] && [ "$major" -ge 253 ]; } ||
			{ echo "mkimage: $cache: want one systemd >= 253, have: $versions" >&2; exit 1; }
		echo "mkimage: systemd $versions, dbus $(chroot "$cache" dpkg-query -W -f "\${Version}" dbus)" >&2
		touch "$cache/.complete"
	fi
elif [ "$flavour" = package ]; then
	[ ${#debs[@]} -gt 0 ] || { echo "mkimage: flavour package needs the .deb files" >&2; exit 2; }
elif [ "$flavour" != stable ]; then
	echo "mkimage: unknown flavour '$flavour' (stable, backports or package)" >&2
	exit 2
fi

root=$(dirname "$out")/root
rm -rf "$root"
mkdir -p "$root"
cp -a "$cache"/. "$root"/
rm -f "$root/.complete"

# pam_cgherd as `make install` puts it (the module, cgherd, the drop-in
# session-.scope.d/50-cgherd-oom.conf, ...), or for flavour package the
# .deb files only; and the hog
if [ "$flavour" = package ]; then
	mkdir -p "$root/vm/pkg"
	cp "${debs[@]}" "$root/vm/pkg/"
	# apt in the VM has no network; without the mirror's package lists it
	# knows the installed packages and the local .deb only, and does not
	# spend minutes (under TCG) building its cache from bookworm's
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
else
	make --no-print-directory -s -C "$here/../.." BUILD="$build" DESTDIR="$root" PREFIX=/usr install >/dev/null
	for f in usr/lib/x86_64-linux-gnu/security/pam_cgherd.so usr/sbin/cgherd \
		usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf; do
		[ -e "$root/$f" ] || { echo "mkimage: make install did not install /$f" >&2; exit 1; }
	done
fi
install -m 755 "$build/vm/hog" "$root/usr/local/bin/hog"
# the login-cost driver of the bench scenario (make bench-systemd builds it)
[ ! -x "$build/bench/logins" ] || install -m 755 "$build/bench/logins" "$root/usr/local/bin/logins"

# users: alice (students), bob (staff)
cat >>"$root/etc/passwd" <<'P'
alice:x:1001:1001:Alice:/home/alice:/bin/sh
bob:x:1002:1002:Bob:/home/bob:/bin/sh
P
cat >>"$root/etc/group" <<'G'
alice:x:1001:
bob:x:1002:
students:x:2000:alice
staff:x:2001:bob
G
printf 'alice:*:19000:0:99999:7:::\nbob:*:19000:0:99999:7:::\n' >>"$root/etc/shadow"
mkdir -p "$root/home/alice" "$root/home/bob"
chown 1001:1001 "$root/home/alice"
chown 1002:1002 "$root/home/bob"

# ssh: throwaway keys in the build directory, never committed
keys=$(dirname "$out")/keys
mkdir -p "$keys"
[ -f "$keys/host" ] || ssh-keygen -q -t ed25519 -N '' -f "$keys/host"
[ -f "$keys/user" ] || ssh-keygen -q -t ed25519 -N '' -f "$keys/user"
rm -f "$root"/etc/ssh/ssh_host_*
install -m 600 "$keys/host" "$root/etc/ssh/ssh_host_ed25519_key"
install -m 600 "$keys/user" "$root/etc/ssh/user_key"
install -m 644 "$keys/user.pub" "$root/etc/ssh/authorized_keys"
cat >"$root/etc/ssh/sshd_config" <<'S'
ListenAddress 127.0.0.1
HostKey /etc/ssh/ssh_host_ed25519_key
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ssh/authorized_keys
StrictModes no
UseDNS no
PrintMotd no
S

# PAM: pam_cgherd after pam_systemd (common-session), as the docs say; for
# flavour package, the suite enables the package's pam-auth-update profile
if [ "$flavour" != package ]; then
	sed -i 's/^@include common-session$/&\nsession required pam_cgherd.so/' "$root/etc/pam.d/sshd"
	grep -q pam_cgherd "$root/etc/pam.d/sshd" || { echo "mkimage: could not add pam_cgherd to sshd" >&2; exit 1; }
fi

# boot: fstab, a quiet console, no units the test does not need
echo "/dev/vda / ext4 rw 0 1" >"$root/etc/fstab"
echo vm >"$root/etc/hostname"
for u in e2scrub_reap.service serial-getty@ttyS0.service getty@tty1.service \
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done

# the suite, started once the system is up
mkdir -p "$root/vm"
install -m 755 "$here/suite.sh" "$root/vm/suite.sh"
install -m 644 "$here/package.sh" "$root/vm/package.sh"
cat >"$root/etc/systemd/system/cgh-suite.service" <<'U'
[Unit]
Description=pam_cgherd systemd-host test suite
After=multi-user.target ssh.service systemd-logind.service dbus.service
[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/vm/suite.sh
ExecStopPost=/bin/systemctl poweroff --force --force
[Install]
WantedBy=multi-user.target
U
ln -sf /etc/systemd/system/cgh-suite.service \
	"$root/etc/systemd/system/multi-user.target.wants/cgh-suite.service"

rm -f "$out"
mkfs.ext4 -q -F -d "$root" -L cgh-root "$out" 1500M
rm -rf "$root"
echo "mkimage: wrote $out" >&2
