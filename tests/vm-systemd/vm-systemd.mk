# The systemd-host suite (tests/vm-systemd): `make vm-systemd-check` boots one VM
# a flavour, one after the other: "stable" (Debian 12's systemd 252),
# "backports" (systemd 254 from bookworm-backports, with the drop-in scenarios)
# and "package" (Debian 12 with the package of `make package`: install, enable,
# login, upgrade, purge).
#   make vm-systemd-check VM_SYSTEMD_FLAVOUR=backports   one of them
VM_SYSTEMD_FLAVOUR ?= stable backports package
vm-systemd-check: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog \
		$(if $(filter package,$(VM_SYSTEMD_FLAVOUR)),$(PKG_STAMP))
	@rc=0; for f in $(VM_SYSTEMD_FLAVOUR); do \
		BUILD=$(abspath $(BUILD)) tests/vm-systemd/run.sh $$f || rc=1; \
	done; exit $$rc

.PHONY: vm-systemd-check
