/* Penalties: the effects.  A tier's limits go on the user directory,
 * base/user-UID through its cgroupfs files, or user.slice/user-UID.slice
 * through systemd's SetUnitProperties; what was there before is read
 * first and put back when the penalty ends.  Shared by `cgherd watch`
 * and `cgherd penalty lift`. */
#ifndef CGH_PENALTY_APPLY_H
#define CGH_PENALTY_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"
#include "cgh_penalty.h"
#include "cgh_penalty_state.h"
#include "cgh_session.h"

struct cgh_penalty_env {
	const struct cgh_fs *fs;
	const char *base;		/* cfg->base: its cgroup.subtree_control */
	const struct cgh_bus *bus;	/* NULL: &cgh_bus_real */
	const struct cgh_log *log;
};

/* What dir holds now, in the slots of enum CGH_BEFORE_*: files (a file the
 * kernel does not show yet holds its default: "max 100000", 100, "max"),
 * or systemd's properties of the slice. */
int cgh_penalty_read_now(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
			 const char *dir, uint64_t *now, struct cgh_error *err);

/* Writes effect into dir: enables the controllers it needs on the root and
 * the base first (fs), or sets the slice's properties (systemd). */
int cgh_penalty_impose(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
		       const char *dir, const struct cgh_limits *effect, struct cgh_error *err);

/* Puts the keys of back from before into dir, and the keys of held (other
 * penalties still running there) as those penalties have them. */
int cgh_penalty_put_back(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
			 const char *dir, unsigned back, const uint64_t *before,
			 const struct cgh_limits *held, struct cgh_error *err);

/* The before slots of the user limits a rule gives (keys it does not set:
 * the kernel's defaults, or systemd's "not set").  Pure. */
void cgh_penalty_before_from_limits(const struct cgh_limits *user, enum cgh_penalty_how how,
				    uint64_t *before);

/* The values recs[i] is to put back: its before, or, from a damaged line,
 * the user limits the rules give uid (looked up by name, no service). */
void cgh_penalty_values_back(const struct cgh_config *cfg, const struct cgh_penalty_record *rec,
			     uint64_t *before);

/* Ends recs[i]: puts the values back (cgh_penalty_release), marks it
 * inactive, logs "penalty end" with why.  The directory being gone (the
 * user logged out) is no error. */
int cgh_penalty_end(const struct cgh_penalty_env *env, const struct cgh_config *cfg,
		    struct cgh_penalty_record *recs, size_t n, size_t i, const char *why,
		    struct cgh_error *err);

/* `cgherd penalty lift`: under the state's lock, ends every active penalty
 * of uid at once and forgets uid's records (its offences are forgiven).
 * Returns how many penalties were running, or -errno. */
int cgh_penalty_lift(const struct cgh_penalty_env *env, const struct cgh_config *cfg,
		     struct cgh_penalty_store *st, unsigned uid, struct cgh_error *err);

#endif
