/* Unit tests for reading only a user's rules from the config cache
 * (cgh_config_select, cgh_config_group_names): for every config, user,
 * group set and service below, the cached config narrowed to one user
 * decides exactly as the parsed file; the narrowing really leaves rules
 * out; a damaged index is refused, never read out of bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_match.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define PHYS (8ull << 30)

/* Rules found by users, by groups, by neither; users with groups; a name
 * twice; a group named only by a rule that is found by its user. */
static const char mixed_conf[] =
	"rules = (\n"
	"  { name = \"sys\"; match = { uid = \"0-999\"; }; action = \"ignore\"; },\n"
	"  { name = \"alice-ssh\"; match = { user = [ \"alice\", \"carol\" ]; service = \"sshd\"; };\n"
	"    session = { pids_max = 11; }; },\n"
	"  { name = \"students\"; match = { group = [ \"students\", \"guests\" ]; };\n"
	"    session = { pids_max = 12; }; },\n"
	"  { name = \"alice-students\"; match = { user = \"alice\"; group = \"students\"; };\n"
	"    session = { pids_max = 13; }; },\n"
	"  { name = \"cron\"; match = { service = \"cron\"; }; session = { pids_max = 14; }; },\n"
	"  { name = \"bob\"; match = { user = \"bob\"; uid = \"2000-2999\"; };\n"
	"    session = { pids_max = 15; }; },\n"
	"  { name = \"staff\"; match = { group = \"staff\"; }; action = \"ignore\"; },\n"
	"  { name = \"alice-again\"; match = { user = \"alice\"; }; session = { pids_max = 16; }; },\n"
	"  { name = \"dup\"; match = { user = [ \"dave\", \"dave\" ]; group = \"x\"; };\n"
	"    user = { pids_max = 17; }; },\n"
	"  { name = \"everyone\"; session = { pids_max = 18; }; }\n"
	");\n";

static char many_conf[96 * 1024];

static const char *const confs[] = { "", mixed_conf, many_conf };

/* (char[]){ ... }: the identity's strings are not const */
static char *g_students[] = { (char[]){ "students" } };
static char *g_staff[] = { (char[]){ "staff" } };
static char *g_guests_staff[] = { (char[]){ "guests" }, (char[]){ "staff" } };
static char *g_x[] = { (char[]){ "x" } };
static char *g_many[] = { (char[]){ "g10" }, (char[]){ "g11" }, (char[]){ "g250" },
			  (char[]){ "students" } };

static const struct cgh_identity ids[] = {
	{ .user = (char[]){ "alice" }, .uid = 1000, .groups = g_students, .n_groups = 1 },
	{ .user = (char[]){ "alice" }, .uid = 1000 },
	{ .user = (char[]){ "bob" }, .uid = 2500, .groups = g_staff, .n_groups = 1 },
	{ .user = (char[]){ "bob" }, .uid = 1500 },
	{ .user = (char[]){ "carol" }, .uid = 3000, .groups = g_guests_staff, .n_groups = 2 },
	{ .user = (char[]){ "dave" }, .uid = 4000, .groups = g_x, .n_groups = 1 },
	{ .user = (char[]){ "erin" }, .uid = 50 },
	{ .user = (char[]){ "zed" }, .uid = 5000, .groups = g_students, .n_groups = 1 },
	{ .user = (char[]){ "n7" }, .uid = 5007, .groups = g_many, .n_groups = 4 },
	{ .user = (char[]){ "n299" }, .uid = 6000 },
};

static const char *const services[] = { "sshd", "cron", "login", "" };

static const struct cgh_cache_key key = { .ino = 7, .phys_mem = PHYS };

/* 300 rules alternating user and group names, some with uids and services. */
static void make_many(void)
{
	size_t used = (size_t)snprintf(many_conf, sizeof(many_conf), "rules = (\n");

	for (int i = 0; i < 300; i++)
		used += (size_t)snprintf(many_conf + used, sizeof(many_conf) - used,
					 "{ name = \"r%d\"; match = { %s = [ \"%s%d\" ]; %s };"
					 " session = { pids_max = %d; }; },\n",
					 i, i % 2 ? "user" : "group", i % 2 ? "n" : "g", i,
					 i % 3 ? "" : "service = \"sshd\";", i + 1);
	snprintf(many_conf + used, sizeof(many_conf) - used,
		 "{ name = \"last\"; match = { group = \"students\"; }; }\n);\n");
}

static struct cgh_config *parse(const char *text)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	assert_int_equal(cgh_config_from_text("t.conf", text, PHYS, &cfg, &diag), 0);
	cgh_diag_free(&diag);
	return cfg;
}

/* The image of text, opened into a fresh config: pending. */
static struct cgh_config *cached(const char *text, unsigned char **image, size_t *len)
{
	struct cgh_config *parsed = parse(text), *cfg = parse("");
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_cache_encode(parsed, &key, image, len), 0);
	assert_int_equal(cgh_cache_open(*image, *len, &key, cfg, &err), 0);
	assert_true(cgh_config_pending(cfg));
	cgh_config_free(parsed);
	return cfg;
}

static void same_decision(const struct cgh_decision *a, const struct cgh_decision *b)
{
	assert_true((a->rule == NULL) == (b->rule == NULL));
	if (a->rule != NULL) {
		assert_string_equal(a->rule->name, b->rule->name);
		assert_int_equal(a->rule->line, b->rule->line);
		assert_int_equal(a->index, b->index);
	}
	assert_int_equal(a->action, b->action);
	assert_memory_equal(&a->session, &b->session, sizeof(a->session));
	assert_memory_equal(&a->user, &b->user, sizeof(a->user));
}

static void test_decides_as_parsed(void **state)
{
	size_t narrowed = 0;

	(void)state;
	make_many();
	for (size_t c = 0; c < N_ELEMS(confs); c++) {
		struct cgh_config *parsed = parse(confs[c]);

		for (size_t i = 0; i < N_ELEMS(ids); i++) {
			unsigned char *image = NULL;
			size_t len = 0;
			struct cgh_config *cfg = cached(confs[c], &image, &len);
			struct cgh_error err = { 0 };

			assert_int_equal(cgh_config_select(cfg, &ids[i], &err), 0);
			assert_false(cgh_config_pending(cfg));
			assert_true(cfg->n_rules <= parsed->n_rules);
			narrowed += cfg->n_rules < parsed->n_rules;
			for (size_t s = 0; s < N_ELEMS(services); s++) {
				struct cgh_decision want, got;

				cgh_decide(parsed, &ids[i], services[s], &want);
				cgh_decide(cfg, &ids[i], services[s], &got);
				same_decision(&want, &got);
			}
			/* selected in file order */
			for (size_t k = 1; k < cfg->n_rules; k++)
				assert_true(cfg->rules[k - 1].index < cfg->rules[k].index);
			cgh_config_free(cfg);
			free(image);
		}
		cgh_config_free(parsed);
	}
	/* the point of it: most users get a few of the rules */
	assert_true(narrowed >= 2 * N_ELEMS(ids) - 2);
}

static void test_selection_is_narrow(void **state)
{
	unsigned char *image = NULL;
	size_t len = 0;
	struct cgh_config *cfg = cached(mixed_conf, &image, &len);
	struct cgh_error err = { 0 };
	const char *want[] = { "sys", "alice-ssh", "students", "alice-students", "cron",
			       "alice-again", "everyone" };

	(void)state;
	assert_int_equal(cgh_config_select(cfg, &ids[0], &err), 0);
	assert_int_equal(cfg->n_rules, N_ELEMS(want));
	for (size_t k = 0; k < N_ELEMS(want); k++)
		assert_string_equal(cfg->rules[k].name, want[k]);
	/* a second call changes nothing */
	assert_int_equal(cgh_config_select(cfg, &ids[2], &err), 0);
	assert_int_equal(cfg->n_rules, N_ELEMS(want));
	cgh_config_free(cfg);
	free(image);
}

static void test_group_names(void **state)
{
	unsigned char *image = NULL;
	size_t len = 0;
	struct cgh_config *cfg = cached(mixed_conf, &image, &len);
	struct cgh_config *parsed = parse(mixed_conf);
	const char *names[8];
	const char *sorted[] = { "guests", "staff", "students", "x" };

	(void)state;
	/* each once, sorted, "x" too (its rule is found by its user) */
	assert_int_equal(cgh_config_group_names(cfg, names, N_ELEMS(names)), N_ELEMS(sorted));
	for (size_t i = 0; i < N_ELEMS(sorted); i++)
		assert_string_equal(names[i], sorted[i]);
	/* fewer room than names: the count says so */
	assert_int_equal(cgh_config_group_names(cfg, names, 2), N_ELEMS(sorted));
	/* a parsed config: in rule order, repeats included */
	assert_int_equal(cgh_config_group_names(parsed, names, N_ELEMS(names)), 5);
	assert_string_equal(names[0], "students");
	assert_string_equal(names[4], "x");
	cgh_config_free(parsed);
	cgh_config_free(cfg);
	free(image);
}

/* ---- a damaged index ---------------------------------------------------- */

struct sections {
	size_t index_at, postings_at;
	struct cgh_cache_header h;
};

static struct sections sections_of(const unsigned char *image)
{
	struct sections s;

	struct cgh_cache_sections at;

	memcpy(&s.h, image, sizeof(s.h));
	cgh_cache_sections(&s.h, &at);
	s.index_at = at.index;
	s.postings_at = at.postings;
	return s;
}

enum damage { BAD_RULE_NUMBER, BAD_NAME, BAD_LIST, N_DAMAGE };

static void damage(unsigned char *image, enum damage d)
{
	struct sections s = sections_of(image);
	struct cgh_cache_index e;
	const uint32_t big = UINT32_MAX - 1;

	/* entry 0: "alice", the first user name */
	memcpy(&e, image + s.index_at, sizeof(e));
	switch (d) {
	case BAD_RULE_NUMBER:
		memcpy(image + s.postings_at + (size_t)e.rules.first * 4, &big, 4);
		break;
	case BAD_NAME:
		e.name.off = s.h.pool_len;
		break;
	case BAD_LIST:
		e.rules.n = s.h.n_postings + 1;
		break;
	default:
		fail();
	}
	if (d != BAD_RULE_NUMBER)
		memcpy(image + s.index_at, &e, sizeof(e));
}

static void test_damaged_index(void **state)
{
	(void)state;
	for (int d = 0; d < N_DAMAGE; d++) {
		unsigned char *image = NULL;
		size_t len = 0;
		struct cgh_config *cfg = cached(mixed_conf, &image, &len);
		struct cgh_config *again = parse("");
		struct cgh_error err = { 0 };

		damage(image, (enum damage)d);
		assert_int_equal(cgh_cache_open(image, len, &key, again, &err), 0);
		assert_int_equal(cgh_config_select(again, &ids[0], &err), -EINVAL);
		assert_non_null(strstr(err.msg, "refused: "));
		assert_true(cgh_config_pending(again));
		assert_int_equal(again->n_rules, 0);
		cgh_config_free(again);
		cgh_config_free(cfg);
		free(image);
	}
}

static void test_others_out_of_bounds(void **state)
{
	unsigned char *image = NULL;
	size_t len = 0;
	struct cgh_config *cfg = cached(mixed_conf, &image, &len);
	struct cgh_config *again = parse("");
	struct cgh_error err = { 0 };
	struct cgh_cache_header h;

	(void)state;
	memcpy(&h, image, sizeof(h));
	h.others.first = h.n_postings;
	h.others.n = 1;
	memcpy(image, &h, sizeof(h));
	assert_int_equal(cgh_cache_seal(image, len, &key), 0);
	assert_int_equal(cgh_cache_open(image, len, &key, again, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "others"));
	cgh_config_free(again);
	cgh_config_free(cfg);
	free(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decides_as_parsed),
		cmocka_unit_test(test_selection_is_narrow),
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_damaged_index),
		cmocka_unit_test(test_others_out_of_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
