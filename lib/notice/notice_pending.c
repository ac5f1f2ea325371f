/* A notice prepared in the host and written by another process later (see
 * cgh_notice_pending.h).  cgh_notice_pending_prepare runs in the host;
 * cgh_notice_pending_write and everything it calls use system calls and
 * string functions only: no malloc, no stdio, no locks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgh_notice.h"
#include "cgh_notice_pending.h"
#include "cgh_safe_open.h"

_Static_assert(CGH_NOTICE_PENDING_LINE == CGH_NOTICE_RECORD_MAX, "one record's bound");
_Static_assert(CGH_NOTICE_PENDING_SAY == CGH_NOTICE_LINE_MAX, "one line's bound");
_Static_assert(CGH_NOTICE_PENDING_TTYS == CGH_TERMINALS_MAX, "the terminals' bound");
_Static_assert(sizeof(((struct cgh_notice_pending *)0)->ttys[0].name) ==
	       sizeof(((struct cgh_terminal *)0)->name), "a terminal's name");

/* ---- in the host ---------------------------------------------------------------------- */

static int prepare_record(const struct cgh_notifier *nf, const struct cgh_notice *n,
			  struct cgh_notice_pending *p, struct cgh_error *err)
{
	struct cgh_notice_store st;
	struct cgh_notice rec = *n;
	int r;

	rec.when = CGH_UNKNOWN;	/* both left out: the writer appends them */
	rec.killed = CGH_UNKNOWN;
	r = cgh_notice_encode(&rec, p->line, sizeof(p->line));
	if (r < 0)
		return cgh_fail_msg(err, -r, "notice for uid=%u too long to record", n->uid);
	p->line[strcspn(p->line, "\n")] = '\0';
	r = cgh_notice_store_open(&st, nf->dir, true, err);	/* made, and checked now */
	cgh_notice_store_close(&st);
	if (r < 0)
		return r;
	snprintf(p->dir, sizeof(p->dir), "%s", nf->dir);
	snprintf(p->file, sizeof(p->file), "user-%u", n->uid);
	return 0;
}

/* A count no wording has otherwise: where the writer puts the real one. */
#define SAY_MANY 987654321987ull
#define SAY_MANY_TEXT "987654321987"

/* The line for the terminals, in its two wordings (one process, N), with
 * close's time for the session's end; the terminals of the user's other
 * live sessions as they are now. */
static void prepare_ttys(const struct cgh_notifier *nf, const struct cgh_fs *fs, const char *leaf,
			 const struct cgh_notice *n, struct cgh_notice_pending *p)
{
	struct cgh_terminal terms[CGH_TERMINALS_MAX];
	struct cgh_notice say = *n;
	char user_dir[CGH_TERMINAL_LEAF];
	const char *slash = strrchr(leaf, '/'), *at;
	size_t count;

	if (slash == NULL)
		return;
	snprintf(user_dir, sizeof(user_dir), "%.*s", (int)(slash - leaf), leaf);
	count = cgh_notice_terminals(fs, user_dir, n->leaf, terms, CGH_TERMINALS_MAX);
	say.killed = 1;
	cgh_notice_describe(&say, nf->help, say.when, p->say_one, sizeof(p->say_one));
	say.killed = SAY_MANY;
	cgh_notice_describe(&say, nf->help, say.when, p->say_pre, sizeof(p->say_pre));
	at = strstr(p->say_pre, SAY_MANY_TEXT);
	if (at == NULL)
		return;
	snprintf(p->say_post, sizeof(p->say_post), "%s", at + strlen(SAY_MANY_TEXT));
	p->say_pre[at - p->say_pre] = '\0';
	for (size_t i = 0; i < count; i++) {
		memcpy(p->ttys[i].name, terms[i].name, sizeof(p->ttys[i].name));
		p->ttys[i].rdev = terms[i].rdev;
	}
	snprintf(p->dev, sizeof(p->dev), "%s", nf->dev);
	p->uid = n->uid;
	p->n_ttys = (unsigned)count;
}

int cgh_notice_pending_prepare(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			       const char *leaf, unsigned uid, enum cgh_notice_kind kind,
			       struct cgh_notice_pending *p, struct cgh_error *err)
{
	struct cgh_notice n;
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (nf == NULL)
		return 0;
	cgh_notice_for_leaf(fs, leaf, uid, kind, &n);
	if (nf->at_login)
		r = prepare_record(nf, &n, p, err);
	if (nf->tty)
		prepare_ttys(nf, fs, leaf, &n, p);
	return r;
}

/* ---- in the writer: system calls only --------------------------------------------------- */

static size_t add(char *buf, size_t used, size_t len, const char *text)
{
	size_t n = strlen(text);

	if (used + n >= len)
		return len;	/* full */
	memcpy(buf + used, text, n + 1);
	return used + n;
}

static size_t add_num(char *buf, size_t used, size_t len, uint64_t v)
{
	char digits[24];
	size_t i = sizeof(digits) - 1;

	digits[i] = '\0';
	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && i > 0);
	return add(buf, used, len, digits + i);
}

/* The store as cgh_notice_store_open accepts it: the last component not
 * a symlink, a directory of the euid's without group or other access. */
static int open_dir(const char *dir)
{
	struct stat sb;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 077) != 0) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int lock_dir(int dirfd)
{
	const struct timespec nap = { 0, 10000000L };	/* 10 ms */

	for (unsigned waited = 0;; waited += 10) {
		if (flock(dirfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (waited >= CGH_NOTICE_LOCK_MS)
			return -EWOULDBLOCK;
		nanosleep(&nap, NULL);
	}
}

/* The user's file as cgh_notice_read accepts it, into buf; "" when missing
 * or refused (it is then replaced). */
static void read_old(const struct cgh_notice_pending *p, int dirfd, char *buf, size_t len)
{
	struct stat sb;
	size_t got = 0;
	int fd = openat(dirfd, p->file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
	    (sb.st_mode & 077) == 0 && sb.st_nlink == 1 && sb.st_size <= (off_t)CGH_NOTICE_FILE_MAX)
		while (got + 1 < len) {
			ssize_t n = read(fd, buf + got, len - 1 - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	buf[got] = '\0';
	close(fd);
}

/* Where the lines of old to keep begin, so that with one more line of
 * extra bytes there are at most CGH_NOTICE_KEEP within CGH_NOTICE_FILE_MAX;
 * a last line without its '\n' is cut off. */
static const char *keep_from(char *old, size_t extra)
{
	char *last = strrchr(old, '\n');
	size_t lines = 0;
	char *p = old;

	if (last == NULL) {
		old[0] = '\0';
		return old;
	}
	last[1] = '\0';
	for (const char *q = old; *q != '\0'; q++)
		lines += *q == '\n';
	while (*p != '\0' && (lines + 1 > CGH_NOTICE_KEEP || strlen(p) + extra > CGH_NOTICE_FILE_MAX)) {
		p = strchr(p, '\n') + 1;
		lines--;
	}
	return p;
}

static int replace(const struct cgh_notice_pending *p, int dirfd, const char *kept,
		   const char *line)
{
	char tmp[64];
	size_t used = add(tmp, 0, sizeof(tmp), p->file);
	int fd, r;

	used = add(tmp, used, sizeof(tmp), ".tmp-");
	add_num(tmp, used, sizeof(tmp), (uint64_t)getpid());
	unlinkat(dirfd, tmp, 0);	/* left by a writer that died */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = cgh_write_all(fd, kept, strlen(kept));
	if (r == 0)
		r = cgh_write_all(fd, line, strlen(line));
	if (r == 0 && fdatasync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, p->file) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

static int write_record(const struct cgh_notice_pending *p, uint64_t when, uint64_t killed)
{
	char line[CGH_NOTICE_RECORD_MAX], old[CGH_NOTICE_FILE_MAX + 1];
	size_t used;
	int dirfd, r;

	used = add(line, 0, sizeof(line), p->line);
	used = add(line, used, sizeof(line), " when=");
	used = add_num(line, used, sizeof(line), when);
	used = add(line, used, sizeof(line), " killed=");
	used = add_num(line, used, sizeof(line), killed);
	used = add(line, used, sizeof(line), "\n");
	if (used >= sizeof(line))
		return -ENOSPC;
	dirfd = open_dir(p->dir);
	if (dirfd < 0)
		return dirfd;
	r = lock_dir(dirfd);
	if (r == 0) {
		read_old(p, dirfd, old, sizeof(old));
		r = replace(p, dirfd, keep_from(old, used), line);
	}
	close(dirfd);	/* and the lock with it */
	return r;
}

static void tell_terminals(const struct cgh_notice_pending *p, uint64_t killed)
{
	char line[CGH_NOTICE_LINE_MAX];
	size_t used = 0;

	if (killed == 1) {
		used = add(line, used, sizeof(line), p->say_one);
	} else {
		used = add(line, used, sizeof(line), p->say_pre);
		used = add_num(line, used, sizeof(line), killed);
		used = add(line, used, sizeof(line), p->say_post);
	}
	if (used >= sizeof(line))
		return;
	for (unsigned i = 0; i < p->n_ttys; i++)
		cgh_notice_tty_write(p->dev, p->ttys[i].name, p->uid, p->ttys[i].rdev, line, NULL);
}

int cgh_notice_pending_write(const struct cgh_notice_pending *p, uint64_t when, uint64_t killed)
{
	int r = p->dir[0] != '\0' ? write_record(p, when, killed) : 0;

	if (killed > 0 && p->n_ttys > 0)
		tell_terminals(p, killed);
	return r;
}
