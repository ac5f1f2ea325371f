#!/bin/bash
# Build the busybox initramfs of the pam_cgherd VM tests.
#
#   tests/vm/mkinitramfs.sh MODULE_SO HOG_BIN OUT.cpio.gz [DEMO_CONF]
#
# MODULE_SO  the freshly built pam_cgherd.so ("none": PAM stacks use pam_permit.so
#            instead, to test the harness itself)
# HOG_BIN    the static tests/vm/hog.c binary
# OUT        the gzip'ed newc cpio to write; scratch (staging tree, throwaway ssh keys)
#            goes next to it (its directory, e.g. build/vm/)
# DEMO_CONF  optional config installed as /vm/demo.conf for `make demo`
#
# The image holds busybox-static, runuser, sshd, ssh, the PAM modules used and their
# libraries, test users, /etc/pam.d stacks, and tests/vm/{init,suite.sh,lib.sh,...}.
set -eu

[ $# -ge 3 ] || { echo "usage: $0 MODULE_SO|none HOG_BIN OUT.cpio.gz [DEMO_CONF]" >&2; exit 2; }
module=$1 hog=$2 out=$3 demo_conf=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
outdir=$(mkdir -p "$(dirname "$out")" && cd "$(dirname "$out")" && pwd)
root=$outdir/root
keys=$outdir/keys

if [ "$module" != none ] && [ ! -f "$module" ]; then
	echo "$0: module $module not found (build it first)" >&2
	exit 1
fi
[ -x "$hog" ] || { echo "$0: hog binary $hog not found" >&2; exit 1; }

rm -rf "$root"
mkdir -p "$root"
# merged /usr layout, so that every path ldd prints lands in one tree
mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 "$root"/usr/local/bin
ln -s usr/bin "$root"/bin
ln -s usr/sbin "$root"/sbin
ln -s usr/lib "$root"/lib
ln -s usr/lib64 "$root"/lib64
mkdir -p "$root"/proc "$root"/sys "$root"/dev "$root"/run/sshd "$root"/tmp "$root"/var/log \
	"$root"/var/empty "$root"/var/lib "$root"/root "$root"/etc/pam.d "$root"/etc/pam.d.tmpl \
	"$root"/etc/security "$root"/etc/ssh "$root"/home "$root"/vm/scenarios
chmod 1777 "$root"/tmp
chmod 700 "$root"/root
chmod 755 "$root"/run/sshd "$root"/var/empty

# add_file SRC [DEST]: copy (dereferenced) into the image
add_file() {
	local src=$1 dest=${2:-$1}
	[ -e "$root$dest" ] && return 0
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$src" "$root$dest"
}

# add_elf FILE: the file and every library ldd resolves for it
add_elf() {
	local f=$1 lib
	add_file "$f"
	for lib in $(ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}'); do
		add_file "$lib"
	done
}

# busybox and its applets (real binaries copied below win over applet links)
add_file /bin/busybox /usr/bin/busybox
for a in $(/bin/busybox --list); do
	case $a in busybox) continue ;; esac
	[ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done

for b in /usr/sbin/runuser /usr/sbin/sshd /usr/bin/ssh /usr/bin/script; do
	rm -f "$root$b"
	add_elf "$b"
done
add_file /lib64/ld-linux-x86-64.so.2
for l in /usr/lib/x86_64-linux-gnu/libnss_files.so.2; do
	[ -e "$l" ] && add_elf "$l"
done
secdir=/usr/lib/x86_64-linux-gnu/security
for m in pam_permit pam_deny pam_rootok pam_unix pam_env; do
	add_elf "$secdir/$m.so"
done
if [ "$module" != none ]; then
	add_elf "$module"
	# dlopen'ed by the module to parse (lib/core/libconfig_dl.c), so not in ldd's list
	lc=$(${CC:-cc} -print-file-name=libconfig.so.9)
	add_elf "$(cd "$(dirname "$lc")" && pwd -P)/libconfig.so.9"
	mkdir -p "$root"/lib/security
	rm -f "$root$module"
	cp "$module" "$root"/lib/security/pam_cgherd.so
	pamline="session required /lib/security/pam_cgherd.so @ARGS@"
else
	pamline="session required pam_permit.so"
fi
install -m 755 "$hog" "$root"/usr/local/bin/hog
# pamhost (tests/vm/pamhost.c), built next to hog by run.sh
if [ -x "$(dirname "$hog")/pamhost" ]; then
	add_elf "$(dirname "$hog")/pamhost"
	install -m 755 "$(dirname "$hog")/pamhost" "$root"/usr/local/bin/pamhost
fi
# a RAM disk with a vfat filesystem: page cache that can be reclaimed (the initramfs'
# cannot), for the watch scenario's memory.reclaim test; /lib/modules/VERSION/NAME.ko
for kdir in /lib/modules/*/kernel; do
	ver=$(basename "$(dirname "$kdir")")
	for m in brd fat vfat nls_cp437 nls_ascii nls_utf8; do
		f=$(find "$kdir" -name "$m.ko" 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then add_file "$f" "/lib/modules/$ver/$m.ko"; fi
	done
done

# users: alice (students), bob (staff), carol (students, staff), dave (no group),
# sys (uid 500, a "system" user)
cat >"$root"/etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534:sshd:/run/sshd:/bin/false
sys:x:500:500:system user:/home/sys:/bin/sh
alice:x:1001:1001:Alice:/home/alice:/bin/sh
bob:x:1002:1002:Bob:/home/bob:/bin/sh
carol:x:1003:1003:Carol:/home/carol:/bin/sh
dave:x:1004:1004:Dave:/home/dave:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root"/etc/group <<'EOF'
root:x:0:
sys:x:500:
alice:x:1001:
bob:x:1002:
carol:x:1003:
dave:x:1004:
students:x:2000:alice,carol
staff:x:2001:bob,carol
nogroup:x:65534:
EOF
awk -F: '{print $1 ":*:19000:0:99999:7:::"}' "$root"/etc/passwd >"$root"/etc/shadow
chmod 600 "$root"/etc/shadow
for u in sys alice bob carol dave; do
	mkdir -p "$root/home/$u"
done
printf 'passwd: files\ngroup: files\nshadow: files\n' >"$root"/etc/nsswitch.conf
printf '127.0.0.1 localhost vm\n' >"$root"/etc/hosts
echo vm >"$root"/etc/hostname

# PAM stacks; @ARGS@ is replaced by lib.sh's pam_args (module arguments)
for svc in runuser runuser-l; do
	cat >"$root/etc/pam.d.tmpl/$svc" <<EOF
auth     sufficient pam_rootok.so
auth     required   pam_deny.so
account  required   pam_permit.so
$pamline
session  required   pam_unix.so
EOF
done
cat >"$root"/etc/pam.d.tmpl/sshd <<EOF
auth     required   pam_deny.so
account  required   pam_permit.so
password required   pam_deny.so
$pamline
session  required   pam_unix.so
EOF
printf 'auth required pam_deny.so\naccount required pam_deny.so\npassword required pam_deny.so\nsession required pam_deny.so\n' \
	>"$root"/etc/pam.d.tmpl/other
for f in "$root"/etc/pam.d.tmpl/*; do
	sed 's/ @ARGS@//' "$f" >"$root/etc/pam.d/$(basename "$f")"
done

# ssh: throwaway keys made at build time (never committed: they live in the build dir)
mkdir -p "$keys"
[ -f "$keys/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C vm-host -f "$keys/host_ed25519"
[ -f "$keys/user_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C vm-user -f "$keys/user_ed25519"
install -m 600 "$keys/host_ed25519" "$root"/etc/ssh/ssh_host_ed25519_key
install -m 644 "$keys/host_ed25519.pub" "$root"/etc/ssh/ssh_host_ed25519_key.pub
install -m 600 "$keys/user_ed25519" "$root"/etc/ssh/user_key
install -m 644 "$keys/user_ed25519.pub" "$root"/etc/ssh/authorized_keys
cat >"$root"/etc/ssh/sshd_config <<'EOF'
ListenAddress 127.0.0.1
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ssh/authorized_keys
PermitRootLogin no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 200
MaxSessions 200
PidFile /run/sshd.pid
LogLevel INFO
EOF
chmod 644 "$root"/etc/ssh/sshd_config

# harness files
install -m 755 "$here"/init "$root"/init
install -m 755 "$here"/suite.sh "$root"/vm/suite.sh
install -m 644 "$here"/lib.sh "$root"/vm/lib.sh
install -m 755 "$here"/cginfo.sh "$root"/vm/cginfo.sh
install -m 644 "$here"/demo-guest.sh "$root"/vm/demo-guest.sh
for s in "$here"/scenarios/*.sh; do
	install -m 644 "$s" "$root/vm/scenarios/$(basename "$s")"
done
if [ -n "$demo_conf" ]; then
	install -m 644 "$demo_conf" "$root"/vm/demo.conf
fi

# the admin tool, built next to the module
cli=$(dirname "$module")/cgherd
if [ "$module" != none ] && [ -x "$cli" ]; then
	add_elf "$cli"
	install -m 755 "$cli" "$root"/usr/sbin/cgherd
fi
# other suites (bench/) add binaries with their libraries, and a hook sourced
# here with $root, add_file and add_elf at hand
for f in ${VM_EXTRA_ELF:-}; do
	add_elf "$f"
done
if [ -n "${VM_EXTRA_HOOK:-}" ]; then
	. "$VM_EXTRA_HOOK"
fi

(cd "$root" && find . -print | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: wrote $out ($(du -h "$out" | cut -f1))" >&2
