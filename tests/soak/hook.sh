# Sourced by tests/vm/mkinitramfs.sh (VM_EXTRA_HOOK) with $root at hand: adds the
# soak (tests/soak/) to the test image.  SOAK_SRC is tests/soak, SOAK_PARAMS the
# params file tests/soak/run.sh wrote.
mkdir -p "$root/vm/soak"
install -m 644 "$SOAK_SRC/guest.sh" "$root/vm/scenarios/soak.sh"
install -m 644 "$SOAK_SRC/analyze.awk" "$root/vm/soak/analyze.awk"
install -m 755 "$SOAK_SRC/login.sh" "$root/vm/soak/login.sh"
install -m 755 "$SOAK_SRC/job.sh" "$root/vm/soak/job.sh"
install -m 644 "$SOAK_PARAMS" "$root/vm/soak/params"
