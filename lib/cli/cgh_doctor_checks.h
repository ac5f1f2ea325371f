/* cgherd doctor: the state the checks share.  Internal to lib/cli/doctor*.c. */
#ifndef CGH_DOCTOR_CHECKS_H
#define CGH_DOCTOR_CHECKS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_doctor.h"

enum verdict { V_OK, V_WARN, V_FAIL };

struct doctor {
	const struct cgh_doctor_opts *o;
	const char *root;		/* the host's files are under it ("" for /) */
	struct cgh_config *cfg;		/* the file's, or the defaults when it is invalid */
	struct cgh_fs fs;		/* cgroup_root, rootfd -1 when not a cgroup2 mount */
	bool systemd;			/* /run/systemd/system is there */
	int counts[3];
};

/* Prints "ok   ", "warn " or "fail " and the line; counts it. */
void say(struct doctor *d, enum verdict v, const char *fmt, ...) CGH_PRINTF(3, 4);

/* The host's absolute path abs, under d->root. */
void host_path(const struct doctor *d, const char *abs, char *buf, size_t len);

/* Reads the host's file abs into buf (NUL-terminated): its length, or -errno. */
int host_read(const struct doctor *d, const char *abs, char *buf, size_t len);

void check_pam(struct doctor *d);		/* doctor_pam.c */
void check_systemd(struct doctor *d);		/* doctor_host.c */
void check_nss(struct doctor *d);
void check_cache_dir(struct doctor *d);
void check_watch(struct doctor *d);

#endif
