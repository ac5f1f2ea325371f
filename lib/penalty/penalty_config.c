/* The `penalties` list of cgherd.conf into cfg->penalties (cgh_penalty.h),
 * through the loader's own handlers (cgh_config_loader.h): limits, sizes
 * and exempt = { ... } read exactly as in rules.  Validated by every
 * loader, as the watch section is. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_loader.h"
#include "cgh_penalty.h"
#include "cgh_penalty_config.h"
#include "cgh_value.h"

#define KEYS_TEXT "name, cpu_over, memory_over, window, when_busy, forgive, exempt, tiers"

static int get_duration(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			uint64_t *out)
{
	const char *v = NULL;
	int r;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	r = cgh_parse_duration(v, out);
	if (r < 0)
		return cgh_ld_bad(ld, s, where, "invalid duration \"%s\" (N with s, m, h or d, 1 s to 366 d)", v);
	return 0;
}

static int get_percent(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		       unsigned lo, unsigned hi, unsigned *out)
{
	const char *v = NULL;
	uint64_t n = 0;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (cgh_parse_percent(v, lo, hi, &n) < 0)
		return cgh_ld_bad(ld, s, where, "invalid percentage \"%s\" (\"N%%\" with N %u-%u)", v, lo, hi);
	*out = (unsigned)n;
	return 0;
}

/* Each setting of group g through key(ld, s, "where.name", arg), by the
 * loader's cgh_ld_group; -ENOENT from key is an unknown setting, named
 * with the keys it knows. */
typedef int (*key_fn)(struct cgh_loader *ld, const config_setting_t *s, const char *path, void *arg);

struct keys {
	key_fn key;
	void *arg;
	const char *known;
};

static int member(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		  const char *path, void *arg)
{
	const struct keys *k = arg;
	int r = k->key(ld, s, path, k->arg);

	if (r == -ENOENT)
		r = cgh_ld_bad(ld, s, where, "unknown setting '%s' (%s)", config_setting_name(s), k->known);
	return r;
}

static int each_key(struct cgh_loader *ld, const config_setting_t *g, const char *where, key_fn key,
		    void *arg, const char *known)
{
	struct keys k = { key, arg, known };

	return cgh_ld_group(ld, g, where, member, &k);
}

/* ---- when_busy ---------------------------------------------------------------- */

static int load_busy_key(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			 void *arg)
{
	struct cgh_penalty *p = arg;
	const char *name = config_setting_name(s), *v = NULL;

	if (strcmp(name, "cpu_pressure") == 0)
		return get_percent(ld, s, where, 1, 99, &p->busy_cpu);
	if (strcmp(name, "memory_pressure") == 0)
		return get_percent(ld, s, where, 1, 99, &p->busy_memory);
	if (strcmp(name, "average") != 0)
		return -ENOENT;
	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (strcmp(v, "avg10") != 0 && strcmp(v, "avg60") != 0)
		return cgh_ld_bad(ld, s, where, "expected \"avg10\" or \"avg60\", not \"%s\"", v);
	p->busy_avg = v[3] == '6' ? CGH_PSI_AVG60 : CGH_PSI_AVG10;
	return 0;
}

static int load_when_busy(struct cgh_loader *ld, const config_setting_t *g, const char *where,
			  struct cgh_penalty *p)
{
	int r = each_key(ld, g, where, load_busy_key, p, "cpu_pressure, memory_pressure, average");

	p->when_busy = true;
	if (r == 0 && p->busy_cpu == 0 && p->busy_memory == 0)
		r = cgh_ld_bad(ld, g, where, "needs cpu_pressure or memory_pressure");
	return r;
}

/* ---- exempt ------------------------------------------------------------------- */

static int load_exempt(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		       struct cgh_penalty *p)
{
	int r;

	if (p->exempt == NULL)
		p->exempt = calloc(1, sizeof(*p->exempt));
	if (p->exempt == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	r = cgh_ld_match(ld, s, where, p->exempt);
	if (r == 0 && p->exempt->services.n > 0)
		r = cgh_ld_bad(ld, s, where, "'service' cannot exempt: a penalty is on the user's sessions of every service");
	return r;
}

/* ---- tiers --------------------------------------------------------------------- */

static int load_tier_key(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			 void *arg)
{
	struct cgh_penalty_tier *t = arg;
	const char *name = config_setting_name(s);
	int key;

	if (strcmp(name, "duration") == 0)
		return get_duration(ld, s, where, &t->duration);
	key = cgh_limit_lookup(name);
	if (key < 0 || !(CGH_PENALTY_KEYS & (1u << key)))
		return -ENOENT;
	return cgh_ld_limit(ld, s, where, (enum cgh_limit_key)key, &t->effect);
}

static int load_tier(struct cgh_loader *ld, const config_setting_t *g, const char *where,
		     struct cgh_penalty_tier *t)
{
	int r;

	t->line = config_setting_source_line(g);
	r = each_key(ld, g, where, load_tier_key, t, "cpu_max, cpu_weight, memory_high, duration");
	if (r == 0 && t->duration == 0)
		r = cgh_ld_bad(ld, g, where, "needs a duration");
	if (r == 0 && t->effect.set == 0)
		r = cgh_ld_bad(ld, g, where, "needs cpu_max, cpu_weight or memory_high");
	return r;
}

static int load_tiers(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      struct cgh_penalty *p)
{
	int n = cgh_ld_is_seq(s) ? config_setting_length(s) : 0;
	int r = 0;

	if (!cgh_ld_is_seq(s))
		return cgh_ld_bad(ld, s, where, "expected a list ( { ... }, ... )");
	if (n < 1 || n > CGH_PENALTY_TIERS_MAX)
		return cgh_ld_bad(ld, s, where, "%d tiers: 1 to %d", n, CGH_PENALTY_TIERS_MAX);
	for (int i = 0; i < n; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%.200s[%d]", where, i);
		if (load_tier(ld, config_setting_get_elem(s, (unsigned)i), path, &p->tiers[i]) < 0)
			r = -EINVAL;
	}
	p->n_tiers = (size_t)n;
	return r;
}

/* ---- one penalty ----------------------------------------------------------------- */

static int load_name(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		     struct cgh_penalty *p)
{
	const char *v = NULL;
	size_t n;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	n = strlen(v);
	if (n < 1 || n > CGH_PENALTY_NAME_MAX ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return cgh_ld_bad(ld, s, where, "must be 1-%d letters, digits, '_', '.' or '-', not \"%s\"",
				    CGH_PENALTY_NAME_MAX, v);
	free(p->name);
	p->name = strdup(v);
	return p->name != NULL ? 0 : cgh_ld_bad(ld, s, where, "out of memory");
}

static int load_key(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		    void *arg)
{
	struct cgh_penalty *p = arg;
	const char *name = config_setting_name(s);

	if (strcmp(name, "name") == 0)
		return load_name(ld, s, where, p);
	if (strcmp(name, "cpu_over") == 0)
		return get_percent(ld, s, where, 1, CGH_CPU_PERCENT_MAX, &p->cpu_over);
	if (strcmp(name, "memory_over") == 0) {
		struct cgh_limits l = { 0 };
		if (cgh_ld_limit(ld, s, where, CGH_MEMORY_HIGH, &l) < 0)
			return -EINVAL;
		p->memory_over = l.value[CGH_MEMORY_HIGH];
		if (p->memory_over == 0 || p->memory_over == CGH_UNLIMITED)
			return cgh_ld_bad(ld, s, where, "must be a size above 0, not \"max\" or 0");
		return 0;
	}
	if (strcmp(name, "window") == 0)
		return get_duration(ld, s, where, &p->window);
	if (strcmp(name, "forgive") == 0)
		return get_duration(ld, s, where, &p->forgive);
	if (strcmp(name, "when_busy") == 0)
		return load_when_busy(ld, s, where, p);
	if (strcmp(name, "exempt") == 0)
		return load_exempt(ld, s, where, p);
	if (strcmp(name, "tiers") == 0)
		return load_tiers(ld, s, where, p);
	return -ENOENT;
}

static int check_penalty(struct cgh_loader *ld, const config_setting_t *g, const char *where,
			 const struct cgh_penalty *p, const struct cgh_penalty *before, size_t n)
{
	if (p->name == NULL)
		return cgh_ld_bad(ld, g, where, "needs a name (the state file and the log refer to it)");
	for (size_t i = 0; i < n; i++)
		if (before[i].name != NULL && strcmp(before[i].name, p->name) == 0)
			return cgh_ld_bad(ld, g, where, "name \"%s\" already used by penalties[%zu]",
					    p->name, i);
	if (p->cpu_over == 0 && p->memory_over == 0)
		return cgh_ld_bad(ld, g, where, "needs a trigger: cpu_over or memory_over");
	if (p->window == 0)
		return cgh_ld_bad(ld, g, where, "needs a window");
	if (p->n_tiers == 0)
		return cgh_ld_bad(ld, g, where, "needs tiers");
	return 0;
}

static int load_penalty(struct cgh_loader *ld, const config_setting_t *g, size_t index,
			struct cgh_penalty *all)
{
	struct cgh_penalty *p = &all[index];
	char where[32];
	int r;

	snprintf(where, sizeof(where), "penalties[%zu]", index);
	p->line = config_setting_source_line(g);
	r = each_key(ld, g, where, load_key, p, KEYS_TEXT);
	return r == 0 ? check_penalty(ld, g, where, p, all, index) : r;
}

void cgh_penalties_free(struct cgh_config *cfg)
{
	for (size_t i = 0; i < cfg->n_penalties; i++) {
		free(cfg->penalties[i].name);
		if (cfg->penalties[i].exempt != NULL)
			cgh_match_free(cfg->penalties[i].exempt);
		free(cfg->penalties[i].exempt);
	}
	free(cfg->penalties);
	cfg->penalties = NULL;
	cfg->n_penalties = 0;
}

int cgh_penalties_load(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_config *cfg = ld->cfg;
	int n = cgh_ld_is_seq(s) ? config_setting_length(s) : 0;
	int r = 0;

	if (!cgh_ld_is_seq(s))
		return cgh_ld_bad(ld, s, where, "expected a list ( { ... }, ... )");
	cgh_penalties_free(cfg);
	if (n > CGH_PENALTIES_MAX)
		return cgh_ld_bad(ld, s, where, "%d penalties, at most %d", n, CGH_PENALTIES_MAX);
	if (n == 0)
		return 0;
	cfg->penalties = calloc((size_t)n, sizeof(*cfg->penalties));
	if (cfg->penalties == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	for (int i = 0; i < n; i++) {
		cfg->n_penalties++;
		if (load_penalty(ld, config_setting_get_elem(s, (unsigned)i), (size_t)i,
				 cfg->penalties) < 0)
			r = -EINVAL;
	}
	return r;
}
