/* Unit tests: finding a mount point and its options in mountinfo text. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgh_mountinfo.h"

static const char hybrid[] =
	"22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"40 28 0:35 / /mnt/with\\040space rw,relatime shared:20 - cgroup2 none rw,nsdelegate,favordynmods\n";

static const char pure[] =
	"30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	"31 1 0:26 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate,favordynmods\n";

/* cgh_mountinfo_find on text, as if read from /proc/self/mountinfo */
static int find(const char *text, const char *mount_point, char *type, size_t type_len,
		char *opts, size_t opts_len)
{
	char *copy = strdup(text);
	FILE *f = copy != NULL ? fmemopen(copy, strlen(copy), "r") : NULL;
	int r;

	assert_non_null(f);
	r = cgh_mountinfo_find(f, mount_point, type, type_len, opts, opts_len);
	fclose(f);
	free(copy);
	return r;
}

static void test_finds_the_mount_and_its_super_options(void **state)
{
	char type[32], opts[128];

	(void)state;
	assert_int_equal(find(hybrid, "/sys/fs/cgroup/unified", type, sizeof(type),
					    opts, sizeof(opts)), 0);
	assert_string_equal(type, "cgroup2");
	assert_string_equal(opts, "rw,nsdelegate");
	assert_int_equal(find(hybrid, "/sys/fs/cgroup", type, sizeof(type), opts,
					    sizeof(opts)), 0);
	assert_string_equal(type, "tmpfs");
}

static void test_not_a_mount_point(void **state)
{
	char type[32], opts[128];

	(void)state;
	assert_int_equal(find(hybrid, "/sys/fs", type, sizeof(type), opts,
					    sizeof(opts)), -ENOENT);
	assert_int_equal(find("", "/", type, sizeof(type), opts, sizeof(opts)), -ENOENT);
	assert_int_equal(find("garbage\n\n1 2\n", "/", type, sizeof(type), opts,
					    sizeof(opts)), -ENOENT);
}

static void test_escaped_mount_point(void **state)
{
	char type[32], opts[128];

	(void)state;
	assert_int_equal(find(hybrid, "/mnt/with space", type, sizeof(type), opts,
					    sizeof(opts)), 0);
	assert_true(cgh_mount_option_has(opts, "favordynmods"));
}

/* mount -o remount,favordynmods: the later line is the one in effect */
static void test_last_mount_wins(void **state)
{
	char type[32], opts[128];

	(void)state;
	assert_int_equal(find(pure, "/sys/fs/cgroup", type, sizeof(type), opts,
					    sizeof(opts)), 0);
	assert_string_equal(opts, "rw,nsdelegate,favordynmods");
}

static void test_option_has(void **state)
{
	(void)state;
	assert_true(cgh_mount_option_has("rw,nsdelegate,favordynmods", "favordynmods"));
	assert_true(cgh_mount_option_has("favordynmods", "favordynmods"));
	assert_true(cgh_mount_option_has("rw,nsdelegate", "rw"));
	assert_false(cgh_mount_option_has("rw,nsdelegate", "favordynmod"));
	assert_false(cgh_mount_option_has("rw,favordynmodsx", "favordynmods"));
	assert_false(cgh_mount_option_has("", "rw"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_the_mount_and_its_super_options),
		cmocka_unit_test(test_not_a_mount_point),
		cmocka_unit_test(test_escaped_mount_point),
		cmocka_unit_test(test_last_mount_wins),
		cmocka_unit_test(test_option_has),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
