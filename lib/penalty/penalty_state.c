/* The penalties' state file (cgh_penalty_state.h): the format, then the
 * safe directory, the lock and the file itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgh_penalty_state.h"
#include "cgh_safe_dir.h"
#include "cgh_safe_open.h"
#include "cgh_value.h"

#define HEADER "cgherd-penalties 1"
#define FIELDS 13
#define LINE_MAX_LEN 400u
#define LOCK_STEP_MS 10u

/* ---- the format ------------------------------------------------------------ */

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CGH_PENALTY_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

bool cgh_penalty_dir_ok(const char *dir, unsigned uid, enum cgh_penalty_how how)
{
	char want[64];
	const char *slash = strrchr(dir, '/');
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(((struct cgh_penalty_record *)0)->dir) || slash == NULL ||
	    slash == dir || strchr(dir, '/') != slash || strstr(dir, "..") != NULL ||
	    strspn(dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") != n ||
	    dir[0] == '.')
		return false;
	if (how == CGH_PENALTY_SYSTEMD) {
		snprintf(want, sizeof(want), "user.slice/user-%u.slice", uid);
		return strcmp(dir, want) == 0;
	}
	snprintf(want, sizeof(want), "user-%u", uid);
	return strcmp(slash + 1, want) == 0;
}

/* Splits line (modified) at single spaces into at most max fields. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *p = line; p != NULL && n < max + 1;) {
		char *sp = strchr(p, ' ');
		if (n == max)
			return max + 1;		/* too many */
		f[n++] = p;
		if (sp != NULL)
			*sp++ = '\0';
		p = sp;
	}
	return n;
}

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	return cgh_parse_u64(s, out) == 0 && *out <= max;
}

static bool parse_fields(char **f, struct cgh_penalty_record *r)
{
	uint64_t v[11];
	static const uint64_t max[11] = { UINT32_MAX - 1, 0, 1, CGH_PENALTY_TIERS_MAX - 1,
					  UINT64_MAX, UINT64_MAX, CGH_PENALTY_KEYS, UINT64_MAX,
					  UINT64_MAX, UINT64_MAX, UINT64_MAX };

	for (int i = 0; i < 11; i++)
		if (i != 1 && !number(f[i], max[i], &v[i]))
			return false;
	if (strcmp(f[1], "f") != 0 && strcmp(f[1], "s") != 0)
		return false;
	if (!name_ok(f[12]) || strlen(f[11]) >= sizeof(r->dir))
		return false;
	*r = (struct cgh_penalty_record){
		.uid = (unsigned)v[0], .how = f[1][0] == 's' ? CGH_PENALTY_SYSTEMD : CGH_PENALTY_FS,
		.active = v[2] == 1, .tier = (unsigned)v[3], .start = v[4], .until = v[5],
		.keys = (unsigned)v[6],
		.before = { v[7], v[8], v[9], v[10] },
	};
	snprintf(r->dir, sizeof(r->dir), "%s", f[11]);
	snprintf(r->name, sizeof(r->name), "%s", f[12]);
	return cgh_penalty_dir_ok(r->dir, r->uid, r->how);
}

/* What can still be read of a damaged line: uid, how and directory. */
static bool salvage(char **f, size_t nf, struct cgh_penalty_record *r)
{
	uint64_t uid;
	enum cgh_penalty_how how;

	if (nf < 12 || !number(f[0], UINT32_MAX - 1, &uid) || strlen(f[1]) != 1 ||
	    (f[1][0] != 'f' && f[1][0] != 's'))
		return false;
	how = f[1][0] == 's' ? CGH_PENALTY_SYSTEMD : CGH_PENALTY_FS;
	if (!cgh_penalty_dir_ok(f[11], (unsigned)uid, how))
		return false;
	*r = (struct cgh_penalty_record){ .uid = (unsigned)uid, .how = how, .active = true,
					  .keys = CGH_PENALTY_KEYS, .before_lost = true };
	snprintf(r->dir, sizeof(r->dir), "%s", f[11]);
	snprintf(r->name, sizeof(r->name), "%s", nf > 12 && name_ok(f[12]) ? f[12] : "?");
	return true;
}

/* One line into recs[*n] (room for it is there); false: damaged. */
static bool parse_line(const char *line, size_t len, struct cgh_penalty_record *recs, size_t *n)
{
	char copy[LINE_MAX_LEN + 1], *f[FIELDS + 1];
	size_t nf;

	if (len > LINE_MAX_LEN)
		return false;
	memcpy(copy, line, len);
	copy[len] = '\0';
	nf = split(copy, f, FIELDS);
	if (nf == FIELDS && parse_fields(f, &recs[*n])) {
		(*n)++;
		return true;
	}
	if (salvage(f, nf > FIELDS ? FIELDS : nf, &recs[*n]))
		(*n)++;
	return false;
}

/* "end N" with N the records before it. */
static bool end_line(const char *line, size_t len, size_t lines)
{
	char text[32];
	uint64_t v;

	if (len < 5 || len >= sizeof(text) || strncmp(line, "end ", 4) != 0)
		return false;
	memcpy(text, line + 4, len - 4);
	text[len - 4] = '\0';
	return cgh_parse_u64(text, &v) == 0 && v == lines;
}

int cgh_penalty_state_parse(const char *text, struct cgh_penalty_record **recs, size_t *n,
			    size_t *damaged)
{
	struct cgh_penalty_record *r = calloc(CGH_PENALTY_RECORDS_MAX, sizeof(*r));
	size_t lines = 0;
	bool header = false, end = false;

	*recs = NULL;
	*n = *damaged = 0;
	if (r == NULL)
		return -ENOMEM;
	for (const char *p = text != NULL ? text : ""; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		if (!header && lines == 0 && len == strlen(HEADER) && strncmp(p, HEADER, len) == 0) {
			header = true;
		} else if (end_line(p, len, lines)) {
			end = true;
		} else if (len > 0 || p[len] != '\0') {
			lines++;
			if (end || *n >= CGH_PENALTY_RECORDS_MAX || !parse_line(p, len, r, n))
				(*damaged)++;
		}
		p += len + (p[len] == '\n');
	}
	if (!header || !end)
		(*damaged)++;
	*recs = r;
	return 0;
}

int cgh_penalty_state_format(const struct cgh_penalty_record *recs, size_t n, char **out)
{
	size_t cap = (n + 2) * (LINE_MAX_LEN + 1) + 64, used = 0;
	char *buf;

	*out = NULL;
	if (n > CGH_PENALTY_RECORDS_MAX)
		return -E2BIG;
	buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	used += (size_t)snprintf(buf, cap, HEADER "\n");
	for (size_t i = 0; i < n; i++) {
		const struct cgh_penalty_record *r = &recs[i];
		used += (size_t)snprintf(buf + used, cap - used,
					 "%u %c %d %u %llu %llu %u %llu %llu %llu %llu %s %s\n", r->uid,
					 r->how == CGH_PENALTY_SYSTEMD ? 's' : 'f', r->active ? 1 : 0,
					 r->tier, (unsigned long long)r->start,
					 (unsigned long long)r->until, r->keys,
					 (unsigned long long)r->before[0], (unsigned long long)r->before[1],
					 (unsigned long long)r->before[2], (unsigned long long)r->before[3],
					 r->dir, r->name);
	}
	snprintf(buf + used, cap - used, "end %zu\n", n);
	*out = buf;
	return 0;
}

/* ---- the directory and the lock ----------------------------------------------- */

int cgh_penalty_store_open(struct cgh_penalty_store *st, const char *dir, bool create,
			   struct cgh_error *err)
{
	int fd;

	st->dirfd = st->lockfd = -1;
	snprintf(st->dir, sizeof(st->dir), "%s", dir != NULL ? dir : CGH_STATE_DIR);
	fd = cgh_safe_dir_open(st->dir, create, err);
	if (fd < 0)
		return fd;
	st->dirfd = fd;
	return 0;
}

void cgh_penalty_store_close(struct cgh_penalty_store *st)
{
	cgh_penalty_store_unlock(st);
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->dirfd = -1;
}

int cgh_penalty_store_lock(struct cgh_penalty_store *st, unsigned timeout_ms,
			   struct cgh_error *err)
{
	const struct timespec step = { 0, LOCK_STEP_MS * 1000000L };
	unsigned waited = 0;
	int fd = openat(st->dirfd, CGH_PENALTY_LOCK_FILE,
			O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);

	if (fd < 0)
		return cgh_fail(err, errno, "cannot open %s/%s", st->dir, CGH_PENALTY_LOCK_FILE);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EWOULDBLOCK && waited < timeout_ms) {
			nanosleep(&step, NULL);
			waited += LOCK_STEP_MS;
			continue;
		}
		close(fd);
		return e == EWOULDBLOCK ? cgh_fail_msg(err, EWOULDBLOCK, "%s/%s: held by another for %u ms",
						       st->dir, CGH_PENALTY_LOCK_FILE, timeout_ms)
					: cgh_fail(err, e, "cannot lock %s/%s", st->dir,
						   CGH_PENALTY_LOCK_FILE);
	}
	st->lockfd = fd;
	return 0;
}

void cgh_penalty_store_unlock(struct cgh_penalty_store *st)
{
	if (st->lockfd >= 0)
		close(st->lockfd);
	st->lockfd = -1;
}

/* ---- the file ------------------------------------------------------------------ */

static int check_file(int fd, const char *dir, struct stat *st, struct cgh_error *err)
{
	if (fstat(fd, st) < 0)
		return cgh_fail(err, errno, "cannot stat %s/%s", dir, CGH_PENALTY_STATE_FILE);
	if (!S_ISREG(st->st_mode) || st->st_uid != geteuid() || (st->st_mode & 077) ||
	    st->st_nlink != 1)
		return cgh_fail_msg(err, EPERM,
				    "%s/%s refused: must be a regular file of uid %u, mode 0600, one link (is uid %u, mode %04o, %u links)",
				    dir, CGH_PENALTY_STATE_FILE, (unsigned)geteuid(),
				    (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777),
				    (unsigned)st->st_nlink);
	if (st->st_size > (off_t)CGH_PENALTY_STATE_MAX_SIZE)
		return cgh_fail_msg(err, EFBIG, "%s/%s refused: %lld bytes, more than %u", dir,
				    CGH_PENALTY_STATE_FILE, (long long)st->st_size,
				    CGH_PENALTY_STATE_MAX_SIZE);
	return 0;
}

static int read_text(int fd, size_t size, char **out)
{
	char *buf = malloc(size + 1);
	size_t got = 0;

	if (buf == NULL)
		return -ENOMEM;
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	for (size_t i = 0; i < got; i++)	/* a NUL ends the text: the rest counts as damage */
		if (buf[i] == '\0') {
			buf[i] = '\n';
			buf[i + 1 < got ? i + 1 : i] = '\0';
			break;
		}
	*out = buf;
	return 0;
}

int cgh_penalty_store_read(const struct cgh_penalty_store *st, struct cgh_penalty_record **recs,
			   size_t *n, size_t *damaged, struct cgh_error *err)
{
	struct stat sb;
	char *text = NULL;
	int fd = openat(st->dirfd, CGH_PENALTY_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int r;

	*recs = NULL;
	*n = *damaged = 0;
	if (fd < 0) {
		r = -errno;
		if (r != -ENOENT)
			cgh_fail(err, -r, "cannot open %s/%s", st->dir, CGH_PENALTY_STATE_FILE);
		return r;
	}
	r = check_file(fd, st->dir, &sb, err);
	if (r == 0 && read_text(fd, (size_t)sb.st_size, &text) < 0)
		r = cgh_fail(err, ENOMEM, "reading %s/%s", st->dir, CGH_PENALTY_STATE_FILE);
	if (r == 0 && cgh_penalty_state_parse(text, recs, n, damaged) < 0)
		r = cgh_fail(err, ENOMEM, "reading %s/%s", st->dir, CGH_PENALTY_STATE_FILE);
	free(text);
	close(fd);
	return r;
}

int cgh_penalty_store_write(const struct cgh_penalty_store *st,
			    const struct cgh_penalty_record *recs, size_t n, struct cgh_error *err)
{
	char tmp[64], *text = NULL;
	int fd = -1, r = cgh_penalty_state_format(recs, n, &text);

	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", CGH_PENALTY_STATE_FILE, (int)getpid());
	if (r < 0) {
		cgh_fail(err, -r, "%zu penalty records", n);
		goto done;
	}
	unlinkat(st->dirfd, tmp, 0);
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = cgh_fail(err, errno, "cannot create %s/%s", st->dir, tmp);
		goto done;
	}
	r = cgh_write_all(fd, text, strlen(text));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && close(fd) < 0)
		r = -errno;
	fd = -1;
	if (r == 0 && renameat(st->dirfd, tmp, st->dirfd, CGH_PENALTY_STATE_FILE) < 0)
		r = -errno;
	if (r < 0) {
		cgh_fail(err, -r, "cannot write %s/%s", st->dir, CGH_PENALTY_STATE_FILE);
		unlinkat(st->dirfd, tmp, 0);
	}
done:
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}

uint64_t cgh_penalty_store_stamp(const struct cgh_penalty_store *st)
{
	struct stat sb;
	uint64_t h = 1469598103934665603ull;

	if (fstatat(st->dirfd, CGH_PENALTY_STATE_FILE, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	const uint64_t v[] = { (uint64_t)sb.st_dev, (uint64_t)sb.st_ino, (uint64_t)sb.st_size,
			       (uint64_t)sb.st_mtim.tv_sec, (uint64_t)sb.st_mtim.tv_nsec };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 1099511628211ull;	/* FNV-1a over the fields */
	return h ? h : 1;
}
