/* The live sessions and users as the kernel shows them: one sample per
 * session cgroup and per user cgroup, in the trees cgherd herds (its own
 * <base>, and logind's user.slice unless backend = "cgroupfs").  Read by
 * `cgherd status --format`, `cgherd top` and `cgherd watch`'s metrics file. */
#ifndef CGH_SAMPLE_H
#define CGH_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"

/* A tree of session cgroups: <dir>/user-UID[.slice]/session-N[.scope]. */
struct cgh_tree {
	char dir[72];		/* relative to the root */
	bool owned;		/* cgherd's own (backend "cgroupfs"), else logind's */
};

#define CGH_TREES_MAX 2

/* The trees cfg herds: cgherd's base, then user.slice unless the backend is
 * cgroupfs.  Returns how many. */
size_t cgh_trees_of(const struct cgh_config *cfg, struct cgh_tree *out);

enum cgh_psi_resource { CGH_PSI_CPU, CGH_PSI_MEMORY, CGH_PSI_IO, CGH_N_PSI };

enum cgh_memory_event {
	CGH_EV_LOW, CGH_EV_HIGH, CGH_EV_MAX, CGH_EV_OOM, CGH_EV_OOM_KILL, CGH_EV_OOM_GROUP_KILL,
	CGH_N_EVENTS
};

extern const char *const cgh_psi_names[CGH_N_PSI];		/* "cpu", "memory", "io" */
extern const char *const cgh_event_names[CGH_N_EVENTS];	/* memory.events keys */

/* Every figure CGH_UNKNOWN when the kernel does not give it; limits
 * CGH_UNLIMITED for "max". */
struct cgh_figures {
	uint64_t memory_current, memory_peak, memory_max, memory_high;
	uint64_t swap_current, swap_max;
	uint64_t anon, file;				/* memory.stat */
	uint64_t cpu_usage_usec, cpu_throttled_usec, cpu_nr_throttled;	/* cpu.stat */
	uint64_t cpu_quota, cpu_period;			/* cpu.max, µs */
	uint64_t pids_current, pids_max;
	uint64_t events[CGH_N_EVENTS];			/* memory.events */
	uint64_t psi_some_usec[CGH_N_PSI], psi_full_usec[CGH_N_PSI];	/* total= */
};

enum cgh_sample_kind { CGH_SAMPLE_SESSION, CGH_SAMPLE_USER };

struct cgh_sample {
	enum cgh_sample_kind kind;
	bool owned;		/* backend label: "cgroupfs" (cgherd's tree) or "systemd" */
	unsigned uid;
	char user[64];		/* sanitized name, or the uid */
	char rule[72];		/* the leaf's recorded rule; "" when none is recorded */
	char name[64];		/* session-N, session-N.scope, user-UID, user-UID.slice */
	char path[160];		/* relative to the root */
	struct cgh_figures f;
};

/* A penalty running on a user's aggregate (the state of cgh_penalty_state.h). */
struct cgh_penalty_series {
	unsigned uid;
	char user[64];		/* sanitized name, or the uid */
	char penalty[72];
	unsigned tier;		/* 1-based */
	uint64_t until;		/* s since the epoch */
};

struct cgh_samples {
	struct cgh_sample *v;
	size_t n, cap;
	struct cgh_penalty_series *pen;	/* cgh_samples_add_penalties */
	size_t n_pen, cap_pen;
};

/* The figures of one cgroup dir (best effort). */
void cgh_figures_read(const struct cgh_fs *fs, const char *dir, struct cgh_figures *f);

/* The "total=" of the some and full lines of a PSI file's text; CGH_UNKNOWN
 * for a line it lacks.  Pure. */
void cgh_psi_totals(const char *text, uint64_t *some, uint64_t *full);

/* Appends a sample per live (populated) session and per user with one,
 * of every tree in trees.  A tree that does not exist is empty.  Returns the
 * number of sessions, or -errno with err set (-ENOMEM). */
int cgh_samples_collect(const struct cgh_fs *fs, const struct cgh_tree *trees, size_t n_trees,
			struct cgh_samples *out, struct cgh_error *err);

struct cgh_penalty_record;

/* Appends a series per active record of recs (the penalties' state, as
 * watch knows it or the file says).  0 or -ENOMEM. */
int cgh_samples_add_penalties(struct cgh_samples *s, const struct cgh_penalty_record *recs,
			      size_t n);

void cgh_samples_free(struct cgh_samples *s);

#endif
