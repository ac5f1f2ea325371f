/* `cgherd watch` without a kernel: the watch group of cgherd.conf and its
 * errors, on_oom words and their expansion, reclaim arithmetic, the notice
 * line, the rule recorded on the leaf, and the daemon itself over logind's
 * scopes (emulated cgroupfs). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_session.h"
#include "cgh_systemd.h"
#include "cgh_value.h"
#include "cgh_watch.h"
#include "fakefs.h"
#include "session_fixture.h"
#include "testutil.h"

#define MIB (1024ull * 1024ull)

/* ---- config ------------------------------------------------------------------ */

static struct cgh_config *load_ok(const char *text)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r = cgh_config_from_text("t.conf", text, 8ull << 30, &cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		print_error("diag: %s\n", diag.lines[i]);
	assert_int_equal(r, 0);
	cgh_diag_free(&diag);
	return cfg;
}

/* The one error text produces, exactly. */
static void load_error(const char *text, const char *want)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	assert_int_equal(cgh_config_from_text("t.conf", text, 8ull << 30, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	if (diag.n != 1 || strcmp(diag.lines[0], want) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			print_error("diag: %s\n", diag.lines[i]);
		fail_msg("expected the single error: %s", want);
	}
	cgh_diag_free(&diag);
}

static void test_watch_defaults(void **state)
{
	struct cgh_config *cfg = load_ok("base = \"cgherd\";\n");

	(void)state;
	assert_null(cfg->watch.on_oom);
	assert_int_equal(cfg->watch.reclaim_percent, 0);
	assert_int_equal(cfg->watch.reclaim_bytes, 0);
	assert_int_equal(cfg->watch.reclaim_interval, CGH_WATCH_INTERVAL_DEFAULT);
	assert_int_equal(cfg->watch.reclaim_cooldown, CGH_WATCH_COOLDOWN_DEFAULT);
	assert_false(cfg->watch.pressure_guard);
	assert_int_equal(cfg->watch.pressure_stall_us, CGH_PSI_STALL_DEFAULT);
	assert_int_equal(cfg->watch.pressure_window_us, CGH_PSI_WINDOW_DEFAULT);
	assert_int_equal(cfg->watch.pressure_grace, CGH_PSI_GRACE_DEFAULT);
	assert_false(cfg->watch.pressure_kill);
	assert_null(cfg->watch.metrics_file);
	assert_int_equal(cfg->watch.metrics_interval, CGH_METRICS_INTERVAL_DEFAULT);
	cgh_config_free(cfg);
}

static void test_watch_metrics_keys(void **state)
{
	static const struct { const char *value; unsigned secs; } forms[] = {
		{ "\"15s\"", 15 }, { "\"1m\"", 60 }, { "\"1h\"", 3600 }, { "\"30\"", 30 }, { "7", 7 },
	};
	struct cgh_config *cfg = NULL;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(text, sizeof(text),
			 "watch = { metrics_file = \"/var/lib/prometheus/node-exporter/cgherd.prom\"; metrics_interval = %s; };\n",
			 forms[i].value);
		cfg = load_ok(text);
		assert_string_equal(cfg->watch.metrics_file, "/var/lib/prometheus/node-exporter/cgherd.prom");
		assert_int_equal(cfg->watch.metrics_interval, forms[i].secs);
		cgh_config_free(cfg);
	}
	load_error("watch = { metrics_file = \"cgherd.prom\"; };\n",
		   "t.conf:1: watch.metrics_file: \"cgherd.prom\" is not an absolute path");
	load_error("watch = { metrics_interval = \"0s\"; };\n",
		   "t.conf:1: watch.metrics_interval: invalid interval \"0s\" (1s-3600s, as \"15s\", \"1m\")");
	load_error("watch = { metrics_interval = \"2h\"; };\n",
		   "t.conf:1: watch.metrics_interval: invalid interval \"2h\" (1s-3600s, as \"15s\", \"1m\")");
	load_error("watch = { metrics_interval = \"15 s\"; };\n",
		   "t.conf:1: watch.metrics_interval: invalid interval \"15 s\" (1s-3600s, as \"15s\", \"1m\")");
	load_error("watch = { metrics_interval = 0; };\n",
		   "t.conf:1: watch.metrics_interval: 0 out of range 1-3600");
}

static void test_watch_every_key(void **state)
{
	struct cgh_config *cfg = load_ok(
		"watch = {\n"
		"  on_oom = \"/usr/local/sbin/notify-user %u %s\";\n"
		"  reclaim_threshold = \"80%\";\n"
		"  reclaim_interval = 5;\n"
		"  reclaim_cooldown = 0;\n"
		"  pressure_guard = true;\n"
		"  pressure_stall_us = 200000;\n"
		"  pressure_window_us = 2000000;\n"
		"  pressure_grace = 30;\n"
		"  pressure_kill = true;\n"
		"};\n");
	const struct cgh_watch_config *w = &cfg->watch;

	(void)state;
	assert_string_equal(w->on_oom[0], "/usr/local/sbin/notify-user");
	assert_string_equal(w->on_oom[1], "%u");
	assert_string_equal(w->on_oom[2], "%s");
	assert_null(w->on_oom[3]);
	assert_int_equal(w->reclaim_percent, 80);
	assert_int_equal(w->reclaim_bytes, 0);
	assert_int_equal(w->reclaim_interval, 5);
	assert_int_equal(w->reclaim_cooldown, 0);
	assert_true(w->pressure_guard);
	assert_int_equal(w->pressure_stall_us, 200000);
	assert_int_equal(w->pressure_window_us, 2000000);
	assert_int_equal(w->pressure_grace, 30);
	assert_true(w->pressure_kill);
	cgh_config_free(cfg);
}

static void test_watch_threshold_forms(void **state)
{
	struct cgh_config *cfg = load_ok("watch = { reclaim_threshold = \"400M\"; };\n");

	(void)state;
	assert_int_equal(cfg->watch.reclaim_bytes, 400 * MIB);
	assert_int_equal(cfg->watch.reclaim_percent, 0);
	cgh_config_free(cfg);
	cfg = load_ok("watch = { reclaim_threshold = 1048576; };\n");
	assert_int_equal(cfg->watch.reclaim_bytes, MIB);
	cgh_config_free(cfg);
	cfg = load_ok("watch = { reclaim_threshold = \"100%\"; };\n");
	assert_int_equal(cfg->watch.reclaim_percent, 100);
	cgh_config_free(cfg);
}

static void test_watch_errors(void **state)
{
	(void)state;
	load_error("watch = { colour = \"blue\"; };\n",
		   "t.conf:1: watch: unknown setting 'colour' (on_oom, reclaim_threshold, reclaim_interval, reclaim_cooldown, pressure_guard, pressure_stall_us, pressure_window_us, pressure_grace, pressure_kill, metrics_file, metrics_interval)");
	load_error("watch = 1;\n", "t.conf:1: watch: expected a group { ... }, not an integer");
	load_error("\nwatch = { reclaim_interval = \"10\"; };\n",
		   "t.conf:2: watch.reclaim_interval: expected an integer, not a string");
	load_error("watch = { reclaim_interval = 0; };\n",
		   "t.conf:1: watch.reclaim_interval: 0 out of range 1-3600");
	load_error("watch = { reclaim_cooldown = 86401; };\n",
		   "t.conf:1: watch.reclaim_cooldown: 86401 out of range 0-86400");
	load_error("watch = { reclaim_threshold = \"150%\"; };\n",
		   "t.conf:1: watch.reclaim_threshold: invalid percentage \"150%\" (1-100%)");
	load_error("watch = { reclaim_threshold = \"0%\"; };\n",
		   "t.conf:1: watch.reclaim_threshold: invalid percentage \"0%\" (1-100%)");
	load_error("watch = { reclaim_threshold = \"lots\"; };\n",
		   "t.conf:1: watch.reclaim_threshold: invalid threshold \"lots\" (N% of memory_max, or bytes with K/M/G/T)");
	load_error("watch = { reclaim_threshold = \"max\"; };\n",
		   "t.conf:1: watch.reclaim_threshold: invalid threshold \"max\" (N% of memory_max, or bytes with K/M/G/T)");
	load_error("watch = { reclaim_threshold = -1; };\n",
		   "t.conf:1: watch.reclaim_threshold: -1 out of range");
	load_error("watch = { pressure_guard = 1; };\n",
		   "t.conf:1: watch.pressure_guard: expected a boolean (true or false), not an integer");
	load_error("watch = { pressure_window_us = 100000; };\n",
		   "t.conf:1: watch.pressure_window_us: 100000 out of range 500000-10000000");
	load_error("watch = { pressure_stall_us = 600000; pressure_window_us = 500000; };\n",
		   "t.conf:1: watch: pressure_stall_us (600000) must not exceed pressure_window_us (500000)");
	load_error("watch = { on_oom = \"notify %u\"; };\n",
		   "t.conf:1: watch.on_oom: \"notify\" is not an absolute path (the command runs without a shell or PATH)");
	load_error("watch = { on_oom = \"/bin/notify %x\"; };\n",
		   "t.conf:1: watch.on_oom: unknown sequence %x (use %u %U %s %r %%)");
	load_error("watch = { on_oom = \"/bin/notify 'unterminated\"; };\n",
		   "t.conf:1: watch.on_oom: unterminated ' quote");
	load_error("watch = { on_oom = \"  \"; };\n", "t.conf:1: watch.on_oom: empty command");
	load_error("watch = { on_oom = [ \"/bin/x\" ]; };\n",
		   "t.conf:1: watch.on_oom: expected a string, not an array");
}

/* ---- on_oom words ------------------------------------------------------------- */

static void test_cmd_split_quotes(void **state)
{
	char **argv = NULL;
	char why[160];

	(void)state;
	assert_int_equal(cgh_cmd_split("  /usr/bin/logger  -t 'cgherd oom' \"%u on %s\"x %% ", &argv,
				       why, sizeof(why)), 0);
	assert_string_equal(argv[0], "/usr/bin/logger");
	assert_string_equal(argv[1], "-t");
	assert_string_equal(argv[2], "cgherd oom");
	assert_string_equal(argv[3], "%u on %sx");
	assert_string_equal(argv[4], "%%");
	assert_null(argv[5]);
	cgh_cmd_free(argv);
	assert_int_equal(cgh_cmd_split("/bin/x 50%", &argv, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "unknown sequence % (use %u %U %s %r %%)");
	assert_null(argv);
}

static void test_cmd_expand(void **state)
{
	char **tmpl = NULL, **argv = NULL;
	char why[160];
	const struct cgh_cmd_vars v = { .user = "alice", .uid = 1001,
					.leaf = "/sys/fs/cgroup/cgherd/user-1001/session-77",
					.rule = "students" };

	(void)state;
	assert_int_equal(cgh_cmd_split("/usr/local/sbin/notify-user %u %U %s %r 100%% %u@%r", &tmpl,
				       why, sizeof(why)), 0);
	assert_int_equal(cgh_cmd_expand(tmpl, &v, &argv), 0);
	assert_string_equal(argv[0], "/usr/local/sbin/notify-user");
	assert_string_equal(argv[1], "alice");
	assert_string_equal(argv[2], "1001");
	assert_string_equal(argv[3], "/sys/fs/cgroup/cgherd/user-1001/session-77");
	assert_string_equal(argv[4], "students");
	assert_string_equal(argv[5], "100%");
	assert_string_equal(argv[6], "alice@students");
	assert_null(argv[7]);
	cgh_cmd_free(argv);
	cgh_cmd_free(tmpl);
}

/* A user name with a space stays one word: no shell ever splits it. */
static void test_cmd_expand_keeps_words(void **state)
{
	char **tmpl = NULL, **argv = NULL;
	char why[160];
	const struct cgh_cmd_vars v = { .user = "a b; rm -rf /", .uid = 1, .leaf = "/x", .rule = "r" };

	(void)state;
	assert_int_equal(cgh_cmd_split("/bin/notify %u", &tmpl, why, sizeof(why)), 0);
	assert_int_equal(cgh_cmd_expand(tmpl, &v, &argv), 0);
	assert_string_equal(argv[1], "a b; rm -rf /");
	assert_null(argv[2]);
	cgh_cmd_free(argv);
	cgh_cmd_free(tmpl);
}

/* ---- reclaim arithmetic --------------------------------------------------------- */

static void test_reclaim_threshold(void **state)
{
	struct cgh_watch_config w = { .reclaim_percent = 80 };

	(void)state;
	assert_int_equal(cgh_reclaim_threshold(&w, 500 * MIB), 400 * MIB);
	assert_int_equal(cgh_reclaim_threshold(&w, 999), 799);
	assert_int_equal(cgh_reclaim_threshold(&w, CGH_UNLIMITED), 0);
	assert_int_equal(cgh_reclaim_threshold(&w, CGH_UNKNOWN), 0);
	w.reclaim_percent = 100;
	assert_int_equal(cgh_reclaim_threshold(&w, UINT64_MAX - 2), UINT64_MAX - 2);
	w = (struct cgh_watch_config){ .reclaim_bytes = 64 * MIB };
	assert_int_equal(cgh_reclaim_threshold(&w, CGH_UNLIMITED), 64 * MIB);
	assert_int_equal(cgh_reclaim_threshold(&w, 500 * MIB), 64 * MIB);
	w = (struct cgh_watch_config){ 0 };
	assert_int_equal(cgh_reclaim_threshold(&w, 500 * MIB), 0);
}

static void test_reclaim_excess_and_cooldown(void **state)
{
	(void)state;
	assert_int_equal(cgh_reclaim_excess(500 * MIB, 400 * MIB), 100 * MIB);
	assert_int_equal(cgh_reclaim_excess(400 * MIB, 400 * MIB), 0);
	assert_int_equal(cgh_reclaim_excess(10, 400 * MIB), 0);
	assert_int_equal(cgh_reclaim_excess(500 * MIB, 0), 0);
	assert_int_equal(cgh_reclaim_excess(CGH_UNKNOWN, 400 * MIB), 0);
	assert_true(cgh_reclaim_due(0, 5, 60));
	assert_false(cgh_reclaim_due(10000, 69999, 60));
	assert_true(cgh_reclaim_due(10000, 70000, 60));
	assert_true(cgh_reclaim_due(10000, 10000, 0));
}

/* ---- the daemon's own OOM score ------------------------------------------------ */

static void test_oom_score_wanted(void **state)
{
	(void)state;
	assert_int_equal(cgh_watch_oom_score_wanted(0), -900);
	assert_int_equal(cgh_watch_oom_score_wanted(-900), -900);
	assert_int_equal(cgh_watch_oom_score_wanted(-1000), -1000);	/* chosen: kept */
	assert_int_equal(cgh_watch_oom_score_wanted(500), 500);
}

/* score_file TEXT: the text after cgh_watch_lower_oom_score over a file holding TEXT,
 * its return value in *r and what it logged in *log */
static void score_file(const char *text, char *after, size_t len, int *r, struct log_capture *log)
{
	struct cgh_log sink = { .fn = capture_log, .arg = log };
	const char *path = write_temp_config(text);
	FILE *f;

	log->text[0] = '\0';
	*r = cgh_watch_lower_oom_score(path, &sink);
	f = fopen(path, "r");
	assert_non_null(f);
	if (fgets(after, (int)len, f) == NULL)
		after[0] = '\0';
	fclose(f);
	unlink(path);
}

static void test_oom_score_lowered(void **state)
{
	struct log_capture log;
	char after[32];
	int r;

	(void)state;
	score_file("0\n", after, sizeof(after), &r, &log);
	assert_int_equal(r, 0);
	assert_string_equal(after, "-900\n");
	assert_non_null(strstr(log.text, "6 oom_score_adj -900: a host-wide OOM kills sessions before the watcher"));
	score_file("-1000\n", after, sizeof(after), &r, &log);
	assert_int_equal(r, 0);
	assert_string_equal(after, "-1000\n");
	assert_string_equal(log.text, "");
	score_file("nonsense\n", after, sizeof(after), &r, &log);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(after, "nonsense\n");
	assert_non_null(strstr(log.text, "4 cannot read "));
	assert_non_null(strstr(log.text, ": Invalid argument; OOM score left as it is"));
	log.text[0] = '\0';
	struct cgh_log sink = { .fn = capture_log, .arg = &log };
	assert_int_equal(cgh_watch_lower_oom_score("/nonexistent/oom_score_adj", &sink), -ENOENT);
	assert_non_null(strstr(log.text, "4 cannot open /nonexistent/oom_score_adj: No such file or directory"));
}

/* ---- the notice line ------------------------------------------------------------ */

static void test_notice_line(void **state)
{
	struct cgh_oom_notice n = {
		.user = "alice", .uid = 1001, .leaf = "/sys/fs/cgroup/cgherd/user-1001/session-77",
		.rule = "students", .memory_max = 524288000, .memory_peak = 524288000,
		.oom_kill = 3, .oom_group_kill = 1, .new_kills = 3, .new_group_kills = 1,
		.biggest_pid = 4321, .biggest_comm = "hog", .biggest_rss = 314572800,
	};
	char line[1024];

	(void)state;
	cgh_oom_notice_format(&n, line, sizeof(line));
	assert_string_equal(line,
		"oom-kill user=alice uid=1001 leaf=/sys/fs/cgroup/cgherd/user-1001/session-77 rule=students memory.max=524288000 memory.peak=524288000 oom_kill=3(+3) oom_group_kill=1(+1) biggest=hog[4321]:314572800");
	n.biggest_pid = 0;
	n.memory_max = CGH_UNLIMITED;
	n.memory_peak = CGH_UNKNOWN;
	cgh_oom_notice_format(&n, line, sizeof(line));
	assert_non_null(strstr(line, " memory.max=max memory.peak=? "));
	assert_non_null(strstr(line, " biggest=unknown"));
}

static void test_proc_status(void **state)
{
	uint64_t rss = 0;
	char comm[32];

	(void)state;
	assert_int_equal(cgh_proc_status("Name:\thog\nState:\tS\nVmRSS:\t  307200 kB\n", &rss, comm,
					 sizeof(comm)), 0);
	assert_string_equal(comm, "hog");
	assert_int_equal(rss, 307200ull * 1024);
	assert_int_equal(cgh_proc_status("Name:\tkthreadd\nState:\tS\n", &rss, comm, sizeof(comm)),
			 -ENOENT);
}

/* The kernel's own lines (Linux 6.1). */
static void test_kmsg_victim(void **state)
{
	char memcg[160], comm[32];
	pid_t pid = 0;
	uint64_t rss = 0;

	(void)state;
	assert_int_equal(cgh_kmsg_oom_victim(
		"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
		"oom_memcg=/cgherd/user-1001/session-329,task_memcg=/cgherd/user-1001/session-329,"
		"task=hog,pid=345,uid=1001", memcg, sizeof(memcg), &pid, comm, sizeof(comm)), 0);
	assert_string_equal(memcg, "/cgherd/user-1001/session-329");
	assert_string_equal(comm, "hog");
	assert_int_equal(pid, 345);
	assert_int_equal(cgh_kmsg_oom_victim("Memory cgroup out of memory: Killed process 345 (hog)",
					     memcg, sizeof(memcg), &pid, comm, sizeof(comm)), -ENOENT);
	assert_int_equal(cgh_kmsg_oom_victim("oom-kill:constraint=CONSTRAINT_NONE,task=x",
					     memcg, sizeof(memcg), &pid, comm, sizeof(comm)), -ENOENT);
	assert_int_equal(cgh_kmsg_killed(
		"Memory cgroup out of memory: Killed process 345 (hog) total-vm:153968kB, "
		"anon-rss:153600kB, file-rss:4kB, shmem-rss:0kB, UID:1001 pgtables:348kB oom_score_adj:0",
		&pid, &rss), 0);
	assert_int_equal(pid, 345);
	assert_int_equal(rss, 153604ull * 1024);
	assert_int_equal(cgh_kmsg_killed("Tasks in /x are going to be killed", &pid, &rss), -ENOENT);
}

/* ---- the rule on the leaf --------------------------------------------------------- */

static const char conf_text[] =
	"rules = ( { name = \"students\"; match = { group = \"students\"; };\n"
	"            session = { memory_max = \"500M\"; }; } );\n"
	"watch = { on_oom = \"/bin/true\"; };\n";

static int setup(void **state)
{
	*state = session_fixture_new("cpu memory pids\n", conf_text);
	return 0;
}

static int teardown(void **state)
{
	session_fixture_free(*state);
	return 0;
}

static void test_rule_recorded_on_leaf(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };
	struct cgh_fs fs;
	char rule[72];

	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", 4242, &f->env, &s, &err), CGH_HERDED);
	assert_true(fake_logged("setxattr cgherd/user-1000/session-4242") >= 0);
	assert_true(fake_logged("setxattr cgherd/user-1000/session-4242") <
		    fake_logged("write cgherd/user-1000/session-4242/cgroup.procs"));
	assert_int_equal(cgh_fs_open(&fs, f->root, f->env.sys, &err), 0);
	assert_int_equal(cgh_fs_get_rule(&fs, s->leaf, rule, sizeof(rule)), 0);
	assert_string_equal(rule, "students");
	assert_int_equal(cgh_fs_get_rule(&fs, "cgherd/user-1000", rule, sizeof(rule)), -ENODATA);
	cgh_fs_close(&fs);
	free(s);
}

/* Kernels without trusted xattrs on cgroupfs: the login goes on, and the
 * reason is logged. */
static void test_rule_xattr_failure_does_not_fail_login(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	fake_fail("setxattr", "", EOPNOTSUPP, -1);
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", 4242, &f->env, &s, &err), CGH_HERDED);
	assert_non_null(s);
	assert_string_equal(fake_where(4242), "/cgherd/user-1000/session-4242");
	assert_non_null(strstr(f->log.text,
		"rule name not recorded: cannot set trusted.cgherd.rule on "));
	assert_non_null(strstr(f->log.text, "session-4242: Operation not supported"));
	free(s);
}


/* ---- the daemon over logind's scopes ------------------------------------------------ */

/* cgh_watch_run in a child process, on an emulated root; its log goes to a
 * file and its on_oom command appends "UID LEAF RULE" to a marker file, both
 * read by the test. */
struct daemon {
	char root[64];
	char conf[64];
	char log[96];
	char marker[96];
	char notices[96];	/* the notice store (never the host's) */
	pid_t pid;
};

#define SCOPE "user.slice/user-1001.slice/session-3.scope"
#define LEAF "cgherd/user-1001/session-9"
#define WAIT_MS 20000	/* valgrind */
#define ORPHAN_TICK_MS 300	/* the daemon's looks at openers */

static int daemon_setup(void **state)
{
	struct daemon *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	fake_reset();
	assert_int_equal(fake_make_root(d->root, sizeof(d->root), "cpu memory pids\n"), 0);
	snprintf(d->log, sizeof(d->log), "%s/watch.log", d->root);
	snprintf(d->marker, sizeof(d->marker), "%s/on_oom.out", d->root);
	snprintf(d->notices, sizeof(d->notices), "%s/notices", d->root);
	*state = d;
	return 0;
}

static int daemon_teardown(void **state)
{
	struct daemon *d = *state;

	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	if (d->conf[0] != '\0')
		unlink(d->conf);
	fake_remove_root(d->root);
	free(d);
	return 0;
}

/* watch_extra: more settings of the watch group; top: more at the top. */
static void daemon_start_top(struct daemon *d, const char *backend, const char *watch_extra,
			     const char *top)
{
	char text[1024];
	struct cgh_log sink = { .fn = capture_log_file, .arg = d->log, .debug = true };
	const struct cgh_watch_opts o = { .conf = d->conf, .sys = cgh_test_sys(), .log = &sink,
					  .phys_mem = 4ull << 30, .orphan_tick_ms = ORPHAN_TICK_MS,
					  .notice_dir = d->notices };
	struct cgh_error err = { 0 };

	snprintf(text, sizeof(text),
		 "cgroup_root = \"%s\";\nbackend = \"%s\";\n%s\n"
		 "watch = { on_oom = \"/bin/sh -c 'echo $@ >>$0' %s %%U %%s %%r\"; %s };\n",
		 d->root, backend, top, d->marker, watch_extra);
	snprintf(d->conf, sizeof(d->conf), "%s", write_temp_config(text));
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0)
		exit(cgh_watch_run(&o, &err) < 0 ? (capture_log_file(d->log, LOG_ERR, err.msg), 1) : 0);
}

static void daemon_start_with(struct daemon *d, const char *backend, const char *watch_extra)
{
	daemon_start_top(d, backend, watch_extra, "");
}

static void daemon_start(struct daemon *d, const char *backend)
{
	daemon_start_with(d, backend, "");
}

/* SIGTERM; the daemon must stop cleanly (under valgrind: without errors). */
static void daemon_stop(struct daemon *d)
{
	int status = 0;

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	assert_int_equal(waitpid(d->pid, &status, 0), d->pid);
	d->pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits until the file at path holds want; fails with what it holds. */
static void wait_for_text(const char *path, const char *want)
{
	static char text[65536];

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		read_text(path, text, sizeof(text));
		if (strstr(text, want) != NULL)
			return;
		sleep_ms(10);
	}
	fail_msg("%s never said \"%s\"; it holds:\n%s", path, want, text);
}

/* What the test means by the path rel under the root. */
static const char *at(const struct daemon *d, const char *rel)
{
	static char path[4][256];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", d->root, rel);
	return path[next];
}

/* mkdir -p through the emulation: each level gets its control files. */
static void make_cgroup(const struct daemon *d, const char *rel)
{
	char part[160];
	int fd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	for (const char *p = rel; p != NULL; p = strchr(p + 1, '/')) {
		snprintf(part, sizeof(part), "%.*s", (int)(p - rel), rel);
		if (part[0] != '\0')
			cgh_test_sys()->mkdirat(fd, part);
	}
	assert_int_equal(cgh_test_sys()->mkdirat(fd, rel), 0);
	close(fd);
}

/* systemd removes an empty scope: rmdir through the emulation. */
static void remove_cgroup(const struct daemon *d, const char *rel)
{
	int fd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(cgh_test_sys()->rmdirat(fd, rel), 0);
	close(fd);
}

static void put(const struct daemon *d, const char *dir, const char *file, const char *text)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	assert_int_equal(fake_put(d->root, rel, text), 0);
}

/* A session with process 4321 (the hog, 300 MiB) under a 500M limit. */
static void make_session(const struct daemon *d, const char *dir)
{
	make_cgroup(d, dir);
	put(d, dir, "memory.max", "524288000\n");
	put(d, dir, "memory.peak", "524288000\n");
	put(d, dir, "cgroup.procs", "4321\n");
	put(d, dir, "cgroup.events", "populated 1\nfrozen 0\n");
}

/* What the kernel does at once, the emulation does one file after the
 * other: the daemon is stopped meanwhile. */
static void freeze(const struct daemon *d)
{
	int status = 0;

	assert_int_equal(kill(d->pid, SIGSTOP), 0);
	assert_int_equal(waitpid(d->pid, &status, WUNTRACED), d->pid);
	assert_true(WIFSTOPPED(status));
}

static void thaw(const struct daemon *d)
{
	assert_int_equal(kill(d->pid, SIGCONT), 0);
}

static void make_session_while_running(const struct daemon *d, const char *dir)
{
	freeze(d);
	make_session(d, dir);
	thaw(d);
}

static void group_kill(const struct daemon *d, const char *dir)
{
	put(d, dir, "memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 1\noom_group_kill 1\n");
}

static void session_ends(const struct daemon *d, const char *dir)
{
	put(d, dir, "cgroup.procs", "");
	put(d, dir, "cgroup.events", "populated 0\nfrozen 0\n");
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void hog_known(void)
{
	fake.mem[0].pid = 4321;
	fake.mem[0].rss = 314572800;
	snprintf(fake.mem[0].comm, sizeof(fake.mem[0].comm), "hog");
	fake.n_mem = 1;
}

#define FIGURES "memory.max=524288000 memory.peak=524288000 "

/* backend = "systemd", one live scope: SCOPE. */
static void start_with_scope(struct daemon *d)
{
	make_session(d, SCOPE);
	daemon_start(d, "systemd");
	wait_for_text(d->log, ": 1 sessions, ");
}

/* Waits for on_oom's line for the session in dir ("UID LEAF RULE"), then,
 * unless tail is NULL, for the notice to go on with tail after its rule. */
static void wait_for_notice(const struct daemon *d, unsigned uid, const char *dir,
			    const char *tail)
{
	char want[512];

	snprintf(want, sizeof(want), "%u %s ?\n", uid, at(d, dir));
	wait_for_text(d->marker, want);
	if (tail == NULL)
		return;
	snprintf(want, sizeof(want), " uid=%u leaf=%s rule=? %s", uid, at(d, dir), tail);
	wait_for_text(d->log, want);
}

static void test_user_dir_uid(void **state)
{
	static const struct { const char *name; bool ok; unsigned uid; } cases[] = {
		{ "user-1001", true, 1001 }, { "user-1001.slice", true, 1001 },
		{ "user-0", true, 0 }, { "user-0.slice", true, 0 },
		{ "user-", false, 0 }, { "user-.slice", false, 0 }, { "user-x", false, 0 },
		{ "user-1001.scope", false, 0 }, { "user-1001x", false, 0 },
		{ "user-1001.slice/", false, 0 }, { "user--1", false, 0 }, { "user- 1", false, 0 },
		{ "user-4294967295", false, 0 }, { "user-99999999999999999999", false, 0 },
		{ "session-3.scope", false, 0 }, { "user@1001.service", false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned uid = 77;
		bool ok = cgh_user_dir_uid(cases[i].name, &uid);

		if (ok != cases[i].ok || (ok && uid != cases[i].uid))
			fail_msg("%s: %s uid %u", cases[i].name, ok ? "accepted" : "refused", uid);
	}
}

/* backend = "systemd": a scope there at the start is watched; its group
 * kill gives the notice (rule=?: no rule recorded on a scope) and on_oom,
 * here after WATCH_OOM_GROUP_WAIT_MS, since process 4321 survives it. */
static void test_watch_scope_oom(void **state)
{
	struct daemon *d = *state;
	char want[512];

	hog_known();
	start_with_scope(d);
	snprintf(want, sizeof(want), ": 1 sessions, on_oom=/bin/sh reclaim_threshold=off reclaim_interval=10s reclaim_cooldown=60s pressure_guard=off logind_scopes=%s/user.slice",
		 d->root);
	wait_for_text(d->log, want);
	group_kill(d, SCOPE);
	wait_for_notice(d, 1001, SCOPE,
			FIGURES "oom_kill=1(+1) oom_group_kill=1(+1) biggest=hog[4321]:314572800\n");
	daemon_stop(d);
}

/* The kernel counts oom_kill once for each member of the group as it kills
 * it; under load that takes longer than WATCH_OOM_SETTLE_MS.  One notice,
 * once the scope has emptied, with every kill counted. */
static void test_watch_slow_group_kill_one_notice(void **state)
{
	struct daemon *d = *state;
	char log[16384];

	start_with_scope(d);
	put(d, SCOPE, "memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 1\noom_group_kill 1\n");
	sleep_ms(250);
	put(d, SCOPE, "memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 6\noom_group_kill 1\n");
	session_ends(d, SCOPE);
	wait_for_notice(d, 1001, SCOPE, FIGURES "oom_kill=6(+6) oom_group_kill=1(+1) biggest=unknown\n");
	daemon_stop(d);
	read_text(d->log, log, sizeof(log));
	assert_null(strstr(strstr(log, "oom-kill user=") + 1, "oom-kill user="));
}

/* A scope that ends is left to systemd: never removed by watch (while a dead
 * leaf of cgherd's beside it is collected), and forgotten once systemd
 * removes it, so that a new scope of that name is watched afresh. */
static void test_watch_dead_scope_kept_then_forgotten(void **state)
{
	struct daemon *d = *state;
	char want[512], marker[4096];

	make_session(d, SCOPE);
	make_session(d, LEAF);
	daemon_start(d, "auto");
	wait_for_text(d->log, ": 2 sessions, ");
	session_ends(d, SCOPE);
	session_ends(d, LEAF);
	snprintf(want, sizeof(want), "collected dead session leaf=%s ", at(d, LEAF));
	wait_for_text(d->log, want);
	assert_false(is_dir(at(d, LEAF)));
	sleep_ms(300);		/* past a gc retry */
	assert_true(is_dir(at(d, SCOPE)));
	assert_true(is_dir(at(d, "user.slice/user-1001.slice")));

	remove_cgroup(d, SCOPE);
	snprintf(want, sizeof(want), "forgetting %s\n", at(d, SCOPE));
	wait_for_text(d->log, want);
	make_session_while_running(d, SCOPE);
	snprintf(want, sizeof(want), "watching %s\n", at(d, SCOPE));
	wait_for_text(d->log, want);
	group_kill(d, SCOPE);
	wait_for_notice(d, 1001, SCOPE, NULL);
	daemon_stop(d);
	read_text(d->marker, marker, sizeof(marker));
	snprintf(want, sizeof(want), "1001 %s ?\n", at(d, SCOPE));
	assert_string_equal(marker, want);
}

/* user.slice and a scope made while the daemon runs are watched; the notice
 * names the uid of user-1002.slice. */
static void test_watch_scope_created_later(void **state)
{
	struct daemon *d = *state;
	const char *scope = "user.slice/user-1002.slice/session-c7.scope";
	char want[512];

	daemon_start(d, "systemd");
	wait_for_text(d->log, ": 0 sessions, ");
	make_session_while_running(d, scope);
	snprintf(want, sizeof(want), "watching %s\n", at(d, scope));
	wait_for_text(d->log, want);
	group_kill(d, scope);
	wait_for_notice(d, 1002, scope, NULL);
	assert_true(is_dir(at(d, scope)));
	daemon_stop(d);
}

/* logind removes the scope as soon as the group kill has emptied it, before
 * the daemon could read it again: the notice still comes, with the figures
 * read when the kill was seen.  (The scope is removed while the notice waits
 * for it to empty: within WATCH_OOM_GROUP_WAIT_MS, else the notice was given
 * already, and this test proves less.) */
static void test_watch_scope_removed_before_notice(void **state)
{
	struct daemon *d = *state;
	char want[512];

	start_with_scope(d);
	put(d, SCOPE, ".xattr-" CGH_LOGIN_XATTR, "started=1796170000 service=sshd tty=ssh rhost=10.0.0.5");
	group_kill(d, SCOPE);
	snprintf(want, sizeof(want), "OOM kill in %s: oom_kill=1 oom_group_kill=1\n", at(d, SCOPE));
	wait_for_text(d->log, want);
	freeze(d);
	session_ends(d, SCOPE);
	remove_cgroup(d, SCOPE);
	assert_false(is_dir(at(d, SCOPE)));
	thaw(d);
	wait_for_notice(d, 1001, SCOPE, FIGURES "oom_kill=1(+1) oom_group_kill=1(+1) ");
	/* the user's record names the login, read from the scope with the figures */
	snprintf(want, sizeof(want), "%s/user-1001", d->notices);
	wait_for_text(want, "rhost=10.0.0.5");
	daemon_stop(d);
}

/* The module records the login on a scope after logind made it, so maybe
 * after the daemon found it; the daemon takes it at a change of the scope's
 * memory.events before the kill (as its memory nears the limit).  When the
 * login cannot be read as the kill is (the scope going), the user's record
 * still names it.  (Before, it was read with the kill only: a CI's
 * vm-systemd notice scenario told "your login session" once.) */
static void test_watch_scope_login_held_before_kill(void **state)
{
	struct daemon *d = *state;
	char want[512];

	start_with_scope(d);
	put(d, SCOPE, ".xattr-" CGH_LOGIN_XATTR, "started=1796170000 service=sshd tty=ssh rhost=10.0.0.5");
	put(d, SCOPE, "memory.events", "low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\noom_group_kill 0\n");
	sleep_ms(1500);		/* the change read */
	freeze(d);
	assert_int_equal(unlink(at(d, SCOPE "/.xattr-" CGH_LOGIN_XATTR)), 0);
	group_kill(d, SCOPE);
	thaw(d);
	wait_for_notice(d, 1001, SCOPE, FIGURES "oom_kill=1(+1) oom_group_kill=1(+1) ");
	snprintf(want, sizeof(want), "%s/user-1001", d->notices);
	wait_for_text(want, "rhost=10.0.0.5");
	daemon_stop(d);
}

/* Acting on the session in a scope is allowed: its page cache above the
 * threshold is reclaimed (and its limits are left alone). */
static void test_watch_scope_reclaimed(void **state)
{
	struct daemon *d = *state;
	char text[64];

	make_session(d, SCOPE);
	put(d, SCOPE, "memory.stat", "anon 1048576\nfile 5242880\n");
	daemon_start_with(d, "systemd", "reclaim_threshold = \"1M\"; reclaim_interval = 1;");
	wait_for_text(at(d, SCOPE "/memory.reclaim"), "4194304 swappiness=0");
	daemon_stop(d);
	assert_int_equal(fake_get(d->root, SCOPE "/memory.max", text, sizeof(text)), 0);
	assert_string_equal(text, "524288000");
	assert_int_equal(fake_get(d->root, SCOPE "/memory.high", text, sizeof(text)), 0);
	assert_string_equal(text, "max");
}

/* LEAF's opener (pid 9, from its name) is gone and never closed it: after
 * the grace a reaper would have had, what is left is killed, as close would
 * (the emulated cgroup.kill empties the leaf), and the dead leaf collected. */
static void test_watch_orphaned_session_killed(void **state)
{
	struct daemon *d = *state;
	char want[512];

	make_session(d, LEAF);
	fake_fail("kill", "9/0", ESRCH, -1);
	daemon_start(d, "cgroupfs");
	snprintf(want, sizeof(want),
		 "orphaned session uid=1001 leaf=%s: its opener, pid 9, is gone and never closed it: killing what is left (kill_on_close)",
		 at(d, LEAF));
	wait_for_text(d->log, want);
	snprintf(want, sizeof(want), "collected dead session leaf=%s ", at(d, LEAF));
	wait_for_text(d->log, want);
	assert_false(is_dir(at(d, LEAF)));
	daemon_stop(d);
}

/* d's store holds one record for uid 1001, and LEAF's login showed it and
 * kept it (an sshd login: the mark). */
static void shown_at_sshd_login(const struct daemon *d)
{
	struct cgh_notice n = { .kind = CGH_NOTICE_OOM_GROUP, .when = 5, .uid = 1001,
				.leaf = "session-8", .event = 1, .limit = CGH_UNKNOWN,
				.peak = CGH_UNKNOWN, .killed = CGH_UNKNOWN };
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	struct cgh_fs fs = { .rootfd = -1 };

	assert_int_equal(cgh_notice_store_open(&st, d->notices, true, &err), 0);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	cgh_notice_store_close(&st);
	assert_int_equal(cgh_fs_open(&fs, d->root, cgh_test_sys(), &err), 0);
	assert_int_equal(cgh_notice_mark_shown(&fs, LEAF, &n, &err), 0);
	cgh_fs_close(&fs);
}

static size_t records_of_1001(const struct daemon *d)
{
	struct cgh_notice got[CGH_NOTICE_KEEP];
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	size_t n = 0;

	assert_int_equal(cgh_notice_store_open(&st, d->notices, false, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 1001, got, CGH_NOTICE_KEEP, &n, &err), 0);
	cgh_notice_store_close(&st);
	return n;
}

/* A login shell in the leaf: sshd ran a shell and printed what the module
 * showed; watch removes the record. */
static void test_watch_shown_notice_removed_at_shell(void **state)
{
	struct daemon *d = *state;

	make_session(d, LEAF);
	shown_at_sshd_login(d);
	fake.login_shells[fake.n_login_shells++] = 4321;
	daemon_start(d, "cgroupfs");
	wait_for_text(d->log, "notices for uid=1001: 1 shown at the login of ");
	assert_int_equal(records_of_1001(d), 0);
	daemon_stop(d);
}

/* No login shell (`ssh host cmd`, scp, sftp): sshd printed nothing; the
 * record waits for the next login. */
static void test_watch_shown_notice_kept_without_shell(void **state)
{
	struct daemon *d = *state;
	char log[65536];

	make_session(d, LEAF);
	shown_at_sshd_login(d);
	daemon_start(d, "cgroupfs");
	wait_for_text(d->log, ": 1 sessions, ");
	sleep_ms(2 * 1000 + 500);	/* two looks (WATCH_SHOWN_TICK_MS) */
	read_text(d->log, log, sizeof(log));
	assert_null(strstr(log, "shown at the login of"));
	assert_int_equal(records_of_1001(d), 1);
	daemon_stop(d);
}

/* The opener alive (kill(2) says so), or kill_on_close false: the session
 * is left alone. */
static void test_watch_session_with_opener_left_alone(void **state)
{
	struct daemon *d = *state;
	char log[65536];

	make_session(d, LEAF);
	daemon_start(d, "cgroupfs");
	wait_for_text(d->log, ": 1 sessions, ");
	sleep_ms(4 * ORPHAN_TICK_MS);	/* past two looks and more */
	read_text(d->log, log, sizeof(log));
	assert_null(strstr(log, "orphaned"));
	assert_true(is_dir(at(d, LEAF)));
	daemon_stop(d);
}

static void test_watch_orphan_kept_without_kill_on_close(void **state)
{
	struct daemon *d = *state;
	char log[65536];

	make_session(d, LEAF);
	fake_fail("kill", "9/0", ESRCH, -1);
	daemon_start_top(d, "cgroupfs", "", "kill_on_close = false;");
	wait_for_text(d->log, ": 1 sessions, ");
	sleep_ms(4 * ORPHAN_TICK_MS);
	read_text(d->log, log, sizeof(log));
	assert_null(strstr(log, "orphaned"));
	assert_true(is_dir(at(d, LEAF)));
	daemon_stop(d);
}

/* A session of the module's (its login recorded) with a group kill no
 * notice recorded (watch was not running, or was restarted in the middle of
 * it): watch's start records it, once, as the group kill it was. */
static void test_watch_start_records_unnoticed_group_kill(void **state)
{
	struct daemon *d = *state;
	char want[256], text[4096], path[160];

	make_session(d, LEAF);
	put(d, LEAF, ".xattr-" CGH_LOGIN_XATTR, "started=1796170000 service=sshd tty=ssh rhost=10.0.0.5");
	put(d, LEAF, "memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 3\noom_group_kill 1\n");
	daemon_start(d, "cgroupfs");
	snprintf(want, sizeof(want), "notice recorded for uid=1001 kind=oom_group leaf=session-9");
	wait_for_text(d->log, want);
	snprintf(path, sizeof(path), "%s/user-1001", d->notices);
	wait_for_text(path, "kind=oom_group");
	/* the mark follows the record (slowly under valgrind) */
	wait_for_text(at(d, LEAF "/.xattr-" CGH_NOTICED_XATTR), "3 1");
	daemon_stop(d);
	read_text(path, text, sizeof(text));
	assert_null(strstr(strstr(text, "kind=oom_group") + 1, "kind=oom_group"));	/* once */
}

/* The same kill marked as noticed (an earlier watch or the module recorded
 * it), or a leaf without the module's login (nothing would say what an
 * earlier watch reported): no second record at the start. */
static void test_watch_start_skips_noticed_kill(void **state)
{
	struct daemon *d = *state;
	char text[65536], path[160];

	make_session(d, LEAF);
	put(d, LEAF, ".xattr-" CGH_LOGIN_XATTR, "started=1796170000 service=sshd tty=ssh rhost=");
	put(d, LEAF, ".xattr-" CGH_NOTICED_XATTR, "3 1");
	put(d, LEAF, "memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 3\noom_group_kill 1\n");
	make_session(d, "cgherd/user-1001/session-10");
	put(d, "cgherd/user-1001/session-10", "memory.events",
	    "low 0\nhigh 0\nmax 40\noom 1\noom_kill 2\noom_group_kill 1\n");
	daemon_start(d, "cgroupfs");
	wait_for_text(d->log, ": 2 sessions, ");
	sleep_ms(1500);		/* past WATCH_OOM_SETTLE_MS */
	read_text(d->log, text, sizeof(text));
	assert_null(strstr(text, "notice recorded"));
	assert_null(strstr(text, "oom-kill user="));
	snprintf(path, sizeof(path), "%s/user-1001", d->notices);
	assert_int_equal(access(path, F_OK), -1);
	daemon_stop(d);
}

/* backend = "cgroupfs": user.slice is not cgherd's business. */
static void test_watch_cgroupfs_ignores_user_slice(void **state)
{
	struct daemon *d = *state;
	char log[16384];

	make_session(d, SCOPE);
	make_session(d, LEAF);
	daemon_start(d, "cgroupfs");
	wait_for_text(d->log, ": 1 sessions, ");
	group_kill(d, SCOPE);
	session_ends(d, SCOPE);
	group_kill(d, LEAF);
	wait_for_notice(d, 1001, LEAF, NULL);
	daemon_stop(d);
	read_text(d->log, log, sizeof(log));
	assert_null(strstr(log, "logind_scopes="));
	assert_null(strstr(log, "user.slice"));
	assert_true(is_dir(at(d, SCOPE)));
}

/* metrics_file: the session's series while it lives; the group kill counted
 * per rule, still counted once the scope is gone, and taken back from the
 * file by a watch started anew. */
static void test_watch_metrics_file(void **state)
{
	struct daemon *d = *state;
	static char text[65536];
	char extra[256], prom[128];
	const char *series = "cgherd_session_memory_max_bytes{user=";
	const char *kills = "cgherd_rule_oom_group_kills_total{rule=\"\"} ";

	snprintf(prom, sizeof(prom), "%s/cgherd.prom", d->root);
	snprintf(extra, sizeof(extra), "metrics_file = \"%s\"; metrics_interval = \"1s\";", prom);
	make_session(d, SCOPE);
	daemon_start_with(d, "systemd", extra);
	wait_for_text(prom, series);
	read_text(prom, text, sizeof(text));
	assert_non_null(strstr(text, "session=\"session-3.scope\",backend=\"systemd\"} 524288000\n"));
	group_kill(d, SCOPE);
	wait_for_notice(d, 1001, SCOPE, NULL);
	freeze(d);
	session_ends(d, SCOPE);
	remove_cgroup(d, SCOPE);
	thaw(d);
	wait_for_text(prom, "cgherd_sessions{backend=\"systemd\"} 0\n");
	read_text(prom, text, sizeof(text));
	assert_null(strstr(text, series));
	assert_non_null(strstr(text, "cgherd_rule_oom_group_kills_total{rule=\"\"} 1\n"));
	assert_non_null(strstr(text, "cgherd_rule_oom_kills_total{rule=\"\"} 1\n"));
	daemon_stop(d);

	make_session(d, SCOPE);
	daemon_start_with(d, "systemd", extra);
	wait_for_text(d->log, "metrics: 4 rule counters taken back from ");
	group_kill(d, SCOPE);	/* counted from 0 in the new scope: +1 */
	snprintf(extra, sizeof(extra), "%s2\n", kills);
	wait_for_text(prom, extra);
	daemon_stop(d);
	assert_true(access(prom, F_OK) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_defaults),
		cmocka_unit_test(test_oom_score_wanted),
		cmocka_unit_test(test_oom_score_lowered),
		cmocka_unit_test(test_watch_every_key),
		cmocka_unit_test(test_watch_metrics_keys),
		cmocka_unit_test(test_watch_threshold_forms),
		cmocka_unit_test(test_watch_errors),
		cmocka_unit_test(test_cmd_split_quotes),
		cmocka_unit_test(test_cmd_expand),
		cmocka_unit_test(test_cmd_expand_keeps_words),
		cmocka_unit_test(test_reclaim_threshold),
		cmocka_unit_test(test_reclaim_excess_and_cooldown),
		cmocka_unit_test(test_notice_line),
		cmocka_unit_test(test_proc_status),
		cmocka_unit_test(test_kmsg_victim),
		cmocka_unit_test_setup_teardown(test_rule_recorded_on_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_xattr_failure_does_not_fail_login, setup, teardown),
		cmocka_unit_test(test_user_dir_uid),
		cmocka_unit_test_setup_teardown(test_watch_scope_oom, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_slow_group_kill_one_notice, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_dead_scope_kept_then_forgotten, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_scope_created_later, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_scope_removed_before_notice, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_scope_login_held_before_kill, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_scope_reclaimed, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_start_records_unnoticed_group_kill,
						daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_start_skips_noticed_kill,
						daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_cgroupfs_ignores_user_slice, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_metrics_file, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_shown_notice_removed_at_shell, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_shown_notice_kept_without_shell, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_orphaned_session_killed, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_session_with_opener_left_alone, daemon_setup,
						daemon_teardown),
		cmocka_unit_test_setup_teardown(test_watch_orphan_kept_without_kill_on_close, daemon_setup,
						daemon_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
