/* The compiled cache of cgherd.conf: names, keys, the header checksum, the
 * cache files, and the loader that uses them (the image itself:
 * lib/cache/cache_write.c, lib/cache/cache_read.c).
 * Cache files live in a directory owned by the euid and closed to others;
 * they are replaced by rename, never written in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config_cache.h"
#include "cgh_config_file.h"
#include "cgh_safe_open.h"

_Static_assert(sizeof(struct cgh_cache_key) == 72, "key: no padding");
_Static_assert(sizeof(struct cgh_cache_rule) == 64, "rule record: no padding");
_Static_assert(sizeof(struct cgh_cache_top) == 96, "top record: no padding");
_Static_assert(sizeof(struct cgh_cache_header) == 240, "header: no padding");
_Static_assert(sizeof(struct cgh_cache_index) == 16, "index entry: no padding");
_Static_assert(sizeof(struct cgh_uid_range) == 8, "uid range: two uint32_t");
#if UINTPTR_MAX == UINT64_MAX
/* A new field in these structs must be cached too: add it to put_config and
 * take_top (or say why not), bump CGH_CACHE_VERSION, then these sizes.
 * Not cached: penalties (only `cgherd watch` and the CLI use them, and
 * neither reads the cache). */
_Static_assert(sizeof(struct cgh_config) == 568, "struct cgh_config changed");
_Static_assert(sizeof(struct cgh_rule) == 232, "struct cgh_rule changed");
/* watch.metrics_file and metrics_interval are not cached: only cgherd watch
 * reads them, and it never uses the cache. */
_Static_assert(sizeof(struct cgh_watch_config) == 72, "struct cgh_watch_config changed");
#endif

/* ---- names, keys, checksum -------------------------------------------- */

void cgh_cache_name(const char *conf_path, char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)conf_path; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	snprintf(buf, len, "cgherd-%016llx.cache", (unsigned long long)h);
}

void cgh_cache_key_make(struct cgh_cache_key *key, const struct stat *st, uint64_t phys_mem)
{
	memset(key, 0, sizeof(*key));
	key->dev = st->st_dev;
	key->ino = st->st_ino;
	key->size = (uint64_t)st->st_size;
	key->mtime_sec = st->st_mtim.tv_sec;
	key->mtime_nsec = st->st_mtim.tv_nsec;
	key->ctime_sec = st->st_ctim.tv_sec;
	key->ctime_nsec = st->st_ctim.tv_nsec;
	key->phys_mem = phys_mem;
	key->uid = st->st_uid;
	key->mode = st->st_mode;
}

/* File timestamps come from the coarse clock (one tick: 1-10 ms): a change
 * within the tick of the read could leave the key as it was.  A file whose
 * ctime is older than the coarse clock is settled: any later change gets a
 * later ctime. */
bool cgh_cache_settled(const struct stat *st)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) < 0)
		return false;
	return now.tv_sec > st->st_ctim.tv_sec ||
	       (now.tv_sec == st->st_ctim.tv_sec && now.tv_nsec > st->st_ctim.tv_nsec);
}

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t mix(uint64_t acc, uint64_t word)
{
	return rotl(acc + word * P2, 31) * P1;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* In the manner of xxHash64 (not compatible): four lanes of 8-byte words.
 * Every step is a bijection of the state for a fixed input and of the
 * input for a fixed state, so a change in any one word always shows. */
uint64_t cgh_cache_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t v0 = P1 + P2, v1 = P2, v2 = 0, v3 = 0 - P1;
	uint64_t h;
	size_t i = 0;

	for (; len - i >= 32; i += 32) {
		v0 = mix(v0, load64(p + i));
		v1 = mix(v1, load64(p + i + 8));
		v2 = mix(v2, load64(p + i + 16));
		v3 = mix(v3, load64(p + i + 24));
	}
	h = rotl(v0, 1) + rotl(v1, 7) + rotl(v2, 12) + rotl(v3, 18) + len;
	for (; len - i >= 8; i += 8)
		h = rotl(h ^ mix(0, load64(p + i)), 27) * P1 + P3;
	for (; i < len; i++)
		h = rotl(h ^ (p[i] * P3), 11) * P1;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	return h ^ (h >> 32);
}

int cgh_cache_seal(void *buf, size_t len, const struct cgh_cache_key *key)
{
	unsigned char *p = buf;
	uint64_t sum;

	if (len < sizeof(struct cgh_cache_header))
		return -EINVAL;
	memcpy(p + offsetof(struct cgh_cache_header, key), key, sizeof(*key));
	sum = cgh_cache_checksum(p + CGH_CACHE_CHECKED_FROM, sizeof(struct cgh_cache_header) - CGH_CACHE_CHECKED_FROM);
	memcpy(p + offsetof(struct cgh_cache_header, checksum), &sum, sizeof(sum));
	return 0;
}

/* ---- files ------------------------------------------------------------ */

/* The cache directory, created (0700) if missing and the euid is 0; it must
 * be a directory owned by the euid with no access for group or others.
 * Returns its fd or -errno. */
static int open_dir(const char *dir, struct cgh_error *err)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd = open(dir, flags);
	int r = 0;

	if (fd < 0 && errno == ENOENT && geteuid() == 0 &&
	    (mkdir(dir, 0700) == 0 || errno == EEXIST))
		fd = open(dir, flags);
	if (fd < 0)
		return cgh_fail(err, errno, "cannot open or create %s", dir);
	if (fstat(fd, &st) < 0)
		r = cgh_fail(err, errno, "cannot stat %s", dir);
	else if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		r = cgh_fail_msg(err, EPERM, "%s: owned by uid %u with mode %04o, not uid %u and 0700",
				 dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
				 (unsigned)geteuid());
	if (r < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return r;
	}
	return fd;
}

/* The cache file name in dirfd into cfg (pending): a regular file owned by
 * the euid, mode 0600, one link, of a bounded size, mapped read-only. */
static int read_cache(int dirfd, const char *name, const struct cgh_cache_key *key,
		      struct cgh_config *cfg, struct cgh_error *err)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd = openat(dirfd, name, flags);
	int r = 0;

	if (fd < 0)
		return cgh_fail(err, errno, "cannot open %s", name);
	if (fstat(fd, &st) < 0)
		r = cgh_fail(err, errno, "cannot stat %s", name);
	else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 07777) != 0600 ||
		 st.st_nlink != 1)
		r = cgh_fail_msg(err, EPERM, "%s: not a regular file of uid %u, mode 0600, one link",
				 name, (unsigned)geteuid());
	else if (st.st_size < (off_t)sizeof(struct cgh_cache_header) ||
		 st.st_size > (off_t)CGH_CACHE_MAX_SIZE)
		r = cgh_fail_msg(err, EFBIG, "%s: %lld bytes", name, (long long)st.st_size);
	if (r == 0)
		r = cgh_cache_map(fd, (size_t)st.st_size, key, cfg, err);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int cgh_cache_forget(const char *dir, const char *conf_path)
{
	char name[40], path[4096];

	cgh_cache_name(conf_path, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return unlink(path) < 0 ? -errno : 0;
}

/* cfg as the cache file name in dirfd: written to a temporary name of this
 * thread's (a leftover of that name is a dead thread's), then renamed over
 * name, so readers see the old file or the new one, never a part. */
static int write_cache(int dirfd, const char *name, const struct cgh_cache_key *key,
		       const struct cgh_config *cfg, struct cgh_error *err)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	unsigned char *buf = NULL;
	size_t len = 0;
	char tmp[64];
	bool made = false;
	int fd = -1;
	int r;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", name, (int)gettid());
	r = cgh_cache_encode(cfg, key, &buf, &len);
	if (r < 0)
		cgh_fail(err, -r, "cannot make %s", name);
	if (r == 0) {
		unlinkat(dirfd, tmp, 0);
		fd = openat(dirfd, tmp, flags, 0600);
		if (fd < 0)
			r = cgh_fail(err, errno, "cannot create %s", tmp);
	}
	made = fd >= 0;
	if (r == 0 && fchmod(fd, 0600) < 0)
		r = cgh_fail(err, errno, "cannot chmod %s", tmp);
	if (r == 0 && (r = cgh_write_all(fd, buf, len)) < 0)
		cgh_fail(err, -r, "cannot write %s", tmp);
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = cgh_fail(err, errno, "cannot write %s", tmp);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = cgh_fail(err, errno, "cannot rename %s to %s", tmp, name);
	else if (r == 0)
		made = false;
	int saved = errno;
	if (made)
		unlinkat(dirfd, tmp, 0);
	free(buf);
	errno = saved;
	return r;
}

/* ---- the loader's side ------------------------------------------------ */

void cgh_cache_begin(struct cgh_cache *c, const char *dir, const struct cgh_log *log,
		     const char *conf_path, const struct stat *st, uint64_t phys_mem)
{
	struct cgh_error err = { 0 };

	memset(c, 0, sizeof(*c));
	c->log = log;
	cgh_cache_name(conf_path, c->name, sizeof(c->name));
	cgh_cache_key_make(&c->key, st, phys_mem);
	c->settled = cgh_cache_settled(st);
	c->dirfd = open_dir(dir, &err);
	if (c->dirfd < 0)
		cgh_logf(log, LOG_DEBUG, "config cache not used: %s", err.msg);
}

int cgh_cache_get(struct cgh_cache *c, struct cgh_config *cfg)
{
	struct cgh_error err = { 0 };
	int r;

	if (c->dirfd < 0)
		return -EBADF;
	r = read_cache(c->dirfd, c->name, &c->key, cfg, &err);
	if (r == 0)
		cgh_logf(c->log, LOG_DEBUG, "configuration from cache %s", c->name);
	else
		cgh_logf(c->log, LOG_DEBUG, "config cache %s not used, parsing: %s", c->name, err.msg);
	return r;
}

void cgh_cache_put(struct cgh_cache *c, const struct cgh_config *cfg)
{
	struct cgh_error err = { 0 };

	if (c->dirfd < 0)
		return;
	if (!c->settled)
		cgh_logf(c->log, LOG_DEBUG, "config cache %s not written: the file changed just now",
			 c->name);
	else if (write_cache(c->dirfd, c->name, &c->key, cfg, &err) < 0)
		cgh_logf(c->log, LOG_DEBUG, "config cache %s not written: %s", c->name, err.msg);
	else
		cgh_logf(c->log, LOG_DEBUG, "config cache %s written", c->name);
}

void cgh_cache_end(struct cgh_cache *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}


int cgh_config_load_cached(const char *path, int argc, const char **argv, uint64_t phys_mem,
			   const char *cache_dir, const struct cgh_log *log,
			   struct cgh_config **out, struct cgh_diag *diag)
{
	struct cgh_cache cache = { .dirfd = -1 };
	struct cgh_config_file f;
	int r = cgh_config_file_open(&f, path, argc, argv, phys_mem, diag);

	if (r == 0 && cache_dir != NULL)
		cgh_cache_begin(&cache, cache_dir, log, f.cfg->path, &f.st, f.phys_mem);
	if (r == 0 && cgh_cache_get(&cache, f.cfg) < 0) {
		r = cgh_config_file_parse(&f);
		if (r == 0)
			cgh_cache_put(&cache, f.cfg);
	}
	cgh_cache_end(&cache);
	return cgh_config_file_finish(&f, r, argc, argv, out);
}
