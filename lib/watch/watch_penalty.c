/* `cgherd watch`: penalties.  Every interval (cgh_usage_interval_ms) each
 * user directory's cpu.stat usage_usec (and memory.current when a penalty
 * looks at memory) goes into its ring; the policy (penalty.c) says who
 * offends.  The state file is read and written only when something is to
 * be done: an offence, a penalty's end, or the file changed (`cgherd
 * penalty lift`).  Then, under the state's lock: read, end what is over or
 * cannot be trusted, start what is due, write. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgh_identity.h"
#include "cgh_match.h"
#include "cgh_notice.h"
#include "cgh_penalty_apply.h"
#include "cgh_penalty_state.h"
#include "cgh_value.h"
#include "cgh_watch_state.h"

#define SYNC_LOCK_MS 200u

struct watch_penalties {
	struct cgh_penalty_store store;
	bool store_open, store_logged;
	struct cgh_penalty_record *known;	/* as last read or written */
	size_t n_known;
	uint64_t stamp;			/* of the file as we left it */
	uint64_t due;			/* next sample, monotonic ms */
	uint64_t interval;		/* ms */
	unsigned gen;			/* of the config, for the users' exempt bits */
	bool force;			/* sync at the next tick */
	bool need_memory;
	bool checked;			/* the user directories looked at against the state */
};

struct candidate {
	struct watch_user *u;
	const struct cgh_penalty *p;
	size_t pi;
	struct cgh_offence off;
};

/* ---- setup ------------------------------------------------------------------ */

static bool any_memory(const struct cgh_config *cfg)
{
	for (size_t i = 0; i < cfg->n_penalties; i++)
		if (cfg->penalties[i].memory_over != 0)
			return true;
	return false;
}

void watch_penalty_start(struct cgh_watcher *w, uint64_t now)
{
	struct watch_penalties *pen = w->pen;

	if (pen == NULL) {
		pen = calloc(1, sizeof(*pen));
		if (pen == NULL) {
			cgh_logf(w->log, LOG_ERR, "penalties: out of memory: none will be applied");
			return;
		}
		pen->store.dirfd = pen->store.lockfd = -1;
		w->pen = pen;
	}
	pen->gen++;
	pen->interval = cgh_usage_interval_ms(w->cfg->penalties, w->cfg->n_penalties);
	pen->need_memory = any_memory(w->cfg);
	pen->force = true;
	pen->due = now;
	if (w->cfg->n_penalties > 0)
		cgh_logf(w->log, LOG_INFO, "penalties: %zu, sampling every %llu ms, state in %s",
			 w->cfg->n_penalties, (unsigned long long)pen->interval,
			 w->opts->state_dir ? w->opts->state_dir : CGH_STATE_DIR);
}

void watch_penalty_stop(struct cgh_watcher *w)
{
	if (w->pen == NULL)
		return;
	cgh_penalty_store_close(&w->pen->store);
	free(w->pen->known);
	free(w->pen);
	w->pen = NULL;
}

uint64_t watch_penalty_due(const struct cgh_watcher *w)
{
	const struct watch_penalties *pen = w->pen;

	if (pen == NULL || (w->cfg->n_penalties == 0 && pen->n_known == 0 && !pen->force))
		return 0;
	return pen->due;
}

int watch_penalty_series(const struct cgh_watcher *w, struct cgh_samples *s)
{
	if (w->pen == NULL)
		return 0;
	return cgh_samples_add_penalties(s, w->pen->known, w->pen->n_known);
}

/* ---- sampling ------------------------------------------------------------------- */

void watch_penalty_user_gone(struct watch_user *u)
{
	for (int i = 0; i < 2; i++)
		if (u->pen_fd[i] > 0)
			close(u->pen_fd[i]);
	u->pen_fd[0] = u->pen_fd[1] = 0;
}

/* The text of u's file i (cpu.stat, memory.current), read again from its
 * start through the descriptor kept open: one pread(2) a sample instead of
 * open, read and close.  false when it cannot be read (closed then). */
static bool pread_file(struct cgh_watcher *w, struct watch_user *u, int i, char *buf, size_t len)
{
	static const char *const files[2] = { "cpu.stat", "memory.current" };
	char path[128];
	ssize_t n;

	if (u->pen_fd[i] <= 0) {
		snprintf(path, sizeof(path), "%s/%s", u->path, files[i]);
		u->pen_fd[i] = w->fs.sys->openat(w->fs.rootfd, path, O_RDONLY | O_CLOEXEC);
		if (u->pen_fd[i] <= 0) {
			u->pen_fd[i] = 0;
			return false;
		}
	}
	n = pread(u->pen_fd[i], buf, len - 1, 0);
	if (n <= 0) {
		close(u->pen_fd[i]);
		u->pen_fd[i] = 0;
		return false;
	}
	buf[n] = '\0';
	return true;
}

static void sample(struct cgh_watcher *w, uint64_t now_ms)
{
	bool mem = w->pen->need_memory;
	char text[512];

	for (size_t i = 0; i < w->tab.n_users; i++) {
		struct watch_user *u = &w->tab.users[i];
		uint64_t cpu, memory = CGH_UNKNOWN;

		if (!pread_file(w, u, 0, text, sizeof(text)) ||
		    cgh_keyed_value(text, "usage_usec", &cpu) < 0)
			continue;
		if (mem && pread_file(w, u, 1, text, sizeof(text))) {
			text[strcspn(text, "\n")] = '\0';
			if (cgh_parse_u64(text, &memory) < 0)
				memory = CGH_UNKNOWN;
		}
		cgh_usage_push(&u->usage, now_ms, cpu, memory);
	}
}

static enum cgh_penalty_how how_of(const struct watch_user *u)
{
	return u->tree->owned ? CGH_PENALTY_FS : CGH_PENALTY_SYSTEMD;
}

static const struct cgh_penalty_record *find_rec(const struct cgh_penalty_record *r, size_t n,
						 const char *dir, const char *name, bool active)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].active == active && strcmp(r[i].dir, dir) == 0 && strcmp(r[i].name, name) == 0)
			return &r[i];
	return NULL;
}

static size_t candidates(struct cgh_watcher *w, struct candidate *out, size_t max)
{
	const struct cgh_config *cfg = w->cfg;
	size_t n = 0;

	for (size_t i = 0; i < w->tab.n_users && n < max; i++) {
		struct watch_user *u = &w->tab.users[i];
		for (size_t j = 0; j < cfg->n_penalties && n < max; j++) {
			const struct cgh_penalty *p = &cfg->penalties[j];
			struct cgh_offence off;
			if (u->pen_gen == w->pen->gen && (u->exempt_known & u->exempt & (1u << j)))
				continue;
			if (find_rec(w->pen->known, w->pen->n_known, u->path, p->name, true) != NULL)
				continue;
			if (cgh_penalty_offence(p, &u->usage, &off))
				out[n++] = (struct candidate){ u, p, j, off };
		}
	}
	return n;
}

/* ---- host pressure, exemptions ---------------------------------------------------- */

static bool read_psi(const struct cgh_watcher *w, const char *name, unsigned *a10, unsigned *a60)
{
	char path[300], text[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/pressure/%s", w->opts->proc_root ? w->opts->proc_root : "/proc",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return cgh_psi_parse(text, a10, a60) == 0;
}

static void host_pressure(const struct cgh_watcher *w, struct cgh_host_pressure *h)
{
	h->cpu_known = read_psi(w, "cpu", &h->cpu10, &h->cpu60);
	h->memory_known = read_psi(w, "memory", &h->memory10, &h->memory60);
}

static bool exempt(struct cgh_watcher *w, struct watch_user *u, const struct cgh_penalty *p, size_t pi)
{
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };
	char name[CGH_USER_NAME_MAX];
	bool yes = false;

	if (p->exempt == NULL)
		return false;
	if (u->pen_gen != w->pen->gen) {
		u->pen_gen = w->pen->gen;
		u->exempt_known = u->exempt = 0;
	}
	if (u->exempt_known & (1u << pi))
		return (u->exempt & (1u << pi)) != 0;
	cgh_user_name(u->uid, name, sizeof(name));
	if (cgh_identity_lookup(name, &id, &err) == 0 && id->uid == u->uid)
		yes = cgh_match_matches(p->exempt, id, NULL);
	else
		cgh_logf(w->log, LOG_WARNING, "penalty %s: cannot look up uid %u (%s): not exempt", p->name,
			 u->uid, err.msg);
	cgh_identity_free(id);
	u->exempt_known |= 1u << pi;
	if (yes) {
		u->exempt |= 1u << pi;
		cgh_logf(w->log, LOG_INFO, "penalty %s: user=%s uid=%u over its trigger, but exempt", p->name,
			 name, u->uid);
	}
	return yes;
}

/* ---- the state, under its lock --------------------------------------------------- */

struct sync {
	struct cgh_watcher *w;
	struct cgh_penalty_env env;
	struct cgh_penalty_record *recs;
	size_t n, cap;
	uint64_t now;		/* s, CLOCK_REALTIME */
	bool changed;
	bool first;		/* the first look since watch started */
};

/* The user told of a penalty's start or end (cgh_notice_deliver: the
 * record for the next login, a line on their terminals now). */
static void tell(const struct cgh_watcher *w, enum cgh_notice_kind kind,
		 const struct cgh_penalty_record *r, const char *why)
{
	const struct cgh_penalty *p = cgh_penalty_find(w->cfg->penalties, w->cfg->n_penalties, r->name);
	const char *base = strrchr(r->dir, '/');
	struct cgh_notifier nf;
	struct cgh_notice n = { .kind = kind, .when = (uint64_t)time(NULL), .uid = r->uid,
				.event = r->start, .tier = r->tier + 1, .until = r->until,
				.limit = CGH_UNKNOWN, .peak = CGH_UNKNOWN, .killed = CGH_UNKNOWN };

	watch_notifier(w, &nf);
	if (!nf.at_login && !nf.tty)
		return;
	snprintf(n.leaf, sizeof(n.leaf), "%s", base != NULL ? base + 1 : r->dir);
	snprintf(n.penalty, sizeof(n.penalty), "%s", r->name);
	snprintf(n.why, sizeof(n.why), "%s", why);
	n.tiers = p != NULL ? p->n_tiers : CGH_UNKNOWN;
	if (p != NULL && r->tier < p->n_tiers)
		cgh_penalty_effect_text(&p->tiers[r->tier].effect, n.effect, sizeof(n.effect));
	cgh_notice_deliver(&nf, &w->fs, r->dir, &n, w->log);
}

static void end_rec(struct sync *s, size_t i, const char *why)
{
	struct cgh_error err = { 0 };

	cgh_penalty_end(&s->env, s->w->cfg, s->recs, s->n, i, why, &err);
	tell(s->w, CGH_NOTICE_PENALTY_END, &s->recs[i], why);
	s->changed = true;
}

static void user_reset(struct cgh_watcher *w, const char *dir)
{
	for (size_t i = 0; i < w->tab.n_users; i++)
		if (strcmp(w->tab.users[i].path, dir) == 0)
			cgh_usage_reset(&w->tab.users[i].usage);
}

/* The file gone or refused: what we knew is ended, from what it said, and
 * those users start a new window (as after a lift). */
static void lost(struct sync *s, const char *why)
{
	struct watch_penalties *pen = s->w->pen;

	free(s->recs);
	s->recs = pen->known;
	s->n = s->cap = pen->n_known;
	pen->known = NULL;
	pen->n_known = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!s->recs[i].active)
			continue;
		end_rec(s, i, why);
		user_reset(s->w, s->recs[i].dir);
	}
	s->changed = true;
}


/* Penalties we knew to run that the file no longer has: lifted by the
 * CLI.  Their users start a new window. */
static void note_lifted(struct sync *s)
{
	const struct watch_penalties *pen = s->w->pen;

	for (size_t i = 0; i < pen->n_known; i++) {
		const struct cgh_penalty_record *k = &pen->known[i];
		if (k->active && find_rec(s->recs, s->n, k->dir, k->name, true) == NULL) {
			cgh_logf(s->w->log, LOG_INFO, "penalty %s of uid %u ended outside watch (cgherd penalty lift)",
				 k->name, k->uid);
			tell(s->w, CGH_NOTICE_PENALTY_END, k, "lifted by an administrator");
			user_reset(s->w, k->dir);
		}
	}
}

static void check_records(struct sync *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cgh_penalty_record *r = &s->recs[i];
		const char *why;

		if (!r->active)
			continue;
		if (r->before_lost)
			end_rec(s, i, "its record in the state file is damaged");
		else if ((why = cgh_penalty_record_check(s->w->cfg->penalties, s->w->cfg->n_penalties,
							  r, s->now)) != NULL)
			end_rec(s, i, why);
		else if (r->until <= s->now)
			end_rec(s, i, "its duration is over");
	}
}

/* Whether the limits read (now) are the tier's (want). */
static bool holds(const struct cgh_limits *now, const struct cgh_limits *want)
{
	return now->set == want->set && memcmp(now->value, want->value, sizeof(now->value)) == 0 &&
	       (!cgh_limits_has(want, CGH_CPU_MAX) || now->cpu_period == want->cpu_period);
}

static bool same_slots(const uint64_t *a, const uint64_t *b, unsigned keys)
{
	if ((keys & (1u << CGH_CPU_MAX)) && (a[CGH_BEFORE_CPU_QUOTA] != b[CGH_BEFORE_CPU_QUOTA] ||
					     a[CGH_BEFORE_CPU_PERIOD] != b[CGH_BEFORE_CPU_PERIOD]))
		return false;
	if ((keys & (1u << CGH_CPU_WEIGHT)) && a[CGH_BEFORE_CPU_WEIGHT] != b[CGH_BEFORE_CPU_WEIGHT])
		return false;
	return !(keys & (1u << CGH_MEMORY_HIGH)) || a[CGH_BEFORE_MEMORY_HIGH] == b[CGH_BEFORE_MEMORY_HIGH];
}

/* A user directory holding a tier's limits that no record explains (the
 * state file lost or cut while watch was stopped), where the rule gives
 * other values: what was there before is not known, so the rule's values
 * go back, as for a damaged record. */
static void orphan(struct sync *s, const struct watch_user *u, const struct cgh_penalty *p, unsigned t)
{
	const struct cgh_penalty_tier *tier = &p->tiers[t];
	struct cgh_penalty_record rec = { .uid = u->uid, .how = CGH_PENALTY_FS, .tier = t,
					  .active = true, .start = s->now, .until = s->now,
					  .keys = tier->effect.set, .before_lost = true };
	uint64_t rule[CGH_BEFORE_N], tier_vals[CGH_BEFORE_N];
	struct cgh_error err = { 0 };
	char effect[160];

	snprintf(rec.dir, sizeof(rec.dir), "%s", u->path);
	snprintf(rec.name, sizeof(rec.name), "%s", p->name);
	cgh_penalty_values_back(s->w->cfg, &rec, rule);
	cgh_penalty_before_from_limits(&tier->effect, CGH_PENALTY_FS, tier_vals);
	if (same_slots(rule, tier_vals, rec.keys))
		return;		/* the rule's own values: nothing to put back */
	cgh_penalty_effect_text(&tier->effect, effect, sizeof(effect));
	cgh_logf(s->w->log, LOG_WARNING, "penalties: %s/%s holds tier %u of penalty %s (%s) but the state has no record of it (lost while watch was stopped): putting back the rule's values",
		 s->w->fs.root, u->path, t + 1, p->name, effect);
	cgh_penalty_end(&s->env, s->w->cfg, &rec, 1, 0, "its record was lost", &err);
	tell(s->w, CGH_NOTICE_PENALTY_END, &rec, "its record was lost");
}

/* Once, at the first look: every cgroupfs user directory without a running
 * record whose limits are a tier's. */
static void orphans(struct sync *s)
{
	const struct cgh_config *cfg = s->w->cfg;

	for (size_t i = 0; i < s->w->tab.n_users; i++) {
		const struct watch_user *u = &s->w->tab.users[i];
		bool found = false;

		if (how_of(u) != CGH_PENALTY_FS)
			continue;
		for (size_t j = 0; j < s->n && !found; j++)
			found = s->recs[j].active && strcmp(s->recs[j].dir, u->path) == 0;
		for (size_t j = 0; j < cfg->n_penalties && !found; j++)
			for (unsigned t = 0; t < cfg->penalties[j].n_tiers && !found; t++) {
				const struct cgh_limits *want = &cfg->penalties[j].tiers[t].effect;
				struct cgh_limits now;
				cgh_fs_read_limits(&s->w->fs, u->path, want->set, &now);
				if (holds(&now, want)) {
					orphan(s, u, &cfg->penalties[j], t);
					found = true;
				}
			}
	}
}

/* A penalty the user directory lost (made anew at a later login, with the
 * rule's values): those values are the new before, the effect goes on again. */
static void reimpose(struct sync *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cgh_penalty_record *r = &s->recs[i];
		const struct cgh_penalty *p = cgh_penalty_find(s->w->cfg->penalties, s->w->cfg->n_penalties, r->name);
		struct cgh_limits now, want;
		struct cgh_error err = { 0 };

		if (!r->active || r->how != CGH_PENALTY_FS || p == NULL || r->tier >= p->n_tiers)
			continue;
		want = p->tiers[r->tier].effect;
		cgh_fs_read_limits(&s->w->fs, r->dir, want.set, &now);
		if (!holds(&now, &want)) {
			uint64_t vals[CGH_BEFORE_N];
			if (now.set == 0)
				continue;	/* gone, or not made yet */
			if (cgh_penalty_read_now(&s->env, r->how, r->dir, vals, &err) == 0 &&
			    cgh_penalty_impose(&s->env, r->how, r->dir, &want, &err) == 0) {
				cgh_penalty_inherit_before(s->recs, 0, r->dir, r->keys, r->before, vals);
				s->changed = true;
				if (s->first)
					cgh_logf(s->w->log, LOG_WARNING, "penalty %s of uid %u: %s/%s no longer held its tier's limits (changed while watch was stopped): put on again until its end, what it held kept to put back then",
						 r->name, r->uid, s->w->fs.root, r->dir);
				else
					cgh_logf(s->w->log, LOG_NOTICE, "penalty %s of uid %u put on %s/%s again (made anew)",
						 r->name, r->uid, s->w->fs.root, r->dir);
			}
		}
	}
}

static struct cgh_penalty_record *slot_for(struct sync *s, const char *dir, const char *name)
{
	struct cgh_penalty_record *grown;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->recs[i].dir, dir) == 0 && strcmp(s->recs[i].name, name) == 0)
			return &s->recs[i];
	if (s->n >= CGH_PENALTY_RECORDS_MAX)
		return NULL;
	if (s->n == s->cap) {
		grown = realloc(s->recs, (s->cap * 2 + 16) * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		s->recs = grown;
		s->cap = s->cap * 2 + 16;
	}
	memset(&s->recs[s->n], 0, sizeof(s->recs[s->n]));
	return &s->recs[s->n++];
}

static void fmt_usage(const struct cgh_offence *o, char *buf, size_t len)
{
	char a[32], b[32];

	if (o->cpu) {
		snprintf(buf, len, "cpu=%llu.%02llu%% threshold=%llu%%", (unsigned long long)(o->usage / 100),
			 (unsigned long long)(o->usage % 100), (unsigned long long)(o->threshold / 100));
		return;
	}
	cgh_format_size(o->usage, a, sizeof(a));
	cgh_format_size(o->threshold, b, sizeof(b));
	snprintf(buf, len, "memory.current>=%s threshold=%s", a, b);
}

/* What the user reads after "because": "your CPU use was 98.50% of one
 * CPU over 10s, over the threshold of 30%". */
static void why_text(const struct cgh_offence *o, uint64_t window, char *buf, size_t len)
{
	char a[32], b[32];

	if (o->cpu) {
		snprintf(buf, len, "your CPU use was %llu.%02llu%% of one CPU over %llus, over the threshold of %llu%%",
			 (unsigned long long)(o->usage / 100), (unsigned long long)(o->usage % 100),
			 (unsigned long long)window, (unsigned long long)(o->threshold / 100));
		return;
	}
	cgh_format_size(o->usage, a, sizeof(a));
	cgh_format_size(o->threshold, b, sizeof(b));
	snprintf(buf, len, "your memory use stayed at %s or more for %llus, over the threshold of %s", a,
		 (unsigned long long)window, b);
}

static void log_start(struct sync *s, const struct candidate *c, const struct cgh_penalty_record *r,
		      const struct cgh_host_pressure *h)
{
	const struct cgh_penalty_tier *t = &c->p->tiers[r->tier];
	char user[64], usage[96], effect[160], until[32], busy[96] = "";
	time_t u = (time_t)r->until;
	struct tm tm;

	cgh_user_name(r->uid, user, sizeof(user));
	fmt_usage(&c->off, usage, sizeof(usage));
	cgh_penalty_effect_text(&t->effect, effect, sizeof(effect));
	gmtime_r(&u, &tm);
	strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (c->p->when_busy)
		snprintf(busy, sizeof(busy), " host_pressure=cpu:%u.%02u%%,memory:%u.%02u%%(%s)",
			 (c->p->busy_avg == CGH_PSI_AVG60 ? h->cpu60 : h->cpu10) / 100,
			 (c->p->busy_avg == CGH_PSI_AVG60 ? h->cpu60 : h->cpu10) % 100,
			 (c->p->busy_avg == CGH_PSI_AVG60 ? h->memory60 : h->memory10) / 100,
			 (c->p->busy_avg == CGH_PSI_AVG60 ? h->memory60 : h->memory10) % 100,
			 c->p->busy_avg == CGH_PSI_AVG60 ? "avg60" : "avg10");
	cgh_logf(s->w->log, LOG_NOTICE,
		 "penalty start user=%s uid=%u penalty=%s %s window=%llus%s tier=%u/%zu effect=%s duration=%llus until=%s dir=%s/%s",
		 user, r->uid, c->p->name, usage, (unsigned long long)c->p->window, busy, r->tier + 1,
		 c->p->n_tiers, effect, (unsigned long long)t->duration, until, s->w->fs.root, r->dir);
}

/* An effect that failed may still have been applied (a D-Bus call that
 * timed out after systemd acted): put back what was read; if that fails
 * too, keep the record, so that its end puts it back. */
static void undo(struct sync *s, struct cgh_penalty_record *rec, const char *why)
{
	struct cgh_error err = { 0 };
	struct cgh_penalty_record *slot;

	cgh_logf(s->w->log, LOG_ERR, "penalty %s of uid %u not applied: %s", rec->name, rec->uid, why);
	if (cgh_penalty_put_back(&s->env, rec->how, rec->dir, rec->keys, rec->before,
				 &(struct cgh_limits){ 0 }, &err) == 0)
		return;
	slot = slot_for(s, rec->dir, rec->name);
	if (slot != NULL) {
		*slot = *rec;
		s->changed = true;
	}
	cgh_logf(s->w->log, LOG_ERR, "penalty %s of uid %u: cannot put back what it may have set (%s): kept, to be put back at its end",
		 rec->name, rec->uid, err.msg);
}

static void start_one(struct sync *s, const struct candidate *c, const struct cgh_host_pressure *h)
{
	const struct cgh_penalty_record *prev = find_rec(s->recs, s->n, c->u->path, c->p->name, false);
	struct cgh_penalty_record rec = { .uid = c->u->uid, .how = how_of(c->u), .active = true,
					  .start = s->now };
	struct cgh_penalty_record *slot;
	struct cgh_error err = { 0 };
	uint64_t vals[CGH_BEFORE_N];
	char why[160];

	if (find_rec(s->recs, s->n, c->u->path, c->p->name, true) != NULL)
		return;
	snprintf(rec.dir, sizeof(rec.dir), "%s", c->u->path);
	snprintf(rec.name, sizeof(rec.name), "%s", c->p->name);
	rec.tier = cgh_penalty_next_tier(c->p, prev, s->now);
	rec.until = s->now + c->p->tiers[rec.tier].duration;
	rec.keys = c->p->tiers[rec.tier].effect.set;
	if (cgh_penalty_read_now(&s->env, rec.how, rec.dir, vals, &err) < 0) {
		cgh_logf(s->w->log, LOG_ERR, "penalty %s of uid %u not applied: %s", c->p->name, rec.uid, err.msg);
		return;
	}
	cgh_penalty_inherit_before(s->recs, s->n, rec.dir, rec.keys, rec.before, vals);
	if (cgh_penalty_impose(&s->env, rec.how, rec.dir, &c->p->tiers[rec.tier].effect, &err) < 0) {
		undo(s, &rec, err.msg);
		return;
	}
	/* from when it is in force: systemd may take seconds to answer */
	rec.start = (uint64_t)time(NULL);
	rec.until = rec.start + c->p->tiers[rec.tier].duration;
	slot = slot_for(s, rec.dir, rec.name);
	if (slot == NULL) {	/* cannot keep it: take it back at once */
		undo(s, &rec, "no room in the state");
		return;
	}
	*slot = rec;
	s->changed = true;
	log_start(s, c, slot, h);
	why_text(&c->off, c->p->window, why, sizeof(why));
	tell(s->w, CGH_NOTICE_PENALTY_START, slot, why);
}

static void start_due(struct sync *s, struct candidate *c, size_t nc)
{
	struct cgh_host_pressure h = { 0 };
	bool read = false;

	for (size_t i = 0; i < nc; i++) {
		if (exempt(s->w, c[i].u, c[i].p, c[i].pi))
			continue;
		if (c[i].p->when_busy && !read) {
			host_pressure(s->w, &h);
			read = true;
		}
		if (cgh_penalty_host_busy(c[i].p, &h))
			start_one(s, &c[i], &h);
	}
}

static void prune(struct sync *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct cgh_penalty *p = cgh_penalty_find(s->w->cfg->penalties, s->w->cfg->n_penalties,
							       s->recs[i].name);
		if (cgh_penalty_record_live(p, &s->recs[i], s->now))
			s->recs[kept++] = s->recs[i];
	}
	if (kept != s->n)
		s->changed = true;
	s->n = kept;
}

static bool open_store(struct cgh_watcher *w)
{
	struct watch_penalties *pen = w->pen;
	struct cgh_error err = { 0 };

	if (pen->store_open)
		return true;
	if (cgh_penalty_store_open(&pen->store, w->opts->state_dir, w->cfg->n_penalties > 0, &err) < 0) {
		if (err.code != ENOENT && !pen->store_logged)
			cgh_logf(w->log, LOG_ERR, "penalties: %s: none will be applied", err.msg);
		pen->store_logged = true;
		return false;
	}
	pen->store_open = true;
	return true;
}

static void read_state(struct sync *s)
{
	struct watch_penalties *pen = s->w->pen;
	struct cgh_error err = { 0 };
	size_t damaged = 0;
	int r = cgh_penalty_store_read(&pen->store, &s->recs, &s->n, &damaged, &err);

	s->cap = s->n;
	if (r == -ENOENT) {
		if (pen->n_known > 0)
			lost(s, "the state file is gone");
		return;
	}
	if (r < 0) {
		cgh_logf(s->w->log, LOG_ERR, "penalties: %s: lifting the penalties it held", err.msg);
		lost(s, "the state file was refused");
		return;
	}
	if (damaged > 0) {
		cgh_logf(s->w->log, LOG_ERR, "penalties: %s/%s: %zu damaged lines: lifting the penalties they held",
			 pen->store.dir, CGH_PENALTY_STATE_FILE, damaged);
		s->changed = true;
	}
	note_lifted(s);
}

static void sync_state(struct cgh_watcher *w, struct candidate *c, size_t nc)
{
	struct watch_penalties *pen = w->pen;
	struct sync s = { .w = w, .now = (uint64_t)time(NULL),
			  .env = { .fs = &w->fs, .base = w->cfg->base, .bus = w->opts->bus, .log = w->log } };
	struct cgh_error err = { 0 };

	pen->force = false;	/* one look; an offence or an end asks again */
	if (!open_store(w))
		return;
	if (cgh_penalty_store_lock(&pen->store, SYNC_LOCK_MS, &err) < 0) {
		cgh_logf(w->log, LOG_DEBUG, "penalties: %s: next time", err.msg);
		pen->force = true;
		return;
	}
	s.first = !pen->checked;
	read_state(&s);
	check_records(&s);
	if (s.first)
		orphans(&s);
	reimpose(&s);
	pen->checked = true;
	start_due(&s, c, nc);
	prune(&s);
	if (s.changed && cgh_penalty_store_write(&pen->store, s.recs, s.n, &err) < 0)
		cgh_logf(w->log, LOG_ERR, "penalties: %s", err.msg);
	pen->stamp = cgh_penalty_store_stamp(&pen->store);
	cgh_penalty_store_unlock(&pen->store);
	free(pen->known);
	pen->known = s.recs;
	pen->n_known = s.n;
	if (w->cfg->n_penalties == 0 && s.n == 0) {	/* nothing to lift or to watch */
		cgh_penalty_store_close(&pen->store);
		pen->store_open = false;
	}
}

/* ---- the tick ---------------------------------------------------------------------- */

/* A user directory of a running penalty made anew (a login after the last
 * one ended): its ring holds one sample.  reimpose() looks at it. */
static bool remade(const struct cgh_watcher *w)
{
	const struct watch_penalties *pen = w->pen;

	for (size_t i = 0; i < pen->n_known; i++) {
		if (!pen->known[i].active || pen->known[i].how != CGH_PENALTY_FS)
			continue;
		for (size_t j = 0; j < w->tab.n_users; j++)
			if (w->tab.users[j].usage.n == 1 && strcmp(w->tab.users[j].path, pen->known[i].dir) == 0)
				return true;
	}
	return false;
}

static uint64_t earliest_end(const struct watch_penalties *pen)
{
	uint64_t e = 0;

	for (size_t i = 0; i < pen->n_known; i++)
		if (pen->known[i].active && (e == 0 || pen->known[i].until < e))
			e = pen->known[i].until;
	return e;
}

void watch_penalty_tick(struct cgh_watcher *w, uint64_t now_ms)
{
	struct watch_penalties *pen = w->pen;
	struct candidate c[64];
	uint64_t now_s = (uint64_t)time(NULL), end;
	size_t nc;

	if (pen == NULL || now_ms < pen->due)
		return;
	if (w->cfg->n_penalties > 0)	/* else only the state's leftovers to lift */
		sample(w, now_ms);
	nc = candidates(w, c, sizeof(c) / sizeof(c[0]));
	end = earliest_end(pen);
	if (pen->force || nc > 0 || (end != 0 && end <= now_s) || remade(w) ||
	    (pen->store_open && cgh_penalty_store_stamp(&pen->store) != pen->stamp))
		sync_state(w, c, nc);
	pen->due = now_ms + pen->interval;
	end = earliest_end(pen);
	if (end != 0) {
		uint64_t at = now_ms + (end > now_s ? (end - now_s) * 1000u : 0);
		if (at < pen->due)
			pen->due = at;
	}
}
