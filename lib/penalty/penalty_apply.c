/* Penalties: the effects on the user directory (cgh_penalty_apply.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgh_identity.h"
#include "cgh_match.h"
#include "cgh_penalty_apply.h"
#include "cgh_systemd.h"
#include "cgh_value.h"

#define SLICE_IFACE "org.freedesktop.systemd1.Slice"
#define CPU_WEIGHT_DEFAULT 100u
#define SD_UNSET UINT64_MAX	/* systemd's infinity, or "not set" for CPUWeight */
#define BUS_TIMEOUT_MS 10000u	/* no login waits on these: systemd may be slow to answer */

static const char *const sd_names[CGH_BEFORE_N] = {
	[CGH_BEFORE_CPU_QUOTA] = "CPUQuotaPerSecUSec",
	[CGH_BEFORE_CPU_PERIOD] = "CPUQuotaPeriodUSec",
	[CGH_BEFORE_CPU_WEIGHT] = "CPUWeight",
	[CGH_BEFORE_MEMORY_HIGH] = "MemoryHigh",
};

static const struct cgh_bus *bus_of(const struct cgh_penalty_env *env)
{
	return env->bus != NULL ? env->bus : &cgh_bus_real;
}

/* "user.slice/user-1001.slice" -> "user-1001.slice" */
static const char *unit_of(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	return slash != NULL ? slash + 1 : dir;
}

/* ---- values ----------------------------------------------------------------- */

void cgh_penalty_before_from_limits(const struct cgh_limits *user, enum cgh_penalty_how how,
				    uint64_t *before)
{
	bool sd = how == CGH_PENALTY_SYSTEMD;
	bool cpu = cgh_limits_has(user, CGH_CPU_MAX);
	uint64_t q = cpu ? user->value[CGH_CPU_MAX] : CGH_UNLIMITED;
	uint64_t period = cpu ? user->cpu_period : CGH_CPU_PERIOD_DEFAULT;

	if (sd) {
		before[CGH_BEFORE_CPU_QUOTA] = q == CGH_UNLIMITED ? SD_UNSET : q * 1000000u / period;
		before[CGH_BEFORE_CPU_PERIOD] = cpu ? period : SD_UNSET;
	} else {
		before[CGH_BEFORE_CPU_QUOTA] = q;
		before[CGH_BEFORE_CPU_PERIOD] = period;
	}
	before[CGH_BEFORE_CPU_WEIGHT] = cgh_limits_has(user, CGH_CPU_WEIGHT)
					? user->value[CGH_CPU_WEIGHT] : sd ? SD_UNSET : CPU_WEIGHT_DEFAULT;
	before[CGH_BEFORE_MEMORY_HIGH] = cgh_limits_has(user, CGH_MEMORY_HIGH)
					 ? user->value[CGH_MEMORY_HIGH] : CGH_UNLIMITED;
}

/* The slots as cgroupfs limits, for the keys in keys. */
static void fs_limits(const uint64_t *before, unsigned keys, struct cgh_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (keys & (1u << CGH_CPU_MAX)) {
		cgh_limits_set(out, CGH_CPU_MAX, before[CGH_BEFORE_CPU_QUOTA]);
		out->cpu_period = before[CGH_BEFORE_CPU_PERIOD];
	}
	if (keys & (1u << CGH_CPU_WEIGHT))
		cgh_limits_set(out, CGH_CPU_WEIGHT, before[CGH_BEFORE_CPU_WEIGHT]);
	if (keys & (1u << CGH_MEMORY_HIGH))
		cgh_limits_set(out, CGH_MEMORY_HIGH, before[CGH_BEFORE_MEMORY_HIGH]);
}

/* ---- reading --------------------------------------------------------------- */

static void read_fs(const struct cgh_penalty_env *env, const char *dir, uint64_t *now)
{
	struct cgh_limits l;

	cgh_fs_read_limits(env->fs, dir, CGH_PENALTY_KEYS, &l);
	if (!cgh_limits_has(&l, CGH_CPU_MAX) || l.cpu_period == 0) {
		cgh_limits_set(&l, CGH_CPU_MAX, CGH_UNLIMITED);
		l.cpu_period = CGH_CPU_PERIOD_DEFAULT;
	}
	if (!cgh_limits_has(&l, CGH_CPU_WEIGHT))
		cgh_limits_set(&l, CGH_CPU_WEIGHT, CPU_WEIGHT_DEFAULT);
	if (!cgh_limits_has(&l, CGH_MEMORY_HIGH))
		cgh_limits_set(&l, CGH_MEMORY_HIGH, CGH_UNLIMITED);
	now[CGH_BEFORE_CPU_QUOTA] = l.value[CGH_CPU_MAX];
	now[CGH_BEFORE_CPU_PERIOD] = l.cpu_period;
	now[CGH_BEFORE_CPU_WEIGHT] = l.value[CGH_CPU_WEIGHT];
	now[CGH_BEFORE_MEMORY_HIGH] = l.value[CGH_MEMORY_HIGH];
}

int cgh_penalty_read_now(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
			 const char *dir, uint64_t *now, struct cgh_error *err)
{
	const struct cgh_bus *bus = bus_of(env);

	if (how == CGH_PENALTY_FS) {
		read_fs(env, dir, now);
		return 0;
	}
	if (bus->get_properties == NULL)
		return cgh_fail_msg(err, EOPNOTSUPP, "cannot read %s's properties", unit_of(dir));
	return bus->get_properties(unit_of(dir), SLICE_IFACE, sd_names, now, CGH_BEFORE_N,
				   BUS_TIMEOUT_MS, err);
}

/* ---- writing --------------------------------------------------------------- */

static int set_props(const struct cgh_penalty_env *env, const char *dir,
		     const struct cgh_unit_property *props, size_t n, struct cgh_error *err)
{
	return n == 0 ? 0 : bus_of(env)->set_properties(unit_of(dir), props, n, BUS_TIMEOUT_MS, err);
}

/* A tier's limits as slice properties; the period only when it is not the
 * kernel's default (so that systemd's "default" stays as it was). */
static size_t effect_props(const struct cgh_limits *l, struct cgh_unit_property *out)
{
	size_t n = 0;

	if (cgh_limits_has(l, CGH_CPU_MAX)) {
		uint64_t q = l->value[CGH_CPU_MAX];
		out[n++] = (struct cgh_unit_property){
			sd_names[CGH_BEFORE_CPU_QUOTA],
			q == CGH_UNLIMITED ? SD_UNSET : q * 1000000u / l->cpu_period };
		if (l->cpu_period != CGH_CPU_PERIOD_DEFAULT)
			out[n++] = (struct cgh_unit_property){ sd_names[CGH_BEFORE_CPU_PERIOD],
							       l->cpu_period };
	}
	if (cgh_limits_has(l, CGH_CPU_WEIGHT))
		out[n++] = (struct cgh_unit_property){ sd_names[CGH_BEFORE_CPU_WEIGHT],
						       l->value[CGH_CPU_WEIGHT] };
	if (cgh_limits_has(l, CGH_MEMORY_HIGH))
		out[n++] = (struct cgh_unit_property){ sd_names[CGH_BEFORE_MEMORY_HIGH],
						       l->value[CGH_MEMORY_HIGH] };
	return n;
}

int cgh_penalty_impose(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
		       const char *dir, const struct cgh_limits *effect, struct cgh_error *err)
{
	struct cgh_unit_property props[CGH_MAX_UNIT_PROPERTIES];
	unsigned ctrl = cgh_limits_controllers(effect);
	int r;

	if (how == CGH_PENALTY_SYSTEMD)
		return set_props(env, dir, props, effect_props(effect, props), err);
	r = cgh_fs_enable(env->fs, ".", ctrl, err);
	if (r == 0)
		r = cgh_fs_enable(env->fs, env->base, ctrl, err);
	if (r == 0)
		r = cgh_fs_write_limits(env->fs, dir, effect, err);
	return r;
}

int cgh_penalty_put_back(const struct cgh_penalty_env *env, enum cgh_penalty_how how,
			 const char *dir, unsigned back, const uint64_t *before,
			 const struct cgh_limits *held, struct cgh_error *err)
{
	struct cgh_unit_property props[CGH_MAX_UNIT_PROPERTIES];
	struct cgh_limits l;
	size_t n;

	if (how == CGH_PENALTY_FS) {
		fs_limits(before, back, &l);
		cgh_limits_merge(&l, held);
		return cgh_fs_write_limits(env->fs, dir, &l, err);
	}
	n = effect_props(held, props);
	for (unsigned s = 0; s < CGH_BEFORE_N; s++) {
		unsigned key = s <= CGH_BEFORE_CPU_PERIOD ? CGH_CPU_MAX
			       : s == CGH_BEFORE_CPU_WEIGHT ? CGH_CPU_WEIGHT : CGH_MEMORY_HIGH;
		if (back & (1u << key))
			props[n++] = (struct cgh_unit_property){ sd_names[s], before[s] };
	}
	return set_props(env, dir, props, n, err);
}

/* ---- ending ---------------------------------------------------------------- */

void cgh_penalty_values_back(const struct cgh_config *cfg, const struct cgh_penalty_record *rec,
			     uint64_t *before)
{
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };
	struct cgh_decision d;
	struct cgh_limits user = cfg->user;
	char name[CGH_USER_NAME_MAX];

	if (!rec->before_lost) {
		memcpy(before, rec->before, sizeof(rec->before));
		return;
	}
	cgh_user_name(rec->uid, name, sizeof(name));
	if (cgh_identity_lookup(name, &id, &err) == 0 && id->uid == rec->uid) {
		cgh_decide(cfg, id, NULL, &d);
		user = d.user;
	}
	cgh_identity_free(id);
	cgh_penalty_before_from_limits(&user, rec->how, before);
}

static void describe_back(const struct cgh_penalty_record *rec, unsigned back,
			  const uint64_t *before, char *buf, size_t len)
{
	struct cgh_limits l;

	if (rec->how == CGH_PENALTY_FS) {
		fs_limits(before, back, &l);
		cgh_penalty_effect_text(&l, buf, len);
		return;
	}
	buf[0] = '\0';
	for (unsigned s = 0, used = 0; s < CGH_BEFORE_N && used < len; s++) {
		unsigned key = s <= CGH_BEFORE_CPU_PERIOD ? CGH_CPU_MAX
			       : s == CGH_BEFORE_CPU_WEIGHT ? CGH_CPU_WEIGHT : CGH_MEMORY_HIGH;
		if (back & (1u << key))
			used += (unsigned)snprintf(buf + used, len - used, "%s=%llu ", sd_names[s],
						   (unsigned long long)before[s]);
	}
	snprintf(buf + strlen(buf), len - strlen(buf), "(systemd)");
}

int cgh_penalty_end(const struct cgh_penalty_env *env, const struct cgh_config *cfg,
		    struct cgh_penalty_record *recs, size_t n, size_t i, const char *why,
		    struct cgh_error *err)
{
	struct cgh_penalty_record *rec = &recs[i];
	struct cgh_limits held;
	uint64_t before[CGH_BEFORE_N];
	unsigned back = cgh_penalty_release(cfg->penalties, cfg->n_penalties, recs, n, i, &held);
	char user[64], text[256];
	int r;

	cgh_penalty_values_back(cfg, rec, before);
	r = cgh_penalty_put_back(env, rec->how, rec->dir, back, before, &held, err);
	if (r == -ENOENT || (r < 0 && err->code == ENOENT)) {
		cgh_error_clear(err);
		r = 0;	/* the user directory is gone: the next login starts afresh */
	}
	rec->active = false;
	cgh_user_name(rec->uid, user, sizeof(user));
	describe_back(rec, back, before, text, sizeof(text));
	if (r < 0)
		cgh_logf(env->log, LOG_ERR, "penalty end user=%s uid=%u penalty=%s tier=%u dir=%s/%s: %s: cannot put back %s: %s",
			 user, rec->uid, rec->name, rec->tier + 1, env->fs->root, rec->dir, why, text, err->msg);
	else
		cgh_logf(env->log, LOG_NOTICE, "penalty end user=%s uid=%u penalty=%s tier=%u dir=%s/%s: %s; put back %s%s",
			 user, rec->uid, rec->name, rec->tier + 1, env->fs->root, rec->dir, why, text,
			 rec->before_lost ? " (the rule's values: the record was damaged)" : "");
	return r;
}

int cgh_penalty_lift(const struct cgh_penalty_env *env, const struct cgh_config *cfg,
		     struct cgh_penalty_store *st, unsigned uid, struct cgh_error *err)
{
	struct cgh_penalty_record *recs = NULL;
	size_t n = 0, damaged = 0, kept = 0;
	int lifted = 0, r = cgh_penalty_store_lock(st, CGH_PENALTY_LOCK_MS * 2, err);

	if (r < 0)
		return r;
	r = cgh_penalty_store_read(st, &recs, &n, &damaged, err);
	if (r == -ENOENT)
		r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (recs[i].uid != uid || !recs[i].active)
			continue;
		if (cgh_penalty_end(env, cfg, recs, n, i, "lifted by cgherd penalty lift", err) < 0)
			r = -(err->code ? err->code : EIO);
		lifted++;
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		if (recs[i].uid != uid)
			recs[kept++] = recs[i];
	if (r == 0 && lifted + (int)(n - kept) > 0)
		r = cgh_penalty_store_write(st, recs, kept, err);
	cgh_penalty_store_unlock(st);
	free(recs);
	return r < 0 ? r : lifted;
}
