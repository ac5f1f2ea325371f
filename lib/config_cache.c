/* The compiled cache of cgherd.conf: image codec and file I/O.
 *
 * The writer walks the config twice with one function, first counting, then
 * filling one zeroed buffer.  The reader checks the header, the key, the
 * section sizes and the checksum, then builds the whole config in one
 * allocation (the arena: rules, string pointers, uid ranges, a copy of the
 * string pool) and hands it over only when every record passed its checks.
 * Cache files live in a directory owned by the euid and closed to others;
 * they are replaced by rename, never written in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config_cache.h"

_Static_assert(sizeof(struct cgh_cache_key) == 72, "key: no padding");
_Static_assert(sizeof(struct cgh_cache_rule) == 64, "rule record: no padding");
_Static_assert(sizeof(struct cgh_cache_top) == 80, "top record: no padding");
_Static_assert(sizeof(struct cgh_cache_header) == 208, "header: no padding");
_Static_assert(sizeof(struct cgh_uid_range) == 8, "uid range: two uint32_t");
#if UINTPTR_MAX == UINT64_MAX
/* A new field in these structs must be cached too: add it to put_config and
 * take_top (or say why not), bump CGH_CACHE_VERSION, then these sizes. */
_Static_assert(sizeof(struct cgh_config) == 272, "struct cgh_config changed");
_Static_assert(sizeof(struct cgh_rule) == 232, "struct cgh_rule changed");
_Static_assert(sizeof(struct cgh_watch_config) == 56, "struct cgh_watch_config changed");
#endif

#define CHECKED_FROM offsetof(struct cgh_cache_header, size)
#define POPULATE_MIN (64u << 10)

/* malloc, with the pages of a large block made present in one call
 * (MADV_POPULATE_WRITE, Linux 5.14; where it fails, they fault in one by
 * one as usual).  In a VM a page fault costs microseconds, and a cached
 * load is otherwise mostly page faults. */
static void *alloc_populated(size_t size)
{
	void *p = malloc(size);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (p != NULL && size >= POPULATE_MIN && page > 0) {
		uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
		uintptr_t hi = ((uintptr_t)p + size) & ~(page - 1);

		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
	}
	return p;
}

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
	sum = cgh_cache_checksum(p + CHECKED_FROM, len - CHECKED_FROM);
	memcpy(p + offsetof(struct cgh_cache_header, checksum), &sum, sizeof(sum));
	return 0;
}

/* ---- writer ----------------------------------------------------------- */

struct writer {
	unsigned char *buf;	/* NULL: the counting pass */
	size_t rules_at, refs_at, uids_at, values_at, pool_at;
	size_t n_refs, n_uids, n_values, pool_len;
};

static void put_bytes(struct writer *w, size_t at, const void *p, size_t n)
{
	if (w->buf != NULL)
		memcpy(w->buf + at, p, n);
}

static struct cgh_cache_str put_str(struct writer *w, const char *s)
{
	size_t n = strlen(s);
	struct cgh_cache_str out = { (uint32_t)w->pool_len, (uint32_t)n };

	put_bytes(w, w->pool_at + w->pool_len, s, n + 1);
	w->pool_len += n + 1;
	return out;
}

static struct cgh_cache_list put_refs(struct writer *w, char *const *v, size_t n)
{
	struct cgh_cache_list out = { (uint32_t)w->n_refs, (uint32_t)n };

	for (size_t i = 0; i < n; i++) {
		struct cgh_cache_str s = put_str(w, v[i]);

		put_bytes(w, w->refs_at + w->n_refs++ * sizeof(s), &s, sizeof(s));
	}
	return out;
}

static struct cgh_cache_list put_uids(struct writer *w, const struct cgh_uid_range *u, size_t n)
{
	struct cgh_cache_list out = { (uint32_t)w->n_uids, (uint32_t)n };

	for (size_t i = 0; i < n; i++) {
		const uint32_t pair[2] = { u[i].lo, u[i].hi };

		put_bytes(w, w->uids_at + w->n_uids++ * sizeof(pair), pair, sizeof(pair));
	}
	return out;
}

static void put_value(struct writer *w, uint64_t v)
{
	put_bytes(w, w->values_at + w->n_values++ * sizeof(v), &v, sizeof(v));
}

static struct cgh_cache_limits put_limits(struct writer *w, const struct cgh_limits *l)
{
	struct cgh_cache_limits out = { l->set, (uint32_t)w->n_values };

	for (int k = 0; k < CGH_N_LIMITS; k++)
		if (cgh_limits_has(l, (enum cgh_limit_key)k))
			put_value(w, l->value[k]);
	if (cgh_limits_has(l, CGH_CPU_MAX))
		put_value(w, l->cpu_period);
	return out;
}

static void put_rule(struct writer *w, size_t i, const struct cgh_rule *r)
{
	struct cgh_cache_rule out = { .line = r->line, .action = (uint32_t)r->action };

	out.name = put_str(w, r->name);
	out.users = put_refs(w, r->match.users.v, r->match.users.n);
	out.groups = put_refs(w, r->match.groups.v, r->match.groups.n);
	out.services = put_refs(w, r->match.services.v, r->match.services.n);
	out.uids = put_uids(w, r->match.uids, r->match.n_uids);
	out.session = put_limits(w, &r->session);
	out.user = put_limits(w, &r->user);
	put_bytes(w, w->rules_at + i * sizeof(out), &out, sizeof(out));
}

static size_t argv_len(char *const *argv)
{
	size_t n = 0;

	while (argv != NULL && argv[n] != NULL)
		n++;
	return n;
}

static void put_config(struct writer *w, const struct cgh_config *cfg, struct cgh_cache_top *t)
{
	const struct cgh_watch_config *wc = &cfg->watch;

	for (size_t i = 0; i < cfg->n_rules; i++)
		put_rule(w, i, &cfg->rules[i]);
	memset(t, 0, sizeof(*t));
	t->cgroup_root = put_str(w, cfg->cgroup_root);
	t->base = put_str(w, cfg->base);
	t->session = put_limits(w, &cfg->session);
	t->user = put_limits(w, &cfg->user);
	t->on_oom = put_refs(w, wc->on_oom, argv_len(wc->on_oom));	/* last of the refs */
	t->on_error = (uint8_t)cfg->on_error;
	t->kill_on_close = cfg->kill_on_close;
	t->default_action = (uint8_t)cfg->default_action;
	t->backend = (uint8_t)cfg->backend;
	t->move_from_logind = cfg->move_from_logind;
	t->pressure_guard = wc->pressure_guard;
	t->pressure_kill = wc->pressure_kill;
	t->reclaim_percent = wc->reclaim_percent;
	t->reclaim_interval = wc->reclaim_interval;
	t->reclaim_cooldown = wc->reclaim_cooldown;
	t->pressure_stall_us = wc->pressure_stall_us;
	t->pressure_window_us = wc->pressure_window_us;
	t->pressure_grace = wc->pressure_grace;
	t->reclaim_bytes = wc->reclaim_bytes;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int cgh_cache_encode(const struct cgh_config *cfg, const struct cgh_cache_key *key,
		     unsigned char **out, size_t *len)
{
	struct cgh_cache_header h = { .version = CGH_CACHE_VERSION, .layout = CGH_CACHE_LAYOUT };
	struct writer w = { 0 };
	size_t pool, size;

	*out = NULL;
	*len = 0;
	put_config(&w, cfg, &h.top);
	pool = align8(w.pool_len);
	size = sizeof(h) + cfg->n_rules * sizeof(struct cgh_cache_rule) +
	       (w.n_refs + w.n_uids + w.n_values) * 8 + pool;
	if (size > CGH_CACHE_MAX_SIZE)	/* and so every count fits in 32 bits */
		return -EFBIG;
	memcpy(h.magic, CGH_CACHE_MAGIC, sizeof(h.magic));
	h.size = size;
	h.n_rules = (uint32_t)cfg->n_rules;
	h.n_refs = (uint32_t)w.n_refs;
	h.n_uids = (uint32_t)w.n_uids;
	h.n_values = (uint32_t)w.n_values;
	h.pool_len = (uint32_t)pool;

	w = (struct writer){ .buf = calloc(1, size) };
	if (w.buf == NULL)
		return -ENOMEM;
	w.rules_at = sizeof(h);
	w.refs_at = w.rules_at + h.n_rules * sizeof(struct cgh_cache_rule);
	w.uids_at = w.refs_at + h.n_refs * sizeof(struct cgh_cache_str);
	w.values_at = w.uids_at + h.n_uids * sizeof(struct cgh_uid_range);
	w.pool_at = w.values_at + h.n_values * sizeof(uint64_t);
	put_config(&w, cfg, &h.top);
	memcpy(w.buf, &h, sizeof(h));
	cgh_cache_seal(w.buf, size, key);
	*out = w.buf;
	*len = size;
	return 0;
}

/* ---- reader ----------------------------------------------------------- */

struct reader {
	const unsigned char *buf;
	struct cgh_cache_header h;
	size_t rules_at, refs_at, uids_at, values_at, pool_at;
	char *pool;			/* the copy in the arena */
	char **ptrs;			/* n_refs + 1, the last NULL */
	struct cgh_uid_range *uids;
	struct cgh_error *err;
};

static void refuse(struct reader *rd, const char *fmt, ...) CGH_PRINTF(2, 3);
static void refuse(struct reader *rd, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cgh_fail_msg(rd->err, EINVAL, "refused: %s", what);
}

/* -EINVAL, with why in rd->err (a macro: the analyzer sees the value). */
#define ODD(rd, ...) (refuse((rd), __VA_ARGS__), -EINVAL)

static int check_header(struct reader *rd, size_t len, const struct cgh_cache_key *key)
{
	const struct cgh_cache_header *h = &rd->h;
	uint64_t end;

	if (rd->buf == NULL || len < sizeof(*h) || len > CGH_CACHE_MAX_SIZE)
		return ODD(rd, "%zu bytes", len);
	memcpy(&rd->h, rd->buf, sizeof(*h));
	if (memcmp(h->magic, CGH_CACHE_MAGIC, sizeof(h->magic)) != 0 ||
	    h->version != CGH_CACHE_VERSION || h->layout != CGH_CACHE_LAYOUT)
		return ODD(rd, "not a cache of format %u", CGH_CACHE_VERSION);
	if (h->size != len)
		return ODD(rd, "%zu bytes, the header says %llu", len, (unsigned long long)h->size);
	if (memcmp(&h->key, key, sizeof(*key)) != 0)
		return cgh_fail_msg(rd->err, ESTALE, "stale: made from another version of the file");
	end = sizeof(*h) + (uint64_t)h->n_rules * sizeof(struct cgh_cache_rule) +
	      ((uint64_t)h->n_refs + h->n_uids + h->n_values) * 8 + h->pool_len;
	if (end != len || h->pool_len == 0 || h->pool_len % 8 != 0 || h->zero != 0)
		return ODD(rd, "counts and size disagree");
	if (cgh_cache_checksum(rd->buf + CHECKED_FROM, len - CHECKED_FROM) != h->checksum)
		return ODD(rd, "checksum mismatch");
	rd->rules_at = sizeof(*h);
	rd->refs_at = rd->rules_at + h->n_rules * sizeof(struct cgh_cache_rule);
	rd->uids_at = rd->refs_at + h->n_refs * sizeof(struct cgh_cache_str);
	rd->values_at = rd->uids_at + h->n_uids * sizeof(struct cgh_uid_range);
	rd->pool_at = rd->values_at + h->n_values * sizeof(uint64_t);
	return 0;
}

static int str_at(const struct reader *rd, struct cgh_cache_str s, char **out)
{
	uint32_t pool = rd->h.pool_len;

	if (s.off >= pool || s.len >= pool - s.off || rd->pool[s.off + s.len] != '\0')
		return -EINVAL;
	*out = rd->pool + s.off;
	return 0;
}

static bool list_ok(struct cgh_cache_list l, uint32_t table)
{
	return l.first <= table && l.n <= table - l.first;
}

static int strlist_at(const struct reader *rd, struct cgh_cache_list l, struct cgh_strlist *out)
{
	if (!list_ok(l, rd->h.n_refs))
		return -EINVAL;
	out->v = l.n > 0 ? rd->ptrs + l.first : NULL;
	out->n = l.n;
	return 0;
}

static bool value_ok(enum cgh_limit_key k, uint64_t v, uint64_t period)
{
	switch (cgh_limit_table[k].kind) {
	case CGH_KIND_CPU:
		return (v == CGH_UNLIMITED || (v >= CGH_CPU_QUOTA_MIN && v <= CGH_CPU_QUOTA_MAX)) &&
		       period >= CGH_CPU_PERIOD_MIN && period <= CGH_CPU_PERIOD_MAX;
	case CGH_KIND_WEIGHT:
		return v >= CGH_CPU_WEIGHT_MIN && v <= CGH_CPU_WEIGHT_MAX;
	case CGH_KIND_PIDS:
		return v >= 1;
	case CGH_KIND_BOOL:
		return v <= 1;
	default:
		return true;
	}
}

static int limits_at(const struct reader *rd, struct cgh_cache_limits cl, struct cgh_limits *out)
{
	const uint32_t cpu = 1u << CGH_CPU_MAX;
	uint32_t n = (cl.set & cpu) ? 1 : 0;
	const unsigned char *v;

	for (uint32_t bits = cl.set; bits != 0; bits &= bits - 1)
		n++;
	if ((cl.set >> CGH_N_LIMITS) != 0 || cl.first > rd->h.n_values ||
	    n > rd->h.n_values - cl.first)
		return -EINVAL;
	v = rd->buf + rd->values_at + (size_t)cl.first * 8;
	*out = (struct cgh_limits){ .set = cl.set };
	if (cl.set & cpu)
		out->cpu_period = load64(v + (size_t)(n - 1) * 8);
	for (uint32_t bits = cl.set; bits != 0; bits &= bits - 1, v += 8) {
		int k = __builtin_ctz(bits);

		out->value[k] = load64(v);
		if (!value_ok((enum cgh_limit_key)k, out->value[k], out->cpu_period))
			return -EINVAL;
	}
	return 0;
}

static int rule_at(struct reader *rd, size_t i, struct cgh_rule *out)
{
	struct cgh_cache_rule cr;
	struct cgh_match *m = &out->match;

	memcpy(&cr, rd->buf + rd->rules_at + i * sizeof(cr), sizeof(cr));
	if (cr.action > CGH_ACTION_IGNORE)
		return ODD(rd, "rules[%zu]: action %u", i, cr.action);
	*out = (struct cgh_rule){ .line = cr.line, .action = (enum cgh_action)cr.action };
	if (str_at(rd, cr.name, &out->name) < 0)
		return ODD(rd, "rules[%zu]: name out of bounds", i);
	if (strlist_at(rd, cr.users, &m->users) < 0 || strlist_at(rd, cr.groups, &m->groups) < 0 ||
	    strlist_at(rd, cr.services, &m->services) < 0 || !list_ok(cr.uids, rd->h.n_uids))
		return ODD(rd, "rules[%zu]: match list out of bounds", i);
	m->uids = cr.uids.n > 0 ? rd->uids + cr.uids.first : NULL;
	m->n_uids = cr.uids.n;
	if (limits_at(rd, cr.session, &out->session) < 0 || limits_at(rd, cr.user, &out->user) < 0)
		return ODD(rd, "rules[%zu]: limits out of bounds or range", i);
	return 0;
}

static bool flag_ok(uint8_t b)
{
	return b <= 1;
}

static bool watch_ok(const struct cgh_watch_config *w)
{
	return w->reclaim_percent <= 100 && (w->reclaim_percent == 0 || w->reclaim_bytes == 0) &&
	       w->reclaim_bytes != CGH_UNLIMITED &&
	       w->reclaim_interval >= 1 && w->reclaim_interval <= CGH_WATCH_INTERVAL_MAX &&
	       w->reclaim_cooldown <= CGH_WATCH_COOLDOWN_MAX &&
	       w->pressure_window_us >= CGH_PSI_WINDOW_MIN &&
	       w->pressure_window_us <= CGH_PSI_WINDOW_MAX &&
	       w->pressure_stall_us >= 1 && w->pressure_stall_us <= w->pressure_window_us &&
	       w->pressure_grace <= CGH_PSI_GRACE_MAX;
}

/* The top record into stage (its strings still in the arena). */
static int top_at(struct reader *rd, struct cgh_config *stage)
{
	const struct cgh_cache_top *t = &rd->h.top;
	struct cgh_watch_config *w = &stage->watch;

	if (t->on_error > CGH_ON_ERROR_ALLOW || t->default_action > CGH_ACTION_IGNORE ||
	    t->backend > CGH_BACKEND_SYSTEMD || !flag_ok(t->kill_on_close) ||
	    !flag_ok(t->move_from_logind) || !flag_ok(t->pressure_guard) ||
	    !flag_ok(t->pressure_kill) || t->zero != 0)
		return ODD(rd, "top level: a choice or boolean out of range");
	if (str_at(rd, t->cgroup_root, &stage->cgroup_root) < 0 ||
	    str_at(rd, t->base, &stage->base) < 0)
		return ODD(rd, "top level: cgroup_root or base out of bounds");
	if (limits_at(rd, t->session, &stage->session) < 0 ||
	    limits_at(rd, t->user, &stage->user) < 0)
		return ODD(rd, "top level: limits out of bounds or range");
	if (!list_ok(t->on_oom, rd->h.n_refs) || t->on_oom.first + t->on_oom.n != rd->h.n_refs)
		return ODD(rd, "watch.on_oom: not the last of the strings");
	stage->on_error = (enum cgh_on_error)t->on_error;
	stage->kill_on_close = t->kill_on_close;
	stage->default_action = (enum cgh_action)t->default_action;
	stage->backend = (enum cgh_backend)t->backend;
	stage->move_from_logind = t->move_from_logind;
	w->on_oom = t->on_oom.n > 0 ? rd->ptrs + t->on_oom.first : NULL;
	w->reclaim_percent = t->reclaim_percent;
	w->reclaim_bytes = t->reclaim_bytes;
	w->reclaim_interval = t->reclaim_interval;
	w->reclaim_cooldown = t->reclaim_cooldown;
	w->pressure_guard = t->pressure_guard;
	w->pressure_stall_us = t->pressure_stall_us;
	w->pressure_window_us = t->pressure_window_us;
	w->pressure_grace = t->pressure_grace;
	w->pressure_kill = t->pressure_kill;
	if (!watch_ok(w))
		return ODD(rd, "watch: a value out of range");
	return 0;
}

/* Every section into one arena (stage->arena), every record checked. */
static int build(struct reader *rd, struct cgh_config *stage)
{
	const struct cgh_cache_header *h = &rd->h;
	size_t rules_size = (size_t)h->n_rules * sizeof(struct cgh_rule);
	size_t ptrs_size = ((size_t)h->n_refs + 1) * sizeof(char *);
	size_t uids_size = (size_t)h->n_uids * sizeof(struct cgh_uid_range);
	unsigned char *arena = alloc_populated(rules_size + ptrs_size + uids_size + h->pool_len);

	if (arena == NULL) {
		cgh_fail(rd->err, ENOMEM, "cannot load");
		return -ENOMEM;
	}
	stage->arena = arena;
	stage->rules = h->n_rules > 0 ? (struct cgh_rule *)(void *)arena : NULL;
	stage->n_rules = h->n_rules;
	rd->ptrs = (char **)(void *)(arena + rules_size);
	rd->uids = (struct cgh_uid_range *)(void *)(arena + rules_size + ptrs_size);
	rd->pool = (char *)(arena + rules_size + ptrs_size + uids_size);
	memcpy(rd->pool, rd->buf + rd->pool_at, h->pool_len);
	for (size_t i = 0; i < h->n_refs; i++) {
		struct cgh_cache_str s;

		memcpy(&s, rd->buf + rd->refs_at + i * sizeof(s), sizeof(s));
		if (str_at(rd, s, &rd->ptrs[i]) < 0)
			return ODD(rd, "string %zu out of bounds", i);
	}
	rd->ptrs[h->n_refs] = NULL;
	memcpy(rd->uids, rd->buf + rd->uids_at, uids_size);
	for (size_t i = 0; i < h->n_uids; i++)
		if (rd->uids[i].lo > rd->uids[i].hi || rd->uids[i].hi == UINT32_MAX)
			return ODD(rd, "uid range %zu: %u-%u", i, rd->uids[i].lo, rd->uids[i].hi);
	for (size_t i = 0; i < h->n_rules; i++)
		if (rule_at(rd, i, &stage->rules[i]) < 0)
			return -EINVAL;
	return top_at(rd, stage);
}

/* stage's settings into cfg; cannot fail. */
static void commit(struct cgh_config *cfg, struct cgh_config *stage)
{
	free(cfg->cgroup_root);
	free(cfg->base);
	cfg->cgroup_root = stage->cgroup_root;
	cfg->base = stage->base;
	cfg->on_error = stage->on_error;
	cfg->kill_on_close = stage->kill_on_close;
	cfg->default_action = stage->default_action;
	cfg->backend = stage->backend;
	cfg->move_from_logind = stage->move_from_logind;
	cfg->session = stage->session;
	cfg->user = stage->user;
	cfg->rules = stage->rules;
	cfg->n_rules = stage->n_rules;
	cfg->watch = stage->watch;
	cfg->arena = stage->arena;
}

int cgh_cache_decode(const void *buf, size_t len, const struct cgh_cache_key *key,
		     struct cgh_config *cfg, struct cgh_error *err)
{
	struct reader rd = { .buf = buf, .err = err };
	struct cgh_config stage = { 0 };
	char *root = NULL, *base = NULL;	/* strdup'd: module arguments may replace them */
	int r = 0;

	if (cfg->n_rules != 0 || cfg->watch.on_oom != NULL || cfg->arena != NULL)
		r = cgh_fail_msg(err, EINVAL, "not a fresh config");
	if (r == 0)
		r = check_header(&rd, len, key);
	if (r == 0)
		r = build(&rd, &stage);
	if (r == 0 && ((root = strdup(stage.cgroup_root)) == NULL ||
		       (base = strdup(stage.base)) == NULL))
		r = cgh_fail(err, ENOMEM, "cannot load");
	if (r == 0) {
		stage.cgroup_root = root;
		stage.base = base;
		commit(cfg, &stage);
		root = base = NULL;
		stage.arena = NULL;
	}
	free(root);
	free(base);
	free(stage.arena);
	return r;
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

/* The cache file name in dirfd into cfg: a regular file owned by the euid,
 * mode 0600, one link, of a bounded size. */
static int read_cache(int dirfd, const char *name, const struct cgh_cache_key *key,
		      struct cgh_config *cfg, struct cgh_error *err)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	unsigned char *buf = NULL;
	size_t got = 0;
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
	else if ((buf = alloc_populated((size_t)st.st_size)) == NULL)
		r = cgh_fail(err, ENOMEM, "cannot read %s", name);
	while (r == 0 && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = cgh_fail(err, n < 0 ? errno : EIO, "cannot read %s", name);
		else
			got += (size_t)n;
	}
	if (r == 0)
		r = cgh_cache_decode(buf, got, key, cfg, err);
	int saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return r;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
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
	if (r == 0 && (r = write_all(fd, buf, len)) < 0)
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
