# Login-cost benchmark (bench/RESULTS.md):  make bench
# Boots the test VM once (tests/vm harness) and measures runuser and ssh logins
# with no cgroup module, with pam_cgherd and with pam_cgroup, the module alone
# (bench/microbench.c), and how the cost grows with rules, groups and live
# sessions, how soon a closed session's leaf is gone, and which close is faster
# (section 5b: close=reaper against close=move).  Sizes: N_RUNUSER N_SSH
# N_MICRO N_MICRO_BIG N_MICRO_GAP N_SCALE N_LIVE RULES N_REAP N_BURST N_CLOSE
# (see bench/run.sh).  Plot: python3 bench/plot.py build/bench/results.txt OUT.png
# Host-side profile (callgrind): bench/profile.sh
BUILD ?= build
CC ?= cc
BENCH_DIR := $(BUILD)/bench
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra $(INC_FLAGS)
# the libraries libcgherd.a needs, as the top-level Makefile says (LIBS)
BENCH_LIBS = -lpam $(if $(LIBS),$(LIBS),-lconfig)

$(BENCH_DIR)/microbench: bench/microbench.c $(BUILD)/libcgherd.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BUILD)/libcgherd.a $(BENCH_LIBS)

$(BENCH_DIR)/logins: bench/logins.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lm

$(BENCH_DIR)/reaplat: bench/reaplat.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

# When the module links libsystemd (WITH_SYSTEMD=yes), the same sources are also
# built without it, as the extra stack "cgherd_nosd": what loading libsystemd
# costs a login.
BENCH_NOSD := $(if $(filter yes,$(WITH_SYSTEMD)),$(BENCH_DIR)/nosd/pam_cgherd.so)
$(BENCH_DIR)/nosd/pam_cgherd.so: $(LIB_SRC) pam_module/pam_cgherd.c $(HEADERS)
	$(MAKE) --no-print-directory BUILD=$(BENCH_DIR)/nosd WITH_SYSTEMD= $@

# The module whose close does it all itself, moving the opener back (as before
# the reaper), as the extra stack "cgherd_old": which close is faster.
BENCH_OLD := $(BENCH_DIR)/old/pam_cgherd.so
$(BENCH_OLD): $(LIB_SRC) pam_module/pam_cgherd.c $(wildcard include/*.h)
	$(MAKE) --no-print-directory BUILD=$(BENCH_DIR)/old EXTRA_CFLAGS=-DCGH_NO_REAPER $@

bench: $(BENCH_OLD) $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog $(BENCH_DIR)/microbench $(BENCH_DIR)/logins $(BENCH_DIR)/reaplat $(BENCH_NOSD)
	BUILD=$(abspath $(BUILD)) BENCH_NOSD=$(abspath $(BENCH_NOSD)) BENCH_OLD=$(abspath $(BENCH_OLD)) \
		bench/run.sh

.PHONY: bench

# What penalties cost `cgherd watch` with 1,000 users on the emulated tree
# (bench/penalty_cost.c): make bench-penalty [PENALTY_USERS=1000 PENALTY_SECONDS=20]
PENALTY_USERS ?= 1000
PENALTY_SECONDS ?= 20
$(BENCH_DIR)/penalty_cost: bench/penalty_cost.c $(BUILD)/obj/tests/common/fakefs.o $(BUILD)/libcgherd.a $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Itests/common -o $@ $< $(BUILD)/obj/tests/common/fakefs.o $(BUILD)/libcgherd.a $(BENCH_LIBS)

bench-penalty: $(BENCH_DIR)/penalty_cost
	$(BENCH_DIR)/penalty_cost $(PENALTY_USERS) $(PENALTY_SECONDS) 28s
	$(BENCH_DIR)/penalty_cost $(PENALTY_USERS) $(PENALTY_SECONDS) 10m

.PHONY: bench-penalty

# Login cost on a systemd host (issue 18's target 4, bench/systemd.sh): the systemd
# VM suite's scenario "bench" alone (flavour stable), runuser and ssh logins
# without pam_systemd, with it, and with it and pam_cgherd, alternating.
#   make bench-systemd [N_SD_RUNUSER=40 N_SD_SSH=15 VM_TIMEOUT=600]
N_SD_RUNUSER ?= 40
N_SD_SSH ?= 15
bench-systemd: $(BUILD)/pam_cgherd.so $(BUILD)/cgherd $(BUILD)/vm/hog $(BENCH_DIR)/logins
	BUILD=$(abspath $(BUILD)) N_SD_RUNUSER=$(N_SD_RUNUSER) N_SD_SSH=$(N_SD_SSH) \
		$(if $(VM_TIMEOUT),VM_TIMEOUT=$(VM_TIMEOUT)) bench/systemd.sh

.PHONY: bench-systemd
