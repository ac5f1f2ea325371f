/* A driver for profiling pam_open_session natively (no VM, no host cgroup):
 *   open_once [-n N] [-u USER] [-g GROUP] [-a MODULE_ARGS] [-k] FAKE_MODULE
 * runs logins of USER through libpam and FAKE_MODULE (the module built
 * against the emulated cgroupfs of tests/common/fakefs.c) on a temporary
 * tree, with the bench's config (bench/genconf.awk, n=1: one rule matching
 * GROUP, the session limits memory_max, cpu_max, pids_max, oom_group).  A
 * first login in a child process parses the file and writes the config
 * cache, a second one uses it (this process never parses); then N logins, each
 * bracketed by markers that show in strace as
 *   write(-1, "@@open-begin", ...) ... write(-1, "@@open-end", ...)
 *   ... write(-1, "@@close-end", ...)
 * (a write to fd -1 fails at once and does nothing else; the open's window
 * also has the driver's getrusage), and the mean time of pam_open_session
 * alone is printed, with its minor page faults.  -k
 * keeps the module loaded between logins (libpam loads it at each
 * pam_start and unloads it at pam_end, as in a real login): the cost of a
 * module whose pages and code are warm.  Usage: tests/pam/trace-open. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config_cache.h"
#include "fakefs.h"

static void die(const char *what)
{
	fprintf(stderr, "open_once: %s\n", what);
	exit(1);
}

static void mark(const char *what)
{
	if (write(-1, what, strlen(what)) >= 0)
		die("a write to fd -1 succeeded");
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int no_conv(int n, const struct pam_message **m, struct pam_response **r, void *a)
{
	(void)n;
	(void)m;
	(void)r;
	(void)a;
	return PAM_CONV_ERR;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die(path);
}

/* Whether a mapping of this process names what. */
static bool mapped(const char *what)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (f == NULL)
		die("/proc/self/maps");
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

static long minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

struct figures {
	double open_us;
	long open_faults;
};

/* One login; with markers, pam_open_session alone is measured into *fig. */
static void login(const char *dir, const char *user, bool marked, struct figures *fig)
{
	struct pam_conv conv = { no_conv, NULL };
	pam_handle_t *h;
	double t0;
	long f0;
	int r;

	if (pam_start_confdir("cgherd-open", user, &conv, dir, &h) != PAM_SUCCESS)
		die("pam_start");
	f0 = minor_faults();
	if (marked)
		mark("@@open-begin");
	t0 = now_us();
	r = pam_open_session(h, 0);
	t0 = now_us() - t0;
	f0 = minor_faults() - f0;	/* the one call of the driver's in the open's window */
	if (marked)
		mark("@@open-end");
	if (fig != NULL) {
		fig->open_us += t0;
		fig->open_faults += f0;
	}
	if (r != PAM_SUCCESS)
		die("pam_open_session failed (see syslog)");
	if (pam_close_session(h, 0) != PAM_SUCCESS)
		die("pam_close_session failed (see syslog)");
	if (marked)
		mark("@@close-end");
	pam_end(h, PAM_SUCCESS);
}

int main(int argc, char **argv)
{
	const char *user = "nobody", *group = "nogroup", *args = "";
	char dir[] = "/tmp/cgherd-open-XXXXXX", root[64], path[256], text[2048];
	struct figures fig = { 0 };
	bool keep = false;
	struct stat st;
	int n = 1, c;

	while ((c = getopt(argc, argv, "n:u:g:a:k")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'u': user = optarg; break;
		case 'g': group = optarg; break;
		case 'a': args = optarg; break;
		case 'k': keep = true; break;
		default: die("usage: open_once [-n N] [-u USER] [-g GROUP] [-a ARGS] [-k] FAKE_MODULE");
		}
	}
	if (optind != argc - 1 || n < 1)
		die("usage: open_once [-n N] [-u USER] [-g GROUP] [-a ARGS] [-k] FAKE_MODULE");
	if (keep && dlopen(argv[optind], RTLD_NOW) == NULL)
		die(dlerror());
	if (mkdtemp(dir) == NULL || fake_make_root(root, sizeof(root), "cpu memory pids\n") < 0)
		die("temp dirs");
	snprintf(path, sizeof(path), "%s/cache", dir);
	if (mkdir(path, 0700) < 0 || setenv("CGHERD_TEST_CACHE_DIR", path, 1) < 0)
		die("cache dir");
	snprintf(path, sizeof(path), "%s/notices", dir);
	if (setenv("CGHERD_TEST_NOTICE_DIR", path, 1) < 0)
		die("notice dir");
	snprintf(path, sizeof(path), "%s/cgherd.conf", dir);
	snprintf(text, sizeof(text),
		 "cgroup_root = \"%s\";\nbase = \"cgherd\";\non_error = \"deny\";\n"
		 "kill_on_close = true;\ndefault_action = \"herd\";\n"
		 "session = { memory_max = \"500M\"; cpu_max = \"20%%\"; pids_max = 1024; oom_group = true; };\n"
		 "rules = (\n  { name = \"students\"; match = { group = [ \"%s\" ]; };\n"
		 "    session = { memory_max = \"500M\"; cpu_max = \"20%%\"; pids_max = 1024; oom_group = true; }; }\n);\n",
		 root, group);
	write_text(path, text);
	if (stat(path, &st) < 0)
		die(path);
	while (!cgh_cache_settled(&st))	/* else the cache is not written */
		usleep(1000);
	snprintf(text, sizeof(text), "session required %s conf=%s %s\n", argv[optind], path, args);
	snprintf(path, sizeof(path), "%s/cgherd-open", dir);
	write_text(path, text);

	pid_t child = fork();	/* parses and writes the cache, in a process of its own */
	int status;

	if (child == 0) {
		login(dir, user, false, NULL);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
		die("the first login failed");
	login(dir, user, false, NULL);	/* from the cache */
	for (int i = 0; i < n; i++)
		login(dir, user, true, &fig);
	printf("open_once n=%d module=%s pam_open_us=%.1f open_minor_faults=%.1f libconfig_mapped=%s\n",
	       n, keep ? "kept" : "loaded_each_login", fig.open_us / n, (double)fig.open_faults / n,
	       mapped("libconfig") ? "yes" : "no");
	fake_remove_root(root);
	fake_remove_root(dir);
	return 0;
}
