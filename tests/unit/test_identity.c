/* User lookup through NSS, with hostile names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cgh_identity.h"

static void test_root(void **state)
{
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };
	bool has_root = false;

	(void)state;
	assert_int_equal(cgh_identity_lookup("root", &id, &err), 0);
	assert_string_equal(id->user, "root");
	assert_int_equal(id->uid, 0);
	for (size_t i = 0; i < id->n_groups; i++)
		has_root |= strcmp(id->groups[i], "root") == 0;
	assert_true(has_root);
	cgh_identity_free(id);
}

/* Only the wanted names the user is in; none wanted, no group looked up. */
static void test_wanted_groups(void **state)
{
	const char *wanted[] = { "no-such-group-cgherd", "root", "root" };
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };
	bool has_root = false;

	(void)state;
	assert_int_equal(cgh_identity_lookup_wanted("root", wanted, 0, &id, &err), 0);
	assert_int_equal(id->n_groups, 0);
	assert_int_equal(id->uid, 0);
	cgh_identity_free(id);
	assert_int_equal(cgh_identity_lookup_wanted("root", wanted, 3, &id, &err), 0);
	for (size_t i = 0; i < id->n_groups; i++)
		has_root |= strcmp(id->groups[i], "root") == 0;
	assert_true(has_root);
	assert_false(cgh_identity_in_group(id, "no-such-group-cgherd"));
	cgh_identity_free(id);
	assert_int_equal(cgh_identity_lookup_wanted("no-such-user-cgherd", wanted, 3, &id, &err),
			 -ENOENT);
}

static void test_unknown(void **state)
{
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };

	(void)state;
	assert_int_equal(cgh_identity_lookup("no-such-user-cgherd", &id, &err), -ENOENT);
	assert_null(id);
	assert_string_equal(err.msg, "unknown user \"no-such-user-cgherd\"");
}

static void test_hostile_names(void **state)
{
	char longname[301];
	const char *const bad[] = { "", "a/b", "../../etc", "x\ny", "tab\there", "root:x", longname };

	(void)state;
	memset(longname, 'a', 300);
	longname[300] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cgh_identity *id = NULL;
		struct cgh_error err = { 0 };
		assert_int_equal(cgh_identity_lookup(bad[i], &id, &err), -EINVAL);
		assert_null(id);
		assert_null(strchr(err.msg, '\n'));
	}
}

static void test_dotdot_is_just_unknown(void **state)
{
	struct cgh_identity *id = NULL;
	struct cgh_error err = { 0 };

	(void)state;
	assert_int_equal(cgh_identity_lookup("..", &id, &err), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_wanted_groups),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_dotdot_is_just_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
