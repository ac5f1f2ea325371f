# Tests: cmocka unit tests (tests/unit), PAM-level tests through the real
# libpam (tests/pam), the real-kernel VM suite (tests/vm, vm.mk).
TEST_COMMON_SRC := $(wildcard tests/common/*.c)
TEST_COMMON_OBJ := $(TEST_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PAM_TEST  := $(BUILD)/tests/test_pam
FAKE_MODULE := $(BUILD)/tests/pam_cgherd_fake.so

$(BUILD)/obj/tests/%.o: ALL_CFLAGS += -Itests/common -Wno-missing-prototypes

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(TEST_COMMON_OBJ) $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) -lcmocka $(LIBS)

# The module built against the emulated cgroupfs of tests/common/fakefs.c.
$(BUILD)/obj/pam_module/pam_cgherd_fake.o: pam_module/pam_cgherd.c $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DCGHERD_TEST_SYS -c -o $@ $<

$(FAKE_MODULE): $(BUILD)/obj/pam_module/pam_cgherd_fake.o $(TEST_COMMON_OBJ) $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $^ -Wl,--version-script=pam_module/pam_cgherd.map $(LDHARDEN) $(LIBS) -lpam

$(PAM_TEST): $(BUILD)/obj/tests/pam/test_pam.o $(TEST_COMMON_OBJ) $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) -lcmocka -lpam $(LIBS)

check-unit: $(UNIT_BIN)
	@tests/run-tests $(UNIT_BIN)

check-pam: $(MODULE) $(FAKE_MODULE) $(PAM_TEST)
	@CGHERD_MODULE=$(abspath $(MODULE)) CGHERD_FAKE_MODULE=$(abspath $(FAKE_MODULE)) \
		tests/run-tests $(PAM_TEST)

check: all
	@$(MAKE) --no-print-directory check-unit check-pam
	@if grep -q '^vm-check:' tests/vm/vm.mk 2>/dev/null; then $(MAKE) --no-print-directory vm-check; fi

.PHONY: check check-unit check-pam
