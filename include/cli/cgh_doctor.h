/* `cgherd doctor`: the host as the module will find it, one line per check
 * ("ok", "warn" or "fail", with what to do), read only (lib/cli/doctor*.c). */
#ifndef CGH_DOCTOR_H
#define CGH_DOCTOR_H

#include <stdio.h>

#include "cgh_cgroupfs.h"

struct cgh_doctor_opts {
	const char *conf;		/* NULL: CGH_DEFAULT_CONF */
	const char *root;		/* the host's files under it; NULL: / */
	const struct cgh_sys *sys;	/* for cgroup_root */
	FILE *out;
};

/* Runs every check.  0: all ok, 1: a warning, 2: a failure. */
int cgh_doctor(const struct cgh_doctor_opts *o);

#endif
