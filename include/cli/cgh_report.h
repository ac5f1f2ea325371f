/* What `cgherd explain` and `cgherd status` print, written to a stream so
 * that tests read it back from memory. */
#ifndef CGH_REPORT_H
#define CGH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_match.h"

/* The rule, the leaf and every value that would be written. */
void cgh_report_explain(FILE *out, const struct cgh_config *cfg, const struct cgh_identity *id,
			const char *service, const struct cgh_decision *d);

struct cgh_penalty_record;

/* The penalties' records, for status (NULL: none read). */
struct cgh_status_penalties {
	const struct cgh_config *cfg;
	const struct cgh_penalty_record *recs;
	size_t n;
};

/* One line (or JSON object) per live session leaf under base, and with
 * systemd also per logind session scope; a JSON object lists the running
 * penalties of its user ("penalties").  Returns the number of sessions,
 * or -errno with err set. */
int cgh_report_status(FILE *out, const struct cgh_fs *fs, const char *base, bool systemd,
		      bool json, time_t now, const struct cgh_status_penalties *pen,
		      struct cgh_error *err);

/* Penalties: one line (or JSON object) per record of the state file;
 * the penalties section of explain, with whether id is exempt. */
void cgh_report_penalty_list(FILE *out, const struct cgh_config *cfg,
			     const struct cgh_penalty_record *recs, size_t n, uint64_t now, bool json);
void cgh_report_penalty_json(FILE *out, const struct cgh_config *cfg,
			     const struct cgh_penalty_record *r, uint64_t now);
void cgh_report_explain_penalties(FILE *out, const struct cgh_config *cfg,
				  const struct cgh_identity *id);

#endif
