/* The config cache's image, written: the config walked twice with one
 * function, first counting, then filling one zeroed buffer; the index of
 * user and group names built from the rules, sorted (format:
 * include/cache/cgh_config_cache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_cache.h"

/* ---- the index -------------------------------------------------------- */

/* One (name, rule) pair of the index; user names sort before group names. */
struct posting {
	const char *name;
	uint32_t is_group, rule;
};

static int posting_cmp(const void *pa, const void *pb)
{
	const struct posting *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (a->is_group != b->is_group)
		return a->is_group < b->is_group ? -1 : 1;
	if (c != 0)
		return c;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

#define NAME_ONLY UINT32_MAX	/* a posting's rule: the name, no rule */

static size_t postings_of(const struct cgh_rule *r, uint32_t i, struct posting *out)
{
	const struct cgh_strlist *users = &r->match.users, *groups = &r->match.groups;
	/* a rule with users is found by them; its group names are still
	 * listed, for cgh_config_group_names */
	uint32_t by_group = users->n > 0 ? NAME_ONLY : i;
	size_t n = 0;

	for (size_t j = 0; j < users->n; j++, n++)
		if (out != NULL)
			out[n] = (struct posting){ users->v[j], 0, i };
	for (size_t j = 0; j < groups->n; j++, n++)
		if (out != NULL)
			out[n] = (struct posting){ groups->v[j], 1, by_group };
	return n;
}

/* Every (name, rule) pair of cfg's rules, sorted; -ENOMEM. */
static int postings_make(const struct cgh_config *cfg, struct posting **out, size_t *n)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < cfg->n_rules; i++)
		total += postings_of(&cfg->rules[i], (uint32_t)i, NULL);
	*out = malloc((total > 0 ? total : 1) * sizeof(**out));
	if (*out == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_rules; i++)
		k += postings_of(&cfg->rules[i], (uint32_t)i, *out + k);
	qsort(*out, total, sizeof(**out), posting_cmp);
	*n = total;
	return 0;
}

static bool names_no_one(const struct cgh_rule *r)
{
	return r->match.users.n == 0 && r->match.groups.n == 0;
}

/* ---- writer ----------------------------------------------------------- */

struct writer {
	unsigned char *buf;	/* NULL: the counting pass */
	const struct posting *postings;
	size_t n_pairs;
	struct cgh_cache_sections at;
	size_t n_refs, n_uids, n_values, n_index, n_users, n_postings, pool_len;
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

	put_bytes(w, w->at.pool + w->pool_len, s, n + 1);
	w->pool_len += n + 1;
	return out;
}

static struct cgh_cache_list put_refs(struct writer *w, char *const *v, size_t n)
{
	struct cgh_cache_list out = { (uint32_t)w->n_refs, (uint32_t)n };

	for (size_t i = 0; i < n; i++) {
		struct cgh_cache_str s = put_str(w, v[i]);

		put_bytes(w, w->at.refs + w->n_refs++ * sizeof(s), &s, sizeof(s));
	}
	return out;
}

static struct cgh_cache_list put_uids(struct writer *w, const struct cgh_uid_range *u, size_t n)
{
	struct cgh_cache_list out = { (uint32_t)w->n_uids, (uint32_t)n };

	for (size_t i = 0; i < n; i++) {
		const uint32_t pair[2] = { u[i].lo, u[i].hi };

		put_bytes(w, w->at.uids + w->n_uids++ * sizeof(pair), pair, sizeof(pair));
	}
	return out;
}

static void put_value(struct writer *w, uint64_t v)
{
	put_bytes(w, w->at.values + w->n_values++ * sizeof(v), &v, sizeof(v));
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
	put_bytes(w, w->at.rules + i * sizeof(out), &out, sizeof(out));
}

static void put_posting(struct writer *w, uint32_t rule)
{
	put_bytes(w, w->at.postings + w->n_postings++ * sizeof(rule), &rule, sizeof(rule));
}

/* The index: one entry per distinct name (its string next to its
 * neighbours' in the pool), then the rules that name no one. */
static struct cgh_cache_list put_index(struct writer *w, const struct cgh_config *cfg)
{
	const struct posting *p = w->postings;
	struct cgh_cache_list others;

	for (size_t i = 0; i < w->n_pairs;) {
		struct cgh_cache_index e = { .rules.first = (uint32_t)w->n_postings };
		size_t j = i;

		e.name = put_str(w, p[i].name);
		for (; j < w->n_pairs && p[j].is_group == p[i].is_group &&
		       strcmp(p[j].name, p[i].name) == 0; j++)
			if (p[j].rule != NAME_ONLY && (j == i || p[j].rule != p[j - 1].rule))
				put_posting(w, p[j].rule);
		e.rules.n = (uint32_t)w->n_postings - e.rules.first;
		w->n_users += !p[i].is_group;
		put_bytes(w, w->at.index + w->n_index++ * sizeof(e), &e, sizeof(e));
		i = j;
	}
	others.first = (uint32_t)w->n_postings;
	for (size_t i = 0; i < cfg->n_rules; i++)
		if (names_no_one(&cfg->rules[i]))
			put_posting(w, (uint32_t)i);
	others.n = (uint32_t)w->n_postings - others.first;
	return others;
}

static size_t argv_len(char *const *argv)
{
	size_t n = 0;

	while (argv != NULL && argv[n] != NULL)
		n++;
	return n;
}

static void put_config(struct writer *w, const struct cgh_config *cfg, struct cgh_cache_header *h)
{
	const struct cgh_watch_config *wc = &cfg->watch;
	struct cgh_cache_top *t = &h->top;

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
	t->notices_help = put_str(w, cfg->notices.help);
	t->notices_at_login = cfg->notices.at_login;
	t->notices_tty = cfg->notices.tty;
	h->others = put_index(w, cfg);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

uint64_t cgh_cache_sections(const struct cgh_cache_header *h, struct cgh_cache_sections *at)
{
	/* 64-bit sums of 32-bit counts times small sizes: no overflow */
	const uint64_t sizes[] = {
		sizeof(*h),
		(uint64_t)h->n_rules * sizeof(struct cgh_cache_rule),
		(uint64_t)h->n_refs * sizeof(struct cgh_cache_str),
		(uint64_t)h->n_uids * sizeof(struct cgh_uid_range),
		(uint64_t)h->n_values * sizeof(uint64_t),
		((uint64_t)h->n_users + h->n_groups) * sizeof(struct cgh_cache_index),
	};
	size_t *const starts[] = { &at->rules, &at->refs, &at->uids, &at->values, &at->index,
				   &at->postings };
	uint64_t end = 0;

	_Static_assert(sizeof(sizes) / sizeof(sizes[0]) == sizeof(starts) / sizeof(starts[0]),
		       "a size for every section before the postings");
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		end += sizes[i];
		*starts[i] = (size_t)end;	/* meaningful once end is known to be small */
	}
	end += ((uint64_t)h->n_postings * sizeof(uint32_t) + 7) & ~(uint64_t)7;
	at->pool = (size_t)end;
	return end + h->pool_len;
}

static int encode_with(const struct cgh_config *cfg, const struct cgh_cache_key *key,
		       struct writer *w, unsigned char **out, size_t *len)
{
	struct cgh_cache_header h = { .version = CGH_CACHE_VERSION, .layout = CGH_CACHE_LAYOUT };
	struct cgh_cache_sections at;
	uint64_t size;

	put_config(w, cfg, &h);
	memcpy(h.magic, CGH_CACHE_MAGIC, sizeof(h.magic));
	h.n_rules = (uint32_t)cfg->n_rules;
	h.n_refs = (uint32_t)w->n_refs;
	h.n_uids = (uint32_t)w->n_uids;
	h.n_values = (uint32_t)w->n_values;
	h.n_users = (uint32_t)w->n_users;
	h.n_groups = (uint32_t)(w->n_index - w->n_users);
	h.n_postings = (uint32_t)w->n_postings;
	h.pool_len = (uint32_t)align8(w->pool_len);
	size = cgh_cache_sections(&h, &at);
	if (size > CGH_CACHE_MAX_SIZE)	/* and so every count fits in 32 bits */
		return -EFBIG;
	h.size = size;
	*w = (struct writer){ .buf = calloc(1, size), .postings = w->postings,
			      .n_pairs = w->n_pairs, .at = at };
	if (w->buf == NULL)
		return -ENOMEM;
	put_config(w, cfg, &h);
	memcpy(w->buf, &h, sizeof(h));
	cgh_cache_seal(w->buf, size, key);
	*out = w->buf;
	*len = size;
	return 0;
}

int cgh_cache_encode(const struct cgh_config *cfg, const struct cgh_cache_key *key,
		     unsigned char **out, size_t *len)
{
	struct posting *postings = NULL;
	size_t n = 0;
	int r = postings_make(cfg, &postings, &n);

	*out = NULL;
	*len = 0;
	if (r == 0)
		r = encode_with(cfg, key, &(struct writer){ .postings = postings, .n_pairs = n },
				out, len);
	free(postings);
	return r;
}

