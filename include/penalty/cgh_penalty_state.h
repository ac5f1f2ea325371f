/* The penalties' state: one small root-owned file, STATE_DIR/penalties
 * (default /var/lib/cgherd, directory 0700), so that a penalty survives a
 * restart of `cgherd watch` and `cgherd penalty` can list and lift them.
 *
 * Text, one record a line, between a header and an "end N" line:
 *
 *   cgherd-penalties 1
 *   UID HOW ACTIVE TIER START UNTIL KEYS B0 B1 B2 B3 DIR NAME
 *   end N
 *
 * HOW is f (cgroupfs) or s (systemd); START and UNTIL are seconds of
 * CLOCK_REALTIME; KEYS the bits of the tier's limits; B0-B3 the values
 * before (cgh_penalty.h).  Every writer holds STATE_DIR/penalties.lock
 * (flock, exclusive) from its read to its rename. */
#ifndef CGH_PENALTY_STATE_H
#define CGH_PENALTY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_log.h"
#include "cgh_penalty.h"

#define CGH_STATE_DIR "/var/lib/cgherd"
#define CGH_PENALTY_STATE_FILE "penalties"
#define CGH_PENALTY_LOCK_FILE "penalties.lock"
#define CGH_PENALTY_STATE_MAX_SIZE (1u << 20)
#define CGH_PENALTY_RECORDS_MAX 8192u
#define CGH_PENALTY_LOCK_MS 2000u

/* ---- the format (pure) ------------------------------------------------------ */

/* Parses text into *recs (malloc'ed, *n of them).  A line that does not
 * hold a valid record is not dropped silently: when its uid and directory
 * can still be read it becomes a record with before_lost set (its penalty
 * is to be lifted with the rule's values), and each such line counts in
 * *damaged.  A bad header or a missing "end N" line counts too (the lines
 * are still read).  Returns 0 or -ENOMEM. */
int cgh_penalty_state_parse(const char *text, struct cgh_penalty_record **recs, size_t *n,
			    size_t *damaged);

/* The text of n records, malloc'ed into *out.  0 or -ENOMEM / -E2BIG. */
int cgh_penalty_state_format(const struct cgh_penalty_record *recs, size_t n, char **out);

/* Whether dir is what a record of uid may name: base/user-UID (fs) or
 * user.slice/user-UID.slice (systemd). */
bool cgh_penalty_dir_ok(const char *dir, unsigned uid, enum cgh_penalty_how how);

/* ---- the file ---------------------------------------------------------------- */

struct cgh_penalty_store {
	int dirfd;
	int lockfd;
	char dir[256];
};

/* Opens dir (NULL: CGH_STATE_DIR) safely: without following a symbolic
 * link, a directory owned by the euid with no access for group or others.
 * create: make it first (mode 0700) when it is missing; its parent must
 * exist.  0 or -errno with err set. */
int cgh_penalty_store_open(struct cgh_penalty_store *st, const char *dir, bool create,
			   struct cgh_error *err);
void cgh_penalty_store_close(struct cgh_penalty_store *st);

/* The exclusive lock every writer holds, waiting at most timeout_ms;
 * -EWOULDBLOCK when another holds it that long. */
int cgh_penalty_store_lock(struct cgh_penalty_store *st, unsigned timeout_ms,
			   struct cgh_error *err);
void cgh_penalty_store_unlock(struct cgh_penalty_store *st);

/* Reads the records (see cgh_penalty_state_parse).  -ENOENT when there is
 * no file; a file that fails the checks (not a regular file, not the
 * euid's, accessible to group or others, more than one link, larger than
 * CGH_PENALTY_STATE_MAX_SIZE) is refused with -EPERM or -EFBIG and err
 * set: then nothing in it can be trusted. */
int cgh_penalty_store_read(const struct cgh_penalty_store *st, struct cgh_penalty_record **recs,
			   size_t *n, size_t *damaged, struct cgh_error *err);

/* Writes the records to a temporary file (0600) in the directory, fsyncs
 * it and renames it over the state file. */
int cgh_penalty_store_write(const struct cgh_penalty_store *st,
			    const struct cgh_penalty_record *recs, size_t n, struct cgh_error *err);

/* Identity of the state file as it is now (device, inode, size, mtime):
 * equal stamps, unchanged file.  0 when there is none. */
uint64_t cgh_penalty_store_stamp(const struct cgh_penalty_store *st);

#endif
