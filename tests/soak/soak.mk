# Soak of pam_cgherd in the test VM (tests/soak/run.sh):
#   make soak                     about 10 minutes: 2,000 logins with kills, reloads,
#                                 watch restarts, OOM and a fork bomb; figures and checks
#   make check-soak               the same in about 2 minutes (part of make check)
BUILD ?= build
SOAK_SECONDS ?= 600
SOAK_LOGINS ?= 2000
SOAK_PAR ?= 16

soak: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog
	BUILD=$(abspath $(BUILD)) SOAK_SECONDS=$(SOAK_SECONDS) SOAK_LOGINS=$(SOAK_LOGINS) \
		SOAK_PAR=$(SOAK_PAR) tests/soak/run.sh

check-soak:
	@$(MAKE) --no-print-directory soak SOAK_SECONDS=120 SOAK_LOGINS=400

.PHONY: soak check-soak
