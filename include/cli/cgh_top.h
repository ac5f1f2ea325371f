/* `cgherd top`: a live view of the sessions and users of the trees cgherd
 * herds, sorted by memory, CPU, pressure or tasks (lib/cli/top.c). */
#ifndef CGH_TOP_H
#define CGH_TOP_H

#include <stdbool.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"

struct cgh_top_opts {
	double delay;		/* seconds between frames; 0: 1 */
	long iterations;	/* frames; 0: until q */
	bool batch;		/* plain frames, no keys */
	const char *sort;	/* "memory", "cpu", "pressure", "pids" or its letter; NULL: memory */
	const char *state_dir;	/* the penalties' state; NULL: CGH_STATE_DIR */
};

/* Whether name is a sort key (NULL is: the default). */
bool cgh_top_sort_valid(const char *name);

/* Shows the view on standard output, reading keys from standard input when
 * both are a terminal and not batch, until q, the iterations, SIGINT or
 * SIGTERM.  0, or -errno with err set (-EINVAL: an unknown sort key). */
int cgh_top(const struct cgh_config *cfg, const struct cgh_fs *fs, const struct cgh_top_opts *o,
	    struct cgh_error *err);

#endif
