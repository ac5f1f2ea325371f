/* Internal to lib/watch*.c: the daemon's state and the calls between its
 * files (tree, oom, reclaim, loop).  Everything hangs off one struct
 * cgh_watcher; nothing is global. */
#ifndef CGH_WATCH_STATE_H
#define CGH_WATCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"
#include "cgh_watch.h"

#define WATCH_GC_RETRY_MS 150u	/* a login holds the base lock: try again */
#define WATCH_GC_TRIES 40u
#define WATCH_CHILDREN_MAX 16u	/* on_oom commands running at once */
#define WATCH_PSI_TICK_MS 1000u
#define WATCH_OOM_SETTLE_MS 100u	/* a group kill counts one oom_kill per task: one notice */

struct watch_leaf {
	char path[160];		/* base/user-UID/session-N, relative to the root */
	unsigned uid;
	int wd_events, wd_mem;	/* cgroup.events, memory.events */
	int psi_fd;		/* memory.pressure trigger, -1: none */
	uint64_t oom_kill, oom_group_kill;	/* counts already reported */
	uint64_t last_reclaim;	/* monotonic ms, 0: never */
	uint64_t stall_since, last_stall;	/* monotonic ms, 0: not stalling */
	bool dead;		/* cgroup.events said populated 0 */
	bool oom_pending;	/* memory.events changed: check at w->oom_due */
	bool seen;		/* for tree_sync */
	unsigned gc_tries;
};

#define WATCH_VICTIMS 8

/* An OOM victim the kernel logged. */
struct watch_victim {
	char memcg[160];	/* oom_memcg, "/cgherd/user-UID/session-N" */
	char comm[32];
	pid_t pid;
	uint64_t rss;		/* bytes, from "Killed process"; 0: not seen */
};

struct watch_user {
	char path[96];		/* base/user-UID */
	int wd;
	bool seen;
};

struct cgh_watcher {
	const struct cgh_watch_opts *opts;
	struct cgh_config *cfg;
	struct cgh_fs fs;
	const struct cgh_log *log;
	int ifd, sfd;
	int wd_root, wd_base;
	struct watch_leaf *leaves;
	size_t n_leaves, cap_leaves;
	struct watch_user *users;
	size_t n_users, cap_users;
	uint64_t gc_due;	/* monotonic ms, 0: none */
	uint64_t oom_due;	/* monotonic ms, 0: none */
	uint64_t scan_due;	/* next reclaim scan, ms */
	unsigned children;
	int kmsg_fd;
	struct watch_victim victims[WATCH_VICTIMS];
	size_t next_victim;
	bool no_swappiness;	/* memory.reclaim refused "swappiness=" (Linux < 6.2?) */
	bool psi_failed_logged;
	bool stop;
};

uint64_t watch_now_ms(void);

/* watch_tree.c */
int watch_tree_sync(struct cgh_watcher *w, bool fresh);
void watch_tree_clear(struct cgh_watcher *w);
void watch_tree_event(struct cgh_watcher *w, int wd, uint32_t mask, const char *name);
struct watch_leaf *watch_leaf_by_wd(struct cgh_watcher *w, int wd);
void watch_abs_path(const struct cgh_watcher *w, const char *rel, char *buf, size_t len);

/* watch_oom.c */
void watch_oom_check(struct cgh_watcher *w, struct watch_leaf *leaf);
void watch_oom_baseline(struct cgh_watcher *w, struct watch_leaf *leaf);
void watch_reap(struct cgh_watcher *w);
void watch_gc(struct cgh_watcher *w);

/* watch_kmsg.c */
void watch_kmsg_open(struct cgh_watcher *w);
void watch_kmsg_drain(struct cgh_watcher *w);
const struct watch_victim *watch_kmsg_victim(struct cgh_watcher *w, const char *leaf);

/* watch_reclaim.c */
void watch_reclaim_scan(struct cgh_watcher *w, uint64_t now_ms);
void watch_psi_arm(struct cgh_watcher *w, struct watch_leaf *leaf);
void watch_psi_disarm(struct watch_leaf *leaf);
void watch_psi_event(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now_ms);
void watch_psi_tick(struct cgh_watcher *w, uint64_t now_ms);

#endif
