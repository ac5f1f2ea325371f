/* Helpers shared by the unit tests. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_log.h"

struct log_capture {
	char text[16384];
};

/* A cgh_log sink appending "PRIO line\n" to a log_capture. */
void capture_log(void *arg, int priority, const char *line);

/* A cgh_log sink appending "PRIO line\n" to the file named by arg (a
 * daemon's log, read back by the test from another process). */
void capture_log_file(void *arg, int priority, const char *line);

/* Writes text to a fresh 0644 file in a temp dir; returns its path (static). */
const char *write_temp_config(const char *text);

/* Loads config text (with "%s" replaced by root, if any) or fails the test. */
struct cgh_config *config_from_text(const char *text, const char *root);

/* Loads text as "t.conf" with 8 GiB of memory, or fails the test. */
struct cgh_config *config_text_ok(const char *text);

/* The one error text produces, exactly ("t.conf:LINE: ..."), or fails. */
void config_text_error(const char *text, const char *want);

/* An identity built by hand: name, uid, and a NULL-terminated group list. */
struct cgh_identity *make_identity(const char *name, unsigned uid, const char *const *groups);

/* The one way a test skips (cmocka headers included first): it says why it
 * cannot run on this machine, on a line tests/run-tests looks for, then
 * calls cmocka's skip().  A skip without it fails the run. */
#define skip_because(why)					\
	do {							\
		print_message("# skip: %s\n", (why));		\
		skip();						\
	} while (0)

#endif
