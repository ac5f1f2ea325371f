/* Errors and log sinks shared by the module and the CLI.
 *
 * Library code never prints: a failing call fills a struct cgh_error with one
 * line naming what failed and why, and returns -errno.  Informational lines
 * (a collected dead session, the figures of a closed one) go to a cgh_log sink
 * that the front end provides: pam_syslog in the module, stderr in the CLI. */
#ifndef CGH_LOG_H
#define CGH_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#define CGH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

struct cgh_error {
	int code;		/* errno value of the first failure, 0 if none */
	char msg[768];		/* "what: cause" */
};

/* Records the first failure: formats fmt, appends ": strerror(code)" and
 * returns -code.  Later failures do not overwrite the first. */
int cgh_fail(struct cgh_error *err, int code, const char *fmt, ...) CGH_PRINTF(3, 4);

/* As cgh_fail, without the strerror suffix (the cause is in the message). */
int cgh_fail_msg(struct cgh_error *err, int code, const char *fmt, ...) CGH_PRINTF(3, 4);

void cgh_error_clear(struct cgh_error *err);

typedef void (*cgh_log_fn)(void *arg, int priority, const char *line);

struct cgh_log {
	cgh_log_fn fn;		/* NULL: discard */
	void *arg;
	bool debug;		/* pass LOG_DEBUG lines on */
};

void cgh_logf(const struct cgh_log *log, int priority, const char *fmt, ...) CGH_PRINTF(3, 4);

/* Copies src into dst, replacing control characters and non-ASCII bytes with
 * '?', so that user-supplied text cannot forge log lines. */
void cgh_sanitize(char *dst, size_t len, const char *src);

#endif
