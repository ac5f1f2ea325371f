/* The systemd backend's part of session open (lib/systemd/session_systemd.c),
 * called by cgh_session_open. */
#ifndef CGH_SESSION_SYSTEMD_H
#define CGH_SESSION_SYSTEMD_H

#include "cgh_match.h"
#include "cgh_session.h"
#include "cgh_systemd.h"

/* Where the opener is (s->origin, read here) decides, with cfg->backend,
 * how it is herded: s->systemd, and *scope when in logind's scope.
 * -ENOENT or -EPERM when the backend setting refuses the login. */
int cgh_session_choose_backend(const struct cgh_fs *fs, const struct cgh_config *cfg,
			       struct cgh_session *s, struct cgh_logind_scope *scope,
			       struct cgh_error *err);

/* Scope, then slice, then memory.oom.group; on failure the units get the
 * values back that their cgroup files had (runtime properties). */
int cgh_session_herd_systemd(const struct cgh_fs *fs, struct cgh_session *s,
			     const struct cgh_decision *d, const struct cgh_logind_scope *scope,
			     const struct cgh_env *env, struct cgh_error *err);

#endif
