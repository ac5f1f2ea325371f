/* The module's loader: the config that applies to one user, in one call
 * (lib/cache/config_for_user.c).  The file is opened and checked; its
 * settings come from the config cache when the cache was made from that
 * very file, else from a parse (and the cache is written); the module
 * arguments are applied; the user is looked up as far as the rules ask;
 * and the config comes back ready: its rules are those that can match the
 * user, in file order, so that cgh_decide decides as on the whole file.  A
 * cache found damaged on the way is removed and the file parsed (and
 * cached) anew, with a warning to the log. */
#ifndef CGH_CONFIG_FOR_USER_H
#define CGH_CONFIG_FOR_USER_H

#include <stdint.h>

#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_log.h"

#define CGH_CACHE_DIR "/run/cgherd"	/* the module's */

struct cgh_load_args {
	const char *path;	/* NULL: conf= among argv, else CGH_DEFAULT_CONF */
	int argc;
	const char **argv;	/* the module arguments */
	uint64_t phys_mem;	/* what "N%" means; 0: this machine's memory */
	const char *cache_dir;	/* NULL: no cache (parsed every time) */
	const struct cgh_log *log;	/* cache notes (LOG_DEBUG), the repair (LOG_WARNING) */
};

/* Returns 0 with *cfg and *id.  When the configuration cannot be loaded:
 * -errno, *cfg NULL, every problem in diag.  When the user cannot be
 * looked up or the rules not read: -errno with err set, *cfg still given
 * (for its on_error), *id NULL. */
int cgh_config_for_user(const struct cgh_load_args *a, const char *user,
			struct cgh_config **cfg, struct cgh_identity **id,
			struct cgh_diag *diag, struct cgh_error *err);

#endif
