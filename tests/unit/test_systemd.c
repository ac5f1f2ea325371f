/* The pure parts of the systemd backend: logind scope paths and the unit
 * properties that stand for the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cgh_systemd.h"
#include "cgh_value.h"

static void test_scope_paths(void **state)
{
	struct cgh_logind_scope s;

	(void)state;
	assert_true(cgh_logind_scope_parse("/user.slice/user-1000.slice/session-4.scope", &s));
	assert_string_equal(s.scope, "session-4.scope");
	assert_string_equal(s.slice, "user-1000.slice");
	assert_int_equal(s.uid, 1000);
	assert_true(cgh_logind_scope_parse("user.slice/user-0.slice/session-c12.scope", &s));
	assert_string_equal(s.scope, "session-c12.scope");

	const char *const bad[] = {
		"/", "/init.scope", "/user.slice", "/user.slice/user-1000.slice",
		"/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope",
		"/user.slice/user-1000.slice/session-4.scope/sub",
		"/user.slice/user-.slice/session-4.scope", "/user.slice/user-x.slice/session-4.scope",
		"/user.slice/user-1000.slice/session-.scope", "/user.slice/user-1000.slice/session-4/.scope",
		"/user.slice/user-1000.slice/session-a b.scope", "/system.slice/ssh.service",
		"/cgherd/user-1000/session-42", "/user.slice/user-4294967295.slice/session-1.scope",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cgh_logind_scope_parse(bad[i], &s))
			fail_msg("accepted %s", bad[i]);
}

static void test_properties(void **state)
{
	struct cgh_limits l = { 0 };
	struct cgh_unit_property p[CGH_MAX_UNIT_PROPERTIES];
	size_t n;

	(void)state;
	cgh_limits_set(&l, CGH_MEMORY_MAX, 524288000);
	cgh_limits_set(&l, CGH_MEMORY_SWAP_MAX, 0);
	cgh_limits_set(&l, CGH_CPU_MAX, 20000);
	l.cpu_period = 100000;
	cgh_limits_set(&l, CGH_PIDS_MAX, CGH_UNLIMITED);
	cgh_limits_set(&l, CGH_OOM_GROUP, 1);
	n = cgh_unit_properties(&l, p);
	assert_int_equal(n, 5);
	assert_string_equal(p[0].name, "MemoryMax");
	assert_int_equal(p[0].value, 524288000);
	assert_string_equal(p[1].name, "MemorySwapMax");
	assert_int_equal(p[1].value, 0);
	assert_string_equal(p[2].name, "TasksMax");
	assert_true(p[2].value == UINT64_MAX);
	assert_string_equal(p[3].name, "CPUQuotaPerSecUSec");
	assert_int_equal(p[3].value, 200000);	/* 20% of a second */
	assert_string_equal(p[4].name, "CPUQuotaPeriodUSec");
	assert_int_equal(p[4].value, 100000);
}

static void test_properties_all_keys(void **state)
{
	struct cgh_limits l = { 0 };
	struct cgh_unit_property p[CGH_MAX_UNIT_PROPERTIES];

	(void)state;
	for (int k = 0; k < CGH_N_LIMITS; k++)
		cgh_limits_set(&l, (enum cgh_limit_key)k, k == CGH_CPU_MAX ? CGH_UNLIMITED : 7);
	l.cpu_period = 50000;
	assert_int_equal(cgh_unit_properties(&l, p), 7);
	assert_string_equal(p[5].name, "CPUQuotaPerSecUSec");
	assert_true(p[5].value == UINT64_MAX);
	assert_int_equal(p[6].value, 50000);
	assert_int_equal(cgh_unit_properties(&(struct cgh_limits){ 0 }, p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_paths),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_properties_all_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
