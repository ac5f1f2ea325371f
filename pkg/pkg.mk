# Packages (pkg/, debian/, rpm/):
#   make package         the Debian package libpam-cgherd: .deb, .changes and
#                        .buildinfo in $(BUILD)/pkg/ (built from a copy of the tree)
#   make check-package   that, then lintian on the .changes and the .deb:
#                        no error, no warning; what --pedantic -I adds is shown
#   make rpm             rpm/pam_cgherd.spec built with rpmbuild -bb --nodeps in $(BUILD)/rpm/
#   make check-rpm       that, then the rpm's file list checked
PKG_DIR   := $(BUILD)/pkg
PKG_STAMP := $(PKG_DIR)/.built
RPM_DIR   := $(BUILD)/rpm
# what pkg/build-deb.sh copies: the files git knows of (tracked, or untracked
# and not ignored)
PKG_SRC   := $(wildcard $(shell git ls-files --cached --others --exclude-standard 2>/dev/null))

$(PKG_STAMP): $(PKG_SRC)
	@pkg/build-deb.sh $(PKG_DIR)
	@touch $@

package: $(PKG_STAMP)
	@ls $(PKG_DIR)/libpam-cgherd_*.deb $(PKG_DIR)/libpam-cgherd_*.changes

check-package: $(PKG_STAMP)
	@ls $(PKG_DIR)/libpam-cgherd_*.deb $(PKG_DIR)/libpam-cgherd_*.changes
	@pkg/lintian.sh $(PKG_DIR)

rpm:
	@pkg/build-rpm.sh $(RPM_DIR)

check-rpm:
	@pkg/build-rpm.sh --check $(RPM_DIR)

.PHONY: package check-package rpm check-rpm
