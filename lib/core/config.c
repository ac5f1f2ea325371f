/* cgherd.conf loader: one safe open, libconfig parse, per-key validation.
 *
 * Every setting goes through a handler chosen from a table by its name
 * (lib/core/config_keys.c), and module arguments ("key=value",
 * lib/core/module_args.c) are parsed as one-line libconfig documents and
 * handed to the same handlers, so a value means the same wherever it is
 * written.  Problems are collected in a cgh_diag (all of them, not just the
 * first) and the config is returned only when there were none.  The steps
 * (cgh_config_file.h) let the config cache take the file's settings from
 * its image instead of the parse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgh_config_file.h"
#include "cgh_libconfig.h"
#include "cgh_config_loader.h"
#include "cgh_notice_config.h"
#include "cgh_safe_open.h"
#include "cgh_penalty_config.h"
#include "cgh_watch_config.h"

const char *cgh_action_name(enum cgh_action a)
{
	return a == CGH_ACTION_IGNORE ? "ignore" : "herd";
}

static int load_document(struct cgh_loader *ld, config_t *doc)
{
	const config_setting_t *root = config_root_setting(doc);
	int r = 0;

	for (int i = 0; i < config_setting_length(root); i++)
		if (cgh_ld_top_setting(ld, config_setting_get_elem(root, (unsigned)i)) < 0)
			r = -EINVAL;
	return r;
}

/* @include would read a file that was never checked: refuse it. */
static int refuse_includes(struct cgh_loader *ld, const char *text)
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
			cgh_diag_add(ld->diag, "%s:%d: @include is not allowed (every file must pass the ownership checks)",
				 ld->source, line);
			ld->errors++;
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_text(struct cgh_loader *ld, const char *text)
{
	config_t doc;
	int r;

	config_init(&doc);
	if (config_read_string(&doc, text) != CONFIG_TRUE) {
		cgh_diag_add(ld->diag, "%s:%d: %s", ld->source, config_error_line(&doc),
			 config_error_text(&doc));
		ld->errors++;
		r = -EINVAL;
	} else {
		r = load_document(ld, &doc);
	}
	config_destroy(&doc);
	return r;
}

/* The file at path into ld->cfg: from the cache in cache_dir when it was
 * made from this very file, else parsed (and cached if it validated). */
struct cgh_config *cgh_config_new(const char *path)
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
	cgh_watch_config_defaults(&cfg->watch);
	cgh_notice_config_defaults(&cfg->notices);
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

/* ---- the steps -------------------------------------------------------- */

int cgh_config_file_open(struct cgh_config_file *f, const char *path, int argc,
			 const char **argv, uint64_t phys_mem, struct cgh_diag *diag)
{
	const char *name = cgh_args_conf_path(path, argc, argv);

	*f = (struct cgh_config_file){ .fd = -1, .diag = diag };
	f->phys_mem = phys_mem != 0 ? phys_mem : machine_memory();
	f->cfg = cgh_config_new(name);
	if (f->cfg == NULL) {
		cgh_diag_add(diag, "%s: out of memory", name);
		return -ENOMEM;
	}
	f->fd = cgh_safe_open(f->cfg->path, diag, &f->st);
	return f->fd < 0 ? f->fd : 0;
}

int cgh_config_file_parse(struct cgh_config_file *f)
{
	struct cgh_loader ld = { .source = f->cfg->path, .is_file = true, .phys_mem = f->phys_mem,
				 .cfg = f->cfg, .diag = f->diag };
	char *text = NULL;
	int r = cgh_safe_read(f->fd, f->st.st_size, f->cfg->path, f->diag, &text);

	if (r == 0)
		r = refuse_includes(&ld, text);
	if (r == 0)
		r = parse_text(&ld, text);
	free(text);
	return r == 0 && ld.errors > 0 ? -EINVAL : r;
}

int cgh_config_file_finish(struct cgh_config_file *f, int r, int argc, const char **argv,
			   struct cgh_config **out)
{
	struct cgh_loader ld = { .phys_mem = f->phys_mem, .cfg = f->cfg, .diag = f->diag };

	*out = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->cfg == NULL)
		return r;
	if (cgh_ld_arguments(&ld, argc, argv) < 0 && r == 0)
		r = -EINVAL;
	if (r == 0 && ld.errors > 0)
		r = -EINVAL;
	if (r < 0)
		cgh_config_free(f->cfg);
	else
		*out = f->cfg;
	f->cfg = NULL;
	return r;
}

/* ---- loaders ---------------------------------------------------------- */

int cgh_config_load(const char *path, int argc, const char **argv, uint64_t phys_mem,
		    struct cgh_config **out, struct cgh_diag *diag)
{
	struct cgh_config_file f;
	int r = cgh_config_file_open(&f, path, argc, argv, phys_mem, diag);

	if (r == 0)
		r = cgh_config_file_parse(&f);
	return cgh_config_file_finish(&f, r, argc, argv, out);
}

int cgh_config_from_text(const char *name, const char *text, uint64_t phys_mem,
			 struct cgh_config **out, struct cgh_diag *diag)
{
	struct cgh_loader ld = { .diag = diag, .is_file = true, .source = name, .phys_mem = phys_mem };
	int r;

	*out = NULL;
	ld.cfg = cgh_config_new(name);
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

void cgh_config_free(struct cgh_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->store != NULL) {
		cfg->store->release(cfg->store);
	} else {
		cgh_config_free_rules(cfg);
		cgh_watch_config_free(&cfg->watch);
	}
	cgh_penalties_free(cfg);
	free(cfg->path);
	free(cfg->cgroup_root);
	free(cfg->base);
	free(cfg);
}
