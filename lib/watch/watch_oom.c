/* `cgherd watch`: OOM-kill notices, the on_oom command, and collection of
 * dead leaves through cgh_gc (in cgherd's own tree only). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgh_identity.h"
#include "cgh_session.h"
#include "cgh_watch_state.h"

static int read_counts(struct cgh_watcher *w, const struct watch_leaf *leaf,
		       struct watch_oom_figures *c)
{
	char text[512];
	int r = cgh_fs_read(&w->fs, leaf->path, "memory.events", text, sizeof(text), NULL);

	if (r < 0)
		return r;
	if (cgh_keyed_value(text, "oom_kill", &c->kill) < 0)
		c->kill = 0;
	if (cgh_keyed_value(text, "oom_group_kill", &c->group_kill) < 0)
		c->group_kill = 0;	/* Linux < 5.17 */
	c->memory_max = c->memory_peak = CGH_UNKNOWN;
	return 0;
}

static bool is_news(const struct watch_leaf *leaf, const struct watch_oom_figures *c)
{
	return c->kill > leaf->oom_kill || c->group_kill > leaf->oom_group_kill;
}

static void read_figures(struct cgh_watcher *w, const struct watch_leaf *leaf,
			 struct watch_oom_figures *c)
{
	c->memory_max = cgh_fs_read_number(&w->fs, leaf->path, "memory.max");
	c->memory_peak = cgh_fs_read_number(&w->fs, leaf->path, "memory.peak");
	if (leaf->held_valid && c->memory_max == CGH_UNKNOWN)	/* gone meanwhile */
		c->memory_max = leaf->held.memory_max;
	if (leaf->held_valid && c->memory_peak == CGH_UNKNOWN)
		c->memory_peak = leaf->held.memory_peak;
}

/* The leaf is checked again WATCH_OOM_SETTLE_MS from now (or sooner). */
static void check_later(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	leaf->oom_pending = true;
	if (w->oom.due == 0)
		w->oom.due = now + WATCH_OOM_SETTLE_MS;
}

/* A scope's login as the module recorded it, kept from the first read that
 * finds it (at the start, or at any change of its memory.events, as its
 * memory nears the limit): systemd removes a scope as soon as a kill has
 * emptied it, maybe before the kill's event is read. */
static void hold_login(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	struct cgh_login login;

	if (leaf->owned || leaf->login_held)
		return;
	if (cgh_notice_get_login(&w->fs, leaf->path, &login) == 0 && login.started != 0) {
		leaf->held_login = login;
		leaf->login_held = true;
	}
}

/* The counts from which a leaf found at the start is watched: what its
 * noticed mark says was recorded, when notices are on and the leaf is one
 * the module recorded (an OOM kill while no watch ran, or one going on as
 * this one started, is then news, checked once it has settled); else what
 * memory.events says now (a scope, a kernel without trusted xattrs, notices
 * off: nothing would say what an earlier watch reported). */
void watch_oom_baseline(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	const struct cgh_notices_config *nc = &w->cfg->notices;
	struct watch_oom_figures c;
	struct cgh_login login;
	uint64_t kill, group_kill;

	hold_login(w, leaf);
	if (read_counts(w, leaf, &c) < 0)
		return;
	leaf->oom_kill = c.kill;
	leaf->oom_group_kill = c.group_kill;
	if (!leaf->owned || (!nc->at_login && !nc->tty) ||
	    cgh_notice_get_login(&w->fs, leaf->path, &login) < 0)
		return;
	cgh_notice_get_noticed(&w->fs, leaf->path, &kill, &group_kill);
	leaf->oom_kill = kill < c.kill ? kill : c.kill;
	leaf->oom_group_kill = group_kill < c.group_kill ? group_kill : c.group_kill;
	if (is_news(leaf, &c))
		check_later(w, leaf, now);
}

/* The process of the leaf with the largest resident set, if any is left. */
static void biggest(struct cgh_watcher *w, const struct watch_leaf *leaf, struct cgh_oom_notice *n,
		    char *comm, size_t len)
{
	char procs[8192], name[64];
	uint64_t rss;

	if (cgh_fs_read(&w->fs, leaf->path, "cgroup.procs", procs, sizeof(procs), NULL) < 0)
		return;
	for (char *p = procs; *p != '\0'; p += strcspn(p, "\n"), p += (*p == '\n')) {
		long pid = strtol(p, NULL, 10);
		if (pid <= 0 || w->fs.sys->proc_rss((pid_t)pid, &rss, name, sizeof(name)) < 0)
			continue;
		if (n->biggest_pid == 0 || rss > n->biggest_rss) {
			n->biggest_pid = (pid_t)pid;
			n->biggest_rss = rss;
			cgh_sanitize(comm, len, name);
		}
	}
}

/* The process the OOM killer chose, from the kernel log. */
static void victim(struct cgh_watcher *w, const struct watch_leaf *leaf, struct cgh_oom_notice *n,
		   char *comm, size_t len)
{
	const struct watch_victim *v = watch_kmsg_victim(w, leaf->path);

	if (v == NULL)
		return;
	n->biggest_pid = v->pid;
	n->biggest_rss = v->rss;
	cgh_sanitize(comm, len, v->comm);
}

/* In the child: the signals the daemon blocks unblocked, standard streams
 * on /dev/null, a session of its own. */
static __attribute__((noreturn)) void exec_command(char **argv)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	setsid();
	execv(argv[0], argv);
	_exit(127);
}

static void spawn(struct cgh_watcher *w, const struct cgh_cmd_vars *vars)
{
	char **argv = NULL;
	pid_t pid;

	if (w->oom.children >= WATCH_CHILDREN_MAX) {
		cgh_logf(w->log, LOG_WARNING, "on_oom for %s not run: %u commands still running",
			 vars->leaf, w->oom.children);
		return;
	}
	if (cgh_cmd_expand(w->cfg->watch.on_oom, vars, &argv) < 0) {
		cgh_logf(w->log, LOG_ERR, "on_oom for %s not run: out of memory", vars->leaf);
		return;
	}
	pid = fork();
	if (pid == 0)
		exec_command(argv);
	if (pid < 0)
		cgh_logf(w->log, LOG_ERR, "on_oom for %s not run: fork: %m", vars->leaf);
	else {
		w->oom.children++;
		cgh_logf(w->log, LOG_DEBUG, "on_oom for %s: started %s as %d", vars->leaf, argv[0], (int)pid);
	}
	cgh_cmd_free(argv);
}

void watch_reap(struct cgh_watcher *w)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (w->oom.children > 0)
			w->oom.children--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status))
			cgh_logf(w->log, LOG_WARNING, "on_oom command %d exited with status %d%s", (int)pid,
				 WEXITSTATUS(status), WEXITSTATUS(status) == 127 ? " (cannot run it?)" : "");
		else
			cgh_logf(w->log, LOG_WARNING, "on_oom command %d killed by signal %d", (int)pid,
				 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
}

/* The user's notice of what the notice line says, and the leaf marked as
 * noticed, so that whoever collects it does not write a second one. */
static void tell_user(struct cgh_watcher *w, const struct watch_leaf *leaf,
		      const struct cgh_oom_notice *o, const char *comm)
{
	struct cgh_notifier nf;
	struct cgh_notice n;
	char user_dir[sizeof(leaf->path)];
	const char *slash = strrchr(leaf->path, '/');

	watch_notifier(w, &nf);
	if ((!nf.at_login && !nf.tty) || slash == NULL)
		return;
	cgh_notice_for_leaf(&w->fs, leaf->path, leaf->uid,
			    o->new_group_kills > 0 ? CGH_NOTICE_OOM_GROUP : CGH_NOTICE_OOM_KILL, &n);
	if (n.login.started == 0 && leaf->login_held)	/* a scope gone meanwhile */
		n.login = leaf->held_login;
	n.event = o->oom_kill;
	n.limit = o->memory_max;
	n.peak = o->memory_peak;
	n.killed = o->new_kills;
	cgh_sanitize(n.biggest, sizeof(n.biggest), comm);
	snprintf(user_dir, sizeof(user_dir), "%.*s", (int)(slash - leaf->path), leaf->path);
	cgh_notice_deliver(&nf, &w->fs, user_dir, &n, w->log);
	cgh_notice_set_noticed(&w->fs, leaf->path, o->oom_kill, o->oom_group_kill);
}

/* rule=? where the leaf has no rule recorded: logind's scopes, leaves made
 * before the module recorded it, kernels without trusted xattrs. */
static void notice(struct cgh_watcher *w, const struct watch_leaf *leaf,
		   const struct watch_oom_figures *c)
{
	struct cgh_oom_notice n = { .uid = leaf->uid };
	char user[64], rule[CGH_RULE_BUF] = "?", abs[CGH_PATH_BUF], comm[40] = "", line[1024];
	const char *counted;	/* the rule in the metrics: "" when none is recorded */

	cgh_user_name(leaf->uid, user, sizeof(user));
	counted = cgh_fs_get_rule(&w->fs, leaf->path, rule, sizeof(rule)) == 0 ? rule : "";
	watch_count(w, counted, CGH_KEPT_OOM_KILLS, c->kill - leaf->oom_kill);
	watch_count(w, counted, CGH_KEPT_GROUP_KILLS, c->group_kill - leaf->oom_group_kill);
	cgh_fs_abs_path(&w->fs, leaf->path, abs, sizeof(abs));
	n.user = user;
	n.leaf = abs;
	n.rule = rule;
	n.memory_max = c->memory_max;
	n.memory_peak = c->memory_peak;
	n.oom_kill = c->kill;
	n.oom_group_kill = c->group_kill;
	n.new_kills = c->kill - leaf->oom_kill;
	n.new_group_kills = c->group_kill - leaf->oom_group_kill;
	n.biggest_comm = comm;
	biggest(w, leaf, &n, comm, sizeof(comm));
	if (n.biggest_pid == 0)
		victim(w, leaf, &n, comm, sizeof(comm));
	cgh_oom_notice_format(&n, line, sizeof(line));
	cgh_logf(w->log, LOG_WARNING, "%s", line);
	tell_user(w, leaf, &n, comm);
	if (w->cfg->watch.on_oom != NULL) {
		const struct cgh_cmd_vars vars = { .user = user, .uid = leaf->uid, .leaf = abs, .rule = rule };
		spawn(w, &vars);
	}
}

/* memory.events changed: the notice waits WATCH_OOM_SETTLE_MS, until a
 * group kill is counted in full.  systemd removes a scope as soon as it
 * empties, maybe before that: a scope's counts and figures are read now, for
 * the notice to fall back on, and its login if not held yet. */
void watch_oom_event(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	struct watch_oom_figures c;

	check_later(w, leaf, now);
	hold_login(w, leaf);
	if (leaf->owned || read_counts(w, leaf, &c) < 0 || !is_news(leaf, &c))
		return;
	read_figures(w, leaf, &c);
	leaf->held = c;
	leaf->held_valid = true;
	cgh_logf(w->log, LOG_DEBUG, "OOM kill in %s/%s: oom_kill=%llu oom_group_kill=%llu",
		 w->fs.root, leaf->path, (unsigned long long)c.kill, (unsigned long long)c.group_kill);
}

/* A group kill counts oom_kill once for each member as it kills it, which
 * can take longer than WATCH_OOM_SETTLE_MS: its notice waits until the leaf
 * has emptied, or WATCH_OOM_GROUP_WAIT_MS if something in it survives. */
static bool group_kill_going_on(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	bool populated = false;

	if (cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0 || !populated)
		return false;
	if (leaf->group_wait_since == 0)
		leaf->group_wait_since = now;
	if (now - leaf->group_wait_since >= WATCH_OOM_GROUP_WAIT_MS)
		return false;
	check_later(w, leaf, now);
	return true;
}

/* With memory.oom.group set, every OOM kill in the leaf is a group kill, but
 * the kernel counts oom_kill for the first victim before oom_group_kill: one
 * notice, once the group is gone. */
static bool oom_group_on(struct cgh_watcher *w, const struct watch_leaf *leaf)
{
	char value[8] = "";

	return cgh_fs_read(&w->fs, leaf->path, "memory.oom.group", value, sizeof(value), NULL) == 0 &&
	       value[0] == '1';
}

void watch_oom_check(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	struct watch_oom_figures c;

	leaf->oom_pending = false;
	if (read_counts(w, leaf, &c) < 0) {
		if (!leaf->held_valid)
			return;		/* gone: its IN_DELETE follows */
		c = leaf->held;		/* a scope gone before the notice was due */
	} else if ((c.group_kill > leaf->oom_group_kill ||
		    (c.kill > leaf->oom_kill && oom_group_on(w, leaf))) && group_kill_going_on(w, leaf, now))
		return;
	if (is_news(leaf, &c)) {
		read_figures(w, leaf, &c);
		notice(w, leaf, &c);
	}
	leaf->held_valid = false;
	leaf->group_wait_since = 0;
	leaf->oom_kill = c.kill;
	leaf->oom_group_kill = c.group_kill;
}

/* cgh_gc, as `cgherd gc` runs it, once a leaf reads populated 0; leaves it
 * could not take (a login held the lock: it is still being set up) are
 * retried WATCH_GC_RETRY_MS later. */
void watch_gc(struct cgh_watcher *w, uint64_t now)
{
	struct cgh_notifier nf;
	struct cgh_error err = { 0 };
	bool any = false, retry = false;

	w->gc_due = 0;
	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		struct watch_leaf *leaf = &w->tab.leaves[i];
		bool populated = true;

		if (!leaf->dead || !leaf->owned)
			continue;
		if (cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0 || populated) {
			leaf->dead = false;	/* gone (IN_DELETE follows), or a login moved in */
			continue;
		}
		watch_oom_check(w, leaf, now);	/* no kill goes unreported */
		any = true;
	}
	if (!any)
		return;
	watch_notifier(w, &nf);
	if (cgh_gc(&w->fs, w->cfg->base, &nf, w->log, &err) < 0)
		cgh_logf(w->log, LOG_WARNING, "collecting dead sessions: %s", err.msg);
	for (size_t i = 0; i < w->tab.n_leaves; i++) {
		struct watch_leaf *leaf = &w->tab.leaves[i];
		bool populated = true;

		if (!leaf->dead || !leaf->owned ||
		    cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0)
			continue;
		if (populated)
			leaf->dead = false;
		else if (leaf->gc_tries++ < WATCH_GC_TRIES)
			retry = true;
	}
	if (retry)
		w->gc_due = now + WATCH_GC_RETRY_MS;
}
