/* `cgherd watch`: sessions whose opener died without closing them.  A leaf
 * is named for the process that opened the session (session-PID, or
 * session-PID-N); close ends the leaf, or hands it to a reaper that waits
 * for that process.  When the opener was killed (SIGKILL, the OOM killer),
 * close never runs and nothing else would end the session: what is left in
 * it lives on.  So, with kill_on_close (without it, leftovers live on after
 * a close too, and a closed session cannot be told from an orphaned one),
 * watch looks at the opener of each live leaf of its own every
 * WATCH_ORPHAN_TICK_MS (opts->orphan_tick_ms); one gone (kill(2): ESRCH) at
 * two looks in a row, a tick apart (time for a reaper to do it), gets what close
 * would have done: the leaf's processes killed, the user told, and the leaf
 * then collected as dead.  A pid reused meanwhile looks alive: the safe side. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_watch_state.h"

/* "session-1234" and "session-1234-2" -> 1234; 0 when the name says nothing */
static pid_t opener_of(const char *name)
{
	const char *p = strncmp(name, "session-", 8) == 0 ? name + 8 : NULL;
	char *end = NULL;
	long pid;

	if (p == NULL || *p < '1' || *p > '9')
		return 0;
	pid = strtol(p, &end, 10);
	if ((*end != '\0' && *end != '-') || pid <= 0 || pid > 0x3fffffff)
		return 0;
	return (pid_t)pid;
}

static uint64_t tick_ms(const struct cgh_watcher *w)
{
	return w->opts->orphan_tick_ms ? w->opts->orphan_tick_ms : WATCH_ORPHAN_TICK_MS;
}

void watch_orphan_track(struct cgh_watcher *w, struct watch_leaf *leaf, const char *name, uint64_t now)
{
	if (!leaf->owned)
		return;
	leaf->opener = opener_of(name);
	if (leaf->opener > 0 && w->orphan_due == 0)
		w->orphan_due = now + tick_ms(w);
}

static bool opener_gone(const struct cgh_watcher *w, pid_t pid)
{
	return w->fs.sys->kill(pid, 0) == -ESRCH;
}

/* What close would have done: the processes left killed, with a notice as
 * close gives one; once, and the leaf goes to gc when it empties. */
static void end_orphan(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	struct cgh_error err = { 0 };
	struct cgh_stats st;
	struct cgh_notice n;

	cgh_fs_stats_brief(&w->fs, leaf->path, &st);
	cgh_logf(w->log, LOG_WARNING,
		 "orphaned session uid=%u leaf=%s/%s: its opener, pid %d, is gone and never closed it: killing what is left (kill_on_close)",
		 leaf->uid, w->fs.root, leaf->path, (int)leaf->opener);
	leaf->opener = 0;	/* once */
	cgh_notice_for_leaf(&w->fs, leaf->path, leaf->uid, CGH_NOTICE_CLOSE_KILL, &n);
	if (cgh_fs_kill(&w->fs, leaf->path, &err) < 0) {
		if (err.code != ENOENT)
			cgh_logf(w->log, LOG_ERR, "orphaned session: %s", err.msg);
		return;
	}
	n.killed = st.procs;
	n.peak = st.memory_peak;
	watch_tell_user(w, leaf, &n);
}

void watch_orphan_tick(struct cgh_watcher *w, uint64_t now)
{
	bool any = false;

	if (w->orphan_due == 0 || now < w->orphan_due)
		return;
	if (!w->cfg->kill_on_close) {	/* leftovers live on by design: nothing to end */
		w->orphan_due = 0;
		return;
	}
	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		struct watch_leaf *leaf = &w->tab.leaves[i];
		if (!leaf->owned || leaf->dead || leaf->opener <= 0)
			continue;
		any = true;
		if (!opener_gone(w, leaf->opener))
			leaf->orphan_since = 0;
		else if (leaf->orphan_since == 0)
			leaf->orphan_since = now;
		else if (now - leaf->orphan_since >= tick_ms(w))
			end_orphan(w, leaf);
	}
	w->orphan_due = any ? now + tick_ms(w) : 0;
}
