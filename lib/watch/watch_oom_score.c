/* `cgherd watch`'s own OOM score: a whole-host OOM should kill sessions
 * (whole, through memory.oom.group) before the daemon that reports it.  The
 * kernel picks the victim with the highest badness: resident memory plus
 * oom_score_adj thousandths of the machine's memory, so -900 keeps the
 * daemon (a few MB) below every ordinary process but, unlike -1000, still
 * killable if it ever ran away itself.  The systemd unit sets the same with
 * OOMScoreAdjust=; the daemon lowers its score itself only from the default
 * 0, never overriding a value its service manager or admin chose. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgh_watch.h"

int cgh_watch_oom_score_wanted(int current)
{
	return current == 0 ? CGH_WATCH_OOM_SCORE_ADJ : current;
}

static int read_score(int fd, int *out)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;

	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v < -1000 || v > 1000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int cgh_watch_lower_oom_score(const char *path, const struct cgh_log *log)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int current = 0, wanted, r;
	char text[16];

	if (fd < 0) {
		r = -errno;
		cgh_logf(log, LOG_WARNING, "cannot open %s: %s; OOM score left as it is", path,
			 strerror(-r));
		return r;
	}
	r = read_score(fd, &current);
	if (r < 0) {
		cgh_logf(log, LOG_WARNING, "cannot read %s: %s; OOM score left as it is", path,
			 strerror(-r));
		goto done;
	}
	wanted = cgh_watch_oom_score_wanted(current);
	if (wanted == current)
		goto done;
	snprintf(text, sizeof(text), "%d\n", wanted);
	if (pwrite(fd, text, strlen(text), 0) < 0) {
		r = -errno;
		cgh_logf(log, LOG_WARNING, "cannot set %s to %d: %s; a host-wide OOM may pick the watcher",
			 path, wanted, strerror(-r));
		goto done;
	}
	cgh_logf(log, LOG_INFO, "oom_score_adj %d: a host-wide OOM kills sessions before the watcher",
		 wanted);
done:
	close(fd);
	return r;
}
