/* The metrics file of `cgherd watch` (cgh_metrics.h), for node_exporter's
 * textfile collector: written to a temporary file in the same directory,
 * then renamed over the old one, so a scrape reads a whole file, the old or
 * the new.  No fsync: the file is written anew every interval and a crash
 * loses nothing a reader relies on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgh_metrics.h"

/* DIR/.NAME.XXXXXX: the textfile collector reads only *.prom. */
static int temp_name(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(buf, len, ".%s.XXXXXX", path);
	else
		n = snprintf(buf, len, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static int render_to(int fd, const struct cgh_samples *s, const struct cgh_kept *kept)
{
	FILE *f = fdopen(fd, "w");
	int r = 0;

	if (f == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	cgh_metrics_render(f, s, kept, CGH_METRICS_PROMETHEUS);
	if (fflush(f) != 0 || ferror(f))
		r = -(errno ? errno : EIO);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

int cgh_metrics_write_file(const char *path, const struct cgh_samples *s,
			   const struct cgh_kept *kept, struct cgh_error *err)
{
	char tmp[4096];
	int fd, r = temp_name(path, tmp, sizeof(tmp));

	if (r < 0)
		return cgh_fail(err, -r, "metrics_file %s", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cgh_fail(err, errno, "cannot create a temporary file beside %s", path);
	if (fchmod(fd, 0644) < 0) {
		r = cgh_fail(err, errno, "cannot chmod %s", tmp);
		close(fd);
		goto done;
	}
	r = render_to(fd, s, kept);
	if (r < 0) {
		cgh_fail(err, -r, "cannot write %s", tmp);
		goto done;
	}
	if (rename(tmp, path) < 0)
		r = cgh_fail(err, errno, "cannot rename %s to %s", tmp, path);
done:
	if (r < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	return r;
}
