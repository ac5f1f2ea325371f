/* cgherd.conf loader: one safe open, libconfig parse, per-key validation.
 *
 * Every setting goes through a handler chosen from a table by its name, and
 * module arguments ("key=value") are parsed as one-line libconfig documents
 * and handed to the same handlers, so a value means the same wherever it is
 * written.  Problems are collected in a cgh_diag (all of them, not just the
 * first) and the config is returned only when there were none. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_log.h"
#include "cgh_watch.h"

struct loader {
	const char *source;	/* file name, or "argument 'k=v'" */
	bool is_file;
	uint64_t phys_mem;
	struct cgh_config *cfg;
	struct cgh_diag *diag;
	size_t errors;
};

static void diag_vadd(struct cgh_diag *diag, const char *fmt, va_list ap)
{
	char line[1024];
	char **grown;

	if (diag->n >= CGH_DIAG_MAX) {
		diag->dropped++;
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	grown = realloc(diag->lines, (diag->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		diag->dropped++;
		return;
	}
	diag->lines = grown;
	diag->lines[diag->n] = strdup(line);
	if (diag->lines[diag->n] == NULL)
		diag->dropped++;
	else
		diag->n++;
}

static void diag_add(struct cgh_diag *diag, const char *fmt, ...) CGH_PRINTF(2, 3);
static void diag_add(struct cgh_diag *diag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diag, fmt, ap);
	va_end(ap);
}

/* One error about setting s, at path where ("rules[2].session"). */
static int bad(struct loader *ld, const config_setting_t *s, const char *where,
	       const char *fmt, ...) CGH_PRINTF(4, 5);
static int bad(struct loader *ld, const config_setting_t *s, const char *where,
	       const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ld->is_file)
		diag_add(ld->diag, "%s:%d: %s: %s", ld->source,
			 s ? config_setting_source_line(s) : 0, where, what);
	else
		diag_add(ld->diag, "%s: %s: %s", ld->source, where, what);
	ld->errors++;
	return -EINVAL;
}

void cgh_diag_free(struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->lines[i]);
	free(diag->lines);
	diag->lines = NULL;
	diag->n = diag->dropped = 0;
}

const char *cgh_action_name(enum cgh_action a)
{
	return a == CGH_ACTION_IGNORE ? "ignore" : "herd";
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

static bool is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool is_seq(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
}

static int wrong_type(struct loader *ld, const config_setting_t *s, const char *where,
		      const char *expected)
{
	return bad(ld, s, where, "expected %s, not %s", expected,
		   type_name(config_setting_type(s)));
}

static int get_string(struct loader *ld, const config_setting_t *s, const char *where,
		      const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		wrong_type(ld, s, where, "a string");
		return -EINVAL;
	}
	*out = config_setting_get_string(s);
	if (*out == NULL) {
		bad(ld, s, where, "cannot read the string");
		return -EINVAL;
	}
	return 0;
}

static int set_string(struct loader *ld, const config_setting_t *s, const char *where,
		      char **field)
{
	const char *v = NULL;
	char *copy;

	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	copy = strdup(v);
	if (copy == NULL)
		return bad(ld, s, where, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

/* One of the NULL-terminated names; its index in *out. */
static int get_choice(struct loader *ld, const config_setting_t *s, const char *where,
		      const char *const *names, int *out)
{
	char expected[128] = "";
	const char *v = NULL;
	size_t used = 0;

	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
					 i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
		if (used >= sizeof(expected))
			break;
	}
	return bad(ld, s, where, "expected %s, not \"%s\"", expected, v);
}

static const char *const on_error_names[] = { "deny", "allow", NULL };
static const char *const action_names[] = { "herd", "ignore", NULL };
static const char *const backend_names[] = { "auto", "cgroupfs", "systemd", NULL };

/* ---- top-level scalars ------------------------------------------------ */

static bool has_dot_component(const char *path)
{
	for (const char *p = path; *p != '\0'; p += strcspn(p, "/")) {
		p += strspn(p, "/");
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
	}
	return false;
}

static int load_cgroup_root(struct loader *ld, const config_setting_t *s, const char *where)
{
	const char *v = NULL;

	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (v[0] != '/')
		return bad(ld, s, where, "must be an absolute path, not \"%s\"", v);
	if (strlen(v) >= 256)
		return bad(ld, s, where, "path longer than 255 characters");
	if (has_dot_component(v))
		return bad(ld, s, where, "must not contain \".\" or \"..\" components");
	return set_string(ld, s, where, &ld->cfg->cgroup_root);
}

static int load_base(struct loader *ld, const config_setting_t *s, const char *where)
{
	const char *v = NULL;

	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (v[0] == '\0' || strchr(v, '/') != NULL || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0 || strlen(v) > 64)
		return bad(ld, s, where,
			   "must be one directory name (no '/', not \".\" or \"..\", at most 64 characters), not \"%s\"",
			   v);
	return set_string(ld, s, where, &ld->cfg->base);
}

static int load_on_error(struct loader *ld, const config_setting_t *s, const char *where)
{
	int v = 0;

	if (get_choice(ld, s, where, on_error_names, &v) < 0)
		return -EINVAL;
	ld->cfg->on_error = v ? CGH_ON_ERROR_ALLOW : CGH_ON_ERROR_DENY;
	return 0;
}

static int load_default_action(struct loader *ld, const config_setting_t *s, const char *where)
{
	int v = 0;

	if (get_choice(ld, s, where, action_names, &v) < 0)
		return -EINVAL;
	ld->cfg->default_action = v ? CGH_ACTION_IGNORE : CGH_ACTION_HERD;
	return 0;
}

static int load_backend(struct loader *ld, const config_setting_t *s, const char *where)
{
	int v = 0;

	if (get_choice(ld, s, where, backend_names, &v) < 0)
		return -EINVAL;
	ld->cfg->backend = (enum cgh_backend)v;
	return 0;
}

static int load_bool(struct loader *ld, const config_setting_t *s, const char *where, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(ld, s, where, "a boolean (true or false)");
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

static int load_move_from_logind(struct loader *ld, const config_setting_t *s, const char *where)
{
	return load_bool(ld, s, where, &ld->cfg->move_from_logind);
}

static int load_kill_on_close(struct loader *ld, const config_setting_t *s, const char *where)
{
	return load_bool(ld, s, where, &ld->cfg->kill_on_close);
}

/* ---- limits ----------------------------------------------------------- */

static int limit_from_text(struct loader *ld, const config_setting_t *s, const char *where,
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
			return bad(ld, s, where, "invalid size \"%s\" (bytes with K/M/G/T, \"max\" or 1-100%%)%s",
				   text, r == -ERANGE ? ": out of range" : "");
		break;
	case CGH_KIND_CPU:
		r = cgh_parse_cpu_max(text, &cpu);
		if (r < 0)
			return bad(ld, s, where,
				   "invalid CPU limit \"%s\" (\"N%%\" with N 1-%u, \"max\", or \"QUOTA PERIOD\" in µs with period %u-%u and quota %u-%llu)",
				   text, CGH_CPU_PERCENT_MAX, CGH_CPU_PERIOD_MIN, CGH_CPU_PERIOD_MAX,
				   CGH_CPU_QUOTA_MIN, CGH_CPU_QUOTA_MAX);
		v = cpu.quota;
		l->cpu_period = cpu.period;
		break;
	case CGH_KIND_PIDS:
		r = cgh_parse_pids(text, &v);
		if (r < 0)
			return bad(ld, s, where, "invalid process count \"%s\" (a number >= 1 or \"max\")", text);
		break;
	default:
		return wrong_type(ld, s, where, d->kind == CGH_KIND_BOOL ? "a boolean" : "an integer");
	}
	cgh_limits_set(l, key, v);
	return 0;
}

static int limit_from_int(struct loader *ld, const config_setting_t *s, const char *where,
			  enum cgh_limit_key key, struct cgh_limits *l)
{
	long long v = config_setting_get_int64(s);
	enum cgh_limit_kind kind = cgh_limit_table[key].kind;

	if (kind == CGH_KIND_CPU)
		return wrong_type(ld, s, where, "a string (\"20%\", \"max\" or \"QUOTA PERIOD\")");
	if (kind == CGH_KIND_WEIGHT && (v < CGH_CPU_WEIGHT_MIN || v > CGH_CPU_WEIGHT_MAX))
		return bad(ld, s, where, "%lld out of range %u-%u", v, CGH_CPU_WEIGHT_MIN,
			   CGH_CPU_WEIGHT_MAX);
	if (v < 0 || (kind == CGH_KIND_PIDS && v < 1))
		return bad(ld, s, where, "%lld out of range", v);
	cgh_limits_set(l, key, (uint64_t)v);
	return 0;
}

static int load_limit(struct loader *ld, const config_setting_t *s, const char *where,
		      enum cgh_limit_key key, struct cgh_limits *l)
{
	if (cgh_limit_table[key].kind == CGH_KIND_BOOL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return wrong_type(ld, s, where, "a boolean (true or false)");
		cgh_limits_set(l, key, config_setting_get_bool(s) ? 1 : 0);
		return 0;
	}
	if (is_int(s))
		return limit_from_int(ld, s, where, key, l);
	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    cgh_limit_table[key].kind != CGH_KIND_WEIGHT)
		return limit_from_text(ld, s, where, key, config_setting_get_string(s), l);
	return wrong_type(ld, s, where, cgh_limit_table[key].kind == CGH_KIND_WEIGHT
				  ? "an integer" : "a string or an integer");
}

static int load_limits(struct loader *ld, const config_setting_t *group, const char *where,
		       struct cgh_limits *l)
{
	int r = 0;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return wrong_type(ld, group, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		int key = cgh_limit_lookup(name);
		char path[256];

		if (key < 0) {
			r = bad(ld, s, where, "unknown setting '%s'", name);
			continue;
		}
		snprintf(path, sizeof(path), "%.120s.%.120s", where, name);
		if (load_limit(ld, s, path, (enum cgh_limit_key)key, l) < 0)
			r = -EINVAL;
	}
	return r;
}

static int load_top_session(struct loader *ld, const config_setting_t *s, const char *where)
{
	return load_limits(ld, s, where, &ld->cfg->session);
}

static int load_top_user(struct loader *ld, const config_setting_t *s, const char *where)
{
	return load_limits(ld, s, where, &ld->cfg->user);
}

/* ---- match ------------------------------------------------------------ */

/* A string, or an array/list of strings, into list. */
static int load_names(struct loader *ld, const config_setting_t *s, const char *where,
		      struct cgh_strlist *list)
{
	int n = is_seq(s) ? config_setting_length(s) : 1;

	if (!is_seq(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(ld, s, where, "a name or a list of names");
	if (n == 0)
		return bad(ld, s, where, "empty list (it would never match)");
	list->v = calloc((size_t)n, sizeof(*list->v));
	if (list->v == NULL)
		return bad(ld, s, where, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = is_seq(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = NULL;

		if (get_string(ld, e, where, &v) < 0)
			return -EINVAL;
		if (v[0] == '\0')
			return bad(ld, e, where, "empty name");
		list->v[i] = strdup(v);
		if (list->v[i] == NULL)
			return bad(ld, s, where, "out of memory");
		list->n++;
	}
	return 0;
}

static int load_uid_elem(struct loader *ld, const config_setting_t *e, const char *where,
			 struct cgh_uid_range *out)
{
	if (is_int(e)) {
		long long v = config_setting_get_int64(e);
		if (v < 0 || v >= UINT32_MAX)
			return bad(ld, e, where, "uid %lld out of range 0-%u", v, UINT32_MAX - 1);
		out->lo = out->hi = (uint32_t)v;
		return 0;
	}
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return wrong_type(ld, e, where, "a uid or a \"FIRST-LAST\" range");
	if (cgh_parse_uid_range(config_setting_get_string(e), out) < 0)
		return bad(ld, e, where, "invalid uid range \"%s\" (\"N\" or \"FIRST-LAST\", 0-%u)",
			   config_setting_get_string(e), UINT32_MAX - 1);
	return 0;
}

static int load_uids(struct loader *ld, const config_setting_t *s, const char *where,
		     struct cgh_match *m)
{
	int n = is_seq(s) ? config_setting_length(s) : 1;

	if (n == 0)
		return bad(ld, s, where, "empty list (it would never match)");
	m->uids = calloc((size_t)n, sizeof(*m->uids));
	if (m->uids == NULL)
		return bad(ld, s, where, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = is_seq(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		if (load_uid_elem(ld, e, where, &m->uids[i]) < 0)
			return -EINVAL;
		m->n_uids++;
	}
	return 0;
}

static int load_match(struct loader *ld, const config_setting_t *group, const char *where,
		      struct cgh_match *m)
{
	int r = 0;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return wrong_type(ld, group, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[256];
		int rr;

		snprintf(path, sizeof(path), "%.120s.%.120s", where, name);
		if (strcmp(name, "user") == 0)
			rr = load_names(ld, s, path, &m->users);
		else if (strcmp(name, "group") == 0)
			rr = load_names(ld, s, path, &m->groups);
		else if (strcmp(name, "service") == 0)
			rr = load_names(ld, s, path, &m->services);
		else if (strcmp(name, "uid") == 0)
			rr = load_uids(ld, s, path, m);
		else
			rr = bad(ld, s, where, "unknown setting '%s' (user, group, uid, service)", name);
		if (rr < 0)
			r = rr;
	}
	return r;
}

/* ---- rules ------------------------------------------------------------ */

static int load_rule_key(struct loader *ld, const config_setting_t *s, const char *where,
			 struct cgh_rule *rule)
{
	const char *name = config_setting_name(s);
	char path[256];
	int v = 0;

	snprintf(path, sizeof(path), "%.120s.%.120s", where, name);
	if (strcmp(name, "name") == 0) {
		if (set_string(ld, s, path, &rule->name) < 0 || rule->name == NULL)
			return -EINVAL;
		if (rule->name[0] == '\0' || strlen(rule->name) > 64)
			return bad(ld, s, path, "must be 1-64 characters");
		return 0;
	}
	if (strcmp(name, "match") == 0)
		return load_match(ld, s, path, &rule->match);
	if (strcmp(name, "session") == 0)
		return load_limits(ld, s, path, &rule->session);
	if (strcmp(name, "user") == 0)
		return load_limits(ld, s, path, &rule->user);
	if (strcmp(name, "action") == 0) {
		if (get_choice(ld, s, path, action_names, &v) < 0)
			return -EINVAL;
		rule->action = v ? CGH_ACTION_IGNORE : CGH_ACTION_HERD;
		return 0;
	}
	return bad(ld, s, where, "unknown setting '%s' (name, match, action, session, user)", name);
}

static int load_rule(struct loader *ld, const config_setting_t *s, size_t index,
		     struct cgh_rule *rule)
{
	char where[32];
	int r = 0;

	snprintf(where, sizeof(where), "rules[%zu]", index);
	rule->line = config_setting_source_line(s);
	rule->index = (unsigned)index;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return wrong_type(ld, s, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(s); i++)
		if (load_rule_key(ld, config_setting_get_elem(s, (unsigned)i), where, rule) < 0)
			r = -EINVAL;
	if (rule->name == NULL)
		rule->name = strdup(where);
	if (rule->name == NULL)
		return bad(ld, s, where, "out of memory");
	return r;
}

static void free_match(struct cgh_match *m)
{
	struct cgh_strlist *lists[] = { &m->users, &m->groups, &m->services };

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (size_t i = 0; i < lists[l]->n; i++)
			free(lists[l]->v[i]);
		free(lists[l]->v);
	}
	free(m->uids);
}

static void free_rules(struct cgh_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++) {
		free(cfg->rules[i].name);
		free_match(&cfg->rules[i].match);
	}
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->n_rules = 0;
}

static int load_rules(struct loader *ld, const config_setting_t *s, const char *where)
{
	int n = config_setting_length(s);
	int r = 0;

	if (!is_seq(s))
		return wrong_type(ld, s, where, "a list ( { ... }, ... )");
	free_rules(ld->cfg);
	if (n == 0)
		return 0;
	ld->cfg->rules = calloc((size_t)n, sizeof(*ld->cfg->rules));
	if (ld->cfg->rules == NULL)
		return bad(ld, s, where, "out of memory");
	for (int i = 0; i < n; i++) {
		ld->cfg->n_rules++;
		if (load_rule(ld, config_setting_get_elem(s, (unsigned)i), (size_t)i,
			      &ld->cfg->rules[i]) < 0)
			r = -EINVAL;
	}
	return r;
}

/* ---- watch (cgherd watch) -------------------------------------------------- */

static int load_on_oom(struct loader *ld, const config_setting_t *s, const char *where)
{
	const char *v = NULL;
	char why[160];
	char **argv = NULL;
	int r;

	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	r = cgh_cmd_split(v, &argv, why, sizeof(why));
	if (r < 0)
		return bad(ld, s, where, "%s", why);
	cgh_cmd_free(ld->cfg->watch.on_oom);
	ld->cfg->watch.on_oom = argv;
	return 0;
}

/* "80%" of the leaf's memory.max, or a size ("400M", bytes); 0 turns it off. */
static int load_reclaim_threshold(struct loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *v = NULL;
	uint64_t n = 0;

	w->reclaim_percent = 0;
	w->reclaim_bytes = 0;
	if (is_int(s)) {
		long long i = config_setting_get_int64(s);
		if (i < 0)
			return bad(ld, s, where, "%lld out of range", i);
		w->reclaim_bytes = (uint64_t)i;
		return 0;
	}
	if (get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	size_t len = strlen(v);
	if (len > 1 && v[len - 1] == '%') {
		char digits[8];
		if (len - 1 >= sizeof(digits))
			return bad(ld, s, where, "invalid percentage \"%s\" (1-100%%)", v);
		memcpy(digits, v, len - 1);
		digits[len - 1] = '\0';
		if (cgh_parse_u64(digits, &n) < 0 || n < 1 || n > 100)
			return bad(ld, s, where, "invalid percentage \"%s\" (1-100%%)", v);
		w->reclaim_percent = (unsigned)n;
		return 0;
	}
	if (cgh_parse_size(v, 0, &n) < 0 || n == CGH_UNLIMITED)
		return bad(ld, s, where, "invalid threshold \"%s\" (N%% of memory_max, or bytes with K/M/G/T)", v);
	w->reclaim_bytes = n;
	return 0;
}

static int get_uint(struct loader *ld, const config_setting_t *s, const char *where,
		    long long lo, long long hi, unsigned *out)
{
	long long v;

	if (!is_int(s))
		return wrong_type(ld, s, where, "an integer");
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return bad(ld, s, where, "%lld out of range %lld-%lld", v, lo, hi);
	*out = (unsigned)v;
	return 0;
}

static int load_watch_key(struct loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *name = config_setting_name(s);

	if (strcmp(name, "on_oom") == 0)
		return load_on_oom(ld, s, where);
	if (strcmp(name, "reclaim_threshold") == 0)
		return load_reclaim_threshold(ld, s, where);
	if (strcmp(name, "reclaim_interval") == 0)
		return get_uint(ld, s, where, 1, CGH_WATCH_INTERVAL_MAX, &w->reclaim_interval);
	if (strcmp(name, "reclaim_cooldown") == 0)
		return get_uint(ld, s, where, 0, CGH_WATCH_COOLDOWN_MAX, &w->reclaim_cooldown);
	if (strcmp(name, "pressure_guard") == 0)
		return load_bool(ld, s, where, &w->pressure_guard);
	if (strcmp(name, "pressure_stall_us") == 0)
		return get_uint(ld, s, where, 1, CGH_PSI_WINDOW_MAX, &w->pressure_stall_us);
	if (strcmp(name, "pressure_window_us") == 0)
		return get_uint(ld, s, where, CGH_PSI_WINDOW_MIN, CGH_PSI_WINDOW_MAX,
				&w->pressure_window_us);
	if (strcmp(name, "pressure_grace") == 0)
		return get_uint(ld, s, where, 0, CGH_PSI_GRACE_MAX, &w->pressure_grace);
	if (strcmp(name, "pressure_kill") == 0)
		return load_bool(ld, s, where, &w->pressure_kill);
	return -ENOENT;
}

static int load_watch(struct loader *ld, const config_setting_t *group, const char *where)
{
	const struct cgh_watch_config *w = &ld->cfg->watch;
	int r = 0;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return wrong_type(ld, group, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		char path[256];
		int rr;

		snprintf(path, sizeof(path), "%.120s.%.120s", where, config_setting_name(s));
		rr = load_watch_key(ld, s, path);
		if (rr == -ENOENT)
			rr = bad(ld, s, where, "unknown setting '%s' (on_oom, reclaim_threshold, reclaim_interval, reclaim_cooldown, pressure_guard, pressure_stall_us, pressure_window_us, pressure_grace, pressure_kill)",
				 config_setting_name(s));
		if (rr < 0)
			r = rr;
	}
	if (r == 0 && w->pressure_stall_us > w->pressure_window_us)
		r = bad(ld, group, where, "pressure_stall_us (%u) must not exceed pressure_window_us (%u)",
			w->pressure_stall_us, w->pressure_window_us);
	return r;
}

/* ---- top level -------------------------------------------------------- */

enum arg_form { ARG_NONE, ARG_STRING, ARG_BOOL };

static const struct top_key {
	const char *name;
	int (*load)(struct loader *ld, const config_setting_t *s, const char *where);
	enum arg_form arg;	/* how a module argument spells it; NONE: file only */
} top_keys[] = {
	{ "cgroup_root", load_cgroup_root, ARG_STRING },
	{ "base", load_base, ARG_STRING },
	{ "on_error", load_on_error, ARG_STRING },
	{ "kill_on_close", load_kill_on_close, ARG_BOOL },
	{ "default_action", load_default_action, ARG_STRING },
	{ "backend", load_backend, ARG_STRING },
	{ "move_from_logind", load_move_from_logind, ARG_BOOL },
	{ "session", load_top_session, ARG_NONE },
	{ "user", load_top_user, ARG_NONE },
	{ "rules", load_rules, ARG_NONE },
	{ "watch", load_watch, ARG_NONE },
};

static const struct top_key *find_top_key(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(top_keys) / sizeof(top_keys[0]); i++)
		if (strlen(top_keys[i].name) == len && strncmp(top_keys[i].name, name, len) == 0)
			return &top_keys[i];
	return NULL;
}

static int load_top_setting(struct loader *ld, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	const struct top_key *key = find_top_key(name, strlen(name));

	if (key == NULL)
		return bad(ld, s, "top level", "unknown setting '%s'", name);
	return key->load(ld, s, name);
}

static int load_document(struct loader *ld, config_t *doc)
{
	const config_setting_t *root = config_root_setting(doc);
	int r = 0;

	for (int i = 0; i < config_setting_length(root); i++)
		if (load_top_setting(ld, config_setting_get_elem(root, (unsigned)i)) < 0)
			r = -EINVAL;
	return r;
}

/* @include would read a file that was never checked: refuse it. */
static int refuse_includes(struct loader *ld, const char *text)
{
	int line = 1;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (p != text && p[-1] != '\n')
			continue;
		const char *q = p + strspn(p, " \t");
		if (strncmp(q, "@include", 8) == 0) {
			diag_add(ld->diag, "%s:%d: @include is not allowed (every file must pass the ownership checks)",
				 ld->source, line);
			ld->errors++;
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_text(struct loader *ld, const char *text)
{
	config_t doc;
	int r;

	config_init(&doc);
	if (config_read_string(&doc, text) != CONFIG_TRUE) {
		diag_add(ld->diag, "%s:%d: %s", ld->source, config_error_line(&doc),
			 config_error_text(&doc));
		ld->errors++;
		r = -EINVAL;
	} else {
		r = load_document(ld, &doc);
	}
	config_destroy(&doc);
	return r;
}

/* Opens path without following a final symlink and checks the descriptor:
 * a regular file owned by root or the euid, not writable by group or
 * others, at most CGH_CONF_MAX_SIZE.  Returns the fd and *st, or -errno. */
static int open_config(const char *path, struct cgh_diag *diag, struct stat *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int err = 0;

	if (fd < 0) {
		err = errno;
		diag_add(diag, "%s: cannot open: %s%s", path, strerror(err),
			 err == ELOOP ? " (symbolic links are refused)" : "");
		return -err;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		diag_add(diag, "%s: cannot stat: %s", path, strerror(err));
	} else if (!S_ISREG(st.st_mode)) {
		err = EINVAL;
		diag_add(diag, "%s: not a regular file", path);
	} else if (st.st_uid != 0 && st.st_uid != geteuid()) {
		err = EPERM;
		diag_add(diag, "%s: owned by uid %u, must be owned by root", path, (unsigned)st.st_uid);
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err = EPERM;
		diag_add(diag, "%s: writable by group or others (mode %04o), must not be", path,
			 (unsigned)(st.st_mode & 07777));
	} else if (st.st_size > (off_t)CGH_CONF_MAX_SIZE) {
		err = EFBIG;
		diag_add(diag, "%s: %lld bytes, larger than the limit of %u", path,
			 (long long)st.st_size, CGH_CONF_MAX_SIZE);
	}
	if (err != 0) {
		close(fd);
		return -err;
	}
	*out = st;
	return fd;
}

static int read_all(int fd, off_t size, const char *path, struct cgh_diag *diag, char **out)
{
	char *buf = malloc((size_t)size + 1);
	size_t got = 0;

	if (buf == NULL) {
		diag_add(diag, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < (size_t)size) {
		ssize_t n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			diag_add(diag, "%s: cannot read: %s", path, strerror(err));
			free(buf);
			return -err;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strlen(buf) != got) {
		diag_add(diag, "%s: contains a NUL byte", path);
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* The file at path into ld->cfg: from the cache in cache_dir when it was
 * made from this very file, else parsed (and cached if it validated). */
static int load_file(struct loader *ld, const char *path, const char *cache_dir,
		     const struct cgh_log *log)
{
	struct cgh_cache cache = { .dirfd = -1 };
	struct stat st = { 0 };
	char *text = NULL;
	int fd = open_config(path, ld->diag, &st);
	int r;

	if (fd < 0)
		return fd;
	if (cache_dir != NULL)
		cgh_cache_begin(&cache, cache_dir, log, path, &st, ld->phys_mem);
	r = cgh_cache_get(&cache, ld->cfg);
	if (r < 0) {
		r = read_all(fd, st.st_size, path, ld->diag, &text);
		if (r == 0)
			r = refuse_includes(ld, text);
		if (r == 0)
			r = parse_text(ld, text);
		if (r == 0 && ld->errors == 0)
			cgh_cache_put(&cache, ld->cfg);
	}
	cgh_cache_end(&cache);
	close(fd);
	free(text);
	return r;
}

static int bad_argument(struct loader *ld, const char *why)
{
	diag_add(ld->diag, "%s: %s", ld->source, why);
	ld->errors++;
	return -EINVAL;
}

/* "key=value" for one scalar top-level key, as the one-setting libconfig
 * document "key = \"value\";" (or "key = value;" for a boolean), handed to
 * the same handler as the file's setting. */
static int load_argument(struct loader *ld, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	const struct top_key *key = klen ? find_top_key(arg, klen) : NULL;
	const config_setting_t *root;
	char doc[1024];
	config_t c;
	int r = -EINVAL;

	if (key == NULL || key->arg == ARG_NONE)
		return bad_argument(ld, "not conf=PATH, debug, or KEY=VALUE with KEY one of "
					"cgroup_root, base, on_error, kill_on_close, default_action, backend, "
					"move_from_logind");
	if (strpbrk(eq + 1, "\"\\;\n\r") != NULL || strlen(arg) > 512)
		return bad_argument(ld, "value too long or with a quote, backslash, ';' or newline");
	snprintf(doc, sizeof(doc), key->arg == ARG_STRING ? "%.*s = \"%s\";" : "%.*s = %s;",
		 (int)klen, arg, eq + 1);
	config_init(&c);
	root = config_read_string(&c, doc) == CONFIG_TRUE ? config_root_setting(&c) : NULL;
	if (root == NULL || config_setting_length(root) != 1)
		bad_argument(ld, key->arg == ARG_BOOL ? "expected true or false" : "cannot parse value");
	else
		r = load_top_setting(ld, config_setting_get_elem(root, 0));
	config_destroy(&c);
	return r;
}

static int load_arguments(struct loader *ld, int argc, const char **argv)
{
	char source[600];
	int r = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0) {
			ld->cfg->debug = true;
			continue;
		}
		if (strncmp(argv[i], "conf=", 5) == 0)
			continue;
		snprintf(source, sizeof(source), "module argument '%.512s'", argv[i]);
		ld->source = source;
		ld->is_file = false;
		if (load_argument(ld, argv[i]) < 0)
			r = -EINVAL;
	}
	return r;
}

static struct cgh_config *config_new(const char *path)
{
	struct cgh_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->path = strdup(path);
	cfg->cgroup_root = strdup("/sys/fs/cgroup");
	cfg->base = strdup("cgherd");
	cfg->on_error = CGH_ON_ERROR_DENY;
	cfg->kill_on_close = true;
	cfg->default_action = CGH_ACTION_HERD;
	cgh_limits_set(&cfg->session, CGH_OOM_GROUP, 1);
	cfg->watch.reclaim_interval = CGH_WATCH_INTERVAL_DEFAULT;
	cfg->watch.reclaim_cooldown = CGH_WATCH_COOLDOWN_DEFAULT;
	cfg->watch.pressure_stall_us = CGH_PSI_STALL_DEFAULT;
	cfg->watch.pressure_window_us = CGH_PSI_WINDOW_DEFAULT;
	cfg->watch.pressure_grace = CGH_PSI_GRACE_DEFAULT;
	if (cfg->path == NULL || cfg->cgroup_root == NULL || cfg->base == NULL) {
		cgh_config_free(cfg);
		return NULL;
	}
	return cfg;
}

static uint64_t machine_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page = sysconf(_SC_PAGESIZE);

	return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

static const char *conf_path(const char *path, int argc, const char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "conf=", 5) == 0)
			path = argv[i] + 5;
	return path != NULL ? path : CGH_DEFAULT_CONF;
}

static int load(const char *path, int argc, const char **argv, uint64_t phys_mem,
		const char *cache_dir, const struct cgh_log *log, struct cgh_config **out,
		struct cgh_diag *diag)
{
	struct loader ld = { .diag = diag, .is_file = true };
	int r;

	*out = NULL;
	ld.source = conf_path(path, argc, argv);
	ld.phys_mem = phys_mem != 0 ? phys_mem : machine_memory();
	ld.cfg = config_new(ld.source);
	if (ld.cfg == NULL) {
		diag_add(diag, "%s: out of memory", ld.source);
		return -ENOMEM;
	}
	r = load_file(&ld, ld.cfg->path, cache_dir, log);
	if (load_arguments(&ld, argc, argv) < 0 && r == 0)
		r = -EINVAL;
	if (r == 0 && ld.errors > 0)
		r = -EINVAL;
	if (r < 0) {
		cgh_config_free(ld.cfg);
		return r;
	}
	*out = ld.cfg;
	return 0;
}

int cgh_config_load(const char *path, int argc, const char **argv, uint64_t phys_mem,
		    struct cgh_config **out, struct cgh_diag *diag)
{
	return load(path, argc, argv, phys_mem, NULL, NULL, out, diag);
}

int cgh_config_load_cached(const char *path, int argc, const char **argv, uint64_t phys_mem,
			   const char *cache_dir, const struct cgh_log *log,
			   struct cgh_config **out, struct cgh_diag *diag)
{
	return load(path, argc, argv, phys_mem, cache_dir, log, out, diag);
}

int cgh_config_from_text(const char *name, const char *text, uint64_t phys_mem,
			 struct cgh_config **out, struct cgh_diag *diag)
{
	struct loader ld = { .diag = diag, .is_file = true, .source = name, .phys_mem = phys_mem };
	int r;

	*out = NULL;
	ld.cfg = config_new(name);
	if (ld.cfg == NULL)
		return -ENOMEM;
	r = refuse_includes(&ld, text);
	if (r == 0)
		r = parse_text(&ld, text);
	if (r < 0 || ld.errors > 0) {
		cgh_config_free(ld.cfg);
		return r < 0 ? r : -EINVAL;
	}
	*out = ld.cfg;
	return 0;
}

enum cgh_on_error cgh_args_on_error(int argc, const char **argv)
{
	struct cgh_diag scratch = { 0 };
	struct loader ld = { .diag = &scratch, .source = "argument" };
	enum cgh_on_error v = CGH_ON_ERROR_DENY;

	ld.cfg = config_new("");
	if (ld.cfg == NULL)
		return v;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "on_error=", 9) == 0 && load_argument(&ld, argv[i]) == 0)
			v = ld.cfg->on_error;
	cgh_config_free(ld.cfg);
	cgh_diag_free(&scratch);
	return v;
}

bool cgh_args_debug(int argc, const char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "debug") == 0)
			return true;
	return false;
}

void cgh_config_free(struct cgh_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->image == NULL) {
		free_rules(cfg);
		cgh_cmd_free(cfg->watch.on_oom);
	}
	free(cfg->arena);
	cgh_cache_image_free(cfg->image);
	free(cfg->path);
	free(cfg->cgroup_root);
	free(cfg->base);
	free(cfg);
}
