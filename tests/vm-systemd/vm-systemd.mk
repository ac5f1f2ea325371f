# The systemd-host suite (tests/vm-systemd): `make vm-systemd-check` boots one VM
# a flavour, one after the other: "stable" (Debian 12's systemd 252) and
# "backports" (systemd 254 from bookworm-backports, with the drop-in scenarios).
#   make vm-systemd-check VM_SYSTEMD_FLAVOUR=backports   one of them
VM_SYSTEMD_FLAVOUR ?= stable backports
vm-systemd-check: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog
	@rc=0; for f in $(VM_SYSTEMD_FLAVOUR); do \
		BUILD=$(abspath $(BUILD)) tests/vm-systemd/run.sh $$f || rc=1; \
	done; exit $$rc

.PHONY: vm-systemd-check
