/* The one safe open of a root-only state directory (cgh_safe_dir.h): the
 * parent as given (root's own path), the last component without following a
 * symlink, the checks on the descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgh_safe_dir.h"

static int check_dir(const struct stat *st, const char *dir, struct cgh_error *err)
{
	if (!S_ISDIR(st->st_mode))
		return cgh_fail_msg(err, ENOTDIR, "%s: not a directory", dir);
	if (st->st_uid != geteuid())
		return cgh_fail_msg(err, EPERM, "%s: owned by uid %u, not %u", dir,
				    (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & 077)
		return cgh_fail_msg(err, EPERM, "%s: mode %04o gives group or others access", dir,
				    (unsigned)(st->st_mode & 07777));
	return 0;
}

/* dir's parent ("." for a name without a slash), its last component in name. */
static int open_parent(const char *dir, char *name, size_t len, struct cgh_error *err)
{
	char parent[256];
	const char *slash = strrchr(dir, '/');
	const char *last = slash != NULL ? slash + 1 : dir;
	int fd;

	if (last[0] == '\0' || strlen(dir) >= sizeof(parent) || strlen(last) >= len ||
	    strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return cgh_fail_msg(err, EINVAL, "%s: not a path to a directory", dir);
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else
		snprintf(parent, sizeof(parent), "%.*s", slash == dir ? 1 : (int)(slash - dir), dir);
	snprintf(name, len, "%s", last);
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? cgh_fail(err, errno, "cannot open %s", parent) : fd;
}

int cgh_safe_dir_open(const char *dir, bool create, struct cgh_error *err)
{
	struct stat sb;
	char name[256];
	int parent = open_parent(dir, name, sizeof(name), err);
	int fd = -1, r = 0;

	if (parent < 0)
		return parent;
	if (create && mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
		r = cgh_fail(err, errno, "cannot make %s", dir);
	if (r == 0) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = cgh_fail(err, errno, "cannot open %s%s", dir,
				     errno == ELOOP || errno == ENOTDIR ? " (a symlink or not a directory: refused)" : "");
	}
	if (r == 0 && fstat(fd, &sb) < 0)
		r = cgh_fail(err, errno, "cannot stat %s", dir);
	if (r == 0)
		r = check_dir(&sb, dir, err);
	if (r < 0 && fd >= 0)
		close(fd);
	close(parent);
	return r < 0 ? r : fd;
}
