/* What `cgherd explain` and `cgherd status` print, written to a stream so
 * that tests read it back from memory. */
#ifndef CGH_REPORT_H
#define CGH_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_match.h"

/* The rule, the leaf and every value that would be written. */
void cgh_report_explain(FILE *out, const struct cgh_config *cfg, const struct cgh_identity *id,
			const char *service, const struct cgh_decision *d);

/* One line (or JSON object) per live session leaf under base, and with
 * systemd also per logind session scope.  Returns the number of sessions,
 * or -errno with err set. */
int cgh_report_status(FILE *out, const struct cgh_fs *fs, const char *base, bool systemd,
		      bool json, time_t now, struct cgh_error *err);

#endif
