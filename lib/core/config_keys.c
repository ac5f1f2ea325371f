/* cgherd.conf's top-level keys: one table, by name, with the handler of
 * each and how a module argument spells it.  The string-enum keys
 * (on_error, default_action, backend) and the boolean keys are rows of the
 * table with the field they set, read by one handler each; the list of
 * keys a module argument may set is derived from the table. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cgh_config_loader.h"
#include "cgh_notice_config.h"
#include "cgh_penalty_config.h"
#include "cgh_watch_config.h"

const char *const cgh_action_names[] = { "herd", "ignore", NULL };
static const char *const on_error_names[] = { "deny", "allow", NULL };
static const char *const backend_names[] = { "auto", "cgroupfs", "systemd", NULL };

/* The enum fields are set through their offset as an int: same size, and
 * each name's index in its list is the enum's value. */
_Static_assert(sizeof(enum cgh_on_error) == sizeof(int), "enum as int");
_Static_assert(sizeof(enum cgh_action) == sizeof(int), "enum as int");
_Static_assert(sizeof(enum cgh_backend) == sizeof(int), "enum as int");
_Static_assert(CGH_ON_ERROR_ALLOW == 1 && CGH_ACTION_IGNORE == 1 && CGH_BACKEND_SYSTEMD == 2,
	       "enum values are the names' indexes");

enum arg_form { ARG_NONE, ARG_STRING, ARG_BOOL };

struct top_key;
typedef int (*key_loader)(struct cgh_loader *ld, const struct top_key *key,
			  const config_setting_t *s, const char *where);

struct top_key {
	const char *name;
	key_loader load;
	enum arg_form arg;		/* how a module argument spells it; NONE: file only */
	const char *const *choices;	/* load_choice: the names, NULL-terminated */
	size_t field;			/* load_choice, load_flag: offset in struct cgh_config */
};

/* ---- handlers --------------------------------------------------------- */

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

static int load_cgroup_root(struct cgh_loader *ld, const struct top_key *key,
			    const config_setting_t *s, const char *where)
{
	const char *v = NULL;

	(void)key;
	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (v[0] != '/')
		return cgh_ld_bad(ld, s, where, "must be an absolute path, not \"%s\"", v);
	if (strlen(v) >= CGH_CGROUP_ROOT_MAX)
		return cgh_ld_bad(ld, s, where, "path longer than %d characters",
				  CGH_CGROUP_ROOT_MAX - 1);
	if (has_dot_component(v))
		return cgh_ld_bad(ld, s, where, "must not contain \".\" or \"..\" components");
	return cgh_ld_set_string(ld, s, where, &ld->cfg->cgroup_root);
}

static int load_base(struct cgh_loader *ld, const struct top_key *key, const config_setting_t *s,
		     const char *where)
{
	const char *v = NULL;

	(void)key;
	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (v[0] == '\0' || strchr(v, '/') != NULL || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0 || strlen(v) > CGH_BASE_NAME_MAX)
		return cgh_ld_bad(ld, s, where,
				  "must be one directory name (no '/', not \".\" or \"..\", at most %d characters), not \"%s\"",
				  CGH_BASE_NAME_MAX, v);
	return cgh_ld_set_string(ld, s, where, &ld->cfg->base);
}

/* One of key->choices, as an enum value in key->field. */
static int load_choice(struct cgh_loader *ld, const struct top_key *key, const config_setting_t *s,
		       const char *where)
{
	int v = 0;

	if (cgh_ld_get_choice(ld, s, where, key->choices, &v) < 0)
		return -EINVAL;
	memcpy((char *)ld->cfg + key->field, &v, sizeof(v));
	return 0;
}

/* true or false into the bool at key->field. */
static int load_flag(struct cgh_loader *ld, const struct top_key *key, const config_setting_t *s,
		     const char *where)
{
	return cgh_ld_get_bool(ld, s, where, (bool *)((char *)ld->cfg + key->field));
}

static int load_top_session(struct cgh_loader *ld, const struct top_key *key,
			    const config_setting_t *s, const char *where)
{
	(void)key;
	return cgh_ld_limits(ld, s, where, &ld->cfg->session);
}

static int load_top_user(struct cgh_loader *ld, const struct top_key *key,
			 const config_setting_t *s, const char *where)
{
	(void)key;
	return cgh_ld_limits(ld, s, where, &ld->cfg->user);
}

static int load_rules(struct cgh_loader *ld, const struct top_key *key, const config_setting_t *s,
		      const char *where)
{
	(void)key;
	return cgh_ld_rules(ld, s, where);
}

static int load_watch(struct cgh_loader *ld, const struct top_key *key, const config_setting_t *s,
		      const char *where)
{
	(void)key;
	return cgh_watch_config_load(ld, s, where);
}

static int load_notices(struct cgh_loader *ld, const struct top_key *key,
			const config_setting_t *s, const char *where)
{
	(void)key;
	return cgh_notice_config_load(ld, s, where);
}

static int load_penalties(struct cgh_loader *ld, const struct top_key *key,
			  const config_setting_t *s, const char *where)
{
	(void)key;
	return cgh_penalties_load(ld, s, where);
}

/* ---- the table -------------------------------------------------------- */

#define CHOICE(n, names) { #n, load_choice, ARG_STRING, names, offsetof(struct cgh_config, n) }
#define FLAG(n) { #n, load_flag, ARG_BOOL, NULL, offsetof(struct cgh_config, n) }

static const struct top_key top_keys[] = {
	{ "cgroup_root", load_cgroup_root, ARG_STRING, NULL, 0 },
	{ "base", load_base, ARG_STRING, NULL, 0 },
	CHOICE(on_error, on_error_names),
	FLAG(kill_on_close),
	CHOICE(default_action, cgh_action_names),
	CHOICE(backend, backend_names),
	FLAG(move_from_logind),
	{ "session", load_top_session, ARG_NONE, NULL, 0 },
	{ "user", load_top_user, ARG_NONE, NULL, 0 },
	{ "rules", load_rules, ARG_NONE, NULL, 0 },
	{ "watch", load_watch, ARG_NONE, NULL, 0 },
	{ "notices", load_notices, ARG_NONE, NULL, 0 },
	{ "penalties", load_penalties, ARG_NONE, NULL, 0 },
};

#define N_TOP_KEYS (sizeof(top_keys) / sizeof(top_keys[0]))

static const struct top_key *find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < N_TOP_KEYS; i++)
		if (strlen(top_keys[i].name) == len && strncmp(top_keys[i].name, name, len) == 0)
			return &top_keys[i];
	return NULL;
}

int cgh_ld_top_setting(struct cgh_loader *ld, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	const struct top_key *key = find_key(name, strlen(name));

	if (key == NULL)
		return cgh_ld_bad(ld, s, "top level", "unknown setting '%s'", name);
	return key->load(ld, key, s, name);
}

enum cgh_arg_form cgh_config_arg_form(const char *name, size_t len)
{
	const struct top_key *key = find_key(name, len);

	if (key == NULL || key->arg == ARG_NONE)
		return CGH_ARG_NONE;
	return key->arg == ARG_BOOL ? CGH_ARG_BOOL : CGH_ARG_STRING;
}

void cgh_config_arg_keys(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_TOP_KEYS && used < len; i++)
		if (top_keys[i].arg != ARG_NONE)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 top_keys[i].name);
}
