/* The systemd backend: on hosts where logind already put the login into
 * user.slice/user-UID.slice/session-N.scope, the limits are applied to that
 * scope and slice through systemd's D-Bus API (runtime only), so that
 * systemd stays the one writer of its tree. */
#ifndef CGH_SYSTEMD_H
#define CGH_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_limits.h"
#include "cgh_log.h"
#include "cgh_paths.h"

#define CGH_BUS_TIMEOUT_MS 2000
#define CGH_SYSTEMD_OOM_POLICY_VERSION 253	/* OOMPolicy= on scopes everywhere (some 252 builds too) */

struct cgh_logind_scope {
	char scope[CGH_USER_DIR_BUF];	/* "session-4.scope" */
	char slice[48];		/* "user-1000.slice" */
	unsigned uid;
};

/* Parses a cgroup path (with or without the leading '/') of logind's form
 * "user.slice/user-UID.slice/session-ID.scope".  Pure. */
bool cgh_logind_scope_parse(const char *path, struct cgh_logind_scope *out);

/* Where logind puts the user slices, relative to the cgroup root. */
#define CGH_LOGIND_SLICE "user.slice"

/* The uid in the name of a user directory: "user-UID" (cgherd's tree) or
 * "user-UID.slice" (logind's).  Pure. */
bool cgh_user_dir_uid(const char *name, unsigned *uid);

/* One unit property to set: name and value, all of D-Bus type "t". */
struct cgh_unit_property {
	const char *name;
	uint64_t value;
};

#define CGH_MAX_UNIT_PROPERTIES 8

/* The unit properties that stand for the set limits (oom_group aside:
 * systemd has no runtime property for it).  Pure; returns how many. */
size_t cgh_unit_properties(const struct cgh_limits *l, struct cgh_unit_property *out);

/* Whether this build has the systemd backend (libsystemd's sd-bus). */
bool cgh_systemd_available(void);

/* SetUnitProperties(unit, runtime=true, props) on the system bus, waiting
 * at most timeout_ms.  -EOPNOTSUPP without libsystemd. */
int cgh_systemd_set_properties(const char *unit, const struct cgh_unit_property *props,
			       size_t n, unsigned timeout_ms, struct cgh_error *err);

/* One unit's SetUnitProperties: its n properties (none: no call). */
struct cgh_unit_change {
	const char *unit;
	const struct cgh_unit_property *props;
	size_t n;
};

/* The changes c[0..n) in order, over one connection to the system bus (one
 * load of libsystemd, one connection: a login's scope and slice cost one
 * of each, not two), each call waiting at most timeout_ms; stops at the
 * first that fails.  *done: how many were made.  -EOPNOTSUPP without
 * libsystemd. */
int cgh_systemd_set_units(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			  size_t *done, struct cgh_error *err);

/* The D-Bus type "t" properties names[0..n) of unit on interface iface
 * ("org.freedesktop.systemd1.Slice") into values.  -EOPNOTSUPP without
 * libsystemd. */
int cgh_systemd_get_properties(const char *unit, const char *iface, const char *const *names,
			       uint64_t *values, size_t n, unsigned timeout_ms, struct cgh_error *err);

/* systemd's version number (e.g. 252), or -errno. */
int cgh_systemd_version(unsigned timeout_ms, struct cgh_error *err);

#endif
