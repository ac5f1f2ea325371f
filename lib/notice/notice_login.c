/* Notices at login: the user's records shown through the conversation, then
 * removed (only those shown: a record written meanwhile waits), or, at an
 * sshd login with `cgherd watch` running, kept until watch sees that sshd
 * printed them (notice_shown.c). */
#include <errno.h>
#include <time.h>

#include "cgh_notice.h"

static const char *show_outcome(enum cgh_show how)
{
	return how == CGH_SHOW_KEEP ? "shown, kept until a login shell is seen" : "shown";
}

int cgh_notice_show(const struct cgh_notifier *nf, unsigned uid, enum cgh_show *how,
		    int (*say)(void *arg, const char *line), void *arg,
		    struct cgh_notice *last, const struct cgh_log *log)
{
	struct cgh_notice records[CGH_NOTICE_KEEP];
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	char line[CGH_NOTICE_LINE_MAX];
	size_t n = 0, shown = 0;
	int r;

	if (*how == CGH_SHOW_NONE)
		return 0;
	r = cgh_notice_store_open(&st, nf->dir, false, &err);
	if (r == -ENOENT)
		return 0;	/* nothing was ever recorded */
	if (r == 0)
		r = cgh_notice_read(&st, uid, records, CGH_NOTICE_KEEP, &n, &err);
	if (r == 0 && n > 0 && *how == CGH_SHOW_KEEP && !cgh_notice_watched(&st))
		*how = CGH_SHOW_TAKE;	/* nobody to see whether sshd printed them */
	for (; r == 0 && shown < n; shown++) {
		cgh_notice_describe(&records[shown], nf->help, (uint64_t)time(NULL), line, sizeof(line));
		if (say(arg, line) < 0)
			break;
	}
	if (r == 0 && shown > 0 && *how == CGH_SHOW_TAKE)
		r = cgh_notice_remove(&st, uid, records, shown, &err);
	if (r >= 0 && shown > 0 && *how == CGH_SHOW_KEEP)
		*last = records[shown - 1];
	cgh_notice_store_close(&st);
	if (r < 0) {
		cgh_logf(log, LOG_WARNING, "notices for uid=%u not shown: %s", uid, err.msg);
		return r;
	}
	if (shown > 0)
		cgh_logf(log, LOG_INFO, "notices for uid=%u: %zu %s", uid, shown, show_outcome(*how));
	return (int)shown;
}
