# The systemd-host suite (tests/vm-systemd): `make vm-systemd-check`.
vm-systemd-check: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog
	BUILD=$(abspath $(BUILD)) tests/vm-systemd/run.sh

.PHONY: vm-systemd-check
