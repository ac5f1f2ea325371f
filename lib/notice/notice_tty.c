/* Notices: one line to one of the user's terminals.  The name comes from
 * PAM_TTY as the module recorded it on a leaf, so it is treated as hostile:
 * only a path under dev, walked one component at a time without following
 * a symlink, to a character device the user owns that isatty() accepts;
 * checked before the open (no other device is ever opened) and again on the
 * descriptor.  The write never blocks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "cgh_notice.h"

#define TTY_DEPTH 3

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '/';
}

/* tty relative to dev ("pts/3"), or NULL: a name outside dev, "." or ".."
 * components, an empty one, odd bytes, too deep. */
static const char *relative_name(const char *tty)
{
	const char *rel = strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
	int depth = 0;

	if (rel[0] == '\0' || rel[0] == '/')
		return NULL;
	for (const char *p = rel; *p != '\0'; p++)
		if (!name_char_ok(*p))
			return NULL;
	for (const char *p = rel; *p != '\0'; p += *p == '/') {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    ++depth > TTY_DEPTH)
			return NULL;
		p += n;
	}
	return rel;
}

/* The directory holding rel's last component, reached from dev without
 * following symlinks; *last points into rel. */
static int walk_dirs(const char *dev, const char *rel, const char **last, struct cgh_error *err)
{
	char comp[64];
	int fd = open(dev, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	*last = rel;
	if (fd < 0)
		return cgh_fail(err, errno, "cannot open %s", dev);
	for (const char *p = rel;;) {
		size_t n = strcspn(p, "/");
		if (p[n] == '\0') {
			*last = p;
			return fd;
		}
		if (n >= sizeof(comp)) {
			close(fd);
			return cgh_fail_msg(err, EINVAL, "%s/%s: name too long", dev, rel);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int why = errno;
		struct stat sb;

		if (next < 0 && why == ENOTDIR && fstatat(fd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))
			why = ELOOP;
		close(fd);
		if (next < 0)
			return cgh_fail(err, why, "%s/%s: cannot open %s%s", dev, rel, comp,
					why == ELOOP ? " (a symlink: refused)" : "");
		fd = next;
		p += n + 1;
	}
}

int cgh_tty_name(uint64_t tty_nr, char *buf, size_t len)
{
	unsigned major = (unsigned)((tty_nr >> 8) & 0xfff);
	unsigned minor = (unsigned)((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));

	if (major >= 136 && major <= 143)	/* Unix98 pty slaves */
		snprintf(buf, len, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor >= 1 && minor < 64)
		snprintf(buf, len, "tty%u", minor);
	else if (major == 4 && minor >= 64)
		snprintf(buf, len, "ttyS%u", minor - 64);
	else
		return -ENOENT;
	return 0;
}

static int check_device(const struct stat *sb, unsigned uid, const char *dev, const char *rel,
			struct cgh_error *err)
{
	if (S_ISLNK(sb->st_mode))
		return cgh_fail_msg(err, ELOOP, "%s/%s: a symlink: refused", dev, rel);
	if (!S_ISCHR(sb->st_mode))
		return cgh_fail_msg(err, EPERM, "%s/%s: not a character device: refused", dev, rel);
	if (sb->st_uid != uid)
		return cgh_fail_msg(err, EPERM, "%s/%s: owned by uid %u, not the user's %u: refused",
				    dev, rel, (unsigned)sb->st_uid, uid);
	return 0;
}

static bool same_device(const struct stat *sb, uint64_t tty_nr)
{
	unsigned major = (unsigned)((tty_nr >> 8) & 0xfff);
	unsigned minor = (unsigned)((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));

	return tty_nr == 0 || sb->st_rdev == makedev(major, minor);
}

static int open_terminal(const char *dev, const char *rel, unsigned uid, uint64_t rdev,
			 struct cgh_error *err)
{
	struct stat before, after;
	struct termios term;
	const char *last = rel;
	int dirfd = walk_dirs(dev, rel, &last, err);
	int fd = -1, r = 0;

	if (dirfd < 0)
		return dirfd;
	if (fstatat(dirfd, last, &before, AT_SYMLINK_NOFOLLOW) < 0)
		r = cgh_fail(err, errno, "cannot stat %s/%s", dev, rel);
	if (r == 0)
		r = check_device(&before, uid, dev, rel, err);
	if (r == 0 && !same_device(&before, rdev))
		r = cgh_fail_msg(err, EPERM, "%s/%s: not the session's terminal: refused", dev, rel);
	if (r == 0) {
		fd = openat(dirfd, last, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = cgh_fail(err, errno, "cannot open %s/%s", dev, rel);
	}
	if (r == 0 && fstat(fd, &after) < 0)
		r = cgh_fail(err, errno, "cannot stat %s/%s", dev, rel);
	if (r == 0 && (after.st_dev != before.st_dev || after.st_ino != before.st_ino))
		r = cgh_fail_msg(err, EPERM, "%s/%s changed while being opened: refused", dev, rel);
	if (r == 0)
		r = check_device(&after, uid, dev, rel, err);
	if (r == 0 && tcgetattr(fd, &term) < 0)	/* isatty(), on the async-signal-safe list */
		r = cgh_fail_msg(err, ENOTTY, "%s/%s: not a terminal: refused", dev, rel);
	if (r < 0 && fd >= 0)
		close(fd);
	close(dirfd);
	return r < 0 ? r : fd;
}

int cgh_notice_tty_write(const char *dev, const char *tty, unsigned uid, uint64_t rdev,
			 const char *line, struct cgh_error *err)
{
	char text[CGH_NOTICE_LINE_MAX + 8] = "\r\n";
	const char *rel = relative_name(tty);
	size_t len = strnlen(line, CGH_NOTICE_LINE_MAX);
	ssize_t n;
	int fd;

	if (rel == NULL)
		return cgh_fail_msg(err, EINVAL, "terminal \"%s\": not a name under /dev: refused", tty);
	fd = open_terminal(dev, rel, uid, rdev, err);
	if (fd < 0)
		return fd;
	memcpy(text + 2, line, len);	/* no stdio: the reaper writes here too */
	text[len + 2] = '\r';
	text[len + 3] = '\n';
	n = write(fd, text, len + 4);
	close(fd);
	if (n < 0 && errno == EAGAIN)
		return cgh_fail_msg(err, EAGAIN, "%s/%s is full: line dropped", dev, rel);
	if (n < 0)
		return cgh_fail(err, errno, "cannot write to %s/%s", dev, rel);
	return 0;
}
