/* How soon a session's leaf is gone after its opener exits (bench/guest.sh,
 * section 6), run inside the test VM:
 *
 *   reaplat -n N -u USER [-g GAP_MS]      leftover killed and leaf removed
 *   reaplat -b SEQ,PAR -u USER            SEQ logins, then PAR at once
 *
 * The first runs N runuser logins that each leave `sleep 1000` behind and
 * times, per login, from runuser's exit (waitpid) to the leaf's directory
 * being gone (checked every 0.5 ms; rmdir succeeds only once the leaf is
 * empty, so the leftover is dead too).  The second runs SEQ sequential and
 * PAR parallel `runuser -u USER -- true` logins and times from the last
 * exit until no session leaf is left under /sys/fs/cgroup/cgherd.
 * Prints one "reap ..." or "burst ..." line. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BASE "/sys/fs/cgroup/cgherd"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "reaplat: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* runuser -u USER -- sh -c SCRIPT; its stdout (first line) in out. */
static pid_t login(const char *user, const char *script, char *out, size_t len)
{
	int p[2];
	pid_t pid;
	size_t got = 0;
	ssize_t n;

	if (pipe(p) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execlp("runuser", "runuser", "-u", user, "--", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return pid;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int reap(int n, const char *user, int gap_ms)
{
	double *t = calloc((size_t)n, sizeof(*t));
	int over = 0, failed = 0;

	if (t == NULL)
		die("calloc");
	for (int i = 0; i < n; i++) {
		char cg[256], leaf[300];
		struct stat st;
		int status;
		double t0;
		pid_t pid = login(user, "sed -n 's/^0:://p' /proc/$$/cgroup; "
				  "sleep 1000 >/dev/null 2>&1 </dev/null &", cg, sizeof(cg));

		waitpid(pid, &status, 0);
		t0 = now_ms();
		snprintf(leaf, sizeof(leaf), "/sys/fs/cgroup%s", cg);
		if (strncmp(cg, "/cgherd/", 8) != 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			continue;
		}
		while (stat(leaf, &st) == 0 && now_ms() - t0 < 5000)
			nap_us(500);
		t[i] = now_ms() - t0;
		over += t[i] > 1000;
		nap_us(gap_ms * 1000L);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("reap n=%d gap_ms=%d failed=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "
	       "over_1s=%d\n", n, gap_ms, failed, t[n / 2], t[n * 9 / 10], t[n * 99 / 100 < n ?
	       n * 99 / 100 : n - 1], t[n - 1], over);
	free(t);
	return failed ? 1 : 0;
}

static int count_leaves(void)
{
	DIR *b = opendir(BASE);
	struct dirent *u;
	int n = 0;

	while (b != NULL && (u = readdir(b)) != NULL) {
		char path[300];
		DIR *d;
		struct dirent *s;

		if (strncmp(u->d_name, "user-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", BASE, u->d_name);
		d = opendir(path);
		while (d != NULL && (s = readdir(d)) != NULL)
			n += strncmp(s->d_name, "session-", 8) == 0;
		if (d != NULL)
			closedir(d);
	}
	if (b != NULL)
		closedir(b);
	return n;
}

static int burst(int seq, int par, const char *user)
{
	pid_t *pids = calloc((size_t)par, sizeof(*pids));
	char out[64];
	int failed = 0, status, at_2s = -1;
	double t0, gone_ms = -1;

	if (pids == NULL)
		die("calloc");
	for (int i = 0; i < seq; i++) {
		waitpid(login(user, "true", out, sizeof(out)), &status, 0);
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	for (int i = 0; i < par; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			execlp("runuser", "runuser", "-u", user, "--", "true", (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < par; i++) {
		waitpid(pids[i], &status, 0);
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	t0 = now_ms();
	while (now_ms() - t0 < 10000) {
		int n = count_leaves();
		if (at_2s < 0 && now_ms() - t0 >= 2000)
			at_2s = n;
		if (n == 0) {
			gone_ms = now_ms() - t0;
			break;
		}
		nap_us(1000);
	}
	if (at_2s < 0)
		at_2s = 0;
	printf("burst seq=%d par=%d failed=%d leaves_gone_ms=%.1f leaves_at_2s=%d leaves_at_end=%d\n",
	       seq, par, failed, gone_ms, at_2s, count_leaves());
	free(pids);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *user = "alice";
	int n = 0, seq = 0, par = 0, gap_ms = 100, c;

	while ((c = getopt(argc, argv, "n:b:u:g:")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'b': if (sscanf(optarg, "%d,%d", &seq, &par) != 2) n = -1; break;
		case 'u': user = optarg; break;
		case 'g': gap_ms = atoi(optarg); break;
		default: n = -1;
		}
	}
	if (n < 0 || (n == 0 && seq + par == 0)) {
		fprintf(stderr, "usage: reaplat -n N | -b SEQ,PAR [-u USER] [-g GAP_MS]\n");
		return 2;
	}
	return n > 0 ? reap(n, user, gap_ms) : burst(seq, par, user);
}
