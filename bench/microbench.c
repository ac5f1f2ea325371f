/* Micro-benchmark of pam_cgherd, run inside the test VM (real cgroup v2):
 *   microbench -n N -c CONF -u USER -m MODULE [-g GAP_MS] [-t]
 * prints the cost of one open_session + close_session pair through libpam,
 * its parts (config load, user and group lookup, cgroup setup, close), and
 * the floor: the bare syscalls such a pair needs, timed in the same run;
 * also pam_open_session alone and the open floor (mkdir, limits, one move),
 * and pam_open_session while another session of the user is held open.
 * -g sleeps GAP_MS (untimed) between the iterations of the cgroup loops, as
 * between real logins: a write to cgroup.procs waits for an RCU grace period
 * unless another one ran just before (or the hierarchy is mounted with
 * favordynmods), so a tight loop hides what a login pays.  -t runs only the
 * pam_open_session loop, each open and each close between markers that a
 * syscall trace shows (write to fd -1 of "@@open-begin" and "@@open-end",
 * "@@close-begin" and "@@close-end"; bench/trace.awk). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_identity.h"
#include "cgh_session.h"

struct opts {
	int n;
	int gap_ms;
	bool trace;
	const char *conf, *user, *module, *root;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void gap(const struct opts *o)
{
	struct timespec ts = { o->gap_ms / 1000, (long)(o->gap_ms % 1000) * 1000000L };

	if (o->gap_ms > 0)
		nanosleep(&ts, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "microbench: %s\n", what);
	exit(1);
}

/* -t: a marker a syscall trace shows as write(-1, "@@open-begin", ...): a
 * write to fd -1 fails at once and does nothing else */
static void mark(const char *what)
{
	ssize_t r = write(-1, what, strlen(what));

	(void)r;
}

static int no_conv(int n, const struct pam_message **m, struct pam_response **r, void *a)
{
	(void)n;
	(void)m;
	(void)r;
	(void)a;
	return PAM_CONV_ERR;
}

/* The pam pair (pam_start to pam_end) and, in *open_us, pam_open_session
 * alone: the wait a login has at open.  held: another session of the user
 * is held open throughout (the loop's are then second sessions). */
static double bench_pam_with(const struct opts *o, const char *module, bool held, double *open_us);

static double bench_pam(const struct opts *o, double *open_us)
{
	return bench_pam_with(o, o->module, false, open_us);
}

/* The same with another session of the user held open by a child for the
 * whole loop: user-<uid> and its limits are there before each open and stay
 * after each close, as for a user already logged in (the loop above is each
 * time the user's first session). */
static void bench_pam_second(const struct opts *o, double *open_us)
{
	bench_pam_with(o, o->module, true, open_us);
}

/* A child that opens a session of the user through SERVICE in DIR, says so
 * on a pipe, holds it until the pipe's other end closes, then closes it;
 * *release is that end. */
static pid_t hold_session(const struct opts *o, const char *dir, int *release)
{
	int ready[2], hold[2];
	char c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct pam_conv conv = { no_conv, NULL };
		pam_handle_t *h;

		close(ready[0]);
		close(hold[1]);
		if (pam_start_confdir("cgherd-bench", o->user, &conv, dir, &h) != PAM_SUCCESS ||
		    pam_open_session(h, 0) != PAM_SUCCESS)
			_exit(1);
		if (write(ready[1], "1", 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		pam_close_session(h, 0);
		pam_end(h, PAM_SUCCESS);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) != 1)
		die("the held session did not open (see syslog)");
	close(ready[0]);
	*release = hold[1];
	return pid;
}

/* The same pair with pam_permit.so alone on the stack: libpam's own part
 * of pam_open_session (its dispatch, its audit record), which every stack
 * pays; *open_us -1 when pam_permit.so is not there. */
static void bench_pam_permit(const struct opts *o, double *open_us)
{
	const char *const paths[] = { "/lib/x86_64-linux-gnu/security/pam_permit.so",
				      "/usr/lib/x86_64-linux-gnu/security/pam_permit.so",
				      "/lib/security/pam_permit.so" };

	*open_us = -1;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0) {
			bench_pam_with(o, paths[i], false, open_us);
			return;
		}
}

static double bench_pam_with(const struct opts *o, const char *module, bool held, double *open_us)
{
	char dir[] = "/tmp/microbench-XXXXXX", path[128];
	struct pam_conv conv = { no_conv, NULL };
	int release = -1, status;
	pid_t holder = -1;
	FILE *f;
	double t0, t;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/cgherd-bench", dir);
	f = fopen(path, "w");
	if (f == NULL)
		die("service file");
	fprintf(f, "session required %s conf=%s\n", module, o->conf);
	fclose(f);
	if (held)
		holder = hold_session(o, dir, &release);
	t = 0;
	*open_us = 0;
	for (int i = 0; i < o->n; i++) {
		pam_handle_t *h;
		double t1;
		int r;
		gap(o);
		t0 = now_us();
		r = pam_start_confdir("cgherd-bench", o->user, &conv, dir, &h);
		t1 = now_us();
		if (o->trace)
			mark("@@open-begin");
		if (r == PAM_SUCCESS)
			r = pam_open_session(h, 0);
		if (o->trace)
			mark("@@open-end");
		*open_us += now_us() - t1;
		if (r == PAM_SUCCESS && o->trace)
			mark("@@close-begin");
		if (r == PAM_SUCCESS)
			r = pam_close_session(h, 0);
		if (o->trace)
			mark("@@close-end");
		if (r != PAM_SUCCESS)
			die("PAM session failed (see syslog)");
		pam_end(h, PAM_SUCCESS);
		t += now_us() - t0;
	}
	t /= o->n;
	*open_us /= o->n;
	if (holder > 0) {
		close(release);
		if (waitpid(holder, &status, 0) != holder || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("the held session did not close");
	}
	unlink(path);
	rmdir(dir);
	return t;
}

/* cache_dir NULL: parsed every time (cgherd check); CGH_CACHE_DIR: as the
 * module loads it, with the rules that can match the user read from the
 * cache (the first load writes the cache, not counted). */
static double bench_config(const struct opts *o, const char *cache_dir)
{
	struct cgh_identity *id = NULL;
	struct cgh_config *cfg;
	struct cgh_diag diag = { 0 };
	struct cgh_error err = { 0 };
	double t0 = 0;

	if (cgh_config_load(o->conf, 0, NULL, 0, &cfg, &diag) < 0 ||
	    cgh_session_lookup_user(cfg, o->user, &id, &err) < 0)
		die("setup");
	cgh_config_free(cfg);
	for (int i = -1; i < o->n; i++) {
		if (i == 0)
			t0 = now_us();
		if (cgh_config_load_cached(o->conf, 0, NULL, 0, cache_dir, NULL, &cfg, &diag) < 0)
			die(diag.n ? diag.lines[0] : "config");
		if (cgh_config_select(cfg, id, &err) < 0)
			die(err.msg);
		cgh_config_free(cfg);
	}
	cgh_identity_free(id);
	return (now_us() - t0) / o->n;
}

/* As the module looks the user up: groups by the rules' names when few. */
static double bench_identity(const struct opts *o)
{
	struct cgh_config *cfg;
	struct cgh_diag diag = { 0 };
	double t0;

	if (cgh_config_load(o->conf, 0, NULL, 0, &cfg, &diag) < 0)
		die("setup");
	t0 = now_us();
	for (int i = 0; i < o->n; i++) {
		struct cgh_identity *id;
		struct cgh_error err = { 0 };
		if (cgh_session_lookup_user(cfg, o->user, &id, &err) < 0)
			die(err.msg);
		cgh_identity_free(id);
	}
	t0 = (now_us() - t0) / o->n;
	cgh_config_free(cfg);
	return t0;
}

/* cgroup setup (decide, check, collect, mkdir, write, move) and close. */
static void bench_session(const struct opts *o, double *open_us, double *close_us)
{
	struct cgh_config *cfg;
	struct cgh_identity *id;
	struct cgh_diag diag = { 0 };
	struct cgh_error err = { 0 };
	const struct cgh_log log = { 0 };
	const struct cgh_env env = { .sys = &cgh_sys_real, .log = &log };
	double opened = 0, closed = 0;

	if (cgh_config_load(o->conf, 0, NULL, 0, &cfg, &diag) < 0 ||
	    cgh_session_lookup_user(cfg, o->user, &id, &err) < 0)
		die("setup");
	for (int i = 0; i < o->n; i++) {
		struct cgh_session *s;
		double t0, t1;
		gap(o);
		t0 = now_us();
		if (cgh_session_open(cfg, id, "cgherd-bench", getpid(), &env, &s, &err) != CGH_HERDED)
			die(err.msg[0] ? err.msg : "not herded");
		t1 = now_us();
		if (cgh_session_close(s, &env, &err) < 0)
			die(err.msg);
		closed += now_us() - t1;
		opened += t1 - t0;
		free(s);
	}
	*open_us = opened / o->n;
	*close_us = closed / o->n;
	cgh_identity_free(id);
	cgh_config_free(cfg);
}

static void put(int dirfd, const char *file, const char *text)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(file);
	close(fd);
}

/* mkdir of the leaf, its limits, the move in. */
static void floor_open(int root, const char *pid)
{
	if (mkdirat(root, "floor/leaf", 0755) < 0)
		die("mkdir");
	put(root, "floor/leaf/memory.max", "524288000");
	put(root, "floor/leaf/cpu.max", "20000 100000");
	put(root, "floor/leaf/pids.max", "1024");
	put(root, "floor/leaf/memory.oom.group", "1");
	put(root, "floor/leaf/cgroup.procs", pid);
}

/* The syscalls a herded session cannot do without: make the leaf, write
 * the limits the benchmark config sets (memory.max, cpu.max, pids.max,
 * memory.oom.group), move in, move out, kill, remove.  In *open_floor_us:
 * the part a login must wait for at open, mkdir, limits and one move (the
 * move out and rmdir after it not timed). */
static double bench_floor(const struct opts *o, double *open_floor_us)
{
	char pid[24];
	int root = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	double t0, t = 0;

	if (root < 0)
		die("root");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	mkdirat(root, "floor", 0755);
	put(root, "cgroup.subtree_control", "+memory +pids +cpu");
	put(root, "floor/cgroup.subtree_control", "+memory +pids +cpu");
	for (int i = 0; i < o->n; i++) {
		gap(o);
		t0 = now_us();
		floor_open(root, pid);
		put(root, "cgroup.procs", pid);
		put(root, "floor/leaf/cgroup.kill", "1");
		if (unlinkat(root, "floor/leaf", AT_REMOVEDIR) < 0)
			die("rmdir");
		t += now_us() - t0;
	}
	*open_floor_us = 0;
	for (int i = 0; i < o->n; i++) {
		gap(o);
		t0 = now_us();
		floor_open(root, pid);
		*open_floor_us += now_us() - t0;
		put(root, "cgroup.procs", pid);
		if (unlinkat(root, "floor/leaf", AT_REMOVEDIR) < 0)
			die("rmdir");
	}
	*open_floor_us /= o->n;
	unlinkat(root, "floor", AT_REMOVEDIR);
	close(root);
	return t / o->n;
}

int main(int argc, char **argv)
{
	struct opts o = { .n = 200, .conf = "/etc/security/cgherd.conf", .user = "alice",
			  .module = "/lib/security/pam_cgherd.so", .root = "/sys/fs/cgroup" };
	double open_us, close_us, pam_open_us, open_floor_us;
	int c;

	while ((c = getopt(argc, argv, "n:c:u:m:r:g:t")) != -1) {
		switch (c) {
		case 'n': o.n = atoi(optarg); break;
		case 'c': o.conf = optarg; break;
		case 'u': o.user = optarg; break;
		case 'm': o.module = optarg; break;
		case 'r': o.root = optarg; break;
		case 'g': o.gap_ms = atoi(optarg); break;
		case 't': o.trace = true; break;
		default: die("usage: microbench [-n N] [-c CONF] [-u USER] [-m MODULE] [-r CGROUP_ROOT] [-g GAP_MS] [-t]");
		}
	}
	if (o.n < 1)
		die("-n must be at least 1");
	if (o.trace) {	/* pam_open_session alone, between markers, for a syscall trace */
		bench_pam(&o, &pam_open_us);
		printf("micro n=%d gap_ms=%d traced pam_open_us=%.1f\n", o.n, o.gap_ms, pam_open_us);
		return 0;
	}
	double floor_us = bench_floor(&o, &open_floor_us);
	double config_us = bench_config(&o, NULL);
	double cached_us = bench_config(&o, CGH_CACHE_DIR);
	double identity_us = bench_identity(&o);
	bench_session(&o, &open_us, &close_us);
	double pam_us = bench_pam(&o, &pam_open_us);
	/* the same with the module kept loaded between the pairs (pam_end's
	 * dlclose does not unload it): what a login pays for code met for the
	 * first time (under TCG, translating it), not for its work */
	void *kept = dlopen(o.module, RTLD_NOW | RTLD_LOCAL);
	double pam_open_kept_us = -1;

	double pam_open_permit_us, pam_open_second_us;

	if (kept != NULL)
		bench_pam(&o, &pam_open_kept_us);
	bench_pam_permit(&o, &pam_open_permit_us);
	bench_pam_second(&o, &pam_open_second_us);
	printf("micro n=%d gap_ms=%d pam_pair_us=%.1f config_us=%.1f config_cached_us=%.1f "
	       "identity_us=%.1f setup_us=%.1f close_us=%.1f floor_us=%.1f pam_open_us=%.1f "
	       "open_floor_us=%.1f pam_open_kept_us=%.1f pam_open_permit_us=%.1f pam_open_second_us=%.1f\n",
	       o.n, o.gap_ms, pam_us, config_us, cached_us, identity_us, open_us, close_us, floor_us,
	       pam_open_us, open_floor_us, pam_open_kept_us, pam_open_permit_us, pam_open_second_us);
	if (kept != NULL)
		dlclose(kept);
	return 0;
}
