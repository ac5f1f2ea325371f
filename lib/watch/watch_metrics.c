/* `cgherd watch`: the metrics file (watch.metrics_file), written every
 * metrics_interval from the samples of the trees and the counters watch
 * keeps per rule.  The counters are taken back from the file at the first
 * write, so they go on across a restart of watch (and a reboot, where the
 * file is on disk) instead of starting at 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgh_metrics.h"
#include "cgh_watch_state.h"

#define KEPT_FILE_MAX (1u << 20)

void watch_count(struct cgh_watcher *w, const char *rule, enum cgh_kept_counter c, uint64_t n)
{
	if (n > 0 && cgh_kept_add(&w->met.kept, rule, c, n) < 0)
		cgh_logf(w->log, LOG_ERR, "metrics: cannot count for rule %s: out of memory", rule);
}

/* The rule a leaf was built under, "" when none is recorded. */
void watch_leaf_rule(struct cgh_watcher *w, const struct watch_leaf *leaf, char *buf, size_t len)
{
	if (cgh_fs_get_rule(&w->fs, leaf->path, buf, len) < 0 && len > 0)
		buf[0] = '\0';
}

static void take_back(struct cgh_watcher *w, const char *path)
{
	static char text[KEPT_FILE_MAX];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	int taken;

	if (fd < 0) {
		if (errno != ENOENT)
			cgh_logf(w->log, LOG_WARNING, "metrics: cannot read %s: %m; counting from 0", path);
		return;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return;
	text[n] = '\0';
	taken = cgh_kept_load(&w->met.kept, text);
	if (taken > 0)
		cgh_logf(w->log, LOG_INFO, "metrics: %d rule counters taken back from %s", taken, path);
}

static void write_file(struct cgh_watcher *w, const char *path)
{
	struct cgh_tree trees[CGH_TREES_MAX];
	struct cgh_samples s = { 0 };
	struct cgh_error err = { 0 };
	int r = cgh_samples_collect(&w->fs, trees, cgh_trees_of(w->cfg, trees), &s, &err);

	if (r >= 0 && watch_penalty_series(w, &s) < 0)
		r = cgh_fail(&err, ENOMEM, "out of memory for the penalties' series");
	if (r >= 0)
		r = cgh_metrics_write_file(path, &s, &w->met.kept, &err);
	cgh_samples_free(&s);
	if (r < 0 && !w->met.failed_logged)
		cgh_logf(w->log, LOG_ERR, "metrics: %s", err.msg);
	w->met.failed_logged = r < 0;
}

void watch_metrics_schedule(struct cgh_watcher *w, uint64_t now_ms)
{
	w->met.due = w->cfg->watch.metrics_file != NULL ? now_ms : 0;
}

void watch_metrics_tick(struct cgh_watcher *w, uint64_t now_ms)
{
	const char *path = w->cfg->watch.metrics_file;

	if (path == NULL || w->met.due == 0 || now_ms < w->met.due)
		return;
	if (!w->met.kept_loaded) {
		take_back(w, path);
		w->met.kept_loaded = true;
	}
	write_file(w, path);
	w->met.due = now_ms + (uint64_t)w->cfg->watch.metrics_interval * 1000u;
}
