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
	$(CC) -o $@ $^ $(LDHARDEN) $(EXTRA_LDFLAGS) -lcmocka $(LIBS)

# The module built against the emulated cgroupfs of tests/common/fakefs.c.
$(BUILD)/obj/pam_module/pam_cgherd_fake.o: pam_module/pam_cgherd.c $(HEADERS) $(BUILD_CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DCGHERD_TEST_SYS -c -o $@ $<

$(FAKE_MODULE): $(BUILD)/obj/pam_module/pam_cgherd_fake.o $(TEST_COMMON_OBJ) $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $^ -Wl,--version-script=pam_module/pam_cgherd.map $(LDHARDEN) $(EXTRA_LDFLAGS) $(LIBS) -lpam

# cgherd built against the same emulation: the CLI tests run status, top,
# doctor and watch on a tree in a temporary directory.
CLI_FAKE := $(BUILD)/tests/cgherd_fake
$(BUILD)/obj/cli-fake/cgherd.o: cli/cgherd.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DCGHERD_TEST_SYS -c -o $@ $<

$(CLI_FAKE): $(BUILD)/obj/cli-fake/cgherd.o $(BUILD)/obj/tests/common/fakefs.o $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -pie -o $@ $^ $(LDHARDEN) $(EXTRA_LDFLAGS) $(LIBS)

$(PAM_TEST): $(BUILD)/obj/tests/pam/test_pam.o $(TEST_COMMON_OBJ) $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(EXTRA_LDFLAGS) -lcmocka -lpam $(LIBS)

# A driver for profiling pam_open_session natively (tests/pam/trace-open):
# logins through libpam and the fake module, the open bracketed by markers
# (cmocka: the fake module links the test helpers, which call it).
OPEN_ONCE := $(BUILD)/tests/open_once
$(OPEN_ONCE): $(BUILD)/obj/tests/pam/open_once.o $(BUILD)/obj/tests/common/fakefs.o $(BUILD)/libcgherd.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDHARDEN) $(EXTRA_LDFLAGS) -lpam $(LIBS) -Wl,--no-as-needed -lcmocka

check-unit: $(UNIT_BIN)
	@tests/run-tests $(UNIT_BIN)

# The PAM tests in a /run of their own (tests/pam/private-run): the
# production module caches there, not in this machine's /run/cgherd.
check-pam: $(MODULE) $(FAKE_MODULE) $(PAM_TEST) $(OPEN_ONCE)
	@CGHERD_MODULE=$(abspath $(MODULE)) CGHERD_FAKE_MODULE=$(abspath $(FAKE_MODULE)) \
		CGHERD_OPEN_ONCE=$(abspath $(OPEN_ONCE)) tests/pam/private-run tests/run-tests $(PAM_TEST)

# The same unit and PAM tests built with AddressSanitizer + UBSan, any
# report failing the run; the PAM tests again under valgrind memcheck.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan:
	@LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) $(MAKE) --no-print-directory BUILD=$(BUILD)/asan EXTRA_CFLAGS="$(SAN_FLAGS)" \
		EXTRA_LDFLAGS="$(SAN_FLAGS)" check-unit check-pam

check-valgrind: $(MODULE) $(FAKE_MODULE) $(PAM_TEST) $(OPEN_ONCE) $(UNIT_BIN)
	@CGHERD_MODULE=$(abspath $(MODULE)) CGHERD_FAKE_MODULE=$(abspath $(FAKE_MODULE)) \
		CGHERD_OPEN_ONCE=$(abspath $(OPEN_ONCE)) \
		VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		tests/pam/private-run tests/run-tests $(PAM_TEST) $(UNIT_BIN)

check-cli: $(CLI) $(CLI_FAKE)
	@CGHERD=$(abspath $(CLI)) tests/cli/test-cli.sh
	@CGHERD=$(abspath $(CLI)) CGHERD_FAKE=$(abspath $(CLI_FAKE)) tests/cli/test-admin.sh

# The build without libsystemd (no systemd backend) still works and passes.
check-nosystemd:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/nosystemd WITH_SYSTEMD=no all check-unit

# The build notices its configuration (WITH_SYSTEMD, CC, flags: $(BUILD)/config.mk).
check-build-config:
	@tests/build/test-config.sh

# First what tests/setup-debian installs (as root; it does nothing when all is
# there), then the build in a new make, which sees libsystemd-dev if it was
# just installed.
check:
	@tests/setup-debian
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-unit check-pam check-cli check-build-config check-nosystemd \
		check-asan check-valgrind check-fuzz check-package check-rpm
	@$(MAKE) --no-print-directory vm-check
	@$(MAKE) --no-print-directory check-soak
	@$(MAKE) --no-print-directory vm-systemd-check

.PHONY: check check-unit check-pam check-cli check-build-config check-nosystemd check-asan check-valgrind check-fuzz

# libFuzzer targets (clang): `make fuzz FUZZ_SECONDS=600`; a short run is
# part of `make check`.  New inputs go to $(BUILD)/fuzz/corpus-*, the seeds in
# tests/fuzz/corpus are only read.
FUZZ_SECONDS ?= 600
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := value config cache

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(HEADERS)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libcgherd.a
	clang $(ALL_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_BUILD)/libcgherd.a $(LIBS)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
		LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
		$(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|SUMMARY|INFO: -max_total_time)' ; \
		[ "$${PIPESTATUS[0]}" -eq 0 ] || exit 1; \
	done

check-fuzz: check-fuzz-seeds
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

# The config cache seeds (tests/fuzz/corpus/cache) are made by the tree's own
# cache writer from tests/fuzz/seeds/*.conf: `make fuzz-seeds` writes them, the
# check fails when they are not what the writer makes (a new cache format).
$(BUILD)/cache_seeds: tests/fuzz/cache_seeds.c $(BUILD)/libcgherd.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcgherd.a $(LIBS)

fuzz-seeds: $(BUILD)/cache_seeds
	$(BUILD)/cache_seeds tests/fuzz/corpus/cache tests/fuzz/seeds/*.conf

check-fuzz-seeds: $(BUILD)/cache_seeds
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	$(BUILD)/cache_seeds "$$d" tests/fuzz/seeds/*.conf && \
	for f in "$$d"/*; do cmp -s "$$f" tests/fuzz/corpus/cache/$${f##*/} || \
		{ echo "check-fuzz-seeds: tests/fuzz/corpus/cache/$${f##*/} is not what the cache writer makes: make fuzz-seeds" >&2; exit 1; }; \
	done && echo "fuzz seeds: $$(ls "$$d" | wc -l) cache seeds current"

.PHONY: fuzz check-fuzz fuzz-seeds check-fuzz-seeds
