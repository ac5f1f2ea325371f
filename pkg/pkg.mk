# Packages (pkg/, debian/, rpm/):
#   make package         the Debian package: .deb, .changes, .buildinfo in $(BUILD)/pkg/
#   make check-package   that, then lintian on the .changes and the .deb (no error, no warning)
#   make rpm             rpm/pam_cgherd.spec built with rpmbuild -bb --nodeps into $(BUILD)/rpm/
#   make check-rpm       that, then the rpm's file list checked
PKG_DIR := $(BUILD)/pkg
RPM_DIR := $(BUILD)/rpm

package:
	@pkg/build-deb.sh $(PKG_DIR)

check-package: package
	@pkg/lintian.sh $(PKG_DIR)

rpm:
	@pkg/build-rpm.sh $(RPM_DIR)

check-rpm:
	@pkg/build-rpm.sh --check $(RPM_DIR)

.PHONY: package check-package rpm check-rpm
