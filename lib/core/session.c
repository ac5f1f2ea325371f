#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_mountinfo.h"
#include "cgh_reaper.h"
#include "cgh_session.h"
#include "cgh_session_systemd.h"
#include "cgh_systemd.h"

#define LEAF_NAME_TRIES 64
#define USER_DIR_LOCK_MS 500

struct progress {
	bool made_base, made_user, made_leaf;
};

/* ---- figures ---------------------------------------------------------- */

static int put_figure(char *buf, size_t len, size_t used, const char *name, uint64_t v)
{
	if (v == CGH_UNKNOWN || used >= len)
		return 0;
	if (v == CGH_UNLIMITED)
		return snprintf(buf + used, len - used, "%s%s=max", used ? " " : "", name);
	return snprintf(buf + used, len - used, "%s%s=%llu", used ? " " : "", name,
			(unsigned long long)v);
}

void cgh_stats_describe(const struct cgh_stats *st, char *buf, size_t len)
{
	const struct { const char *name; uint64_t v; } f[] = {
		{ "memory.peak", st->memory_peak }, { "memory.max", st->memory_max },
		{ "cpu_usec", st->cpu_usage_usec }, { "oom", st->oom },
		{ "oom_kill", st->oom_kill }, { "oom_group_kill", st->oom_group_kill },
		{ "procs_left", st->procs },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int n = put_figure(buf, len, used, f[i].name, f[i].v);
		if (n > 0)
			used += (size_t)n;
	}
}

/* ---- garbage collection ---------------------------------------------- */

struct gc_walk {
	const struct cgh_fs *fs;
	const struct cgh_log *log;
	const struct cgh_notifier *nf;
	const char *base;
	char user_dir[CGH_LEAF_BUF];	/* base/user-UID being walked */
	unsigned uid;
	int removed;
};

static int gc_leaf(void *arg, const char *name)
{
	struct gc_walk *w = arg;
	struct cgh_stats st;
	char leaf[CGH_PATH_BUF], figures[256];
	bool populated = true;

	cgh_path_entry(leaf, sizeof(leaf), w->user_dir, name);
	if (cgh_fs_populated(w->fs, leaf, &populated, NULL) < 0 || populated)
		return 0;
	cgh_fs_stats_brief(w->fs, leaf, &st);
	cgh_notice_collect(w->nf, w->fs, leaf, w->uid, &st, NULL, w->log);
	if (cgh_fs_rmdir(w->fs, leaf, NULL) < 0)
		return 0;
	cgh_stats_describe(&st, figures, sizeof(figures));
	cgh_logf(w->log, LOG_INFO, "collected dead session leaf=%s/%s %s", w->fs->root, leaf, figures);
	w->removed++;
	return 0;
}

static int gc_user(void *arg, const char *name)
{
	struct gc_walk *w = arg;

	cgh_path_user_dir(w->user_dir, sizeof(w->user_dir), w->base, name);
	w->uid = (unsigned)strtoul(name + strlen("user-"), NULL, 10);
	cgh_fs_each_dir(w->fs, w->user_dir, "session-", gc_leaf, w, NULL);
	cgh_fs_rmdir(w->fs, w->user_dir, NULL);	/* fails while sessions live */
	return 0;
}

/* user: one user's directory name ("user-UID"), or NULL for every user.  A
 * whole walk is stamped on base (best effort: without the stamp every open
 * walks the whole base, as it did before). */
static int gc_walk(const struct cgh_fs *fs, const char *base, const char *user,
		   const struct cgh_notifier *nf, const struct cgh_log *log, struct cgh_error *err)
{
	struct gc_walk w = { .fs = fs, .log = log, .nf = nf, .base = base };
	int lockfd = cgh_fs_lock(fs, base, true, 0, err);
	int r = 0;

	if (lockfd == -EWOULDBLOCK || lockfd == -ENOENT)
		return 0;	/* a login is setting up; the next one collects */
	if (lockfd < 0)
		return lockfd;
	if (user != NULL)
		gc_user(&w, user);
	else
		r = cgh_fs_each_dir(fs, base, "user-", gc_user, &w, err);
	if (r == 0 && user == NULL)
		cgh_fs_set_gc_stamp(fs, base, cgh_boottime_s(), NULL);
	cgh_fs_unlock(lockfd);
	return r < 0 ? r : w.removed;
}

int cgh_gc(const struct cgh_fs *fs, const char *base, const struct cgh_notifier *nf,
	   const struct cgh_log *log, struct cgh_error *err)
{
	return gc_walk(fs, base, NULL, nf, log, err);
}

/* ---- open ------------------------------------------------------------- */

int cgh_session_lookup_user_by(const char *user, const char *const *wanted, size_t n_wanted,
				struct cgh_identity **out, struct cgh_error *err)
{
	if (n_wanted > CGH_WANTED_GROUPS_MAX)
		return cgh_identity_lookup(user, out, err);
	return cgh_identity_lookup_wanted(user, wanted, n_wanted, out, err);
}

int cgh_session_lookup_user(const struct cgh_config *cfg, const char *user,
			    struct cgh_identity **out, struct cgh_error *err)
{
	const char *wanted[CGH_WANTED_GROUPS_MAX];
	size_t n = cgh_rule_group_names(cfg, wanted, CGH_WANTED_GROUPS_MAX);

	return cgh_session_lookup_user_by(user, wanted, n, out, err);
}

static int check_controllers(const struct cgh_fs *fs, unsigned needed, struct cgh_error *err)
{
	unsigned have = 0;
	char missing[64];
	int r = cgh_fs_controllers(fs, ".", &have, err);

	if (r < 0 || (needed & ~have) == 0)
		return r;
	cgh_controllers_format(needed & ~have, "", missing, sizeof(missing));
	return cgh_fail_msg(err, ENODEV, "controller(s) %s not available in %s/cgroup.controllers",
			    missing, fs->root);
}

/* The root's subtree_control usually has them all already (one read); else
 * they must be available before they are enabled. */
static int enable_at_root(const struct cgh_fs *fs, unsigned needed, struct cgh_error *err)
{
	unsigned on = 0;
	int r = cgh_fs_enabled(fs, ".", &on, err);

	if (r < 0 || (needed & ~on) == 0)
		return r;
	r = check_controllers(fs, needed, err);
	return r < 0 ? r : cgh_fs_enable(fs, ".", needed, err);
}

static int make_dir(const struct cgh_fs *fs, const char *dir, bool *made, struct cgh_error *err)
{
	int r = cgh_fs_mkdir(fs, dir, err);

	*made = r == 0;
	return r == -EEXIST ? 0 : r;
}

static int make_leaf(const struct cgh_fs *fs, struct cgh_session *s, struct cgh_error *err)
{
	for (int n = 1; n <= LEAF_NAME_TRIES; n++) {
		if (n == 1)
			snprintf(s->leaf, sizeof(s->leaf), "%s/session-%d", s->user_dir, (int)s->opener);
		else
			snprintf(s->leaf, sizeof(s->leaf), "%s/session-%d-%d", s->user_dir,
				 (int)s->opener, n);
		int r = cgh_fs_mkdir(fs, s->leaf, err);
		if (r != -EEXIST)
			return r;
	}
	return cgh_fail_msg(err, EEXIST, "%s/%s/session-%d: %d leaves of that name exist", fs->root,
			    s->user_dir, (int)s->opener, LEAF_NAME_TRIES);
}

/* The rule's name on the leaf, for `cgherd watch`; best effort: a kernel
 * without trusted xattrs on cgroupfs must not stop a login. */
static void record_rule(const struct cgh_fs *fs, const struct cgh_session *s,
			const struct cgh_log *log)
{
	struct cgh_error why = { 0 };

	if (cgh_fs_set_rule(fs, s->leaf, s->rule, &why) < 0)
		cgh_logf(log, LOG_NOTICE, "rule name not recorded: %s", why.msg);
}

/* The login (service, tty, remote host, start), for whoever writes a notice
 * about this leaf; best effort as the rule. */
static void record_login(const struct cgh_fs *fs, const struct cgh_session *s,
			 const struct cgh_env *env)
{
	struct cgh_error why = { 0 };

	if (env->login == NULL)
		return;
	if (cgh_notice_set_login(fs, s->leaf, env->login, &why) < 0)
		cgh_logf(env->log, LOG_NOTICE, "login not recorded: %s", why.msg);
	else
		cgh_logf(env->log, LOG_DEBUG, "login recorded on %s: service=%s tty=%s rhost=%s", s->leaf,
			 env->login->service, env->login->tty, env->login->rhost);
}

/* How much of the way to the leaf herd found with the needed controllers
 * enabled.  A controller enabled in a cgroup's subtree_control is enabled
 * in every ancestor's (the kernel refuses it otherwise), so the user
 * directory ready (a live session of the user's made it so) means base and
 * root need no look, and base ready means the root needs none. */
enum readiness { READY_NONE, READY_BASE, READY_USER };

/* The controllers of a cgroup made just now: its subtree_control is empty,
 * so they are written without reading it first (cgh_fs_enable). */
static int enable_new(const struct cgh_fs *fs, const char *dir, unsigned needed,
		      struct cgh_error *err)
{
	char add[64];

	if (needed == 0)
		return 0;
	cgh_controllers_format(needed, "+", add, sizeof(add));
	return cgh_fs_write(fs, dir, "cgroup.subtree_control", add, err);
}

/* Under the shared lock: everything from the user directory to the move.
 * ready: what herd found (enum readiness); a collection since may have
 * removed the user directory. */
static int build_leaf(const struct cgh_fs *fs, struct cgh_session *s,
		      const struct cgh_decision *d, unsigned needed, enum readiness ready,
		      struct progress *p, const struct cgh_env *env, struct cgh_error *err)
{
	int r = ready >= READY_BASE ? 0 : cgh_fs_enable(fs, s->base, needed, err);

	if (r == 0)
		r = make_dir(fs, s->user_dir, &p->made_user, err);
	if (r == 0 && p->made_user)
		r = enable_new(fs, s->user_dir, needed, err);
	else if (r == 0 && ready != READY_USER)
		r = cgh_fs_enable(fs, s->user_dir, needed, err);
	if (r == 0)
		r = cgh_fs_write_limits(fs, s->user_dir, &d->user, err);
	if (r == 0)
		r = make_leaf(fs, s, err);
	p->made_leaf = r == 0;
	if (r == 0)
		r = cgh_fs_write_limits(fs, s->leaf, &d->session, err);
	if (r == 0) {
		record_rule(fs, s, env->log);
		record_login(fs, s, env);
	}
	if (r == 0)	/* s->origin: where cgh_session_choose_backend found the opener */
		r = cgh_fs_move(fs, s->leaf, s->opener, err);
	return r;
}

static void roll_back(const struct cgh_fs *fs, const struct cgh_session *s,
		      const struct progress *p)
{
	if (p->made_leaf)
		cgh_fs_rmdir(fs, s->leaf, NULL);
	if (p->made_user)
		cgh_fs_rmdir(fs, s->user_dir, NULL);
	if (p->made_base)
		cgh_fs_rmdir(fs, s->base, NULL);
}

static struct cgh_session *session_new(const struct cgh_config *cfg,
				       const struct cgh_identity *id,
				       const struct cgh_decision *d, pid_t opener,
				       const struct cgh_env *env)
{
	struct cgh_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	snprintf(s->root, sizeof(s->root), "%s", cfg->cgroup_root);
	snprintf(s->base, sizeof(s->base), "%s", cfg->base);
	snprintf(s->user_dir, sizeof(s->user_dir), "%s/user-%u", cfg->base, (unsigned)id->uid);
	snprintf(s->rule, sizeof(s->rule), "%s", d->rule ? d->rule->name : "(default)");
	cgh_sanitize(s->user, sizeof(s->user), id->user);
	s->uid = id->uid;
	s->opener = opener;
	s->kill_on_close = cfg->kill_on_close;
	s->close_path = cfg->close_path;
	if (env->notify != NULL)
		s->notify = *env->notify;
	return s;
}

static void log_herded(const struct cgh_session *s, const char *service,
		       const struct cgh_decision *d, const struct cgh_log *log)
{
	char session[512], user[512], svc[64];

	cgh_limits_describe(&d->session, session, sizeof(session));
	cgh_limits_describe(&d->user, user, sizeof(user));
	cgh_sanitize(svc, sizeof(svc), service);
	cgh_logf(log, LOG_INFO, "herded user=%s uid=%u service=%s rule=%s leaf=%s/%s %s%s%s%s%s",
		 s->user, (unsigned)s->uid, svc, s->rule, s->root, s->leaf, session,
		 user[0] ? " [" : "", user[0] ? s->user_dir : "", user[0] ? ": " : "",
		 user[0] ? user : "");
	if (user[0])
		cgh_logf(log, LOG_DEBUG, "user limits written to %s/%s", s->root, s->user_dir);
}

/* At each open, the opening user's own dead leaves; everyone's at most once
 * per CGH_GC_INTERVAL_S, so that a login on a busy host does not read every
 * live session's cgroup.events.  Collection failing must not stop a login: it
 * is logged and retried at the next one.  no_user_dir: herd found no user
 * directory, so the user has no leaf to walk. */
static void collect(const struct cgh_fs *fs, const struct cgh_session *s, bool no_user_dir,
		    const struct cgh_log *log)
{
	const struct cgh_notifier *nf = &s->notify;
	struct cgh_error gc_err = { 0 };
	uint64_t now = cgh_boottime_s(), last = cgh_fs_gc_stamp(fs, s->base);
	bool whole = last == 0 || now < last || now - last >= CGH_GC_INTERVAL_S;
	const char *user = strrchr(s->user_dir, '/') + 1;
	uint64_t leaves;

	if (!whole && no_user_dir)
		return;
	if (!whole) {	/* no leaf (or no directory): nothing of the user's to walk */
		leaves = cgh_fs_read_keyed(fs, s->user_dir, "cgroup.stat", "nr_descendants");
		if (leaves == 0 || leaves == CGH_UNKNOWN)
			return;
	}
	if (gc_walk(fs, s->base, whole ? NULL : user, nf, log, &gc_err) < 0)
		cgh_logf(log, LOG_WARNING, "collecting dead sessions: %s", gc_err.msg);
}

/* Whether dir is there with the needed controllers enabled; *missing
 * (if not NULL): whether it is not there at all (ENOENT). */
static bool dir_ready(const struct cgh_fs *fs, const char *dir, unsigned needed, bool *missing)
{
	unsigned on = 0;
	int r = cgh_fs_enabled(fs, dir, &on, NULL);

	if (missing != NULL)
		*missing = r == -ENOENT;
	return r == 0 && (needed & ~on) == 0;
}

/* The user's directory first, then base (enum readiness). */
static enum readiness find_ready(const struct cgh_fs *fs, const struct cgh_session *s,
				 unsigned needed, bool *no_user_dir)
{
	if (dir_ready(fs, s->user_dir, needed, no_user_dir))
		return READY_USER;
	return dir_ready(fs, s->base, needed, NULL) ? READY_BASE : READY_NONE;
}

static int herd(const struct cgh_fs *fs, struct cgh_session *s, const struct cgh_decision *d,
		const struct cgh_env *env, struct cgh_error *err)
{
	unsigned needed = cgh_limits_controllers(&d->session) | cgh_limits_controllers(&d->user);
	struct progress p = { 0 };
	bool no_user_dir = false;
	enum readiness ready = find_ready(fs, s, needed, &no_user_dir);
	int lockfd = -1;
	int r = ready >= READY_BASE ? 0 : enable_at_root(fs, needed, err);

	if (r == 0 && ready == READY_NONE)
		r = make_dir(fs, s->base, &p.made_base, err);
	if (r == 0)
		collect(fs, s, no_user_dir, env->log);
	if (r == 0) {
		lockfd = cgh_fs_lock(fs, s->base, false, CGH_LOCK_TIMEOUT_MS, err);
		if (lockfd == -EWOULDBLOCK)
			r = cgh_fail_msg(err, EWOULDBLOCK, "%s/%s stayed locked for %d ms", fs->root,
					 s->base, CGH_LOCK_TIMEOUT_MS);
		else if (lockfd < 0)
			r = lockfd;
	}
	if (r == 0)
		r = build_leaf(fs, s, d, needed, ready, &p, env, err);
	if (r < 0)
		roll_back(fs, s, &p);
	cgh_fs_unlock(lockfd);
	return r;
}

static bool is_within(const char *path, const char *dir);

/* An opener still in the leaf of a session it closed (its reaper waits for
 * it to exit) came from where that close recorded on the leaf. */
static void resolve_origin(const struct cgh_fs *fs, struct cgh_session *s)
{
	char raw[sizeof(s->origin)];
	int n;

	if (!is_within(s->origin, s->base))
		return;
	n = fs->sys->getxattr(fs->rootfd, s->origin, CGH_ORIGIN_XATTR, raw, sizeof(raw) - 1);
	if (n <= 0)
		return;
	raw[n] = '\0';
	if (raw[0] != '/' && strstr(raw, "..") == NULL)
		snprintf(s->origin, sizeof(s->origin), "%s", raw);
}

int cgh_session_open(const struct cgh_config *cfg, const struct cgh_identity *id,
		     const char *service, pid_t opener, const struct cgh_env *env,
		     struct cgh_session **out, struct cgh_error *err)
{
	struct cgh_fs fs = { .rootfd = -1 };
	struct cgh_logind_scope scope;
	struct cgh_decision d;
	struct cgh_session *s = NULL;
	int r;

	*out = NULL;
	cgh_decide(cfg, id, service, &d);
	s = session_new(cfg, id, &d, opener, env);
	if (s == NULL)
		return cgh_fail(err, ENOMEM, "herding user");
	if (d.action == CGH_ACTION_IGNORE) {
		cgh_logf(env->log, LOG_DEBUG, "ignored user=%s uid=%u rule=%s", s->user,
			 (unsigned)s->uid, s->rule);
		r = CGH_IGNORED;
		goto done;
	}
	r = cgh_fs_open(&fs, cfg->cgroup_root, env->sys, err);
	if (r == 0)
		r = cgh_session_choose_backend(&fs, cfg, s, &scope, err);
	if (r == 0 && !s->systemd)
		resolve_origin(&fs, s);
	if (r == 0)
		r = s->systemd ? cgh_session_herd_systemd(&fs, s, &d, &scope, env, err)
			       : herd(&fs, s, &d, env, err);
	if (r == 0 && s->systemd)
		record_login(&fs, s, env);
	if (r == 0) {
		log_herded(s, service, &d, env->log);
		*out = s;
		s = NULL;
	}
done:
	cgh_fs_close(&fs);
	free(s);
	return r;
}

void cgh_session_mark_shown(const struct cgh_session *s, const struct cgh_env *env,
			    const struct cgh_notice *last)
{
	struct cgh_fs fs = { .rootfd = -1 };
	struct cgh_error err = { 0 };
	int r = cgh_fs_open(&fs, s->root, env->sys, &err);

	if (r == 0)
		r = cgh_notice_mark_shown(&fs, s->leaf, last, &err);
	cgh_fs_close(&fs);
	if (r < 0)
		cgh_logf(env->log, LOG_WARNING, "notices shown at this login will be shown again: %s",
			 err.msg);
}

/* ---- close ------------------------------------------------------------ */

static bool is_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Moves the opener out of the leaf, back where it came from (or to the
 * root if that is gone).  Succeeds only once it is out. */
static int move_out(const struct cgh_fs *fs, const struct cgh_session *s,
		    const struct cgh_log *log, struct cgh_error *err)
{
	char where[512];
	struct cgh_error scratch = { 0 };
	int r = cgh_fs_where(fs, s->opener, where, sizeof(where), err);

	if (r < 0 || !is_within(where, s->leaf))
		return r;
	/* a write to cgroup.procs that succeeds has moved it */
	if (cgh_fs_move(fs, s->origin, s->opener, &scratch) < 0) {
		cgh_logf(log, LOG_WARNING, "cannot move process %d back (%s); moving it to the root",
			 (int)s->opener, scratch.msg);
		r = cgh_fs_move(fs, ".", s->opener, err);
	}
	return r;
}

/* Kills what is left if asked (procs: how many processes the leaf had after
 * the move), then removes the leaf; "removed", "kept" or "gone" (collected
 * meanwhile) in *outcome.  An empty leaf cannot fill up again but by a
 * migration, so it needs no kill. */
static int end_leaf(const struct cgh_fs *fs, const struct cgh_session *s, uint64_t procs,
		    const char **outcome, struct cgh_error *err)
{
	int r = 0;

	if (s->kill_on_close && procs != 0) {
		r = cgh_fs_kill(fs, s->leaf, err);
		if (r == -ENOENT) {
			*outcome = "gone";
			return 0;
		}
		if (r == 0 && cgh_fs_wait_empty(fs, s->leaf, CGH_CLOSE_WAIT_MS, err) == -ETIMEDOUT)
			r = cgh_fail_msg(err, ETIMEDOUT, "%s/%s still has processes %d ms after the kill",
					 fs->root, s->leaf, CGH_CLOSE_WAIT_MS);
		if (r < 0)
			return r;
	}
	r = cgh_fs_rmdir(fs, s->leaf, err);
	*outcome = r == 0 ? "removed" : r == -ENOENT ? "gone" : "kept";
	return r == -EBUSY || r == -ENOENT || r == -ENOTEMPTY ? 0 : r;
}

static void remove_user_dir(const struct cgh_fs *fs, const struct cgh_session *s)
{
	int lockfd = cgh_fs_lock(fs, s->base, true, USER_DIR_LOCK_MS, NULL);

	if (lockfd < 0)
		return;		/* busy: the next collection removes it */
	cgh_fs_rmdir(fs, s->user_dir, NULL);
	cgh_fs_unlock(lockfd);
}

/* Whether close takes the reaper (close=, enum cgh_close_path).  auto: not on
 * a mount with favordynmods, where the move back waits for no RCU grace
 * period and close ending the leaf itself was faster than the reaper's two
 * forks (bench/README.md, section 5b). */
static bool reaper_wanted(const struct cgh_fs *fs, const struct cgh_session *s,
			  const struct cgh_log *log)
{
	char options[512];

	if (s->close_path != CGH_CLOSE_AUTO)
		return s->close_path == CGH_CLOSE_REAPER;
	if (fs->sys->mount_options == NULL ||
	    fs->sys->mount_options(s->root, options, sizeof(options)) < 0 ||
	    !cgh_mount_option_has(options, "favordynmods"))
		return true;
	cgh_logf(log, LOG_DEBUG, "closing without the reaper: %s is mounted with favordynmods",
		 s->root);
	return false;
}

/* The end of the leaf handed to a reaper (lib/core/reaper.c), which does it once
 * the opener has exited: the opener is not moved back.  0 with the figures
 * in *st (the opener not counted); else close does it all itself. */
static int hand_to_reaper(const struct cgh_fs *fs, const struct cgh_session *s,
			  const struct cgh_log *log, struct cgh_stats *st)
{
	struct cgh_error why = { 0 };
	struct cgh_reaper rp;
	char who[160];
	int r;

	if (!reaper_wanted(fs, s, log))
		return -EPERM;
	snprintf(who, sizeof(who), "user=%s uid=%u", s->user, (unsigned)s->uid);
	cgh_reaper_prepare(&rp, fs, s->leaf, s->base, s->user_dir, s->origin, s->opener,
			   s->kill_on_close, who);
	rp.wait_ms = CGH_CLOSE_WAIT_MS;
	rp.lock_ms = CGH_LOCK_TIMEOUT_MS;
	rp.user_lock_ms = USER_DIR_LOCK_MS;
	cgh_fs_stats_brief(fs, s->leaf, st);
	/* an OOM kill in the session: recorded now, the leaf goes with the reaper */
	cgh_notice_collect(&s->notify, fs, s->leaf, s->uid, st, NULL, log);
	if (s->kill_on_close &&
	    cgh_notice_pending_prepare(&s->notify, fs, s->leaf, s->uid, CGH_NOTICE_CLOSE_KILL,
				       &rp.kill_notice, &why) < 0) {
		cgh_logf(log, LOG_WARNING, "a kill at close would not be noticed: %s", why.msg);
		why.msg[0] = '\0';
	}
	r = cgh_reaper_start(&rp, fs, &why);
	if (r == 0)	/* for a next open by the same process (resolve_origin) */
		fs->sys->setxattr(fs->rootfd, s->leaf, CGH_ORIGIN_XATTR, s->origin);
	if (r < 0)
		cgh_logf(log, LOG_DEBUG, "closing without the reaper: %s", why.msg);
	else if (st->procs != CGH_UNKNOWN && st->procs > 0)
		st->procs--;
	return r;
}

int cgh_session_close(const struct cgh_session *s, const struct cgh_env *env,
		      struct cgh_error *err)
{
	struct cgh_fs fs = { .rootfd = -1 };
	struct cgh_notice leftovers;
	struct cgh_stats st;
	const char *outcome = "kept";
	char figures[256];
	int lockfd = -1;
	int r = cgh_fs_open(&fs, s->root, env->sys, err);

	if (r < 0)
		return r;
	if (s->systemd) {	/* the scope is systemd's: it ends and removes it */
		cgh_fs_stats_brief(&fs, s->leaf, &st);
		cgh_notice_collect(&s->notify, &fs, s->leaf, s->uid, &st, NULL, env->log);
		outcome = "left_to_systemd";
		goto report;
	}
	if (hand_to_reaper(&fs, s, env->log, &st) == 0) {
		outcome = "to_reaper";
		goto report;
	}
	lockfd = cgh_fs_lock(&fs, s->base, false, CGH_LOCK_TIMEOUT_MS, NULL);
	r = move_out(&fs, s, env->log, err);
	cgh_fs_stats_brief(&fs, s->leaf, &st);
	cgh_notice_collect(&s->notify, &fs, s->leaf, s->uid, &st, NULL, env->log);
	cgh_notice_for_leaf(&fs, s->leaf, s->uid, CGH_NOTICE_CLOSE_KILL, &leftovers);
	if (r == 0)
		r = end_leaf(&fs, s, st.procs, &outcome, err);
	cgh_fs_unlock(lockfd);
	if (r == 0)
		remove_user_dir(&fs, s);
	if (r == 0 && s->kill_on_close && st.procs != 0 && st.procs != CGH_UNKNOWN &&
	    strcmp(outcome, "removed") == 0) {
		leftovers.killed = st.procs;
		cgh_notice_deliver(&s->notify, &fs, s->user_dir, &leftovers, env->log);
	}
report:
	cgh_stats_describe(&st, figures, sizeof(figures));
	cgh_logf(env->log, LOG_INFO, "closed user=%s uid=%u rule=%s leaf=%s/%s %s leaf_%s",
		 s->user, (unsigned)s->uid, s->rule, s->root, s->leaf, figures,
		 r == 0 ? outcome : "kept");
	cgh_fs_close(&fs);
	return r;
}
