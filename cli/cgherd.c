/* cgherd(8): check, explain, status, run, gc and watch, over the library that
 * pam_cgherd.so uses.  Exit status: see EXIT_* and man/cgherd.8. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_match.h"
#include "cgh_metrics.h"
#include "cgh_mountinfo.h"
#include "cgh_notice.h"
#include "cgh_penalty_apply.h"
#include "cgh_penalty_state.h"
#include "cgh_report.h"
#include "cgh_session.h"
#include "cgh_top.h"
#include "cgh_doctor.h"
#include "cgh_watch.h"

#ifdef CGHERD_TEST_SYS
const struct cgh_sys *cgh_test_sys(void);
#define CLI_SYS cgh_test_sys()
#else
#define CLI_SYS (&cgh_sys_real)
#endif

enum {
	EXIT_OK = 0,
	EXIT_CONFIG = 1,	/* the configuration is invalid */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_USER = 3,	/* unknown user */
	EXIT_CGROUP = 4,	/* the cgroup tree could not be read or changed */
	EXIT_NOTICES = 5,	/* notices: the record store or a user's file refused */
	EXIT_RUN = 125,		/* run: the command could not be started */
};

enum cli_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_OPENMETRICS, FORMAT_PROMETHEUS };

struct cli {
	const char *conf;
	const char *service;
	const char *user;
	enum cli_format format;	/* status: --format, --json */
	bool foreground;	/* watch -f */
	const char *pidfile;	/* watch --pidfile */
	const char *dir;	/* notices --dir: the record store */
	const char *state_dir;	/* --state-dir: penalties' state, and watch's notices
				 * (NULL: CGH_STATE_DIR, CGH_NOTICE_DIR) */
	char **cmd;
	int cmd_argc;
	double delay;		/* top -d SECONDS */
	long iterations;	/* top -n N; 0: until q */
	bool batch;		/* top -b */
	const char *sort;	/* top -s KEY */
	const char *root;	/* doctor --root DIR: the host's files under DIR */
};

static void usage(FILE *out)
{
	fputs("usage: cgherd check   [--conf FILE]\n"
	      "       cgherd explain [--conf FILE] [--service NAME] USER\n"
	      "       cgherd status  [--conf FILE] [--state-dir DIR] [--json | --format text|json|openmetrics|prometheus]\n"
	      "       cgherd top     [--conf FILE] [-b] [-d SECONDS] [-n ITERATIONS] [-S memory|cpu|pressure|pids]\n"
	      "       cgherd doctor  [--conf FILE] [--root DIR]\n"
	      "       cgherd run     [--conf FILE] [--service NAME] -u USER -- COMMAND [ARG...]\n"
	      "       cgherd gc      [--conf FILE]\n"
	      "       cgherd watch   [--conf FILE] [--state-dir DIR] [-f] [--pidfile FILE]\n"
	      "       cgherd notices [--conf FILE] [--dir DIR] [USER]\n"
	      "       cgherd penalty [--conf FILE] [--state-dir DIR] [--json] list\n"
	      "       cgherd penalty [--conf FILE] [--state-dir DIR] lift USER\n"
	      "       cgherd --help | --version\n", out);
}

/* One line on stderr; returns code. */
static int fail(int code, const char *fmt, ...) CGH_PRINTF(2, 3);
static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("cgherd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void to_stderr(void *arg, int priority, const char *line)
{
	(void)arg;
	if (priority <= LOG_WARNING || priority == LOG_DEBUG)
		fprintf(stderr, "cgherd: %s\n", line);
	else
		fprintf(stdout, "%s\n", line);
}

static void to_syslog(void *arg, int priority, const char *line)
{
	(void)arg;
	syslog(priority, "%s", line);
}

/* gc: the admin sees what was collected, and the log keeps it. */
static void to_both(void *arg, int priority, const char *line)
{
	to_stderr(arg, priority, line);
	to_syslog(arg, priority, line);
}

static int load(const struct cli *c, struct cgh_config **cfg, bool quiet_ok)
{
	struct cgh_diag diag = { 0 };
	int r = cgh_config_load(c->conf, 0, NULL, 0, cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	if (diag.dropped)
		fprintf(stderr, "(%zu more errors)\n", diag.dropped);
	cgh_diag_free(&diag);
	if (r == 0 && !quiet_ok)
		printf("%s: OK (%zu rules)\n", (*cfg)->path, (*cfg)->n_rules);
	return r < 0 ? EXIT_CONFIG : EXIT_OK;
}

static int lookup(const char *user, struct cgh_identity **id)
{
	struct cgh_error err = { 0 };

	if (cgh_identity_lookup(user, id, &err) < 0)
		return fail(EXIT_NO_USER, "%s", err.msg);
	return EXIT_OK;
}

/* What the mount of cgroup_root means for logins; silent when it is not a
 * cgroup2 mount point (check does not judge the tree, the module does). */
static void mount_notes(const struct cgh_config *cfg)
{
	char type[32], options[512];

	if (cgh_mount_lookup(cfg->cgroup_root, type, sizeof(type), options, sizeof(options)) < 0 ||
	    strcmp(type, "cgroup2") != 0)
		return;
	if (!cgh_mount_option_has(options, "favordynmods"))
		printf("note: %s is mounted without favordynmods: each move of a login into its "
		       "leaf and back waits for an RCU grace period (often 10-30 ms); see "
		       "PERFORMANCE in pam_cgherd(8)\n", cfg->cgroup_root);
}

static int cmd_check(struct cli *c)
{
	struct cgh_config *cfg = NULL;
	int rc = load(c, &cfg, false);

	if (rc == EXIT_OK)
		mount_notes(cfg);
	cgh_config_free(cfg);
	return rc;
}

static int cmd_explain(struct cli *c)
{
	struct cgh_config *cfg = NULL;
	struct cgh_identity *id = NULL;
	struct cgh_decision d;
	int rc = load(c, &cfg, true);

	if (rc == EXIT_OK)
		rc = lookup(c->user, &id);
	if (rc == EXIT_OK) {
		cgh_decide(cfg, id, c->service, &d);
		cgh_report_explain(stdout, cfg, id, c->service, &d);
		cgh_report_explain_penalties(stdout, cfg, id);
	}
	cgh_identity_free(id);
	cgh_config_free(cfg);
	return rc;
}

static int with_tree(struct cli *c, int (*fn)(struct cli *c, const struct cgh_config *cfg,
					      const struct cgh_fs *fs, struct cgh_error *err))
{
	struct cgh_config *cfg = NULL;
	struct cgh_error err = { 0 };
	struct cgh_fs fs = { .rootfd = -1 };
	int rc = load(c, &cfg, true);

	if (rc == EXIT_OK && cgh_fs_open(&fs, cfg->cgroup_root, CLI_SYS, &err) < 0)
		rc = fail(EXIT_CGROUP, "%s", err.msg);
	if (rc == EXIT_OK && fn(c, cfg, &fs, &err) < 0)
		rc = fail(EXIT_CGROUP, "%s", err.msg);
	cgh_fs_close(&fs);
	cgh_config_free(cfg);
	return rc;
}

/* The penalties' records, if there is a state: a problem with it is said
 * on stderr and status goes on without them. */
static int read_penalties(const struct cli *c, struct cgh_penalty_record **recs, size_t *n)
{
	struct cgh_penalty_store st;
	struct cgh_error err = { 0 };
	size_t damaged = 0;
	int r = cgh_penalty_store_open(&st, c->state_dir, false, &err);

	*recs = NULL;
	*n = 0;
	if (r == 0)
		r = cgh_penalty_store_read(&st, recs, n, &damaged, &err);
	cgh_penalty_store_close(&st);
	if (r < 0 && r != -ENOENT)
		fail(0, "penalties: %s", err.msg);
	if (damaged > 0)
		fail(0, "penalties: %zu damaged lines in the state (watch lifts their penalties)", damaged);
	return r == -ENOENT ? 0 : r;
}

/* --format openmetrics|prometheus: the renderer watch's metrics file uses. */
static int metrics(const struct cli *c, const struct cgh_config *cfg, const struct cgh_fs *fs,
		   struct cgh_error *err)
{
	struct cgh_tree trees[CGH_TREES_MAX];
	struct cgh_samples s = { 0 };
	struct cgh_penalty_record *recs = NULL;
	size_t n = 0;
	int r = cgh_samples_collect(fs, trees, cgh_trees_of(cfg, trees), &s, err);

	read_penalties(c, &recs, &n);
	if (r >= 0 && cgh_samples_add_penalties(&s, recs, n) < 0)
		r = cgh_fail(err, ENOMEM, "out of memory for the penalties' series");
	if (r >= 0)
		cgh_metrics_render(stdout, &s, NULL, c->format == FORMAT_OPENMETRICS
						     ? CGH_METRICS_OPENMETRICS : CGH_METRICS_PROMETHEUS);
	cgh_samples_free(&s);
	free(recs);
	return r;
}

static int status(struct cli *c, const struct cgh_config *cfg, const struct cgh_fs *fs,
		  struct cgh_error *err)
{
	struct cgh_status_penalties pen = { .cfg = cfg };
	struct cgh_penalty_record *recs = NULL;
	bool json = c->format == FORMAT_JSON;
	size_t active = 0;
	int r;

	if (c->format == FORMAT_OPENMETRICS || c->format == FORMAT_PROMETHEUS)
		return metrics(c, cfg, fs, err);
	read_penalties(c, &recs, &pen.n);
	pen.recs = recs;
	r = cgh_report_status(stdout, fs, cfg->base, cfg->backend != CGH_BACKEND_CGROUPFS, json,
			      time(NULL), &pen, err);
	for (size_t i = 0; i < pen.n; i++)
		if (recs[i].active)
			recs[active++] = recs[i];
	if (r >= 0 && !json && active > 0) {
		printf("\npenalties:\n");
		cgh_report_penalty_list(stdout, cfg, recs, active, (uint64_t)time(NULL), false);
	}
	free(recs);
	return r;
}

static int collect(struct cli *c, const struct cgh_config *cfg, const struct cgh_fs *fs,
		   struct cgh_error *err)
{
	const struct cgh_log log = { .fn = to_both };
	struct cgh_notifier nf;
	int n;

	(void)c;
	cgh_notifier_init(&nf, &cfg->notices, NULL, NULL);
	openlog("cgherd", LOG_PID, LOG_AUTHPRIV);
	n = cgh_gc(fs, cfg->base, &nf, &log, err);
	closelog();
	if (n >= 0)
		printf("collected %d dead session%s\n", n, n == 1 ? "" : "s");
	return n;
}

static int cmd_status(struct cli *c)
{
	return with_tree(c, status);
}

static int cmd_gc(struct cli *c)
{
	return with_tree(c, collect);
}

/* The child: become the user, then exec the command. */
static void exec_as(const struct cgh_identity *id, char **cmd)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwnam_r(id->user, &pw, buf, sizeof(buf), &found) != 0 || found == NULL) {
		fail(0, "cannot look up user %s", id->user);
		_exit(EXIT_RUN);
	}
	if (initgroups(pw.pw_name, pw.pw_gid) < 0 || setgid(pw.pw_gid) < 0 ||
	    setuid(pw.pw_uid) < 0) {
		perror("cgherd: cannot become the user");
		_exit(EXIT_RUN);
	}
	setenv("HOME", pw.pw_dir, 1);
	setenv("USER", pw.pw_name, 1);
	setenv("LOGNAME", pw.pw_name, 1);
	execvp(cmd[0], cmd);
	fprintf(stderr, "cgherd: cannot run %s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_RUN;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Herds this process exactly as the module herds a login's opener, runs
 * the command in the leaf as the user, then closes the session. */
static int run_session(const struct cgh_config *cfg, const struct cgh_identity *id,
		       struct cli *c)
{
	const struct cgh_log log = { .fn = to_syslog, .debug = cfg->debug };
	struct cgh_login login = { .started = (uint64_t)time(NULL) };
	struct cgh_notifier nf;
	const struct cgh_env env = { .sys = CLI_SYS, .log = &log, .login = &login,
				     .notify = &nf };
	struct cgh_error err = { 0 };
	struct cgh_session *s = NULL;
	int r, rc;

	cgh_sanitize(login.service, sizeof(login.service), c->service);
	cgh_notifier_init(&nf, &cfg->notices, NULL, NULL);
	r = cgh_session_open(cfg, id, c->service, getpid(), &env, &s, &err);
	pid_t pid;

	if (r < 0) {
		bool deny = cfg->on_error == CGH_ON_ERROR_DENY;
		char user[64];

		cgh_sanitize(user, sizeof(user), id->user);
		syslog(LOG_ERR, "cannot herd user=%s: %s; %s", user, err.msg,
		       deny ? "not running the command (on_error=deny)"
			    : "running it unconfined (on_error=allow)");
		fail(0, "cannot herd: %s; %s", err.msg,
		     deny ? "not running (on_error=deny)" : "running unconfined (on_error=allow)");
		if (deny)
			return EXIT_CGROUP;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_as(id, c->cmd);
	rc = pid < 0 ? EXIT_RUN : wait_for(pid);
	if (s != NULL && cgh_session_close(s, &env, &err) < 0)
		fail(0, "closing the session: %s", err.msg);
	free(s);
	return rc;
}

static int cmd_run(struct cli *c)
{
	struct cgh_config *cfg = NULL;
	struct cgh_identity *id = NULL;
	int rc = load(c, &cfg, true);

	if (rc == EXIT_OK)
		rc = lookup(c->user, &id);
	if (rc == EXIT_OK) {
		openlog("cgherd", LOG_PID, LOG_AUTHPRIV);
		rc = run_session(cfg, id, c);
		closelog();
	}
	cgh_identity_free(id);
	cgh_config_free(cfg);
	return rc;
}

/* ---- notices ---------------------------------------------------------------- */

struct listing {
	struct cgh_notice_store *st;
	const char *help;
	unsigned shown;
	int rc;
};

/* One user's pending records, one line each: "USER (uid N): LINE". */
static int list_user(void *arg, unsigned uid)
{
	struct listing *l = arg;
	struct cgh_notice records[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	char name[64], line[CGH_NOTICE_LINE_MAX];
	size_t n = 0;

	if (cgh_notice_read(l->st, uid, records, CGH_NOTICE_KEEP, &n, &err) < 0) {
		l->rc = fail(EXIT_NOTICES, "%s", err.msg);
		return 0;
	}
	cgh_user_name(uid, name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		cgh_notice_describe(&records[i], l->help, (uint64_t)time(NULL), line, sizeof(line));
		printf("%s (uid %u): %s\n", name, uid, line);
		l->shown++;
	}
	return 0;
}

static int cmd_notices(struct cli *c)
{
	struct cgh_config *cfg = NULL;
	struct cgh_identity *id = NULL;
	struct cgh_notice_store st = { .dirfd = -1 };
	struct cgh_error err = { 0 };
	struct listing l = { .st = &st, .rc = EXIT_OK };
	int rc = load(c, &cfg, true);
	int r;

	if (rc == EXIT_OK && c->user != NULL)
		rc = lookup(c->user, &id);
	if (rc != EXIT_OK)
		goto done;
	l.help = cfg->notices.help;
	r = cgh_notice_store_open(&st, c->dir != NULL ? c->dir : CGH_NOTICE_DIR, false, &err);
	if (r == -ENOENT)
		printf("no notices (%s does not exist)\n", c->dir != NULL ? c->dir : CGH_NOTICE_DIR);
	else if (r == 0 && id != NULL)
		list_user(&l, (unsigned)id->uid);
	else if (r == 0)
		r = cgh_notice_each_user(&st, list_user, &l, &err);
	if (r < 0 && r != -ENOENT)
		rc = fail(EXIT_NOTICES, "%s", err.msg);
	if (r == 0 && rc == EXIT_OK && l.shown == 0)
		printf("no notices\n");
	if (rc == EXIT_OK)
		rc = l.rc;
done:
	cgh_notice_store_close(&st);
	cgh_identity_free(id);
	cgh_config_free(cfg);
	return rc;
}

/* ---- penalty ---------------------------------------------------------------- */

static int penalty_list(struct cli *c, const struct cgh_config *cfg)
{
	struct cgh_penalty_record *recs = NULL;
	size_t n = 0;
	int r = read_penalties(c, &recs, &n);

	if (r == 0)
		cgh_report_penalty_list(stdout, cfg, recs, n, (uint64_t)time(NULL), (c->format == FORMAT_JSON));
	free(recs);
	return r < 0 ? EXIT_CGROUP : EXIT_OK;
}

/* Under the state's lock, the values go back at once (cgh_penalty_lift);
 * watch sees the file change and starts the user's window anew. */
static int penalty_lift(struct cli *c, const struct cgh_config *cfg, const char *user)
{
	const struct cgh_log log = { .fn = to_both };
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };
	struct cgh_fs fs = { .rootfd = -1 };
	struct cgh_penalty_store st;
	const struct cgh_penalty_env env = { .fs = &fs, .base = cfg->base, .log = &log };
	int rc = lookup(user, &id), r = 0;

	if (rc != EXIT_OK)
		return rc;
	if (cgh_fs_open(&fs, cfg->cgroup_root, &cgh_sys_real, &err) < 0 ||
	    cgh_penalty_store_open(&st, c->state_dir, false, &err) < 0) {
		rc = fail(EXIT_CGROUP, "%s", err.msg);
		goto done;
	}
	openlog("cgherd", LOG_PID, LOG_DAEMON);
	r = cgh_penalty_lift(&env, cfg, &st, (unsigned)id->uid, &err);
	closelog();
	cgh_penalty_store_close(&st);
	if (r < 0)
		rc = fail(EXIT_CGROUP, "penalty lift %s: %s", id->user, err.msg);
	else
		printf("%s: %d penalt%s lifted\n", id->user, r, r == 1 ? "y" : "ies");
done:
	cgh_fs_close(&fs);
	cgh_identity_free(id);
	return rc;
}

static int cmd_penalty(struct cli *c)
{
	struct cgh_config *cfg = NULL;
	int rc = load(c, &cfg, true);

	if (rc == EXIT_OK && strcmp(c->cmd[0], "list") == 0)
		rc = penalty_list(c, cfg);
	else if (rc == EXIT_OK)
		rc = penalty_lift(c, cfg, c->cmd[1]);
	cgh_config_free(cfg);
	return rc;
}

/* ---- watch ------------------------------------------------------------------ */

/* watch -f: syslog, and stderr too. */
static void to_syslog_and_stderr(void *arg, int priority, const char *line)
{
	(void)arg;
	syslog(priority, "%s", line);
	fprintf(stderr, "cgherd: %s\n", line);
}

/* One PSI trigger fd per session: lift the soft open-file limit to the hard one. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			syslog(LOG_WARNING, "cannot raise the open-file limit: %m");
	}
}

/* fork, setsid, chdir /, standard streams on /dev/null.  The parent exits 0. */
static int daemonize(void)
{
	pid_t pid;
	int null;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail(EXIT_CGROUP, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(EXIT_OK);
	if (setsid() < 0 || chdir("/") < 0)
		return fail(EXIT_CGROUP, "cannot detach: %s", strerror(errno));
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail(EXIT_CGROUP, "/dev/null: %s", strerror(errno));
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	return EXIT_OK;
}

static int write_pidfile(const char *path)
{
	char text[24];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	int e = 0;

	if (fd < 0 || write(fd, text, (size_t)n) != n)
		e = errno;
	if (fd >= 0)
		close(fd);
	if (e != 0)
		syslog(LOG_ERR, "cannot write pid file %s: %s", path, strerror(e));
	return e != 0 ? EXIT_CGROUP : EXIT_OK;
}

static int cmd_watch(struct cli *c)
{
	const struct cgh_log log = { .fn = c->foreground ? to_syslog_and_stderr : to_syslog };
	const struct cgh_watch_opts o = { .conf = c->conf, .sys = CLI_SYS, .log = &log,
					  .state_dir = c->state_dir, .notice_dir = c->state_dir };
	struct cgh_config *cfg = NULL;
	struct cgh_error err = { 0 };
	/* before the first read of the config: a SIGHUP meanwhile (a reload racing
	 * a restart) then waits for the daemon's signalfd instead of killing it */
	int r = cgh_watch_block_signals();
	int rc = r < 0 ? fail(EXIT_CGROUP, "watch: sigprocmask: %s", strerror(-r)) : EXIT_OK;

	if (rc == EXIT_OK)
		rc = load(c, &cfg, true);	/* refuse a bad file before detaching */
	cgh_config_free(cfg);
	if (rc != EXIT_OK)
		return rc;
	if (!c->foreground && (rc = daemonize()) != EXIT_OK)
		return rc;
	openlog("cgherd", LOG_PID, LOG_DAEMON);
	raise_nofile();
	cgh_watch_lower_oom_score("/proc/self/oom_score_adj", &log);
	if (c->pidfile != NULL)
		rc = write_pidfile(c->pidfile);
	if (rc == EXIT_OK && cgh_watch_run(&o, &err) < 0) {
		syslog(LOG_ERR, "watch: %s", err.msg);
		rc = fail(err.code == EINVAL ? EXIT_CONFIG : EXIT_CGROUP, "watch: %s", err.msg);
	}
	if (c->pidfile != NULL)
		unlink(c->pidfile);
	closelog();
	return rc;
}

static int top(struct cli *c, const struct cgh_config *cfg, const struct cgh_fs *fs,
	       struct cgh_error *err)
{
	const struct cgh_top_opts o = { .delay = c->delay, .iterations = c->iterations,
					.batch = c->batch, .sort = c->sort, .state_dir = c->state_dir };

	return cgh_top(cfg, fs, &o, err);
}

static int cmd_top(struct cli *c)
{
	if (!cgh_top_sort_valid(c->sort))
		return fail(EXIT_USAGE, "top: unknown sort key '%s' (memory, cpu, pressure, pids)",
			    c->sort);
	return with_tree(c, top);
}

/* Exit status 0 all ok, 1 a warning, 2 a failure (not the codes above). */
static int cmd_doctor(struct cli *c)
{
	const struct cgh_doctor_opts o = { .conf = c->conf, .root = c->root, .sys = CLI_SYS,
					   .out = stdout };

	return cgh_doctor(&o);
}

static const struct command {
	const char *name;
	int (*fn)(struct cli *c);
	bool needs_user;	/* explain: USER operand; run: -u USER and a command */
} commands[] = {
	{ "check", cmd_check, false },
	{ "explain", cmd_explain, true },
	{ "status", cmd_status, false },
	{ "run", cmd_run, true },
	{ "gc", cmd_gc, false },
	{ "watch", cmd_watch, false },
	{ "top", cmd_top, false },
	{ "doctor", cmd_doctor, false },
	{ "notices", cmd_notices, false },
	{ "penalty", cmd_penalty, false },
};

static int parse_format(const char *s, enum cli_format *out)
{
	static const char *const names[] = { "text", "json", "openmetrics", "prometheus" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum cli_format)i;
			return 0;
		}
	return -1;
}

/* The options of one command only: --format for status, -b -d -n -S for top,
 * --root for doctor, --dir for notices.  0, or -1 for an option the command
 * does not take or a bad value. */
static int parse_special(const struct command *cmd, int o, struct cli *c)
{
	bool top = cmd->fn == cmd_top;
	char *end = NULL;

	switch (o) {
	case 'F':
		return cmd->fn == cmd_status ? parse_format(optarg, &c->format) : -1;
	case 'd':
		c->delay = strtod(optarg, &end);
		return top && *end == '\0' && c->delay >= 0.1 && c->delay <= 3600 ? 0 : -1;
	case 'n':
		c->iterations = strtol(optarg, &end, 10);
		return top && *end == '\0' && c->iterations > 0 ? 0 : -1;
	case 'b':
		c->batch = true;
		return top ? 0 : -1;
	case 'S':
		c->sort = optarg;
		return top ? 0 : -1;
	case 'r':
		c->root = optarg;
		return cmd->fn == cmd_doctor ? 0 : -1;
	case 'N':
		c->dir = optarg;
		return cmd->fn == cmd_notices ? 0 : -1;
	default:
		return -1;
	}
}

static int parse(int argc, char **argv, const struct command *cmd, struct cli *c)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "sort", required_argument, NULL, 'S' },
		{ "root", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'N' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	bool is_run = cmd->fn == cmd_run;
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+c:s:u:jfp:d:n:bS:D:", opts, NULL)) != -1) {
		switch (o) {
		case 'c': c->conf = optarg; break;
		case 's': c->service = optarg; break;
		case 'u': c->user = optarg; break;
		case 'j': c->format = FORMAT_JSON; break;
		case 'f': c->foreground = true; break;
		case 'p': c->pidfile = optarg; break;
		case 'D': c->state_dir = optarg; break;
		case 'F': case 'd': case 'n': case 'b': case 'S': case 'r': case 'N':
			if (parse_special(cmd, o, c) == 0)
				break;
			/* fall through */
		default: return fail(EXIT_USAGE, "%s: bad option %s", cmd->name, argv[optind - 1]);
		}
	}
	if (is_run) {
		c->cmd = argv + optind;
		c->cmd_argc = argc - optind;
		return c->user != NULL && c->cmd_argc > 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (cmd->fn == cmd_penalty) {	/* list, or lift USER */
		c->cmd = argv + optind;
		c->cmd_argc = argc - optind;
		return (c->cmd_argc == 1 && strcmp(c->cmd[0], "list") == 0) ||
		       (c->cmd_argc == 2 && strcmp(c->cmd[0], "lift") == 0) ? EXIT_OK : EXIT_USAGE;
	}
	if ((cmd->needs_user || cmd->fn == cmd_notices) && optind + 1 == argc && c->user == NULL)
		c->user = argv[optind++];
	return optind == argc && (!cmd->needs_user || c->user != NULL) ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cli c = { .service = "cgherd" };

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cgherd %s\n", CGHERD_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (parse(argc - 1, argv + 1, &commands[i], &c) != EXIT_OK) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return commands[i].fn(&c);
	}
	fprintf(stderr, "cgherd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
