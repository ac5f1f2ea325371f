/* cgherd.conf's limits groups and rules list: every limit key through the
 * limit table (lib/core/limits.c), match groups, rules in file order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_loader.h"

#define RULE_NAME_MAX 64
#define RULE_WHERE_MAX 32	/* "rules[N]" */

static int limit_from_text(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			   enum cgh_limit_key key, const char *text, struct cgh_limits *l)
{
	const struct cgh_limit_desc *d = &cgh_limit_table[key];
	struct cgh_cpu_max cpu;
	uint64_t v = 0;
	int r;

	switch (d->kind) {
	case CGH_KIND_SIZE:
		r = cgh_parse_size(text, ld->phys_mem, &v);
		if (r < 0)
			return cgh_ld_bad(ld, s, where, "invalid size \"%s\" (bytes with K/M/G/T, \"max\" or 1-100%%)%s",
				   text, r == -ERANGE ? ": out of range" : "");
		break;
	case CGH_KIND_CPU:
		r = cgh_parse_cpu_max(text, &cpu);
		if (r < 0)
			return cgh_ld_bad(ld, s, where,
				   "invalid CPU limit \"%s\" (\"N%%\" with N 1-%u, \"max\", or \"QUOTA PERIOD\" in µs with period %u-%u and quota %u-%llu)",
				   text, CGH_CPU_PERCENT_MAX, CGH_CPU_PERIOD_MIN, CGH_CPU_PERIOD_MAX,
				   CGH_CPU_QUOTA_MIN, CGH_CPU_QUOTA_MAX);
		v = cpu.quota;
		l->cpu_period = cpu.period;
		break;
	case CGH_KIND_PIDS:
		r = cgh_parse_pids(text, &v);
		if (r < 0)
			return cgh_ld_bad(ld, s, where, "invalid process count \"%s\" (a number >= 1 or \"max\")", text);
		break;
	default:
		return cgh_ld_wrong_type(ld, s, where, d->kind == CGH_KIND_BOOL ? "a boolean" : "an integer");
	}
	cgh_limits_set(l, key, v);
	return 0;
}

static int limit_from_int(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			  enum cgh_limit_key key, struct cgh_limits *l)
{
	long long v = config_setting_get_int64(s);
	enum cgh_limit_kind kind = cgh_limit_table[key].kind;

	if (kind == CGH_KIND_CPU)
		return cgh_ld_wrong_type(ld, s, where, "a string (\"20%\", \"max\" or \"QUOTA PERIOD\")");
	if (kind == CGH_KIND_WEIGHT && (v < CGH_CPU_WEIGHT_MIN || v > CGH_CPU_WEIGHT_MAX))
		return cgh_ld_bad(ld, s, where, "%lld out of range %u-%u", v, CGH_CPU_WEIGHT_MIN,
			   CGH_CPU_WEIGHT_MAX);
	if (v < 0 || (kind == CGH_KIND_PIDS && v < 1))
		return cgh_ld_bad(ld, s, where, "%lld out of range", v);
	cgh_limits_set(l, key, (uint64_t)v);
	return 0;
}

int cgh_ld_limit(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		 enum cgh_limit_key key, struct cgh_limits *l)
{
	if (cgh_limit_table[key].kind == CGH_KIND_BOOL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return cgh_ld_wrong_type(ld, s, where, "a boolean (true or false)");
		cgh_limits_set(l, key, config_setting_get_bool(s) ? 1 : 0);
		return 0;
	}
	if (cgh_ld_is_int(s))
		return limit_from_int(ld, s, where, key, l);
	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    cgh_limit_table[key].kind != CGH_KIND_WEIGHT)
		return limit_from_text(ld, s, where, key, config_setting_get_string(s), l);
	return cgh_ld_wrong_type(ld, s, where, cgh_limit_table[key].kind == CGH_KIND_WEIGHT
				  ? "an integer" : "a string or an integer");
}

static int load_limit_member(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			     const char *path, void *arg)
{
	const char *name = config_setting_name(s);
	int key = cgh_limit_lookup(name);

	if (key < 0)
		return cgh_ld_bad(ld, s, where, "unknown setting '%s'", name);
	return cgh_ld_limit(ld, s, path, (enum cgh_limit_key)key, arg);
}

int cgh_ld_limits(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		  struct cgh_limits *l)
{
	return cgh_ld_group(ld, group, where, load_limit_member, l);
}

/* ---- match ------------------------------------------------------------ */

/* Room for the n elements of s, a scalar or a list of them (not empty),
 * each of size bytes, in *out. */
static int list_room(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		     size_t size, void **out, int *n)
{
	*n = cgh_ld_is_seq(s) ? config_setting_length(s) : 1;
	if (*n == 0)
		return cgh_ld_bad(ld, s, where, "empty list (it would never match)");
	*out = calloc((size_t)*n, size);
	if (*out == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	return 0;
}

/* Element i of s, a scalar or a list of them. */
static const config_setting_t *list_elem(const config_setting_t *s, int i)
{
	return cgh_ld_is_seq(s) ? config_setting_get_elem(s, (unsigned)i) : s;
}

/* A string, or an array/list of strings, into list. */
static int load_names(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      struct cgh_strlist *list)
{
	void *room = NULL;
	int n = 0;

	if (!cgh_ld_is_seq(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return cgh_ld_wrong_type(ld, s, where, "a name or a list of names");
	if (list_room(ld, s, where, sizeof(*list->v), &room, &n) < 0)
		return -EINVAL;
	list->v = room;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = list_elem(s, i);
		const char *v = NULL;

		if (cgh_ld_get_string(ld, e, where, &v) < 0)
			return -EINVAL;
		if (v[0] == '\0')
			return cgh_ld_bad(ld, e, where, "empty name");
		list->v[i] = strdup(v);
		if (list->v[i] == NULL)
			return cgh_ld_bad(ld, s, where, "out of memory");
		list->n++;
	}
	return 0;
}

static int load_uid_elem(struct cgh_loader *ld, const config_setting_t *e, const char *where,
			 struct cgh_uid_range *out)
{
	if (cgh_ld_is_int(e)) {
		long long v = config_setting_get_int64(e);
		if (v < 0 || v >= UINT32_MAX)
			return cgh_ld_bad(ld, e, where, "uid %lld out of range 0-%u", v, UINT32_MAX - 1);
		out->lo = out->hi = (uint32_t)v;
		return 0;
	}
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cgh_ld_wrong_type(ld, e, where, "a uid or a \"FIRST-LAST\" range");
	if (cgh_parse_uid_range(config_setting_get_string(e), out) < 0)
		return cgh_ld_bad(ld, e, where, "invalid uid range \"%s\" (\"N\" or \"FIRST-LAST\", 0-%u)",
			   config_setting_get_string(e), UINT32_MAX - 1);
	return 0;
}

static int load_uids(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		     struct cgh_match *m)
{
	void *room = NULL;
	int n = 0;

	if (list_room(ld, s, where, sizeof(*m->uids), &room, &n) < 0)
		return -EINVAL;
	m->uids = room;
	for (int i = 0; i < n; i++) {
		if (load_uid_elem(ld, list_elem(s, i), where, &m->uids[i]) < 0)
			return -EINVAL;
		m->n_uids++;
	}
	return 0;
}

static int load_match_member(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			     const char *path, void *arg)
{
	struct cgh_match *m = arg;
	const char *name = config_setting_name(s);

	if (strcmp(name, "user") == 0)
		return load_names(ld, s, path, &m->users);
	if (strcmp(name, "group") == 0)
		return load_names(ld, s, path, &m->groups);
	if (strcmp(name, "service") == 0)
		return load_names(ld, s, path, &m->services);
	if (strcmp(name, "uid") == 0)
		return load_uids(ld, s, path, m);
	return cgh_ld_bad(ld, s, where, "unknown setting '%s' (user, group, uid, service)", name);
}

int cgh_ld_match(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		 struct cgh_match *m)
{
	return cgh_ld_group(ld, group, where, load_match_member, m);
}

/* ---- rules ------------------------------------------------------------ */

static int load_rule_key(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			 struct cgh_rule *rule)
{
	const char *name = config_setting_name(s);
	char path[CGH_SETTING_PATH_MAX];
	int v = 0;

	cgh_setting_path(path, sizeof(path), where, name);
	if (strcmp(name, "name") == 0) {
		if (cgh_ld_set_string(ld, s, path, &rule->name) < 0 || rule->name == NULL)
			return -EINVAL;
		if (rule->name[0] == '\0' || strlen(rule->name) > RULE_NAME_MAX)
			return cgh_ld_bad(ld, s, path, "must be 1-%d characters", RULE_NAME_MAX);
		return 0;
	}
	if (strcmp(name, "match") == 0)
		return cgh_ld_match(ld, s, path, &rule->match);
	if (strcmp(name, "session") == 0)
		return cgh_ld_limits(ld, s, path, &rule->session);
	if (strcmp(name, "user") == 0)
		return cgh_ld_limits(ld, s, path, &rule->user);
	if (strcmp(name, "action") == 0) {
		if (cgh_ld_get_choice(ld, s, path, cgh_action_names, &v) < 0)
			return -EINVAL;
		rule->action = v ? CGH_ACTION_IGNORE : CGH_ACTION_HERD;
		return 0;
	}
	return cgh_ld_bad(ld, s, where, "unknown setting '%s' (name, match, action, session, user)", name);
}

static int load_rule(struct cgh_loader *ld, const config_setting_t *s, size_t index,
		     struct cgh_rule *rule)
{
	char where[RULE_WHERE_MAX];
	int r = 0;

	snprintf(where, sizeof(where), "rules[%zu]", index);
	rule->line = config_setting_source_line(s);
	rule->index = (unsigned)index;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return cgh_ld_wrong_type(ld, s, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(s); i++)
		if (load_rule_key(ld, config_setting_get_elem(s, (unsigned)i), where, rule) < 0)
			r = -EINVAL;
	if (rule->name == NULL)
		rule->name = strdup(where);
	if (rule->name == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	return r;
}

void cgh_match_free(struct cgh_match *m)
{
	struct cgh_strlist *lists[] = { &m->users, &m->groups, &m->services };

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (size_t i = 0; i < lists[l]->n; i++)
			free(lists[l]->v[i]);
		free(lists[l]->v);
	}
	free(m->uids);
}

void cgh_config_free_rules(struct cgh_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++) {
		free(cfg->rules[i].name);
		cgh_match_free(&cfg->rules[i].match);
	}
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->n_rules = 0;
}

int cgh_ld_rules(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	int n = config_setting_length(s);
	int r = 0;

	if (!cgh_ld_is_seq(s))
		return cgh_ld_wrong_type(ld, s, where, "a list ( { ... }, ... )");
	cgh_config_free_rules(ld->cfg);
	if (n == 0)
		return 0;
	ld->cfg->rules = calloc((size_t)n, sizeof(*ld->cfg->rules));
	if (ld->cfg->rules == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	for (int i = 0; i < n; i++) {
		ld->cfg->n_rules++;
		if (load_rule(ld, config_setting_get_elem(s, (unsigned)i), (size_t)i,
			      &ld->cfg->rules[i]) < 0)
			r = -EINVAL;
	}
	return r;
}

