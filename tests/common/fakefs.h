/* An emulated cgroupfs on a temporary directory, for unit and PAM tests.
 * mkdir creates the control files the kernel would, rmdir refuses populated
 * cgroups and cgroups with children, opening cgroup.procs for writing moves
 * "the" process there, cgroup.kill empties the cgroup.  Every call is
 * recorded, and any call can be made to fail. */
#ifndef FAKEFS_H
#define FAKEFS_H

#include <limits.h>

#include "cgh_cgroupfs.h"

#define FAKE_LOG_MAX 512

struct fake_state {
	char log[FAKE_LOG_MAX][160];	/* "mkdir P", "rmdir P", "write P", "read P" */
	int n_log;
	char fail_op[16];		/* "mkdir", "rmdir", "write", "read", "magic", "setxattr" */
	char fail_path[160];		/* substring of the path; "" matches all */
	int fail_errno;
	int fail_count;			/* failures left to inject; -1 forever */
	long magic;
	struct { int pid; char dir[160]; } procs[32];	/* where moved pids are */
	int n_procs;
	struct { int pid; unsigned long long rss; char comm[16]; } mem[8];	/* proc_rss answers */
	int n_mem;
	struct { int pid; unsigned long long tty_nr; } ttys[8];	/* proc_tty answers */
	int n_ttys;
	int login_shells[8];		/* pids that proc_login_shell calls one */
	int n_login_shells;
};

extern struct fake_state fake;

const struct cgh_sys *cgh_test_sys(void);

/* The fake module's config cache directory: $CGHERD_TEST_CACHE_DIR, or
 * NULL (no cache) when it is not set. */
const char *cgh_test_cache_dir(void);

/* The fake module's notice store: $CGHERD_TEST_NOTICE_DIR, or a path that
 * cannot be made (never the machine's /var/lib/cgherd). */
const char *cgh_test_notice_dir(void);

void fake_reset(void);
void fake_fail(const char *op, const char *path, int err, int count);

/* Makes a temporary root with the root cgroup's files in *out. */
int fake_make_root(char *out, size_t len, const char *controllers);
void fake_remove_root(const char *root);

/* The cgroup pid was last moved to, as /proc/PID/cgroup says ("/" at first). */
const char *fake_where(int pid);

/* Index of the first log entry equal to entry, or -1. */
int fake_logged(const char *entry);

/* Extended attributes live in a file ".xattr-NAME" inside the directory. */

/* Writes text into root/rel (a control file), for a test to set state. */
int fake_put(const char *root, const char *rel, const char *text);
/* Reads root/rel into buf, without its trailing newline. */
int fake_get(const char *root, const char *rel, char *buf, size_t len);

#endif
