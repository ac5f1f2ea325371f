#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cgh_cgroupfs.h"
#include "cgh_mountinfo.h"
#include "cgh_value.h"

#define TMPFS_MAGIC_VALUE 0x01021994L
#define POLL_STEP_NS 2000000L
#define KILL_ROUNDS 50

/* ---- the real calls --------------------------------------------------- */

static int real_open_root(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int real_mkdirat(int dirfd, const char *path)
{
	return mkdirat(dirfd, path, 0755) < 0 ? -errno : 0;
}

static int real_rmdirat(int dirfd, const char *path)
{
	return unlinkat(dirfd, path, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int real_openat(int dirfd, const char *path, int flags)
{
	int fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

static int real_write_file(int dirfd, const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = real_openat(dirfd, path, O_WRONLY);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return fd;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

static int real_fs_magic(int fd, long *magic)
{
	struct statfs st;

	if (fstatfs(fd, &st) < 0)
		return -errno;
	*magic = (long)st.f_type;
	return 0;
}

static int read_fd(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (int)got;
}

/* /proc/PID/NAME into text (NUL-terminated); -errno. */
static int read_proc(pid_t pid, const char *name, char *text, size_t len)
{
	char path[64];
	int fd, r;

	text[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_fd(fd, text, len);
	close(fd);
	return r < 0 ? r : 0;
}

static int real_proc_cgroup(pid_t pid, char *buf, size_t len)
{
	char text[4096];
	int r = read_proc(pid, "cgroup", text, sizeof(text));

	return r < 0 ? r : cgh_proc_cgroup_v2(text, buf, len);
}

static int real_kill(pid_t pid, int sig)
{
	return kill(pid, sig) < 0 ? -errno : 0;
}

/* The xattr calls take a path: reach the directory through its fd. */
static void fd_path(int dirfd, const char *path, char *out, size_t len)
{
	snprintf(out, len, "/proc/self/fd/%d/%s", dirfd, path);
}

static int real_setxattr(int dirfd, const char *path, const char *name, const char *value)
{
	char p[PATH_MAX];

	fd_path(dirfd, path, p, sizeof(p));
	return lsetxattr(p, name, value, strlen(value), 0) < 0 ? -errno : 0;
}

static int real_getxattr(int dirfd, const char *path, const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;

	fd_path(dirfd, path, p, sizeof(p));
	n = lgetxattr(p, name, buf, len);
	return n < 0 ? -errno : (int)n;
}

static int real_proc_rss(pid_t pid, uint64_t *rss, char *comm, size_t len)
{
	char text[4096];
	int r = read_proc(pid, "status", text, sizeof(text));

	return r < 0 ? r : cgh_proc_status(text, rss, comm, len);
}

static int real_proc_tty(pid_t pid, uint64_t *tty_nr)
{
	char text[1024];
	int r = read_proc(pid, "stat", text, sizeof(text));

	return r < 0 ? r : cgh_proc_stat_tty(text, tty_nr);
}

static int real_proc_login_shell(pid_t pid)
{
	char text[2];
	int r = read_proc(pid, "cmdline", text, sizeof(text));

	return r < 0 ? r : text[0] == '-';
}

static int real_mount_options(const char *mount_point, char *buf, size_t len)
{
	char type[32];

	return cgh_mount_lookup(mount_point, type, sizeof(type), buf, len);
}

const struct cgh_sys cgh_sys_real = {
	.open_root = real_open_root,
	.mkdirat = real_mkdirat,
	.rmdirat = real_rmdirat,
	.openat = real_openat,
	.write_file = real_write_file,
	.fs_magic = real_fs_magic,
	.proc_cgroup = real_proc_cgroup,
	.kill = real_kill,
	.setxattr = real_setxattr,
	.getxattr = real_getxattr,
	.proc_rss = real_proc_rss,
	.proc_tty = real_proc_tty,
	.proc_login_shell = real_proc_login_shell,
#ifndef CGH_NO_REAPER	/* bench/: close as before the reaper, for comparison */
	.pidfd_open = cgh_pidfd_open,
	.spawn_detached = cgh_spawn_detached,
#endif
	.mount_options = real_mount_options,
};

/* ---- pure helpers ----------------------------------------------------- */

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl != NULL ? nl + 1 : NULL;
}

int cgh_keyed_value(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0'; p = next_line(p)) {
		if (strncmp(p, key, klen) != 0 || p[klen] != ' ')
			continue;
		char digits[24];
		size_t n = strspn(p + klen + 1, "0123456789");
		if (n == 0 || n >= sizeof(digits))
			return -EINVAL;
		memcpy(digits, p + klen + 1, n);
		digits[n] = '\0';
		return cgh_parse_u64(digits, out);
	}
	return -ENOENT;
}

int cgh_proc_cgroup_v2(const char *text, char *buf, size_t len)
{
	for (const char *p = text; p != NULL && *p != '\0'; p = next_line(p)) {
		if (strncmp(p, "0::", 3) != 0)
			continue;
		size_t n = strcspn(p + 3, "\n");
		if (n == 0 || n >= len)
			return -ENAMETOOLONG;
		memcpy(buf, p + 3, n);
		buf[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

int cgh_proc_stat_tty(const char *text, uint64_t *tty_nr)
{
	const char *p = strrchr(text, ')');
	long long v;

	/* ") S PPID PGRP SESSION TTY_NR ..." */
	if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %lld", &v) != 1 || v < 0)
		return -EINVAL;
	*tty_nr = (uint64_t)v;
	return 0;
}

/* "Name:" and "VmRSS:" (kB) of /proc/PID/status; -ENOENT without VmRSS
 * (a kernel thread or a zombie). */
int cgh_proc_status(const char *text, uint64_t *rss, char *comm, size_t len)
{
	bool have_rss = false;

	snprintf(comm, len, "?");
	for (const char *p = text; p != NULL && *p != '\0'; p = next_line(p)) {
		if (strncmp(p, "Name:", 5) == 0) {
			const char *v = p + 5 + strspn(p + 5, " \t");
			int n = (int)strcspn(v, "\n");
			snprintf(comm, len, "%.*s", n, v);
		} else if (strncmp(p, "VmRSS:", 6) == 0) {
			unsigned long long kb = strtoull(p + 6, NULL, 10);
			*rss = (uint64_t)kb * 1024u;
			have_rss = true;
		}
	}
	return have_rss ? 0 : -ENOENT;
}

/* ---- files ------------------------------------------------------------ */

static void join(char *out, size_t len, const char *dir, const char *file)
{
	snprintf(out, len, "%s/%s", dir, file);
}

int cgh_fs_open(struct cgh_fs *fs, const char *root, const struct cgh_sys *sys,
		struct cgh_error *err)
{
	long magic = 0;
	int r;

	fs->sys = sys;
	snprintf(fs->root, sizeof(fs->root), "%s", root);
	fs->rootfd = sys->open_root(root);
	if (fs->rootfd < 0)
		return cgh_fail(err, -fs->rootfd, "cannot open cgroup_root %s%s", root,
				fs->rootfd == -ELOOP || fs->rootfd == -ENOTDIR
					? " (must be a directory, not a symbolic link)" : "");
	r = sys->fs_magic(fs->rootfd, &magic);
	if (r < 0) {
		cgh_fail(err, -r, "statfs %s", root);
	} else if (magic != CGH_CGROUP2_MAGIC) {
		r = cgh_fail_msg(err, EMEDIUMTYPE, "%s is not a cgroup2 mount (filesystem magic 0x%lx)%s",
				 root, (unsigned long)magic,
				 magic == TMPFS_MAGIC_VALUE
					 ? ": a cgroup v1 or hybrid hierarchy, which pam_cgherd does not support"
					 : "");
	}
	if (r < 0) {
		close(fs->rootfd);
		fs->rootfd = -1;
	}
	return r;
}

void cgh_fs_close(struct cgh_fs *fs)
{
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	fs->rootfd = -1;
}

void cgh_fs_abs_path(const struct cgh_fs *fs, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fs->root, rel);
}

int cgh_fs_read(const struct cgh_fs *fs, const char *dir, const char *file, char *buf,
		size_t len, struct cgh_error *err)
{
	char path[PATH_MAX];
	int fd, r;

	join(path, sizeof(path), dir, file);
	buf[0] = '\0';
	fd = fs->sys->openat(fs->rootfd, path, O_RDONLY);
	if (fd < 0) {
		cgh_fail(err, -fd, "cannot open %s/%s", fs->root, path);
		return fd;
	}
	r = read_fd(fd, buf, len);
	close(fd);
	if (r < 0) {
		cgh_fail(err, -r, "cannot read %s/%s", fs->root, path);
		return r;
	}
	return 0;
}

int cgh_fs_write(const struct cgh_fs *fs, const char *dir, const char *file, const char *text,
		 struct cgh_error *err)
{
	char path[PATH_MAX];
	int r;

	join(path, sizeof(path), dir, file);
	r = fs->sys->write_file(fs->rootfd, path, text);
	if (r < 0)
		return cgh_fail(err, -r, "cannot write \"%s\" to %s/%s", text, fs->root, path);
	return 0;
}

int cgh_fs_mkdir(const struct cgh_fs *fs, const char *dir, struct cgh_error *err)
{
	int r = fs->sys->mkdirat(fs->rootfd, dir);

	if (r < 0 && r != -EEXIST)
		return cgh_fail(err, -r, "cannot create %s/%s", fs->root, dir);
	return r;
}

int cgh_fs_rmdir(const struct cgh_fs *fs, const char *dir, struct cgh_error *err)
{
	int r = fs->sys->rmdirat(fs->rootfd, dir);

	if (r < 0 && r != -EBUSY && r != -ENOENT && r != -ENOTEMPTY)
		return cgh_fail(err, -r, "cannot remove %s/%s", fs->root, dir);
	return r;
}

/* cgroup.controllers or cgroup.subtree_control, as CGH_CTRL_* bits. */
static int read_controllers(const struct cgh_fs *fs, const char *dir, const char *file,
			    unsigned *mask, struct cgh_error *err)
{
	char text[256];
	int r = cgh_fs_read(fs, dir, file, text, sizeof(text), err);

	if (r == 0)
		*mask = cgh_controllers_parse(text);
	return r;
}

int cgh_fs_controllers(const struct cgh_fs *fs, const char *dir, unsigned *mask,
		       struct cgh_error *err)
{
	return read_controllers(fs, dir, "cgroup.controllers", mask, err);
}

int cgh_fs_enabled(const struct cgh_fs *fs, const char *dir, unsigned *mask,
		   struct cgh_error *err)
{
	return read_controllers(fs, dir, "cgroup.subtree_control", mask, err);
}

int cgh_fs_enable(const struct cgh_fs *fs, const char *dir, unsigned mask,
		  struct cgh_error *err)
{
	char add[64];
	unsigned on = 0;
	int r = cgh_fs_enabled(fs, dir, &on, err);

	if (r < 0)
		return r;
	mask &= ~on;
	if (mask == 0)
		return 0;
	cgh_controllers_format(mask, "+", add, sizeof(add));
	return cgh_fs_write(fs, dir, "cgroup.subtree_control", add, err);
}

static int read_cpu(const struct cgh_fs *fs, const char *dir, struct cgh_cpu_max *cpu)
{
	char text[64];
	int r = cgh_fs_read(fs, dir, "cpu.max", text, sizeof(text), NULL);

	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	return cgh_parse_cpu_max(text, cpu);
}

static void read_limit(const struct cgh_fs *fs, const char *dir, enum cgh_limit_key k,
		       struct cgh_limits *out)
{
	struct cgh_cpu_max cpu;
	uint64_t v;

	if (k == CGH_CPU_MAX) {
		if (read_cpu(fs, dir, &cpu) == 0) {
			cgh_limits_set(out, k, cpu.quota);
			out->cpu_period = cpu.period;
		}
		return;
	}
	v = cgh_fs_read_number(fs, dir, cgh_limit_table[k].file);
	if (v != CGH_UNKNOWN)
		cgh_limits_set(out, k, v);
}

void cgh_fs_read_limits(const struct cgh_fs *fs, const char *dir, unsigned mask,
			struct cgh_limits *out)
{
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < CGH_N_LIMITS; k++)
		if (mask & (1u << k))
			read_limit(fs, dir, (enum cgh_limit_key)k, out);
}

int cgh_fs_write_limits(const struct cgh_fs *fs, const char *dir, const struct cgh_limits *l,
			struct cgh_error *err)
{
	for (int k = 0; k < CGH_N_LIMITS; k++) {
		char value[48];
		if (!cgh_limits_has(l, (enum cgh_limit_key)k))
			continue;
		/* oom_group = false is a new cgroup's default, and needs no memory
		 * controller (which cgh_limits_controllers does not ask for then) */
		if (k == CGH_OOM_GROUP && l->value[k] == 0)
			continue;
		cgh_limit_file_value(l, (enum cgh_limit_key)k, value, sizeof(value));
		int r = cgh_fs_write(fs, dir, cgh_limit_table[k].file, value, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgh_fs_move(const struct cgh_fs *fs, const char *dir, pid_t pid, struct cgh_error *err)
{
	char text[24];

	snprintf(text, sizeof(text), "%d", (int)pid);
	return cgh_fs_write(fs, dir, "cgroup.procs", text, err);
}

int cgh_fs_where(const struct cgh_fs *fs, pid_t pid, char *buf, size_t len,
		 struct cgh_error *err)
{
	char path[PATH_MAX];
	int r = fs->sys->proc_cgroup(pid, path, sizeof(path));

	if (r < 0)
		return cgh_fail(err, -r, "cannot find the cgroup of process %d", (int)pid);
	if (path[0] != '/' || strstr(path, "/..") != NULL)
		return cgh_fail_msg(err, EINVAL, "process %d is in an unexpected cgroup \"%s\"", (int)pid, path);
	snprintf(buf, len, "%s", path[1] != '\0' ? path + 1 : ".");
	return 0;
}

static void sleep_step(void)
{
	struct timespec ts = { 0, POLL_STEP_NS };
	nanosleep(&ts, NULL);
}

/* Before cgroup.kill: signal what cgroup.procs lists until it is empty. */
static int kill_each(const struct cgh_fs *fs, const char *dir, struct cgh_error *err)
{
	char procs[8192];

	for (int round = 0; round < KILL_ROUNDS; round++) {
		int r = cgh_fs_read(fs, dir, "cgroup.procs", procs, sizeof(procs), err);
		if (r < 0)
			return r;
		if (procs[0] == '\0')
			return 0;
		for (char *p = procs; *p != '\0'; p += strcspn(p, "\n"), p += (*p == '\n')) {
			long pid = strtol(p, NULL, 10);
			if (pid > 0)
				fs->sys->kill((pid_t)pid, SIGKILL);
		}
		sleep_step();
	}
	return 0;
}

int cgh_fs_kill(const struct cgh_fs *fs, const char *dir, struct cgh_error *err)
{
	struct cgh_error probe = { 0 };
	int r = cgh_fs_write(fs, dir, "cgroup.kill", "1", &probe);

	if (r == -ENOENT)	/* Linux < 5.14 */
		return kill_each(fs, dir, err);
	if (r < 0)
		cgh_fail_msg(err, -r, "%s", probe.msg);
	return r;
}

int cgh_fs_populated(const struct cgh_fs *fs, const char *dir, bool *populated,
		     struct cgh_error *err)
{
	char text[256];
	uint64_t v;
	int r = cgh_fs_read(fs, dir, "cgroup.events", text, sizeof(text), err);

	if (r < 0)
		return r;
	if (cgh_keyed_value(text, "populated", &v) < 0)
		return cgh_fail_msg(err, EINVAL, "%s/%s/cgroup.events has no populated line", fs->root, dir);
	*populated = v != 0;
	return 0;
}

int cgh_fs_wait_empty(const struct cgh_fs *fs, const char *dir, unsigned timeout_ms,
		      struct cgh_error *err)
{
	unsigned long waited_ns = 0;

	for (;;) {
		bool populated = true;
		int r = cgh_fs_populated(fs, dir, &populated, err);
		if (r < 0 || !populated)
			return r;
		if (waited_ns / 1000000ul >= timeout_ms)
			return -ETIMEDOUT;
		sleep_step();
		waited_ns += POLL_STEP_NS;
	}
}

uint64_t cgh_fs_read_number(const struct cgh_fs *fs, const char *dir, const char *file)
{
	char text[64];
	uint64_t v;

	if (cgh_fs_read(fs, dir, file, text, sizeof(text), NULL) < 0)
		return CGH_UNKNOWN;
	text[strcspn(text, "\n")] = '\0';
	if (strcmp(text, "max") == 0)
		return CGH_UNLIMITED;
	return cgh_parse_u64(text, &v) == 0 ? v : CGH_UNKNOWN;
}

static uint64_t keyed_or_unknown(const char *text, const char *key)
{
	uint64_t v;

	return cgh_keyed_value(text, key, &v) == 0 ? v : CGH_UNKNOWN;
}

uint64_t cgh_fs_read_keyed(const struct cgh_fs *fs, const char *dir, const char *file,
			    const char *key)
{
	char text[4096];	/* memory.stat */

	if (cgh_fs_read(fs, dir, file, text, sizeof(text), NULL) < 0)
		return CGH_UNKNOWN;
	return keyed_or_unknown(text, key);
}

static void read_cpu_max(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st)
{
	struct cgh_cpu_max cpu;

	st->cpu_max_quota = st->cpu_max_period = CGH_UNKNOWN;
	if (read_cpu(fs, dir, &cpu) == 0) {
		st->cpu_max_quota = cpu.quota;
		st->cpu_max_period = cpu.period;
	}
}

static void read_memory_events(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st)
{
	char text[512];

	if (cgh_fs_read(fs, dir, "memory.events", text, sizeof(text), NULL) < 0)
		text[0] = '\0';
	st->oom = keyed_or_unknown(text, "oom");
	st->oom_kill = keyed_or_unknown(text, "oom_kill");
	st->oom_group_kill = keyed_or_unknown(text, "oom_group_kill");
}

static uint64_t count_procs(const struct cgh_fs *fs, const char *dir)
{
	char text[8192];
	uint64_t n = 0;

	if (cgh_fs_read(fs, dir, "cgroup.procs", text, sizeof(text), NULL) < 0)
		return CGH_UNKNOWN;
	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

void cgh_fs_stats_brief(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st)
{
	*st = (struct cgh_stats){ .memory_current = CGH_UNKNOWN, .pids_current = CGH_UNKNOWN,
				  .pids_max = CGH_UNKNOWN, .cpu_max_quota = CGH_UNKNOWN,
				  .cpu_max_period = CGH_UNKNOWN };
	st->memory_peak = cgh_fs_read_number(fs, dir, "memory.peak");
	st->memory_max = cgh_fs_read_number(fs, dir, "memory.max");
	st->cpu_usage_usec = cgh_fs_read_keyed(fs, dir, "cpu.stat", "usage_usec");
	read_memory_events(fs, dir, st);
	st->procs = count_procs(fs, dir);
}

void cgh_fs_stats(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st)
{
	cgh_fs_stats_brief(fs, dir, st);
	st->memory_current = cgh_fs_read_number(fs, dir, "memory.current");
	st->pids_current = cgh_fs_read_number(fs, dir, "pids.current");
	st->pids_max = cgh_fs_read_number(fs, dir, "pids.max");
	read_cpu_max(fs, dir, st);
}

int cgh_fs_lock(const struct cgh_fs *fs, const char *dir, bool exclusive, unsigned timeout_ms,
		struct cgh_error *err)
{
	int fd = fs->sys->openat(fs->rootfd, dir, O_RDONLY | O_DIRECTORY);
	unsigned long waited_ns = 0;

	if (fd < 0)
		return cgh_fail(err, -fd, "cannot open %s/%s", fs->root, dir);
	while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		int e = errno;
		if (e == EWOULDBLOCK && waited_ns / 1000000ul < timeout_ms) {
			sleep_step();
			waited_ns += POLL_STEP_NS;
			continue;
		}
		close(fd);
		if (e == EWOULDBLOCK)
			return -EWOULDBLOCK;
		return cgh_fail(err, e, "cannot lock %s/%s", fs->root, dir);
	}
	return fd;
}

void cgh_fs_unlock(int lockfd)
{
	if (lockfd >= 0)
		close(lockfd);
}

int cgh_fs_each_dir(const struct cgh_fs *fs, const char *dir, const char *prefix,
		    int (*fn)(void *arg, const char *name), void *arg, struct cgh_error *err)
{
	int fd = fs->sys->openat(fs->rootfd, dir, O_RDONLY | O_DIRECTORY);
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return cgh_fail(err, -fd, "cannot open %s/%s", fs->root, dir);
	d = fdopendir(fd);
	if (d == NULL) {
		int e = errno;
		close(fd);
		return cgh_fail(err, e, "cannot list %s/%s", fs->root, dir);
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strncmp(de->d_name, prefix, plen) != 0)
			continue;
		r = fn(arg, de->d_name);
	}
	closedir(d);
	return r;
}

int cgh_fs_set_rule(const struct cgh_fs *fs, const char *dir, const char *rule,
		    struct cgh_error *err)
{
	int r = fs->sys->setxattr(fs->rootfd, dir, CGH_RULE_XATTR, rule);

	if (r < 0)
		return cgh_fail(err, -r, "cannot set %s on %s/%s", CGH_RULE_XATTR, fs->root, dir);
	return 0;
}

int cgh_fs_get_rule(const struct cgh_fs *fs, const char *dir, char *buf, size_t len)
{
	char raw[128];
	int n = fs->sys->getxattr(fs->rootfd, dir, CGH_RULE_XATTR, raw, sizeof(raw) - 1);

	if (n < 0)
		return n;
	raw[n] = '\0';
	cgh_sanitize(buf, len, raw);
	return 0;
}

uint64_t cgh_fs_gc_stamp(const struct cgh_fs *fs, const char *base)
{
	char raw[32];
	uint64_t secs;
	int n = fs->sys->getxattr(fs->rootfd, base, CGH_GC_XATTR, raw, sizeof(raw) - 1);

	if (n < 0)
		return 0;
	raw[n] = '\0';
	return cgh_parse_u64(raw, &secs) == 0 ? secs : 0;
}

int cgh_fs_set_gc_stamp(const struct cgh_fs *fs, const char *base, uint64_t secs,
			struct cgh_error *err)
{
	char value[32];
	int r;

	snprintf(value, sizeof(value), "%llu", (unsigned long long)secs);
	r = fs->sys->setxattr(fs->rootfd, base, CGH_GC_XATTR, value);
	if (r < 0)
		return cgh_fail(err, -r, "cannot set %s on %s/%s", CGH_GC_XATTR, fs->root, base);
	return 0;
}

uint64_t cgh_boottime_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec;
}
