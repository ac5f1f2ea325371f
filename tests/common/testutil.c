#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

void capture_log(void *arg, int priority, const char *line)
{
	struct log_capture *c = arg;
	size_t used = strlen(c->text);

	snprintf(c->text + used, sizeof(c->text) - used, "%d %s\n", priority, line);
}

void capture_log_file(void *arg, int priority, const char *line)
{
	int fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		dprintf(fd, "%d %s\n", priority, line);
		close(fd);
	}
}

const char *write_temp_config(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/cgherd-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	return path;
}

struct cgh_config *config_from_text(const char *text, const char *root)
{
	char buf[8192];
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	const char *path;

	snprintf(buf, sizeof(buf), "cgroup_root = \"%s\";\n%s", root ? root : "/sys/fs/cgroup", text);
	path = write_temp_config(buf);
	int r = cgh_config_load(path, 0, NULL, 4ull << 30, &cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		print_error("config: %s\n", diag.lines[i]);
	unlink(path);
	cgh_diag_free(&diag);
	assert_int_equal(r, 0);
	return cfg;
}

struct cgh_config *config_text_ok(const char *text)
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

void config_text_error(const char *text, const char *want)
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

struct cgh_identity *make_identity(const char *name, unsigned uid, const char *const *groups)
{
	struct cgh_identity *id = calloc(1, sizeof(*id));
	size_t n = 0;

	assert_non_null(id);
	while (groups != NULL && groups[n] != NULL)
		n++;
	id->user = strdup(name);
	id->uid = uid;
	id->gid = uid;
	id->groups = calloc(n + 1, sizeof(*id->groups));
	assert_non_null(id->groups);
	for (size_t i = 0; i < n; i++)
		id->groups[id->n_groups++] = strdup(groups[i]);
	cgh_identity_sort_groups(id);
	return id;
}
