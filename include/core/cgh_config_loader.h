/* The config loader's parts, for the files that read one section of
 * cgherd.conf (lib/core/config_*.c, lib/core/module_args.c and the watch
 * section, lib/watch/watch_config.c): the loader's state, the helpers that
 * read one libconfig setting and report a problem with it, and the
 * sections' entry points.  Not for the module or the CLI. */
#ifndef CGH_CONFIG_LOADER_H
#define CGH_CONFIG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_config.h"
#include "cgh_libconfig.h"
#include "cgh_log.h"

/* A setting's path in messages, "rules[2].session.memory_max": two parts
 * of at most CGH_SETTING_PART characters (cgh_setting_path). */
#define CGH_SETTING_PART 120
#define CGH_SETTING_PATH_MAX (2 * CGH_SETTING_PART + 16)

struct cgh_loader {
	const char *source;	/* file name, or "module argument 'k=v'" */
	bool is_file;
	uint64_t phys_mem;
	struct cgh_config *cfg;
	struct cgh_diag *diag;
	size_t errors;
};

/* ---- diagnostics and one setting (lib/core/config_setting.c) ---------- */

void cgh_diag_add(struct cgh_diag *diag, const char *fmt, ...) CGH_PRINTF(2, 3);

/* One error about setting s, at path where ("rules[2].session"): -EINVAL. */
int cgh_ld_bad(struct cgh_loader *ld, const config_setting_t *s, const char *where,
	       const char *fmt, ...) CGH_PRINTF(4, 5);
int cgh_ld_wrong_type(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char *expected);
bool cgh_ld_is_int(const config_setting_t *s);
bool cgh_ld_is_seq(const config_setting_t *s);
int cgh_ld_get_string(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char **out);
int cgh_ld_set_string(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      char **field);
/* One of the NULL-terminated names; its index in *out. */
int cgh_ld_get_choice(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char *const *names, int *out);
int cgh_ld_get_bool(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		    bool *out);
int cgh_ld_get_uint(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		    long long lo, long long hi, unsigned *out);

/* "where.name" into buf (CGH_SETTING_PATH_MAX). */
void cgh_setting_path(char *buf, size_t len, const char *where, const char *name);

/* One setting s of a group at where, at path "where.name"; arg as given to
 * cgh_ld_group.  Returns 0 or -EINVAL (the problem reported). */
typedef int (*cgh_ld_member_fn)(struct cgh_loader *ld, const config_setting_t *s,
				const char *where, const char *path, void *arg);

/* fn for every setting of group, which must be a group { ... }; all are
 * read whatever fails.  Returns 0 or -EINVAL. */
int cgh_ld_group(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		 cgh_ld_member_fn fn, void *arg);

/* ---- sections --------------------------------------------------------- */

/* lib/core/config_keys.c: one top-level setting, by the key table. */
int cgh_ld_top_setting(struct cgh_loader *ld, const config_setting_t *s);

enum cgh_arg_form { CGH_ARG_NONE, CGH_ARG_STRING, CGH_ARG_BOOL };

/* How a module argument spells the top-level key name[0..len) (NONE: it
 * cannot be an argument), and the list of those keys for messages. */
enum cgh_arg_form cgh_config_arg_form(const char *name, size_t len);
void cgh_config_arg_keys(char *buf, size_t len);

extern const char *const cgh_action_names[];	/* "herd", "ignore", NULL */

/* lib/core/config_rules.c: a group of limits, the rules list. */
int cgh_ld_limits(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		  struct cgh_limits *l);
int cgh_ld_rules(struct cgh_loader *ld, const config_setting_t *s, const char *where);
/* One limit setting as in a session or user group; a rule's match group
 * (also the penalties' exempt), and its free. */
int cgh_ld_limit(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		 enum cgh_limit_key key, struct cgh_limits *l);
int cgh_ld_match(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		 struct cgh_match *m);
void cgh_match_free(struct cgh_match *m);
void cgh_config_free_rules(struct cgh_config *cfg);

/* lib/core/module_args.c: every argument but conf= into ld->cfg. */
int cgh_ld_arguments(struct cgh_loader *ld, int argc, const char **argv);

/* A config with the defaults and path, or NULL (lib/core/config.c). */
struct cgh_config *cgh_config_new(const char *path);

#endif
