#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakefs.h"

struct fake_state fake;

static const struct { const char *name, *text; } control_files[] = {
	{ "cgroup.procs", "" },
	{ "cgroup.events", "populated 0\nfrozen 0\n" },
	{ "cgroup.controllers", "cpu memory pids\n" },
	{ "cgroup.stat", "nr_descendants 0\nnr_dying_descendants 0\n" },
	{ "cgroup.subtree_control", "" },
	{ "cgroup.kill", "" },
	{ "memory.max", "max\n" },
	{ "memory.high", "max\n" },
	{ "memory.swap.max", "max\n" },
	{ "memory.oom.group", "0\n" },
	{ "memory.current", "0\n" },
	{ "memory.peak", "0\n" },
	{ "memory.stat", "anon 0\nfile 0\n" },
	{ "memory.reclaim", "" },
	{ "memory.pressure", "" },
	{ "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n" },
	{ "cpu.max", "max 100000\n" },
	{ "cpu.weight", "100\n" },
	{ "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n" },
	{ "pids.max", "max\n" },
	{ "pids.current", "0\n" },
};

static void record(const char *op, const char *path)
{
	if (fake.n_log < FAKE_LOG_MAX)
		snprintf(fake.log[fake.n_log++], sizeof(fake.log[0]), "%s %s", op, path);
}

static int injected(const char *op, const char *path)
{
	if (fake.fail_count == 0 || strcmp(fake.fail_op, op) != 0 ||
	    strstr(path, fake.fail_path) == NULL)
		return 0;
	if (fake.fail_count > 0)
		fake.fail_count--;
	return -fake.fail_errno;
}

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.magic = CGH_CGROUP2_MAGIC;
}

void fake_fail(const char *op, const char *path, int err, int count)
{
	snprintf(fake.fail_op, sizeof(fake.fail_op), "%s", op);
	snprintf(fake.fail_path, sizeof(fake.fail_path), "%s", path);
	fake.fail_errno = err;
	fake.fail_count = count;
}

static int put_at(int at, const char *name, const char *text)
{
	int fd = openat(at, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -EIO;
	close(fd);
	return r;
}

static int populate(int at)
{
	for (size_t i = 0; i < sizeof(control_files) / sizeof(control_files[0]); i++) {
		int r = put_at(at, control_files[i].name, control_files[i].text);
		if (r < 0)
			return r;
	}
	return 0;
}

static int fake_open_root(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int fake_mkdirat(int at, const char *path)
{
	int r = injected("mkdir", path);
	int fd;

	record("mkdir", path);
	if (r < 0)
		return r;
	if (mkdirat(at, path, 0755) < 0)
		return -errno;
	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = populate(fd);
	close(fd);
	return r;
}

static bool is_populated(int fd)
{
	char text[128] = "";
	int efd = openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC);

	if (efd >= 0) {
		ssize_t n = read(efd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = '\0';
		close(efd);
	}
	return strstr(text, "populated 1") != NULL;
}

/* Like the kernel: EBUSY while populated or with child cgroups. */
static int remove_cgroup(int at, const char *path)
{
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (is_populated(fd)) {
		close(fd);
		return -EBUSY;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = -EBUSY;
	rewinddir(d);
	while (r == 0 && (de = readdir(d)) != NULL)
		if (de->d_type == DT_REG)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (r == 0 && unlinkat(at, path, AT_REMOVEDIR) < 0)
		r = -errno;
	return r;
}

static int fake_rmdirat(int at, const char *path)
{
	int r = injected("rmdir", path);

	record("rmdir", path);
	return r < 0 ? r : remove_cgroup(at, path);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The directory part of path ("a/b/file" -> "a/b"). */
static void dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	snprintf(out, len, "%.*s", (int)n, path);
}

/* How many cgroups are below the directory fd (closed). */
static unsigned count_descendants(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		int sub;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		n += 1 + (sub >= 0 ? count_descendants(sub) : 0);
	}
	closedir(d);
	return n;
}

/* Like the kernel's: cgroup.stat says how many cgroups are below. */
static void refresh_stat(int at, const char *path)
{
	char dir[PATH_MAX], text[64];
	int fd;

	if (!ends_with(path, "cgroup.stat"))
		return;
	dir_of(path, dir, sizeof(dir));
	fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(text, sizeof(text), "nr_descendants %u\nnr_dying_descendants 0\n",
		 count_descendants(fd));
	put_at(at, path, text);
}

/* Like the kernel: "+cpu -pids" changes the set, which reads back as the
 * names in the kernel's order, without signs. */
static int apply_controllers(int at, const char *path, const char *change)
{
	static const char *const order[] = { "cpu", "memory", "pids" };
	char now[256] = "", word[32], out[256] = "";
	bool on[3];
	int fd = openat(at, path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, now, sizeof(now) - 1);
		now[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(word, sizeof(word), "%s", order[i]);
		on[i] = strstr(now, word) != NULL;
	}
	for (const char *p = change; sscanf(p, " %31s", word) == 1; p = strstr(p, word) + strlen(word))
		for (size_t i = 0; i < 3; i++)
			if (strcmp(word + 1, order[i]) == 0)
				on[i] = word[0] == '+';
	for (size_t i = 0; i < 3; i++)
		if (on[i])
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
				 out[0] ? " " : "", order[i]);
	strcat(out, "\n");
	return put_at(at, path, out);
}

static int fake_openat(int at, const char *path, int flags)
{
	int r = injected("read", path);
	int fd;

	if (!(flags & O_DIRECTORY))
		record("read", path);
	if (r < 0)
		return r;
	refresh_stat(at, path);
	fd = openat(at, path, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

const char *fake_where(int pid)
{
	for (int i = 0; i < fake.n_procs; i++)
		if (fake.procs[i].pid == pid)
			return fake.procs[i].dir;
	return "/";
}

static int read_at(int at, const char *path, char *buf, size_t len)
{
	int fd = openat(at, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return 0;
}

/* Rewrites dir's cgroup.procs without pid (or with it, at the end), and
 * populated to match. */
static void set_member(int at, const char *dir, int pid, bool member)
{
	char path[PATH_MAX], procs[4096] = "", out[4096] = "";
	size_t used = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	read_at(at, path, procs, sizeof(procs));
	for (char *line = strtok(procs, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (atoi(line) != pid)
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s\n", line);
	if (member)
		snprintf(out + used, sizeof(out) - used, "%d\n", pid);
	put_at(at, path, out);
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	put_at(at, path, out[0] ? "populated 1\nfrozen 0\n" : "populated 0\nfrozen 0\n");
}

static void move_pid(int at, const char *dir, int pid)
{
	const char *from = fake_where(pid);
	int i;

	set_member(at, strcmp(from, "/") == 0 ? "." : from + 1, pid, false);
	set_member(at, dir, pid, true);
	for (i = 0; i < fake.n_procs && fake.procs[i].pid != pid; i++)
		;
	if (i == fake.n_procs && fake.n_procs < 32)
		fake.n_procs++;
	fake.procs[i].pid = pid;
	snprintf(fake.procs[i].dir, sizeof(fake.procs[i].dir), "/%.150s", strcmp(dir, ".") ? dir : "");
}

static void kill_all(int at, const char *dir)
{
	char path[PATH_MAX];

	for (int i = 0; i < fake.n_procs; i++)
		if (strcmp(fake.procs[i].dir + 1, dir) == 0)
			fake.procs[i] = fake.procs[--fake.n_procs];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	put_at(at, path, "");
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	put_at(at, path, "populated 0\nfrozen 0\n");
}

static int fake_write_file(int at, const char *path, const char *text)
{
	char dir[PATH_MAX - 16];
	int r = injected("write", path);
	int fd;

	record("write", path);
	if (r < 0)
		return r;
	fd = openat(at, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);	/* must exist */
	if (fd < 0)
		return -errno;
	close(fd);
	dir_of(path, dir, sizeof(dir));
	if (ends_with(path, "/cgroup.procs"))
		move_pid(at, dir, atoi(text));
	else if (ends_with(path, "cgroup.subtree_control"))
		r = apply_controllers(at, path, text);
	else if (ends_with(path, "/cgroup.kill"))
		kill_all(at, dir);
	else
		r = put_at(at, path, text);
	return r;
}

static int fake_fs_magic(int fd, long *magic)
{
	(void)fd;
	int r = injected("magic", "");

	*magic = fake.magic;
	return r;
}

static int fake_proc_cgroup(pid_t pid, char *buf, size_t len)
{
	int r = injected("where", "");

	if (r == 0)
		snprintf(buf, len, "%s", fake_where((int)pid));
	return r;
}

static int fake_kill(pid_t pid, int sig)
{
	char what[32];

	snprintf(what, sizeof(what), "%d/%d", (int)pid, sig);
	record("kill", what);
	return injected("kill", what);
}

static void xattr_file(const char *path, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/.xattr-%s", path, name);
}

static int fake_setxattr(int at, const char *path, const char *name, const char *value)
{
	char file[PATH_MAX];
	int r = injected("setxattr", path);

	record("setxattr", path);
	if (r < 0)
		return r;
	xattr_file(path, name, file, sizeof(file));
	return put_at(at, file, value);
}

static int fake_getxattr(int at, const char *path, const char *name, char *buf, size_t len)
{
	char file[PATH_MAX];
	int fd;
	ssize_t n;

	xattr_file(path, name, file, sizeof(file));
	fd = openat(at, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODATA : -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -EIO : (int)n;
}

static int fake_proc_rss(pid_t pid, uint64_t *rss, char *comm, size_t len)
{
	for (int i = 0; i < fake.n_mem; i++) {
		if (fake.mem[i].pid != (int)pid)
			continue;
		*rss = fake.mem[i].rss;
		snprintf(comm, len, "%s", fake.mem[i].comm);
		return 0;
	}
	return -ENOENT;
}

static int fake_proc_tty(pid_t pid, uint64_t *tty_nr)
{
	for (int i = 0; i < fake.n_ttys; i++) {
		if (fake.ttys[i].pid == (int)pid) {
			*tty_nr = fake.ttys[i].tty_nr;
			return 0;
		}
	}
	return -ENOENT;
}

static int fake_proc_login_shell(pid_t pid)
{
	for (int i = 0; i < fake.n_login_shells; i++)
		if (fake.login_shells[i] == (int)pid)
			return 1;
	return 0;
}

static const struct cgh_sys fake_sys = {
	.open_root = fake_open_root,
	.mkdirat = fake_mkdirat,
	.rmdirat = fake_rmdirat,
	.openat = fake_openat,
	.write_file = fake_write_file,
	.fs_magic = fake_fs_magic,
	.proc_cgroup = fake_proc_cgroup,
	.kill = fake_kill,
	.setxattr = fake_setxattr,
	.getxattr = fake_getxattr,
	.proc_rss = fake_proc_rss,
	.proc_tty = fake_proc_tty,
	.proc_login_shell = fake_proc_login_shell,
};

const struct cgh_sys *cgh_test_sys(void)
{
	static bool ready;

	if (!ready) {	/* the fake module starts with the default emulation */
		if (fake.magic == 0)
			fake_reset();
		ready = true;
	}
	return &fake_sys;
}

const char *cgh_test_cache_dir(void)
{
	return getenv("CGHERD_TEST_CACHE_DIR");
}

const char *cgh_test_notice_dir(void)
{
	const char *dir = getenv("CGHERD_TEST_NOTICE_DIR");

	return dir != NULL ? dir : "/nonexistent/cgherd-test-notices";
}

int fake_make_root(char *out, size_t len, const char *controllers)
{
	char tmpl[] = "/tmp/cgherd-test-XXXXXX";
	int fd, r;

	if (mkdtemp(tmpl) == NULL)
		return -errno;
	snprintf(out, len, "%s", tmpl);
	fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = populate(fd);
	if (r == 0 && controllers != NULL)
		r = put_at(fd, "cgroup.controllers", controllers);
	close(fd);
	return r;
}

static void remove_tree_at(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		unlinkat(at, name, 0);
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR)
			remove_tree_at(dirfd(d), de->d_name);
		else
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	unlinkat(at, name, AT_REMOVEDIR);
}

void fake_remove_root(const char *root)
{
	remove_tree_at(AT_FDCWD, root);
}

int fake_logged(const char *entry)
{
	for (int i = 0; i < fake.n_log; i++)
		if (strcmp(fake.log[i], entry) == 0)
			return i;
	return -1;
}

int fake_put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return put_at(AT_FDCWD, path, text);
}

int fake_get(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}
