/* The systemd backend of session open: whether a login goes to it (the
 * opener already in a logind scope, and the backend setting), and the
 * limits set on the scope and slice through systemd (lib/systemd/systemd.c),
 * put back when a later step fails. */
#include <errno.h>
#include <stdio.h>

#include "cgh_session.h"
#include "cgh_session_systemd.h"
#include "cgh_systemd.h"

int cgh_session_choose_backend(const struct cgh_fs *fs, const struct cgh_config *cfg,
			       struct cgh_session *s, struct cgh_logind_scope *scope,
			       struct cgh_error *err)
{
	int r = cgh_fs_where(fs, s->opener, s->origin, sizeof(s->origin), err);
	bool in_scope = r == 0 && cgh_logind_scope_parse(s->origin, scope);

	if (r < 0)
		return r;
	if (cfg->backend == CGH_BACKEND_SYSTEMD && !in_scope)
		return cgh_fail_msg(err, ENOENT,
				    "backend = \"systemd\", but process %d is in /%s, not in a logind session scope (is pam_systemd stacked before pam_cgherd?)",
				    (int)s->opener, s->origin);
	if (cfg->backend == CGH_BACKEND_CGROUPFS && in_scope && !cfg->move_from_logind)
		return cgh_fail_msg(err, EPERM,
				    "process %d is in logind's session scope /%s: moving it out would detach the login from logind (use backend = \"auto\" or \"systemd\", or move_from_logind = true)",
				    (int)s->opener, s->origin);
	s->systemd = in_scope && cfg->backend != CGH_BACKEND_CGROUPFS;
	return 0;
}

const struct cgh_bus cgh_bus_real = {
	.set_properties = cgh_systemd_set_properties,
	.set_units = cgh_systemd_set_units,
	.version = cgh_systemd_version,
	.get_properties = cgh_systemd_get_properties,
};

/* memory.oom.group = 1 on the scope.  Where systemd has OOMPolicy= for
 * scopes (253 and later, and some 252 builds such as Debian 12's), the
 * drop-in for session-.scope (installed with the module) makes systemd set
 * it when it makes the scope, and keep it: nothing is written.  A scope
 * without it on 253 or later means the drop-in is missing.  Older systemd
 * has no setting for it, so it is written directly (systemd may reset it
 * at its next change of that scope). */
static int scope_oom_group(const struct cgh_fs *fs, const struct cgh_bus *bus,
			   const struct cgh_session *s, struct cgh_error *err)
{
	char value[8] = "";
	int version;

	if (cgh_fs_read(fs, s->leaf, "memory.oom.group", value, sizeof(value), err) < 0)
		return -EIO;
	if (value[0] == '1')
		return 0;
	version = bus->version(CGH_BUS_TIMEOUT_MS, err);
	if (version < 0)
		return version;
	if (version < CGH_SYSTEMD_OOM_POLICY_VERSION)
		return cgh_fs_write(fs, s->leaf, "memory.oom.group", "1", err);
	return cgh_fail_msg(err, ENOTSUP,
			    "systemd %d did not set memory.oom.group on %s: install the OOMPolicy=kill drop-in for session-.scope",
			    version, s->leaf);
}

static int set_unit(const struct cgh_bus *bus, const char *unit, const struct cgh_limits *l,
		    struct cgh_error *err)
{
	struct cgh_unit_property props[CGH_MAX_UNIT_PROPERTIES];
	size_t n = cgh_unit_properties(l, props);

	return n == 0 ? 0 : bus->set_properties(unit, props, n, CGH_BUS_TIMEOUT_MS, err);
}

/* A unit whose properties were changed, and what its cgroup files said
 * before, to put back when a later step fails. */
struct unit_undo {
	const char *unit;
	struct cgh_limits before;
	bool changed;
};

/* The scope's and the slice's properties, in that order, in one go (one
 * connection to the bus); what their cgroup files said before is kept for
 * undo_unit. */
static int change_units(const struct cgh_fs *fs, const struct cgh_bus *bus,
			const struct cgh_session *s, const struct cgh_decision *d,
			struct unit_undo *su, struct unit_undo *sl, struct cgh_error *err)
{
	struct cgh_unit_property sp[CGH_MAX_UNIT_PROPERTIES], lp[CGH_MAX_UNIT_PROPERTIES];
	const struct cgh_unit_change c[2] = {
		{ .unit = su->unit, .props = sp, .n = cgh_unit_properties(&d->session, sp) },
		{ .unit = sl->unit, .props = lp, .n = cgh_unit_properties(&d->user, lp) },
	};
	size_t done = 0;
	int r;

	cgh_fs_read_limits(fs, s->leaf, d->session.set & ~(1u << CGH_OOM_GROUP), &su->before);
	cgh_fs_read_limits(fs, s->user_dir, d->user.set & ~(1u << CGH_OOM_GROUP), &sl->before);
	r = bus->set_units(c, 2, CGH_BUS_TIMEOUT_MS, &done, err);
	su->changed = done >= 1;
	sl->changed = done >= 2;
	return r;
}

static void undo_unit(const struct cgh_bus *bus, const struct unit_undo *u,
		      const struct cgh_log *log)
{
	struct cgh_error why = { 0 };

	if (!u->changed)
		return;
	if (set_unit(bus, u->unit, &u->before, &why) < 0)
		cgh_logf(log, LOG_ERR, "cannot put %s's limits back: %s", u->unit, why.msg);
	else
		cgh_logf(log, LOG_NOTICE, "put %s's limits back", u->unit);
}

int cgh_session_herd_systemd(const struct cgh_fs *fs, struct cgh_session *s,
			     const struct cgh_decision *d, const struct cgh_logind_scope *scope,
			     const struct cgh_env *env, struct cgh_error *err)
{
	const struct cgh_bus *bus = env->bus != NULL ? env->bus : &cgh_bus_real;
	struct unit_undo su = { .unit = scope->scope }, sl = { .unit = scope->slice };
	int r;

	snprintf(s->user_dir, sizeof(s->user_dir), "user.slice/%s", scope->slice);
	snprintf(s->leaf, sizeof(s->leaf), "%.*s/%.*s", CGH_SLICE_DIR_PREC, s->user_dir,
		 CGH_USER_DIR_BUF - 1, scope->scope);
	r = change_units(fs, bus, s, d, &su, &sl, err);
	if (r == 0 && cgh_limits_has(&d->session, CGH_OOM_GROUP) && d->session.value[CGH_OOM_GROUP])
		r = scope_oom_group(fs, bus, s, err);
	if (r < 0) {
		undo_unit(bus, &sl, env->log);
		undo_unit(bus, &su, env->log);
	}
	return r;
}
