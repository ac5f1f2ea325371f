# pam_cgherd — see README.md.  `make`, `make check`, `make install`.
SHELL     := /bin/bash
VERSION   := 0.1.0
BUILD     ?= build
CC        ?= cc
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# the cgherd-watch unit; the session-.scope drop-in goes to SYSTEMDUNITDIR
UNITDIR   ?= $(SYSCONFDIR)/systemd/system
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
INITDIR   ?= $(SYSCONFDIR)/init.d
PAMCONFDIR ?= /usr/share/pam-configs
DOCDIR    ?= $(PREFIX)/share/doc/cgherd
# The PAM module directory: where pam_unix.so lives (multiarch aware).
PAMDIR    ?= $(shell for d in /usr/lib/$$($(CC) -print-multiarch 2>/dev/null)/security \
		/lib/$$($(CC) -print-multiarch 2>/dev/null)/security /usr/lib64/security \
		/lib64/security /usr/lib/security /lib/security; do \
		[ -e $$d/pam_unix.so ] && echo $$d && break; done)

WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	     -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wvla
HARDEN    := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
CFLAGS    ?= -O2 -g
# Sources and headers by folder (doc/DESIGN.md, "Source tree"): every .c
# under lib/ goes into the library, every folder under include/ is on the
# include path (a header private to one product sits beside its code and is
# included by its own folder only), so a new file needs no edit here.
LIB_SRC   := $(sort $(shell find lib -name '*.c'))
INC_DIRS  := $(sort $(shell find include -mindepth 1 -type d))
INC_FLAGS := $(addprefix -I,$(INC_DIRS))
HEADERS   := $(sort $(shell find include lib -name '*.h'))
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DCGHERD_VERSION=\"$(VERSION)\" $(WARN) $(HARDEN) \
	      $(INC_FLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDHARDEN  := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
# libconfig is dlopen'ed when a text is parsed (lib/core/libconfig_dl.c): a login
# whose config comes from the cache does not load it.
LIBS      := -ldl
# The systemd backend needs libsystemd's sd-bus (its headers at build time;
# the library is dlopen'ed only when the backend is used); without it, the
# backend says it is left out.
WITH_SYSTEMD ?= $(shell pkg-config --exists libsystemd 2>/dev/null && echo yes)
ifeq ($(WITH_SYSTEMD),yes)
ALL_CFLAGS += -DCGH_HAVE_SYSTEMD
LIBS       += -ldl
endif

# The build's configuration, in $(BUILD)/config.mk, rewritten only when it
# changes; every object depends on it, so a tree built with other flags or
# before libsystemd-dev was installed is rebuilt by the next `make`.
BUILD_CONFIG := $(BUILD)/config.mk
define BUILD_CONFIG_TEXT
# written by make: a change of these rebuilds every object in $(BUILD)
CC = $(CC)
WITH_SYSTEMD = $(WITH_SYSTEMD)
CFLAGS = $(CFLAGS)
EXTRA_CFLAGS = $(EXTRA_CFLAGS)
EXTRA_LDFLAGS = $(EXTRA_LDFLAGS)
ALL_CFLAGS = $(ALL_CFLAGS)
LIBS = $(LIBS)
endef
$(shell mkdir -p $(BUILD))
$(file >$(BUILD_CONFIG).new,$(BUILD_CONFIG_TEXT))
$(shell cmp -s $(BUILD_CONFIG).new $(BUILD_CONFIG) && rm -f $(BUILD_CONFIG).new || mv -f $(BUILD_CONFIG).new $(BUILD_CONFIG))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MODULE    := $(BUILD)/pam_cgherd.so
CLI       := $(BUILD)/cgherd

all: $(MODULE) $(CLI)

$(BUILD)/obj/%.o: %.c $(HEADERS) $(BUILD_CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcgherd.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(MODULE): $(BUILD)/obj/pam_module/pam_cgherd.o $(BUILD)/libcgherd.a pam_module/pam_cgherd.map
	$(CC) -shared -o $@ $(BUILD)/obj/pam_module/pam_cgherd.o $(BUILD)/libcgherd.a \
		-Wl,--version-script=pam_module/pam_cgherd.map -Wl,-z,defs $(LDHARDEN) $(EXTRA_LDFLAGS) \
		$(LIBS) -lpam

$(CLI): $(BUILD)/obj/cli/cgherd.o $(BUILD)/libcgherd.a
	$(CC) -pie -o $@ $^ $(LDHARDEN) $(EXTRA_LDFLAGS) $(LIBS)

include pkg/pkg.mk
include tests/tests.mk
include tests/vm/vm.mk
include tests/vm-systemd/vm-systemd.mk
include bench/bench.mk
include tests/soak/soak.mk

install: all
	@test -n "$(PAMDIR)" || { echo "no PAM module directory found (set PAMDIR=)"; exit 1; }
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/security
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_cgherd.so
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(CLI) $(DESTDIR)$(SBINDIR)/cgherd
	install -m 0644 man/cgherd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/pam_cgherd.8 man/cgherd.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 config/cgherd-alerts.yml $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/security/cgherd.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/security/cgherd.conf"; \
	else \
		install -m 0644 config/cgherd.conf $(DESTDIR)$(SYSCONFDIR)/security/cgherd.conf; \
	fi
	@if [ -d $(DESTDIR)$(SYSTEMDUNITDIR) ] || [ -n "$(DESTDIR)" ]; then \
		install -d $(DESTDIR)$(SYSTEMDUNITDIR)/session-.scope.d && \
		install -m 0644 config/systemd/50-cgherd-oom.conf \
			$(DESTDIR)$(SYSTEMDUNITDIR)/session-.scope.d/50-cgherd-oom.conf; \
	fi
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(INITDIR)
	sed 's|/usr/local/sbin|$(SBINDIR)|g' config/cgherd-watch.service >$(DESTDIR)$(UNITDIR)/cgherd-watch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/cgherd-watch.service
	sed 's|/usr/local/sbin|$(SBINDIR)|g' config/cgherd-watch.init >$(DESTDIR)$(INITDIR)/cgherd-watch
	chmod 0755 $(DESTDIR)$(INITDIR)/cgherd-watch
	@if [ -d $(DESTDIR)$(PAMCONFDIR) ] || [ -n "$(DESTDIR)" ]; then \
		install -d $(DESTDIR)$(PAMCONFDIR) && \
		install -m 0644 config/pam-configs/cgherd $(DESTDIR)$(PAMCONFDIR)/cgherd; \
	fi

clean:
	rm -rf $(BUILD)

.PHONY: all install clean

# Static analysis: cppcheck and clang-tidy (checks in .clang-tidy), both
# failing on any finding, over every source under lib/ and the two front
# ends; tests/check-layers: no #include against the dependency direction.
LINT_SRC := $(LIB_SRC) pam_module/pam_cgherd.c cli/cgherd.c
LINT_DEFS := -D_GNU_SOURCE $(if $(filter yes,$(WITH_SYSTEMD)),-DCGH_HAVE_SYSTEMD)
lint:
	tests/check-layers
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 $(LINT_DEFS) $(INC_FLAGS) $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- -std=c11 $(LINT_DEFS) $(INC_FLAGS) -DCGHERD_VERSION=\"$(VERSION)\"

.PHONY: lint
