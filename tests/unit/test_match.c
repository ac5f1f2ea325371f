/* Unit tests for the policy (lib/core/match.c): which rule a session falls under
 * and the limits it gets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_limits.h"
#include "cgh_match.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1024ull * 1024)
#define GIB (1024ull * MIB)
#define BIT(k) (1u << (k))
#define EXAMPLE "config/cgherd.conf"

/* ---- helpers ---------------------------------------------------------- */

static struct cgh_config *load_path(const char *path)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r = cgh_config_load(path, 0, NULL, 8 * GIB, &cfg, &diag);

	for (size_t i = 0; i < diag.n; i++)
		print_message("diag: %s\n", diag.lines[i]);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	cgh_diag_free(&diag);
	return cfg;
}

/* Loads config text through a 0644 temp file (removed again). */
static struct cgh_config *load_text(const char *text)
{
	char path[] = "/tmp/cgh-test-match-XXXXXX";
	int fd = mkstemp(path);
	size_t len = strlen(text);
	struct cgh_config *cfg;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(close(fd), 0);
	cfg = load_path(path);
	unlink(path);
	return cfg;
}

/* An identity by hand: groups is a NULL-terminated list (may be NULL). */
static struct cgh_identity *make_id(const char *user, uid_t uid, const char *const *groups)
{
	struct cgh_identity *id = calloc(1, sizeof(*id));
	size_t n = 0;

	assert_non_null(id);
	id->user = user != NULL ? strdup(user) : NULL;
	id->uid = uid;
	id->gid = 100;
	while (groups != NULL && groups[n] != NULL)
		n++;
	id->groups = calloc(n + 1, sizeof(*id->groups));
	assert_non_null(id->groups);
	for (size_t i = 0; i < n; i++) {
		id->groups[i] = strdup(groups[i]);
		assert_non_null(id->groups[i]);
	}
	id->n_groups = n;
	cgh_identity_sort_groups(id);
	return id;
}

static void free_id(struct cgh_identity *id)
{
	for (size_t i = 0; i < id->n_groups; i++)
		free(id->groups[i]);
	free(id->groups);
	free(id->user);
	free(id);
}

static void set_list(struct cgh_strlist *l, char **v, size_t n)
{
	l->v = v;
	l->n = n;
}

/* ---- cgh_rule_matches -------------------------------------------------- */

static char s_alice[] = "alice", s_bob[] = "bob", s_staff[] = "staff", s_students[] = "students",
	    s_sshd[] = "sshd", s_login[] = "login";

static void test_empty_match_matches_all(void **state)
{
	struct cgh_rule rule = { 0 };
	const char *const g[] = { "users", NULL };
	struct cgh_identity *ids[] = {
		make_id("alice", 1000, g), make_id("root", 0, NULL), make_id(NULL, 4294967294u, NULL),
	};
	const char *services[] = { "sshd", "login", "", NULL };

	(void)state;
	for (size_t i = 0; i < N_ELEMS(ids); i++) {
		for (size_t s = 0; s < N_ELEMS(services); s++)
			assert_true(cgh_rule_matches(&rule, ids[i], services[s]));
		free_id(ids[i]);
	}
}

static void test_user_list(void **state)
{
	char *users[] = { s_alice, s_bob };
	struct cgh_rule rule = { 0 };
	static const struct {
		const char *user;
		bool want;
	} cases[] = {
		{ "alice", true }, { "bob", true }, { "carol", false }, { "Alice", false },
		{ "alic", false }, { "alicex", false }, { "", false }, { NULL, false },
	};

	(void)state;
	set_list(&rule.match.users, users, 2);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct cgh_identity *id = make_id(cases[i].user, 1000, NULL);
		assert_int_equal(cgh_rule_matches(&rule, id, "sshd"), cases[i].want);
		free_id(id);
	}
	/* a single name */
	set_list(&rule.match.users, users + 1, 1);
	struct cgh_identity *a = make_id("alice", 1000, NULL), *b = make_id("bob", 1000, NULL);
	assert_false(cgh_rule_matches(&rule, a, "sshd"));
	assert_true(cgh_rule_matches(&rule, b, "sshd"));
	free_id(a);
	free_id(b);
}

static void test_group_membership(void **state)
{
	char *groups[] = { s_students, s_staff };
	struct cgh_rule rule = { 0 };
	static const struct {
		const char *groups[4];
		bool want;
	} cases[] = {
		{ { "staff", NULL }, true },			/* primary only */
		{ { "users", "staff", NULL }, true },		/* supplementary */
		{ { "users", "wheel", "students", NULL }, true },
		{ { "users", NULL }, false },
		{ { NULL }, false },				/* no groups at all */
		{ { "Staff", "staf", "staffs", NULL }, false },
	};

	(void)state;
	set_list(&rule.match.groups, groups, 2);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct cgh_identity *id = make_id("alice", 1000, cases[i].groups);
		bool got = cgh_rule_matches(&rule, id, "sshd");
		if (got != cases[i].want)
			print_message("group case %zu\n", i);
		assert_int_equal(got, cases[i].want);
		free_id(id);
	}
	/* the user name is no group name */
	struct cgh_identity *id = make_id("staff", 1000, (const char *const[]){ "users", NULL });
	assert_false(cgh_rule_matches(&rule, id, "sshd"));
	free_id(id);
}

/* The names the identity lookup asks NSS about, in rule order. */
static void test_rule_group_names(void **state)
{
	char *g1[] = { s_students, s_staff }, *g2[] = { s_staff };
	struct cgh_rule rules[3] = { { 0 } };
	struct cgh_config cfg = { .rules = rules, .n_rules = 3 };
	const char *out[4] = { NULL };

	(void)state;
	assert_int_equal(cgh_rule_group_names(&cfg, out, 4), 0);
	set_list(&rules[0].match.groups, g1, 2);
	set_list(&rules[2].match.groups, g2, 1);
	assert_int_equal(cgh_rule_group_names(&cfg, out, 4), 3);
	assert_string_equal(out[0], "students");
	assert_string_equal(out[1], "staff");
	assert_string_equal(out[2], "staff");
	out[1] = NULL;
	assert_int_equal(cgh_rule_group_names(&cfg, out, 1), 3);	/* more than fit */
	assert_null(out[1]);
}

static void test_uid_ranges(void **state)
{
	struct cgh_uid_range uids[] = { { 0, 0 }, { 1000, 1999 }, { 4294967294u, 4294967294u } };
	struct cgh_rule rule = { 0 };
	static const struct {
		uid_t uid;
		bool want;
	} cases[] = {
		{ 0, true }, { 1, false }, { 999, false }, { 1000, true }, { 1500, true },
		{ 1999, true }, { 2000, false }, { 4294967293u, false }, { 4294967294u, true },
		{ (uid_t)-1, false },
	};

	(void)state;
	rule.match.uids = uids;
	rule.match.n_uids = N_ELEMS(uids);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct cgh_identity *id = make_id("u", cases[i].uid, NULL);
		bool got = cgh_rule_matches(&rule, id, "login");
		if (got != cases[i].want)
			print_message("uid %u\n", (unsigned)cases[i].uid);
		assert_int_equal(got, cases[i].want);
		free_id(id);
	}
}

static void test_service_list(void **state)
{
	char *services[] = { s_sshd, s_login };
	struct cgh_rule rule = { 0 };
	struct cgh_identity *id = make_id("alice", 1000, NULL);
	static const struct {
		const char *service;
		bool want;
	} cases[] = {
		{ "sshd", true }, { "login", true }, { "su", false }, { "SSHD", false },
		{ "ssh", false }, { "", false }, { NULL, false },
	};

	(void)state;
	set_list(&rule.match.services, services, 2);
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		assert_int_equal(cgh_rule_matches(&rule, id, cases[i].service), cases[i].want);
	free_id(id);
}

/* Every condition given must hold; dropping any one of them fails. */
static void test_all_conditions_must_hold(void **state)
{
	char *users[] = { s_alice };
	char *groups[] = { s_staff };
	char *services[] = { s_sshd };
	struct cgh_uid_range uids[] = { { 1000, 1999 } };
	struct cgh_rule rule = { 0 };
	const char *const in_staff[] = { "users", "staff", NULL };
	const char *const not_staff[] = { "users", NULL };
	static const struct {
		const char *user;
		uid_t uid;
		bool staff;
		const char *service;
		bool want;
	} cases[] = {
		{ "alice", 1000, true, "sshd", true },
		{ "bob", 1000, true, "sshd", false },
		{ "alice", 2000, true, "sshd", false },
		{ "alice", 1000, false, "sshd", false },
		{ "alice", 1000, true, "login", false },
		{ "bob", 2000, false, "login", false },
	};

	(void)state;
	set_list(&rule.match.users, users, 1);
	set_list(&rule.match.groups, groups, 1);
	set_list(&rule.match.services, services, 1);
	rule.match.uids = uids;
	rule.match.n_uids = 1;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct cgh_identity *id = make_id(cases[i].user, cases[i].uid,
						  cases[i].staff ? in_staff : not_staff);
		bool got = cgh_rule_matches(&rule, id, cases[i].service);
		if (got != cases[i].want)
			print_message("all-conditions case %zu\n", i);
		assert_int_equal(got, cases[i].want);
		free_id(id);
	}
}

/* ---- cgh_decide -------------------------------------------------------- */

static const char RULES[] =
	"default_action = \"herd\";\n"
	"session = { memory_max = \"2G\"; pids_max = 1024; };\n"
	"user = { memory_max = \"16G\"; };\n"
	"rules = (\n"
	"  { name = \"bob\"; match = { user = \"bob\"; }; action = \"ignore\"; },\n"
	"  { name = \"staff\"; match = { group = [ \"staff\", \"admins\" ]; };\n"
	"    session = { memory_max = \"500M\"; cpu_max = \"20%\"; };\n"
	"    user = { pids_max = 100; }; },\n"
	"  { name = \"uids\"; match = { uid = ( 0, \"5000-5999\" ); service = [ \"sshd\", \"login\" ]; };\n"
	"    session = { memory_max = \"max\"; oom_group = false; memory_swap_max = 0; }; },\n"
	"  { name = \"dead\"; match = { user = \"bob\"; }; },\n"
	"  { }\n"
	");\n";

struct decide_case {
	const char *user;
	uid_t uid;
	const char *groups[4];
	const char *service;
	const char *rule;	/* NULL: none */
	size_t index;
	enum cgh_action action;
};

static const struct decide_case decide_cases[] = {
	{ "bob", 1000, { "staff", NULL }, "sshd", "bob", 0, CGH_ACTION_IGNORE },
	{ "alice", 1000, { "users", "staff", NULL }, "sshd", "staff", 1, CGH_ACTION_HERD },
	{ "alice", 5000, { "users", "admins", NULL }, "sshd", "staff", 1, CGH_ACTION_HERD },
	{ "carol", 5000, { "users", NULL }, "sshd", "uids", 2, CGH_ACTION_HERD },
	{ "root", 0, { "root", NULL }, "login", "uids", 2, CGH_ACTION_HERD },
	{ "carol", 5000, { "users", NULL }, "su", "rules[4]", 4, CGH_ACTION_HERD },
	{ "dave", 6000, { NULL }, "sshd", "rules[4]", 4, CGH_ACTION_HERD },
};

static void test_first_match_wins(void **state)
{
	struct cgh_config *cfg = load_text(RULES);

	(void)state;
	assert_int_equal(cfg->n_rules, 5);
	for (size_t i = 0; i < N_ELEMS(decide_cases); i++) {
		const struct decide_case *c = &decide_cases[i];
		struct cgh_identity *id = make_id(c->user, c->uid, c->groups);
		struct cgh_decision d;

		memset(&d, 0xa5, sizeof(d));
		cgh_decide(cfg, id, c->service, &d);
		if (d.rule == NULL || strcmp(d.rule->name, c->rule) != 0)
			print_message("decide case %zu: got %s\n", i, d.rule ? d.rule->name : "none");
		assert_non_null(d.rule);
		assert_ptr_equal(d.rule, &cfg->rules[c->index]);
		assert_string_equal(d.rule->name, c->rule);
		assert_int_equal(d.index, c->index);
		assert_int_equal(d.action, c->action);
		free_id(id);
	}
	cgh_config_free(cfg);
}

/* Top-level limits, then the rule's, key by key. */
static void test_merge_key_by_key(void **state)
{
	struct cgh_config *cfg = load_text(RULES);
	struct cgh_limits top_session = cfg->session, top_user = cfg->user;
	struct cgh_identity *id = make_id("alice", 1000, (const char *const[]){ "staff", NULL });
	struct cgh_decision d;

	(void)state;
	cgh_decide(cfg, id, "sshd", &d);
	assert_int_equal(d.index, 1);
	/* session: memory_max from the rule, pids_max and oom_group from the top */
	assert_int_equal(d.session.set, BIT(CGH_MEMORY_MAX) | BIT(CGH_PIDS_MAX) | BIT(CGH_OOM_GROUP) |
					BIT(CGH_CPU_MAX));
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], 500 * MIB);
	assert_int_equal(d.session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(d.session.value[CGH_OOM_GROUP], 1);
	assert_int_equal(d.session.value[CGH_CPU_MAX], 20000);
	assert_int_equal(d.session.cpu_period, 100000);
	/* user: memory_max from the top, pids_max from the rule */
	assert_int_equal(d.user.set, BIT(CGH_MEMORY_MAX) | BIT(CGH_PIDS_MAX));
	assert_int_equal(d.user.value[CGH_MEMORY_MAX], 16 * GIB);
	assert_int_equal(d.user.value[CGH_PIDS_MAX], 100);
	/* the config is not touched */
	assert_memory_equal(&cfg->session, &top_session, sizeof(top_session));
	assert_memory_equal(&cfg->user, &top_user, sizeof(top_user));
	assert_int_equal(cfg->rules[1].session.set, BIT(CGH_MEMORY_MAX) | BIT(CGH_CPU_MAX));
	free_id(id);

	/* "max" and false in a rule override the top-level values */
	id = make_id("carol", 5500, NULL);
	cgh_decide(cfg, id, "login", &d);
	assert_int_equal(d.index, 2);
	assert_int_equal(d.session.set, BIT(CGH_MEMORY_MAX) | BIT(CGH_PIDS_MAX) | BIT(CGH_OOM_GROUP) |
					BIT(CGH_MEMORY_SWAP_MAX));
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], CGH_UNLIMITED);
	assert_int_equal(d.session.value[CGH_OOM_GROUP], 0);
	assert_int_equal(d.session.value[CGH_MEMORY_SWAP_MAX], 0);
	assert_int_equal(d.session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(cgh_limits_controllers(&d.session), CGH_CTRL_MEMORY | CGH_CTRL_PIDS);
	/* no user group in the rule: the top-level one */
	assert_memory_equal(&d.user, &top_user, sizeof(top_user));
	free_id(id);
	cgh_config_free(cfg);
}

static void test_no_match_default_action(void **state)
{
	struct cgh_config *cfg = load_text(
		"default_action = \"ignore\";\n"
		"session = { memory_max = \"1G\"; cpu_max = \"50000 200000\"; };\n"
		"user = { pids_max = 10; };\n"
		"rules = ( { match = { user = \"bob\"; }; action = \"herd\";\n"
		"            session = { memory_max = \"2G\"; }; } );\n");
	struct cgh_identity *id = make_id("alice", 1000, NULL);
	struct cgh_decision d;

	(void)state;
	memset(&d, 0xa5, sizeof(d));
	cgh_decide(cfg, id, "sshd", &d);
	assert_null(d.rule);
	assert_int_equal(d.index, 0);
	assert_int_equal(d.action, CGH_ACTION_IGNORE);
	assert_memory_equal(&d.session, &cfg->session, sizeof(d.session));
	assert_memory_equal(&d.user, &cfg->user, sizeof(d.user));
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], GIB);
	assert_int_equal(d.session.cpu_period, 200000);
	free_id(id);
	cgh_config_free(cfg);

	/* no rules at all, default herd */
	cfg = load_text("");
	id = make_id("alice", 1000, NULL);
	cgh_decide(cfg, id, NULL, &d);
	assert_null(d.rule);
	assert_int_equal(d.action, CGH_ACTION_HERD);
	assert_int_equal(d.session.set, BIT(CGH_OOM_GROUP));
	assert_int_equal(d.session.value[CGH_OOM_GROUP], 1);
	assert_int_equal(d.user.set, 0);
	free_id(id);
	cgh_config_free(cfg);
}

static void test_ignore_action(void **state)
{
	struct cgh_config *cfg = load_text(
		"default_action = \"herd\";\n"
		"rules = ( { name = \"sys\"; match = { uid = \"0-999\"; }; action = \"ignore\"; } );\n");
	struct cgh_decision d;

	(void)state;
	for (uid_t uid = 0; uid < 1002; uid += 333) {
		struct cgh_identity *id = make_id("x", uid, NULL);
		cgh_decide(cfg, id, "cron", &d);
		if (uid <= 999) {
			assert_ptr_equal(d.rule, &cfg->rules[0]);
			assert_int_equal(d.action, CGH_ACTION_IGNORE);
		} else {
			assert_null(d.rule);
			assert_int_equal(d.action, CGH_ACTION_HERD);
		}
		free_id(id);
	}
	cgh_config_free(cfg);
}

/* The shipped example, as cgherd.conf(5) describes it. */
static void test_example_decisions(void **state)
{
	struct cgh_config *cfg = load_path(EXAMPLE);
	struct cgh_decision d;
	struct cgh_identity *id;

	(void)state;
	/* root: system, ignored */
	id = make_id("root", 0, (const char *const[]){ "root", NULL });
	cgh_decide(cfg, id, "sshd", &d);
	assert_non_null(d.rule);
	assert_string_equal(d.rule->name, "system");
	assert_int_equal(d.action, CGH_ACTION_IGNORE);
	free_id(id);

	/* a system account in students: the first rule still wins */
	id = make_id("daemon", 999, (const char *const[]){ "students", NULL });
	cgh_decide(cfg, id, "login", &d);
	assert_string_equal(d.rule->name, "system");
	free_id(id);

	/* a student (supplementary group) */
	id = make_id("sam", 1000, (const char *const[]){ "users", "students", NULL });
	cgh_decide(cfg, id, "login", &d);
	assert_string_equal(d.rule->name, "students");
	assert_int_equal(d.index, 1);
	assert_int_equal(d.action, CGH_ACTION_HERD);
	assert_int_equal(d.session.set, BIT(CGH_MEMORY_MAX) | BIT(CGH_MEMORY_SWAP_MAX) | BIT(CGH_CPU_MAX) |
					BIT(CGH_PIDS_MAX) | BIT(CGH_OOM_GROUP));
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], 500 * MIB);
	assert_int_equal(d.session.value[CGH_MEMORY_SWAP_MAX], 0);
	assert_int_equal(d.session.value[CGH_CPU_MAX], 20000);
	assert_int_equal(d.session.cpu_period, 100000);
	assert_int_equal(d.session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(d.session.value[CGH_OOM_GROUP], 1);
	assert_int_equal(d.user.set, 0);
	free_id(id);

	/* staff over ssh */
	id = make_id("sue", 1001, (const char *const[]){ "staff", NULL });
	cgh_decide(cfg, id, "sshd", &d);
	assert_string_equal(d.rule->name, "staff");
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], 8 * GIB);
	assert_int_equal(d.session.value[CGH_CPU_MAX], 400000);
	assert_int_equal(d.session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(d.user.set, BIT(CGH_MEMORY_MAX));
	assert_int_equal(d.user.value[CGH_MEMORY_MAX], 16 * GIB);

	/* staff on the console: no rule, the defaults */
	cgh_decide(cfg, id, "login", &d);
	assert_null(d.rule);
	assert_int_equal(d.action, CGH_ACTION_HERD);
	assert_memory_equal(&d.session, &cfg->session, sizeof(d.session));
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], 2 * GIB);
	free_id(id);

	/* everyone else */
	id = make_id("eve", 4242, (const char *const[]){ "users", NULL });
	cgh_decide(cfg, id, "sshd", &d);
	assert_null(d.rule);
	assert_int_equal(d.action, CGH_ACTION_HERD);
	assert_int_equal(d.session.value[CGH_MEMORY_MAX], 2 * GIB);
	assert_int_equal(d.session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(d.session.value[CGH_OOM_GROUP], 1);
	free_id(id);
	cgh_config_free(cfg);
}

/* A rule's cpu_max brings its own period; without one the top-level period stays. */
static void test_merge_cpu_period(void **state)
{
	struct cgh_config *cfg = load_text(
		"session = { cpu_max = \"50000 200000\"; };\n"
		"rules = ( { match = { user = \"a\"; }; session = { cpu_max = \"max 1000\"; }; },\n"
		"          { match = { user = \"b\"; }; session = { cpu_weight = 50; }; } );\n");
	struct cgh_identity *a = make_id("a", 1000, NULL), *b = make_id("b", 1000, NULL);
	struct cgh_decision d;
	char buf[64];

	(void)state;
	cgh_decide(cfg, a, "sshd", &d);
	assert_int_equal(d.session.value[CGH_CPU_MAX], CGH_UNLIMITED);
	assert_int_equal(d.session.cpu_period, 1000);
	cgh_limit_file_value(&d.session, CGH_CPU_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "max 1000");
	cgh_decide(cfg, b, "sshd", &d);
	assert_int_equal(d.session.value[CGH_CPU_MAX], 50000);
	assert_int_equal(d.session.cpu_period, 200000);
	assert_int_equal(d.session.value[CGH_CPU_WEIGHT], 50);
	cgh_limit_file_value(&d.session, CGH_CPU_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "50000 200000");
	free_id(a);
	free_id(b);
	cgh_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_match_matches_all),
		cmocka_unit_test(test_user_list),
		cmocka_unit_test(test_group_membership),
		cmocka_unit_test(test_uid_ranges),
		cmocka_unit_test(test_service_list),
		cmocka_unit_test(test_all_conditions_must_hold),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_merge_key_by_key),
		cmocka_unit_test(test_no_match_default_action),
		cmocka_unit_test(test_ignore_action),
		cmocka_unit_test(test_example_decisions),
		cmocka_unit_test(test_merge_cpu_period),
		cmocka_unit_test(test_rule_group_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
