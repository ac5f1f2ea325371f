/* Notices at login: the user's records shown through the conversation, then
 * removed (only those shown: a record written meanwhile waits). */
#include <errno.h>
#include <time.h>

#include "cgh_notice.h"

int cgh_notice_show(const struct cgh_notifier *nf, unsigned uid,
		    int (*say)(void *arg, const char *line), void *arg,
		    const struct cgh_log *log)
{
	struct cgh_notice records[CGH_NOTICE_KEEP];
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	char line[CGH_NOTICE_LINE_MAX];
	size_t n = 0, shown = 0;
	int r = cgh_notice_store_open(&st, nf->dir, false, &err);

	if (r == -ENOENT)
		return 0;	/* nothing was ever recorded */
	if (r == 0)
		r = cgh_notice_read(&st, uid, records, CGH_NOTICE_KEEP, &n, &err);
	for (; r == 0 && shown < n; shown++) {
		cgh_notice_describe(&records[shown], nf->help, (uint64_t)time(NULL), line, sizeof(line));
		if (say(arg, line) < 0)
			break;
	}
	if (r == 0 && shown > 0)
		r = cgh_notice_remove(&st, uid, shown, &err);
	cgh_notice_store_close(&st);
	if (r < 0) {
		cgh_logf(log, LOG_WARNING, "notices for uid=%u not shown: %s", uid, err.msg);
		return r;
	}
	if (shown > 0)
		cgh_logf(log, LOG_INFO, "notices for uid=%u: %zu shown", uid, shown);
	return (int)shown;
}
