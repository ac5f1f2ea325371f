/* cgherd doctor (cgh_doctor.h): the checks of the configuration, the cgroup2 mount, the
 * controllers and the kernel's features; the PAM stacks and the rest of the
 * host in doctor_pam.c and doctor_host.c.  Every host path is taken under
 * o->root (the tests point it at a fake tree), cgroup_root from the
 * configuration.  Exit status: 0 all ok, 1 a warning, 2 a failure. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "cgh_mountinfo.h"
#include "cgh_doctor_checks.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

void say(struct doctor *d, enum verdict v, const char *fmt, ...)
{
	static const char *const words[] = { "ok  ", "warn", "fail" };
	va_list ap;

	fprintf(d->o->out, "%s ", words[v]);
	va_start(ap, fmt);
	vfprintf(d->o->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->o->out);
	d->counts[v]++;
}

void host_path(const struct doctor *d, const char *abs, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", d->root, abs);
}

int host_read(const struct doctor *d, const char *abs, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, e;

	host_path(d, abs, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return (int)n;
}

/* ---- configuration ------------------------------------------------------- */

static void check_config(struct doctor *d)
{
	const char *path = d->o->conf ? d->o->conf : CGH_DEFAULT_CONF;
	struct cgh_diag diag = { 0 };
	int r = cgh_config_load(path, 0, NULL, 0, &d->cfg, &diag);

	if (r == 0)
		say(d, V_OK, "config: %s is valid (%zu rules)", path, d->cfg->n_rules);
	else {
		say(d, V_FAIL, "config: %s: %s%s: fix it (cgherd check --conf %s lists every error); "
			       "the checks below use the defaults", path,
		    diag.n ? diag.lines[0] : strerror(-r), diag.n > 1 ? " (and more)" : "", path);
		cgh_diag_free(&diag);
		cgh_config_from_text(path, "", 0, &d->cfg, &diag);
	}
	cgh_diag_free(&diag);
}

/* ---- the cgroup2 mount ------------------------------------------------------- */

static int mount_of(const struct doctor *d, const char *point, char *type, size_t tlen,
		    char *options, size_t olen)
{
	char path[PATH_MAX];
	FILE *f;
	int r;

	host_path(d, "/proc/self/mountinfo", path, sizeof(path));
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	r = cgh_mountinfo_find(f, point, type, tlen, options, olen);
	fclose(f);
	return r;
}

/* Unified, hybrid or legacy, from the mount table; true: cgroup2 there. */
static bool check_mount(struct doctor *d)
{
	const char *root = d->cfg->cgroup_root;
	char type[32] = "", options[512] = "", unified[PATH_MAX], utype[32] = "", uopts[512];
	int r = mount_of(d, root, type, sizeof(type), options, sizeof(options));

	if (r == -ENOENT) {
		say(d, V_FAIL, "cgroup: nothing is mounted at %s (cgroup_root): mount cgroup2 there "
			       "(mount -t cgroup2 none %s) or set cgroup_root", root, root);
		return false;
	}
	if (r < 0) {
		say(d, V_FAIL, "cgroup: cannot read the mount table: %s", strerror(-r));
		return false;
	}
	if (strcmp(type, "cgroup2") == 0) {
		say(d, V_OK, "cgroup: %s is cgroup2, the unified hierarchy", root);
		return true;
	}
	snprintf(unified, sizeof(unified), "%s/unified", root);
	if (strcmp(type, "tmpfs") == 0 &&
	    mount_of(d, unified, utype, sizeof(utype), uopts, sizeof(uopts)) == 0 &&
	    strcmp(utype, "cgroup2") == 0)
		say(d, V_FAIL, "cgroup: %s is a hybrid hierarchy (tmpfs, cgroup2 only at %s, without "
			       "controllers): boot with systemd.unified_cgroup_hierarchy=1 for the unified one",
		    root, unified);
	else
		say(d, V_FAIL, "cgroup: %s is %s, not cgroup2 (cgroup v1 or no cgroups): boot with "
			       "systemd.unified_cgroup_hierarchy=1, or mount cgroup2 there", root, type);
	return false;
}

static void check_favordynmods(struct doctor *d)
{
	char type[32], options[512];

	if (mount_of(d, d->cfg->cgroup_root, type, sizeof(type), options, sizeof(options)) < 0)
		return;
	if (cgh_mount_option_has(options, "favordynmods"))
		say(d, V_OK, "cgroup: mounted with favordynmods");
	else
		say(d, V_WARN, "cgroup: %s is mounted without favordynmods: each move of a login waits "
			       "for an RCU grace period (often 10-30 ms): mount -o remount,favordynmods %s "
			       "(Linux 6.0+; see PERFORMANCE in pam_cgherd(8))",
		    d->cfg->cgroup_root, d->cfg->cgroup_root);
}

/* ---- controllers ---------------------------------------------------------------- */

static unsigned needed_controllers(const struct cgh_config *cfg)
{
	unsigned mask = cgh_limits_controllers(&cfg->session) | cgh_limits_controllers(&cfg->user);

	for (size_t i = 0; i < cfg->n_rules; i++)
		if (cfg->rules[i].action == CGH_ACTION_HERD)
			mask |= cgh_limits_controllers(&cfg->rules[i].session) |
				cgh_limits_controllers(&cfg->rules[i].user);
	return mask;
}

static void check_controllers(struct doctor *d)
{
	unsigned need = needed_controllers(d->cfg), have = 0, enabled = 0;
	char names[64], missing[64], off[64];
	struct cgh_error err = { 0 };

	cgh_controllers_format(need, "", names, sizeof(names));
	if (cgh_fs_controllers(&d->fs, ".", &have, &err) < 0) {
		say(d, V_FAIL, "controllers: %s", err.msg);
		return;
	}
	cgh_controllers_format(need & ~have, "", missing, sizeof(missing));
	if (need & ~have) {
		say(d, V_FAIL, "controllers: the rules need %s; %s/cgroup.controllers lacks %s: boot "
			       "without cgroup_disable=%s, and with no cgroup v1 hierarchy holding it",
		    names, d->fs.root, missing, missing);
		return;
	}
	cgh_fs_enabled(&d->fs, ".", &enabled, NULL);
	cgh_controllers_format(need & ~enabled, "+", off, sizeof(off));
	if (need & ~enabled)
		say(d, V_OK, "controllers: %s available; %s not enabled in %s/cgroup.subtree_control yet "
			     "(the module writes \"%s\" there at the first login)",
		    names[0] ? names : "none needed", off, d->fs.root, off);
	else
		say(d, V_OK, "controllers: %s available and enabled", names[0] ? names : "none needed");
}

/* ---- kernel features ------------------------------------------------------------- */

struct probe {
	const struct cgh_fs *fs;
	char dir[256];
};

/* A cgroup below the root with the memory controller: what a leaf has. */
static int probe_found(void *arg, const char *name)
{
	struct probe *p = arg;
	struct stat st;
	char file[300];

	snprintf(file, sizeof(file), "%s/memory.events", name);
	if (fstatat(p->fs->rootfd, file, &st, 0) < 0)
		return 0;
	snprintf(p->dir, sizeof(p->dir), "%s", name);
	return 1;
}

static bool has_file(const struct cgh_fs *fs, const char *dir, const char *file)
{
	char rel[320];
	struct stat st;

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	return fstatat(fs->rootfd, rel, &st, 0) == 0;
}

static int kernel_version(const struct doctor *d, unsigned *major, unsigned *minor)
{
	char text[128];

	if (host_read(d, "/proc/sys/kernel/osrelease", text, sizeof(text)) < 0 ||
	    sscanf(text, "%u.%u", major, minor) != 2)
		return -1;
	return 0;
}

static const struct feature {
	const char *file;	/* in a cgroup, or "memory.events:KEY" */
	unsigned major, minor;
	const char *without;
} features[] = {
	{ "cgroup.kill", 5, 14, "leftover processes are killed one by one at close" },
	{ "memory.events:oom_group_kill", 5, 17, "watch cannot tell a group kill from single kills" },
	{ "memory.peak", 5, 19, "a session's peak memory is not logged at close" },
	{ "memory.reclaim", 5, 19, "watch's reclaim_threshold does nothing" },
};

static bool feature_there(const struct doctor *d, const struct probe *p, const struct feature *f)
{
	const char *colon = strchr(f->file, ':');
	char text[1024];
	uint64_t v;

	if (colon == NULL)
		return has_file(&d->fs, p->dir, f->file);
	if (cgh_fs_read(&d->fs, p->dir, "memory.events", text, sizeof(text), NULL) < 0)
		return false;
	return cgh_keyed_value(text, colon + 1, &v) == 0;
}

static void check_features(struct doctor *d, const struct probe *p, unsigned major, unsigned minor,
			   bool by_version)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature *f = &features[i];
		bool there = by_version ? major > f->major || (major == f->major && minor >= f->minor)
					: feature_there(d, p, f);

		if (there)
			say(d, V_OK, "kernel: %s%s", f->file, by_version ? " (by the kernel's version)" : "");
		else
			say(d, V_WARN, "kernel: no %s (Linux %u.%u+): %s; upgrade the kernel", f->file,
			    f->major, f->minor, f->without);
	}
}

/* clone3(CLONE_INTO_CGROUP) of a child that exits at once, into the cgroup
 * doctor runs in: nothing moves anywhere.  -errno when refused. */
static int clone_into(int cgroup_fd)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
				   .cgroup = (uint64_t)cgroup_fd };
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(0);
	while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Only into a real cgroup2 directory; otherwise (a test's tree) by version. */
static void check_clone3(struct doctor *d, unsigned major, unsigned minor, bool known)
{
	char text[512], here[PATH_MAX];
	struct statfs sfs;
	int fd = -1, r = -ENOENT;

	if (host_read(d, "/proc/self/cgroup", text, sizeof(text)) >= 0 &&
	    cgh_proc_cgroup_v2(text, here, sizeof(here)) == 0)
		fd = openat(d->fs.rootfd, here[1] ? here + 1 : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == CGH_CGROUP2_MAGIC) {
		r = clone_into(fd);
		if (r == 0)
			say(d, V_OK, "kernel: clone3 into a cgroup (CLONE_INTO_CGROUP)");
		else
			say(d, V_WARN, "kernel: clone3 into a cgroup refused (%s): Linux 5.7+ has it; "
				       "processes are moved after fork instead", strerror(-r));
	} else if (known)
		say(d, major > 5 || (major == 5 && minor >= 7) ? V_OK : V_WARN,
		    "kernel: clone3 into a cgroup %s (by the kernel's version)",
		    major > 5 || (major == 5 && minor >= 7) ? "there" : "missing: Linux 5.7+ has it");
	if (fd >= 0)
		close(fd);
}

static void check_kernel(struct doctor *d)
{
	struct probe p = { .fs = &d->fs };
	unsigned major = 0, minor = 0;
	bool known = kernel_version(d, &major, &minor) == 0;

	cgh_fs_each_dir(&d->fs, ".", "", probe_found, &p, NULL);
	if (p.dir[0] == '\0' && !known)
		say(d, V_WARN, "kernel: no cgroup with the memory controller to look at and no kernel "
			       "version: cgroup.kill, memory.peak, oom_group_kill, memory.reclaim not checked");
	else
		check_features(d, &p, major, minor, p.dir[0] == '\0');
	check_clone3(d, major, minor, known);
}

/* ---- all ---------------------------------------------------------------------------- */

static void check_cgroups(struct doctor *d)
{
	struct cgh_error err = { 0 };

	if (!check_mount(d))
		return;
	check_favordynmods(d);
	if (cgh_fs_open(&d->fs, d->cfg->cgroup_root, d->o->sys, &err) < 0) {
		say(d, V_FAIL, "cgroup: %s", err.msg);
		return;
	}
	check_controllers(d);
	check_kernel(d);
}

int cgh_doctor(const struct cgh_doctor_opts *o)
{
	char dir[PATH_MAX];
	struct stat st;
	struct doctor d = { .o = o, .root = o->root ? o->root : "", .fs = { .rootfd = -1 } };

	check_config(&d);
	if (d.cfg == NULL) {
		fprintf(o->out, "fail doctor: out of memory\n");
		return V_FAIL;
	}
	check_cgroups(&d);
	check_pam(&d);
	host_path(&d, "/run/systemd/system", dir, sizeof(dir));
	d.systemd = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	check_systemd(&d);
	check_nss(&d);
	check_cache_dir(&d);
	check_watch(&d);
	fprintf(o->out, "%d ok, %d warnings, %d failures\n", d.counts[V_OK], d.counts[V_WARN],
		d.counts[V_FAIL]);
	cgh_fs_close(&d.fs);
	cgh_config_free(d.cfg);
	return d.counts[V_FAIL] ? V_FAIL : d.counts[V_WARN] ? V_WARN : V_OK;
}
