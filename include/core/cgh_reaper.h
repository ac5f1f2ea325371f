/* The reaper: the end of a session's leaf, done by a short-lived process
 * made at close directly in the opener's original cgroup (clone3 with
 * CLONE_INTO_CGROUP), so that close does not move the opener back (a write
 * to cgroup.procs, which waits for an RCU grace period on a plain cgroup2
 * mount).  The reaper waits on a pidfd of the opener; once the opener has
 * exited it kills what is left (kill_on_close), waits for populated 0,
 * removes the leaf and, for the user's last session, the user directory,
 * under the same locks as close.  When it killed something, it records the
 * notice close prepared (kill_notice).  It logs only what goes wrong, to
 * syslog.
 *
 * Everything the reaper does after the clone is prepared before it (paths,
 * descriptors), and it calls nothing but system calls: no malloc, no
 * stdio, no locks, so that a multithreaded host cannot deadlock it. */
#ifndef CGH_REAPER_H
#define CGH_REAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_notice_pending.h"

#define CGH_REAPER_LINGER_MS 3000	/* an opener alive this long after close is moved out */
#define CGH_REAPER_NAME "cgherd-reaper"

/* What the reaper did with the leaf. */
enum cgh_reaper_outcome {
	CGH_REAPED_REMOVED,	/* leaf removed */
	CGH_REAPED_KEPT,	/* processes left (kill_on_close false): left to collection */
	CGH_REAPED_GONE,	/* collected meanwhile */
	CGH_REAPED_FAILED,	/* something went wrong: see why */
};

struct cgh_reaper {
	const struct cgh_sys *sys;
	int rootfd;		/* the cgroup root */
	int pidfd;		/* the opener's pidfd; -1 in tests (see opener_gone) */
	int leaffd;		/* the leaf's directory, opened before the clone: a leaf
				 * of the same name made since (a reused pid) is not
				 * ours to kill or remove; -1: not checked */
	pid_t opener;
	bool kill_on_close;
	unsigned linger_ms;
	/* The notice of a kill of leftovers, prepared by close (dirfd -1:
	 * none), written once the kill has emptied the leaf. */
	struct cgh_notice_pending kill_notice;
	/* The waits of close, set by the caller: for populated 0 after the
	 * kill, for the shared lock on base, for the exclusive one. */
	unsigned wait_ms, lock_ms, user_lock_ms;
	/* Whether the opener has exited within ms: 1 yes, 0 no, -errno.  NULL:
	 * poll on pidfd. */
	int (*opener_gone)(const struct cgh_reaper *rp, unsigned ms);
	/* Paths relative to rootfd. */
	char root[256];		/* for messages */
	char leaf[160], base[72], user_dir[96], origin[512];
	char leaf_procs[176], leaf_events[176], leaf_kill[176], origin_procs[528];
	char who[160];		/* "user=U uid=N", for messages */
	bool moved_out;		/* the opener lingered and was moved out */
	unsigned long killed;	/* processes killed at close, those that were
				 * not ending by themselves (see ending()) */
	char why[512];		/* what went wrong (CGH_REAPED_FAILED), else "" */
};

/* Fills rp for the leaf (linger_ms: CGH_REAPER_LINGER_MS; the waits 0; no
 * kill_notice);
 * fs stays open for as long as rp is used. */
void cgh_reaper_prepare(struct cgh_reaper *rp, const struct cgh_fs *fs, const char *leaf,
			const char *base, const char *user_dir, const char *origin, pid_t opener,
			bool kill_on_close, const char *who);

/* The reaper's work, in the calling process: wait for the opener, kill,
 * wait, remove.  Safe after a clone of a multithreaded process. */
enum cgh_reaper_outcome cgh_reaper_run(struct cgh_reaper *rp);

/* Starts the reaper for rp in the cgroup origin (relative to fs's root):
 * 0 once it runs (the host has no child left of it), else -errno and
 * nothing started: -ENOSYS/-EINVAL without clone3 into a cgroup or pidfds,
 * -EBUSY/-ENOENT/-EAGAIN when origin cannot take a process, -ECHILD when
 * the calling process is a child subreaper (the reaper would be its
 * child).  What failed is in err. */
int cgh_reaper_start(struct cgh_reaper *rp, const struct cgh_fs *fs, struct cgh_error *err);

/* The real start, for struct cgh_sys: clone3 into the cgroup originfd. */
int cgh_reaper_spawn(struct cgh_reaper *rp, int originfd);

#endif
