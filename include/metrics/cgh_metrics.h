/* Metrics for Prometheus: the samples of cgh_sample.h, and the counters
 * `cgherd watch` keeps per rule so that a session's kills still count once
 * its cgroup is gone, rendered by one renderer in the Prometheus text format
 * (what node_exporter's textfile collector reads) or in OpenMetrics. */
#ifndef CGH_METRICS_H
#define CGH_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cgh_log.h"
#include "cgh_sample.h"

enum cgh_metrics_format {
	CGH_METRICS_PROMETHEUS,		/* text format 0.0.4 */
	CGH_METRICS_OPENMETRICS,	/* OpenMetrics 1.0: counter families without _total, UNIT, # EOF */
};

/* What watch counts per rule, over the sessions it saw. */
enum cgh_kept_counter {
	CGH_KEPT_OOM_KILLS,		/* memory.events oom_kill increases */
	CGH_KEPT_GROUP_KILLS,		/* memory.events oom_group_kill increases */
	CGH_KEPT_PRESSURE_KILLS,	/* sessions the pressure guard killed */
	CGH_KEPT_RECLAIMS,		/* writes to memory.reclaim */
	CGH_N_KEPT
};

/* The metric of each: "cgherd_rule_oom_kills_total", ... */
extern const char *const cgh_kept_names[CGH_N_KEPT];

struct cgh_rule_count {
	char rule[72];		/* "" for sessions without a recorded rule */
	uint64_t n[CGH_N_KEPT];
};

struct cgh_kept {
	struct cgh_rule_count *v;
	size_t n, cap;
};

/* Adds n to rule's counter c.  0 or -ENOMEM. */
int cgh_kept_add(struct cgh_kept *k, const char *rule, enum cgh_kept_counter c, uint64_t n);
void cgh_kept_free(struct cgh_kept *k);

/* Takes the cgherd_rule_* counters from the text of a metrics file written
 * earlier (either format), so they go on across a restart of watch.
 * Returns how many values were taken, or -ENOMEM.  Pure. */
int cgh_kept_load(struct cgh_kept *k, const char *text);

/* Writes value into buf as a label value: \ " and newline escaped. */
void cgh_metrics_escape(const char *value, char *buf, size_t len);

/* Every family with HELP and TYPE, a series per sample; kept may be NULL
 * (no rule counters: `cgherd status`). */
void cgh_metrics_render(FILE *out, const struct cgh_samples *s, const struct cgh_kept *kept,
			enum cgh_metrics_format format);

/* The same into path, atomically: a temporary file in its directory, then
 * rename(2).  Text format (the textfile collector reads no other).  0 or
 * -errno with err set. */
int cgh_metrics_write_file(const char *path, const struct cgh_samples *s,
			   const struct cgh_kept *kept, struct cgh_error *err);

#endif
