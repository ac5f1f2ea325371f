/* `cgherd watch`: page-cache reclaim above watch.reclaim_threshold, and the
 * pressure guard (a PSI trigger on each leaf's memory.pressure). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgh_value.h"
#include "cgh_watch_state.h"

/* ---- reclaim -------------------------------------------------------------- */

/* "N swappiness=0" keeps anonymous memory where it is; kernels before 6.2
 * (6.1 among them) refuse the key with EINVAL: then plain "N". */
static int write_reclaim(struct cgh_watcher *w, const char *dir, uint64_t bytes,
			 struct cgh_error *err)
{
	char text[64];
	int r = -EINVAL;

	if (!w->rec.no_swappiness) {
		snprintf(text, sizeof(text), "%llu swappiness=0", (unsigned long long)bytes);
		r = w->fs.sys->write_file(w->fs.rootfd, dir, text);
		if (r == -EINVAL) {
			w->rec.no_swappiness = true;
			cgh_logf(w->log, LOG_INFO, "memory.reclaim takes no swappiness= here: reclaiming without it");
		}
	}
	if (w->rec.no_swappiness) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)bytes);
		r = w->fs.sys->write_file(w->fs.rootfd, dir, text);
	}
	if (r == -EAGAIN)	/* reclaimed less than asked: fine */
		r = 0;
	if (r < 0)
		cgh_fail(err, -r, "cannot write \"%s\" to %s/%s", text, w->fs.root, dir);
	return r;
}

static void reclaim_leaf(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now_ms)
{
	const struct cgh_watch_config *wc = &w->cfg->watch;
	struct cgh_error err = { 0 };
	uint64_t threshold, file, excess, after;
	char path[CGH_LEAF_FILE_BUF], rule[CGH_RULE_BUF];

	if (!cgh_reclaim_due(leaf->last_reclaim, now_ms, wc->reclaim_cooldown))
		return;
	threshold = cgh_reclaim_threshold(wc, wc->reclaim_bytes ? 0 : cgh_fs_read_number(&w->fs, leaf->path, "memory.max"));
	if (threshold == 0)
		return;
	file = cgh_fs_read_keyed(&w->fs, leaf->path, "memory.stat", "file");
	excess = cgh_reclaim_excess(file, threshold);
	if (excess == 0)
		return;
	leaf->last_reclaim = now_ms;
	snprintf(path, sizeof(path), "%s/memory.reclaim", leaf->path);
	if (write_reclaim(w, path, excess, &err) < 0) {
		if (err.code != ENOENT)
			cgh_logf(w->log, LOG_WARNING, "reclaim: %s", err.msg);
		return;
	}
	after = cgh_fs_read_keyed(&w->fs, leaf->path, "memory.stat", "file");
	watch_leaf_rule(w, leaf, rule, sizeof(rule));
	watch_count(w, rule, CGH_KEPT_RECLAIMS, 1);
	cgh_logf(w->log, LOG_INFO, "reclaimed uid=%u leaf=%s/%s file=%llu threshold=%llu asked=%llu file_after=%llu",
		 leaf->uid, w->fs.root, leaf->path, (unsigned long long)file,
		 (unsigned long long)threshold, (unsigned long long)excess,
		 (unsigned long long)after);
}

void watch_reclaim_scan(struct cgh_watcher *w, uint64_t now_ms)
{
	const struct cgh_watch_config *wc = &w->cfg->watch;
	if (wc->reclaim_percent == 0 && wc->reclaim_bytes == 0)
		return;
	for (size_t i = 0; i < w->tab.n_leaves; i++)
		if (!w->tab.leaves[i].dead)
			reclaim_leaf(w, &w->tab.leaves[i], now_ms ? now_ms : 1);
}

/* ---- pressure guard ------------------------------------------------------------ */

void watch_psi_disarm(struct watch_leaf *leaf)
{
	if (leaf->psi_fd >= 0)
		close(leaf->psi_fd);
	leaf->psi_fd = -1;
	leaf->stall_since = leaf->last_stall = 0;
}

/* "some STALL WINDOW" written to memory.pressure: POLLPRI when the session
 * stalled longer than STALL within WINDOW. */
void watch_psi_arm(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	const struct cgh_watch_config *wc = &w->cfg->watch;
	char path[CGH_LEAF_FILE_BUF], trigger[64];
	int fd;
	ssize_t n;

	watch_psi_disarm(leaf);
	if (!wc->pressure_guard)
		return;
	snprintf(path, sizeof(path), "%s/memory.pressure", leaf->path);
	snprintf(trigger, sizeof(trigger), "some %u %u", wc->pressure_stall_us, wc->pressure_window_us);
	fd = w->fs.sys->openat(w->fs.rootfd, path, O_RDWR | O_NONBLOCK);
	if (fd >= 0) {
		n = write(fd, trigger, strlen(trigger) + 1);
		if (n < 0) {
			int e = errno;
			close(fd);
			fd = -e;
		}
	}
	if (fd == -ENOENT)
		return;		/* the leaf is gone */
	if (fd < 0) {
		if (!w->rec.psi_failed_logged)
			cgh_logf(w->log, LOG_WARNING, "pressure guard: cannot set \"%s\" on %s/%s: %s",
				 trigger, w->fs.root, path, strerror(-fd));
		w->rec.psi_failed_logged = true;
		return;
	}
	leaf->psi_fd = fd;
}

void watch_psi_event(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now_ms)
{
	if (leaf->stall_since == 0) {
		leaf->stall_since = now_ms;
		cgh_logf(w->log, LOG_DEBUG, "memory pressure in %s/%s", w->fs.root, leaf->path);
	}
	leaf->last_stall = now_ms;
}

/* A session the guard killed: its user's notice. */
static void guard_act(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t stalled_ms)
{
	struct cgh_error err = { 0 };
	struct cgh_notice n;
	struct cgh_stats st;
	uint64_t current = cgh_fs_read_number(&w->fs, leaf->path, "memory.current");
	uint64_t high = cgh_fs_read_number(&w->fs, leaf->path, "memory.high");
	bool kill = w->cfg->watch.pressure_kill;
	char rule[CGH_RULE_BUF];

	if (current == CGH_UNKNOWN || high == CGH_UNKNOWN || high == CGH_UNLIMITED || current <= high)
		return;
	cgh_logf(w->log, LOG_WARNING, "thrashing uid=%u leaf=%s/%s stalled_for=%llums memory.current=%llu memory.high=%llu%s",
		 leaf->uid, w->fs.root, leaf->path, (unsigned long long)stalled_ms,
		 (unsigned long long)current, (unsigned long long)high,
		 kill ? ": killing the session" : "");
	leaf->stall_since = 0;
	if (!kill)
		return;
	watch_leaf_rule(w, leaf, rule, sizeof(rule));
	cgh_fs_stats_brief(&w->fs, leaf->path, &st);
	cgh_notice_for_leaf(&w->fs, leaf->path, leaf->uid, CGH_NOTICE_PRESSURE, &n);
	if (cgh_fs_kill(&w->fs, leaf->path, &err) < 0) {
		if (err.code != ENOENT)
			cgh_logf(w->log, LOG_ERR, "pressure guard: %s", err.msg);
		return;
	}
	watch_count(w, rule, CGH_KEPT_PRESSURE_KILLS, 1);
	n.limit = high;
	n.peak = st.memory_peak;
	n.killed = st.procs;
	watch_tell_user(w, leaf, &n);
}

/* A session stalled for longer than pressure_grace while above memory.high:
 * log it, kill it if asked.  A trigger that stopped firing for two windows
 * means the stall is over. */
void watch_psi_tick(struct cgh_watcher *w, uint64_t now_ms)
{
	const struct cgh_watch_config *wc = &w->cfg->watch;
	uint64_t quiet_ms = 2u * wc->pressure_window_us / 1000u;

	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		struct watch_leaf *leaf = &w->tab.leaves[i];
		if (leaf->stall_since == 0)
			continue;
		if (now_ms - leaf->last_stall > quiet_ms)
			leaf->stall_since = 0;
		else if (now_ms - leaf->stall_since >= (uint64_t)wc->pressure_grace * 1000u)
			guard_act(w, leaf, now_ms - leaf->stall_since);
	}
}
