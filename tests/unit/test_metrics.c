/* The metrics renderer and its parts: label escaping, PSI totals, the
 * samples of an emulated tree (live sessions only), both formats, the
 * counters kept per rule and their reading back, the atomic file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_metrics.h"
#include "cgh_penalty.h"
#include "fakefs.h"
#include "testutil.h"

static void test_escape(void **state)
{
	char buf[64];

	(void)state;
	cgh_metrics_escape("plain", buf, sizeof(buf));
	assert_string_equal(buf, "plain");
	cgh_metrics_escape("a\"b\\c\nd", buf, sizeof(buf));
	assert_string_equal(buf, "a\\\"b\\\\c\\nd");
	cgh_metrics_escape("\"\"\"\"\"", buf, 6);	/* cut between pairs, never inside one */
	assert_string_equal(buf, "\\\"\\\"");
}

static void test_psi_totals(void **state)
{
	uint64_t some = 0, full = 0;

	(void)state;
	cgh_psi_totals("some avg10=0.00 avg60=0.00 avg300=0.00 total=123456\n"
		       "full avg10=1.00 avg60=0.00 avg300=0.00 total=654\n", &some, &full);
	assert_int_equal(some, 123456);
	assert_int_equal(full, 654);
	cgh_psi_totals("some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n", &some, &full);	/* cpu before 5.13 */
	assert_int_equal(some, 9);
	assert_int_equal(full, CGH_UNKNOWN);
	cgh_psi_totals("", &some, &full);
	assert_int_equal(some, CGH_UNKNOWN);
	cgh_psi_totals("some total=x\n", &some, &full);
	assert_int_equal(some, CGH_UNKNOWN);
}

/* ---- an emulated tree ------------------------------------------------------ */

struct tree {
	char root[64];
	struct cgh_fs fs;
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	struct cgh_error err = { 0 };

	assert_non_null(t);
	fake_reset();
	assert_int_equal(fake_make_root(t->root, sizeof(t->root), "cpu memory pids\n"), 0);
	assert_int_equal(cgh_fs_open(&t->fs, t->root, cgh_test_sys(), &err), 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	cgh_fs_close(&t->fs);
	fake_remove_root(t->root);
	free(t);
	return 0;
}

static void make(struct tree *t, const char *rel, bool live)
{
	char part[160];

	for (const char *p = strchr(rel, '/'); p != NULL; p = strchr(p + 1, '/')) {
		snprintf(part, sizeof(part), "%.*s", (int)(p - rel), rel);
		t->fs.sys->mkdirat(t->fs.rootfd, part);
	}
	assert_int_equal(t->fs.sys->mkdirat(t->fs.rootfd, rel), 0);
	if (live) {
		char file[200];
		snprintf(file, sizeof(file), "%s/cgroup.events", rel);
		assert_int_equal(fake_put(t->root, file, "populated 1\nfrozen 0\n"), 0);
	}
}

static void put(struct tree *t, const char *dir, const char *file, const char *text)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	assert_int_equal(fake_put(t->root, rel, text), 0);
}

#define LEAF "cgherd/user-1001/session-77"
#define DEAD "cgherd/user-1001/session-78"
#define SCOPE "user.slice/user-1002.slice/session-4.scope"

static char *render(struct tree *t, enum cgh_backend backend, const struct cgh_kept *kept,
		    enum cgh_metrics_format format, int *sessions)
{
	char base[] = "cgherd";
	struct cgh_config cfg = { .base = base, .backend = backend };
	struct cgh_tree trees[CGH_TREES_MAX];
	struct cgh_samples s = { 0 };
	struct cgh_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	*sessions = cgh_samples_collect(&t->fs, trees, cgh_trees_of(&cfg, trees), &s, &err);
	cgh_metrics_render(out, &s, kept, format);
	fclose(out);
	cgh_samples_free(&s);
	return text;
}

static void make_sessions(struct tree *t)
{
	make(t, LEAF, true);
	make(t, DEAD, false);
	put(t, LEAF, ".xattr-" CGH_RULE_XATTR, "stu\"dents");
	put(t, LEAF, "memory.current", "104857600\n");
	put(t, LEAF, "memory.max", "524288000\n");
	put(t, LEAF, "memory.stat", "anon 80000000\nfile 20000000\n");
	put(t, LEAF, "cpu.stat", "usage_usec 1500000\nnr_throttled 3\nthrottled_usec 250000\n");
	put(t, LEAF, "cpu.max", "20000 100000\n");
	put(t, LEAF, "pids.current", "7\n");
	put(t, LEAF, "memory.events", "low 0\nhigh 2\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
	put(t, LEAF, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\n"
					 "full avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n");
	make(t, SCOPE, true);
}

#define LABELS "{user=\"1001\",uid=\"1001\",rule=\"stu\\\"dents\",session=\"session-77\",backend=\"cgroupfs\""

static void test_render_sessions(void **state)
{
	struct tree *t = *state;
	int n = 0;
	char *text;

	make_sessions(t);
	text = render(t, CGH_BACKEND_AUTO, NULL, CGH_METRICS_PROMETHEUS, &n);
	assert_int_equal(n, 2);
	assert_non_null(strstr(text, "# HELP cgherd_session_memory_bytes "));
	assert_non_null(strstr(text, "# TYPE cgherd_session_memory_bytes gauge\n"));
	assert_non_null(strstr(text, "cgherd_session_memory_bytes" LABELS "} 104857600\n"));
	assert_non_null(strstr(text, "cgherd_session_memory_max_bytes" LABELS "} 524288000\n"));
	assert_non_null(strstr(text, "cgherd_session_memory_anon_bytes" LABELS "} 80000000\n"));
	assert_non_null(strstr(text, "# TYPE cgherd_session_cpu_usage_seconds_total counter\n"));
	assert_non_null(strstr(text, "cgherd_session_cpu_usage_seconds_total" LABELS "} 1.500000\n"));
	assert_non_null(strstr(text, "cgherd_session_cpu_throttled_seconds_total" LABELS "} 0.250000\n"));
	assert_non_null(strstr(text, "cgherd_session_cpu_quota_cpus" LABELS "} 0.200000\n"));
	assert_non_null(strstr(text, "cgherd_session_pids" LABELS "} 7\n"));
	assert_non_null(strstr(text, "cgherd_session_memory_events_total" LABELS ",event=\"oom_kill\"} 1\n"));
	assert_non_null(strstr(text, "cgherd_session_pressure_some_seconds_total" LABELS ",resource=\"memory\"} 2.500000\n"));
	assert_non_null(strstr(text, "cgherd_session_pressure_full_seconds_total" LABELS ",resource=\"memory\"} 0.001000\n"));
	/* "max" has no series, a dead leaf none at all */
	assert_null(strstr(text, "cgherd_session_memory_high_bytes{"));
	assert_null(strstr(text, "session-78"));
	/* the scope, the users */
	assert_non_null(strstr(text, "rule=\"\",session=\"session-4.scope\",backend=\"systemd\"}"));
	assert_non_null(strstr(text, "cgherd_user_memory_bytes{user=\"1001\",uid=\"1001\",backend=\"cgroupfs\"} "));
	assert_non_null(strstr(text, "cgherd_user_memory_bytes{user=\"1002\",uid=\"1002\",backend=\"systemd\"} "));
	assert_non_null(strstr(text, "cgherd_sessions{backend=\"cgroupfs\"} 1\ncgherd_sessions{backend=\"systemd\"} 1\n"));
	assert_null(strstr(text, "# EOF"));
	assert_null(strstr(text, "cgherd_rule_"));
	free(text);

	text = render(t, CGH_BACKEND_CGROUPFS, NULL, CGH_METRICS_PROMETHEUS, &n);
	assert_int_equal(n, 1);
	assert_null(strstr(text, "session-4.scope"));
	free(text);
}

static void test_render_openmetrics(void **state)
{
	struct tree *t = *state;
	struct cgh_kept kept = { 0 };
	size_t len;
	int n = 0;
	char *text;

	make_sessions(t);
	assert_int_equal(cgh_kept_add(&kept, "students", CGH_KEPT_GROUP_KILLS, 2), 0);
	text = render(t, CGH_BACKEND_AUTO, &kept, CGH_METRICS_OPENMETRICS, &n);
	len = strlen(text);
	assert_true(len > 6 && strcmp(text + len - 6, "# EOF\n") == 0);
	assert_non_null(strstr(text, "# TYPE cgherd_session_cpu_usage_seconds counter\n"
				     "# UNIT cgherd_session_cpu_usage_seconds seconds\n"));
	assert_non_null(strstr(text, "cgherd_session_cpu_usage_seconds_total" LABELS "} 1.500000\n"));
	assert_non_null(strstr(text, "# UNIT cgherd_session_memory_bytes bytes\n"));
	assert_non_null(strstr(text, "# TYPE cgherd_rule_oom_group_kills counter\n"));
	assert_non_null(strstr(text, "cgherd_rule_oom_group_kills_total{rule=\"students\"} 2\n"));
	assert_null(strstr(text, "# TYPE cgherd_session_cpu_usage_seconds_total"));
	free(text);
	cgh_kept_free(&kept);
}

/* A series per running penalty, none for one that ended; both formats. */
static void test_render_penalties(void **state)
{
	(void)state;
	struct cgh_penalty_record recs[2] = {
		{ .uid = 4000000001u, .name = "hog", .tier = 1, .active = true, .until = 1796137260 },
		{ .uid = 4000000001u, .name = "old", .tier = 0, .active = false, .until = 1796130000 },
	};
	struct cgh_samples s = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(cgh_samples_add_penalties(&s, recs, 2), 0);
	assert_int_equal(s.n_pen, 1);
	for (int f = 0; f < 2; f++) {
		out = open_memstream(&text, &len);
		assert_non_null(out);
		cgh_metrics_render(out, &s, NULL, f ? CGH_METRICS_OPENMETRICS : CGH_METRICS_PROMETHEUS);
		fclose(out);
		assert_non_null(strstr(text, "# TYPE cgherd_user_penalty_tier gauge\n"
					     "cgherd_user_penalty_tier{user=\"4000000001\",uid=\"4000000001\",penalty=\"hog\"} 2\n"));
		assert_non_null(strstr(text, "cgherd_user_penalty_until_timestamp_seconds{user=\"4000000001\",uid=\"4000000001\",penalty=\"hog\"} 1796137260\n"));
		assert_null(strstr(text, "penalty=\"old\""));
		assert_true((strstr(text, "# UNIT cgherd_user_penalty_until_timestamp_seconds seconds\n") != NULL) == (f == 1));
		free(text);
		text = NULL;
	}
	cgh_samples_free(&s);
}

/* What watch wrote is what a restarted watch takes back, escapes and all. */
static void test_kept_round_trip(void **state)
{
	struct tree *t = *state;
	struct cgh_kept kept = { 0 }, back = { 0 };
	int n = 0;
	char *text;

	assert_int_equal(cgh_kept_add(&kept, "stu\"d\\ents", CGH_KEPT_OOM_KILLS, 5), 0);
	assert_int_equal(cgh_kept_add(&kept, "stu\"d\\ents", CGH_KEPT_GROUP_KILLS, 1), 0);
	assert_int_equal(cgh_kept_add(&kept, "", CGH_KEPT_RECLAIMS, 3), 0);
	assert_int_equal(cgh_kept_add(&kept, "", CGH_KEPT_PRESSURE_KILLS, 4), 0);
	assert_int_equal(cgh_kept_add(&kept, "stu\"d\\ents", CGH_KEPT_OOM_KILLS, 2), 0);
	text = render(t, CGH_BACKEND_CGROUPFS, &kept, CGH_METRICS_PROMETHEUS, &n);
	assert_int_equal(cgh_kept_load(&back, text), 8);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].rule, "stu\"d\\ents");
	assert_int_equal(back.v[0].n[CGH_KEPT_OOM_KILLS], 7);
	assert_int_equal(back.v[0].n[CGH_KEPT_GROUP_KILLS], 1);
	assert_int_equal(back.v[1].n[CGH_KEPT_RECLAIMS], 3);
	assert_int_equal(back.v[1].n[CGH_KEPT_PRESSURE_KILLS], 4);
	assert_int_equal(cgh_kept_load(&back, "cgherd_rule_oom_kills_total{rule=\"x} 1\n"
					      "cgherd_rule_oom_kills_total{rule=\"x\"} -1\n"
					      "cgherd_rule_oom_kills_totalx{rule=\"x\"} 1\n"
					      "# cgherd_rule_oom_kills_total{rule=\"x\"} 1\n"), 0);
	free(text);
	cgh_kept_free(&kept);
	cgh_kept_free(&back);
}

/* The file is replaced whole, mode 0644, and nothing else is left in its
 * directory; a directory that is not there is an error naming it. */
static void test_write_file(void **state)
{
	struct tree *t = *state;
	struct cgh_samples s = { 0 };
	struct cgh_error err = { 0 };
	char dir[128], path[160], text[256];
	struct stat st;
	struct dirent *de;
	DIR *d;
	int entries = 0;

	snprintf(dir, sizeof(dir), "%s/textfile", t->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/cgherd.prom", dir);
	assert_int_equal(fake_put(dir, "cgherd.prom", "old\n"), 0);
	assert_int_equal(cgh_metrics_write_file(path, &s, NULL, &err), 0);
	assert_int_equal(fake_get(dir, "cgherd.prom", text, sizeof(text)), 0);	/* its first line */
	assert_string_equal(text, "# HELP cgherd_sessions Live sessions, by backend.");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		entries += de->d_name[0] != '.' || strncmp(de->d_name, ".cgherd", 7) == 0;
	closedir(d);
	assert_int_equal(entries, 1);
	snprintf(path, sizeof(path), "%s/missing/cgherd.prom", t->root);
	assert_int_equal(cgh_metrics_write_file(path, &s, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "missing/cgherd.prom"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_psi_totals),
		cmocka_unit_test_setup_teardown(test_render_sessions, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_render_openmetrics, tree_setup, tree_teardown),
		cmocka_unit_test(test_render_penalties),
		cmocka_unit_test_setup_teardown(test_kept_round_trip, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_write_file, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
