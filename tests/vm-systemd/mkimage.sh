#!/bin/bash
# Build the disk image of the systemd VM test: Debian 12 with systemd, logind,
# dbus, pam_systemd and sshd (debootstrap, cached), plus the freshly built
# pam_cgherd.so and cgherd, test users, ssh keys and the test suite.
#
#   tests/vm-systemd/mkimage.sh BUILD_DIR OUT.img
#
# The debootstrap tree is cached in $CGH_VM_CACHE (/var/cache/cgherd-vm) under a
# name that changes with the package list, so a machine builds it once; a fresh
# machine builds it from scratch (about 2 minutes, from the Debian mirror).
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT.img" >&2; exit 2; }
build=$(cd "$1" && pwd) out=$2
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
mirror=${CGH_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
pkgs=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,openssh-client,iproute2,procps,libconfig9
cache=${CGH_VM_CACHE:-/var/cache/cgherd-vm}/$suite-$(echo "$pkgs" | md5sum | cut -c1-8)

if [ ! -e "$cache/.complete" ]; then
	echo "mkimage: debootstrap $suite into $cache (once per machine)" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	debootstrap --variant=minbase --include="$pkgs" "$suite" "$cache" "$mirror" >"$cache.log" 2>&1 ||
		{ echo "mkimage: debootstrap failed, see $cache.log" >&2; exit 1; }
	rm -rf "$cache"/var/cache/apt/archives/*.deb
	touch "$cache/.complete"
fi

root=$(dirname "$out")/root
rm -rf "$root"
mkdir -p "$root"
cp -a "$cache"/. "$root"/
rm -f "$root/.complete"

# the module, the tool and the hog
install -m 644 "$build/pam_cgherd.so" "$root/usr/lib/x86_64-linux-gnu/security/pam_cgherd.so"
install -m 755 "$build/cgherd" "$root/usr/sbin/cgherd"
install -m 755 "$build/vm/hog" "$root/usr/local/bin/hog"

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

# PAM: pam_cgherd after pam_systemd (common-session), as the docs say
sed -i 's/^@include common-session$/&\nsession required pam_cgherd.so/' "$root/etc/pam.d/sshd"
grep -q pam_cgherd "$root/etc/pam.d/sshd" || { echo "mkimage: could not add pam_cgherd to sshd" >&2; exit 1; }

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
