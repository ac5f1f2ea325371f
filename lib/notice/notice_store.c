/* Notices: the record store, one small file per uid ("user-UID") in a
 * directory only root can enter.  Nothing a user controls is read or
 * followed: the directory and each file are opened without following a
 * symlink and checked on the descriptor; a file is replaced whole (a temp
 * file renamed over it), under an flock on the directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgh_notice.h"
#include "cgh_safe_dir.h"
#include "cgh_safe_open.h"
#include "cgh_value.h"

#define FILE_PREFIX "user-"

/* ---- the directory ----------------------------------------------------------------- */

int cgh_notice_store_open(struct cgh_notice_store *st, const char *dir, bool create,
			  struct cgh_error *err)
{
	int fd;

	st->dirfd = -1;
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	fd = cgh_safe_dir_open(dir, create, err);
	if (fd < 0)
		return fd;
	st->dirfd = fd;
	return 0;
}

void cgh_notice_store_close(struct cgh_notice_store *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->dirfd = -1;
}

static int lock_store(const struct cgh_notice_store *st, struct cgh_error *err)
{
	const struct timespec nap = { 0, 10000000L };	/* 10 ms */

	for (unsigned waited = 0;; waited += 10) {
		if (flock(st->dirfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return cgh_fail(err, errno, "cannot lock %s", st->dir);
		if (waited >= CGH_NOTICE_LOCK_MS)
			return cgh_fail_msg(err, EWOULDBLOCK, "%s stayed locked for %u ms", st->dir,
					    CGH_NOTICE_LOCK_MS);
		nanosleep(&nap, NULL);
	}
}

static void unlock_store(const struct cgh_notice_store *st)
{
	flock(st->dirfd, LOCK_UN);
}

/* ---- one user's file ----------------------------------------------------------------- */

static void file_name(unsigned uid, char *buf, size_t len)
{
	snprintf(buf, len, FILE_PREFIX "%u", uid);
}

static int check_file(const struct stat *sb, const char *dir, const char *name,
		      struct cgh_error *err)
{
	if (!S_ISREG(sb->st_mode))
		return cgh_fail_msg(err, EPERM, "%s/%s: not a regular file: refused", dir, name);
	if (sb->st_uid != geteuid() || (sb->st_mode & 077) != 0 || sb->st_nlink != 1)
		return cgh_fail_msg(err, EPERM,
				    "%s/%s: owner %u, mode %04o, %u links (must be %u, 0600, 1): refused",
				    dir, name, (unsigned)sb->st_uid, (unsigned)(sb->st_mode & 07777),
				    (unsigned)sb->st_nlink, (unsigned)geteuid());
	if (sb->st_size > (off_t)CGH_NOTICE_FILE_MAX)
		return cgh_fail_msg(err, EFBIG, "%s/%s: %lld bytes, more than %u: refused", dir, name,
				    (long long)sb->st_size, CGH_NOTICE_FILE_MAX);
	return 0;
}

/* The file's text (at most CGH_NOTICE_FILE_MAX) into buf; "" when missing. */
static int read_file(const struct cgh_notice_store *st, const char *name, char *buf, size_t len,
		     struct cgh_error *err)
{
	struct stat sb;
	size_t got = 0;
	int fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int r = 0;

	buf[0] = '\0';
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return cgh_fail(err, errno, "cannot open %s/%s%s", st->dir, name,
				errno == ELOOP ? " (a symlink: refused)" : "");
	if (fstat(fd, &sb) < 0)
		r = cgh_fail(err, errno, "cannot stat %s/%s", st->dir, name);
	else
		r = check_file(&sb, st->dir, name, err);
	while (r == 0 && got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = cgh_fail(err, errno, "cannot read %s/%s", st->dir, name);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return r;
}

/* Decodes the lines of text into out (oldest first), at most max. */
static size_t decode_all(const char *text, struct cgh_notice *out, size_t max)
{
	char line[CGH_NOTICE_RECORD_MAX];
	size_t n = 0;

	for (const char *p = text; *p != '\0' && n < max;) {
		size_t l = strcspn(p, "\n");
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			if (cgh_notice_decode(line, &out[n]) == 0)
				n++;
		}
		p += l + (p[l] == '\n');
	}
	return n;
}

static int read_locked(struct cgh_notice_store *st, unsigned uid, struct cgh_notice *out,
		       size_t max, size_t *n, struct cgh_error *err)
{
	char name[32], text[CGH_NOTICE_FILE_MAX + 1];
	int r;

	file_name(uid, name, sizeof(name));
	*n = 0;
	r = read_file(st, name, text, sizeof(text), err);
	if (r == 0)
		*n = decode_all(text, out, max);
	return r;
}

int cgh_notice_read(struct cgh_notice_store *st, unsigned uid, struct cgh_notice *out,
		    size_t max, size_t *n, struct cgh_error *err)
{
	int r = lock_store(st, err);

	*n = 0;
	if (r < 0)
		return r;
	r = read_locked(st, uid, out, max, n, err);
	unlock_store(st);
	return r;
}

/* As many of the newest records as fit CGH_NOTICE_KEEP and len, encoded. */
static size_t encode_newest(const struct cgh_notice *records, size_t n, char *text, size_t len)
{
	char line[CGH_NOTICE_RECORD_MAX];
	size_t first = n > CGH_NOTICE_KEEP ? n - CGH_NOTICE_KEEP : 0;

	for (;; first++) {
		size_t used = 0;
		bool fits = true;

		for (size_t i = first; i < n && fits; i++) {
			int l = cgh_notice_encode(&records[i], line, sizeof(line));
			if (l < 0)
				continue;
			fits = used + (size_t)l < len;
			if (fits) {
				memcpy(text + used, line, (size_t)l);
				used += (size_t)l;
			}
		}
		if (fits) {
			text[used] = '\0';
			return used;
		}
	}
}

/* text as the user's file: a temp file of its own, renamed over it ("" removes it). */
static int replace_file(const struct cgh_notice_store *st, const char *name, const char *text,
			struct cgh_error *err)
{
	char tmp[64];
	int fd, r;

	if (text[0] == '\0') {
		if (unlinkat(st->dirfd, name, 0) < 0 && errno != ENOENT)
			return cgh_fail(err, errno, "cannot remove %s/%s", st->dir, name);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", name, (long)syscall(SYS_gettid));
	unlinkat(st->dirfd, tmp, 0);	/* left by a writer that died */
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cgh_fail(err, errno, "cannot create %s/%s", st->dir, tmp);
	r = cgh_write_all(fd, text, strlen(text));
	if (r == 0 && fdatasync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(st->dirfd, tmp, st->dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(st->dirfd, tmp, 0);
		return cgh_fail(err, -r, "cannot write %s/%s", st->dir, name);
	}
	return 0;
}

static bool among(const struct cgh_notice *n, const struct cgh_notice *v, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (cgh_notice_same(n, &v[i]))
			return true;
	return false;
}

static int add_locked(struct cgh_notice_store *st, const struct cgh_notice *n,
		      struct cgh_error *err)
{
	struct cgh_notice records[CGH_NOTICE_KEEP + 1];
	char name[32], text[CGH_NOTICE_FILE_MAX + 1];
	struct cgh_error why = { 0 };
	size_t count = 0;
	int refused = read_locked(st, n->uid, records, CGH_NOTICE_KEEP, &count, &why);
	int r;

	if (among(n, records, count))
		return 1;
	records[count++] = *n;
	encode_newest(records, count, text, sizeof(text));
	file_name(n->uid, name, sizeof(name));
	r = replace_file(st, name, text, err);
	if (r == 0 && refused < 0) {
		cgh_fail_msg(err, -refused, "%s; replaced it", why.msg);
		return 2;
	}
	return r;
}

int cgh_notice_add(struct cgh_notice_store *st, const struct cgh_notice *n,
		   struct cgh_error *err)
{
	int r = lock_store(st, err);

	if (r < 0)
		return r;
	r = add_locked(st, n, err);
	unlock_store(st);
	return r;
}

/* The user's file without the records gone(records[i], arg); how many went. */
static int remove_locked(struct cgh_notice_store *st, unsigned uid,
			 bool (*gone)(const struct cgh_notice *n, size_t i, const void *arg),
			 const void *arg, struct cgh_error *err)
{
	struct cgh_notice records[CGH_NOTICE_KEEP];
	char name[32], text[CGH_NOTICE_FILE_MAX + 1];
	size_t now = 0, kept = 0;
	int r = read_locked(st, uid, records, CGH_NOTICE_KEEP, &now, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < now; i++)
		if (!gone(&records[i], i, arg))
			records[kept++] = records[i];
	if (kept == now)
		return 0;
	encode_newest(records, kept, text, sizeof(text));
	file_name(uid, name, sizeof(name));
	r = replace_file(st, name, text, err);
	return r < 0 ? r : (int)(now - kept);
}

static int remove_with(struct cgh_notice_store *st, unsigned uid,
		       bool (*gone)(const struct cgh_notice *n, size_t i, const void *arg),
		       const void *arg, struct cgh_error *err)
{
	int r = lock_store(st, err);

	if (r < 0)
		return r;
	r = remove_locked(st, uid, gone, arg, err);
	unlock_store(st);
	return r;
}

struct shown_set {
	const struct cgh_notice *v;
	size_t n;
};

static bool in_set(const struct cgh_notice *n, size_t i, const void *arg)
{
	const struct shown_set *set = arg;

	(void)i;
	return among(n, set->v, set->n);
}

int cgh_notice_remove(struct cgh_notice_store *st, unsigned uid, const struct cgh_notice *shown,
		      size_t n, struct cgh_error *err)
{
	const struct shown_set set = { .v = shown, .n = n };

	return remove_with(st, uid, in_set, &set, err);
}

/* Up to and with last: the index of last in the file, found beforehand. */
static bool up_to(const struct cgh_notice *n, size_t i, const void *arg)
{
	(void)n;
	return i <= *(const size_t *)arg;
}

static int remove_through_locked(struct cgh_notice_store *st, unsigned uid,
				 const struct cgh_notice *last, struct cgh_error *err)
{
	struct cgh_notice records[CGH_NOTICE_KEEP];
	size_t now = 0, at = 0;
	int r = read_locked(st, uid, records, CGH_NOTICE_KEEP, &now, err);

	if (r < 0)
		return r;
	while (at < now && !cgh_notice_same(&records[at], last))
		at++;
	return at == now ? 0 : remove_locked(st, uid, up_to, &at, err);
}

int cgh_notice_remove_through(struct cgh_notice_store *st, unsigned uid,
			      const struct cgh_notice *last, struct cgh_error *err)
{
	int r = lock_store(st, err);

	if (r < 0)
		return r;
	r = remove_through_locked(st, uid, last, err);
	unlock_store(st);
	return r;
}

int cgh_notice_each_user(struct cgh_notice_store *st, int (*fn)(void *arg, unsigned uid),
			 void *arg, struct cgh_error *err)
{
	int fd = openat(st->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return cgh_fail(err, errno, "cannot open %s", st->dir);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return cgh_fail(err, errno, "cannot read %s", st->dir);
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		uint64_t uid;
		if (strncmp(de->d_name, FILE_PREFIX, strlen(FILE_PREFIX)) != 0 ||
		    cgh_parse_u64(de->d_name + strlen(FILE_PREFIX), &uid) < 0 || uid > UINT32_MAX)
			continue;
		r = fn(arg, (unsigned)uid);
	}
	closedir(d);
	return r;
}
