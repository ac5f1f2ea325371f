/* The config cache's image, read: the header, key, section sizes and
 * top-level settings at load; then, for one user, the index looked up and
 * only the rules that can match built, in one allocation (the arena: rules,
 * list pointers, uid ranges; the strings stay in the image), handed over
 * only when every record read passed its checks.  The image is the
 * config's store (struct cgh_config_store): cgh_config_free releases it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgh_config_cache.h"
#include "cgh_match.h"

/* ---- reader ----------------------------------------------------------- */

struct cgh_cache_image {
	struct cgh_config_store store;	/* first: a config's store is its image */
	unsigned char *buf;
	size_t len;
	bool mapped;		/* else malloc'd */
	bool selected;
	struct cgh_cache_header h;
	struct cgh_cache_sections at;
	char **on_oom;		/* NULL-terminated, or NULL */
	void *arena;		/* the selected rules, their lists and uid ranges */
};

static void refuse(struct cgh_error *err, const char *fmt, ...) CGH_PRINTF(2, 3);
static void refuse(struct cgh_error *err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cgh_fail_msg(err, EINVAL, "refused: %s", what);
}

/* -EINVAL, with why in err (a macro: the analyzer sees the value). */
#define ODD(err, ...) (refuse((err), __VA_ARGS__), -EINVAL)

static int check_header(struct cgh_cache_image *img, const struct cgh_cache_key *key,
			struct cgh_error *err)
{
	const struct cgh_cache_header *h = &img->h;
	if (img->len < sizeof(*h) || img->len > CGH_CACHE_MAX_SIZE)
		return ODD(err, "%zu bytes", img->len);
	memcpy(&img->h, img->buf, sizeof(*h));
	if (memcmp(h->magic, CGH_CACHE_MAGIC, sizeof(h->magic)) != 0 ||
	    h->version != CGH_CACHE_VERSION || h->layout != CGH_CACHE_LAYOUT)
		return ODD(err, "not a cache of format %u", CGH_CACHE_VERSION);
	if (h->size != img->len)
		return ODD(err, "%zu bytes, the header says %llu", img->len,
			   (unsigned long long)h->size);
	if (memcmp(&h->key, key, sizeof(*key)) != 0)
		return cgh_fail_msg(err, ESTALE, "stale: made from another version of the file");
	if (cgh_cache_checksum(img->buf + CGH_CACHE_CHECKED_FROM,
			       sizeof(*h) - CGH_CACHE_CHECKED_FROM) != h->checksum)
		return ODD(err, "checksum mismatch");
	if (cgh_cache_sections(h, &img->at) != img->len || h->pool_len == 0 || h->pool_len % 8 != 0)
		return ODD(err, "counts and size disagree");
	return 0;
}

static int str_at(const struct cgh_cache_image *img, struct cgh_cache_str s, char **out)
{
	uint32_t pool = img->h.pool_len;
	char *p = (char *)img->buf + img->at.pool;

	if (s.off >= pool || s.len >= pool - s.off || p[s.off + s.len] != '\0')
		return -EINVAL;
	*out = p + s.off;
	return 0;
}

static bool list_ok(struct cgh_cache_list l, uint32_t table)
{
	return l.first <= table && l.n <= table - l.first;
}

/* The strings of refs l into v (room for l.n of them). */
static int strlist_at(const struct cgh_cache_image *img, struct cgh_cache_list l, char **v,
		      struct cgh_strlist *out)
{
	if (!list_ok(l, img->h.n_refs))
		return -EINVAL;
	for (uint32_t i = 0; i < l.n; i++) {
		struct cgh_cache_str s;

		memcpy(&s, img->buf + img->at.refs + (size_t)(l.first + i) * sizeof(s), sizeof(s));
		if (str_at(img, s, &v[i]) < 0)
			return -EINVAL;
	}
	out->v = l.n > 0 ? v : NULL;
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

static int limits_at(const struct cgh_cache_image *img, struct cgh_cache_limits cl,
		     struct cgh_limits *out)
{
	const uint32_t cpu = 1u << CGH_CPU_MAX;
	uint32_t n = (cl.set & cpu) ? 1 : 0;
	const unsigned char *v;

	for (uint32_t bits = cl.set; bits != 0; bits &= bits - 1)
		n++;
	if ((cl.set >> CGH_N_LIMITS) != 0 || cl.first > img->h.n_values ||
	    n > img->h.n_values - cl.first)
		return -EINVAL;
	v = img->buf + img->at.values + (size_t)cl.first * 8;
	*out = (struct cgh_limits){ .set = cl.set };
	if (cl.set & cpu)
		memcpy(&out->cpu_period, v + (size_t)(n - 1) * 8, 8);
	for (uint32_t bits = cl.set; bits != 0; bits &= bits - 1, v += 8) {
		int k = __builtin_ctz(bits);

		memcpy(&out->value[k], v, 8);
		if (!value_ok((enum cgh_limit_key)k, out->value[k], out->cpu_period))
			return -EINVAL;
	}
	return 0;
}

static struct cgh_cache_rule rule_record(const struct cgh_cache_image *img, uint32_t i)
{
	struct cgh_cache_rule cr;

	memcpy(&cr, img->buf + img->at.rules + (size_t)i * sizeof(cr), sizeof(cr));
	return cr;
}

/* How many strings a rule's match lists hold. */
static size_t list_refs(const struct cgh_cache_rule *cr)
{
	return (size_t)cr->users.n + cr->groups.n + cr->services.n;
}

/* What rule i needs in the arena: pointers for its lists, uid ranges. */
static int rule_needs(const struct cgh_cache_image *img, uint32_t i, size_t *ptrs, size_t *uids)
{
	struct cgh_cache_rule cr = rule_record(img, i);
	uint32_t refs = img->h.n_refs;

	if (!list_ok(cr.users, refs) || !list_ok(cr.groups, refs) || !list_ok(cr.services, refs) ||
	    !list_ok(cr.uids, img->h.n_uids))
		return -EINVAL;
	*ptrs += list_refs(&cr);
	*uids += cr.uids.n;
	return 0;
}

/* Rule i into out; its lists take their room from *ptrs and *uids. */
static int rule_at(const struct cgh_cache_image *img, uint32_t i, struct cgh_rule *out,
		   char ***ptrs, struct cgh_uid_range **uids, struct cgh_error *err)
{
	struct cgh_cache_rule cr = rule_record(img, i);
	struct cgh_match *m = &out->match;

	if (cr.action > CGH_ACTION_IGNORE)
		return ODD(err, "rules[%u]: action %u", i, cr.action);
	*out = (struct cgh_rule){ .line = cr.line, .index = i,
				  .action = (enum cgh_action)cr.action };
	if (str_at(img, cr.name, &out->name) < 0)
		return ODD(err, "rules[%u]: name out of bounds", i);
	if (strlist_at(img, cr.users, *ptrs, &m->users) < 0 ||
	    strlist_at(img, cr.groups, *ptrs + cr.users.n, &m->groups) < 0 ||
	    strlist_at(img, cr.services, *ptrs + cr.users.n + cr.groups.n, &m->services) < 0)
		return ODD(err, "rules[%u]: match list out of bounds", i);
	*ptrs += list_refs(&cr);
	memcpy(*uids, img->buf + img->at.uids + (size_t)cr.uids.first * sizeof(**uids),
	       (size_t)cr.uids.n * sizeof(**uids));
	for (uint32_t k = 0; k < cr.uids.n; k++)
		if ((*uids)[k].lo > (*uids)[k].hi || (*uids)[k].hi == UINT32_MAX)
			return ODD(err, "rules[%u]: uid range %u-%u", i, (*uids)[k].lo,
				   (*uids)[k].hi);
	m->uids = cr.uids.n > 0 ? *uids : NULL;
	m->n_uids = cr.uids.n;
	*uids += cr.uids.n;
	if (limits_at(img, cr.session, &out->session) < 0 ||
	    limits_at(img, cr.user, &out->user) < 0)
		return ODD(err, "rules[%u]: limits out of bounds or range", i);
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

static int on_oom_at(struct cgh_cache_image *img, struct cgh_cache_list l, struct cgh_error *err)
{
	struct cgh_strlist v;

	if (!list_ok(l, img->h.n_refs) || l.first + l.n != img->h.n_refs)
		return ODD(err, "watch.on_oom: not the last of the strings");
	if (l.n == 0)
		return 0;
	img->on_oom = calloc((size_t)l.n + 1, sizeof(char *));
	if (img->on_oom == NULL)
		return cgh_fail(err, ENOMEM, "cannot load");
	if (strlist_at(img, l, img->on_oom, &v) < 0)
		return ODD(err, "watch.on_oom: out of bounds");
	return 0;
}

static int notices_at(const struct cgh_cache_image *img, const struct cgh_cache_top *t,
		      struct cgh_notices_config *n, struct cgh_error *err)
{
	char *help = NULL;

	if (!flag_ok(t->notices_at_login) || !flag_ok(t->notices_tty))
		return ODD(err, "notices: a boolean out of range");
	for (size_t i = 0; i < sizeof(t->zero2); i++)
		if (t->zero2[i] != 0)
			return ODD(err, "notices: padding not zero");
	if (str_at(img, t->notices_help, &help) < 0 || t->notices_help.len >= sizeof(n->help))
		return ODD(err, "notices.help: out of bounds");
	memcpy(n->help, help, (size_t)t->notices_help.len + 1);
	n->at_login = t->notices_at_login;
	n->tty = t->notices_tty;
	return 0;
}

/* The top record into stage (its strings still in the image). */
static int top_at(struct cgh_cache_image *img, struct cgh_config *stage, struct cgh_error *err)
{
	const struct cgh_cache_top *t = &img->h.top;
	struct cgh_watch_config *w = &stage->watch;
	int r;

	if (t->on_error > CGH_ON_ERROR_ALLOW || t->default_action > CGH_ACTION_IGNORE ||
	    t->backend > CGH_BACKEND_SYSTEMD || !flag_ok(t->kill_on_close) ||
	    !flag_ok(t->move_from_logind) || !flag_ok(t->pressure_guard) ||
	    !flag_ok(t->pressure_kill) || t->zero != 0)
		return ODD(err, "top level: a choice or boolean out of range");
	if (str_at(img, t->cgroup_root, &stage->cgroup_root) < 0 ||
	    str_at(img, t->base, &stage->base) < 0)
		return ODD(err, "top level: cgroup_root or base out of bounds");
	if (limits_at(img, t->session, &stage->session) < 0 ||
	    limits_at(img, t->user, &stage->user) < 0)
		return ODD(err, "top level: limits out of bounds or range");
	if (!list_ok(img->h.others, img->h.n_postings))
		return ODD(err, "index: others out of bounds");
	if ((r = on_oom_at(img, t->on_oom, err)) < 0)
		return r;
	if ((r = notices_at(img, t, &stage->notices, err)) < 0)
		return r;
	stage->on_error = (enum cgh_on_error)t->on_error;
	stage->kill_on_close = t->kill_on_close;
	stage->default_action = (enum cgh_action)t->default_action;
	stage->backend = (enum cgh_backend)t->backend;
	stage->move_from_logind = t->move_from_logind;
	w->on_oom = img->on_oom;
	w->reclaim_percent = t->reclaim_percent;
	w->reclaim_bytes = t->reclaim_bytes;
	w->reclaim_interval = t->reclaim_interval;
	w->reclaim_cooldown = t->reclaim_cooldown;
	w->pressure_guard = t->pressure_guard;
	w->pressure_stall_us = t->pressure_stall_us;
	w->pressure_window_us = t->pressure_window_us;
	w->pressure_grace = t->pressure_grace;
	w->pressure_kill = t->pressure_kill;
	w->metrics_interval = CGH_METRICS_INTERVAL_DEFAULT;	/* metrics_*: not cached */
	if (!watch_ok(w))
		return ODD(err, "watch: a value out of range");
	return 0;
}

static void image_free(struct cgh_cache_image *img)
{
	if (img == NULL)
		return;
	if (img->mapped)
		munmap(img->buf, img->len);
	else
		free(img->buf);
	free(img->on_oom);
	free(img->arena);
	free(img);
}

static void image_release(struct cgh_config_store *store)
{
	image_free((struct cgh_cache_image *)(void *)store);
}

/* cfg's image, if it came from the cache. */
static struct cgh_cache_image *image_of(const struct cgh_config *cfg)
{
	if (cfg->store == NULL || cfg->store->release != image_release)
		return NULL;
	return (struct cgh_cache_image *)(void *)cfg->store;
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
	cfg->notices = stage->notices;
}

/* A config as the loader makes it before reading the file: no rules, no
 * on_oom, no image. */
static bool is_fresh(const struct cgh_config *cfg)
{
	return cfg->n_rules == 0 && cfg->watch.on_oom == NULL && cfg->store == NULL;
}

/* img's header and top level into cfg, whose store it becomes (the caller
 * hands it over, cfg->store, after a success). */
static int image_into(struct cgh_cache_image *img, const struct cgh_cache_key *key,
		      struct cgh_config *cfg, struct cgh_error *err)
{
	struct cgh_config stage = { 0 };
	char *root = NULL, *base = NULL;	/* strdup'd: module arguments may replace them */
	int r = 0;

	if (!is_fresh(cfg))
		r = cgh_fail_msg(err, EINVAL, "not a fresh config");
	if (r == 0)
		r = check_header(img, key, err);
	if (r == 0)
		r = top_at(img, &stage, err);
	if (r == 0 && ((root = strdup(stage.cgroup_root)) == NULL ||
		       (base = strdup(stage.base)) == NULL))
		r = cgh_fail(err, ENOMEM, "cannot load");
	if (r == 0) {
		stage.cgroup_root = root;
		stage.base = base;
		commit(cfg, &stage);
		return 0;
	}
	free(root);
	free(base);
	free(img->on_oom);
	img->on_oom = NULL;
	return r;
}

/* ---- selection -------------------------------------------------------- */

/* The index entry for name among entries [lo, hi); -ENOENT; -EINVAL. */
static int index_find(const struct cgh_cache_image *img, uint32_t lo, uint32_t hi,
		      const char *name, struct cgh_cache_index *out)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		char *s;
		int c;

		memcpy(out, img->buf + img->at.index + (size_t)mid * sizeof(*out), sizeof(*out));
		if (str_at(img, out->name, &s) < 0)
			return -EINVAL;
		c = strcmp(name, s);
		if (c == 0)
			return 0;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -ENOENT;
}

static void set_bit(uint64_t *bits, uint32_t i)
{
	bits[i / 64] |= 1ull << (i % 64);
}

/* The rules of postings l into the bitmap; -EINVAL. */
static int mark(const struct cgh_cache_image *img, struct cgh_cache_list l, uint64_t *bits)
{
	if (!list_ok(l, img->h.n_postings))
		return -EINVAL;
	for (uint32_t i = 0; i < l.n; i++) {
		uint32_t rule;

		memcpy(&rule, img->buf + img->at.postings + (size_t)(l.first + i) * 4, 4);
		if (rule >= img->h.n_rules)
			return -EINVAL;
		set_bit(bits, rule);
	}
	return 0;
}

static int mark_name(const struct cgh_cache_image *img, uint32_t lo, uint32_t hi,
		     const char *name, uint64_t *bits)
{
	struct cgh_cache_index e;
	int r = index_find(img, lo, hi, name, &e);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : mark(img, e.rules, bits);
}

/* The rules that can match id (NULL: all) as a bitmap. */
static int candidates(const struct cgh_cache_image *img, const struct cgh_identity *id,
		      uint64_t *bits, struct cgh_error *err)
{
	const struct cgh_cache_header *h = &img->h;
	uint32_t users = h->n_users, all = h->n_users + h->n_groups;
	int r;

	if (id == NULL) {
		for (uint32_t i = 0; i < h->n_rules; i++)
			set_bit(bits, i);
		return 0;
	}
	r = mark_name(img, 0, users, id->user, bits);
	for (size_t g = 0; r == 0 && g < id->n_groups; g++)
		r = mark_name(img, users, all, id->groups[g], bits);
	if (r == 0)
		r = mark(img, h->others, bits);
	return r < 0 ? ODD(err, "index damaged") : 0;
}

/* The next marked rule from *i on (words of zeros skipped); false: none. */
static bool next_marked(const uint64_t *bits, uint32_t n_rules, uint32_t *i)
{
	while (*i < n_rules) {
		uint64_t w = bits[*i / 64] >> (*i % 64);

		if (w != 0) {
			*i += (uint32_t)__builtin_ctzll(w);
			return *i < n_rules;
		}
		*i = (*i / 64 + 1) * 64;
	}
	return false;
}

/* The marked rules into one arena (stage->rules is its start, or NULL for
 * none; *arena the block): rules, then list pointers, then uids. */
static int build(const struct cgh_cache_image *img, const uint64_t *bits,
		 struct cgh_config *stage, void **arena_out, struct cgh_error *err)
{
	const uint32_t n_rules = img->h.n_rules;
	size_t n = 0, n_ptrs = 0, n_uids = 0, k = 0;
	struct cgh_uid_range *uids;
	unsigned char *arena;
	char **ptrs;

	for (uint32_t i = 0; next_marked(bits, n_rules, &i); i++) {
		n++;
		if (rule_needs(img, i, &n_ptrs, &n_uids) < 0)
			return ODD(err, "rules[%u]: match list out of bounds", i);
	}
	/* rules share no strings or ranges: more than all of them is damage */
	if (n_ptrs > img->h.n_refs || n_uids > img->h.n_uids)
		return ODD(err, "rules share match lists");
	arena = malloc(n * sizeof(struct cgh_rule) + n_ptrs * sizeof(char *) +
		       n_uids * sizeof(*uids) + 1);
	if (arena == NULL)
		return cgh_fail(err, ENOMEM, "cannot load");
	*arena_out = arena;
	stage->rules = n > 0 ? (struct cgh_rule *)(void *)arena : NULL;
	stage->n_rules = n;
	ptrs = (char **)(void *)(arena + n * sizeof(struct cgh_rule));
	uids = (struct cgh_uid_range *)(void *)(ptrs + n_ptrs);
	for (uint32_t i = 0; k < n && next_marked(bits, n_rules, &i); i++)
		if (rule_at(img, i, &stage->rules[k++], &ptrs, &uids, err) < 0)
			return -EINVAL;
	return 0;
}

bool cgh_config_pending(const struct cgh_config *cfg)
{
	const struct cgh_cache_image *img = image_of(cfg);

	return img != NULL && !img->selected;
}

int cgh_config_select(struct cgh_config *cfg, const struct cgh_identity *id,
		      struct cgh_error *err)
{
	struct cgh_cache_image *img = image_of(cfg);
	struct cgh_config stage = { 0 };
	void *arena = NULL;
	uint64_t *bits;
	int r;

	if (!cgh_config_pending(cfg))
		return 0;
	bits = calloc((size_t)img->h.n_rules / 64 + 1, sizeof(*bits));
	if (bits == NULL)
		return cgh_fail(err, ENOMEM, "cannot load");
	r = candidates(img, id, bits, err);
	if (r == 0)
		r = build(img, bits, &stage, &arena, err);
	free(bits);
	if (r < 0) {
		free(arena);
		return r;
	}
	free(img->arena);
	img->arena = arena;
	cfg->rules = stage.rules;
	cfg->n_rules = stage.n_rules;
	img->selected = true;
	return 0;
}

size_t cgh_config_group_names(const struct cgh_config *cfg, const char **out, size_t max)
{
	const struct cgh_cache_image *img = image_of(cfg);
	size_t n = 0;

	if (!cgh_config_pending(cfg))
		return cgh_rule_group_names(cfg, out, max);
	/* a damaged name is left out here and refused by cgh_config_select */
	for (uint32_t i = 0; i < img->h.n_groups && i < max; i++) {
		struct cgh_cache_index e;
		char *s;

		memcpy(&e, img->buf + img->at.index + ((size_t)img->h.n_users + i) * sizeof(e),
		       sizeof(e));
		if (str_at(img, e.name, &s) == 0)
			out[n++] = s;
	}
	return img->h.n_groups > max ? img->h.n_groups : n;
}

/* image_into, then img is cfg's, or freed. */
static int adopt(struct cgh_cache_image *img, const struct cgh_cache_key *key,
		 struct cgh_config *cfg, struct cgh_error *err)
{
	int r = image_into(img, key, cfg, err);

	if (r == 0)
		cfg->store = &img->store;
	else
		image_free(img);
	return r;
}

int cgh_cache_open(const void *buf, size_t len, const struct cgh_cache_key *key,
		   struct cgh_config *cfg, struct cgh_error *err)
{
	struct cgh_cache_image *img = calloc(1, sizeof(*img));

	if (img != NULL)
		img->store.release = image_release;
	if (img == NULL || (img->buf = malloc(len > 0 ? len : 1)) == NULL) {
		free(img);
		return cgh_fail(err, ENOMEM, "cannot load");
	}
	if (len > 0)
		memcpy(img->buf, buf, len);
	img->len = len;
	return adopt(img, key, cfg, err);
}

/* The len bytes of fd from its start into buf: 0, or -errno (-EIO when the
 * file is shorter). */
static int read_whole(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

/* A cache of at most CGH_CACHE_READ_MAX bytes is read: a mapping and its
 * unmapping cost more than copying a few pages (bench run 14); a larger one
 * is mapped, so that a login touches only the pages of its rules. */
int cgh_cache_map(int fd, size_t len, const struct cgh_cache_key *key, struct cgh_config *cfg,
		  struct cgh_error *err)
{
	struct cgh_cache_image *img = calloc(1, sizeof(*img));
	int r;

	if (img == NULL)
		return cgh_fail(err, ENOMEM, "cannot load");
	img->store.release = image_release;
	img->len = len;
	img->mapped = len > CGH_CACHE_READ_MAX;
	if (!img->mapped) {
		img->buf = malloc(len > 0 ? len : 1);
		r = img->buf == NULL ? -ENOMEM : read_whole(fd, img->buf, len);
	} else {
		img->buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		r = img->buf == MAP_FAILED ? -errno : 0;
		if (r < 0)
			img->buf = NULL;
	}
	if (r < 0) {
		const char *how = img->mapped ? "map" : "read";

		free(img->buf);
		free(img);
		return cgh_fail(err, -r, "cannot %s the cache", how);
	}
	return adopt(img, key, cfg, err);
}

int cgh_cache_decode(const void *buf, size_t len, const struct cgh_cache_key *key,
		     struct cgh_config *cfg, struct cgh_error *err)
{
	struct cgh_config *stage = calloc(1, sizeof(*stage));
	int r;

	if (stage == NULL)
		return cgh_fail(err, ENOMEM, "cannot load");
	if (!is_fresh(cfg))
		r = cgh_fail_msg(err, EINVAL, "not a fresh config");
	else
		r = cgh_cache_open(buf, len, key, stage, err);
	if (r == 0)
		r = cgh_config_select(stage, NULL, err);
	if (r == 0) {
		commit(cfg, stage);
		cfg->store = stage->store;
		*stage = (struct cgh_config){ 0 };	/* all of it is cfg's now */
	}
	cgh_config_free(stage);
	return r;
}

