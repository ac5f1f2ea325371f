/* `cgherd watch`: notices shown at an sshd login and kept.  sshd opens the
 * PAM session before the client asks for a shell or a command, and prints
 * the module's lines only for a shell; the module keeps the records and
 * marks the leaf (CGH_SHOWN_XATTR) during the open.  Watch looks every
 * WATCH_SHOWN_TICK_MS at a leaf it has just seen for that mark, for
 * WATCH_SHOWN_MARK_MS (1,000 idle sessions at a start cost that long, not
 * for ever); a marked one, until WATCH_SHOWN_LOOK_MS after it was seen,
 * for a login shell; once one runs there, the records shown are removed
 * (cgh_notice_confirm_shown).  A command's session never gets one: its
 * records wait for the next login that shows them.  The module keeps them
 * only while watch runs: watch holds a lock in the store for its life
 * (cgh_notice_watch_present). */
#include <errno.h>
#include <unistd.h>

#include "cgh_watch_state.h"

void watch_shown_start(struct cgh_watcher *w)
{
	struct cgh_notice_store st;
	struct cgh_notifier nf;
	struct cgh_error err = { 0 };
	int r;

	watch_notifier(w, &nf);
	r = cgh_notice_store_open(&st, nf.dir, true, &err);
	if (r == 0)
		r = w->presence_fd = cgh_notice_watch_present(&st, &err);
	cgh_notice_store_close(&st);
	if (r < 0)
		cgh_logf(w->log, LOG_WARNING, "sshd logins take notices as seen (%s)", err.msg);
}

void watch_shown_stop(struct cgh_watcher *w)
{
	if (w->presence_fd >= 0)
		close(w->presence_fd);
	w->presence_fd = -1;
}

void watch_shown_track(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	if (!w->cfg->notices.at_login)
		return;
	leaf->shown_since = now;
	leaf->shown_until = now + WATCH_SHOWN_MARK_MS;
	if (w->shown_due == 0)
		w->shown_due = now + WATCH_SHOWN_TICK_MS;
}

/* One look at leaf: whether to look again at the next tick. */
static bool look(struct cgh_watcher *w, const struct cgh_notifier *nf, struct watch_leaf *leaf,
		 uint64_t now)
{
	int r;

	if (leaf->dead || now > leaf->shown_until)
		return false;
	r = cgh_notice_confirm_shown(nf, &w->fs, leaf->path, leaf->uid, w->log);
	if (r == 0)	/* marked: a shell may still come */
		leaf->shown_until = leaf->shown_since + WATCH_SHOWN_LOOK_MS;
	return r == 0 || r == -ENODATA;	/* else settled, or failed (logged): the records stay */
}

void watch_shown_tick(struct cgh_watcher *w, uint64_t now)
{
	struct cgh_notifier nf;
	bool any = false;

	if (w->shown_due == 0 || now < w->shown_due)
		return;
	watch_notifier(w, &nf);
	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		struct watch_leaf *leaf = &w->tab.leaves[i];
		if (leaf->shown_until == 0)
			continue;
		if (look(w, &nf, leaf, now))
			any = true;
		else
			leaf->shown_until = 0;
	}
	w->shown_due = any ? now + WATCH_SHOWN_TICK_MS : 0;
}
