/* Private to lib/watch/: the daemon's state and the calls between its
 * files (tree, oom, reclaim, loop).  Everything hangs off one struct
 * cgh_watcher, in one part per concern; nothing is global. */
#ifndef CGH_WATCH_STATE_H
#define CGH_WATCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"
#include "cgh_metrics.h"
#include "cgh_notice.h"
#include "cgh_penalty.h"
#include "cgh_watch.h"

#define WATCH_GC_RETRY_MS 150u	/* a login holds the base lock: try again */
#define WATCH_GC_TRIES 40u
#define WATCH_CHILDREN_MAX 16u	/* on_oom commands running at once */
#define WATCH_PSI_TICK_MS 1000u
#define WATCH_OOM_SETTLE_MS 100u	/* a group kill counts one oom_kill per task: one notice */
#define WATCH_OOM_GROUP_WAIT_MS 1000u	/* ... once the leaf empties, or after this */
#define WATCH_ORPHAN_TICK_MS 5000u	/* a look at the openers of live leaves (kill(2) each);
					 * gone at two looks: its reaper did not act */
#define WATCH_SHOWN_TICK_MS 1000u	/* a look at a new leaf for notices its login showed: */
#define WATCH_SHOWN_MARK_MS 5000u	/* its mark, for this long after it is first seen */
#define WATCH_SHOWN_LOOK_MS 30000u	/* then a login shell, for this long */

/* A tree of session cgroups: cgherd's own <base>/user-UID/session-N, and,
 * unless backend = "cgroupfs", logind's user.slice/user-UID.slice/
 * session-N.scope.  cgherd owns the first and collects its dead leaves;
 * the second is systemd's: its scopes are never removed nor given limits
 * here (reclaim and the pressure guard's kill act on them as on a leaf). */
struct watch_tree {
	char dir[CGH_BASE_BUF];		/* relative to the root */
	const char *user_prefix;	/* of the user directories in dir */
	const char *leaf_prefix;	/* of the session directories in those */
	bool owned;			/* made by cgherd */
	int wd;
};

#define WATCH_TREES CGH_TREES_MAX

/* memory.events and the leaf's memory figures, as read at one time. */
struct watch_oom_figures {
	uint64_t kill, group_kill;
	uint64_t memory_max, memory_peak;	/* CGH_UNKNOWN when not read */
};

struct watch_leaf {
	char path[CGH_LEAF_BUF];	/* relative to the root: base/user-UID/session-N or
				 * user.slice/user-UID.slice/session-N.scope */
	unsigned uid;
	bool owned;		/* in a tree cgherd owns */
	int wd_events, wd_mem;	/* cgroup.events, memory.events */
	int psi_fd;		/* memory.pressure trigger, -1: none */
	uint64_t oom_kill, oom_group_kill;	/* counts already reported */
	struct watch_oom_figures held;	/* not owned: read as the OOM was seen */
	bool held_valid;
	struct cgh_login held_login;	/* not owned: the login the module recorded on it, */
	bool login_held;		/* read at the first chance (hold_login) */
	uint64_t last_reclaim;	/* monotonic ms, 0: never */
	uint64_t stall_since, last_stall;	/* monotonic ms, 0: not stalling */
	bool dead;		/* cgroup.events said populated 0 */
	bool oom_pending;	/* memory.events changed: check at w->oom_due */
	uint64_t group_wait_since;	/* monotonic ms: a group kill waits for the leaf to empty */
	bool seen;		/* for tree_sync */
	unsigned gc_tries;
	pid_t opener;		/* from the leaf's name; 0: unknown, or ended */
	uint64_t orphan_since;	/* monotonic ms the opener was first seen gone, 0: alive */
	uint64_t shown_since;	/* monotonic ms it was first seen, for watch_shown.c */
	uint64_t shown_until;	/* monotonic ms: look for notices shown at its login
				 * until then; 0: settled, or not looked for */
};

#define WATCH_VICTIMS 8

/* An OOM victim the kernel logged. */
struct watch_victim {
	char memcg[CGH_LEAF_BUF];	/* oom_memcg, "/cgherd/user-UID/session-N", or a scope */
	char comm[32];
	pid_t pid;
	uint64_t rss;		/* bytes, from "Killed process"; 0: not seen */
};

struct watch_user {
	char path[CGH_USER_DIR_BUF];	/* base/user-UID, user.slice/user-UID.slice */
	unsigned uid;
	const struct watch_tree *tree;
	int wd;
	bool seen;
	struct cgh_usage_ring usage;	/* penalties: samples of cpu.stat and memory.current */
	int pen_fd[2];			/* penalties: cpu.stat, memory.current kept open
					 * for pread; 0: not open (fd 0 is never ours) */
	uint32_t exempt_known, exempt;	/* penalties: bit i for penalties[i], of pen_gen */
	unsigned pen_gen;
};

struct watch_penalties;

/* watch_tree.c's: the trees, their user directories and leaves, and the
 * inotify watches on them. */
struct watch_table {
	int wd_root;
	struct watch_tree trees[WATCH_TREES];
	size_t n_trees;		/* 0: not set up from cfg yet */
	struct watch_leaf *leaves;
	size_t n_leaves, cap_leaves;
	struct watch_user *users;
	size_t n_users, cap_users;
};

/* watch_oom.c's and watch_kmsg.c's: notices due, on_oom commands, the
 * victims the kernel logged. */
struct watch_oom_state {
	uint64_t due;		/* monotonic ms, 0: none */
	unsigned children;
	int kmsg_fd;
	struct watch_victim victims[WATCH_VICTIMS];
	size_t next_victim;
};

/* watch_reclaim.c's: the reclaim scan and the pressure guard. */
struct watch_reclaim_state {
	uint64_t scan_due;	/* next reclaim scan, ms */
	bool no_swappiness;	/* memory.reclaim refused "swappiness=" (Linux < 6.2?) */
	bool psi_failed_logged;
};

/* watch_metrics.c's: the metrics file and the counters kept per rule. */
struct watch_metrics_state {
	struct cgh_kept kept;
	bool kept_loaded;	/* taken back from the file watch wrote before */
	uint64_t due;		/* monotonic ms, 0: no metrics file */
	bool failed_logged;
};

/* The daemon: what it was started with, the config and root it runs on,
 * its fds, and one part for each concern. */
struct cgh_watcher {
	const struct cgh_watch_opts *opts;
	struct cgh_config *cfg;
	struct cgh_fs fs;
	const struct cgh_log *log;
	int ifd, sfd;
	uint64_t gc_due;	/* monotonic ms, 0: none */
	uint64_t orphan_due;	/* monotonic ms, 0: no live leaf to look at */
	uint64_t shown_due;	/* monotonic ms, 0: no leaf whose shown notices wait */
	int presence_fd;	/* the store's watch.lock, held: -1 none */
	bool stop;
	struct watch_table tab;
	struct watch_oom_state oom;
	struct watch_reclaim_state rec;
	struct watch_metrics_state met;
	struct watch_penalties *pen;	/* watch_penalty.c's; NULL: not started */
};

/* How notices are written, from w->cfg. */
void watch_notifier(const struct cgh_watcher *w, struct cgh_notifier *nf);
/* n to the user of leaf: recorded, and on their terminals */
void watch_tell_user(struct cgh_watcher *w, const struct watch_leaf *leaf, const struct cgh_notice *n);

/* watch_orphan.c: sessions whose opener died without closing them */
void watch_orphan_track(struct cgh_watcher *w, struct watch_leaf *leaf, const char *name, uint64_t now);
void watch_orphan_tick(struct cgh_watcher *w, uint64_t now);

/* watch_shown.c: notices shown at an sshd login, removed once a shell runs */
void watch_shown_start(struct cgh_watcher *w);
void watch_shown_stop(struct cgh_watcher *w);
void watch_shown_track(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now);
void watch_shown_tick(struct cgh_watcher *w, uint64_t now);

/* The calls go one way: watch.c (the loop, the only reader of the clock:
 * `now` is the monotonic ms of the wake-up, passed down) calls the others;
 * watch_tree.c calls watch_oom.c, watch_reclaim.c and watch_penalty.c (a
 * user forgotten); watch_oom.c calls watch_kmsg.c; watch_oom.c and
 * watch_reclaim.c count in watch_metrics.c.  Nothing calls back up.
 * watch_penalty.c also reads CLOCK_REALTIME: a penalty's times must mean
 * the same after a restart. */

/* watch_tree.c */
int watch_tree_sync(struct cgh_watcher *w, bool fresh, uint64_t now);
void watch_tree_clear(struct cgh_watcher *w, uint64_t now);
void watch_tree_event(struct cgh_watcher *w, int wd, uint32_t mask, const char *name,
		      uint64_t now);
struct watch_leaf *watch_leaf_by_wd(struct cgh_watcher *w, int wd);

/* watch_oom.c */
void watch_oom_event(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now);
void watch_oom_check(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now);
void watch_oom_baseline(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now);
void watch_reap(struct cgh_watcher *w);
void watch_gc(struct cgh_watcher *w, uint64_t now);

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

/* watch_metrics.c */
void watch_count(struct cgh_watcher *w, const char *rule, enum cgh_kept_counter c, uint64_t n);
void watch_leaf_rule(struct cgh_watcher *w, const struct watch_leaf *leaf, char *buf, size_t len);
void watch_metrics_schedule(struct cgh_watcher *w, uint64_t now_ms);
void watch_metrics_tick(struct cgh_watcher *w, uint64_t now_ms);
/* watch_penalty.c */
void watch_penalty_start(struct cgh_watcher *w, uint64_t now);	/* at start and after a reload */
void watch_penalty_stop(struct cgh_watcher *w);
void watch_penalty_tick(struct cgh_watcher *w, uint64_t now_ms);
void watch_penalty_user_gone(struct watch_user *u);	/* before it is forgotten */
uint64_t watch_penalty_due(const struct cgh_watcher *w);	/* monotonic ms, 0: none */
/* The penalties as watch last read or wrote them: a series per running one. */
int watch_penalty_series(const struct cgh_watcher *w, struct cgh_samples *s);

#endif
