/* What penalties cost `cgherd watch`: the daemon over the emulated tree
 * (tests/common/fakefs.c) with USERS user directories, each with one
 * session, for SECONDS, with one penalty of the given window (its window
 * sets the sampling interval: "28s" gives the shortest, 1 s).  Prints the
 * daemon's CPU time per second of wall time and its peak RSS, with and
 * without the penalty.
 *
 *   build/bench/penalty_cost [USERS [SECONDS [WINDOW]]]   (make bench-penalty)
 *
 * The emulated files live on a temporary directory, whose reads are
 * cheaper than kernfs's (cpu.stat flushes the rstat tree): this measures
 * the daemon's own work per sample, the VM scenario 11-watch the kernel's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgh_watch.h"
#include "fakefs.h"

static void quiet(void *arg, int priority, const char *line)
{
	(void)arg;
	if (priority <= (getenv("BENCH_VERBOSE") ? LOG_INFO : LOG_WARNING))
		fprintf(stderr, "watch: %s\n", line);
}

static int make_tree(const char *root, unsigned users)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	char path[96];

	if (fd < 0 || cgh_test_sys()->mkdirat(fd, "cgherd") < 0)
		return -1;
	for (unsigned i = 0; i < users; i++) {
		snprintf(path, sizeof(path), "cgherd/user-%u", 10000 + i);
		if (cgh_test_sys()->mkdirat(fd, path) < 0)
			return -1;
		snprintf(path, sizeof(path), "cgherd/user-%u/session-%u", 10000 + i, 20000 + i);
		if (cgh_test_sys()->mkdirat(fd, path) < 0)
			return -1;
		strcat(path, "/cgroup.events");	/* a live session: not collected */
		if (fake_put(root, path, "populated 1\nfrozen 0\n") < 0)
			return -1;
	}
	close(fd);
	return 0;
}

/* Runs the daemon for secs; its CPU seconds and max RSS (kB). */
static int run(const char *root, const char *window, unsigned secs, double *cpu, long *rss)
{
	char conf[512], text[1024], state[200];
	struct rusage ru;
	pid_t pid;
	int fd, status;

	snprintf(state, sizeof(state), "%s/state", root);
	mkdir(state, 0700);
	snprintf(text, sizeof(text),
		 "cgroup_root = \"%s\";\nbackend = \"cgroupfs\";\n%s%s%s", root,
		 window ? "penalties = ( { name = \"cpu\"; cpu_over = \"200%\"; window = \"" : "",
		 window ? window : "",
		 window ? "\"; tiers = ( { cpu_max = \"100%\"; duration = \"30m\"; } ); } );\n" : "");
	snprintf(conf, sizeof(conf), "%s/cgherd.conf", root);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	pid = fork();
	if (pid == 0) {
		const struct cgh_log log = { .fn = quiet };
		const struct cgh_watch_opts o = { .conf = conf, .sys = cgh_test_sys(), .log = &log,
						  .state_dir = state, .phys_mem = 4ull << 30 };
		struct cgh_error err = { 0 };
		_exit(cgh_watch_run(&o, &err) < 0 ? (fprintf(stderr, "%s\n", err.msg), 1) : 0);
	}
	sleep(secs);
	kill(pid, SIGTERM);
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
	*rss = ru.ru_maxrss;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned users = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	unsigned secs = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
	const char *window = argc > 3 ? argv[3] : "28s";
	char root[96], cmd[160];
	double cpu0 = 0, cpu1 = 0;
	long rss0 = 0, rss1 = 0;
	int rc = 1;

	if (fake_make_root(root, sizeof(root), "cpu memory pids\n") < 0 || make_tree(root, users) < 0) {
		perror("penalty_cost: emulated tree");
		return 1;
	}
	if (run(root, NULL, secs, &cpu0, &rss0) == 0 && run(root, window, secs, &cpu1, &rss1) == 0) {
		printf("users=%u seconds=%u\n", users, secs);
		printf("no penalties:        cpu=%.3f%% of one CPU, maxrss=%ld kB\n", cpu0 * 100 / secs, rss0);
		printf("penalty window=%-5s cpu=%.3f%% of one CPU, maxrss=%ld kB\n", window,
		       cpu1 * 100 / secs, rss1);
		rc = 0;
	} else {
		fprintf(stderr, "penalty_cost: the daemon failed\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
