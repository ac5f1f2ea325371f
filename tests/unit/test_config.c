/* Unit tests for the cgherd.conf loader (lib/core/config*.c): every key, every
 * error with its exact message and line, the file safety checks, and the
 * module arguments. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include "cgh_limits.h"
#include "cgh_value.h"
#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)
#define PHYS (8 * GIB)
#define EXAMPLE "config/cgherd.conf"

static char tmpdir[64];
static unsigned file_seq;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cgh-test-config-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh path in the temp dir (static storage, one per call). */
static const char *new_path(void)
{
	static char paths[64][128];
	char *p = paths[file_seq % 64];

	snprintf(p, sizeof(paths[0]), "%s/cgherd-%u.conf", tmpdir, file_seq++);
	return p;
}

/* Writes len bytes of text to a fresh file with mode 0644; returns its path. */
static const char *write_conf_len(const char *text, size_t len)
{
	const char *path = new_path();
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static const char *write_conf(const char *text)
{
	return write_conf_len(text, strlen(text));
}

static void expect_line(const struct cgh_diag *diag, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void expect_line(const struct cgh_diag *diag, size_t i, const char *fmt, ...)
{
	char want[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_true(i < diag->n);
	assert_string_equal(diag->lines[i], want);
}

static void dump_diag(const struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		print_message("diag[%zu]: %s\n", i, diag->lines[i]);
}

/* Loads text with no arguments; fails the test unless it loads cleanly. */
static struct cgh_config *load_ok(const char *text, uint64_t phys)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(text);
	int r = cgh_config_load(path, 0, NULL, phys, &cfg, &diag);

	if (r != 0)
		dump_diag(&diag);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	assert_int_equal(diag.n, 0);
	assert_string_equal(cfg->path, path);
	cgh_diag_free(&diag);
	return cfg;
}

/* Loads text that must be refused with exactly one error, "PATH:" suffix. */
static void load_one_error(const char *text, const char *suffix)
{
	struct cgh_config *cfg = (struct cgh_config *)(uintptr_t)1;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(text);
	int r = cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag);

	if (r != -EINVAL || diag.n != 1 || strncmp(diag.lines[0], path, strlen(path)) != 0 ||
	    strcmp(diag.lines[0] + strlen(path) + 1, suffix) != 0) {
		print_message("config: %s\n", text);
		dump_diag(&diag);
	}
	assert_int_equal(r, -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	assert_int_equal(diag.dropped, 0);
	expect_line(&diag, 0, "%s:%s", path, suffix);
	cgh_diag_free(&diag);
	assert_null(diag.lines);
	assert_int_equal(diag.n, 0);
}

static void assert_limits(const struct cgh_limits *l, unsigned set)
{
	assert_int_equal(l->set, set);
}

#define BIT(k) (1u << (k))

/* ---- the shipped example ---------------------------------------------- */

static void test_example_file(void **state)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const struct cgh_rule *r;

	(void)state;
	assert_int_equal(cgh_config_load(EXAMPLE, 0, NULL, PHYS, &cfg, &diag), 0);
	dump_diag(&diag);
	assert_int_equal(diag.n, 0);
	assert_non_null(cfg);

	assert_string_equal(cfg->path, EXAMPLE);
	assert_string_equal(cfg->cgroup_root, "/sys/fs/cgroup");
	assert_string_equal(cfg->base, "cgherd");
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_DENY);
	assert_true(cfg->kill_on_close);
	assert_int_equal(cfg->default_action, CGH_ACTION_HERD);
	assert_false(cfg->debug);

	assert_limits(&cfg->session, BIT(CGH_MEMORY_MAX) | BIT(CGH_PIDS_MAX) | BIT(CGH_OOM_GROUP));
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 2 * GIB);
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(cfg->session.value[CGH_OOM_GROUP], 1);
	assert_limits(&cfg->user, 0);

	assert_int_equal(cfg->n_rules, 3);

	r = &cfg->rules[0];
	assert_string_equal(r->name, "system");
	assert_int_equal(r->line, 53);
	assert_int_equal(r->action, CGH_ACTION_IGNORE);
	assert_int_equal(r->match.users.n, 0);
	assert_int_equal(r->match.groups.n, 0);
	assert_int_equal(r->match.services.n, 0);
	assert_int_equal(r->match.n_uids, 1);
	assert_int_equal(r->match.uids[0].lo, 0);
	assert_int_equal(r->match.uids[0].hi, 999);
	assert_limits(&r->session, 0);
	assert_limits(&r->user, 0);

	r = &cfg->rules[1];
	assert_string_equal(r->name, "students");
	assert_int_equal(r->line, 61);
	assert_int_equal(r->action, CGH_ACTION_HERD);
	assert_int_equal(r->match.users.n, 0);
	assert_int_equal(r->match.groups.n, 1);
	assert_string_equal(r->match.groups.v[0], "students");
	assert_int_equal(r->match.services.n, 0);
	assert_int_equal(r->match.n_uids, 0);
	assert_limits(&r->session, BIT(CGH_MEMORY_MAX) | BIT(CGH_MEMORY_SWAP_MAX) | BIT(CGH_CPU_MAX));
	assert_int_equal(r->session.value[CGH_MEMORY_MAX], 500 * MIB);
	assert_int_equal(r->session.value[CGH_MEMORY_SWAP_MAX], 0);
	assert_int_equal(r->session.value[CGH_CPU_MAX], 20000);
	assert_int_equal(r->session.cpu_period, 100000);
	assert_limits(&r->user, 0);

	r = &cfg->rules[2];
	assert_string_equal(r->name, "staff");
	assert_int_equal(r->line, 73);
	assert_int_equal(r->action, CGH_ACTION_HERD);
	assert_int_equal(r->match.users.n, 0);
	assert_int_equal(r->match.groups.n, 1);
	assert_string_equal(r->match.groups.v[0], "staff");
	assert_int_equal(r->match.services.n, 1);
	assert_string_equal(r->match.services.v[0], "sshd");
	assert_int_equal(r->match.n_uids, 0);
	assert_limits(&r->session, BIT(CGH_MEMORY_MAX) | BIT(CGH_CPU_MAX));
	assert_int_equal(r->session.value[CGH_MEMORY_MAX], 8 * GIB);
	assert_int_equal(r->session.value[CGH_CPU_MAX], 400000);
	assert_int_equal(r->session.cpu_period, 100000);
	assert_limits(&r->user, BIT(CGH_MEMORY_MAX));
	assert_int_equal(r->user.value[CGH_MEMORY_MAX], 16 * GIB);

	cgh_config_free(cfg);
	cgh_diag_free(&diag);
}

/* ---- defaults and every key ------------------------------------------- */

static void assert_defaults(const struct cgh_config *cfg)
{
	assert_string_equal(cfg->cgroup_root, "/sys/fs/cgroup");
	assert_string_equal(cfg->base, "cgherd");
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_DENY);
	assert_true(cfg->kill_on_close);
	assert_int_equal(cfg->default_action, CGH_ACTION_HERD);
	assert_false(cfg->debug);
	assert_limits(&cfg->session, BIT(CGH_OOM_GROUP));
	assert_int_equal(cfg->session.value[CGH_OOM_GROUP], 1);
	assert_limits(&cfg->user, 0);
	assert_int_equal(cfg->n_rules, 0);
	assert_null(cfg->rules);
	assert_true(cfg->notices.at_login);
	assert_true(cfg->notices.tty);
	assert_string_equal(cfg->notices.help, "");
}

static void test_notices(void **state)
{
	char text[600];
	struct cgh_config *cfg = load_ok("notices = { at_login = false; tty = false;\n"
					 "  help = \"Limits: https://example.org/limits\"; };\n", PHYS);

	(void)state;
	assert_false(cfg->notices.at_login);
	assert_false(cfg->notices.tty);
	assert_string_equal(cfg->notices.help, "Limits: https://example.org/limits");
	cgh_config_free(cfg);
	snprintf(text, sizeof(text), "notices = { help = \"%0*d\"; };\n", (int)CGH_NOTICE_HELP_MAX, 0);
	{
		struct cgh_diag diag = { 0 };
		assert_int_equal(cgh_config_from_text("t.conf", text, PHYS, &cfg, &diag), -EINVAL);
		assert_int_equal(diag.n, 1);
		assert_non_null(strstr(diag.lines[0], "t.conf:1: notices.help: longer than 255 characters"));
		cgh_diag_free(&diag);
	}
}

static void test_defaults(void **state)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"# only a comment\n",
		"// a C++ comment\n/* a C\n comment */\n",
		"session = { };\nuser = { };\nrules = ( );\n",
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(texts); i++) {
		struct cgh_config *cfg = load_ok(texts[i], PHYS);
		assert_defaults(cfg);
		cgh_config_free(cfg);
	}
}

static void test_every_top_level_key(void **state)
{
	struct cgh_config *cfg = load_ok(
		"cgroup_root = \"/mnt/cg2\";\n"
		"base = \"herd-2\";\n"
		"on_error = \"allow\";\n"
		"kill_on_close = false;\n"
		"default_action = \"ignore\";\n"
		"session = {\n"
		"  memory_max = 524288000;\n"
		"  memory_high = \"1g\";\n"
		"  memory_swap_max = \"max\";\n"
		"  cpu_max = \"50000 200000\";\n"
		"  cpu_weight = 200;\n"
		"  pids_max = \"max\";\n"
		"  oom_group = false;\n"
		"};\n"
		"user = {\n"
		"  memory_max = \"50%\";\n"
		"  memory_high = \"1%\";\n"
		"  pids_max = 1L;\n"
		"  cpu_max = \"max\";\n"
		"  cpu_weight = 10000L;\n"
		"  oom_group = true;\n"
		"  memory_swap_max = 0;\n"
		"};\n", 1000);

	(void)state;
	assert_string_equal(cfg->cgroup_root, "/mnt/cg2");
	assert_string_equal(cfg->base, "herd-2");
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_ALLOW);
	assert_false(cfg->kill_on_close);
	assert_int_equal(cfg->default_action, CGH_ACTION_IGNORE);
	assert_limits(&cfg->session, (1u << CGH_N_LIMITS) - 1);
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 524288000);
	assert_int_equal(cfg->session.value[CGH_MEMORY_HIGH], GIB);
	assert_int_equal(cfg->session.value[CGH_MEMORY_SWAP_MAX], CGH_UNLIMITED);
	assert_int_equal(cfg->session.value[CGH_CPU_MAX], 50000);
	assert_int_equal(cfg->session.cpu_period, 200000);
	assert_int_equal(cfg->session.value[CGH_CPU_WEIGHT], 200);
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], CGH_UNLIMITED);
	assert_int_equal(cfg->session.value[CGH_OOM_GROUP], 0);
	assert_limits(&cfg->user, (1u << CGH_N_LIMITS) - 1);
	assert_int_equal(cfg->user.value[CGH_MEMORY_MAX], 500);
	assert_int_equal(cfg->user.value[CGH_MEMORY_HIGH], 10);
	assert_int_equal(cfg->user.value[CGH_PIDS_MAX], 1);
	assert_int_equal(cfg->user.value[CGH_CPU_MAX], CGH_UNLIMITED);
	assert_int_equal(cfg->user.cpu_period, 100000);
	assert_int_equal(cfg->user.value[CGH_CPU_WEIGHT], 10000);
	assert_int_equal(cfg->user.value[CGH_OOM_GROUP], 1);
	assert_int_equal(cfg->user.value[CGH_MEMORY_SWAP_MAX], 0);
	cgh_config_free(cfg);
}

/* phys_mem 0: "N%" is of this machine's memory. */
static void test_percent_of_machine_memory(void **state)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t mem = (uint64_t)pages * (uint64_t)page;
	struct cgh_config *cfg = load_ok("session = { memory_max = \"100%\"; memory_high = \"50%\"; };\n", 0);

	(void)state;
	assert_true(pages > 0 && page > 0);
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], mem);
	assert_int_equal(cfg->session.value[CGH_MEMORY_HIGH], mem / 2);
	cgh_config_free(cfg);
}

/* Accepted edge values, each checked. */
static void test_valid_edges(void **state)
{
	struct cgh_config *cfg;
	char text[512];

	(void)state;
	cfg = load_ok("session = { cpu_weight = 1; pids_max = 1; memory_max = \"0\"; memory_high = 0; "
		      "cpu_max = \"1000 1000000\"; };\n", PHYS);
	assert_int_equal(cfg->session.value[CGH_CPU_WEIGHT], 1);
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 1);
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 0);
	assert_int_equal(cfg->session.value[CGH_MEMORY_HIGH], 0);
	assert_int_equal(cfg->session.value[CGH_CPU_MAX], 1000);
	assert_int_equal(cfg->session.cpu_period, 1000000);
	cgh_config_free(cfg);

	cfg = load_ok("session = { pids_max = \"4194304\"; memory_max = 9223372036854775807L; };\n", PHYS);
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 4194304);
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 9223372036854775807ull);
	cgh_config_free(cfg);

	static const char *const roots[] = { "/", "/sys/fs/cgroup/", "//sys//fs", "/...", "/a/..b/.c",
		"/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" };
	for (size_t i = 0; i < N_ELEMS(roots); i++) {
		snprintf(text, sizeof(text), "cgroup_root = \"%s\";\n", roots[i]);
		cfg = load_ok(text, PHYS);
		assert_string_equal(cfg->cgroup_root, roots[i]);
		cgh_config_free(cfg);
	}
	static const char *const bases[] = { "x", "...", ".hidden", "a b", "cgherd-2",
		"0123456789012345678901234567890123456789012345678901234567890123" };
	for (size_t i = 0; i < N_ELEMS(bases); i++) {
		snprintf(text, sizeof(text), "base = \"%s\";\n", bases[i]);
		cfg = load_ok(text, PHYS);
		assert_string_equal(cfg->base, bases[i]);
		cgh_config_free(cfg);
	}
}

/* ---- rules ------------------------------------------------------------ */

static void test_rule_defaults_and_match_forms(void **state)
{
	struct cgh_config *cfg = load_ok(
		"rules = (\n"					/* 1 */
		"  { },\n"					/* 2 */
		"  { match = { user = \"alice\"; }; },\n"	/* 3 */
		"  { name = \"lists\";\n"			/* 4 */
		"    match = { user = [ \"a\", \"b\" ]; group = ( \"g1\", \"g2\", \"g3\" );\n"
		"              service = \"sshd\"; uid = ( 0, \"1000-1999\", 4294967294L ); };\n"
		"    action = \"herd\";\n"
		"  },\n"
		"  { match = { uid = [ 5, 7 ]; }; action = \"ignore\"; },\n"	/* 9 */
		"  { match = { uid = \"0-4294967294\"; }; }\n"		/* 10 */
		");\n", PHYS);
	const struct cgh_rule *r;

	(void)state;
	assert_int_equal(cfg->n_rules, 5);

	r = &cfg->rules[0];
	assert_string_equal(r->name, "rules[0]");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->action, CGH_ACTION_HERD);
	assert_int_equal(r->match.users.n + r->match.groups.n + r->match.services.n + r->match.n_uids, 0);
	assert_limits(&r->session, 0);
	assert_limits(&r->user, 0);

	r = &cfg->rules[1];
	assert_string_equal(r->name, "rules[1]");
	assert_int_equal(r->line, 3);
	assert_int_equal(r->match.users.n, 1);
	assert_string_equal(r->match.users.v[0], "alice");

	r = &cfg->rules[2];
	assert_string_equal(r->name, "lists");
	assert_int_equal(r->line, 4);
	assert_int_equal(r->action, CGH_ACTION_HERD);
	assert_int_equal(r->match.users.n, 2);
	assert_string_equal(r->match.users.v[0], "a");
	assert_string_equal(r->match.users.v[1], "b");
	assert_int_equal(r->match.groups.n, 3);
	assert_string_equal(r->match.groups.v[2], "g3");
	assert_int_equal(r->match.services.n, 1);
	assert_string_equal(r->match.services.v[0], "sshd");
	assert_int_equal(r->match.n_uids, 3);
	assert_int_equal(r->match.uids[0].lo, 0);
	assert_int_equal(r->match.uids[0].hi, 0);
	assert_int_equal(r->match.uids[1].lo, 1000);
	assert_int_equal(r->match.uids[1].hi, 1999);
	assert_int_equal(r->match.uids[2].lo, 4294967294u);
	assert_int_equal(r->match.uids[2].hi, 4294967294u);

	r = &cfg->rules[3];
	assert_string_equal(r->name, "rules[3]");
	assert_int_equal(r->action, CGH_ACTION_IGNORE);
	assert_int_equal(r->match.n_uids, 2);
	assert_int_equal(r->match.uids[1].lo, 7);

	r = &cfg->rules[4];
	assert_string_equal(r->name, "rules[4]");
	assert_int_equal(r->match.uids[0].lo, 0);
	assert_int_equal(r->match.uids[0].hi, 4294967294u);
	cgh_config_free(cfg);

	/* An empty rules list replaces nothing and leaves no rule. */
	cfg = load_ok("rules = [ ];\n", PHYS);
	assert_int_equal(cfg->n_rules, 0);
	cgh_config_free(cfg);
}

/* ---- one error each --------------------------------------------------- */

#define BASE_MSG "must be one directory name (no '/', not \".\" or \"..\", at most 64 characters), not "
#define SIZE_MSG "(bytes with K/M/G/T, \"max\" or 1-100%)"
#define CPU_MSG "(\"N%\" with N 1-100000, \"max\", or \"QUOTA PERIOD\" in µs with period 1000-1000000 and quota 1000-17592186044415)"

struct err_case {
	const char *text;
	const char *msg;	/* after "PATH:" */
};

static const struct err_case err_cases[] = {
	/* unknown keys, at every level */
	{ "foo = 1;\n", "1: top level: unknown setting 'foo'" },
	{ "\n\nBase = \"x\";\n", "3: top level: unknown setting 'Base'" },
	{ "rules = (\n"
	  "  { name = \"a\"; },\n"
	  "  { name = \"b\"; },\n"
	  "  {\n"
	  "    session = {\n"
	  "      memroy_max = \"1G\";\n"
	  "    };\n"
	  "  }\n"
	  ");\n",
	  "6: rules[2].session: unknown setting 'memroy_max'" },
	{ "session = {\n memory_max = \"1G\";\n pid_max = 5;\n};\n",
	  "3: session: unknown setting 'pid_max'" },
	{ "user = { memory_max = \"1G\"; Memory_high = 5; };\n", "1: user: unknown setting 'Memory_high'" },
	{ "rules = ( { user = { cpu = \"1%\"; }; } );\n", "1: rules[0].user: unknown setting 'cpu'" },
	{ "rules = (\n { name = \"x\";\n   matches = { };\n } );\n",
	  "3: rules[0]: unknown setting 'matches' (name, match, action, session, user)" },
	{ "rules = ( { match = {\n users = \"a\"; }; } );\n",
	  "2: rules[0].match: unknown setting 'users' (user, group, uid, service)" },
	{ "notices = {\n at_login = true;\n colour = 1; };\n",
	  "3: notices: unknown setting 'colour' (at_login, tty, help)" },
	{ "notices = { tty = \"yes\"; };\n", "1: notices.tty: expected a boolean (true or false), not a string" },
	{ "notices = { at_login = 1; };\n", "1: notices.at_login: expected a boolean (true or false), not an integer" },
	{ "notices = { help = 5; };\n", "1: notices.help: expected a string, not an integer" },
	{ "notices = {\n help = \"two\\nlines\"; };\n",
	  "2: notices.help: only printable ASCII characters (no control characters, no newline)" },
	{ "notices = true;\n", "1: notices: expected a group { ... }, not a boolean" },
	/* wrong types */
	{ "kill_on_close = \"yes\";\n", "1: kill_on_close: expected a boolean (true or false), not a string" },
	{ "kill_on_close = 1;\n", "1: kill_on_close: expected a boolean (true or false), not an integer" },
	{ "kill_on_close = 1.0;\n", "1: kill_on_close: expected a boolean (true or false), not a float" },
	{ "base = 1.5;\n", "1: base: expected a string, not a float" },
	{ "base = true;\n", "1: base: expected a string, not a boolean" },
	{ "cgroup_root = [ \"/a\" ];\n", "1: cgroup_root: expected a string, not an array" },
	{ "on_error = 1.0;\n", "1: on_error: expected a string, not a float" },
	{ "default_action = { };\n", "1: default_action: expected a string, not a group" },
	{ "session = 5;\n", "1: session: expected a group { ... }, not an integer" },
	{ "user = ( );\n", "1: user: expected a group { ... }, not a list" },
	{ "rules = { };\n", "1: rules: expected a list ( { ... }, ... ), not a group" },
	{ "rules = \"x\";\n", "1: rules: expected a list ( { ... }, ... ), not a string" },
	{ "rules = ( 1 );\n", "1: rules[0]: expected a group { ... }, not an integer" },
	{ "backend = \"docker\";\n", "1: backend: expected \"auto\", \"cgroupfs\" or \"systemd\", not \"docker\"" },
	{ "move_from_logind = \"yes\";\n", "1: move_from_logind: expected a boolean (true or false), not a string" },
	{ "rules = ( { }, \"x\" );\n", "1: rules[1]: expected a group { ... }, not a string" },
	{ "session = { cpu_max = 20; };\n",
	  "1: session.cpu_max: expected a string (\"20%\", \"max\" or \"QUOTA PERIOD\"), not an integer" },
	{ "session = { cpu_max = 2.0; };\n", "1: session.cpu_max: expected a string or an integer, not a float" },
	{ "session = { memory_max = 1.5; };\n", "1: session.memory_max: expected a string or an integer, not a float" },
	{ "session = { memory_high = true; };\n", "1: session.memory_high: expected a string or an integer, not a boolean" },
	{ "session = { pids_max = 1e3; };\n", "1: session.pids_max: expected a string or an integer, not a float" },
	{ "session = { cpu_weight = 1.0; };\n", "1: session.cpu_weight: expected an integer, not a float" },
	{ "session = { cpu_weight = \"100\"; };\n", "1: session.cpu_weight: expected an integer, not a string" },
	{ "session = { oom_group = 1; };\n", "1: session.oom_group: expected a boolean (true or false), not an integer" },
	{ "session = { oom_group = \"true\"; };\n", "1: session.oom_group: expected a boolean (true or false), not a string" },
	{ "rules = ( { name = 5; } );\n", "1: rules[0].name: expected a string, not an integer" },
	{ "rules = ( { action = true; } );\n", "1: rules[0].action: expected a string, not a boolean" },
	{ "rules = ( { match = 1; } );\n", "1: rules[0].match: expected a group { ... }, not an integer" },
	{ "rules = ( { session = [ 1 ]; } );\n", "1: rules[0].session: expected a group { ... }, not an array" },
	{ "rules = ( { user = 5; } );\n", "1: rules[0].user: expected a group { ... }, not an integer" },
	{ "rules = ( { match = { user = 5; }; } );\n",
	  "1: rules[0].match.user: expected a name or a list of names, not an integer" },
	{ "rules = ( { match = { group = { }; }; } );\n",
	  "1: rules[0].match.group: expected a name or a list of names, not a group" },
	{ "rules = ( { match = { service = ( \"a\",\n 1 ); }; } );\n",
	  "2: rules[0].match.service: expected a string, not an integer" },
	{ "rules = ( { match = { user = ( ( \"a\" ) ); }; } );\n",
	  "1: rules[0].match.user: expected a string, not a list" },
	{ "rules = ( { match = { uid = true; }; } );\n",
	  "1: rules[0].match.uid: expected a uid or a \"FIRST-LAST\" range, not a boolean" },
	{ "rules = ( { match = { uid = 1.0; }; } );\n",
	  "1: rules[0].match.uid: expected a uid or a \"FIRST-LAST\" range, not a float" },
	/* out of range and unparsable values */
	{ "session = { cpu_weight = 0; };\n", "1: session.cpu_weight: 0 out of range 1-10000" },
	{ "session = { cpu_weight = 10001; };\n", "1: session.cpu_weight: 10001 out of range 1-10000" },
	{ "session = { cpu_weight = -1; };\n", "1: session.cpu_weight: -1 out of range 1-10000" },
	{ "session = { pids_max = 0; };\n", "1: session.pids_max: 0 out of range" },
	{ "session = { pids_max = -5; };\n", "1: session.pids_max: -5 out of range" },
	{ "session = { pids_max = \"0\"; };\n",
	  "1: session.pids_max: invalid process count \"0\" (a number >= 1 or \"max\")" },
	{ "session = { pids_max = \"-1\"; };\n",
	  "1: session.pids_max: invalid process count \"-1\" (a number >= 1 or \"max\")" },
	{ "session = { memory_max = -1; };\n", "1: session.memory_max: -1 out of range" },
	{ "user = { memory_swap_max = -9223372036854775807L; };\n",
	  "1: user.memory_swap_max: -9223372036854775807 out of range" },
	{ "session = { memory_max = \"5MB\"; };\n", "1: session.memory_max: invalid size \"5MB\" " SIZE_MSG },
	{ "session = { memory_max = \"\"; };\n", "1: session.memory_max: invalid size \"\" " SIZE_MSG },
	{ "session = { memory_high = \"101%\"; };\n",
	  "1: session.memory_high: invalid size \"101%\" " SIZE_MSG ": out of range" },
	{ "session = { memory_high = \"0%\"; };\n",
	  "1: session.memory_high: invalid size \"0%\" " SIZE_MSG ": out of range" },
	{ "session = { memory_max = \"16777216T\"; };\n",
	  "1: session.memory_max: invalid size \"16777216T\" " SIZE_MSG ": out of range" },
	{ "session = { cpu_max = \"20\"; };\n", "1: session.cpu_max: invalid CPU limit \"20\" " CPU_MSG },
	{ "session = { cpu_max = \"0%\"; };\n", "1: session.cpu_max: invalid CPU limit \"0%\" " CPU_MSG },
	{ "session = { cpu_max = \"100 999\"; };\n", "1: session.cpu_max: invalid CPU limit \"100 999\" " CPU_MSG },
	{ "session = { cpu_max = \"17592186044416 100000\"; };\n",
	  "1: session.cpu_max: invalid CPU limit \"17592186044416 100000\" " CPU_MSG },
	{ "rules = ( { match = { uid = -1; }; } );\n", "1: rules[0].match.uid: uid -1 out of range 0-4294967294" },
	{ "rules = ( { match = { uid = 4294967295L; }; } );\n",
	  "1: rules[0].match.uid: uid 4294967295 out of range 0-4294967294" },
	{ "rules = ( { match = { uid = [ 1,\n -1 ]; }; } );\n",
	  "2: rules[0].match.uid: uid -1 out of range 0-4294967294" },
	{ "rules = ( { match = { uid = \"999-0\"; }; } );\n",
	  "1: rules[0].match.uid: invalid uid range \"999-0\" (\"N\" or \"FIRST-LAST\", 0-4294967294)" },
	{ "rules = ( { match = { uid = \"-1\"; }; } );\n",
	  "1: rules[0].match.uid: invalid uid range \"-1\" (\"N\" or \"FIRST-LAST\", 0-4294967294)" },
	{ "rules = ( { match = { uid = \"4294967295\"; }; } );\n",
	  "1: rules[0].match.uid: invalid uid range \"4294967295\" (\"N\" or \"FIRST-LAST\", 0-4294967294)" },
	/* choices */
	{ "on_error = \"maybe\";\n", "1: on_error: expected \"deny\" or \"allow\", not \"maybe\"" },
	{ "on_error = \"Deny\";\n", "1: on_error: expected \"deny\" or \"allow\", not \"Deny\"" },
	{ "default_action = \"Herd\";\n", "1: default_action: expected \"herd\" or \"ignore\", not \"Herd\"" },
	{ "rules = ( { action = \"kill\"; } );\n", "1: rules[0].action: expected \"herd\" or \"ignore\", not \"kill\"" },
	/* base */
	{ "base = \"a/b\";\n", "1: base: " BASE_MSG "\"a/b\"" },
	{ "base = \"..\";\n", "1: base: " BASE_MSG "\"..\"" },
	{ "base = \".\";\n", "1: base: " BASE_MSG "\".\"" },
	{ "base = \"\";\n", "1: base: " BASE_MSG "\"\"" },
	{ "base = \"/\";\n", "1: base: " BASE_MSG "\"/\"" },
	{ "base = \"cgherd/\";\n", "1: base: " BASE_MSG "\"cgherd/\"" },
	{ "base = \"01234567890123456789012345678901234567890123456789012345678901234\";\n",
	  "1: base: " BASE_MSG "\"01234567890123456789012345678901234567890123456789012345678901234\"" },
	/* cgroup_root */
	{ "cgroup_root = \"sys/fs/cgroup\";\n", "1: cgroup_root: must be an absolute path, not \"sys/fs/cgroup\"" },
	{ "cgroup_root = \"\";\n", "1: cgroup_root: must be an absolute path, not \"\"" },
	{ "cgroup_root = \"./x\";\n", "1: cgroup_root: must be an absolute path, not \"./x\"" },
	{ "cgroup_root = \"/sys/fs/../x\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/sys/fs/cgroup/..\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/..\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/sys/./fs\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/sys/fs/.\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/sys//..//fs/\";\n", "1: cgroup_root: must not contain \".\" or \"..\" components" },
	{ "cgroup_root = \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n",
	  "1: cgroup_root: path longer than 255 characters" },
	/* rule name */
	{ "rules = ( { name = \"\"; } );\n", "1: rules[0].name: must be 1-64 characters" },
	{ "rules = ( { },\n { name = \"01234567890123456789012345678901234567890123456789012345678901234\"; } );\n",
	  "2: rules[1].name: must be 1-64 characters" },
	/* empty lists and names in match */
	{ "rules = ( { match = { user = [ ]; }; } );\n", "1: rules[0].match.user: empty list (it would never match)" },
	{ "rules = ( { match = { group = ( ); }; } );\n", "1: rules[0].match.group: empty list (it would never match)" },
	{ "rules = ( { match = { service = [ ]; }; } );\n",
	  "1: rules[0].match.service: empty list (it would never match)" },
	{ "rules = ( { match = { uid = [ ]; }; } );\n", "1: rules[0].match.uid: empty list (it would never match)" },
	{ "rules = ( { match = { user = \"\"; }; } );\n", "1: rules[0].match.user: empty name" },
	{ "rules = ( { match = { group = [ \"a\", \"\" ]; }; } );\n", "1: rules[0].match.group: empty name" },
	/* @include, anywhere at the start of a line */
	{ "base = \"x\";\n@include \"/etc/passwd\"\n",
	  "2: @include is not allowed (every file must pass the ownership checks)" },
	{ "\n\n  \t@include \"/nonexistent\"\n",
	  "3: @include is not allowed (every file must pass the ownership checks)" },
	{ "@include \"" EXAMPLE "\"\n",
	  "1: @include is not allowed (every file must pass the ownership checks)" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(err_cases); i++)
		load_one_error(err_cases[i].text, err_cases[i].msg);
}

static void expect_syntax_error(const char *text, int line, const char *what)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(text);
	char want[512];

	int r = cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag);
	if (r != -EINVAL || diag.n != 1)
		dump_diag(&diag);
	assert_int_equal(r, -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	snprintf(want, sizeof(want), "%s:%d: %s", path, line, what);
	assert_string_equal(diag.lines[0], want);
	cgh_diag_free(&diag);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_syntax_error("base = \"x\";\nsession = {\n  memory_max = ;\n};\n", 3, "syntax error");
	expect_syntax_error("session = {\n  memory_max = \"1G\";\n};\n}\n", 4, "syntax error");
	expect_syntax_error("base = \"a\";\nbase = \"b\";\n", 2, "duplicate setting name");
	expect_syntax_error("rules = ( { match = { user = [ \"a\", 1 ]; }; } );\n", 1,
			    "mismatched element type in array");
}

static void test_multiple_errors(void **state)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(
		"base = \"a/b\";\n"				/* 1 */
		"cgroup_root = \"/ok\";\n"			/* 2 */
		"session = {\n"					/* 3 */
		"  cpu_weight = 0;\n"				/* 4 */
		"  pids_max = 10;\n"				/* 5 */
		"  bogus = 1;\n"				/* 6 */
		"};\n"						/* 7 */
		"rules = (\n"					/* 8 */
		"  { name = \"ok\"; match = { user = [ ]; }; },\n"	/* 9 */
		"  { action = \"nope\";\n"			/* 10 */
		"    session = { memroy_max = \"1G\"; }; }\n"	/* 11 */
		");\n"						/* 12 */
		"kill_on_close = \"no\";\n");			/* 13 */

	(void)state;
	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), -EINVAL);
	if (diag.n != 7)
		dump_diag(&diag);
	assert_null(cfg);
	assert_int_equal(diag.n, 7);
	assert_int_equal(diag.dropped, 0);
	expect_line(&diag, 0, "%s:1: base: " BASE_MSG "\"a/b\"", path);
	expect_line(&diag, 1, "%s:4: session.cpu_weight: 0 out of range 1-10000", path);
	expect_line(&diag, 2, "%s:6: session: unknown setting 'bogus'", path);
	expect_line(&diag, 3, "%s:9: rules[0].match.user: empty list (it would never match)", path);
	expect_line(&diag, 4, "%s:10: rules[1].action: expected \"herd\" or \"ignore\", not \"nope\"", path);
	expect_line(&diag, 5, "%s:11: rules[1].session: unknown setting 'memroy_max'", path);
	expect_line(&diag, 6, "%s:13: kill_on_close: expected a boolean (true or false), not a string", path);
	cgh_diag_free(&diag);
}

static void test_multiple_errors_all_counted(void **state)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(
		"base = \"a/b\";\n"
		"kill_on_close = \"no\";\n"
		"on_error = \"x\";\n"
		"default_action = \"y\";\n"
		"cgroup_root = \"z\";\n");

	(void)state;
	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 5);
	expect_line(&diag, 1, "%s:2: kill_on_close: expected a boolean (true or false), not a string", path);
	expect_line(&diag, 2, "%s:3: on_error: expected \"deny\" or \"allow\", not \"x\"", path);
	expect_line(&diag, 3, "%s:4: default_action: expected \"herd\" or \"ignore\", not \"y\"", path);
	expect_line(&diag, 4, "%s:5: cgroup_root: must be an absolute path, not \"z\"", path);
	cgh_diag_free(&diag);
}

/* At most CGH_DIAG_MAX lines are kept; the rest are counted. */
static void test_diag_cap(void **state)
{
	char *text = malloc(150 * 32);
	size_t used = 0;
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 150; i++)
		used += (size_t)snprintf(text + used, 32, "k%d = 1;\n", i);
	const char *path = write_conf(text);
	free(text);
	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, CGH_DIAG_MAX);
	assert_int_equal(diag.dropped, 50);
	expect_line(&diag, 0, "%s:1: top level: unknown setting 'k0'", path);
	expect_line(&diag, 99, "%s:100: top level: unknown setting 'k99'", path);
	cgh_diag_free(&diag);
	assert_int_equal(diag.dropped, 0);
}

/* Deeply nested values in an unknown key, a limit group and a rule. */
static char *nested(const char *prefix, int depth, char open, char close, const char *suffix)
{
	size_t len = strlen(prefix) + strlen(suffix) + (size_t)depth * 10 + 16;
	char *s = malloc(len);
	size_t used;

	assert_non_null(s);
	used = (size_t)snprintf(s, len, "%s", prefix);
	for (int i = 0; i < depth; i++)
		used += (size_t)snprintf(s + used, len - used, open == '{' ? "a = { " : "%c ", open);
	for (int i = 0; i < depth; i++)
		used += (size_t)snprintf(s + used, len - used, open == '{' ? "}; " : "%c ", close);
	snprintf(s + used, len - used, "%s", suffix);
	return s;
}

static void test_deep_nesting(void **state)
{
	static const struct {
		const char *prefix, *suffix;
		char open, close;
		const char *msg;
	} cases[] = {
		{ "unknown = { ", "};\n", '{', '}', "1: top level: unknown setting 'unknown'" },
		{ "unknown = ( ", ");\n", '(', ')', "1: top level: unknown setting 'unknown'" },
		{ "session = { ", "};\n", '{', '}', "1: session: unknown setting 'a'" },
		{ "rules = ( { session = { memory_max = \"1G\"; }; x = ", "; } );\n", '(', ')',
		  "1: rules[0]: unknown setting 'x' (name, match, action, session, user)" },
		{ "rules = ( { match = { user = ", "; }; } );\n", '(', ')',
		  "1: rules[0].match.user: expected a string, not a list" },
	};
	const int depths[] = { 1000 };

	(void)state;
	for (size_t d = 0; d < N_ELEMS(depths); d++) {
		for (size_t i = 0; i < N_ELEMS(cases); i++) {
			char *text = nested(cases[i].prefix, depths[d], cases[i].open, cases[i].close,
					    cases[i].suffix);
			load_one_error(text, cases[i].msg);
			free(text);
		}
	}
}

/* Much deeper still: libconfig may refuse it, but cleanly. */
static void test_very_deep_nesting(void **state)
{
	char *text = nested("unknown = ", 200000, '(', ')', ";\n");
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path = write_conf(text);
	int r;

	(void)state;
	free(text);
	r = cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag);
	if (r != -EINVAL || diag.n != 1)
		dump_diag(&diag);
	assert_int_equal(r, -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	char prefix[256];
	snprintf(prefix, sizeof(prefix), "%s:1: ", path);
	assert_true(strncmp(diag.lines[0], prefix, strlen(prefix)) == 0);
	cgh_diag_free(&diag);
}

/* ---- the file itself -------------------------------------------------- */

static void expect_file_refused(const char *path, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void expect_file_refused(const char *path, int err, const char *fmt, ...)
{
	struct cgh_config *cfg = (struct cgh_config *)(uintptr_t)1;
	struct cgh_diag diag = { 0 };
	char want[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	int r = cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag);
	if (r != -err || diag.n != 1)
		dump_diag(&diag);
	assert_int_equal(r, -err);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	assert_string_equal(diag.lines[0], want);
	cgh_diag_free(&diag);
}

static void test_file_missing(void **state)
{
	const char *path = new_path();

	(void)state;
	expect_file_refused(path, ENOENT, "%s: cannot open: No such file or directory", path);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/nodir/x.conf", tmpdir);
	expect_file_refused(sub, ENOENT, "%s: cannot open: No such file or directory", sub);
}

static void test_file_symlink(void **state)
{
	const char *target = write_conf("base = \"x\";\n");
	const char *link = new_path();

	(void)state;
	assert_int_equal(symlink(target, link), 0);
	expect_file_refused(link, ELOOP,
			    "%s: cannot open: Too many levels of symbolic links (symbolic links are refused)",
			    link);
	/* dangling */
	const char *dangling = new_path();
	assert_int_equal(symlink("/nonexistent/cgherd.conf", dangling), 0);
	expect_file_refused(dangling, ELOOP,
			    "%s: cannot open: Too many levels of symbolic links (symbolic links are refused)",
			    dangling);
}

static void test_file_fifo(void **state)
{
	const char *path = new_path();

	(void)state;
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(chmod(path, 0644), 0);
	expect_file_refused(path, EINVAL, "%s: not a regular file", path);
}

static void test_file_directory(void **state)
{
	const char *path = new_path();

	(void)state;
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 0755), 0);
	expect_file_refused(path, EINVAL, "%s: not a regular file", path);
	expect_file_refused("/dev/null", EINVAL, "/dev/null: not a regular file");
}

static void test_file_modes(void **state)
{
	static const struct {
		mode_t mode;
		bool ok;
	} cases[] = {
		{ 0644, true }, { 0600, true }, { 0400, true }, { 0444, true }, { 0755, true },
		{ 0666, false }, { 0660, false }, { 0620, false }, { 0602, false }, { 0646, false },
		{ 0777, false }, { 02664, false },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *path = write_conf("base = \"m\";\n");
		assert_int_equal(chmod(path, cases[i].mode), 0);
		if (cases[i].ok) {
			struct cgh_config *cfg = NULL;
			struct cgh_diag diag = { 0 };
			assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), 0);
			assert_string_equal(cfg->base, "m");
			cgh_config_free(cfg);
			cgh_diag_free(&diag);
		} else {
			expect_file_refused(path, EPERM,
					    "%s: writable by group or others (mode %04o), must not be",
					    path, (unsigned)cases[i].mode);
		}
	}
}

static void test_file_owner(void **state)
{
	const char *path = write_conf("base = \"x\";\n");

	(void)state;
	if (geteuid() != 0)
		skip_because("not root: cannot chown the file to another owner");
	assert_int_equal(chown(path, 12345, 0), 0);
	expect_file_refused(path, EPERM, "%s: owned by uid 12345, must be owned by root", path);
	/* root-owned with a foreign group is fine */
	assert_int_equal(chown(path, 0, 12345), 0);
	assert_int_equal(chmod(path, 0644), 0);
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), 0);
	cgh_config_free(cfg);
	cgh_diag_free(&diag);
}

static void test_file_too_big(void **state)
{
	const char *path = write_conf("base = \"x\";\n");

	(void)state;
	assert_int_equal(truncate(path, (off_t)CGH_CONF_MAX_SIZE + 1), 0);
	expect_file_refused(path, EFBIG, "%s: 16777217 bytes, larger than the limit of 16777216", path);
}

/* Exactly 16 MiB is allowed. */
static void test_file_max_size(void **state)
{
	char *text = malloc(CGH_CONF_MAX_SIZE);
	const char *head = "base = \"big\";\n";

	(void)state;
	assert_non_null(text);
	memset(text, '\n', CGH_CONF_MAX_SIZE);
	memcpy(text, head, strlen(head));
	const char *path = write_conf_len(text, CGH_CONF_MAX_SIZE);
	free(text);
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), 0);
	assert_string_equal(cfg->base, "big");
	cgh_config_free(cfg);
	cgh_diag_free(&diag);
}

static void test_file_nul_byte(void **state)
{
	static const char text[] = "base = \"x\";\n\0kill_on_close = false;\n";
	const char *path = write_conf_len(text, sizeof(text) - 1);

	(void)state;
	expect_file_refused(path, EINVAL, "%s: contains a NUL byte", path);
	const char *path2 = write_conf_len("base = \"x\";\n\0", 13);
	expect_file_refused(path2, EINVAL, "%s: contains a NUL byte", path2);
}

/* ---- module arguments ------------------------------------------------- */

static struct cgh_config *load_args_ok(const char *path, int argc, const char **argv)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r = cgh_config_load(path, argc, argv, PHYS, &cfg, &diag);

	dump_diag(&diag);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	assert_int_equal(diag.n, 0);
	cgh_diag_free(&diag);
	return cfg;
}

static const char FULL[] =
	"cgroup_root = \"/sys/fs/cgroup\";\n"
	"base = \"cgherd\";\n"
	"on_error = \"deny\";\n"
	"kill_on_close = true;\n"
	"default_action = \"herd\";\n"
	"session = { pids_max = 100; };\n"
	"rules = ( { name = \"r\"; } );\n";

static void test_args_override(void **state)
{
	const char *path = write_conf(FULL);
	struct cgh_config *cfg;

	(void)state;
	const char *a1[] = { "on_error=allow" };
	cfg = load_args_ok(path, 1, a1);
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_ALLOW);
	assert_false(cfg->debug);
	assert_string_equal(cfg->base, "cgherd");
	cgh_config_free(cfg);

	const char *a2[] = { "kill_on_close=false", "move_from_logind=True", "kill_on_close=FALSE" };
	cfg = load_args_ok(path, 1, a2);
	assert_false(cfg->kill_on_close);
	cgh_config_free(cfg);
	cfg = load_args_ok(path, 3, a2);	/* any case, as libconfig reads a boolean */
	assert_false(cfg->kill_on_close);
	assert_true(cfg->move_from_logind);
	cgh_config_free(cfg);

	const char *a3[] = { "base=other" };
	cfg = load_args_ok(path, 1, a3);
	assert_string_equal(cfg->base, "other");
	cgh_config_free(cfg);

	const char *a4[] = { "cgroup_root=/x" };
	cfg = load_args_ok(path, 1, a4);
	assert_string_equal(cfg->cgroup_root, "/x");
	cgh_config_free(cfg);

	const char *a5[] = { "default_action=ignore" };
	cfg = load_args_ok(path, 1, a5);
	assert_int_equal(cfg->default_action, CGH_ACTION_IGNORE);
	cgh_config_free(cfg);

	const char *a6[] = { "debug" };
	cfg = load_args_ok(path, 1, a6);
	assert_true(cfg->debug);
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_DENY);
	cgh_config_free(cfg);

	const char *a6b[] = { "close=move", "close=reaper" };
	cfg = load_args_ok(path, 1, a6b);
	assert_int_equal(cfg->close_path, CGH_CLOSE_MOVE);
	cgh_config_free(cfg);
	cfg = load_args_ok(path, 2, a6b);	/* the last one wins */
	assert_int_equal(cfg->close_path, CGH_CLOSE_REAPER);
	cgh_config_free(cfg);
	cfg = load_args_ok(path, 1, a6);
	assert_int_equal(cfg->close_path, CGH_CLOSE_AUTO);
	cgh_config_free(cfg);

	const char *a7[] = { "debug", "on_error=allow", "kill_on_close=false", "base=b1",
			     "cgroup_root=/y/z", "default_action=ignore", "base=b2" };
	cfg = load_args_ok(path, 7, a7);
	assert_true(cfg->debug);
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_ALLOW);
	assert_false(cfg->kill_on_close);
	assert_string_equal(cfg->base, "b2");	/* the last one wins */
	assert_string_equal(cfg->cgroup_root, "/y/z");
	assert_int_equal(cfg->default_action, CGH_ACTION_IGNORE);
	/* the rest of the file is kept */
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 100);
	assert_int_equal(cfg->n_rules, 1);
	assert_string_equal(cfg->rules[0].name, "r");
	cgh_config_free(cfg);

	/* the argument wins even when it restates the default */
	const char *b = write_conf("kill_on_close = false;\non_error = \"allow\";\n");
	const char *a8[] = { "kill_on_close=true", "on_error=deny" };
	cfg = load_args_ok(b, 2, a8);
	assert_true(cfg->kill_on_close);
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_DENY);
	cgh_config_free(cfg);
}

static void test_args_conf(void **state)
{
	const char *path = write_conf("base = \"fromconf\";\n");
	char arg[200];
	struct cgh_config *cfg;

	(void)state;
	snprintf(arg, sizeof(arg), "conf=%s", path);
	const char *a1[] = { arg };
	cfg = load_args_ok(NULL, 1, a1);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->base, "fromconf");
	cgh_config_free(cfg);

	/* conf= with a missing file */
	char missing[200];
	snprintf(missing, sizeof(missing), "conf=%s/none.conf", tmpdir);
	const char *a2[] = { "debug", missing };
	struct cgh_diag diag = { 0 };
	assert_int_equal(cgh_config_load(NULL, 2, a2, PHYS, &cfg, &diag), -ENOENT);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	expect_line(&diag, 0, "%s: cannot open: No such file or directory", missing + 5);
	cgh_diag_free(&diag);
}

struct arg_case {
	const char *arg;
	const char *msg;	/* after "module argument 'ARG': " */
};

static const struct arg_case bad_args[] = {
	{ "on_error=maybe", "on_error: expected \"deny\" or \"allow\", not \"maybe\"" },
	{ "on_error=", "on_error: expected \"deny\" or \"allow\", not \"\"" },
	{ "nokey", "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind" },
	{ "Bad=1", "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind" },
	{ "=x", "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind" },
	{ "base=\"x\"", "value too long or with a quote, backslash, ';' or newline" },
	{ "base=a\\b", "value too long or with a quote, backslash, ';' or newline" },
	{ "Debug", "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind" },
	{ "base=a/b", "base: " BASE_MSG "\"a/b\"" },
	{ "base=..", "base: " BASE_MSG "\"..\"" },
	{ "base=", "base: " BASE_MSG "\"\"" },
	{ "cgroup_root=relative", "cgroup_root: must be an absolute path, not \"relative\"" },
	{ "cgroup_root=/a/../b", "cgroup_root: must not contain \".\" or \"..\" components" },
	{ "kill_on_close=yes", "kill_on_close: expected a boolean (true or false), not \"yes\"" },
	{ "kill_on_close=1", "kill_on_close: expected a boolean (true or false), not \"1\"" },
	{ "kill_on_close=", "kill_on_close: expected a boolean (true or false), not \"\"" },
	{ "default_action=kill", "default_action: expected \"herd\" or \"ignore\", not \"kill\"" },
	{ "close=fast", "close: expected auto, reaper or move" },
	{ "close=", "close: expected auto, reaper or move" },
	{ "unknown=1", "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind" },
};

static void test_args_bad(void **state)
{
	const char *path = write_conf(FULL);

	(void)state;
	for (size_t i = 0; i < N_ELEMS(bad_args); i++) {
		struct cgh_config *cfg = (struct cgh_config *)(uintptr_t)1;
		struct cgh_diag diag = { 0 };
		const char *argv[] = { "debug", bad_args[i].arg };

		int r = cgh_config_load(path, 2, argv, PHYS, &cfg, &diag);
		if (r != -EINVAL || diag.n != 1) {
			print_message("argument \"%s\"\n", bad_args[i].arg);
			dump_diag(&diag);
		}
		assert_int_equal(r, -EINVAL);
		assert_null(cfg);
		assert_int_equal(diag.n, 1);
		expect_line(&diag, 0, "module argument '%s': %s", bad_args[i].arg, bad_args[i].msg);
		cgh_diag_free(&diag);
	}
}

/* An overlong argument is refused, and quoted only up to 512 characters. */
static void test_args_long(void **state)
{
	char arg[700];
	const char *path = write_conf(FULL);
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	(void)state;
	memcpy(arg, "base=", 5);
	memset(arg + 5, 'x', sizeof(arg) - 6);
	arg[sizeof(arg) - 1] = '\0';
	const char *argv[] = { arg };
	assert_int_equal(cgh_config_load(path, 1, argv, PHYS, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	expect_line(&diag, 0, "module argument '%.512s': value too long or with a quote, backslash, ';' or newline", arg);
	cgh_diag_free(&diag);

	/* 512 characters are still an argument: base of 507 x's is too long a
	 * name; the message is cut to the diag line size, not overflowed */
	arg[512] = '\0';
	assert_int_equal(cgh_config_load(path, 1, argv, PHYS, &cfg, &diag), -EINVAL);
	assert_int_equal(diag.n, 1);
	char prefix[600];
	snprintf(prefix, sizeof(prefix), "module argument '%s': base: must be one directory name", arg);
	assert_true(strncmp(diag.lines[0], prefix, strlen(prefix)) == 0);
	assert_true(strlen(diag.lines[0]) <= 1023);
	cgh_diag_free(&diag);

	/* 65 characters: one too many */
	arg[5 + 65] = '\0';
	assert_int_equal(cgh_config_load(path, 1, argv, PHYS, &cfg, &diag), -EINVAL);
	assert_int_equal(diag.n, 1);
	expect_line(&diag, 0, "module argument '%s': base: " BASE_MSG "\"%s\"", arg, arg + 5);
	cgh_diag_free(&diag);
	arg[5 + 64] = '\0';
	assert_int_equal(cgh_config_load(path, 1, argv, PHYS, &cfg, &diag), 0);
	assert_string_equal(cfg->base, arg + 5);
	cgh_config_free(cfg);
	cgh_diag_free(&diag);
}

/* Errors in the file and in the arguments are all reported. */
static void test_args_and_file_errors(void **state)
{
	const char *path = write_conf("base = \"a/b\";\n");
	const char *argv[] = { "on_error=maybe", "nokey" };
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	(void)state;
	assert_int_equal(cgh_config_load(path, 2, argv, PHYS, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 3);
	expect_line(&diag, 0, "%s:1: base: " BASE_MSG "\"a/b\"", path);
	expect_line(&diag, 1, "module argument 'on_error=maybe': on_error: expected \"deny\" or \"allow\", not \"maybe\"");
	expect_line(&diag, 2, "module argument 'nokey': not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of cgroup_root, base, on_error, kill_on_close, default_action, backend, move_from_logind");
	cgh_diag_free(&diag);

	/* a missing file keeps its errno, and bad arguments are reported too */
	char missing[200];
	snprintf(missing, sizeof(missing), "%s/absent.conf", tmpdir);
	assert_int_equal(cgh_config_load(missing, 1, argv, PHYS, &cfg, &diag), -ENOENT);
	assert_null(cfg);
	assert_int_equal(diag.n, 2);
	expect_line(&diag, 0, "%s: cannot open: No such file or directory", missing);
	cgh_diag_free(&diag);
}

/* cgherd.conf(5) and pam_cgherd(8): only cgroup_root, base, on_error,
 * kill_on_close and default_action may be given as arguments. */
static void test_args_only_scalar_keys(void **state)
{
	static const char *const args[] = {
		"rules=()",
		"session={pids_max=5;}",
		"user={pids_max=5;}",
	};
	const char *path = write_conf(FULL);
	size_t accepted = 0;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(args); i++) {
		struct cgh_config *cfg = NULL;
		struct cgh_diag diag = { 0 };
		const char *argv[] = { args[i] };
		int r = cgh_config_load(path, 1, argv, PHYS, &cfg, &diag);

		if (r != -EINVAL || cfg != NULL || diag.n == 0) {
			print_message("argument \"%s\" accepted: %d, %zu rules\n", args[i], r,
				      cfg != NULL ? cfg->n_rules : 0);
			accepted++;
		}
		cgh_config_free(cfg);
		cgh_diag_free(&diag);
	}
	assert_int_equal(accepted, 0);
}

/* One argument is one key=value: "kill_on_close=false;rules=()" must not
 * also empty the rules. */
static void test_args_one_setting_each(void **state)
{
	const char *path = write_conf(FULL);
	const char *argv[] = { "kill_on_close=false;rules=()" };
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r;

	(void)state;
	r = cgh_config_load(path, 1, argv, PHYS, &cfg, &diag);
	bool loaded = cfg != NULL;

	if (cfg != NULL)
		print_message("loaded: kill_on_close=%d, %zu rules\n", cfg->kill_on_close, cfg->n_rules);
	cgh_config_free(cfg);	/* before asserting: no leak on failure */
	cgh_diag_free(&diag);
	assert_int_equal(r, -EINVAL);
	assert_false(loaded);
}

/* A bare word is taken as a string, so base=2024 names the directory
 * "2024" as base = "2024" in the file does. */
static void test_args_numeric_base(void **state)
{
	const char *path = write_conf(FULL);
	const char *argv[] = { "base=2024" };
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r;

	(void)state;
	r = cgh_config_load(path, 1, argv, PHYS, &cfg, &diag);
	dump_diag(&diag);
	char base[16] = "";
	if (cfg != NULL)
		snprintf(base, sizeof(base), "%s", cfg->base);
	cgh_config_free(cfg);	/* before asserting: no leak on failure */
	cgh_diag_free(&diag);
	assert_int_equal(r, 0);
	assert_string_equal(base, "2024");
}

static void test_args_on_error(void **state)
{
	static struct {
		int argc;
		const char *argv[4];
		enum cgh_on_error want;
	} cases[] = {
		{ 0, { NULL }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error=allow" }, CGH_ON_ERROR_ALLOW },
		{ 1, { "on_error=deny" }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error=maybe" }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error=ALLOW" }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error=" }, CGH_ON_ERROR_DENY },
		{ 1, { "xon_error=allow" }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error" }, CGH_ON_ERROR_DENY },
		{ 1, { "on_error=\"allow\"" }, CGH_ON_ERROR_DENY },
		{ 2, { "on_error=allow", "on_error=deny" }, CGH_ON_ERROR_DENY },
		{ 2, { "on_error=deny", "on_error=allow" }, CGH_ON_ERROR_ALLOW },
		{ 2, { "on_error=allow", "on_error=bogus" }, CGH_ON_ERROR_ALLOW },
		{ 4, { "debug", "conf=/nonexistent", "on_error=allow", "base=a/b" }, CGH_ON_ERROR_ALLOW },
		{ 2, { "base=x", "kill_on_close=false" }, CGH_ON_ERROR_DENY },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		enum cgh_on_error got = cgh_args_on_error(cases[i].argc, cases[i].argv);
		if (got != cases[i].want)
			print_message("on_error case %zu\n", i);
		assert_int_equal(got, cases[i].want);
	}
}

static void test_args_debug(void **state)
{
	const char *a1[] = { "debug" };
	const char *a2[] = { "on_error=allow", "debug" };
	const char *a3[] = { "debug=1" };
	const char *a4[] = { "Debug", "nodebug", "debug " };

	(void)state;
	assert_false(cgh_args_debug(0, NULL));
	assert_true(cgh_args_debug(1, a1));
	assert_true(cgh_args_debug(2, a2));
	assert_false(cgh_args_debug(1, a3));
	assert_false(cgh_args_debug(3, a4));
}

/* Text already in memory: same checks and messages, name for the path. */
static void test_from_text(void **state)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	(void)state;
	assert_int_equal(cgh_config_from_text("mem.conf", "base = \"t\";\nsession = { pids_max = 7; };\n",
					      PHYS, &cfg, &diag), 0);
	assert_non_null(cfg);
	assert_int_equal(diag.n, 0);
	assert_string_equal(cfg->path, "mem.conf");
	assert_string_equal(cfg->base, "t");
	assert_int_equal(cfg->session.set, BIT(CGH_PIDS_MAX) | BIT(CGH_OOM_GROUP));
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 7);
	cgh_config_free(cfg);

	assert_int_equal(cgh_config_from_text("mem.conf", "\nsession = { memroy_max = 1; };\n", PHYS,
					      &cfg, &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	expect_line(&diag, 0, "mem.conf:2: session: unknown setting 'memroy_max'");
	cgh_diag_free(&diag);

	assert_int_equal(cgh_config_from_text("mem.conf", "@include \"/etc/passwd\"\n", PHYS, &cfg,
					      &diag), -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	expect_line(&diag, 0,
		    "mem.conf:1: @include is not allowed (every file must pass the ownership checks)");
	cgh_diag_free(&diag);

	assert_int_equal(cgh_config_from_text("mem.conf", "base = ;\n", PHYS, &cfg, &diag), -EINVAL);
	assert_null(cfg);
	expect_line(&diag, 0, "mem.conf:1: syntax error");
	cgh_diag_free(&diag);
}

static void test_action_name(void **state)
{
	(void)state;
	assert_string_equal(cgh_action_name(CGH_ACTION_HERD), "herd");
	assert_string_equal(cgh_action_name(CGH_ACTION_IGNORE), "ignore");
}

static void test_free_null(void **state)
{
	struct cgh_diag diag = { 0 };

	(void)state;
	cgh_config_free(NULL);
	cgh_diag_free(&diag);
	assert_int_equal(diag.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_notices),
		cmocka_unit_test(test_every_top_level_key),
		cmocka_unit_test(test_percent_of_machine_memory),
		cmocka_unit_test(test_valid_edges),
		cmocka_unit_test(test_rule_defaults_and_match_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_multiple_errors_all_counted),
		cmocka_unit_test(test_diag_cap),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_very_deep_nesting),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_symlink),
		cmocka_unit_test(test_file_fifo),
		cmocka_unit_test(test_file_directory),
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_file_owner),
		cmocka_unit_test(test_file_too_big),
		cmocka_unit_test(test_file_max_size),
		cmocka_unit_test(test_file_nul_byte),
		cmocka_unit_test(test_args_override),
		cmocka_unit_test(test_args_conf),
		cmocka_unit_test(test_args_bad),
		cmocka_unit_test(test_args_long),
		cmocka_unit_test(test_args_and_file_errors),
		cmocka_unit_test(test_args_only_scalar_keys),
		cmocka_unit_test(test_args_one_setting_each),
		cmocka_unit_test(test_args_numeric_base),
		cmocka_unit_test(test_args_on_error),
		cmocka_unit_test(test_args_debug),
		cmocka_unit_test(test_from_text),
		cmocka_unit_test(test_action_name),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
