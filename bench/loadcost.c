/* What loading a shared object costs a fresh process, natively (no VM):
 *
 *   loadcost [-n N] [-f RTLD_NOW|RTLD_LAZY] [-p PRELOAD] LIB...
 *
 * For each LIB, N times: fork; the child times its dlopen() of LIB in CPU
 * time (CLOCK_THREAD_CPUTIME_ID, which a shared machine's waits leave out;
 * µs, mean and median over the N children; "none": an empty timing).  libpam loads modules with RTLD_NOW, so
 * RTLD_NOW is the default.  Used for pam_cgherd(8) PERFORMANCE and
 * bench/RESULTS.md: what libconfig and the module's relocations cost a login. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The child times its own dlopen and sends it up a pipe: fork and exit
 * stay out of the figure.  preload (NULL: none) is loaded first, untimed,
 * as libpam is in a PAM host. */
static void measure(const char *lib, int n, int flags, const char *preload)
{
	double *t = calloc((size_t)n, sizeof(*t)), sum = 0;

	if (t == NULL)
		exit(1);
	for (int i = 0; i < n; i++) {
		int p[2], status;
		pid_t pid;

		if (pipe(p) < 0)
			exit(1);
		pid = fork();
		if (pid == 0) {
			if (preload != NULL && dlopen(preload, RTLD_NOW) == NULL)
				_exit(1);
			double t0 = clock_us(CLOCK_THREAD_CPUTIME_ID), d;
			void *h = lib == NULL ? (void *)1 : dlopen(lib, flags);

			d = clock_us(CLOCK_THREAD_CPUTIME_ID) - t0;
			_exit(h != NULL && write(p[1], &d, sizeof(d)) == sizeof(d) ? 0 : 1);
		}
		close(p[1]);
		if (read(p[0], &t[i], sizeof(t[i])) != sizeof(t[i]))
			t[i] = -1;
		close(p[0]);
		waitpid(pid, &status, 0);
		sum += t[i];
		if (t[i] < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "loadcost: cannot load %s\n", lib);
			exit(1);
		}
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("load lib=%s n=%d cpu_mean_us=%.1f cpu_median_us=%.1f\n", lib ? lib : "none", n, sum / n,
	       t[n / 2]);
	free(t);
}

int main(int argc, char **argv)
{
	int n = 500, flags = RTLD_NOW, c;
	const char *preload = NULL;

	while ((c = getopt(argc, argv, "n:f:p:")) != -1) {
		if (c == 'p')
			preload = optarg;
		else if (c == 'n')
			n = atoi(optarg);
		else if (c == 'f')
			flags = strcmp(optarg, "RTLD_LAZY") == 0 ? RTLD_LAZY : RTLD_NOW;
		else
			return 2;
	}
	if (n < 1)
		return 2;
	measure(NULL, n, flags, preload);
	for (int i = optind; i < argc; i++)
		measure(argv[i], n, flags, preload);
	return 0;
}
