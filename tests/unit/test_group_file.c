/* Unit tests for lib/core/group_file.c: which nsswitch.conf texts let the
 * module read /etc/group itself, and the names one pass over a group file
 * gives (first line of a gid wins, long lines, missing gids), checked
 * against getgrgid_r on this machine's own /etc/group. */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgh_group_file.h"
#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void test_nsswitch_lines(void **state)
{
	static const struct { const char *text; bool files_first; } cases[] = {
		{ "group: files systemd\n", true },
		{ "group:files", true },
		{ "  group:\tfiles\n", true },
		{ "passwd: sss\ngshadow: files\ngroup: files # a comment [x]\n", true },
		{ "group: files [NOTFOUND=return] sss\n", false },
		{ "group: files [SUCCESS=merge] sss\n", false },
		{ "group: sss files\n", false },
		{ "group: compat\n", false },
		{ "group: filesystem\n", false },
		{ "group:\n", false },
		{ "# group: files\n", false },
		{ "groups: files\n", false },
		{ "group: files\ngroup: sss\n", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		if (cgh_nss_files_first(cases[i].text, "group") != cases[i].files_first)
			fail_msg("case %zu: \"%s\"", i, cases[i].text);
	}
	assert_false(cgh_nss_files_first_at("/nonexistent/nsswitch.conf", "group"));
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		names[i] = NULL;
	}
}

static void test_names_from_a_file(void **state)
{
	static char text[8192];
	const gid_t gids[] = { 200, 100, 999, 400, 100, 300 };
	char *names[N_ELEMS(gids)] = { NULL };
	size_t used;
	const char *path;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text),
				"a:x:100:\nb:x:200:u1,u2\nc:x:100:\n#d:x:300:\n\nlong:x:400:");
	for (int i = 0; i < 600; i++)	/* a line past the first buffer */
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%su%03d",
					 i ? "," : "", i);
	snprintf(text + used, sizeof(text) - used, "\ne:x:500:\n");
	path = write_temp_config(text);
	assert_int_equal(cgh_group_file_names(path, gids, N_ELEMS(gids), names), 0);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "a");	/* the first line of gid 100 */
	assert_null(names[2]);
	assert_string_equal(names[3], "long");
	assert_string_equal(names[4], "a");
	assert_null(names[5]);			/* a comment is no group */
	free_names(names, N_ELEMS(gids));
	assert_int_equal(cgh_group_file_names("/nonexistent/group", gids, N_ELEMS(gids), names),
			 -ENOENT);
	assert_int_equal(cgh_group_file_names(path, gids, 0, names), 0);
	unlink(path);
}

/* This machine's /etc/group, read in one pass, names every gid it holds as
 * NSS does (when NSS reads it first, as on Debian). */
static void test_same_names_as_nss(void **state)
{
	gid_t gids[256];
	char *names[256] = { NULL };
	size_t n = 0, named = 0;
	struct group *g;

	(void)state;
	if (!cgh_nss_files_first_at(CGH_NSSWITCH_CONF, "group"))
		skip_because("nsswitch.conf's group: line does not start with files as the test needs");
	setgrent();
	while (n < N_ELEMS(gids) && (g = getgrent()) != NULL)
		gids[n++] = g->gr_gid;
	endgrent();
	assert_true(n > 0);
	assert_int_equal(cgh_group_file_names(CGH_GROUP_FILE, gids, n, names), 0);
	for (size_t i = 0; i < n; i++) {
		struct group gr, *found = NULL;
		char buf[65536];

		assert_int_equal(getgrgid_r(gids[i], &gr, buf, sizeof(buf), &found), 0);
		assert_non_null(found);
		if (names[i] == NULL)	/* not in the file: another source's */
			continue;
		assert_string_equal(names[i], gr.gr_name);
		named++;
	}
	assert_true(named > 0);
	free_names(names, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsswitch_lines),
		cmocka_unit_test(test_names_from_a_file),
		cmocka_unit_test(test_same_names_as_nss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
