/* The module's one loader call: the cached loader, the user lookup with
 * the group names the cache's index gives, the selection of the rules that
 * can match, and the repair of a damaged cache, all behind
 * cgh_config_for_user; nothing of the cache's lazy state leaves here. */
#include <errno.h>

#include "cgh_config_cache.h"
#include "cgh_config_for_user.h"
#include "cgh_session.h"

static int load(const struct cgh_load_args *a, struct cgh_config **out, struct cgh_diag *diag)
{
	return cgh_config_load_cached(a->path, a->argc, a->argv, a->phys_mem, a->cache_dir, a->log,
				      out, diag);
}

/* The user, looked up by the group names the rules name. */
static int lookup(const struct cgh_config *cfg, const char *user, struct cgh_identity **id,
		  struct cgh_error *err)
{
	const char *wanted[CGH_WANTED_GROUPS_MAX];
	size_t n = cgh_config_group_names(cfg, wanted, CGH_WANTED_GROUPS_MAX);

	return cgh_session_lookup_user_by(user, wanted, n, id, err);
}

/* The cache behind *cfg turned out damaged: removed, the file parsed (and
 * cached) anew, and the rules for id read from that.  *cfg is replaced only
 * when the new load works. */
static int repair(const struct cgh_load_args *a, const struct cgh_identity *id,
		  struct cgh_config **cfg, struct cgh_diag *diag, struct cgh_error *err)
{
	struct cgh_config *fresh = NULL;
	struct cgh_error why = *err;

	cgh_logf(a->log, LOG_WARNING, "config cache: %s; removing it and parsing %s", why.msg,
		 (*cfg)->path);
	cgh_cache_forget(a->cache_dir, (*cfg)->path);
	cgh_error_clear(err);
	if (load(a, &fresh, diag) < 0)
		return cgh_fail_msg(err, EINVAL, "configuration not loaded (see the errors above)");
	cgh_config_free(*cfg);
	*cfg = fresh;
	return cgh_config_select(fresh, id, err);
}

int cgh_config_for_user(const struct cgh_load_args *a, const char *user,
			struct cgh_config **cfg, struct cgh_identity **id,
			struct cgh_diag *diag, struct cgh_error *err)
{
	int r = load(a, cfg, diag);

	*id = NULL;
	if (r < 0)
		return r;
	r = lookup(*cfg, user, id, err);
	if (r == 0)
		r = cgh_config_select(*cfg, *id, err);
	if (r == -EINVAL && *id != NULL && a->cache_dir != NULL)	/* only a cache refuses */
		r = repair(a, *id, cfg, diag, err);
	if (r < 0) {
		cgh_identity_free(*id);
		*id = NULL;
	}
	return r;
}
