/* Notices over the cgroup tree: the login facts and the "already noticed"
 * counts on a leaf, and a notice delivered to the store and to the user's
 * other terminals.  Used by the module (open, close, collection of dead
 * leaves) and by `cgherd watch`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgh_notice.h"

void cgh_notifier_init(struct cgh_notifier *nf, const struct cgh_notices_config *c,
		       const char *dir, const char *dev)
{
	memset(nf, 0, sizeof(*nf));
	snprintf(nf->dir, sizeof(nf->dir), "%s", dir != NULL ? dir : CGH_NOTICE_DIR);
	snprintf(nf->dev, sizeof(nf->dev), "%s", dev != NULL ? dev : CGH_NOTICE_DEV);
	snprintf(nf->help, sizeof(nf->help), "%s", c->help);
	nf->at_login = c->at_login;
	nf->tty = c->tty;
}

int cgh_notice_set_login(const struct cgh_fs *fs, const char *leaf, const struct cgh_login *l,
			 struct cgh_error *err)
{
	char value[256];
	int r = cgh_login_encode(l, value, sizeof(value));

	if (r < 0)
		return cgh_fail_msg(err, -r, "login of %s/%s too long to record", fs->root, leaf);
	r = fs->sys->setxattr(fs->rootfd, leaf, CGH_LOGIN_XATTR, value);
	if (r < 0)
		return cgh_fail(err, -r, "cannot set %s on %s/%s", CGH_LOGIN_XATTR, fs->root, leaf);
	return 0;
}

int cgh_notice_get_login(const struct cgh_fs *fs, const char *leaf, struct cgh_login *l)
{
	char raw[256];
	int n = fs->sys->getxattr(fs->rootfd, leaf, CGH_LOGIN_XATTR, raw, sizeof(raw) - 1);

	memset(l, 0, sizeof(*l));
	if (n < 0)
		return n;
	raw[n] = '\0';
	if (cgh_login_decode(raw, l) < 0)
		memset(l, 0, sizeof(*l));
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

void cgh_notice_for_leaf(const struct cgh_fs *fs, const char *leaf, unsigned uid,
			 enum cgh_notice_kind kind, struct cgh_notice *n)
{
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->when = (uint64_t)time(NULL);
	n->uid = uid;
	cgh_sanitize(n->leaf, sizeof(n->leaf), base_name(leaf));
	cgh_notice_get_login(fs, leaf, &n->login);
	if (cgh_fs_get_rule(fs, leaf, n->rule, sizeof(n->rule)) < 0)
		n->rule[0] = '\0';
	n->limit = n->peak = n->killed = CGH_UNKNOWN;
}

void cgh_notice_get_noticed(const struct cgh_fs *fs, const char *leaf, uint64_t *kill,
			    uint64_t *group_kill)
{
	char raw[64];
	unsigned long long k = 0, g = 0;
	int n = fs->sys->getxattr(fs->rootfd, leaf, CGH_NOTICED_XATTR, raw, sizeof(raw) - 1);

	*kill = *group_kill = 0;
	if (n < 0)
		return;
	raw[n] = '\0';
	if (sscanf(raw, "%llu %llu", &k, &g) == 2) {
		*kill = k;
		*group_kill = g;
	}
}

int cgh_notice_set_noticed(const struct cgh_fs *fs, const char *leaf, uint64_t kill,
			   uint64_t group_kill)
{
	char value[64];

	snprintf(value, sizeof(value), "%llu %llu", (unsigned long long)kill,
		 (unsigned long long)group_kill);
	return fs->sys->setxattr(fs->rootfd, leaf, CGH_NOTICED_XATTR, value);
}

/* ---- delivery ------------------------------------------------------------------------- */

static void store(const struct cgh_notifier *nf, const struct cgh_notice *n,
		  const struct cgh_log *log)
{
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	int r = cgh_notice_store_open(&st, nf->dir, true, &err);

	if (r == 0)
		r = cgh_notice_add(&st, n, &err);
	cgh_notice_store_close(&st);
	if (r < 0)
		cgh_logf(log, LOG_WARNING, "notice for uid=%u not recorded: %s", n->uid, err.msg);
	else if (r == 1)
		cgh_logf(log, LOG_DEBUG, "notice for uid=%u leaf=%s: already recorded", n->uid, n->leaf);
	else
		cgh_logf(log, r == 2 ? LOG_WARNING : LOG_INFO, "notice recorded for uid=%u kind=%s leaf=%s%s%s",
			 n->uid, cgh_notice_kind_name(n->kind), n->leaf, r == 2 ? ": " : "",
			 r == 2 ? err.msg : "");
}

struct tty_walk {
	const struct cgh_fs *fs;
	const char *user_dir;
	const char *except;	/* the leaf the event was in (its name) */
	struct cgh_terminal *v;
	size_t n, max;
};

#define PROCS_READ 8192		/* bytes of cgroup.procs looked at */

static void add_terminal(struct tty_walk *t, const char *leaf, const char *name, uint64_t rdev)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0 || (rdev != 0 && t->v[i].rdev == rdev))
			return;
	if (t->n >= t->max)
		return;
	snprintf(t->v[t->n].name, sizeof(t->v[t->n].name), "%s", name);
	snprintf(t->v[t->n].leaf, sizeof(t->v[t->n].leaf), "%s", leaf);
	t->v[t->n++].rdev = rdev;
}

/* The controlling terminals of the session's processes: sshd opens the PAM
 * session before it makes the pty, so PAM_TTY says "ssh" there. */
static void process_terminals(struct tty_walk *t, const char *leaf)
{
	char procs[PROCS_READ], name[32];
	uint64_t tty_nr;

	if (t->fs->sys->proc_tty == NULL ||
	    cgh_fs_read(t->fs, leaf, "cgroup.procs", procs, sizeof(procs), NULL) < 0)
		return;
	for (char *p = procs; *p != '\0'; p += strcspn(p, "\n"), p += (*p == '\n')) {
		long pid = strtol(p, NULL, 10);
		if (pid > 0 && t->fs->sys->proc_tty((pid_t)pid, &tty_nr) == 0 && tty_nr != 0 &&
		    cgh_tty_name(tty_nr, name, sizeof(name)) == 0)
			add_terminal(t, leaf, name, tty_nr);
	}
}

static int session_terminals(void *arg, const char *name)
{
	struct tty_walk *t = arg;
	struct cgh_login l;
	char leaf[CGH_TERMINAL_LEAF];
	bool populated = false;

	if (strcmp(name, t->except) == 0)
		return 0;
	snprintf(leaf, sizeof(leaf), "%.160s/%.80s", t->user_dir, name);
	if (cgh_fs_populated(t->fs, leaf, &populated, NULL) < 0 || !populated)
		return 0;
	cgh_notice_get_login(t->fs, leaf, &l);
	/* "ssh", "cron", none: no terminal; anything else is checked */
	if (cgh_tty_is_terminal(l.tty) || strchr(l.tty, '/') != NULL)
		add_terminal(t, leaf, l.tty, 0);
	process_terminals(t, leaf);
	return 0;
}

size_t cgh_notice_terminals(const struct cgh_fs *fs, const char *user_dir, const char *except,
			    struct cgh_terminal *v, size_t max)
{
	struct tty_walk t = { .fs = fs, .user_dir = user_dir, .except = except, .v = v,
			      .max = max };

	cgh_fs_each_dir(fs, user_dir, "session-", session_terminals, &t, NULL);
	return t.n;
}

static void to_terminals(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			 const char *user_dir, const struct cgh_notice *n, const struct cgh_log *log)
{
	struct cgh_terminal terms[CGH_TERMINALS_MAX];
	char line[CGH_NOTICE_LINE_MAX];
	size_t count = cgh_notice_terminals(fs, user_dir, n->leaf, terms, CGH_TERMINALS_MAX);
	unsigned written = 0;

	cgh_notice_describe(n, nf->help, (uint64_t)time(NULL), line, sizeof(line));
	for (size_t i = 0; i < count; i++) {
		struct cgh_error err = { 0 };
		int r = cgh_notice_tty_write(nf->dev, terms[i].name, n->uid, terms[i].rdev, line, &err);

		written += r == 0;
		cgh_logf(log, r == 0 || r == -EAGAIN ? LOG_DEBUG : LOG_WARNING,
			 "notice for uid=%u to %s of %s/%s: %s", n->uid, terms[i].name, fs->root,
			 terms[i].leaf, r == 0 ? "written" : err.msg);
	}
	if (written > 0)
		cgh_logf(log, LOG_INFO, "notice for uid=%u written to %u terminal(s)", n->uid, written);
}

void cgh_notice_deliver(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			const char *user_dir, const struct cgh_notice *n, const struct cgh_log *log)
{
	if (nf == NULL)
		return;
	if (nf->at_login)
		store(nf, n, log);
	if (nf->tty && user_dir != NULL)
		to_terminals(nf, fs, user_dir, n, log);
}

int cgh_notice_collect(const struct cgh_notifier *nf, const struct cgh_fs *fs, const char *leaf,
		       unsigned uid, const struct cgh_stats *st, const char *comm,
		       const struct cgh_log *log)
{
	uint64_t kill, group_kill, now_group;
	struct cgh_notice n;
	char user_dir[256];
	const char *slash = strrchr(leaf, '/');

	if (nf == NULL || (!nf->at_login && !nf->tty) || st->oom_kill == CGH_UNKNOWN ||
	    slash == NULL)
		return 0;
	now_group = st->oom_group_kill == CGH_UNKNOWN ? 0 : st->oom_group_kill;
	cgh_notice_get_noticed(fs, leaf, &kill, &group_kill);
	if (st->oom_kill <= kill && now_group <= group_kill)
		return 0;
	cgh_notice_for_leaf(fs, leaf, uid,
			    now_group > group_kill ? CGH_NOTICE_OOM_GROUP : CGH_NOTICE_OOM_KILL, &n);
	n.event = st->oom_kill;
	n.limit = st->memory_max;
	n.peak = st->memory_peak;
	n.killed = st->oom_kill > kill ? st->oom_kill - kill : CGH_UNKNOWN;
	if (comm != NULL)
		cgh_sanitize(n.biggest, sizeof(n.biggest), comm);
	snprintf(user_dir, sizeof(user_dir), "%.*s", (int)(slash - leaf), leaf);
	cgh_notice_deliver(nf, fs, user_dir, &n, log);
	cgh_notice_set_noticed(fs, leaf, st->oom_kill, now_group);
	return 1;
}
