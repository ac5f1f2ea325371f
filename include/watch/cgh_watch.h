/* `cgherd watch`: a daemon over the session leaves under <root>/<base>.
 * It logs OOM kills with their figures and runs watch.on_oom, collects
 * dead leaves as soon as they empty (cgh_gc), reclaims page cache above
 * watch.reclaim_threshold and, optionally, kills sessions that thrash
 * (PSI trigger on memory.pressure).
 *
 * The pure parts (commands, thresholds, the notice line) are exposed for
 * tests; the daemon is cgh_watch_run. */
#ifndef CGH_WATCH_H
#define CGH_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"

struct cgh_bus;

/* ---- on_oom commands ---------------------------------------------------- */

/* Splits a command into words at blanks; '...' and "..." quote (no
 * escapes).  The first word must be an absolute path; a '%' must start one
 * of %u %U %s %r %%.  Returns 0 and a NULL-terminated *out, or -EINVAL
 * with the reason in why (-ENOMEM). */
int cgh_cmd_split(const char *text, char ***out, char *why, size_t len);
void cgh_cmd_free(char **argv);

struct cgh_cmd_vars {
	const char *user;	/* %u */
	unsigned uid;		/* %U */
	const char *leaf;	/* %s: absolute path of the leaf */
	const char *rule;	/* %r */
};

/* tmpl with the % sequences of each word replaced.  0 or -ENOMEM. */
int cgh_cmd_expand(char *const *tmpl, const struct cgh_cmd_vars *v, char ***out);

/* ---- reclaim ------------------------------------------------------------ */

/* The file-cache threshold of a leaf with limit memory_max (CGH_UNLIMITED
 * for none): the byte value, or the percentage of memory_max; 0 when no
 * threshold applies. */
uint64_t cgh_reclaim_threshold(const struct cgh_watch_config *w, uint64_t memory_max);

/* Bytes to ask memory.reclaim for: file - threshold, 0 when below or off. */
uint64_t cgh_reclaim_excess(uint64_t file, uint64_t threshold);

/* Whether a reclaim may run at now_ms after one at last_ms (0: never),
 * cooldown in seconds. */
bool cgh_reclaim_due(uint64_t last_ms, uint64_t now_ms, unsigned cooldown);

/* ---- the notice line ------------------------------------------------------ */

struct cgh_oom_notice {
	const char *user;
	unsigned uid;
	const char *leaf;	/* absolute */
	const char *rule;
	uint64_t memory_max, memory_peak;	/* CGH_UNKNOWN when not known */
	uint64_t oom_kill, oom_group_kill;	/* counters now */
	uint64_t new_kills, new_group_kills;	/* increase since the last notice */
	pid_t biggest_pid;			/* 0: not known */
	const char *biggest_comm;
	uint64_t biggest_rss;
};

void cgh_oom_notice_format(const struct cgh_oom_notice *n, char *buf, size_t len);

/* ---- the kernel log ------------------------------------------------------- */

/* The victim in a kernel "oom-kill:constraint=...,oom_memcg=M,...,task=C,
 * pid=P,..." message: M (the cgroup that hit its limit, "/cgherd/..."), C
 * and P.  0, or -ENOENT for any other message. */
int cgh_kmsg_oom_victim(const char *msg, char *memcg, size_t len, pid_t *pid, char *comm,
			size_t clen);

/* "... Killed process P (C) total-vm:..kB, anon-rss:AkB, file-rss:FkB,
 * shmem-rss:SkB, ...": P and (A + F + S) KiB in bytes.  0 or -ENOENT. */
int cgh_kmsg_killed(const char *msg, pid_t *pid, uint64_t *rss);

/* ---- its own OOM score ------------------------------------------------------ */

/* The oom_score_adj the daemon runs with (the unit's OOMScoreAdjust= too). */
#define CGH_WATCH_OOM_SCORE_ADJ -900

/* The score to run with when the current one is current: CGH_WATCH_OOM_SCORE_ADJ
 * from the default 0, else current (a value someone chose is kept). */
int cgh_watch_oom_score_wanted(int current);

/* Reads path (/proc/self/oom_score_adj) and writes the wanted score there if it
 * differs, logging what it did or why not.  0 or -errno (logged). */
int cgh_watch_lower_oom_score(const char *path, const struct cgh_log *log);

/* ---- the daemon ----------------------------------------------------------- */

struct cgh_watch_opts {
	const char *conf;		/* NULL: CGH_DEFAULT_CONF */
	const struct cgh_sys *sys;
	const struct cgh_log *log;
	uint64_t phys_mem;		/* for "N%" sizes; 0: this machine's */
	const char *notice_dir;		/* NULL: CGH_NOTICE_DIR */
	const char *state_dir;		/* penalties' state; NULL: CGH_STATE_DIR */
	const char *proc_root;		/* for pressure/cpu, pressure/memory; NULL: "/proc" */
	const struct cgh_bus *bus;	/* systemd calls; NULL: the real ones */
	unsigned orphan_tick_ms;	/* looks at the openers of live leaves; 0: 5000 */
};

/* Loads the config, watches the tree and runs until SIGTERM or SIGINT
 * (which it blocks and reads through a signalfd, with SIGHUP: reload, and
 * SIGCHLD: reap on_oom children).  Returns 0 on a signal to stop, or
 * -errno with err set when it cannot start. */
int cgh_watch_run(const struct cgh_watch_opts *o, struct cgh_error *err);

/* Blocks the signals the daemon takes through its signalfd (SIGHUP,
 * SIGTERM, SIGINT, SIGCHLD), so that one sent while it starts waits for it
 * instead of killing it (a reload racing a restart).  cgh_watch_run does it
 * first; a caller that reads the config before (`cgherd watch` refuses a
 * bad file before it detaches) calls it before that.  0 or -errno. */
int cgh_watch_block_signals(void);

#endif
