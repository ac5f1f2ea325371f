# Sourced by tests/vm/mkinitramfs.sh (VM_EXTRA_HOOK) with $root, add_file and
# add_elf at hand: adds the benchmark to the test image.  BENCH_BUILD (set by
# bench/run.sh) holds the built microbench, logins and reaplat, BENCH_SRC the bench/ dir.
for b in microbench logins reaplat; do
	add_elf "$BENCH_BUILD/$b"
	install -m 755 "$BENCH_BUILD/$b" "$root/usr/local/bin/$b"
done
# pam_cgroup (libpam-cgroup) with libcgroup, found where pam_unix.so is
pam_cgroup=/usr/lib/x86_64-linux-gnu/security/pam_cgroup.so
[ -e "$pam_cgroup" ] || pam_cgroup=/lib/x86_64-linux-gnu/security/pam_cgroup.so
add_elf "$pam_cgroup"
mkdir -p "$root/vm/bench"
install -m 644 "$BENCH_SRC/guest.sh" "$root/vm/scenarios/bench.sh"
install -m 644 "$BENCH_BUILD/params" "$root/vm/bench/params"
install -m 644 "$BENCH_SRC/genconf.awk" "$root/vm/bench/genconf.awk"
install -m 644 "$BENCH_SRC/trace.awk" "$root/vm/bench/trace.awk"
# the module built without libsystemd, when bench.mk made one
if [ -n "${BENCH_NOSD:-}" ] && [ -f "$BENCH_NOSD" ]; then
	add_elf "$BENCH_NOSD"
	install -m 644 "$BENCH_NOSD" "$root/lib/security/pam_cgherd_nosd.so"
fi
# the module that closes without the reaper (bench.mk)
if [ -n "${BENCH_OLD:-}" ] && [ -f "$BENCH_OLD" ]; then
	add_elf "$BENCH_OLD"
	install -m 644 "$BENCH_OLD" "$root/lib/security/pam_cgherd_old.so"
fi
