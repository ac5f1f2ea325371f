/* A notice prepared by one process and written later by another that may
 * not malloc, use stdio or take a lock of the host's: the reaper (see
 * cgh_reaper.h), which learns only after the opener has exited whether it
 * killed leftovers at close.  The host opens the store and encodes the
 * record without the words only the writer knows (when, killed); the
 * writer appends them, opens the store (by its path, checked as
 * cgh_notice_store_open checks it: it holds no descriptor of it until it
 * writes) and adds the line to the user's file with system calls only
 * (lib/notice/notice_pending.c). */
#ifndef CGH_NOTICE_PENDING_H
#define CGH_NOTICE_PENDING_H

#include <stdint.h>

#define CGH_NOTICE_PENDING_LINE 2048	/* CGH_NOTICE_RECORD_MAX */
#define CGH_NOTICE_PENDING_SAY 1024	/* CGH_NOTICE_LINE_MAX */
#define CGH_NOTICE_PENDING_TTYS 16	/* CGH_TERMINALS_MAX */

struct cgh_notice_pending {
	char dir[128];		/* the store, made by the host; "": nothing to write */
	char file[32];		/* "user-UID" */
	char line[CGH_NOTICE_PENDING_LINE];	/* the record without when=, killed=, '\n' */
	/* notices.tty: the line for the terminals of the user's other live
	 * sessions, as they were at close (each checked again as written) */
	char dev[32];		/* CGH_NOTICE_DEV */
	unsigned uid;
	unsigned n_ttys;	/* 0: no terminal to write to */
	struct {
		char name[64];
		uint64_t rdev;
	} ttys[CGH_NOTICE_PENDING_TTYS];
	char say_one[CGH_NOTICE_PENDING_SAY];	/* the line when one process was killed */
	char say_pre[CGH_NOTICE_PENDING_SAY];	/* ... when N were: say_pre N say_post */
	char say_post[CGH_NOTICE_PENDING_SAY];
};

/* Appends " when=WHEN killed=KILLED\n" to p's line and adds it to the
 * user's file as cgh_notice_add does (under the store's flock, the newest
 * CGH_NOTICE_KEEP records within CGH_NOTICE_FILE_MAX, a temp file renamed
 * over it; a file that cgh_notice_read would refuse is replaced); then,
 * killed > 0, writes the line to the terminals p names, as
 * cgh_notice_tty_write does.  System calls only: safe after a clone of a
 * multithreaded process.  0, or -errno of the record (-ENOSPC: the line too
 * long); the terminals are best effort. */
int cgh_notice_pending_write(const struct cgh_notice_pending *p, uint64_t when, uint64_t killed);

#endif
