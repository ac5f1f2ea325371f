/* `cgherd watch`: the event loop.  poll(2) over an inotify fd (the tree),
 * a signalfd (SIGHUP reload, SIGTERM/SIGINT stop, SIGCHLD reap) and one
 * PSI trigger fd per leaf when the pressure guard is on; the timeout is the
 * nearest of: a gc retry, the next reclaim scan, the pressure tick. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cgh_watch_state.h"

#define EVENT_BUF 65536

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_diag(const struct cgh_log *log, int priority, const struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		cgh_logf(log, priority, "%s", diag->lines[i]);
	if (diag->dropped)
		cgh_logf(log, priority, "(%zu more errors)", diag->dropped);
}

static int load_config(const struct cgh_watch_opts *o, struct cgh_config **out)
{
	struct cgh_diag diag = { 0 };
	int r = cgh_config_load(o->conf, 0, NULL, o->phys_mem, out, &diag);

	log_diag(o->log, LOG_ERR, &diag);
	cgh_diag_free(&diag);
	return r;
}

static void taken_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGCHLD);
}

int cgh_watch_block_signals(void)
{
	sigset_t set;

	taken_signals(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

static int open_signals(struct cgh_error *err)
{
	sigset_t set;
	int r = cgh_watch_block_signals();
	int fd;

	if (r < 0)
		return cgh_fail(err, -r, "sigprocmask");
	taken_signals(&set);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return cgh_fail(err, errno, "signalfd");
	return fd;
}

/* The first tree is cgherd's own; logind_scopes= names the second, if any. */
static void describe(struct cgh_watcher *w)
{
	const struct cgh_watch_config *wc = &w->cfg->watch;
	char threshold[32] = "off", scopes[360] = "";

	if (wc->reclaim_percent)
		snprintf(threshold, sizeof(threshold), "%u%%", wc->reclaim_percent);
	else if (wc->reclaim_bytes)
		cgh_format_size(wc->reclaim_bytes, threshold, sizeof(threshold));
	if (w->tab.n_trees > 1)
		snprintf(scopes, sizeof(scopes), " logind_scopes=%s/%s", w->fs.root, w->tab.trees[1].dir);
	cgh_logf(w->log, LOG_INFO,
		 "watching %s/%s: %zu sessions, on_oom=%s reclaim_threshold=%s reclaim_interval=%us reclaim_cooldown=%us pressure_guard=%s%s",
		 w->fs.root, w->cfg->base, w->tab.n_leaves, wc->on_oom ? wc->on_oom[0] : "none", threshold,
		 wc->reclaim_interval, wc->reclaim_cooldown,
		 !wc->pressure_guard ? "off" : wc->pressure_kill ? "kill" : "log", scopes);
}

void watch_notifier(const struct cgh_watcher *w, struct cgh_notifier *nf)
{
	cgh_notifier_init(nf, &w->cfg->notices, w->opts->notice_dir, NULL);
}

void watch_tell_user(struct cgh_watcher *w, const struct watch_leaf *leaf, const struct cgh_notice *n)
{
	struct cgh_notifier nf;
	char user_dir[sizeof(leaf->path)];
	const char *slash = strrchr(leaf->path, '/');

	watch_notifier(w, &nf);
	if (slash == NULL)
		return;
	snprintf(user_dir, sizeof(user_dir), "%.*s", (int)(slash - leaf->path), leaf->path);
	cgh_notice_deliver(&nf, &w->fs, user_dir, n, w->log);
}

/* Takes cfg: opens its root and watches its tree. */
static int start(struct cgh_watcher *w, struct cgh_config *cfg, struct cgh_error *err)
{
	int r = cgh_fs_open(&w->fs, cfg->cgroup_root, w->opts->sys, err);

	uint64_t now = now_ms();

	w->cfg = cfg;
	if (r < 0)
		return r;
	r = watch_tree_sync(w, false, now);
	if (r < 0)
		return cgh_fail(err, -r, "cannot watch %s", w->fs.root);
	w->rec.scan_due = now + (uint64_t)cfg->watch.reclaim_interval * 1000u;
	watch_metrics_schedule(w, now);
	describe(w);
	watch_penalty_start(w, now);
	return 0;
}

static void stop(struct cgh_watcher *w)
{
	watch_penalty_stop(w);
	watch_tree_clear(w, now_ms());
	cgh_fs_close(&w->fs);
	cgh_config_free(w->cfg);
	w->cfg = NULL;
}

/* SIGHUP: a file that does not load leaves everything as it was. */
static void reload(struct cgh_watcher *w)
{
	struct cgh_config *cfg = NULL;
	struct cgh_error err = { 0 };
	const struct cgh_config *old = w->cfg;

	if (load_config(w->opts, &cfg) < 0) {
		cgh_logf(w->log, LOG_ERR, "reload: %s not loaded (errors above); keeping the previous configuration",
			 old->path);
		return;
	}
	/* the same trees (watch_tree.c): keep the watches */
	if (strcmp(cfg->cgroup_root, old->cgroup_root) == 0 && strcmp(cfg->base, old->base) == 0 &&
	    (cfg->backend == CGH_BACKEND_CGROUPFS) == (old->backend == CGH_BACKEND_CGROUPFS)) {
		cgh_config_free(w->cfg);
		w->cfg = cfg;
		for (size_t i = 0; i < w->tab.n_leaves; i++)
			watch_psi_arm(w, &w->tab.leaves[i]);
		watch_metrics_schedule(w, now_ms());
		w->orphan_due = now_ms();	/* kill_on_close may have changed */
		describe(w);
		watch_penalty_start(w, now_ms());
		return;
	}
	stop(w);
	if (start(w, cfg, &err) < 0)
		cgh_logf(w->log, LOG_ERR, "reload: %s (watching nothing until the next reload)", err.msg);
}

static void read_signals(struct cgh_watcher *w)
{
	struct signalfd_siginfo si;
	bool hup = false;

	while (read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			hup = true;
		else if (si.ssi_signo == SIGCHLD)
			watch_reap(w);
		else
			w->stop = true;
	}
	if (hup && !w->stop) {
		cgh_logf(w->log, LOG_INFO, "SIGHUP: reloading %s", w->cfg->path);
		reload(w);
	}
}

static void read_events(struct cgh_watcher *w, uint64_t now)
{
	char buf[EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			watch_tree_event(w, ev->wd, ev->mask, ev->len ? ev->name : NULL, now);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

static bool any_stalling(const struct cgh_watcher *w)
{
	for (size_t i = 0; i < w->tab.n_leaves; i++)
		if (w->tab.leaves[i].stall_since != 0)
			return true;
	return false;
}

static int poll_timeout(const struct cgh_watcher *w, uint64_t now)
{
	uint64_t due = earliest(earliest(w->gc_due, w->oom.due), earliest(w->rec.scan_due, w->met.due));

	due = earliest(due, earliest(w->orphan_due, w->shown_due));
	due = earliest(due, watch_penalty_due(w));

	if (any_stalling(w))
		due = earliest(due, now + WATCH_PSI_TICK_MS);
	if (due == 0)
		return -1;
	return due <= now ? 0 : (int)(due - now);
}

/* fds: inotify, signalfd, then the PSI fd of each leaf that has one. */
static size_t fill_fds(const struct cgh_watcher *w, struct pollfd *fds, size_t *leaf_of)
{
	size_t n = 2;

	fds[0] = (struct pollfd){ .fd = w->ifd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = w->sfd, .events = POLLIN };
	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		if (w->tab.leaves[i].psi_fd < 0)
			continue;
		fds[n] = (struct pollfd){ .fd = w->tab.leaves[i].psi_fd, .events = POLLPRI };
		leaf_of[n++] = i;
	}
	return n;
}

static void run_timers(struct cgh_watcher *w, uint64_t now)
{
	if (w->oom.due != 0 && now >= w->oom.due) {
		w->oom.due = 0;
		for (size_t i = 0; i < w->tab.n_leaves; i++)
			if (w->tab.leaves[i].oom_pending)
				watch_oom_check(w, &w->tab.leaves[i], now);
	}
	if (w->gc_due != 0 && now >= w->gc_due)
		watch_gc(w, now);
	if (now >= w->rec.scan_due) {
		for (size_t i = 0; i < w->tab.n_leaves; i++)	/* leaves gc gave up on */
			if (w->tab.leaves[i].dead && w->tab.leaves[i].gc_tries > WATCH_GC_TRIES) {
				w->tab.leaves[i].gc_tries = 0;
				w->gc_due = earliest(w->gc_due, now);
			}
		watch_reclaim_scan(w, now);
		w->rec.scan_due = now + (uint64_t)w->cfg->watch.reclaim_interval * 1000u;
	}
	if (any_stalling(w))
		watch_psi_tick(w, now);
	watch_orphan_tick(w, now);
	watch_shown_tick(w, now);
	watch_metrics_tick(w, now);
	watch_penalty_tick(w, now);
}

static int loop_once(struct cgh_watcher *w, struct pollfd *fds, size_t *leaf_of)
{
	size_t n = fill_fds(w, fds, leaf_of);
	int r = poll(fds, n, poll_timeout(w, now_ms()));
	uint64_t now = now_ms();

	if (r < 0 && errno != EINTR)
		return -errno;
	for (size_t i = 2; r > 0 && i < n; i++)	/* before events may move leaves */
		if (fds[i].revents & (POLLPRI | POLLERR))
			watch_psi_event(w, &w->tab.leaves[leaf_of[i]], now);
	if (r > 0 && (fds[0].revents & POLLIN))
		read_events(w, now);
	if (r > 0 && (fds[1].revents & POLLIN))
		read_signals(w);
	if (w->cfg != NULL && !w->stop)
		run_timers(w, now);
	return 0;
}

/* Room for the poll set of n leaves; 0 or -ENOMEM. */
static int make_room(struct pollfd **fds, size_t **leaf_of, size_t *cap, size_t n)
{
	struct pollfd *f;
	size_t *l;

	if (*fds != NULL && *leaf_of != NULL && *cap >= n + 2)
		return 0;
	free(*fds);
	free(*leaf_of);
	*cap = (n + 2) * 2;
	f = calloc(*cap, sizeof(*f));
	l = calloc(*cap, sizeof(*l));
	*fds = f;
	*leaf_of = l;
	return f != NULL && l != NULL ? 0 : -ENOMEM;
}

static int loop(struct cgh_watcher *w, struct cgh_error *err)
{
	struct pollfd *fds = NULL;
	size_t *leaf_of = NULL;
	size_t cap = 0;
	int r = 0;

	while (!w->stop) {
		r = make_room(&fds, &leaf_of, &cap, w->tab.n_leaves);
		if (r < 0 || fds == NULL || leaf_of == NULL) {
			r = cgh_fail(err, ENOMEM, "watching %zu sessions", w->tab.n_leaves);
			break;
		}
		r = loop_once(w, fds, leaf_of);
		if (r < 0) {
			cgh_fail(err, -r, "poll");
			break;
		}
	}
	free(fds);
	free(leaf_of);
	return r;
}

int cgh_watch_run(const struct cgh_watch_opts *o, struct cgh_error *err)
{
	struct cgh_watcher w = { .opts = o, .log = o->log, .ifd = -1, .sfd = -1,
				 .tab = { .wd_root = -1 }, .oom = { .kmsg_fd = -1 },
				 .fs = { .rootfd = -1 }, .presence_fd = -1 };
	struct cgh_config *cfg = NULL;
	/* the signals first: a SIGHUP while the file is read (a restart racing a
	 * reload) waits in the signalfd and reloads, instead of killing us */
	int r = w.sfd = open_signals(err);

	if (r < 0)
		goto done;
	r = load_config(o, &cfg);
	if (r < 0) {
		cgh_fail_msg(err, -r, "%s: configuration not loaded", o->conf ? o->conf : CGH_DEFAULT_CONF);
		goto done;
	}
	if (r >= 0) {
		w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		r = w.ifd < 0 ? cgh_fail(err, errno, "inotify_init1") : 0;
	}
	if (r >= 0)
		watch_kmsg_open(&w);
	if (r >= 0) {
		r = start(&w, cfg, err);
		cfg = NULL;
	}
	if (r >= 0)
		watch_shown_start(&w);
	if (r >= 0)
		r = loop(&w, err);
	if (r >= 0)
		cgh_logf(w.log, LOG_INFO, "stopping");
done:
	if (w.cfg != NULL)
		stop(&w);
	cgh_config_free(cfg);
	if (w.ifd >= 0)
		close(w.ifd);
	if (w.sfd >= 0)
		close(w.sfd);
	if (w.oom.kmsg_fd >= 0)
		close(w.oom.kmsg_fd);
	watch_shown_stop(&w);
	free(w.tab.leaves);
	free(w.tab.users);
	cgh_kept_free(&w.met.kept);
	return r < 0 ? r : 0;
}
