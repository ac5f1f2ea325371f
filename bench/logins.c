/* Login-cost driver, run inside the test VM:
 *   logins -n N -k KIND -t TARGET [-g GAP_MS] NAME=STACKFILE[@CGROUP]... -- CMD [ARG...]
 * For round 1..N and, within a round, for each stack in the order given
 * (A B C A B C ...): installs STACKFILE as TARGET (the PAM service file, e.g.
 * /etc/pam.d/runuser; written to a temporary name and renamed, outside the
 * timed part), then times one fork+exec+wait of CMD, run in the cgroup
 * directory CGROUP when given (a placement control: the login pays for being
 * in a limited cgroup without any module putting it there) (a login: runuser -u alice
 * -- true, or ssh alice@127.0.0.1 true).  A failed login aborts the run.
 * Prints, per stack, "@@BENCH login kind=KIND stack=NAME n= mean_ms= median_ms=
 * p90_ms= min_ms= max_ms= sd_ms=" and, when stacks named bare, cgherd and pam_cgroup
 * are present, the ratios of their added costs (on means and on medians); with
 * stacks named nosystemd, systemd and cgherd (a systemd host: without pam_systemd,
 * with it, with it and pam_cgherd; tests/vm-systemd scenario bench), what
 * pam_systemd adds, what cgherd adds on top, and their ratio (issue 18's target 4). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STACKS 8

struct stack {
	const char *name, *file, *cgroup;
	char *text;
	size_t len;
	double *t;
	double mean, median, p90;
};

static void die(const char *a, const char *b)
{
	fprintf(stderr, "logins: %s%s%s\n", a, b ? ": " : "", b ? b : "");
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0)
		die("cannot read", path);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void install(const char *target, const struct stack *s)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.bench-tmp", target);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, s->text, s->len) != (ssize_t)s->len || close(fd) < 0)
		die("cannot write", tmp);
	if (rename(tmp, target) < 0)
		die("cannot rename to", target);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Moves the calling process into the cgroup directory dir. */
static void enter(const char *dir)
{
	char path[4096], pid[24];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		_exit(126);
	close(fd);
}

static double login_once(char **cmd, const char *cgroup)
{
	double t0 = now_ms(), t;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (cgroup != NULL)
			enter(cgroup);
		dup2(null, 0);
		dup2(null, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", strerror(errno));
	t = now_ms() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "logins: %s failed (status 0x%x)\n", cmd[0], status);
		exit(1);
	}
	return t;
}

static struct stack *find(struct stack *s, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct stack st[MAX_STACKS];
	const char *kind = "login", *target = NULL;
	int n = 30, gap_ms = 0, ns = 0, c;

	while ((c = getopt(argc, argv, "+n:k:t:g:")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'k': kind = optarg; break;
		case 't': target = optarg; break;
		case 'g': gap_ms = atoi(optarg); break;
		default: die("usage: logins -n N -k KIND -t TARGET [-g GAP_MS] NAME=FILE... -- CMD...", NULL);
		}
	}
	for (; optind < argc && strcmp(argv[optind], "--") != 0; optind++) {
		char *eq = strchr(argv[optind], '=');
		if (eq == NULL || ns == MAX_STACKS)
			die("bad stack", argv[optind]);
		*eq = '\0';
		st[ns].name = argv[optind];
		st[ns].file = eq + 1;
		st[ns].cgroup = NULL;
		char *at = strchr(eq + 1, '@');
		if (at != NULL) {
			*at = '\0';
			st[ns].cgroup = at + 1;
		}
		st[ns].text = slurp(st[ns].file, &st[ns].len);
		st[ns].t = calloc((size_t)n, sizeof(double));
		ns++;
	}
	if (optind >= argc - 1 || target == NULL || ns == 0 || n < 1)
		die("usage: logins -n N -k KIND -t TARGET [-g GAP_MS] NAME=FILE... -- CMD...", NULL);
	char **cmd = &argv[optind + 1];

	/* one untimed warm-up login per stack (page cache, first cgroup dirs) */
	for (int j = 0; j < ns; j++) {
		install(target, &st[j]);
		login_once(cmd, st[j].cgroup);
		if (gap_ms)
			usleep((useconds_t)gap_ms * 1000);
	}
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < ns; j++) {
			install(target, &st[j]);
			st[j].t[i] = login_once(cmd, st[j].cgroup);
			if (gap_ms)
				usleep((useconds_t)gap_ms * 1000);
		}
	}
	for (int j = 0; j < ns; j++) {
		double sum = 0, sq = 0;
		for (int i = 0; i < n; i++)
			sum += st[j].t[i];
		st[j].mean = sum / n;
		for (int i = 0; i < n; i++)
			sq += (st[j].t[i] - st[j].mean) * (st[j].t[i] - st[j].mean);
		qsort(st[j].t, (size_t)n, sizeof(double), cmp_double);
		st[j].median = n % 2 ? st[j].t[n / 2] : (st[j].t[n / 2 - 1] + st[j].t[n / 2]) / 2;
		st[j].p90 = st[j].t[(9 * n + 9) / 10 - 1];	/* nearest rank: ceil(0.9 n) */
		printf("@@BENCH login kind=%s stack=%s n=%d mean_ms=%.2f median_ms=%.2f p90_ms=%.2f "
		       "min_ms=%.2f max_ms=%.2f sd_ms=%.2f\n", kind, st[j].name, n, st[j].mean,
		       st[j].median, st[j].p90, st[j].t[0], st[j].t[n - 1],
		       n > 1 ? sqrt(sq / (n - 1)) : 0.0);
	}
	struct stack *bare = find(st, ns, "bare"), *herd = find(st, ns, "cgherd"),
		     *pcg = find(st, ns, "pam_cgroup"), *placed = find(st, ns, "placed");
	if (bare && herd)
		printf("@@BENCH ratio kind=%s cgherd_over_bare_mean=%.4f cgherd_over_bare_median=%.4f\n",
		       kind, (herd->mean - bare->mean) / bare->mean,
		       (herd->median - bare->median) / bare->median);
	if (bare && herd && pcg)
		printf("@@BENCH ratio kind=%s cgherd_over_pam_cgroup_mean=%.4f "
		       "cgherd_over_pam_cgroup_median=%.4f\n", kind,
		       (herd->mean - bare->mean) / (pcg->mean - bare->mean),
		       (herd->median - bare->median) / (pcg->median - bare->median));
	if (bare && herd && placed)
		printf("@@BENCH ratio kind=%s placement_over_bare_median=%.4f "
		       "cgherd_beyond_placement_over_bare_median=%.4f\n", kind,
		       (placed->median - bare->median) / bare->median,
		       (herd->median - placed->median) / bare->median);
	struct stack *nosd = find(st, ns, "nosystemd"), *sd = find(st, ns, "systemd");
	if (nosd && sd && herd)
		printf("@@BENCH ratio kind=%s pam_systemd_added_median_ms=%.2f "
		       "cgherd_added_median_ms=%.2f cgherd_over_pam_systemd_median=%.4f "
		       "pam_systemd_added_p90_ms=%.2f cgherd_added_p90_ms=%.2f "
		       "cgherd_over_pam_systemd_p90=%.4f\n", kind, sd->median - nosd->median,
		       herd->median - sd->median,
		       (herd->median - sd->median) / (sd->median - nosd->median),
		       sd->p90 - nosd->p90, herd->p90 - sd->p90,
		       (herd->p90 - sd->p90) / (sd->p90 - nosd->p90));
	return 0;
}
