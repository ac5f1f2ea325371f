/* explain and status output, from a config and an emulated cgroup tree. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgh_report.h"
#include "fakefs.h"
#include "testutil.h"

static const char conf_text[] =
	"session = { pids_max = 512; };\n"
	"rules = (\n"
	"  { name = \"system\"; match = { uid = \"0-999\"; }; action = \"ignore\"; },\n"
	"  { name = \"students\"; match = { group = \"students\"; service = \"sshd\"; };\n"
	"    session = { memory_max = \"500M\"; cpu_max = \"20%\"; };\n"
	"    user = { memory_max = \"1G\"; }; }\n"
	");\n";

static const char *const student_groups[] = { "alice", "students", NULL };

static char *explain(const char *service, unsigned uid)
{
	struct cgh_config *cfg = config_from_text(conf_text, "/sys/fs/cgroup");
	struct cgh_identity *id = make_identity("alice", uid, student_groups);
	struct cgh_decision d;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	cgh_decide(cfg, id, service, &d);
	cgh_report_explain(out, cfg, id, service, &d);
	fclose(out);
	cgh_identity_free(id);
	cgh_config_free(cfg);
	return text;
}

static void test_explain_rule(void **state)
{
	(void)state;
	char *text = explain("sshd", 1000);

	assert_non_null(strstr(text, "user:    alice (uid 1000)\n"));
	assert_non_null(strstr(text, "groups:  alice students\n"));
	assert_non_null(strstr(text, "rule:    students (rules[1], line 5)\n"));
	assert_non_null(strstr(text, "action:  herd\n"));
	assert_non_null(strstr(text, "leaf:    /sys/fs/cgroup/cgherd/user-1000/session-<pid>\n"));
	assert_non_null(strstr(text, "  memory.max        = 524288000 (500M)\n"));
	assert_non_null(strstr(text, "  cpu.max           = 20000 100000 (20%)\n"));
	assert_non_null(strstr(text, "  pids.max          = 512 (512)\n"));
	assert_non_null(strstr(text, "  memory.oom.group  = 1 (true)\n"));
	assert_non_null(strstr(text, "user limits (written to /sys/fs/cgroup/cgherd/user-1000):\n"
				     "  memory.max        = 1073741824 (1G)\n"));
	free(text);
}

static void test_explain_default(void **state)
{
	(void)state;
	char *text = explain("login", 1000);

	assert_non_null(strstr(text, "rule:    no rule: default_action\n"));
	assert_non_null(strstr(text, "  pids.max          = 512 (512)\n"));
	assert_null(strstr(text, "memory.max  "));
	assert_non_null(strstr(text, "):\n  (nothing written)\n"));
	free(text);
}

static void test_explain_ignore(void **state)
{
	(void)state;
	char *text = explain("sshd", 5);

	assert_non_null(strstr(text, "rule:    system (rules[0], line 4)\naction:  ignore\n"));
	assert_null(strstr(text, "leaf:"));
	free(text);
}

struct tree {
	char root[64];
	struct cgh_fs fs;
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	struct cgh_error err = { 0 };
	const struct cgh_sys *sys = cgh_test_sys();

	fake_reset();
	assert_int_equal(fake_make_root(t->root, sizeof(t->root), NULL), 0);
	assert_int_equal(cgh_fs_open(&t->fs, t->root, sys, &err), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "cgherd"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "cgherd/user-0"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "cgherd/user-0/session-77"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "cgherd/user-0/session-78"), 0);
	fake_put(t->root, "cgherd/user-0/session-77/cgroup.events", "populated 1\n");
	fake_put(t->root, "cgherd/user-0/session-77/cgroup.procs", "77\n79\n");
	fake_put(t->root, "cgherd/user-0/session-77/memory.current", "1048576\n");
	fake_put(t->root, "cgherd/user-0/session-77/memory.peak", "2097152\n");
	fake_put(t->root, "cgherd/user-0/session-77/memory.max", "524288000\n");
	fake_put(t->root, "cgherd/user-0/session-77/cpu.max", "20000 100000\n");
	fake_put(t->root, "cgherd/user-0/session-77/cpu.stat", "usage_usec 2500000\n");
	fake_put(t->root, "cgherd/user-0/session-77/pids.current", "2\n");
	fake_put(t->root, "cgherd/user-0/session-77/pids.max", "64\n");
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

static char *status_of(struct tree *t, bool systemd, bool json, int *count)
{
	struct cgh_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	*count = cgh_report_status(out, &t->fs, "cgherd", systemd, json, time(NULL), NULL, &err);
	fclose(out);
	return text;
}

static char *status(struct tree *t, bool json, int *count)
{
	return status_of(t, false, json, count);
}

static void test_status_lines(void **state)
{
	int n;
	char *text = status(*state, false, &n);

	assert_int_equal(n, 1);	/* session-78 is dead: not listed */
	assert_non_null(strstr(text, "USER "));
	assert_non_null(strstr(text, "root         cgherd/user-0/session-77"));
	assert_non_null(strstr(text, "     2  1M/2M/500M  2.5s/20%  2/64  0  "));
	assert_null(strstr(text, "session-78"));
	free(text);
}

static void test_status_json(void **state)
{
	int n;
	char *text = status(*state, true, &n);

	assert_int_equal(n, 1);
	assert_non_null(strstr(text, "[\n  {\"user\": \"root\", \"uid\": 0, \"leaf\": \""));
	assert_non_null(strstr(text, "/cgherd/user-0/session-77\", \"procs\": 2, \"memory_current\": 1048576, "
				     "\"memory_peak\": 2097152, \"memory_max\": 524288000, "
				     "\"cpu_usage_usec\": 2500000, \"cpu_max_quota\": 20000, "
				     "\"cpu_max_period\": 100000, \"pids_current\": 2, \"pids_max\": 64, "
				     "\"oom_kill\": 0, \"oom_group_kill\": 0, \"age_seconds\": "));
	assert_non_null(strstr(text, "}\n]\n"));
	free(text);
}

static void test_status_empty_tree(void **state)
{
	struct tree *t = *state;
	int n;
	char *text;

	fake_put(t->root, "cgherd/user-0/session-77/cgroup.events", "populated 0\n");
	text = status(t, true, &n);
	assert_int_equal(n, 0);
	assert_string_equal(text, "[]\n");
	free(text);
}

/* With the systemd backend, logind's session scopes are the sessions too. */
static void test_status_logind_scopes(void **state)
{
	struct tree *t = *state;
	const struct cgh_sys *sys = cgh_test_sys();
	int n;
	char *text;

	assert_int_equal(sys->mkdirat(t->fs.rootfd, "user.slice"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "user.slice/user-0.slice"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "user.slice/user-0.slice/session-3.scope"), 0);
	assert_int_equal(sys->mkdirat(t->fs.rootfd, "user.slice/user-0.slice/user@0.service"), 0);
	fake_put(t->root, "user.slice/user-0.slice/session-3.scope/cgroup.events", "populated 1\n");
	fake_put(t->root, "user.slice/user-0.slice/user@0.service/cgroup.events", "populated 1\n");
	text = status_of(t, true, false, &n);
	assert_int_equal(n, 2);
	assert_non_null(strstr(text, "root         user.slice/user-0.slice/session-3.scope "));
	assert_null(strstr(text, "user@0.service"));
	free(text);
	text = status_of(t, false, false, &n);
	assert_int_equal(n, 1);
	assert_null(strstr(text, "session-3.scope"));
	free(text);
}

static void test_explain_backend(void **state)
{
	(void)state;
	char *text = explain("sshd", 1000);

	assert_non_null(strstr(text, "backend: auto (the logind scope through systemd if the login is in one"));
	assert_non_null(strstr(text, "scope:   /sys/fs/cgroup/user.slice/user-1000.slice/session-<id>.scope (systemd)\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explain_rule),
		cmocka_unit_test(test_explain_default),
		cmocka_unit_test(test_explain_ignore),
		cmocka_unit_test_setup_teardown(test_status_lines, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_status_json, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_status_empty_tree, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_status_logind_scopes, tree_setup, tree_teardown),
		cmocka_unit_test(test_explain_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
