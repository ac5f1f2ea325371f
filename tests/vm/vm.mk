# Real-kernel tests of pam_cgherd under QEMU (tests/vm/README.md).
#   make vm-check [VM_SCENARIOS="hogherder cpu"]   boot a VM, run the scenarios
#   make demo                                       the hogherder story, with a verdict
# Needs qemu-system-x86 linux-image-amd64 busybox-static openssh-server
# openssh-client util-linux, and a static libc for tests/vm/hog.c.
BUILD ?= build
CC ?= cc
VM_DIR := $(BUILD)/vm
VM_HOG := $(VM_DIR)/hog
VM_SCENARIOS ?=

$(VM_HOG): tests/vm/hog.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -o $@ $<

vm-check: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(VM_HOG)
	BUILD=$(abspath $(BUILD)) MODULE=$(abspath $(BUILD)/pam_cgherd.so) tests/vm/run.sh $(VM_SCENARIOS)

# what tests/setup-debian installs first, then the build in a new make
demo:
	@tests/setup-debian
	@$(MAKE) --no-print-directory demo-run

demo-run: $(BUILD)/pam_cgherd.so $(VM_HOG)
	BUILD=$(abspath $(BUILD)) MODULE=$(abspath $(BUILD)/pam_cgherd.so) tests/vm/demo.sh

.PHONY: vm-check demo demo-run
